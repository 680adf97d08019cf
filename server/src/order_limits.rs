//! Bounds on what anonymous callers may hold through the public order form: open online orders
//! per phone and per client address, and the share of a product's stock on the floor that one
//! caller (its address and its phone together) may hold. Signed-in staff are not bounded here.
//! Refusals are counted, so the store is told in its alerts when the limits are hit often.

use std::{
    collections::{HashMap, HashSet, VecDeque},
    net::IpAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use domain::{CustomerRef, HoldChannel, HoldId, PackageStatus, ProductId, State, Zone};
use rust_decimal::Decimal;

/// Open online orders one phone number may have.
pub const PER_PHONE: usize = 3;
/// Open online orders one client address may have (a household, a shared connection).
pub const PER_ADDRESS: usize = 6;

/// Addresses remembered at most; past it, those with no open hold go first.
const ADDRESSES_KEPT: usize = 100_000;
/// Refusals within this long make an alert once there are `OFTEN` of them.
pub const OFTEN_WINDOW: Duration = Duration::from_secs(3600);
/// How many refusals within `OFTEN_WINDOW` is "often".
pub const OFTEN: usize = 10;

/// The limits and what they remember.
#[derive(Clone)]
pub struct OrderLimits {
    per_phone: usize,
    per_address: usize,
    share_percent: Decimal,
    inner: Arc<Mutex<Inner>>,
    /// Public orders are checked and placed one at a time, so two placed at once cannot both
    /// pass a bound only one of them fits (they are few; a tablet's work never waits here).
    turn: Arc<tokio::sync::Mutex<()>>,
}

#[derive(Default)]
struct Inner {
    by_address: HashMap<IpAddr, Vec<HoldId>>,
    refusals: VecDeque<Instant>,
}

/// Why an order is refused, in words, and whether waiting helps.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    /// What the customer is told.
    pub message: String,
    /// When one of the caller's holds lapses, if waiting for it helps.
    pub retry_after: Option<Duration>,
}

impl OrderLimits {
    /// At most `per_phone` open online orders per phone, `per_address` per client address, and
    /// `share_percent` of a product's stock on the floor held by one caller.
    pub fn new(per_phone: usize, per_address: usize, share_percent: u32) -> Self {
        Self {
            per_phone,
            per_address,
            share_percent: Decimal::from(share_percent),
            inner: Arc::default(),
            turn: Arc::default(),
        }
    }

    /// Waits for this order's turn: hold it from the check until the order is placed or refused.
    pub async fn turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.turn.lock().await
    }

    /// Checks an order of `lines` (product, quantity) from this caller against the holds open now.
    pub fn check(
        &self,
        state: &State,
        now: DateTime<Utc>,
        address: Option<IpAddr>,
        customer: &CustomerRef,
        lines: &[(ProductId, Decimal)],
    ) -> Result<(), Refusal> {
        // Behind a reverse proxy on this machine every caller arrives from loopback: counting them
        // as one address would let six customers close the shop. The phone and share bounds hold.
        let address = address.filter(|a| !a.is_loopback());
        let mut inner = self.inner.lock().expect("order limits lock");
        let refused = |inner: &mut Inner, r: Refusal| {
            inner.refusals.push_back(Instant::now());
            // Only "often" is asked of it: a flood is remembered as its last few thousand.
            while inner.refusals.len() > 4 * OFTEN.max(1_000) {
                inner.refusals.pop_front();
            }
            Err(r)
        };
        let lapse = |ids: &mut dyn Iterator<Item = &HoldId>| {
            ids.filter_map(|id| state.holds.get(id))
                .map(|h| h.expires_at)
                .min()
                .map(|t| (t - now).to_std().unwrap_or_default() + Duration::from_secs(1))
        };
        let by_phone: Vec<HoldId> = state
            .holds
            .values()
            .filter(|h| h.channel == HoldChannel::Online && &h.customer == customer)
            .map(|h| h.hold_id)
            .collect();
        if by_phone.len() >= self.per_phone {
            let retry_after = lapse(&mut by_phone.iter());
            return refused(
                &mut inner,
                Refusal {
                    message: format!(
                        "this phone number already has {} orders waiting for pickup; collect or cancel one first",
                        by_phone.len()
                    ),
                    retry_after,
                },
            );
        }
        let by_address: Vec<HoldId> = match address {
            Some(a) => {
                let open = inner.by_address.entry(a).or_default();
                open.retain(|id| state.holds.contains_key(id));
                open.clone()
            }
            None => Vec::new(),
        };
        if by_address.len() >= self.per_address {
            let retry_after = lapse(&mut by_address.iter());
            return refused(
                &mut inner,
                Refusal {
                    message: format!(
                        "{} orders from this connection are already waiting for pickup; collect one first",
                        by_address.len()
                    ),
                    retry_after,
                },
            );
        }
        let callers: HashSet<HoldId> = by_phone.into_iter().chain(by_address).collect();
        for &(product, wanted) in lines {
            let on_floor: Decimal = state
                .packages
                .values()
                .filter(|p| {
                    p.product_id == product
                        && p.status == PackageStatus::Active
                        && p.zone == Zone::SalesFloor
                })
                .map(|p| p.quantity.amount)
                .sum();
            let mine_ids: Vec<&HoldId> = callers
                .iter()
                .filter(|id| {
                    state
                        .holds
                        .get(id)
                        .is_some_and(|h| h.lines.iter().any(|l| l.product_id == product))
                })
                .collect();
            let mine: Decimal = mine_ids
                .iter()
                .filter_map(|id| state.holds.get(id))
                .flat_map(|h| h.lines.iter())
                .filter(|l| l.product_id == product)
                .map(|l| l.quantity.amount)
                .sum();
            // One unit can always be reserved, however little is on the floor.
            let allowed = (on_floor * self.share_percent / Decimal::ONE_HUNDRED).max(Decimal::ONE);
            if mine + wanted > allowed {
                let name = state
                    .products
                    .get(&product)
                    .map_or_else(|| "this product".to_owned(), |p| p.name.clone());
                let unit = state.products.get(&product).map_or("", |p| p.unit.symbol());
                let retry_after = lapse(&mut mine_ids.into_iter());
                return refused(
                    &mut inner,
                    Refusal {
                        message: format!(
                            "at most {} {unit} of {name} can be held for one customer online{}",
                            allowed.round_dp(2).normalize(),
                            if mine > Decimal::ZERO {
                                format!(" (you hold {} {unit} already)", mine.normalize())
                            } else {
                                String::new()
                            }
                        ),
                        retry_after,
                    },
                );
            }
        }
        Ok(())
    }

    /// Remembers a hold placed from this address.
    pub fn placed(&self, address: Option<IpAddr>, hold: HoldId, state: &State) {
        let Some(a) = address.filter(|a| !a.is_loopback()) else {
            return;
        };
        let mut inner = self.inner.lock().expect("order limits lock");
        if !inner.by_address.contains_key(&a) && inner.by_address.len() >= ADDRESSES_KEPT {
            inner
                .by_address
                .retain(|_, ids| ids.iter().any(|id| state.holds.contains_key(id)));
        }
        inner.by_address.entry(a).or_default().push(hold);
    }

    /// Refusals within the last `OFTEN_WINDOW`.
    pub fn recent_refusals(&self) -> usize {
        let mut inner = self.inner.lock().expect("order limits lock");
        while inner
            .refusals
            .front()
            .is_some_and(|t| t.elapsed() >= OFTEN_WINDOW)
        {
            inner.refusals.pop_front();
        }
        inner.refusals.len()
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration as Span;
    use domain::{event::*, *};

    use super::*;

    const P: ProductId = ProductId::from_u128(1);

    /// A store with `stock` items of one product on the floor and the given online holds
    /// (customer, items).
    fn store(stock: i64, holds: &[(&str, i64)]) -> State {
        let mut s = State::default();
        let package = PackageId::from_u128(9);
        let product = Product {
            id: P,
            sku: "S".into(),
            upc: None,
            name: "Gummies".into(),
            brand: "B".into(),
            category: Category::Edible,
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
            vendor: "V".into(),
            regulator: None,
        };
        s.products.insert(P, product);
        s.packages.insert(
            package,
            Package {
                id: package,
                tag: RegulatorTag::parse("1A4FF0100000022000000001").unwrap(),
                product_id: P,
                batch: "B".into(),
                lab: LabResult {
                    state: LabState::Passed,
                    result_id: None,
                    thc_percent: None,
                    cbd_percent: None,
                    tested_on: None,
                },
                packaged_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                expires_on: None,
                zone: Zone::SalesFloor,
                status: PackageStatus::Active,
                quantity: Quantity::each(stock),
                held: Decimal::ZERO,
                parents: vec![],
                children: vec![],
                manifest_number: None,
                created_at: Utc::now(),
            },
        );
        for (i, (who, n)) in holds.iter().enumerate() {
            let id = HoldId::from_u128(100 + i as u128);
            let line = SaleLine {
                package_id: package,
                product_id: P,
                quantity: Quantity::each(*n),
                unit_price: Money::new(10.into(), Currency::Cad),
                line_total: Money::new((10 * n).into(), Currency::Cad),
            };
            s.holds.insert(
                id,
                Hold {
                    stage: None,
                    hold_id: id,
                    customer: CustomerRef::parse(who).unwrap(),
                    customer_name: "C".into(),
                    channel: HoldChannel::Online,
                    total: line.line_total,
                    lines: vec![line],
                    placed_at: Utc::now(),
                    expires_at: Utc::now() + Span::minutes(30 + i as i64),
                },
            );
        }
        s
    }

    fn phone(n: u32) -> CustomerRef {
        CustomerRef::parse(&format!("phone:416555{n:04}")).unwrap()
    }

    #[test]
    fn a_phone_with_three_orders_waits_for_one_to_lapse() {
        let s = store(
            100,
            &[
                ("phone:4165550001", 1),
                ("phone:4165550001", 1),
                ("phone:4165550001", 1),
            ],
        );
        let l = OrderLimits::new(3, 6, 100);
        let r = l
            .check(&s, Utc::now(), None, &phone(1), &[(P, Decimal::ONE)])
            .unwrap_err();
        assert!(r.message.contains("already has 3 orders"), "{}", r.message);
        let wait = r.retry_after.unwrap();
        assert!(
            wait > Duration::from_secs(29 * 60) && wait <= Duration::from_secs(31 * 60),
            "{wait:?}"
        );
        assert!(l
            .check(&s, Utc::now(), None, &phone(2), &[(P, Decimal::ONE)])
            .is_ok());
        assert_eq!(l.recent_refusals(), 1);
    }

    #[test]
    fn one_address_varying_the_phone_is_bounded_but_loopback_is_not_one_caller() {
        let mut s = store(1_000, &[]);
        let l = OrderLimits::new(3, 6, 100);
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        for n in 0..6 {
            assert!(l
                .check(&s, Utc::now(), Some(ip), &phone(n), &[(P, Decimal::ONE)])
                .is_ok());
            let id = HoldId::from_u128(500 + n as u128);
            let mut h = store(1, &[("phone:4165559999", 1)])
                .holds
                .into_values()
                .next()
                .unwrap();
            h.hold_id = id;
            h.customer = phone(n);
            s.holds.insert(id, h);
            l.placed(Some(ip), id, &s);
        }
        let r = l
            .check(&s, Utc::now(), Some(ip), &phone(77), &[(P, Decimal::ONE)])
            .unwrap_err();
        assert!(
            r.message.contains("6 orders from this connection"),
            "{}",
            r.message
        );
        assert!(r.retry_after.is_some());
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        for n in 0..6 {
            l.placed(Some(local), HoldId::from_u128(900 + n), &s);
        }
        assert!(l
            .check(
                &s,
                Utc::now(),
                Some(local),
                &phone(78),
                &[(P, Decimal::ONE)]
            )
            .is_ok());
    }

    #[test]
    fn one_caller_holds_at_most_its_share_of_a_product_and_always_one_unit() {
        let l = OrderLimits::new(3, 6, 25);
        let s = store(20, &[]);
        assert!(l
            .check(&s, Utc::now(), None, &phone(1), &[(P, Decimal::from(5))])
            .is_ok());
        let r = l
            .check(&s, Utc::now(), None, &phone(1), &[(P, Decimal::from(6))])
            .unwrap_err();
        assert_eq!(
            r.message,
            "at most 5 ea of Gummies can be held for one customer online"
        );
        assert_eq!(
            r.retry_after, None,
            "waiting does not help an order too large"
        );
        // What the caller already holds counts, and waiting for it helps.
        let s = store(20, &[("phone:4165550001", 4)]);
        let r = l
            .check(&s, Utc::now(), None, &phone(1), &[(P, Decimal::from(2))])
            .unwrap_err();
        assert!(
            r.message.ends_with("(you hold 4 ea already)"),
            "{}",
            r.message
        );
        assert!(r.retry_after.is_some());
        // The last item on the shelf can still be reserved.
        let s = store(1, &[]);
        assert!(l
            .check(&s, Utc::now(), None, &phone(1), &[(P, Decimal::ONE)])
            .is_ok());
    }
}
