//! Changes come only from Pistil's own pages. A browser names the page that sent a request in
//! `Origin` (and `Sec-Fetch-Site`); a state-changing request from another site's page is refused
//! before any handler runs, so the session cookie alone never authorises a forged change. Calls
//! without those headers (a till, a script) are not browsers riding a cookie and pass on.

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::{ApiError, AppState};

/// Refuses a state-changing request whose page is on another origin.
pub async fn same_origin_changes(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    match judge(req.headers(), state.public_origin.as_deref()) {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

/// The request's page is this site's, or the request comes from no page at all.
fn judge(headers: &HeaderMap, public_origin: Option<&str>) -> Result<(), ApiError> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let Some(origin) = text(header::ORIGIN.as_str()) else {
        return match text("sec-fetch-site") {
            Some("cross-site") => Err(ApiError::CrossOrigin(
                "a page on another site may not change anything here".into(),
            )),
            _ => Ok(()),
        };
    };
    let ours = match public_origin {
        Some(p) => origin.eq_ignore_ascii_case(p),
        // No public address configured: the page must be on the host the request was sent to.
        None => {
            let host = text(header::HOST.as_str()).unwrap_or_default();
            url::Url::parse(origin).is_ok_and(|u| {
                let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
                let named = format!("{}{port}", u.host_str().unwrap_or_default());
                !host.is_empty() && named.eq_ignore_ascii_case(host)
            })
        }
    };
    if ours {
        Ok(())
    } else {
        Err(ApiError::CrossOrigin(format!(
            "a page on {origin} may not change anything here"
        )))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn the_same_host_passes_another_host_or_port_does_not() {
        let ok = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
        ]);
        assert!(judge(&ok, None).is_ok());
        for origin in [
            "http://127.0.0.1:9999",
            "http://evil.test",
            "null",
            "http://127.0.0.1:8080.evil.test",
        ] {
            let h = headers(&[("host", "127.0.0.1:8080"), ("origin", origin)]);
            assert!(judge(&h, None).is_err(), "{origin}");
        }
    }

    #[test]
    fn behind_a_proxy_only_the_public_origin_passes() {
        let h = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "https://shop.example"),
        ]);
        assert!(judge(&h, Some("https://shop.example")).is_ok());
        let direct = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
        ]);
        assert!(judge(&direct, Some("https://shop.example")).is_err());
    }

    #[test]
    fn no_page_passes_unless_the_browser_says_it_is_another_site() {
        assert!(judge(&headers(&[("host", "x")]), None).is_ok());
        let forged = headers(&[("host", "x"), ("sec-fetch-site", "cross-site")]);
        assert!(judge(&forged, None).is_err());
    }
}
