//! What every conformance suite shares: a sandbox on a free port, provisioned with the labels,
//! items and packages Metrc's own examples name, and calls with or without `licenseNumber`.

#![allow(dead_code)]

use metrc_sandbox::{router, SandboxState};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

pub const LICENSE: &str = "C10-0000001-LIC";
pub const VENDOR: &str = "vendor-key";
pub const USER: &str = "user-key";

/// The body of one of Metrc's Postman examples, by its name in the v2 collection.
pub fn example(group: &str, name: &str) -> Value {
    let dump = include_str!("../fixtures/postman-ca-dump.txt");
    let header = format!("### [v2/{group}] {name}:");
    let start = dump
        .find(&header)
        .unwrap_or_else(|| panic!("no example {header}"));
    let body = &dump[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    let end = body.find("\n###").unwrap_or(body.len());
    serde_json::from_str(&body[..end]).unwrap()
}

pub struct Sandbox {
    pub url: String,
    pub client: Client,
    _dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn at(&self, path: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{}{path}{sep}licenseNumber={LICENSE}", self.url)
    }
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.at(path))
            .basic_auth(VENDOR, Some(USER))
            .send()
            .await
            .unwrap()
    }
    /// A GET of `path_and_query` exactly as given (no `licenseNumber` added).
    pub async fn get_as_is(&self, path_and_query: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path_and_query}", self.url))
            .basic_auth(VENDOR, Some(USER))
            .send()
            .await
            .unwrap()
    }
    /// The JSON of a GET that must succeed.
    pub async fn json(&self, path: &str) -> Value {
        let res = self.get(path).await;
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        res.json().await.unwrap()
    }
    /// A write that must succeed.
    pub async fn ok(&self, method: reqwest::Method, path: &str, body: Value) -> reqwest::Response {
        let res = self.send(method.clone(), path, &body).await;
        let status = res.status();
        assert_eq!(
            status,
            StatusCode::OK,
            "{method} {path}: {}",
            res.text().await.unwrap()
        );
        res
    }
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
    ) -> reqwest::Response {
        self.client
            .request(method, self.at(path))
            .basic_auth(VENDOR, Some(USER))
            .json(body)
            .send()
            .await
            .unwrap()
    }
    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> reqwest::Response {
        self.client
            .request(method, format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

/// A sandbox with the labels, items and packages Metrc's examples refer to.
pub async fn spawn_sandbox() -> Sandbox {
    let dir = tempfile::tempdir().unwrap();
    let st = SandboxState::open(dir.path()).await.unwrap();
    let tags = (20201..20211)
        .map(|n| format!("ABCDEF0123456700000{n:05}"))
        .collect();
    st.provision(LICENSE, "Pistil Test Dispensary", VENDOR, USER, tags)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router(st)).await.unwrap() });
    let sb = Sandbox {
        url,
        client: Client::new(),
        _dir: dir,
    };
    let r = sb
        .admin(reqwest::Method::POST, "/sandbox/v2/items", json!({"license": LICENSE, "name": "Buds", "category": "Buds", "quantity_type": "WeightBased", "unit_of_measure": "Ounces"}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let packages: Vec<Value> = [
        "ABCDEF012345670000010041",
        "ABCDEF012345670000010042",
        "ABCDEF012345670000010043",
        "ABCDEF012345670000010044",
        "ABCDEF012345670000010331",
        "ABCDEF012345670000010332",
    ]
    .iter()
    .map(|l| json!({"label": l, "item": "Buds", "quantity": 10}))
    .collect();
    let r = sb
        .admin(
            reqwest::Method::POST,
            "/sandbox/v2/manifests",
            json!({"license": LICENSE, "manifest_number": "0000000001", "packages": packages}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    sb
}

pub async fn quantity(sb: &Sandbox, label: &str) -> Value {
    let p: Value = sb
        .get(&format!("/packages/v2/{label}"))
        .await
        .json()
        .await
        .unwrap();
    p["Quantity"].clone()
}
