//! `spawn_app`: the server on a free port with a fresh data directory, users for every role, and
//! typed helpers to speak to it.
#![allow(dead_code)]

use chrono::{NaiveDate, Utc};
use domain::{command::*, *};
use reqwest::{Client, StatusCode};
use serde_json::Value;
use server::{
    auth::{self, Role},
    ledger::Outcome,
    Application, Config,
};
use tempfile::TempDir;

pub const PASSWORD: &str = "correct horse battery";
pub const FLOWER: ProductId = ProductId::from_u128(0xF10);
pub const PREROLL: ProductId = ProductId::from_u128(0xF11);

/// A running app and what a test needs to talk to it.
pub struct TestApp {
    pub address: String,
    pub store: server::store::Store,
    pub secret: server::secret::Secret,
    pub data_dir: TempDir,
    pub owner: User,
    pub manager: User,
    pub witness: User,
    pub staff: User,
    pub anonymous: Client,
    tag_counter: std::sync::atomic::AtomicU32,
}

/// A signed-in client and the user behind it.
pub struct User {
    pub id: UserId,
    pub client: Client,
}

pub fn config(data_dir: &std::path::Path) -> Config {
    Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        data_dir: data_dir.to_path_buf(),
        dist: data_dir.join("no-dist"),
        demo: false,
        secure_cookies: false,
        public_url: None,
        hold_sweep: std::time::Duration::from_millis(200),
        regulator_timeout: std::time::Duration::from_millis(300),
        regulator_gets_per_second: 50.0,
        pickup_hold: std::time::Duration::from_secs(7200),
        expiry_alert_days: 30,
        alert_sweep: std::time::Duration::from_millis(200),
        online_hold_share: 100,
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// `spawn_app` with a configuration the test adjusts first.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    server::telemetry::init();
    let data_dir = tempfile::tempdir().unwrap();
    let mut config = config(data_dir.path());
    adjust(&mut config);
    let app = Application::build(config).await.expect("app builds");
    let address = format!("http://{}", app.local_addr());
    let store = app.state().store.clone();
    let secret = app.state().secret.clone();
    tokio::spawn(app.run_until_stopped());
    let mut users = Vec::new();
    for (email, role) in [
        ("o@t.test", Role::Owner),
        ("m@t.test", Role::Manager),
        ("w@t.test", Role::Manager),
        ("s@t.test", Role::Staff),
    ] {
        let u = auth::add_user(&store, email, email, role, PASSWORD)
            .await
            .unwrap();
        let client = Client::builder().cookie_store(true).build().unwrap();
        let res = client
            .post(format!("{address}/api/v1/session"))
            .json(&serde_json::json!({ "email": email, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        users.push(User { id: u.id, client });
    }
    let mut users = users.into_iter();
    TestApp {
        address,
        store,
        secret,
        data_dir,
        owner: users.next().unwrap(),
        manager: users.next().unwrap(),
        witness: users.next().unwrap(),
        staff: users.next().unwrap(),
        anonymous: Client::new(),
        tag_counter: std::sync::atomic::AtomicU32::new(1),
    }
}

pub fn command(action: Action) -> Command {
    Command {
        mutation_id: MutationId::new(),
        actor: UserId::new(),
        device: DeviceId::new(),
        at: Utc::now(),
        action,
    }
}

pub fn product(id: ProductId, name: &str, category: Category) -> Product {
    let count = category != Category::Flower;
    Product {
        id,
        sku: name.to_uppercase(),
        upc: None,
        name: name.into(),
        brand: "Test Farms".into(),
        category,
        strain: StrainType::Hybrid,
        quantity_type: if count {
            QuantityType::CountBased
        } else {
            QuantityType::WeightBased
        },
        unit: if count { Unit::Each } else { Unit::Grams },
        net_content: count.then(|| Quantity::grams(5, 1)),
        gross_unit_weight: None,
        thc_mg_per_unit: None,
        thc_percent: None,
        cbd_percent: None,
        price: Money::new(10.into(), Currency::Cad),
        cost: Money::new(4.into(), Currency::Cad),
        vendor: "Secret Vendor Ltd".into(),
        regulator: None,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.address)
    }

    pub fn next_tag(&self) -> RegulatorTag {
        let n = self
            .tag_counter
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        RegulatorTag::parse(&format!("1A4FF0100000022000{n:06}")).unwrap()
    }

    /// Pushes commands as `user`; returns the outcomes.
    pub async fn push(&self, user: &User, commands: Vec<Command>) -> Vec<Outcome> {
        let res = self.push_raw(&user.client, commands).await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "push failed: {}",
            res.text().await.unwrap()
        );
        let body: Value = res.json().await.unwrap();
        serde_json::from_value(body["outcomes"].clone()).unwrap()
    }

    pub async fn push_raw(&self, client: &Client, commands: Vec<Command>) -> reqwest::Response {
        let mutations: Vec<Value> = commands
            .into_iter()
            .map(|c| serde_json::json!({ "command": c }))
            .collect();
        client
            .post(self.url("/mutations"))
            .json(&serde_json::json!({ "mutations": mutations }))
            .send()
            .await
            .unwrap()
    }

    /// Defines flower and pre-rolls, receives one package of each, moves both to the floor.
    pub async fn stock_the_shelf(&self, grams: i64, items: i64) -> (PackageId, PackageId) {
        let flower_pkg = PackageId::new();
        let preroll_pkg = PackageId::new();
        let line = |id, tag, product, shipped| ReceiveLine {
            package_id: id,
            tag,
            product_id: product,
            shipped,
            batch: "B-1".into(),
            lab: LabResult {
                state: LabState::Passed,
                result_id: Some("COA-1".into()),
                thc_percent: None,
                cbd_percent: None,
                tested_on: None,
            },
            packaged_on: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            expires_on: None,
            decision: LineDecision::Accept,
        };
        let outcomes = self
            .push(
                &self.manager,
                vec![
                    command(Action::DefineProduct(product(
                        FLOWER,
                        "Test Flower",
                        Category::Flower,
                    ))),
                    command(Action::DefineProduct(product(
                        PREROLL,
                        "Test Pre-roll",
                        Category::PreRoll,
                    ))),
                    command(Action::Receive(Receive {
                        manifest_number: format!("M-{}", uuid::Uuid::new_v4().simple()),
                        lines: vec![
                            line(
                                flower_pkg,
                                self.next_tag(),
                                FLOWER,
                                Quantity::new(grams.into(), Unit::Grams),
                            ),
                            line(preroll_pkg, self.next_tag(), PREROLL, Quantity::each(items)),
                        ],
                    })),
                    command(Action::Move(Move {
                        package_id: flower_pkg,
                        to: Zone::SalesFloor,
                    })),
                    command(Action::Move(Move {
                        package_id: preroll_pkg,
                        to: Zone::SalesFloor,
                    })),
                ],
            )
            .await;
        for o in outcomes {
            assert!(matches!(o, Outcome::Applied { .. }), "{o:?}");
        }
        (flower_pkg, preroll_pkg)
    }

    pub async fn events_count(&self) -> i64 {
        let res = self
            .manager
            .client
            .get(self.url("/sync?since=0"))
            .send()
            .await
            .unwrap();
        let body: Value = res.json().await.unwrap();
        body["cursor"].as_i64().unwrap()
    }

    /// GETs an API path as `client` and reads the JSON answer, whatever its status.
    pub async fn get_json(&self, client: &Client, path: &str) -> Value {
        client
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn snapshot(&self) -> Value {
        let res = self
            .manager
            .client
            .get(self.url("/sync?since=0"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }
}

pub fn sell(package: PackageId, qty: Quantity) -> Command {
    command(Action::Sell(Sell {
        receipt_id: ReceiptId::new(),
        customer: None,
        patient: None,
        lines: vec![SellLine {
            package_id: package,
            quantity: qty,
            unit_price: None,
        }],
    }))
}
