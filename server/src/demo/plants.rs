//! One case of each reconciliation diagnosis, planted in the demo store on first start so a new
//! user sees each on the reconciliation page: a pre-roll whose mapping was edited to its net
//! weight while the regulator's item carries the gross weight, a receipt the regulator recorded
//! twice, a change still in the outbox, and a genuine shrink found by a two-person count.

use chrono::{Duration, Utc};
use domain::{command::*, count::CountScope, *};
use metrc::Credentials;

use super::{cmd, submit_all};
use crate::{
    ledger::Ledger,
    regulator::outbox::Outbox,
    store::{OutboxStore, SettingStore, Store, UserStore},
};

/// Settings key set once the cases are planted.
const PLANTED: &str = "demo_reconciliation_planted";

/// How long the planted outbox change is held back from the regulator.
pub const HELD_HOURS: i64 = 24;

async fn user(store: &Store, email: &str) -> anyhow::Result<UserId> {
    Ok(store
        .user_by_email(email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo has no user {email}"))?
        .0
        .id)
}

/// Plants the four cases, once. Runs before the outbox worker starts, so the sale that the
/// regulator will hold twice is sent by one deliberate drain and the held change stays held.
pub async fn plant_once(
    store: &Store,
    ledger: &Ledger,
    outbox: &Outbox,
    creds: &Credentials,
) -> anyhow::Result<()> {
    if store.has_setting(PLANTED).await? {
        return Ok(());
    }
    let manager = user(store, "manager@demo.pistil").await?;
    let witness = user(store, "witness@demo.pistil").await?;
    let staff = user(store, "staff@demo.pistil").await?;
    let now = Utc::now();
    let (preroll, held, shrink, sold) = {
        let view = ledger.view().await;
        let s = &view.state;
        let mut packages: Vec<&Package> = s
            .packages
            .values()
            .filter(|p| {
                p.status == PackageStatus::Active && p.available() > rust_decimal::Decimal::ONE
            })
            .collect();
        packages.sort_by(|a, b| a.tag.cmp(&b.tag));
        let of = |cat: Category, zone: Zone, skip: usize| {
            packages
                .iter()
                .filter(|p| {
                    p.zone == zone
                        && s.products
                            .get(&p.product_id)
                            .is_some_and(|x| x.category == cat)
                })
                .nth(skip)
                .map(|p| (*p).clone())
        };
        let preroll = of(Category::PreRoll, Zone::SalesFloor, 0)
            .and_then(|p| s.products.get(&p.product_id).cloned());
        (
            preroll,
            of(Category::Flower, Zone::SalesFloor, 0),
            of(Category::Flower, Zone::Vault, 0),
            of(Category::Vape, Zone::SalesFloor, 0),
        )
    };
    let mut commands = Vec::new();
    // 1. Mapping: someone re-entered the pre-roll's unit weight as its net cannabis content.
    if let Some(mut p) = preroll {
        if let (Some(m), Some(net)) = (p.regulator.as_mut(), p.net_content) {
            m.unit_weight = Some(net);
            m.unit_weight_definition = UnitWeightDefinition::NetCannabis;
        }
        commands.push(cmd(now, manager, Action::DefineProduct(p)));
    }
    // 3. Genuine shrink: a two-person count found less than the ledger in the vault (3.5 g of
    // loose flower, or two packaged items), within the threshold, so no recount is needed.
    if let Some(p) = &shrink {
        let short = if p.quantity.unit == Unit::Each {
            rust_decimal::Decimal::ONE
        } else {
            rust_decimal::Decimal::new(35, 1)
        };
        let count_id = CountId::new();
        commands.push(cmd(
            now,
            manager,
            Action::PlanCount(PlanCount {
                count_id,
                scope: CountScope::Packages(vec![p.id]),
            }),
        ));
        commands.push(cmd(
            now,
            manager,
            Action::RecordCount(RecordCount {
                count_id,
                package_id: p.id,
                counted: Quantity::new(p.quantity.amount - short, p.quantity.unit),
                witness,
            }),
        ));
    }
    // 4. Duplicate: a sale the regulator will record twice.
    let receipt = ReceiptId::new();
    if let Some(p) = &sold {
        commands.push(cmd(
            now,
            staff,
            Action::Sell(Sell {
                receipt_id: receipt,
                customer: None,
                patient: None,
                lines: vec![SellLine {
                    package_id: p.id,
                    quantity: Quantity::new(rust_decimal::Decimal::ONE, p.quantity.unit),
                    unit_price: None,
                }],
            }),
        ));
    }
    submit_all(ledger, commands).await?;
    // The sale reaches the regulator now, then the regulator records it a second time.
    if sold.is_some() {
        let _ = outbox.drain_once().await;
        reqwest::Client::new()
            .post(format!("{}/sandbox/v2/receipts/duplicate", creds.base_url))
            .json(&serde_json::json!({"license": creds.license, "external_receipt_number": receipt.to_string()}))
            .send()
            .await?
            .error_for_status()?;
    }
    // 2. Timing: an adjustment on the floor, held back from the regulator for a day.
    if let Some(p) = &held {
        submit_all(
            ledger,
            vec![cmd(
                now,
                manager,
                Action::Adjust(Adjust {
                    package_id: p.id,
                    delta: Quantity::new(-rust_decimal::Decimal::ONE, p.quantity.unit),
                    reason: AdjustReason::MoistureLoss,
                    note: None,
                    count_id: None,
                }),
            )],
        )
        .await?;
        store
            .hold_back_latest("package_adjusted", now + Duration::hours(HELD_HOURS))
            .await?;
    }
    store.put_setting(PLANTED, &now.to_rfc3339()).await?;
    tracing::info!("demo: planted one case of each reconciliation diagnosis");
    Ok(())
}
