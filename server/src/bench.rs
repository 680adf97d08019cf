//! `pistil bench`: the server's benchmarks, each measured against a baseline in the same run,
//! printing figures and ratios. They talk only to 127.0.0.1 and stop by themselves.

mod drain;
mod export;
mod fanout;
mod ingest;
mod reconcile;
mod relay_faults;
mod reports;
mod soak_clients;
mod soak_drive;
mod soak_procs;

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use domain::{command::*, *};
use reqwest::Client;

use crate::{
    auth::{self, Role},
    Application, Config,
};

pub use drain::drain;
pub use export::export;
pub use fanout::fanout;
pub use ingest::ingest;
pub use reconcile::reconcile;
pub use relay_faults::{relay_faults, SoakFigures};
pub use reports::reports;

const PASSWORD: &str = "bench-password";

/// A running app on a free port with a fresh data directory and a signed-in manager.
pub(crate) struct BenchApp {
    pub(crate) url: String,
    pub(crate) client: Client,
    pub(crate) dir: tempfile::TempDir,
    pub(crate) store: crate::store::Store,
    pub(crate) secret: crate::secret::Secret,
}

impl BenchApp {
    pub(crate) async fn start() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir_in(std::env::current_dir()?)?;
        let app = Application::build(Config {
            addr: "127.0.0.1:0".parse()?,
            data_dir: dir.path().to_path_buf(),
            dist: dir.path().join("no-dist"),
            demo: false,
            secure_cookies: false,
            public_url: None,
            hold_sweep: Duration::from_secs(60),
            regulator_timeout: Duration::from_secs(10),
            regulator_gets_per_second: metrc::DEFAULT_GETS_PER_SECOND,
            pickup_hold: Duration::from_secs(7200),
            expiry_alert_days: 30,
            alert_sweep: Duration::from_secs(60),
            online_hold_share: 100,
        })
        .await?;
        let url = format!("http://{}/api/v1", app.local_addr());
        let store = app.state().store.clone();
        let secret = app.state().secret.clone();
        tokio::spawn(app.run_until_stopped());
        auth::add_user(
            &store,
            "bench@pistil.test",
            "Bench",
            Role::Manager,
            PASSWORD,
        )
        .await?;
        let client = Client::builder()
            .cookie_store(true)
            .pool_max_idle_per_host(64)
            .build()?;
        let res = client
            .post(format!("{url}/session"))
            .json(&serde_json::json!({ "email": "bench@pistil.test", "password": PASSWORD }))
            .send()
            .await?;
        anyhow::ensure!(
            res.status().is_success(),
            "bench sign-in failed: {}",
            res.status()
        );
        Ok(Self {
            url,
            client,
            dir,
            store,
            secret,
        })
    }

    /// Pushes commands; fails unless every one applied. Returns the last sequence number.
    pub(crate) async fn push(&self, commands: Vec<Command>) -> anyhow::Result<i64> {
        let mutations: Vec<_> = commands
            .into_iter()
            .map(|c| serde_json::json!({ "command": c }))
            .collect();
        let res: serde_json::Value = self
            .client
            .post(format!("{}/mutations", self.url))
            .json(&serde_json::json!({ "mutations": mutations }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let mut seq = 0;
        for o in res["outcomes"].as_array().into_iter().flatten() {
            anyhow::ensure!(o["status"] == "applied", "bench command refused: {o}");
            seq = o["seq"].as_i64().unwrap_or(seq);
        }
        Ok(seq)
    }

    /// Defines one pre-roll product and puts `n` packages of `each` items on the sales floor.
    pub(crate) async fn shelf(
        &self,
        n: usize,
        each: i64,
    ) -> anyhow::Result<(ProductId, Vec<PackageId>)> {
        let product = ProductId::new();
        self.push(vec![cmd(Action::DefineProduct(Product {
            id: product,
            sku: format!("BENCH-{product}"),
            upc: None,
            name: "Bench Pre-roll".into(),
            brand: "Bench".into(),
            category: Category::PreRoll,
            strain: StrainType::Hybrid,
            quantity_type: QuantityType::CountBased,
            unit: Unit::Each,
            net_content: Some(Quantity::grams(5, 1)),
            gross_unit_weight: None,
            thc_mg_per_unit: None,
            thc_percent: None,
            cbd_percent: None,
            price: Money::new(10.into(), Currency::Cad),
            cost: Money::new(4.into(), Currency::Cad),
            vendor: "Bench".into(),
            regulator: Some(domain::RegulatorMapping {
                item_name: "Bench Pre-roll".into(),
                item_category: "Pre-Roll Flower".into(),
                unit_of_measure: Unit::Each,
                unit_weight: None,
                unit_weight_definition: domain::UnitWeightDefinition::Gross,
                strain: None,
            }),
        }))])
        .await?;
        static NEXT_TAG: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let first = NEXT_TAG.fetch_add(n as u64, std::sync::atomic::Ordering::SeqCst);
        let ids: Vec<PackageId> = (0..n).map(|_| PackageId::new()).collect();
        let lines: Vec<ReceiveLine> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| ReceiveLine {
                package_id: *id,
                tag: RegulatorTag::parse(&format!("1A4FF0100000099{:09}", first + i as u64))
                    .expect("bench tag"),
                product_id: product,
                shipped: Quantity::each(each),
                batch: "B".into(),
                lab: LabResult {
                    state: LabState::Passed,
                    result_id: None,
                    thc_percent: None,
                    cbd_percent: None,
                    tested_on: None,
                },
                packaged_on: NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
                expires_on: None,
                decision: LineDecision::Accept,
            })
            .collect();
        let manifest = format!("BENCH-{}", uuid::Uuid::new_v4());
        // The regulator learns of the packages from the same manifest.
        if let Some(creds) = crate::regulator::setup::saved(&self.store, &self.secret)
            .await?
            .map(|c| c.credentials)
        {
            let admin = Client::new();
            admin
                .post(format!("{}/sandbox/v2/items", creds.base_url))
                .json(&serde_json::json!({"license": creds.license, "name": "Bench Pre-roll", "category": "Pre-Roll Flower", "quantity_type": "CountBased", "unit_of_measure": "Each"}))
                .send()
                .await?
                .error_for_status()?;
            let seeded: Vec<_> = lines
                .iter()
                .map(|l: &ReceiveLine| serde_json::json!({"label": l.tag.as_str(), "item": "Bench Pre-roll", "quantity": each}))
                .collect();
            for chunk in seeded.chunks(500) {
                admin
                    .post(format!("{}/sandbox/v2/manifests", creds.base_url))
                    .json(&serde_json::json!({"license": creds.license, "manifest_number": manifest, "packages": chunk}))
                    .send()
                    .await?
                    .error_for_status()?;
            }
        }
        self.push(vec![cmd(Action::Receive(Receive {
            manifest_number: manifest,
            lines,
        }))])
        .await?;
        self.push(
            ids.iter()
                .map(|id| {
                    cmd(Action::Move(Move {
                        package_id: *id,
                        to: Zone::SalesFloor,
                    }))
                })
                .collect(),
        )
        .await?;
        Ok((product, ids))
    }
}

pub(crate) fn cmd(action: Action) -> Command {
    Command {
        mutation_id: MutationId::new(),
        actor: UserId::new(),
        device: DeviceId::new(),
        at: Utc::now(),
        action,
    }
}

pub(crate) fn sale(package: PackageId) -> Command {
    cmd(Action::Sell(Sell {
        receipt_id: ReceiptId::new(),
        customer: None,
        patient: None,
        lines: vec![SellLine {
            package_id: package,
            quantity: Quantity::each(1),
            unit_price: None,
        }],
    }))
}

/// Percentile of sorted durations, in milliseconds.
pub(crate) fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}
