//! Test fixtures: a store with a few products, and helpers to run commands like a tablet would.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use domain::{command::*, *};
use rust_decimal::Decimal;

pub const MANAGER: UserId = UserId::from_u128(1);
pub const WITNESS: UserId = UserId::from_u128(2);
pub const TABLET: DeviceId = DeviceId::from_u128(10);
pub const FLOWER: ProductId = ProductId::from_u128(100);
pub const PREROLL: ProductId = ProductId::from_u128(101);
pub const GUMMIES: ProductId = ProductId::from_u128(102);

pub fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 15, 0, 0).unwrap()
}

pub fn tag(n: u32) -> RegulatorTag {
    RegulatorTag::parse(&format!("1A4FF0100000022000{n:06}")).unwrap()
}

pub fn g(s: &str) -> Quantity {
    Quantity::new(s.parse().unwrap(), Unit::Grams)
}

pub fn each(n: i64) -> Quantity {
    Quantity::each(n)
}

pub fn cad(s: &str) -> Money {
    Money::new(s.parse().unwrap(), Currency::Cad)
}

pub fn product(id: ProductId, name: &str, category: Category) -> Product {
    let count = !matches!(category, Category::Flower);
    Product {
        id,
        sku: format!("SKU-{}", name.to_uppercase().replace(' ', "-")),
        upc: None,
        name: name.into(),
        brand: "Northern Bloom".into(),
        category,
        strain: StrainType::Hybrid,
        quantity_type: if count {
            QuantityType::CountBased
        } else {
            QuantityType::WeightBased
        },
        unit: if count { Unit::Each } else { Unit::Grams },
        net_content: match category {
            Category::PreRoll => Some(g("0.5")),
            Category::Edible => Some(g("10")),
            _ => None,
        },
        gross_unit_weight: match category {
            Category::PreRoll => Some(g("0.65")),
            _ => None,
        },
        thc_mg_per_unit: Some(Decimal::from(10)),
        thc_percent: Some(Decimal::from(22)),
        cbd_percent: None,
        price: if count { cad("7.50") } else { cad("9.00") },
        cost: cad("4.00"),
        vendor: "Grower Co".into(),
        regulator: None,
    }
}

pub fn lab(result: &str) -> LabResult {
    LabResult {
        state: LabState::Passed,
        result_id: Some(result.into()),
        thc_percent: Some(Decimal::from(22)),
        cbd_percent: None,
        tested_on: NaiveDate::from_ymd_opt(2026, 10, 1),
    }
}

/// A sale in store of `n` items of one package on `receipt`.
pub fn sale(id: PackageId, n: i64, receipt: ReceiptId) -> Action {
    Action::Sell(Sell {
        receipt_id: receipt,
        customer: None,
        patient: None,
        lines: vec![SellLine {
            package_id: id,
            quantity: each(n),
            unit_price: None,
        }],
    })
}

/// A store under test: the state, the events so far, and a counter for fresh ids.
pub struct Store {
    pub state: State,
    pub events: Vec<Event>,
    next: u128,
}

impl Store {
    /// An Ontario store with flower (grams), pre-rolls and gummies (items).
    pub fn new() -> Self {
        let mut s = Store {
            state: State::default(),
            events: Vec::new(),
            next: 1_000,
        };
        s.ok(Action::DefineProduct(product(
            FLOWER,
            "Blue Dream",
            Category::Flower,
        )));
        s.ok(Action::DefineProduct(product(
            PREROLL,
            "Blue Dream Pre-roll",
            Category::PreRoll,
        )));
        s.ok(Action::DefineProduct(product(
            GUMMIES,
            "Mango Gummies",
            Category::Edible,
        )));
        s
    }

    pub fn fresh(&mut self) -> u128 {
        self.next += 1;
        self.next
    }

    pub fn command(&mut self, action: Action) -> Command {
        Command {
            mutation_id: MutationId::new(),
            actor: MANAGER,
            device: TABLET,
            at: at(),
            action,
        }
    }

    /// Decides and applies; returns the events or the refusal.
    pub fn run(&mut self, cmd: &Command) -> Result<Vec<Event>, DomainError> {
        let events = decide(&self.state, cmd)?;
        for e in &events {
            self.state.apply(e);
        }
        self.events.extend(events.clone());
        Ok(events)
    }

    pub fn ok(&mut self, action: Action) -> Vec<Event> {
        let cmd = self.command(action);
        self.run(&cmd)
            .unwrap_or_else(|e| panic!("expected success, got: {e}"))
    }

    pub fn err(&mut self, action: Action) -> DomainError {
        let before = self.state.clone();
        let cmd = self.command(action);
        let e = self.run(&cmd).expect_err("expected a refusal");
        assert_eq!(self.state, before, "a refusal must change nothing");
        e
    }

    /// Receives one package per (product, quantity) on a new manifest; returns their ids.
    pub fn receive(&mut self, lines: &[(ProductId, Quantity, &str)]) -> Vec<PackageId> {
        let manifest = format!("M-{}", self.fresh());
        let mut ids = Vec::new();
        let lines = lines
            .iter()
            .map(|(product, qty, batch)| {
                let n = self.fresh() as u32;
                let id = PackageId::from_u128(u128::from(n));
                ids.push(id);
                ReceiveLine {
                    package_id: id,
                    tag: tag(n),
                    product_id: *product,
                    shipped: *qty,
                    batch: (*batch).into(),
                    lab: lab(&format!("LAB-{batch}")),
                    packaged_on: NaiveDate::from_ymd_opt(2026, 10, 5).unwrap(),
                    expires_on: NaiveDate::from_ymd_opt(2027, 10, 5),
                    decision: LineDecision::Accept,
                }
            })
            .collect();
        self.ok(Action::Receive(Receive {
            manifest_number: manifest,
            lines,
        }));
        ids
    }

    /// Receives and moves to the sales floor.
    pub fn on_floor(&mut self, product: ProductId, qty: Quantity, batch: &str) -> PackageId {
        let id = self.receive(&[(product, qty, batch)])[0];
        self.ok(Action::Move(Move {
            package_id: id,
            to: Zone::SalesFloor,
        }));
        id
    }

    pub fn pkg(&self, id: PackageId) -> &Package {
        &self.state.packages[&id]
    }

    pub fn new_packages(&mut self, n: usize) -> Vec<NewPackage> {
        (0..n)
            .map(|_| {
                let k = self.fresh();
                NewPackage {
                    package_id: PackageId::from_u128(k),
                    tag: tag(k as u32),
                }
            })
            .collect()
    }
}

/// received + returned + adjusted = in packages + sold + destroyed, per product.
pub fn assert_conserved(state: &State) {
    for (product, t) in &state.totals {
        let in_packages: Decimal = state
            .packages
            .values()
            .filter(|p| p.product_id == *product)
            .map(|p| p.quantity.amount)
            .sum();
        assert_eq!(
            t.received + t.returned + t.adjusted,
            in_packages + t.sold + t.destroyed,
            "conservation broken for {product}: {t:?}, in packages {in_packages}"
        );
    }
    for p in state.packages.values() {
        assert!(
            p.quantity.amount >= Decimal::ZERO,
            "{} is negative: {}",
            p.tag,
            p.quantity
        );
        assert!(
            p.held >= Decimal::ZERO && p.held <= p.quantity.amount,
            "{} holds {} of {}",
            p.tag,
            p.held,
            p.quantity
        );
    }
}

/// Median time of `f` over `runs` runs, for the benchmarks that share these fixtures.
pub fn median(runs: usize, mut f: impl FnMut()) -> std::time::Duration {
    let mut v: Vec<std::time::Duration> = (0..runs)
        .map(|_| {
            let t = std::time::Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    v.sort();
    v[runs / 2]
}
