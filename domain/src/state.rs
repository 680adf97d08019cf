//! The ledger's state and `evolve`, the pure fold of events into it.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    count::{CountEntry, CountLine, CountSession},
    event::{Event, EventKind, Hold, Receipt},
    CountId, CustomerRef, HoldId, Jurisdiction, MutationId, Package, PackageId, PackageStatus,
    Product, ProductId, ReceiptId, RegulatorTag, ReturnDisposition, ReturnId,
};

/// Version of the state schema; tablets drop a cached state of another version.
pub const STATE_VERSION: u32 = 2;

/// Which packages may be merged together; configurable per store.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergePolicy {
    /// Sources must share a batch.
    pub same_batch: bool,
    /// Sources must share a lab result.
    pub same_lab_result: bool,
    /// Sources' expiry dates may differ by at most this many days.
    pub expiry_window_days: Option<u32>,
}

impl Default for MergePolicy {
    fn default() -> Self {
        Self {
            same_batch: true,
            same_lab_result: true,
            expiry_window_days: Some(30),
        }
    }
}

/// Store-wide settings.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredConfig")]
pub struct StoreConfig {
    /// The store's name.
    pub name: String,
    /// Its jurisdiction, stored as its code; the rules are that jurisdiction's preset.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "ON"))]
    pub jurisdiction: Jurisdiction,
    /// Merge policy.
    pub merge_policy: MergePolicy,
    /// The store's IANA time zone: its days (purchase limits, reports, counts due) run from
    /// local midnight to local midnight, daylight saving included.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "America/Toronto"))]
    pub time_zone: Tz,
}

/// A configuration as recorded: events before time zones carried a fixed UTC offset instead,
/// which is read as the jurisdiction's own zone.
#[derive(Deserialize)]
struct StoredConfig {
    name: String,
    jurisdiction: Jurisdiction,
    merge_policy: MergePolicy,
    time_zone: Option<Tz>,
}

impl From<StoredConfig> for StoreConfig {
    fn from(c: StoredConfig) -> Self {
        let time_zone = c.time_zone.unwrap_or(c.jurisdiction.time_zone);
        Self {
            name: c.name,
            jurisdiction: c.jurisdiction,
            merge_policy: c.merge_policy,
            time_zone,
        }
    }
}

impl Default for StoreConfig {
    fn default() -> Self {
        let jurisdiction = Jurisdiction::ontario();
        Self {
            name: "Pistil store".into(),
            time_zone: jurisdiction.time_zone,
            jurisdiction,
            merge_policy: MergePolicy::default(),
        }
    }
}

impl StoreConfig {
    /// The store's calendar day of an instant.
    pub fn day_of(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.time_zone).date_naive()
    }

    /// The store's wall-clock time of an instant, without a zone (what Metrc asks for).
    pub fn local_time(&self, at: DateTime<Utc>) -> chrono::NaiveDateTime {
        at.with_timezone(&self.time_zone).naive_local()
    }

    /// The instant a store day starts: local midnight, or the first instant after it where
    /// daylight saving skips midnight.
    pub fn day_start(&self, day: NaiveDate) -> DateTime<Utc> {
        let mut local = day.and_hms_opt(0, 0, 0).expect("midnight exists");
        for _ in 0..4 {
            if let Some(t) = self.time_zone.from_local_datetime(&local).earliest() {
                return t.with_timezone(&Utc);
            }
            local += Duration::minutes(30);
        }
        // No zone skips two hours at midnight; fall back to UTC midnight rather than panic.
        Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight exists"))
    }
}

/// Running totals per product that conservation is checked against, in the product's unit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Received on manifests.
    pub received: Decimal,
    /// Sold (in store and fulfilled holds).
    pub sold: Decimal,
    /// Returned by customers.
    pub returned: Decimal,
    /// Destroyed.
    pub destroyed: Decimal,
    /// Net adjustments (negative: adjusted away).
    pub adjusted: Decimal,
}

/// Where a receipt's lines sit in `State::receipt_lines`. A busy store's state holds every
/// receipt it ever issued, so lines share one vector instead of one allocation per receipt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptRecord {
    /// Index of the first line.
    pub start: u32,
    /// Number of lines.
    pub len: u32,
}

/// A manifest line refused at receiving: the package goes back to its shipper and never joins
/// the store's inventory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedAtReceiving {
    /// The manifest it came on.
    pub manifest_number: String,
    /// Why it was refused.
    pub reason: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// One line of a recorded receipt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLineRecord {
    /// The package sold from.
    pub package_id: PackageId,
    /// Sold, in the package's unit.
    pub sold: Decimal,
    /// Returned so far.
    pub returned: Decimal,
}

/// What one customer bought on one store day, for purchase limits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerDay {
    /// The store day.
    pub day: NaiveDate,
    /// Product and quantity of each line sold that day.
    pub lines: Vec<(ProductId, Decimal)>,
}

/// Everything `decide` needs to judge a command. Maps use a fast non-cryptographic hash:
/// keys are ids minted by the store and its tablets, and replay speed matters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Schema version.
    pub version: u32,
    /// Store settings.
    pub config: StoreConfig,
    /// Catalogue.
    pub products: HashMap<ProductId, Product>,
    /// Every package ever, finished and destroyed ones included.
    pub packages: HashMap<PackageId, Package>,
    /// Every tag ever used, to its package.
    pub tags: HashMap<RegulatorTag, PackageId>,
    /// Manifests already received.
    pub manifests: HashSet<String>,
    /// Manifest lines refused at receiving, by the tag on the manifest.
    #[serde(default)]
    pub rejected: HashMap<String, RejectedAtReceiving>,
    /// Active pickup holds.
    pub holds: HashMap<HoldId, Hold>,
    /// Receipts, for returns.
    pub receipts: HashMap<ReceiptId, ReceiptRecord>,
    /// The lines of every receipt, what returns check against.
    pub receipt_lines: Vec<ReceiptLineRecord>,
    /// Returns recorded.
    pub returns: HashSet<ReturnId>,
    /// Cycle counts, open and accepted.
    pub counts: HashMap<CountId, CountSession>,
    /// Each customer's purchases on their latest store day.
    pub purchases: HashMap<CustomerRef, CustomerDay>,
    /// Conservation totals per product.
    pub totals: HashMap<ProductId, Totals>,
    /// Sales (receipt totals) per store month, keyed by the month's first day: what a
    /// discrepancy is measured against. Not defaulted: a tablet's cached state from before it
    /// fails to parse and is fetched again whole.
    pub sales_by_month: BTreeMap<NaiveDate, Decimal>,
    /// Mutations that produced events.
    pub applied: HashSet<MutationId>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            version: STATE_VERSION,
            config: StoreConfig::default(),
            products: HashMap::default(),
            packages: HashMap::default(),
            tags: HashMap::default(),
            manifests: HashSet::default(),
            rejected: HashMap::default(),
            holds: HashMap::default(),
            receipts: HashMap::default(),
            receipt_lines: Vec::new(),
            returns: HashSet::default(),
            counts: HashMap::default(),
            purchases: HashMap::default(),
            totals: HashMap::default(),
            sales_by_month: BTreeMap::new(),
            applied: HashSet::default(),
        }
    }
}

/// Folds one event into the state. Pure: the same events always give the same state.
pub fn evolve(mut state: State, event: &Event) -> State {
    state.apply(event);
    state
}

impl State {
    /// Folds one event in place (what `evolve` does, without moving the state).
    pub fn apply(&mut self, event: &Event) {
        self.applied.insert(event.mutation_id);
        match &event.kind {
            EventKind::StoreConfigured { config } => self.config = config.clone(),
            EventKind::ProductDefined { product } => {
                self.products.insert(product.id, product.clone());
            }
            EventKind::ManifestReceived {
                manifest_number,
                rejected,
                ..
            } => {
                self.manifests.insert(manifest_number.clone());
                for line in rejected {
                    self.rejected.insert(
                        line.tag.clone(),
                        RejectedAtReceiving {
                            manifest_number: manifest_number.clone(),
                            reason: line.reason.clone(),
                            at: event.at,
                        },
                    );
                }
            }
            EventKind::PackageReceived { package, .. } => {
                self.totals_mut(package.product_id).received += package.quantity.amount;
                self.insert_package(package.clone());
            }
            EventKind::PackageMoved { package_id, to, .. } => {
                if let Some(p) = self.packages.get_mut(package_id) {
                    p.zone = *to;
                }
            }
            EventKind::PackageSplit {
                source,
                remaining,
                children,
                ..
            } => {
                if let Some(p) = self.packages.get_mut(source) {
                    p.quantity = *remaining;
                    p.children.extend(children.iter().map(|c| c.id));
                }
                for child in children {
                    self.insert_package(child.clone());
                }
            }
            EventKind::PackagesMerged { sources, package } => {
                for s in sources {
                    if let Some(p) = self.packages.get_mut(&s.package_id) {
                        p.quantity.amount -= s.quantity.amount;
                        p.status = PackageStatus::Finished;
                        p.children.push(package.id);
                    }
                }
                self.insert_package(package.clone());
            }
            EventKind::PackageDestroyed {
                package_id,
                quantity,
                remaining,
                ..
            } => {
                if let Some(p) = self.packages.get_mut(package_id) {
                    p.quantity = *remaining;
                    if remaining.is_zero() {
                        p.status = PackageStatus::Destroyed;
                    }
                    let product = p.product_id;
                    self.totals_mut(product).destroyed += quantity.amount;
                }
            }
            EventKind::PackageAdjusted {
                package_id,
                delta,
                remaining,
                count_id,
                ..
            } => {
                if let Some(p) = self.packages.get_mut(package_id) {
                    p.quantity = *remaining;
                    let product = p.product_id;
                    self.totals_mut(product).adjusted += delta.amount;
                }
                if let Some(line) = count_id
                    .and_then(|c| self.counts.get_mut(&c))
                    .and_then(|c| c.line_mut(package_id))
                {
                    line.corrected = true;
                }
            }
            EventKind::Sold { receipt } => self.record_sale(receipt, event.at, false),
            EventKind::Returned {
                receipt_id,
                return_id,
                lines,
                disposition,
            } => {
                self.returns.insert(*return_id);
                for line in lines {
                    if let Some(rec) = self.receipts.get(receipt_id).copied() {
                        let span = rec.start as usize..(rec.start + rec.len) as usize;
                        if let Some(l) = self.receipt_lines[span]
                            .iter_mut()
                            .find(|l| l.package_id == line.package_id)
                        {
                            l.returned += line.quantity.amount;
                        }
                    }
                    if let Some(p) = self.packages.get_mut(&line.package_id) {
                        p.quantity.amount += line.quantity.amount;
                        if *disposition == ReturnDisposition::Quarantine {
                            p.status = PackageStatus::OnHold(crate::HoldReason::CustomerReturn);
                        } else if p.status == PackageStatus::Finished {
                            p.status = PackageStatus::Active;
                        }
                    }
                    self.totals_mut(line.product_id).returned += line.quantity.amount;
                }
            }
            EventKind::HoldPlaced { hold } => {
                for line in &hold.lines {
                    if let Some(p) = self.packages.get_mut(&line.package_id) {
                        p.held += line.quantity.amount;
                    }
                }
                self.holds.insert(hold.hold_id, hold.clone());
            }
            EventKind::HoldReleased { hold_id, lines, .. } => {
                for line in lines {
                    if let Some(p) = self.packages.get_mut(&line.package_id) {
                        p.held -= line.quantity.amount;
                    }
                }
                self.holds.remove(hold_id);
            }
            EventKind::HoldAdvanced { hold_id, stage } => {
                if let Some(h) = self.holds.get_mut(hold_id) {
                    h.stage = Some(*stage);
                }
            }
            EventKind::HoldFulfilled { hold_id, receipt } => {
                self.holds.remove(hold_id);
                self.record_sale(receipt, event.at, true);
            }
            EventKind::CountPlanned {
                count_id,
                scope,
                lines,
            } => {
                self.counts.insert(
                    *count_id,
                    CountSession {
                        scope: scope.clone(),
                        planned_by: event.actor,
                        started_at: event.at,
                        lines: lines
                            .iter()
                            .map(|l| CountLine {
                                package_id: l.package_id,
                                at_start: l.quantity,
                                entries: Vec::new(),
                                corrected: false,
                            })
                            .collect(),
                        accepted_at: None,
                    },
                );
            }
            EventKind::CountRecorded {
                count_id,
                package_id,
                expected,
                counted,
                witness,
            } => {
                if let Some(line) = self
                    .counts
                    .get_mut(count_id)
                    .and_then(|c| c.line_mut(package_id))
                {
                    line.entries.push(CountEntry {
                        counter: event.actor,
                        witness: *witness,
                        counted: *counted,
                        expected: *expected,
                        at: event.at,
                    });
                }
            }
            EventKind::CountAccepted { count_id, .. } => {
                if let Some(c) = self.counts.get_mut(count_id) {
                    c.accepted_at = Some(event.at);
                }
            }
            EventKind::PackageFinished { package_id } => {
                if let Some(p) = self.packages.get_mut(package_id) {
                    p.status = PackageStatus::Finished;
                }
            }
            EventKind::PackagePlacedOnHold { package_id, reason } => {
                if let Some(p) = self.packages.get_mut(package_id) {
                    p.status = PackageStatus::OnHold(*reason);
                }
            }
            EventKind::PackageReleased { package_id } => {
                if let Some(p) = self.packages.get_mut(package_id) {
                    p.status = PackageStatus::Active;
                }
            }
            // The outbox, not the shelf, follows a relay decision.
            EventKind::RelayChangeSettled { .. } => {}
        }
    }

    fn insert_package(&mut self, package: Package) {
        self.tags.insert(package.tag.clone(), package.id);
        self.packages.insert(package.id, package);
    }

    fn totals_mut(&mut self, product: ProductId) -> &mut Totals {
        self.totals.entry(product).or_default()
    }

    fn record_sale(&mut self, receipt: &Receipt, at: DateTime<Utc>, from_hold: bool) {
        let month = self
            .config
            .day_of(at)
            .with_day(1)
            .expect("the first of a month exists");
        *self.sales_by_month.entry(month).or_default() += receipt.total.amount;
        for line in &receipt.lines {
            if let Some(p) = self.packages.get_mut(&line.package_id) {
                p.quantity.amount -= line.quantity.amount;
                if from_hold {
                    p.held -= line.quantity.amount;
                }
            }
            self.totals_mut(line.product_id).sold += line.quantity.amount;
        }
        if let Some(customer) = &receipt.customer {
            let day = self.config.day_of(at);
            let entry = self
                .purchases
                .entry(customer.clone())
                .or_insert_with(|| CustomerDay {
                    day,
                    lines: Vec::new(),
                });
            if entry.day != day {
                entry.day = day;
                entry.lines.clear();
            }
            entry.lines.extend(
                receipt
                    .lines
                    .iter()
                    .map(|l| (l.product_id, l.quantity.amount)),
            );
        }
        let start = self.receipt_lines.len() as u32;
        self.receipt_lines
            .extend(receipt.lines.iter().map(|l| ReceiptLineRecord {
                package_id: l.package_id,
                sold: l.quantity.amount,
                returned: Decimal::ZERO,
            }));
        self.receipts.insert(
            receipt.receipt_id,
            ReceiptRecord {
                start,
                len: receipt.lines.len() as u32,
            },
        );
    }

    /// The lines of a receipt, with what has been returned of each.
    pub fn receipt_lines(&self, id: &ReceiptId) -> Option<&[ReceiptLineRecord]> {
        let r = self.receipts.get(id)?;
        self.receipt_lines
            .get(r.start as usize..(r.start + r.len) as usize)
    }

    /// Replays events from the empty state.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> State {
        let events = events.into_iter();
        let mut s = State::default();
        // Every event carries a mutation id; sizing the set once avoids rehashing it as it grows.
        s.applied.reserve(events.size_hint().0);
        for e in events {
            s.apply(e);
        }
        s
    }

    /// The latest count entry of a package across all counts, with the count it belongs to.
    pub fn last_count(&self, package: &PackageId) -> Option<(CountId, &CountLine, &CountEntry)> {
        self.counts
            .iter()
            .filter_map(|(id, c)| {
                let line = c.line(package)?;
                Some((*id, line, line.latest()?))
            })
            .max_by_key(|(_, _, e)| e.at)
    }

    /// Looks a package up by its tag.
    pub fn package_by_tag(&self, tag: &RegulatorTag) -> Option<&Package> {
        self.tags.get(tag).and_then(|id| self.packages.get(id))
    }

    /// Available-to-sell per product: floor, active, minus holds, in the product's unit.
    pub fn available_to_sell(&self, product: ProductId) -> Decimal {
        self.packages
            .values()
            .filter(|p| {
                p.product_id == product
                    && p.status == PackageStatus::Active
                    && p.zone == crate::Zone::SalesFloor
            })
            .map(Package::available)
            .sum()
    }
}
