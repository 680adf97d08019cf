//! Regulator sync end to end against the embedded sandbox: exactly once under injected faults,
//! and a key that expires and is replaced.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use domain::{command::*, *};
use reqwest::StatusCode;
use serde_json::{json, Value};
use server::regulator::setup;

use crate::helpers::*;

pub(crate) const ITEM: &str = "Test Buds Item";

pub(crate) struct Regulator {
    pub url: String,
    pub license: String,
    pub client: reqwest::Client,
    pub vendor: String,
    pub user: String,
}

impl Regulator {
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
    pub async fn get(&self, path: &str) -> Value {
        let sep = if path.contains('?') { '&' } else { '?' };
        let res = self
            .client
            .get(format!(
                "{}{path}{sep}licenseNumber={}",
                self.url, self.license
            ))
            .basic_auth(&self.vendor, Some(&self.user))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        res.json().await.unwrap()
    }
}

/// A store whose flower product is mapped to a regulator item, with `n` packages on the floor that
/// the regulator received on the same manifest.
pub(crate) async fn mapped_store(
    app: &TestApp,
    n: usize,
) -> (Regulator, Vec<(PackageId, RegulatorTag)>) {
    let creds = setup::saved(&app.store, &app.secret)
        .await
        .unwrap()
        .expect("embedded sandbox credentials")
        .credentials;
    let reg = Regulator {
        url: creds.base_url.clone(),
        license: creds.license.clone(),
        client: reqwest::Client::new(),
        vendor: creds.vendor_key.clone(),
        user: creds.user_key.clone(),
    };
    let r = reg
        .admin(reqwest::Method::POST, "/sandbox/v2/items", json!({"license": reg.license, "name": ITEM, "category": "Buds", "quantity_type": "WeightBased", "unit_of_measure": "Grams"}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let mut p = product(FLOWER, "Mapped Flower", Category::Flower);
    p.regulator = Some(RegulatorMapping {
        item_name: ITEM.into(),
        item_category: "Buds".into(),
        unit_of_measure: Unit::Grams,
        unit_weight: None,
        unit_weight_definition: UnitWeightDefinition::NetCannabis,
        strain: None,
    });
    let packages: Vec<(PackageId, RegulatorTag)> =
        (0..n).map(|_| (PackageId::new(), app.next_tag())).collect();
    let lines = packages
        .iter()
        .map(|(id, tag)| ReceiveLine {
            package_id: *id,
            tag: tag.clone(),
            product_id: FLOWER,
            shipped: Quantity::grams(1000, 0),
            batch: "B-1".into(),
            lab: LabResult {
                state: LabState::Passed,
                result_id: Some("COA".into()),
                thc_percent: None,
                cbd_percent: None,
                tested_on: None,
            },
            packaged_on: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            expires_on: None,
            decision: LineDecision::Accept,
        })
        .collect();
    let seeded: Vec<Value> = packages
        .iter()
        .map(|(_, t)| json!({"label": t.as_str(), "item": ITEM, "quantity": 1000}))
        .collect();
    let r = reg
        .admin(
            reqwest::Method::POST,
            "/sandbox/v2/manifests",
            json!({"license": reg.license, "manifest_number": "0000000777", "packages": seeded}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let mut cmds = vec![
        command(Action::DefineProduct(p)),
        command(Action::Receive(Receive {
            manifest_number: "0000000777".into(),
            lines,
        })),
    ];
    cmds.extend(packages.iter().map(|(id, _)| {
        command(Action::Move(Move {
            package_id: *id,
            to: Zone::SalesFloor,
        }))
    }));
    for o in app.push(&app.manager, cmds).await {
        assert!(
            matches!(o, server::ledger::Outcome::Applied { .. }),
            "{o:?}"
        );
    }
    (reg, packages)
}

pub(crate) async fn health(app: &TestApp) -> Value {
    app.manager
        .client
        .get(app.url("/regulator/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

pub(crate) async fn wait_until(
    app: &TestApp,
    what: &str,
    limit: Duration,
    ok: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + limit;
    loop {
        let h = health(app).await;
        if ok(&h) {
            return h;
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not happen in {limit:?}: {h}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every receipt the regulator holds, all pages.
/// Waits until nothing is pending, being sent or in doubt at the regulator.
pub(crate) async fn synced(app: &TestApp) {
    wait_until(app, "the outbox drained", Duration::from_secs(20), |h| {
        h["pending"] == 0 && h["sending"] == 0 && h["uncertain"] == 0
    })
    .await;
}

/// Every outcome applied.
pub(crate) fn applied(outcomes: Vec<server::ledger::Outcome>) {
    for o in outcomes {
        assert!(
            matches!(o, server::ledger::Outcome::Applied { .. }),
            "{o:?}"
        );
    }
}

pub(crate) async fn all_receipts(reg: &Regulator) -> Vec<Value> {
    let mut all = Vec::new();
    for page in 1.. {
        let p = reg
            .get(&format!(
                "/sales/v2/receipts/active?pageNumber={page}&pageSize=20"
            ))
            .await;
        all.extend(p["Data"].as_array().unwrap().iter().cloned());
        if page >= p["TotalPages"].as_u64().unwrap() {
            break;
        }
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_changes_reach_the_regulator_exactly_once_while_writes_are_dropped_and_calls_refused(
) {
    const OPS: usize = 10_000;
    let app = spawn_app_with(|c| {
        // A short wait for answers keeps 1,000 dropped writes from taking all day; the regulator
        // is local, so reads need no pacing here.
        c.regulator_timeout = Duration::from_millis(150);
        c.regulator_gets_per_second = 5_000.0;
    })
    .await;
    let (reg, packages) = mapped_store(&app, 40).await;
    // New packages take tags from the facility's pool at the regulator.
    let pool = reg.get("/tags/v2/package/available").await;
    let mut fresh_tags = pool
        .as_array()
        .unwrap()
        .iter()
        .map(|t| RegulatorTag::parse(t["Label"].as_str().unwrap()).unwrap());
    let r = reg
        .admin(reqwest::Method::PUT, "/sandbox/v2/faults", json!({"commit_then_drop_percent": 10, "error_percent": 3, "rate_limit_percent": 1, "write_rate_limit_percent": 1, "retry_after_secs": 1}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // A busy mixed stretch: sales, adjustments and splits across the packages, sent as tablets
    // send them, a batch at a time.
    let mut sales = 0;
    let mut batch = Vec::new();
    for k in 0..OPS {
        let (id, _) = &packages[k % packages.len()];
        let cmd = match k % 8 {
            0 => command(Action::Adjust(Adjust {
                package_id: *id,
                delta: Quantity::grams(-5, 1),
                reason: AdjustReason::MoistureLoss,
                note: None,
                count_id: None,
            })),
            7 if k % 100 == 7 => command(Action::Split(Split {
                source: *id,
                new_packages: (0..2)
                    .map(|_| NewPackage {
                        package_id: PackageId::new(),
                        tag: fresh_tags.next().unwrap(),
                    })
                    .collect(),
                amounts: SplitAmounts::Equal {
                    total: Quantity::grams(10, 0),
                },
            })),
            _ => {
                sales += 1;
                sell(*id, Quantity::grams(1, 0))
            }
        };
        batch.push(cmd);
        if batch.len() == 100 {
            for out in app.push(&app.manager, std::mem::take(&mut batch)).await {
                assert!(
                    matches!(out, server::ledger::Outcome::Applied { .. }),
                    "{out:?}"
                );
            }
        }
    }
    // Much of the stretch reaches the regulator while the faults are on...
    wait_until(
        &app,
        "half of the changes synced under faults",
        Duration::from_secs(600),
        |h| h["done"].as_i64().unwrap() >= (OPS / 2) as i64,
    )
    .await;
    let retried: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE attempts > 0")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert!(
        retried > 0,
        "no write was ever in doubt: the faults did not bite"
    );
    // ...and once they clear, everything drains.
    reg.admin(reqwest::Method::PUT, "/sandbox/v2/faults", json!({}))
        .await;
    let h = wait_until(&app, "draining", Duration::from_secs(600), |h| {
        h["pending"] == 0 && h["uncertain"] == 0 && h["sending"] == 0
    })
    .await;
    let parked: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, COALESCE(last_error, '') FROM outbox WHERE state = 'parked'")
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    assert!(parked.is_empty(), "refused by the regulator: {parked:?}");
    assert_eq!(h["state"], "healthy", "{h}");
    // Every package agrees, and no receipt exists twice.
    let snap = app.snapshot().await;
    let mut compared = 0;
    for p in snap["snapshot"]["packages"].as_array().unwrap() {
        let tag = p["tag"].as_str().unwrap();
        let at_regulator = reg.get(&format!("/packages/v2/{tag}")).await;
        let ledger_qty: f64 = p["quantity"]["amount"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            at_regulator["Quantity"].as_f64().unwrap(),
            ledger_qty,
            "package {tag}"
        );
        compared += 1;
    }
    assert!(
        compared > packages.len(),
        "split children were compared too"
    );
    let receipts = all_receipts(&reg).await;
    let mut seen = std::collections::HashSet::new();
    for r in &receipts {
        assert!(
            seen.insert(r["ExternalReceiptNumber"].as_str().unwrap().to_owned()),
            "receipt recorded twice: {r}"
        );
    }
    // A duplicated adjustment would show in the quantities above; a duplicated receipt here.
    assert_eq!(receipts.len(), sales, "receipts at the regulator");
}

#[tokio::test]
async fn an_expired_key_turns_sync_auth_failed_loses_nothing_and_drains_once_a_new_key_is_saved() {
    let app = spawn_app().await;
    let (reg, packages) = mapped_store(&app, 2).await;
    let before = wait_until(&app, "initial sync", Duration::from_secs(20), |h| {
        h["pending"] == 0 && h["sending"] == 0
    })
    .await;
    // A tablet following the staff stream hears of every change of sync state.
    let stream = app
        .staff
        .client
        .get(app.url("/events/stream"))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let heard = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = heard.clone();
    tokio::spawn(async move {
        use futures_util::StreamExt;
        let mut chunks = stream.bytes_stream();
        while let Some(Ok(c)) = chunks.next().await {
            sink.lock().unwrap().push_str(&String::from_utf8_lossy(&c));
        }
    });
    reg.admin(
        reqwest::Method::PUT,
        "/sandbox/v2/keys",
        json!({"user_key": reg.user, "expire": true}),
    )
    .await;
    app.push(&app.staff, vec![sell(packages[0].0, Quantity::grams(3, 0))])
        .await;
    // A retry may be in flight when the state is read (the sale counts as sending for the length
    // of that call), so wait for the sale to be back among the waiting ones.
    let h = wait_until(
        &app,
        "auth failure, the sale waiting",
        Duration::from_secs(20),
        |h| h["state"] == "auth_failed" && h["pending"] == 1,
    )
    .await;
    assert!(
        h["cause"].as_str().unwrap().contains("refused our key"),
        "{h}"
    );
    assert_eq!(
        h["done"], before["done"],
        "nothing of the refused call counts as sent: {h}"
    );
    // Nothing more goes to the regulator until a new key is saved, however many changes wake
    // the relay meanwhile.
    let calls = || async {
        reg.client
            .get(format!("{}/sandbox/v2/stats", reg.url))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()["calls"]
            .as_u64()
            .unwrap()
    };
    let refused_so_far = calls().await;
    for _ in 0..3 {
        app.push(&app.staff, vec![sell(packages[1].0, Quantity::grams(1, 0))])
            .await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        calls().await,
        refused_so_far,
        "calls went out with a refused key"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while !heard.lock().unwrap().contains("\"auth_failed\"") {
        assert!(
            Instant::now() < deadline,
            "the staff stream did not say sync halted: {}",
            heard.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(heard.lock().unwrap().contains("event: regulator_health"));
    // Keys never come back out of the API.
    let body = app
        .manager
        .client
        .get(app.url("/regulator/health"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!body.contains(&reg.user) && !body.contains(&reg.vendor));
    // A manager saves a new key; the waiting sale goes through.
    let new_key = "replacement-user-key";
    reg.admin(
        reqwest::Method::POST,
        "/sandbox/v2/keys",
        json!({"user_key": new_key, "licenses": [reg.license]}),
    )
    .await;
    let res = app
        .manager
        .client
        .put(app.url("/regulator/credentials"))
        .json(&json!({"base_url": reg.url, "vendor_key": reg.vendor, "user_key": new_key, "license": reg.license,
            // Ten of the store's own days away (the warning counts in the store's time zone).
            "key_expires_on": StoreConfig::default().day_of(chrono::Utc::now()) + chrono::Duration::days(10)}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let saved: Value = res.json().await.unwrap();
    assert_eq!(saved["license"], reg.license.as_str());
    assert!(
        reg.url.ends_with(saved["host"].as_str().unwrap()),
        "{saved}"
    );
    let h = wait_until(&app, "drain after new key", Duration::from_secs(20), |h| {
        h["pending"] == 0 && h["sending"] == 0 && h["state"] == "healthy"
    })
    .await;
    assert_eq!(h["uncertain"], 0);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let text = heard.lock().unwrap().clone();
        let after = &text[text.find("auth_failed").unwrap()..];
        if after.contains("\"healthy\"") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the staff stream did not say sync resumed: {text}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        h["warnings"][0]
            .as_str()
            .unwrap()
            .contains("in 10 days: save a new key"),
        "{h}"
    );
    let staff = app
        .staff
        .client
        .put(app.url("/regulator/credentials"))
        .json(&json!({"base_url": reg.url, "vendor_key": "x", "user_key": "y", "license": "z"}))
        .send()
        .await
        .unwrap();
    assert_eq!(staff.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_product_without_a_regulator_mapping_is_named_as_the_cause() {
    let app = spawn_app().await;
    let (flower, _) = app.stock_the_shelf(100, 10).await; // test products carry no mapping
    app.push(&app.staff, vec![sell(flower, Quantity::grams(1, 0))])
        .await;
    let h = wait_until(&app, "mapping error", Duration::from_secs(20), |h| {
        h["state"] == "mapping_error"
    })
    .await;
    assert!(
        h["cause"]
            .as_str()
            .unwrap()
            .contains("not mapped to a regulator Item"),
        "{h}"
    );
    assert!(h["parked"].as_i64().unwrap() >= 1);
}

#[tokio::test]
async fn a_patients_sale_reaches_the_regulator_as_a_patient_with_the_registration_number() {
    let app = spawn_app().await;
    let config = StoreConfig {
        jurisdiction: Jurisdiction::california(),
        time_zone: chrono_tz::America::Los_Angeles,
        ..StoreConfig::default()
    };
    let out = app
        .push(&app.owner, vec![command(Action::ConfigureStore(config))])
        .await;
    assert!(
        matches!(out[0], server::ledger::Outcome::Applied { .. }),
        "{out:?}"
    );
    let (reg, packages) = mapped_store(&app, 1).await;
    let receipt = |patient: Option<&str>| {
        command(Action::Sell(Sell {
            receipt_id: ReceiptId::new(),
            customer: Some(CustomerRef::parse("pat").unwrap()),
            patient: patient.map(|p| PatientRegistration::parse(p).unwrap()),
            lines: vec![SellLine {
                package_id: packages[0].0,
                quantity: Quantity::grams(100, 0),
                unit_price: None,
            }],
        }))
    };
    // Over the adult-use limit, within the medicinal one.
    let out = app.push(&app.staff, vec![receipt(None)]).await;
    assert!(
        matches!(
            out[0],
            server::ledger::Outcome::Rejected {
                error: DomainError::PurchaseLimitExceeded { .. },
                ..
            }
        ),
        "{out:?}"
    );
    let out = app.push(&app.staff, vec![receipt(Some("ca-0042-x"))]).await;
    assert!(
        matches!(out[0], server::ledger::Outcome::Applied { .. }),
        "{out:?}"
    );
    wait_until(&app, "the sale sent", Duration::from_secs(20), |h| {
        h["pending"] == 0 && h["sending"] == 0
    })
    .await;
    let held = all_receipts(&reg).await;
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0]["SalesCustomerType"], "Patient");
    assert_eq!(held[0]["PatientLicenseNumber"], "CA-0042-X");
    // The regulator refuses a patient's sale without the number, as Metrc does.
    let refused = reg
        .client
        .post(format!(
            "{}/sales/v2/receipts?licenseNumber={}",
            reg.url, reg.license
        ))
        .basic_auth(&reg.vendor, Some(&reg.user))
        .json(
            &json!([{"SalesDateTime": "2026-11-02T10:00:00.000", "ExternalReceiptNumber": "P-1",
            "SalesCustomerType": "Patient", "PatientLicenseNumber": null,
            "Transactions": [{"PackageLabel": packages[0].1.to_string(), "Quantity": 1.0,
                "UnitOfMeasure": "Grams", "TotalAmount": 10.0}]}]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let text = refused.text().await.unwrap();
    assert!(
        text.contains("Patient License Number is required"),
        "{text}"
    );
}
