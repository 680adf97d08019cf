//! The fault soak's driver: seeds the store and the regulator alike, makes mixed changes from a
//! seeded random sequence against what the ledger holds now, and at the end compares the
//! regulator with the ledger package by package and receipt by receipt.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use domain::{command::*, wire::sync::SyncResponse, *};
use rust_decimal::Decimal;
use serde_json::json;

use super::{
    cmd,
    soak_clients::{Regulator, SoakFigures, Store, LICENSE},
};

const ITEM: &str = "Soak Flower";

/// Grams each received package holds.
const RECEIVED_GRAMS: i64 = 500;

/// What a receipt sold and took back, per package.
type Lines = Vec<(PackageId, Decimal, Decimal)>;

/// The driver's memory: its random sequence, the free tags, and every receipt it made.
pub(crate) struct Driver {
    rng: fastrand::Rng,
    witness: UserId,
    product: ProductId,
    tags: Vec<RegulatorTag>,
    receipts: HashMap<ReceiptId, Lines>,
    manifests: u32,
    received: u64,
}

fn grams(n: i64) -> Quantity {
    Quantity::grams(n, 0)
}

impl Driver {
    /// A driver whose choices follow `seed`.
    pub(crate) fn new(seed: u64, witness: UserId) -> Self {
        Self {
            rng: fastrand::Rng::with_seed(seed),
            witness,
            product: ProductId::new(),
            tags: Vec::new(),
            receipts: HashMap::new(),
            manifests: 0,
            received: 0,
        }
    }

    /// Maps the product to the regulator's item and receives `n` packages the regulator shows on
    /// the same manifest; reads the facility's free tags for splits and merges.
    pub(crate) async fn seed(
        &mut self,
        store: &Store,
        reg: &Regulator,
        n: usize,
    ) -> anyhow::Result<()> {
        reg.admin(reqwest::Method::POST, "/sandbox/v2/items", json!({"license": LICENSE, "name": ITEM, "category": "Buds", "quantity_type": "WeightBased", "unit_of_measure": "Grams"}))
            .await?;
        let product = Product {
            id: self.product,
            sku: "SOAK-1".into(),
            upc: None,
            name: ITEM.into(),
            brand: "Soak".into(),
            category: Category::Flower,
            strain: StrainType::Hybrid,
            quantity_type: QuantityType::WeightBased,
            unit: Unit::Grams,
            net_content: None,
            gross_unit_weight: None,
            thc_mg_per_unit: None,
            thc_percent: None,
            cbd_percent: None,
            price: Money::new(10.into(), Currency::Cad),
            cost: Money::new(4.into(), Currency::Cad),
            vendor: "Soak".into(),
            regulator: Some(RegulatorMapping {
                item_name: ITEM.into(),
                item_category: "Buds".into(),
                unit_of_measure: Unit::Grams,
                unit_weight: None,
                unit_weight_definition: UnitWeightDefinition::NetCannabis,
                strain: None,
            }),
        };
        let applied = store.push(&[cmd(Action::DefineProduct(product))]).await?;
        anyhow::ensure!(applied == [true], "the soak product was refused");
        let pool = reg
            .get("/tags/v2/package/available")
            .await?
            .unwrap_or_default();
        self.tags = pool
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| RegulatorTag::parse(t["Label"].as_str()?).ok())
            .rev()
            .collect();
        anyhow::ensure!(self.tags.len() > 500, "the sandbox lists too few free tags");
        self.receive(store, reg, n).await
    }

    /// A new manifest of `n` packages: at the regulator first, then received and put out.
    async fn receive(&mut self, store: &Store, reg: &Regulator, n: usize) -> anyhow::Result<()> {
        self.manifests += 1;
        let manifest = format!("{:010}", 7_000_000 + self.manifests);
        let lines: Vec<ReceiveLine> = (0..n)
            .map(|_| {
                self.received += 1;
                ReceiveLine {
                    package_id: PackageId::new(),
                    tag: RegulatorTag::parse(&format!("1A4FF0100000077{:09}", self.received))
                        .expect("a soak tag is well formed"),
                    product_id: self.product,
                    shipped: grams(RECEIVED_GRAMS),
                    batch: "SOAK".into(),
                    lab: LabResult {
                        state: LabState::Passed,
                        result_id: Some("COA-SOAK".into()),
                        thc_percent: None,
                        cbd_percent: None,
                        tested_on: None,
                    },
                    packaged_on: NaiveDate::from_ymd_opt(2026, 11, 1).expect("a date"),
                    expires_on: None,
                    decision: LineDecision::Accept,
                }
            })
            .collect();
        let seeded: Vec<_> = lines
            .iter()
            .map(|l| json!({"label": l.tag.as_str(), "item": ITEM, "quantity": RECEIVED_GRAMS}))
            .collect();
        reg.admin(
            reqwest::Method::POST,
            "/sandbox/v2/manifests",
            json!({"license": LICENSE, "manifest_number": manifest, "packages": seeded}),
        )
        .await?;
        let ids: Vec<PackageId> = lines.iter().map(|l| l.package_id).collect();
        let applied = store
            .push(&[cmd(Action::Receive(Receive {
                manifest_number: manifest,
                lines,
            }))])
            .await?;
        anyhow::ensure!(applied == [true], "a soak manifest was refused");
        self.floor(store, &ids).await
    }

    /// Moves packages to the sales floor (the regulator does not track rooms here).
    async fn floor(&self, store: &Store, ids: &[PackageId]) -> anyhow::Result<()> {
        let moves: Vec<Command> = ids
            .iter()
            .map(|id| {
                cmd(Action::Move(Move {
                    package_id: *id,
                    to: Zone::SalesFloor,
                }))
            })
            .collect();
        if !moves.is_empty() {
            store.push(&moves).await?;
        }
        Ok(())
    }

    async fn packages(store: &Store) -> anyhow::Result<Vec<Package>> {
        let sync: SyncResponse = serde_json::from_value(store.get("/sync?since=0").await?)?;
        Ok(sync.snapshot.map(|s| s.packages).unwrap_or_default())
    }

    /// Makes up to `k` changes, each on packages no other change of the step touches. Returns
    /// how many the ledger applied and how many it refused.
    pub(crate) async fn step(
        &mut self,
        store: &Store,
        reg: &Regulator,
        k: usize,
    ) -> anyhow::Result<(usize, usize)> {
        let all = Self::packages(store).await?;
        // New packages from splits and merges start in the vault.
        let vault: Vec<PackageId> = all
            .iter()
            .filter(|p| {
                p.status == PackageStatus::Active && p.zone == Zone::Vault && !p.quantity.is_zero()
            })
            .map(|p| p.id)
            .collect();
        self.floor(store, &vault).await?;
        let mut free: Vec<(PackageId, i64)> = all
            .iter()
            .filter(|p| p.status == PackageStatus::Active && p.available() >= Decimal::from(2))
            .map(|p| (p.id, p.available().floor().try_into().unwrap_or(0)))
            .collect();
        self.rng.shuffle(&mut free);
        let mut commands = Vec::new();
        let mut sales = Vec::new();
        let mut returns = Vec::new();
        let mut receive = 0;
        while commands.len() + receive < k {
            let roll = self.rng.u32(0..100);
            let Some((id, have)) = free.pop() else { break };
            let command = match roll {
                0..=34 => {
                    let q = self.rng.i64(1..=3.min(have));
                    let receipt = ReceiptId::new();
                    sales.push((commands.len(), receipt, vec![(id, q)]));
                    sell(receipt, &[(id, q)])
                }
                35..=49 => {
                    let mut lines = vec![(id, 1)];
                    for _ in 0..self.rng.usize(1..=2) {
                        if let Some((other, _)) = free.pop() {
                            lines.push((other, 1));
                        }
                    }
                    let receipt = ReceiptId::new();
                    sales.push((commands.len(), receipt, lines.clone()));
                    sell(receipt, &lines)
                }
                50..=55 => {
                    free.push((id, have));
                    let Some((receipt, package)) = self.returnable() else {
                        continue;
                    };
                    returns.push((commands.len(), receipt, package));
                    cmd(Action::Return(ReturnGoods {
                        return_id: ReturnId::new(),
                        receipt_id: receipt,
                        lines: vec![ReturnLine {
                            package_id: package,
                            quantity: grams(1),
                        }],
                        disposition: ReturnDisposition::Restock,
                    }))
                }
                56..=69 => {
                    let size = self.rng.i64(1..=5);
                    let delta = if have > 20 && self.rng.bool() {
                        -size
                    } else {
                        size
                    };
                    cmd(Action::Adjust(Adjust {
                        package_id: id,
                        delta: grams(delta),
                        reason: AdjustReason::ScaleVariance,
                        note: Some("soak".into()),
                        count_id: None,
                    }))
                }
                70..=79 => {
                    let n = match roll {
                        70..=74 => 2,
                        75..=77 => 10,
                        _ => 12,
                    };
                    if have < n as i64 + 1 || self.tags.len() < n {
                        continue;
                    }
                    let new_packages = (0..n)
                        .map(|_| NewPackage {
                            package_id: PackageId::new(),
                            tag: self.tags.pop().expect("tags counted above"),
                        })
                        .collect();
                    cmd(Action::Split(Split {
                        source: id,
                        new_packages,
                        amounts: SplitAmounts::Equal {
                            total: grams(n as i64),
                        },
                    }))
                }
                80..=85 => {
                    let Some((other, _)) = free.pop() else {
                        continue;
                    };
                    let Some(tag) = self.tags.pop() else { continue };
                    cmd(Action::Merge(Merge {
                        sources: vec![id, other],
                        into: NewPackage {
                            package_id: PackageId::new(),
                            tag,
                        },
                    }))
                }
                86..=93 => cmd(Action::Destroy(Destroy {
                    package_id: id,
                    quantity: grams(self.rng.i64(1..=2.min(have))),
                    reason: DestroyReason::Damage,
                    method: DestroyMethod::GrindAndMix,
                    witness: self.witness,
                    note: Some("soak".into()),
                })),
                _ => {
                    free.push((id, have));
                    receive += 1;
                    continue;
                }
            };
            commands.push(command);
        }
        let applied = store.push(&commands).await?;
        anyhow::ensure!(
            applied.len() == commands.len(),
            "the store answered {} outcomes for {} changes",
            applied.len(),
            commands.len()
        );
        for (i, receipt, lines) in sales {
            if applied[i] {
                self.receipts.insert(
                    receipt,
                    lines
                        .iter()
                        .map(|(p, q)| (*p, Decimal::from(*q), Decimal::ZERO))
                        .collect(),
                );
            }
        }
        for (i, receipt, package) in returns {
            if applied[i] {
                if let Some(l) = self
                    .receipts
                    .get_mut(&receipt)
                    .and_then(|ls| ls.iter_mut().find(|l| l.0 == package))
                {
                    l.2 += Decimal::ONE;
                }
            }
        }
        for _ in 0..receive {
            self.receive(store, reg, 2).await?;
        }
        let ok = applied.iter().filter(|a| **a).count();
        Ok((ok + receive, commands.len() - ok))
    }

    /// A receipt line with more than a gram still sold on it, to take one back.
    fn returnable(&mut self) -> Option<(ReceiptId, PackageId)> {
        let mut candidates: Vec<(ReceiptId, PackageId)> = self
            .receipts
            .iter()
            .flat_map(|(r, ls)| {
                ls.iter()
                    .filter(|l| l.1 - l.2 >= Decimal::from(2))
                    .map(|l| (*r, l.0))
            })
            .collect();
        candidates.sort_by_key(|(r, p)| (r.to_string(), p.to_string()));
        (!candidates.is_empty()).then(|| candidates[self.rng.usize(..candidates.len())])
    }

    /// Compares the regulator with the ledger, record by record, into `f`.
    pub(crate) async fn compare(
        &self,
        store: &Store,
        reg: &Regulator,
        f: &mut SoakFigures,
    ) -> anyhow::Result<()> {
        let packages = Self::packages(store).await?;
        let mut tags = HashMap::new();
        for p in &packages {
            tags.insert(p.id, p.tag.to_string());
            match reg.get(&format!("/packages/v2/{}", p.tag)).await? {
                None if p.parents.is_empty() => {
                    println!(
                        "relay-faults: received package {} is missing at the regulator",
                        p.tag
                    );
                    f.quantities_differing += 1;
                }
                None => {
                    println!("relay-faults: package {} (from a split or merge) is missing at the regulator", p.tag);
                    f.children_missing += 1;
                }
                Some(r) => {
                    let theirs: metrc::wire::Package = serde_json::from_value(r)?;
                    if theirs.quantity != p.quantity.amount {
                        println!(
                            "relay-faults: package {}: ledger {} g, regulator {}",
                            p.tag, p.quantity.amount, theirs.quantity
                        );
                        f.quantities_differing += 1;
                    }
                }
            }
        }
        let mut theirs: HashMap<String, Vec<metrc::wire::Receipt>> = HashMap::new();
        for r in reg.all("/sales/v2/receipts/active").await? {
            let r: metrc::wire::Receipt = serde_json::from_value(r)?;
            if let Some(n) = r.external_receipt_number.clone() {
                theirs.entry(n).or_default().push(r);
            }
        }
        let mine: HashSet<String> = self.receipts.keys().map(ToString::to_string).collect();
        for (id, lines) in &self.receipts {
            let all_back = lines.iter().all(|(_, sold, back)| sold == back);
            match theirs.get(&id.to_string()).map(Vec::as_slice) {
                // Everything came back: the regulator archives the receipt.
                None | Some([]) if all_back => {}
                None | Some([]) => {
                    println!("relay-faults: receipt {id} is missing at the regulator");
                    f.receipts_lost += 1;
                }
                Some([one]) => {
                    let same = !all_back
                        && one.transactions.len() == lines.len()
                        && lines.iter().all(|(p, sold, back)| {
                            one.transactions.iter().any(|t| {
                                Some(&t.package_label) == tags.get(p) && t.quantity == sold - back
                            })
                        });
                    if !same {
                        println!("relay-faults: receipt {id} differs at the regulator");
                        f.receipts_differing += 1;
                    }
                }
                Some(many) => {
                    println!(
                        "relay-faults: receipt {id} is at the regulator {} times",
                        many.len()
                    );
                    f.receipts_duplicated += 1;
                }
            }
        }
        // A receipt the regulator holds that the store never made is a difference too.
        f.receipts_differing += theirs.keys().filter(|n| !mine.contains(*n)).count();
        Ok(())
    }
}

fn sell(receipt: ReceiptId, lines: &[(PackageId, i64)]) -> Command {
    cmd(Action::Sell(Sell {
        receipt_id: receipt,
        customer: None,
        patient: None,
        lines: lines
            .iter()
            .map(|(p, q)| SellLine {
                package_id: *p,
                quantity: grams(*q),
                unit_price: None,
            })
            .collect(),
    }))
}
