//! The server's API as the app calls it: one function per route, errors as the server's message.

use domain::account::User;
use gloo_net::http::{Request, Response};
use serde::{de::DeserializeOwned, Deserialize};

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    message: String,
}

/// The server's message for a failed response, or a plain one when it sent none.
async fn failure(res: Response) -> String {
    match res.json::<ErrorBody>().await {
        Ok(b) => b.error.message,
        Err(_) => format!("the server answered {}", res.status()),
    }
}

async fn parse<T: DeserializeOwned>(res: Result<Response, gloo_net::Error>) -> Result<T, String> {
    let res = res.map_err(|_| "the server cannot be reached; check the connection".to_owned())?;
    if !res.ok() {
        return Err(failure(res).await);
    }
    res.json::<T>()
        .await
        .map_err(|e| format!("unexpected answer from the server: {e}"))
}

/// Signs in; the server sets the session cookie.
pub async fn sign_in(email: &str, password: &str) -> Result<User, String> {
    let req = Request::post("/api/v1/session")
        .json(&serde_json::json!({ "email": email, "password": password }))
        .map_err(|e| e.to_string())?;
    parse(req.send().await).await
}

/// Who is signed in, if anyone.
pub async fn me() -> Option<User> {
    parse::<Option<User>>(Request::get("/api/v1/session").send().await)
        .await
        .ok()
        .flatten()
}

/// Signs out.
pub async fn sign_out() -> Result<(), String> {
    let res = Request::delete("/api/v1/session")
        .send()
        .await
        .map_err(|_| "the server cannot be reached; check the connection".to_owned())?;
    if res.ok() {
        Ok(())
    } else {
        Err(failure(res).await)
    }
}

/// Everything the server has: products and packages, with the ledger cursor.
pub async fn snapshot() -> Result<domain::sync::SyncResponse, String> {
    parse(Request::get("/api/v1/sync?since=0").send().await).await
}
