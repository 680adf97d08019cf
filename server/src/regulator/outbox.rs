//! The outbox worker: drains regulator-relevant events in order per package, maps each to Metrc
//! calls, and makes every write land exactly once. After a write whose answer was lost it reads
//! the regulator back (the receipt by our number, the package's quantity or tag) before retrying.

use std::{collections::HashSet, sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use domain::{Event, EventKind, Package, Product, Quantity, StoreConfig};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{Row, SqlitePool};
use tokio::sync::{watch, RwLock};

use super::client::{self, MetrcClient, MetrcError};
use crate::ledger::Ledger;

/// The sync state, named by its cause.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// Everything is flowing.
    Healthy,
    /// The key is expired, revoked or lacks a permission: nothing is sent until it is replaced.
    AuthFailed,
    /// A product is not mapped (or mapped wrongly) to a regulator item; those rows wait.
    MappingError,
    /// The regulator asked us to slow down.
    RateLimited,
    /// The regulator does not answer.
    RegulatorDown,
    /// Changes wait longer than the posting window.
    Lagging,
    /// No regulator connection is configured.
    NotConfigured,
}

/// What the worker knows of its own health.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SyncHealth {
    /// The state.
    pub state: SyncState,
    /// The cause in words.
    pub cause: String,
    /// Since when this state holds.
    pub since: DateTime<Utc>,
}

impl SyncHealth {
    fn new(state: SyncState, cause: impl Into<String>) -> Self {
        Self {
            state,
            cause: cause.into(),
            since: Utc::now(),
        }
    }
}

/// Shared handle to the worker's state.
///
/// A row's state: `pending` (never sent) -> `sending` (written down just before its request goes
/// out) -> `done`; a refusal that proves nothing landed puts it back to `pending`, a lost answer
/// makes it `uncertain`. `sending` and `uncertain` rows are read back before any retry, so even a
/// process killed mid-request sends nothing twice.
#[derive(Clone)]
pub struct Outbox {
    pool: SqlitePool,
    ledger: Ledger,
    client: Arc<RwLock<Option<MetrcClient>>>,
    health: Arc<watch::Sender<SyncHealth>>,
    wake: Arc<tokio::sync::Notify>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Expect {
    /// The package's quantity at the regulator before an adjustment was sent.
    before: Option<Decimal>,
}

enum Step {
    Done(Vec<i64>),
}

/// One outbox row about to be sent.
struct Pending {
    id: i64,
    key: String,
    event: Event,
}

impl Outbox {
    /// A worker for this ledger; it calls the regulator once a client is set.
    pub fn new(pool: SqlitePool, ledger: Ledger, client: Option<MetrcClient>) -> Self {
        let health = match &client {
            Some(_) => SyncHealth::new(SyncState::Healthy, "waiting for the first change"),
            None => SyncHealth::new(
                SyncState::NotConfigured,
                "no regulator connection is configured",
            ),
        };
        Self {
            pool,
            ledger,
            client: Arc::new(RwLock::new(client)),
            health: Arc::new(watch::channel(health).0),
            wake: Arc::default(),
        }
    }

    /// Replaces the credentials (a manager saved a new key); parked auth failures resume.
    pub async fn set_client(&self, client: MetrcClient) {
        *self.client.write().await = Some(client);
        self.set_health(SyncState::Healthy, "new credentials saved");
        self.wake.notify_one();
    }

    /// The client in use, when one is configured.
    pub async fn client(&self) -> Option<MetrcClient> {
        self.client.read().await.clone()
    }

    /// The current health.
    pub fn health(&self) -> SyncHealth {
        self.health.borrow().clone()
    }

    /// Notified whenever the state changes (not on every new wording of the same cause).
    pub fn watch_health(&self) -> watch::Receiver<SyncHealth> {
        self.health.subscribe()
    }

    fn set_health(&self, state: SyncState, cause: impl Into<String>) {
        let cause = cause.into();
        self.health.send_if_modified(|h| {
            if h.state != state {
                *h = SyncHealth::new(state, cause);
                true
            } else {
                h.cause = cause;
                false
            }
        });
    }

    /// Runs forever: drains, then waits for new rows or a short pause.
    pub fn spawn(self) {
        tokio::spawn(async move {
            let mut commits = self.ledger.subscribe();
            loop {
                let pause = match self.drain_once().await {
                    Ok(0) => Duration::from_secs(2),
                    Ok(_) => Duration::ZERO,
                    Err(wait) => wait,
                };
                if !pause.is_zero() {
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        _ = commits.recv() => {}
                        _ = self.wake.notified() => {}
                    }
                }
            }
        });
    }

    /// One pass over pending rows in order. Returns how many were settled, or how long to wait.
    pub async fn drain_once(&self) -> Result<usize, Duration> {
        let Some(client) = self.client.read().await.clone() else {
            return Err(Duration::from_secs(5));
        };
        let rows = sqlx::query(
            "SELECT o.id, o.package_key, o.state, o.expect, e.body,
                    o.not_before IS NOT NULL AND julianday(o.not_before) > julianday('now')
             FROM outbox o JOIN events e ON e.seq = o.seq
             WHERE o.state IN ('pending', 'sending', 'uncertain') ORDER BY o.id LIMIT 200",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|_| Duration::from_secs(1))?;
        // A package's changes stay in order: behind a refused change, the rest of that package waits.
        let mut blocked: HashSet<String> =
            sqlx::query_scalar("SELECT DISTINCT package_key FROM outbox WHERE state = 'parked'")
                .fetch_all(&self.pool)
                .await
                .map_err(|_| Duration::from_secs(1))?
                .into_iter()
                .collect();
        let mut settled = 0;
        // Sales never sent before travel together, up to Metrc's 10 objects per call.
        let mut sales: Vec<Pending> = Vec::new();
        for r in rows {
            let id: i64 = r.get(0);
            let key: String = r.get(1);
            if blocked.contains(&key) {
                continue;
            }
            // Held back until later: the package's later changes wait behind it.
            if r.get::<bool, _>(5) {
                blocked.insert(key);
                continue;
            }
            // `sending` left over from a pass that never heard back (or a crash) is in doubt too.
            let uncertain = r.get::<String, _>(2) != "pending";
            let expect: Option<Expect> = r
                .get::<Option<String>, _>(3)
                .and_then(|s| serde_json::from_str(&s).ok());
            let Ok(event) = serde_json::from_str::<Event>(&r.get::<String, _>(4)) else {
                self.park(id, "the event could not be read").await;
                continue;
            };
            let row = Pending { id, key, event };
            if !uncertain && is_sale(&row.event) {
                sales.push(row);
                if sales.len() == super::sandbox_http::MAX_OBJECTS {
                    self.send_sales(&client, &mut sales, &mut blocked, &mut settled)
                        .await?;
                }
                continue;
            }
            // Whatever comes next may touch a package one of the waiting sales sold from.
            self.send_sales(&client, &mut sales, &mut blocked, &mut settled)
                .await?;
            if blocked.contains(&row.key) {
                continue;
            }
            match self
                .sync_one(&client, row.id, &row.event, uncertain, expect)
                .await
            {
                Ok(Step::Done(ids)) => {
                    self.done(row.id, &ids).await;
                    settled += 1;
                }
                Err(e) => self.failed(e, &[row], &mut blocked).await?,
            }
        }
        self.send_sales(&client, &mut sales, &mut blocked, &mut settled)
            .await?;
        let state = self.health().state;
        if settled > 0
            && matches!(
                state,
                SyncState::AuthFailed | SyncState::RateLimited | SyncState::RegulatorDown
            )
        {
            self.set_health(SyncState::Healthy, "changes are reaching the regulator");
        }
        Ok(settled)
    }

    /// Records first-time sales in one call; a row the regulator names as invalid is parked and
    /// the rest are sent again without it.
    async fn send_sales(
        &self,
        c: &MetrcClient,
        batch: &mut Vec<Pending>,
        blocked: &mut HashSet<String>,
        settled: &mut usize,
    ) -> Result<(), Duration> {
        let mut todo = std::mem::take(batch);
        while !todo.is_empty() {
            let mut rows = Vec::new();
            let mut bodies = Vec::new();
            for row in todo.drain(..) {
                if blocked.contains(&row.key) {
                    continue;
                }
                match self.receipt_body(&row.event).await {
                    Ok(body) => {
                        bodies.push(body);
                        rows.push(row);
                    }
                    Err(e) => self.failed(e, &[row], blocked).await?,
                }
            }
            if rows.is_empty() {
                break;
            }
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            self.mark_sending(&ids).await;
            match c.record_receipts(&bodies).await {
                Ok(reg_ids) => {
                    for (k, row) in rows.iter().enumerate() {
                        self.done(
                            row.id,
                            &reg_ids.get(k).copied().into_iter().collect::<Vec<_>>(),
                        )
                        .await;
                    }
                    *settled += rows.len();
                }
                Err(MetrcError::Validation { rows: refused }) if rows.len() > 1 => {
                    // Nothing of a refused call landed: park the rows named, resend the others.
                    self.unsend(&ids).await;
                    let mut named = HashSet::new();
                    for r in &refused {
                        if let Some(row) = rows.get(r.row) {
                            named.insert(r.row);
                            let e = MetrcError::Validation {
                                rows: vec![super::sandbox::RowError {
                                    row: 0,
                                    message: r.message.clone(),
                                }],
                            };
                            self.failed(e, std::slice::from_ref(row), blocked).await?;
                        }
                    }
                    if named.is_empty() {
                        // The regulator named no row: send each alone to find the one it means.
                        for row in rows {
                            *batch = vec![row];
                            Box::pin(self.send_sales(c, batch, blocked, settled)).await?;
                        }
                        return Ok(());
                    }
                    todo = rows
                        .into_iter()
                        .enumerate()
                        .filter(|(k, _)| !named.contains(k))
                        .map(|(_, r)| r)
                        .collect();
                }
                Err(e) => return self.failed(e, &rows, blocked).await,
            }
        }
        Ok(())
    }

    /// Settles what a failed call means for its rows. `Err` stops this pass for that long.
    async fn failed(
        &self,
        e: MetrcError,
        rows: &[Pending],
        blocked: &mut HashSet<String>,
    ) -> Result<(), Duration> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        match e {
            MetrcError::Auth { status, message } => {
                self.unsend(&ids).await;
                self.set_health(
                    SyncState::AuthFailed,
                    format!("the regulator refused our key ({status}): {message}"),
                );
                Err(Duration::from_secs(30))
            }
            MetrcError::RateLimited { retry_after } => {
                self.unsend(&ids).await;
                self.set_health(
                    SyncState::RateLimited,
                    format!("asked to wait {} s", retry_after.as_secs()),
                );
                Err(retry_after)
            }
            MetrcError::Unavailable(why) => {
                // A 5xx may follow a commit: rows already `sending` stay so and are read back.
                self.set_health(
                    SyncState::RegulatorDown,
                    format!("the regulator does not answer: {why}"),
                );
                Err(Duration::from_secs(2))
            }
            MetrcError::Uncertain => {
                for id in &ids {
                    let _ = sqlx::query("UPDATE outbox SET state = 'uncertain', attempts = attempts + 1 WHERE id = ?").bind(id).execute(&self.pool).await;
                }
                blocked.extend(rows.iter().map(|r| r.key.clone()));
                Ok(())
            }
            MetrcError::Validation { .. } | MetrcError::NotFound | MetrcError::TooLarge => {
                let message = e.to_string();
                for row in rows {
                    // Park first: health must never name a cause the outbox does not show yet.
                    self.park(row.id, &message).await;
                    blocked.insert(row.key.clone());
                }
                if message.contains("Item")
                    || message.contains("measured in")
                    || message.contains("not mapped")
                {
                    self.set_health(SyncState::MappingError, message);
                }
                Ok(())
            }
        }
    }

    async fn done(&self, id: i64, regulator_ids: &[i64]) {
        let _ = sqlx::query("UPDATE outbox SET state = 'done', regulator_ids = ?, done_at = ?, last_error = NULL WHERE id = ?")
            .bind(serde_json::to_string(regulator_ids).unwrap_or_default())
            .bind(Utc::now().to_rfc3339())
            .bind(id)
            .execute(&self.pool)
            .await;
    }

    /// Written down before a write goes out: if no answer is ever recorded, the row is read back.
    async fn mark_sending(&self, ids: &[i64]) {
        let mut tx = match self.pool.begin().await {
            Ok(tx) => tx,
            Err(_) => return,
        };
        for id in ids {
            let _ = sqlx::query(
                "UPDATE outbox SET state = 'sending' WHERE id = ? AND state = 'pending'",
            )
            .bind(id)
            .execute(&mut *tx)
            .await;
        }
        let _ = tx.commit().await;
    }

    /// The regulator refused the call as a whole, so nothing of it landed.
    async fn unsend(&self, ids: &[i64]) {
        for id in ids {
            let _ = sqlx::query(
                "UPDATE outbox SET state = 'pending' WHERE id = ? AND state = 'sending'",
            )
            .bind(id)
            .execute(&self.pool)
            .await;
        }
    }

    async fn park(&self, id: i64, why: &str) {
        let _ = sqlx::query("UPDATE outbox SET state = 'parked', last_error = ?, attempts = attempts + 1 WHERE id = ?")
            .bind(why)
            .bind(id)
            .execute(&self.pool)
            .await;
    }

    async fn remember(&self, id: i64, expect: &Expect) {
        let _ = sqlx::query("UPDATE outbox SET expect = ?, state = CASE state WHEN 'pending' THEN 'sending' ELSE state END WHERE id = ?")
            .bind(serde_json::to_string(expect).unwrap_or_default())
            .bind(id)
            .execute(&self.pool)
            .await;
    }

    /// The Metrc receipt for a sale event.
    async fn receipt_body(&self, event: &Event) -> Result<client::ReceiptBody, MetrcError> {
        let view = self.ledger.view().await;
        let (EventKind::Sold { receipt } | EventKind::HoldFulfilled { receipt, .. }) = &event.kind
        else {
            return Err(MetrcError::NotFound);
        };
        let mut lines = Vec::new();
        for l in &receipt.lines {
            let p = view
                .state
                .packages
                .get(&l.package_id)
                .ok_or(MetrcError::NotFound)?;
            let prod = view
                .state
                .products
                .get(&p.product_id)
                .ok_or(MetrcError::NotFound)?;
            let (q, unit) = reg_qty(prod, l.quantity)?;
            lines.push(client::TransactionBody {
                package_label: p.tag.to_string(),
                quantity: q,
                unit_of_measure: unit,
                total_amount: l.line_total.amount,
            });
        }
        Ok(client::ReceiptBody {
            id: None,
            sales_date_time: local_time(&view.state.config, event.at),
            external_receipt_number: Some(receipt.receipt_id.to_string()),
            sales_customer_type: "Consumer".into(),
            transactions: lines,
        })
    }

    /// Sends one event's calls; after an uncertain attempt, first reads back whether it landed.
    async fn sync_one(
        &self,
        c: &MetrcClient,
        id: i64,
        event: &Event,
        uncertain: bool,
        expect: Option<Expect>,
    ) -> Result<Step, MetrcError> {
        let view = self.ledger.view().await;
        let config = view.state.config.clone();
        let date = config.day_of(event.at);
        let pkg = |pid: &domain::PackageId| view.state.packages.get(pid).cloned();
        let product = |p: &Package| view.state.products.get(&p.product_id).cloned();
        match &event.kind {
            EventKind::PackageReceived { package, .. } => {
                let prod = product(package).ok_or(MetrcError::NotFound)?;
                drop(view);
                // The package must be of a mapped item before anything about it can be sent.
                reg_qty(&prod, package.quantity)?;
                // Received packages appear at the regulator from the manifest; we only confirm.
                let found = c.package(package.tag.as_str()).await?;
                Ok(Step::Done(vec![found.id]))
            }
            EventKind::PackageSplit {
                source, children, ..
            } => {
                let src = pkg(source).ok_or(MetrcError::NotFound)?;
                let prod = product(&src).ok_or(MetrcError::NotFound)?;
                drop(view);
                let mut body = Vec::new();
                for ch in children {
                    let (q, unit) = reg_qty(&prod, ch.quantity)?;
                    body.push(client::CreatePackage {
                        note: None,
                        tag: ch.tag.to_string(),
                        item: None,
                        quantity: q,
                        unit_of_measure: unit.clone(),
                        use_same_item: true,
                        actual_date: date,
                        ingredients: vec![client::Ingredient {
                            package: src.tag.to_string(),
                            quantity: q,
                            unit_of_measure: unit,
                        }],
                    });
                }
                self.create_once(c, id, &body, uncertain).await
            }
            EventKind::PackagesMerged { sources, package } => {
                let prod = product(package).ok_or(MetrcError::NotFound)?;
                let mut ingredients = Vec::new();
                for s in sources {
                    let p = pkg(&s.package_id).ok_or(MetrcError::NotFound)?;
                    let (q, unit) = reg_qty(&prod, s.quantity)?;
                    ingredients.push(client::Ingredient {
                        package: p.tag.to_string(),
                        quantity: q,
                        unit_of_measure: unit,
                    });
                }
                drop(view);
                let (q, unit) = reg_qty(&prod, package.quantity)?;
                let body = vec![client::CreatePackage {
                    note: None,
                    tag: package.tag.to_string(),
                    item: None,
                    quantity: q,
                    unit_of_measure: unit,
                    use_same_item: true,
                    actual_date: date,
                    ingredients,
                }];
                self.create_once(c, id, &body, uncertain).await
            }
            EventKind::PackageAdjusted {
                package_id,
                delta,
                reason,
                note,
                ..
            } => {
                let p = pkg(package_id).ok_or(MetrcError::NotFound)?;
                let prod = product(&p).ok_or(MetrcError::NotFound)?;
                drop(view);
                let (q, unit) = reg_qty(&prod, *delta)?;
                let body = client::AdjustPackage {
                    label: p.tag.to_string(),
                    quantity: q,
                    unit_of_measure: unit,
                    adjustment_reason: reason.regulator_name().into(),
                    adjustment_date: date,
                    reason_note: note.clone().or_else(|| Some(reason.label().to_owned())),
                };
                self.adjust_once(c, id, body, uncertain, expect).await
            }
            EventKind::PackageDestroyed {
                package_id,
                quantity,
                reason,
                method,
                note,
                ..
            } => {
                let p = pkg(package_id).ok_or(MetrcError::NotFound)?;
                let prod = product(&p).ok_or(MetrcError::NotFound)?;
                drop(view);
                let (q, unit) = reg_qty(&prod, *quantity)?;
                let body = client::AdjustPackage {
                    label: p.tag.to_string(),
                    quantity: -q,
                    unit_of_measure: unit,
                    adjustment_reason: "Waste (Unusable Product)".into(),
                    adjustment_date: date,
                    reason_note: Some(format!(
                        "Destroyed ({}), {}{}",
                        reason.label(),
                        method.label(),
                        note.as_ref().map(|n| format!(": {n}")).unwrap_or_default()
                    )),
                };
                self.adjust_once(c, id, body, uncertain, expect).await
            }
            EventKind::Sold { receipt } | EventKind::HoldFulfilled { receipt, .. } => {
                drop(view);
                let body = self.receipt_body(event).await?;
                // Only a sale in doubt comes this way: a receipt already there is not sent again.
                if let Some(found) = c
                    .receipt_by_external(&receipt.receipt_id.to_string())
                    .await?
                {
                    return Ok(Step::Done(vec![found.id]));
                }
                self.mark_sending(&[id]).await;
                c.record_receipts(&[body]).await.map(Step::Done)
            }
            EventKind::Returned { receipt_id, .. } => {
                // What each line of the receipt should show once every return so far is applied.
                let Some(ledger_lines) = view.state.receipt_lines(receipt_id) else {
                    return Err(MetrcError::NotFound);
                };
                let mut expected = Vec::new();
                for l in ledger_lines {
                    let p = pkg(&l.package_id).ok_or(MetrcError::NotFound)?;
                    let prod = product(&p).ok_or(MetrcError::NotFound)?;
                    let unit = p.quantity.unit;
                    let kept = reg_qty(&prod, Quantity::new(l.sold - l.returned, unit))?.0;
                    expected.push((p.tag.to_string(), kept));
                }
                drop(view);
                let reg = c
                    .receipt_by_external(&receipt_id.to_string())
                    .await?
                    .ok_or(MetrcError::NotFound)?;
                // Idempotent by construction: the receipt is set to what it should be, so a
                // repeated edit changes nothing.
                let lines: Vec<client::TransactionBody> = reg
                    .transactions
                    .iter()
                    .filter_map(|t| {
                        let (_, kept) = expected.iter().find(|(tag, _)| *tag == t.package_label)?;
                        (!kept.is_zero()).then(|| client::TransactionBody {
                            package_label: t.package_label.clone(),
                            quantity: *kept,
                            unit_of_measure: t.unit_of_measure.clone(),
                            // The price follows the quantity kept, from what the receipt shows now.
                            total_amount: if t.quantity.is_zero() {
                                t.total_amount
                            } else {
                                (t.total_amount * *kept / t.quantity).round_dp(2)
                            },
                        })
                    })
                    .collect();
                let already = reg.transactions.iter().all(|t| {
                    lines
                        .iter()
                        .any(|l| l.package_label == t.package_label && l.quantity == t.quantity)
                }) && lines.len() == reg.transactions.len();
                if already {
                    return Ok(Step::Done(vec![reg.id]));
                }
                if lines.is_empty() {
                    c.archive_receipt(reg.id).await?;
                } else {
                    c.update_receipts(&[client::ReceiptBody {
                        id: Some(reg.id),
                        sales_date_time: reg.sales_date_time,
                        external_receipt_number: Some(receipt_id.to_string()),
                        sales_customer_type: reg.sales_customer_type.clone(),
                        transactions: lines,
                    }])
                    .await?;
                }
                Ok(Step::Done(vec![reg.id]))
            }
            EventKind::PackageFinished { package_id } => {
                let p = pkg(package_id).ok_or(MetrcError::NotFound)?;
                drop(view);
                if uncertain && c.package(p.tag.as_str()).await?.is_finished {
                    return Ok(Step::Done(vec![]));
                }
                self.mark_sending(&[id]).await;
                c.finish(&[client::FinishPackage {
                    label: p.tag.to_string(),
                    actual_date: Some(date),
                }])
                .await
                .map(|_| Step::Done(vec![]))
            }
            _ => Ok(Step::Done(vec![])),
        }
    }

    async fn create_once(
        &self,
        c: &MetrcClient,
        id: i64,
        body: &[client::CreatePackage],
        uncertain: bool,
    ) -> Result<Step, MetrcError> {
        if uncertain {
            // The new tags exist at the regulator only if the write landed.
            let mut found = Vec::new();
            for p in body {
                match c.package(&p.tag).await {
                    Ok(reg) => found.push(reg.id),
                    Err(MetrcError::NotFound) => {}
                    Err(e) => return Err(e),
                }
            }
            if found.len() == body.len() {
                return Ok(Step::Done(found));
            }
        }
        self.mark_sending(&[id]).await;
        let mut ids = Vec::new();
        for chunk in body.chunks(super::sandbox_http::MAX_OBJECTS) {
            ids.extend(c.create_packages(chunk).await?);
        }
        Ok(Step::Done(ids))
    }

    async fn adjust_once(
        &self,
        c: &MetrcClient,
        id: i64,
        body: client::AdjustPackage,
        uncertain: bool,
        expect: Option<Expect>,
    ) -> Result<Step, MetrcError> {
        let now = c.package(&body.label).await?.quantity;
        if uncertain {
            if let Some(before) = expect.and_then(|e| e.before) {
                if now == before + body.quantity {
                    return Ok(Step::Done(vec![]));
                }
                if now != before {
                    // Someone else changed the package meanwhile: a person must look.
                    return Err(MetrcError::Validation { rows: vec![super::sandbox::RowError { row: 0, message: format!("package {} changed at the regulator while our adjustment was in doubt ({before} before, {now} now)", body.label) }] });
                }
            }
        }
        self.remember(id, &Expect { before: Some(now) }).await;
        c.adjust(&[body]).await.map(Step::Done)
    }
}

/// A ledger quantity in the regulator item's unit; a product without a mapping cannot be sent.
fn reg_qty(product: &Product, q: Quantity) -> Result<(Decimal, String), MetrcError> {
    let mapping = product
        .regulator
        .as_ref()
        .ok_or_else(|| MetrcError::Validation {
            rows: vec![super::sandbox::RowError {
                row: 0,
                message: format!("{} is not mapped to a regulator Item", product.name),
            }],
        })?;
    let converted = q
        .convert(mapping.unit_of_measure)
        .map_err(|e| MetrcError::Validation {
            rows: vec![super::sandbox::RowError {
                row: 0,
                message: format!(
                    "{}: {e} (Item {} is measured in {})",
                    product.name,
                    mapping.item_name,
                    mapping.unit_of_measure.regulator_name()
                ),
            }],
        })?;
    Ok((
        converted.amount,
        mapping.unit_of_measure.regulator_name().to_owned(),
    ))
}

/// Metrc wants the facility's local time without a zone.
fn local_time(config: &StoreConfig, at: DateTime<Utc>) -> chrono::NaiveDateTime {
    (at + chrono::Duration::minutes(i64::from(config.utc_offset_minutes))).naive_utc()
}

fn is_sale(e: &Event) -> bool {
    matches!(
        e.kind,
        EventKind::Sold { .. } | EventKind::HoldFulfilled { .. }
    )
}
