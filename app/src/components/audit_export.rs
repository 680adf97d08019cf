//! The audit export on the Reports page: any date range as CSV or JSON lines, streamed from the
//! server with a progress bar (the server says up front how many events the range holds), then
//! saved as a file.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Reads the export, counting lines as they arrive; returns the whole text.
async fn fetch_export(
    url: &str,
    progress: RwSignal<Option<(u64, u64)>>,
) -> Result<(String, String), String> {
    let window = web_sys::window().ok_or("no window")?;
    let res: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|_| "the server cannot be reached; check the connection".to_owned())?
        .dyn_into()
        .map_err(|_| "unexpected answer".to_owned())?;
    if !res.ok() {
        let text = JsFuture::from(res.text().map_err(|_| "unreadable answer")?)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default();
        let message = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
            .unwrap_or_else(|| format!("the server answered {}", res.status()));
        return Err(message);
    }
    let total: u64 = res
        .headers()
        .get("x-event-count")
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let kind = res
        .headers()
        .get("content-type")
        .ok()
        .flatten()
        .unwrap_or_else(|| "text/plain".into());
    progress.set(Some((0, total)));
    let body = res.body().ok_or("the export is empty")?;
    let reader: web_sys::ReadableStreamDefaultReader = body
        .get_reader()
        .dyn_into()
        .map_err(|_| "the export cannot be read")?;
    let mut text = Vec::<u8>::new();
    let mut lines: u64 = 0;
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|_| "the export stopped; try again".to_owned())?;
        let done = js_sys::Reflect::get(&chunk, &JsValue::from_str("done"))
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        let value = js_sys::Reflect::get(&chunk, &JsValue::from_str("value"))
            .map_err(|_| "the export cannot be read")?;
        let bytes = js_sys::Uint8Array::new(&value).to_vec();
        lines += bytes.iter().filter(|b| **b == b'\n').count() as u64;
        text.extend_from_slice(&bytes);
        // The CSV's header row is not an event.
        let events = if kind.starts_with("text/csv") {
            lines.saturating_sub(1)
        } else {
            lines
        };
        progress.set(Some((events.min(total), total)));
    }
    Ok((String::from_utf8_lossy(&text).into_owned(), kind))
}

/// Offers text as a file download.
fn save(text: &str, kind: &str, name: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::new();
    parts.push(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(kind);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // Released a minute later, not at once: the browser reads the blob after the click returns,
    // and a URL revoked before then can cancel the download.
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let release = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    window
        .set_timeout_with_callback_and_timeout_and_arguments_0(release.unchecked_ref(), 60_000)?;
    Ok(())
}

/// The export form and its progress.
#[component]
pub fn AuditExport() -> impl IntoView {
    let today = crate::replica::use_replica().today();
    let from = RwSignal::new((today - chrono::Duration::days(30)).to_string());
    let to = RwSignal::new(today.to_string());
    let format = RwSignal::new(String::from("csv"));
    let progress = RwSignal::new(None::<(u64, u64)>);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        done.set(None);
        let (f, t, fmt) = (
            from.get_untracked(),
            to.get_untracked(),
            format.get_untracked(),
        );
        busy.set(true);
        leptos::task::spawn_local(async move {
            let url = format!("/api/v1/audit/export?from={f}&to={t}&format={fmt}");
            match fetch_export(&url, progress).await {
                Ok((text, kind)) => {
                    let name = format!("pistil-audit-{f}-{t}.{fmt}");
                    match save(&text, &kind, &name) {
                        Ok(()) => done.set(Some(format!(
                            "Saved {name}: {} events.",
                            progress.get_untracked().map_or(0, |p| p.1)
                        ))),
                        Err(_) => error.set(Some("The file could not be saved.".into())),
                    }
                }
                Err(m) => error.set(Some(m)),
            }
            busy.set(false);
        });
    };
    view! {
        <h2 class="section">"Audit export"</h2>
        <form class="panel" on:submit=start novalidate data-testid="audit-export">
            <p class="sub">"Every event in the range: sequence, time, device and command; who acted and who witnessed, by name and id; the packages by tag, with their products and SKUs; the reason and the quantities."</p>
            <div class="form-row">
                <label class="field">
                    <span>"From"</span>
                    <input type="date" data-testid="audit-from" bind:value=from />
                </label>
                <label class="field">
                    <span>"To (inclusive)"</span>
                    <input type="date" data-testid="audit-to" bind:value=to />
                </label>
                <label class="field">
                    <span>"Format"</span>
                    <select data-testid="audit-format" bind:value=format>
                        <option value="csv">"CSV"</option>
                        <option value="jsonl">"JSON lines"</option>
                    </select>
                </label>
                <button type="submit" class="button primary" data-testid="audit-start" disabled=move || busy.get()>"Export"</button>
            </div>
            {move || progress.get().map(|(n, total)| view! {
                <label class="field">
                    <span data-testid="audit-progress-words">{format!("{n} of {total} events")}</span>
                    <progress data-testid="audit-progress" max=total.max(1).to_string() value=n.to_string()></progress>
                </label>
            })}
            {move || error.get().map(|m| view! { <p class="banner error" role="alert">{m}</p> })}
            {move || done.get().map(|m| view! { <p class="banner ok" role="status" data-testid="audit-done">{m}</p> })}
        </form>
    }
}
