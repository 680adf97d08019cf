//! `pistil serve --demo`: on first start, a realistic Ontario store with three months of history.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use domain::{command::*, *};
use rust_decimal::Decimal;

pub mod plants;
pub mod sandbox;

use crate::{
    auth::{self, Role},
    hold_expiry::SERVER_DEVICE,
    ledger::{Ledger, Submitted},
    store::Store,
};

/// The demo sign-ins, one per role, printed at start.
pub const LOGINS: [(&str, &str, Role, &str); 4] = [
    (
        "owner@demo.pistil",
        "Olivia Owner",
        Role::Owner,
        "demo-owner-1",
    ),
    (
        "manager@demo.pistil",
        "Marcus Manager",
        Role::Manager,
        "demo-manager-1",
    ),
    (
        "witness@demo.pistil",
        "Wren Witness",
        Role::Manager,
        "demo-witness-1",
    ),
    (
        "staff@demo.pistil",
        "Sam Staff",
        Role::Staff,
        "demo-staff-1",
    ),
];

/// A small deterministic generator, so every demo store is the same.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const STRAINS: [&str; 24] = [
    "Blue Dream",
    "Pink Kush",
    "Gelato",
    "Wedding Cake",
    "Sour Diesel",
    "Northern Lights",
    "Jack Herer",
    "GSC",
    "Durban Poison",
    "Ice Cream Cake",
    "MAC 1",
    "Ghost Train Haze",
    "Tangie",
    "Lemon Haze",
    "Grape Ape",
    "Purple Punch",
    "Banana Kush",
    "Cherry Pie",
    "Zkittlez",
    "Garlic Cookies",
    "Sweet Island Skunk",
    "Black Cherry Punch",
    "Atomic Sour Grapefruit",
    "Super Lemon Haze",
];
const BRANDS: [&str; 10] = [
    "Northern Bloom",
    "Tweed Valley",
    "Pure Sunfarms",
    "Redecan",
    "Good Supply",
    "Spinach",
    "Broken Coast",
    "Carmel",
    "Simply Bare",
    "BLKMKT",
];
const VENDORS: [&str; 4] = [
    "OCS Wholesale",
    "Great Lakes Cannabis Co",
    "Boreal Growers",
    "Maple Leaf Craft",
];

fn cad(cents: i64) -> Money {
    Money::new(Decimal::new(cents, 2), Currency::Cad)
}

fn g(mantissa: i64, scale: u32) -> Quantity {
    Quantity::grams(mantissa, scale)
}

struct Template {
    category: Category,
    suffix: &'static str,
    count: bool,
    net: Option<Quantity>,
    gross: Option<Quantity>,
    price_cents: i64,
    item_category: &'static str,
    thc: Option<i64>,
}

fn templates() -> Vec<Template> {
    use Category::*;
    let t = |category, suffix, count, net, gross, price_cents, item_category, thc| Template {
        category,
        suffix,
        count,
        net,
        gross,
        price_cents,
        item_category,
        thc,
    };
    vec![
        t(
            Flower,
            "3.5 g",
            true,
            Some(g(35, 1)),
            Some(g(35, 1)),
            3499,
            "Flower (packaged eighth)",
            None,
        ),
        t(Flower, "bulk", false, None, None, 899, "Buds", None),
        t(
            PreRoll,
            "3 x 0.5 g pre-rolls",
            true,
            Some(g(15, 1)),
            Some(g(195, 2)),
            1999,
            "Pre-Roll Flower",
            None,
        ),
        t(
            Vape,
            "0.5 g cartridge",
            true,
            Some(g(5, 1)),
            Some(g(5, 1)),
            3999,
            "Vape Cartridge",
            None,
        ),
        t(
            Extract,
            "1 g live rosin",
            true,
            Some(g(1, 0)),
            Some(g(1, 0)),
            5999,
            "Concentrate (Each)",
            None,
        ),
        t(
            Edible,
            "gummies 10 x 1 mg",
            true,
            Some(g(30, 0)),
            Some(g(30, 0)),
            599,
            "Edible (weight - each)",
            Some(10),
        ),
        t(
            Beverage,
            "355 ml sparkling",
            true,
            Some(Quantity::new(Decimal::from(355), Unit::Milliliters)),
            Some(g(370, 0)),
            699,
            "Infused Beverage",
            Some(10),
        ),
        t(
            Topical,
            "50 ml balm",
            true,
            Some(g(50, 0)),
            Some(g(60, 0)),
            3499,
            "Topical (weight - each)",
            None,
        ),
        t(
            Seed,
            "seeds 5 pack",
            true,
            Some(Quantity::each(5)),
            None,
            4999,
            "Seeds (each)",
            None,
        ),
    ]
}

fn products(rng: &mut Rng) -> Vec<Product> {
    let mut out = Vec::new();
    let mut n = 0u128;
    for (si, strain) in STRAINS.iter().enumerate() {
        for t in templates() {
            // Not every strain comes in every form; 24 strains x 9 forms, about 230 kept.
            if (si + t.price_cents as usize).is_multiple_of(13) {
                continue;
            }
            n += 1;
            let brand = BRANDS[(si + n as usize) % BRANDS.len()];
            let strain_type = [StrainType::Indica, StrainType::Sativa, StrainType::Hybrid][si % 3];
            let thc = match t.category {
                Category::Flower | Category::PreRoll => {
                    Some(Decimal::new(180 + rng.below(120) as i64, 1))
                }
                Category::Vape | Category::Extract => {
                    Some(Decimal::new(700 + rng.below(200) as i64, 1))
                }
                _ => None,
            };
            let unit = if t.count { Unit::Each } else { Unit::Grams };
            out.push(Product {
                id: ProductId::from_u128(0xDE30_0000 + n),
                sku: format!("{:03}-{:04}", t.category as u8 + 1, n),
                upc: Some(format!("0628{:08}", 10_000 + n)),
                name: format!("{strain} {}", t.suffix),
                brand: brand.into(),
                category: t.category,
                strain: if t.category == Category::Topical {
                    StrainType::Cbd
                } else {
                    strain_type
                },
                quantity_type: if t.count {
                    QuantityType::CountBased
                } else {
                    QuantityType::WeightBased
                },
                unit,
                net_content: t.net,
                gross_unit_weight: t.gross,
                thc_mg_per_unit: t.thc.map(Decimal::from),
                thc_percent: thc,
                cbd_percent: Some(Decimal::new(rng.below(20) as i64, 1)),
                price: cad(t.price_cents),
                cost: cad(t.price_cents * 55 / 100),
                vendor: VENDORS[si % VENDORS.len()].into(),
                regulator: Some(RegulatorMapping {
                    item_name: format!("{brand} {strain} {}", t.suffix),
                    item_category: t.item_category.into(),
                    unit_of_measure: unit,
                    unit_weight: t.gross.filter(|_| t.count),
                    unit_weight_definition: if t.category == Category::PreRoll {
                        UnitWeightDefinition::Gross
                    } else {
                        UnitWeightDefinition::NetCannabis
                    },
                    strain: Some(strain.to_string()),
                }),
            });
        }
    }
    out
}

/// A Metrc-looking tag: facility prefix and a running number.
pub fn demo_tag(n: u64) -> RegulatorTag {
    RegulatorTag::parse(&format!("1A4FF0300000029{n:09}")).expect("demo tags are well formed")
}

fn cmd(at: DateTime<Utc>, actor: UserId, action: Action) -> Submitted {
    Submitted {
        client_seq: None,
        command: Command {
            mutation_id: MutationId::new(),
            actor,
            device: SERVER_DEVICE,
            at,
            action,
        },
    }
}

async fn submit_all(ledger: &Ledger, batch: Vec<Submitted>) -> anyhow::Result<()> {
    for chunk in batch.chunks(500) {
        for outcome in ledger.submit(None, chunk.to_vec()).await? {
            if let crate::ledger::Outcome::Rejected { error, .. } = outcome {
                anyhow::bail!("demo seed refused: {error}");
            }
        }
    }
    Ok(())
}

/// Seeds users and three months of store history when the database has no events yet.
pub async fn seed_if_empty(store: &Store, ledger: &Ledger) -> anyhow::Result<()> {
    if ledger.view().await.seq > 0 {
        return Ok(());
    }
    tracing::info!("seeding the demo store");
    let mut users = Vec::new();
    for (email, name, role, password) in LOGINS {
        users.push(auth::add_user(store, email, name, role, password).await?);
    }
    let manager = users[1].id;
    let staff = users[3].id;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let now = Utc::now();
    let start = now - Duration::days(92);

    let mut setup = vec![cmd(
        start,
        users[0].id,
        Action::ConfigureStore(StoreConfig {
            name: "Pistil Demo — Queen St W".into(),
            jurisdiction: Jurisdiction::ontario(),
            merge_policy: MergePolicy::default(),
            time_zone: chrono_tz::America::Toronto,
        }),
    )];
    let products = products(&mut rng);
    setup.extend(
        products
            .iter()
            .map(|p| cmd(start, manager, Action::DefineProduct(p.clone()))),
    );
    submit_all(ledger, setup).await?;

    // About 2,300 packages on 46 manifests; most move to the floor.
    let mut tag_n = 1_000u64;
    let mut receiving = Vec::new();
    let mut floor = Vec::new();
    let mut manifest_no = 4_407_000u64;
    for chunk in products.chunks(5) {
        manifest_no += 1;
        let at = start + Duration::hours(rng.below(48) as i64);
        let mut lines = Vec::new();
        for p in chunk {
            for k in 0..10u32 {
                tag_n += 1;
                let id = PackageId::from_u128(0xDE31_0000_0000 + u128::from(tag_n));
                let shipped = match p.unit {
                    Unit::Each => Quantity::each(24 + rng.below(120) as i64),
                    _ => g(454 + rng.below(500) as i64, 0),
                };
                let batch = format!("{}-{}", &p.sku[..3], 2600 + k / 4);
                let packaged_on = NaiveDate::from_ymd_opt(2026, 7, 1).expect("valid")
                    + Duration::days(rng.below(60) as i64);
                lines.push(ReceiveLine {
                    package_id: id,
                    tag: demo_tag(tag_n),
                    product_id: p.id,
                    shipped,
                    batch: batch.clone(),
                    lab: LabResult {
                        state: LabState::Passed,
                        result_id: Some(format!("COA-{batch}")),
                        thc_percent: p.thc_percent,
                        cbd_percent: p.cbd_percent,
                        tested_on: Some(packaged_on - Duration::days(7)),
                    },
                    packaged_on,
                    // One package in ten has a short shelf life, so a few are near or past
                    // their date, as on any real shelf.
                    expires_on: Some(
                        packaged_on
                            + Duration::days(if k == 7 {
                                150 + rng.below(40) as i64
                            } else {
                                365
                            }),
                    ),
                    decision: LineDecision::Accept,
                });
                if k % 10 < 6 {
                    floor.push((id, p.id, p.unit));
                }
            }
        }
        receiving.push(cmd(
            at,
            manager,
            Action::Receive(Receive {
                manifest_number: format!("0000{manifest_no}"),
                lines,
            }),
        ));
    }
    let moved_at = start + Duration::days(3);
    receiving.extend(floor.iter().map(|(id, _, _)| {
        cmd(
            moved_at,
            manager,
            Action::Move(Move {
                package_id: *id,
                to: Zone::SalesFloor,
            }),
        )
    }));
    submit_all(ledger, receiving).await?;

    // Three months of sales, 60 to 140 receipts a day during opening hours.
    let mut sales = Vec::new();
    let mut used: std::collections::HashMap<PackageId, i64> = std::collections::HashMap::new();
    let day0 = start + Duration::days(4);
    let days = (now - day0).num_days();
    for d in 0..days {
        let receipts = 60 + rng.below(80);
        for r in 0..receipts {
            let at = Utc.from_utc_datetime(
                &(day0 + Duration::days(d))
                    .date_naive()
                    .and_hms_opt(15, 0, 0)
                    .expect("valid"),
            ) + Duration::minutes((r * 600 / receipts) as i64);
            let mut lines = Vec::new();
            for _ in 0..1 + rng.below(3) {
                let (id, _, unit) = *rng.pick(&floor);
                let q = match unit {
                    Unit::Each => 1,
                    _ => 1 + rng.below(3) as i64,
                };
                let u = used.entry(id).or_default();
                // Leave every floor package something to sell tomorrow.
                if *u + q > 20 || lines.iter().any(|l: &SellLine| l.package_id == id) {
                    continue;
                }
                *u += q;
                lines.push(SellLine {
                    package_id: id,
                    quantity: if unit == Unit::Each {
                        Quantity::each(q)
                    } else {
                        g(q, 0)
                    },
                    unit_price: None,
                });
            }
            if lines.is_empty() {
                continue;
            }
            sales.push(cmd(
                at,
                staff,
                Action::Sell(Sell {
                    receipt_id: ReceiptId::new(),
                    customer: None,
                    patient: None,
                    lines,
                }),
            ));
        }
    }
    submit_all(ledger, sales).await?;

    // A few pickup orders waiting today.
    let mut holds = Vec::new();
    for (i, name) in ["Jordan P.", "Avery L.", "Chris M.", "Taylor R."]
        .iter()
        .enumerate()
    {
        let (id, _, unit) = floor[100 + i * 37];
        holds.push(cmd(
            now,
            staff,
            Action::Reserve(Reserve {
                hold_id: HoldId::new(),
                customer: CustomerRef::parse(&format!("demo-customer-{i}"))?,
                customer_name: (*name).into(),
                channel: if i % 2 == 0 {
                    HoldChannel::Online
                } else {
                    HoldChannel::Staff
                },
                lines: vec![ReserveLine {
                    package_id: id,
                    quantity: if unit == Unit::Each {
                        Quantity::each(1)
                    } else {
                        g(2, 0)
                    },
                }],
                expires_at: now + ledger.max_hold().min(Duration::hours(2)),
            }),
        ));
    }
    submit_all(ledger, holds).await?;
    let view = ledger.view().await;
    tracing::info!(
        products = view.state.products.len(),
        packages = view.state.packages.len(),
        events = view.seq,
        "demo store seeded"
    );
    Ok(())
}
