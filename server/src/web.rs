//! Serves the built browser app from `dist/`: hashed assets are cached forever, `index.html`
//! never, and client-side routes fall back to `index.html`.

use std::path::{Path, PathBuf};

use axum::{
    body::Body,
    extract::State,
    http::{header, HeaderValue, Request, StatusCode},
    response::{IntoResponse, Response},
    Router,
};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// Routes for the static app; every path not claimed by the API lands here.
pub fn router(dist: &Path) -> Router {
    Router::new()
        .fallback(serve_app)
        .with_state(dist.to_path_buf())
}

async fn serve_app(State(dist): State<PathBuf>, req: Request<Body>) -> Response {
    let path = req.uri().path().to_owned();
    let file_like = path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    let res = match ServeDir::new(&dist).oneshot(req).await {
        Ok(res) => res.into_response(),
        Err(never) => match never {},
    };
    if res.status() == StatusCode::NOT_FOUND && !file_like {
        // A client-side route such as /inventory: the app's router takes it from here.
        let index = Request::new(Body::empty());
        let res = match ServeFile::new(dist.join("index.html")).oneshot(index).await {
            Ok(res) => res.into_response(),
            Err(never) => match never {},
        };
        return with_cache_control(res, "/index.html");
    }
    with_cache_control(res, &path)
}

fn with_cache_control(mut res: Response, path: &str) -> Response {
    if res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED {
        let value = if is_hashed_asset(path) {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    res
}

/// Trunk names assets `name-<hash>.ext` (or `_bg.wasm`), the hash being a 64-bit number in hex
/// without leading zeros; only those may be cached forever.
pub fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.split('.').next().unwrap_or(file);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    match stem.rsplit_once('-') {
        Some((_, hash)) => {
            (10..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn trunk_hashed_assets_are_recognised() {
        assert!(is_hashed_asset("/app-8b3c9f0a1d2e4f56.js"));
        assert!(is_hashed_asset("/app-8b3c9f0a1d2e4f56_bg.wasm"));
        assert!(is_hashed_asset("/main-0123456789abcdef.css"));
        assert!(is_hashed_asset("/main-7c65178ad22755f.css"));
    }

    #[test]
    fn unhashed_files_are_not_cached_forever() {
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/sw.js"));
        assert!(!is_hashed_asset("/manifest.webmanifest"));
        assert!(!is_hashed_asset("/icon-192.png"));
    }
}
