//! Property tests: random sequences of valid and invalid commands never break the ledger.

mod support;

use chrono::Duration;
use domain::{command::*, *};
use proptest::prelude::*;
use rust_decimal::Decimal;
use support::*;

/// A command template: indices pick packages from the current state, so sequences stay meaningful.
#[derive(Clone, Debug)]
enum Op {
    Receive {
        product: u8,
        amount: u16,
    },
    Move {
        pkg: u16,
    },
    Split {
        pkg: u16,
        parts: u8,
        amount: u16,
    },
    Merge {
        a: u16,
        b: u16,
    },
    Destroy {
        pkg: u16,
        amount: u16,
        self_witness: bool,
    },
    Adjust {
        pkg: u16,
        delta: i16,
    },
    Sell {
        pkg: u16,
        amount: u16,
        customer: u8,
    },
    Return {
        receipt: u16,
        amount: u16,
        quarantine: bool,
    },
    Reserve {
        pkg: u16,
        amount: u16,
        customer: u8,
    },
    Release {
        hold: u16,
    },
    Expire {
        hold: u16,
        later: bool,
    },
    Fulfil {
        hold: u16,
    },
    Hold {
        pkg: u16,
    },
    Unhold {
        pkg: u16,
    },
    Finish {
        pkg: u16,
    },
    Count {
        pkg: u16,
        amount: u16,
        second_counter: bool,
    },
    AcceptCount {
        count: u16,
    },
    Replay {
        back: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..3, 1u16..400).prop_map(|(product, amount)| Op::Receive { product, amount }),
        any::<u16>().prop_map(|pkg| Op::Move { pkg }),
        (any::<u16>(), 1u8..5, 1u16..200).prop_map(|(pkg, parts, amount)| Op::Split {
            pkg,
            parts,
            amount
        }),
        (any::<u16>(), any::<u16>()).prop_map(|(a, b)| Op::Merge { a, b }),
        (any::<u16>(), 1u16..100, any::<bool>()).prop_map(|(pkg, amount, self_witness)| {
            Op::Destroy {
                pkg,
                amount,
                self_witness,
            }
        }),
        (any::<u16>(), -60i16..60).prop_map(|(pkg, delta)| Op::Adjust { pkg, delta }),
        (any::<u16>(), 1u16..40, 0u8..4).prop_map(|(pkg, amount, customer)| Op::Sell {
            pkg,
            amount,
            customer
        }),
        (any::<u16>(), 1u16..10, any::<bool>()).prop_map(|(receipt, amount, quarantine)| {
            Op::Return {
                receipt,
                amount,
                quarantine,
            }
        }),
        (any::<u16>(), 1u16..20, 0u8..4).prop_map(|(pkg, amount, customer)| Op::Reserve {
            pkg,
            amount,
            customer
        }),
        any::<u16>().prop_map(|hold| Op::Release { hold }),
        (any::<u16>(), any::<bool>()).prop_map(|(hold, later)| Op::Expire { hold, later }),
        any::<u16>().prop_map(|hold| Op::Fulfil { hold }),
        any::<u16>().prop_map(|pkg| Op::Hold { pkg }),
        any::<u16>().prop_map(|pkg| Op::Unhold { pkg }),
        any::<u16>().prop_map(|pkg| Op::Finish { pkg }),
        (any::<u16>(), 0u16..300, any::<bool>()).prop_map(|(pkg, amount, second_counter)| {
            Op::Count {
                pkg,
                amount,
                second_counter,
            }
        }),
        any::<u16>().prop_map(|count| Op::AcceptCount { count }),
        (0u8..8).prop_map(|back| Op::Replay { back }),
    ]
}

fn pick<T: Clone + Ord>(items: impl Iterator<Item = T>, i: u16) -> Option<T> {
    let mut v: Vec<T> = items.collect();
    v.sort();
    if v.is_empty() {
        None
    } else {
        Some(v[usize::from(i) % v.len()].clone())
    }
}

fn qty_for(s: &Store, pkg: PackageId, amount: u16) -> Quantity {
    let unit = s.pkg(pkg).quantity.unit;
    let amount = if unit == Unit::Each {
        Decimal::from(amount)
    } else {
        Decimal::new(i64::from(amount), 1)
    };
    Quantity::new(amount, unit)
}

/// Turns a template into a command against the current state; `None` when nothing fits.
fn command(s: &mut Store, op: &Op, history: &[Command]) -> Option<Command> {
    let packages = |s: &Store| s.state.packages.keys().copied().collect::<Vec<_>>();
    let customer = |c: u8| CustomerRef::parse(&format!("customer-{c}")).unwrap();
    let action = match op {
        Op::Replay { back } => {
            // Resend an earlier command, as a tablet does after a lost response.
            let i = history.len().checked_sub(usize::from(*back) + 1)?;
            return Some(history[i].clone());
        }
        Op::Receive { product, amount } => {
            let product = [FLOWER, PREROLL, GUMMIES][usize::from(*product)];
            let unit = s.state.products[&product].unit;
            let n = s.fresh() as u32;
            Action::Receive(Receive {
                manifest_number: format!("M{n}"),
                lines: vec![ReceiveLine {
                    package_id: PackageId::from_u128(u128::from(n)),
                    tag: tag(n),
                    product_id: product,
                    shipped: Quantity::new(Decimal::from(*amount), unit),
                    batch: format!("B{}", n % 2),
                    lab: lab("L"),
                    packaged_on: at().date_naive(),
                    expires_on: None,
                    decision: LineDecision::Accept,
                }],
            })
        }
        Op::Move { pkg } => {
            let id = pick(packages(s).into_iter(), *pkg)?;
            let to = if s.pkg(id).zone == Zone::Vault {
                Zone::SalesFloor
            } else {
                Zone::Vault
            };
            Action::Move(Move { package_id: id, to })
        }
        Op::Split { pkg, parts, amount } => {
            let id = pick(packages(s).into_iter(), *pkg)?;
            let new = s.new_packages(usize::from(*parts));
            let each = qty_for(s, id, *amount);
            Action::Split(Split {
                source: id,
                new_packages: new,
                amounts: SplitAmounts::Manual {
                    amounts: vec![each; usize::from(*parts)],
                },
            })
        }
        Op::Merge { a, b } => {
            let ids = packages(s);
            let a = pick(ids.iter().copied(), *a)?;
            let b = pick(ids.iter().copied(), *b)?;
            let into = s.new_packages(1).remove(0);
            Action::Merge(Merge {
                sources: vec![a, b],
                into,
            })
        }
        Op::Destroy {
            pkg,
            amount,
            self_witness,
        } => {
            let id = pick(packages(s).into_iter(), *pkg)?;
            Action::Destroy(Destroy {
                package_id: id,
                quantity: qty_for(s, id, *amount),
                reason: DestroyReason::Damage,
                method: DestroyMethod::Compost,
                witness: if *self_witness { MANAGER } else { WITNESS },
                note: None,
            })
        }
        Op::Adjust { pkg, delta } => {
            let id = pick(packages(s).into_iter(), *pkg)?;
            let mut q = qty_for(s, id, delta.unsigned_abs());
            if *delta < 0 {
                q.amount = -q.amount;
            }
            Action::Adjust(Adjust {
                package_id: id,
                delta: q,
                reason: AdjustReason::ScaleVariance,
                note: None,
                count_id: None,
            })
        }
        Op::Sell {
            pkg,
            amount,
            customer: c,
        } => {
            let id = pick(packages(s).into_iter(), *pkg)?;
            Action::Sell(Sell {
                receipt_id: ReceiptId::from_u128(s.fresh()),
                customer: Some(customer(*c)),
                patient: None,
                lines: vec![SellLine {
                    package_id: id,
                    quantity: qty_for(s, id, *amount),
                    unit_price: None,
                }],
            })
        }
        Op::Return {
            receipt,
            amount,
            quarantine,
        } => {
            let r = pick(s.state.receipts.keys().copied(), *receipt)?;
            let line = s.state.receipt_lines(&r).unwrap()[0];
            Action::Return(ReturnGoods {
                return_id: ReturnId::from_u128(s.fresh()),
                receipt_id: r,
                lines: vec![ReturnLine {
                    package_id: line.package_id,
                    quantity: qty_for(s, line.package_id, *amount),
                }],
                disposition: if *quarantine {
                    ReturnDisposition::Quarantine
                } else {
                    ReturnDisposition::Restock
                },
            })
        }
        Op::Reserve {
            pkg,
            amount,
            customer: c,
        } => {
            let id = pick(packages(s).into_iter(), *pkg)?;
            Action::Reserve(Reserve {
                hold_id: HoldId::from_u128(s.fresh()),
                customer: customer(*c),
                customer_name: "Pat".into(),
                channel: HoldChannel::Online,
                lines: vec![ReserveLine {
                    package_id: id,
                    quantity: qty_for(s, id, *amount),
                }],
                expires_at: at() + Duration::hours(2),
            })
        }
        Op::Release { hold } => Action::ReleaseHold(HoldRef {
            hold_id: pick(s.state.holds.keys().copied(), *hold)?,
        }),
        Op::Expire { hold, later } => {
            let hold_id = pick(s.state.holds.keys().copied(), *hold)?;
            let mut cmd = s.command(Action::ExpireHold(HoldRef { hold_id }));
            if *later {
                cmd.at = at() + Duration::hours(3);
            }
            return Some(cmd);
        }
        Op::Fulfil { hold } => Action::FulfilHold(FulfilHold {
            hold_id: pick(s.state.holds.keys().copied(), *hold)?,
            receipt_id: ReceiptId::from_u128(s.fresh()),
        }),
        Op::Hold { pkg } => Action::PlaceOnHold(PlaceOnHold {
            package_id: pick(packages(s).into_iter(), *pkg)?,
            reason: HoldReason::Recall,
        }),
        Op::Unhold { pkg } => Action::Release(PackageRef {
            package_id: pick(packages(s).into_iter(), *pkg)?,
        }),
        Op::Finish { pkg } => Action::Finish(PackageRef {
            package_id: pick(packages(s).into_iter(), *pkg)?,
        }),
        Op::Count {
            pkg,
            amount,
            second_counter,
        } => {
            let id = pick(packages(s).into_iter(), *pkg)?;
            let open = s
                .state
                .counts
                .iter()
                .find(|(_, c)| c.is_open() && c.line(&id).is_some())
                .map(|(cid, _)| *cid);
            let Some(count_id) = open else {
                // Not in an open count yet: plan one for it first.
                let count_id = CountId::from_u128(s.fresh());
                return Some(s.command(Action::PlanCount(PlanCount {
                    count_id,
                    scope: domain::count::CountScope::Packages(vec![id]),
                })));
            };
            let (actor, witness) = if *second_counter {
                (WITNESS, MANAGER)
            } else {
                (MANAGER, WITNESS)
            };
            let mut cmd = s.command(Action::RecordCount(RecordCount {
                count_id,
                package_id: id,
                counted: qty_for(s, id, *amount),
                witness,
            }));
            cmd.actor = actor;
            return Some(cmd);
        }
        Op::AcceptCount { count } => Action::AcceptCount(CountRef {
            count_id: pick(
                s.state
                    .counts
                    .iter()
                    .filter(|(_, c)| c.is_open())
                    .map(|(id, _)| *id),
                *count,
            )?,
        }),
    };
    Some(s.command(action))
}

/// Runs `ops` with the store's clock moved on by `gaps` hours before each command, so a run
/// spans several months; a resent command keeps its first time, and a hold expiring "later" is
/// dated before the commands around it, as an offline tablet's late change is.
fn run_over_months(ops: &[Op], gaps: &[u16]) -> Store {
    let mut s = Store::new();
    let mut history = Vec::new();
    let mut t = at();
    for (op, gap) in ops.iter().zip(gaps.iter().cycle()) {
        t += Duration::hours(i64::from(*gap));
        let Some(mut cmd) = command(&mut s, op, &history) else {
            continue;
        };
        if !matches!(op, Op::Replay { .. } | Op::Expire { later: true, .. }) {
            cmd.at = t;
            if let Action::Reserve(r) = &mut cmd.action {
                r.expires_at = t + Duration::hours(2);
            }
        }
        if s.run(&cmd).is_ok() {
            history.push(cmd);
        }
    }
    s
}

/// The first of every month from the store's first to one after its last event.
fn months_of(s: &Store) -> Vec<chrono::NaiveDate> {
    use chrono::Datelike;
    let first =
        |d: chrono::NaiveDate| chrono::NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap();
    let last = s.events.iter().map(|e| e.at).max().unwrap_or_else(at);
    let mut m = first(at().date_naive());
    let end = report::next_month(first(last.date_naive()));
    let mut out = vec![];
    while m <= end {
        out.push(m);
        m = report::next_month(m);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// SOR/2019-202 s.5(1): (a) opening + (b) additions − (c) reductions = (e) closing, in every
    /// Schedule 1 class, by number and by weight, and per SKU; and each month opens where the one
    /// before closed.
    #[test]
    fn every_month_balances_in_every_class_and_sku_and_opens_where_the_last_closed(
        ops in prop::collection::vec(op(), 1..80),
        gaps in prop::collection::vec(prop_oneof![4 => 0u16..12, 1 => 200u16..800], 1..80),
    ) {
        let s = run_over_months(&ops, &gaps);
        let mut closing_before: Option<report::MonthlyReport> = None;
        for month in months_of(&s) {
            let r = report::monthly(&s.events, month);
            for (class, c) in &r.classes {
                prop_assert_eq!(c.closing, c.expected_closing(), "{} {:?}: {:?}", month, class, c);
            }
            let classes: std::collections::BTreeSet<_> = r.classes.keys().chain(closing_before.iter().flat_map(|b| b.classes.keys())).collect();
            for class in classes {
                let opening = r.classes.get(class).map_or(Decimal::ZERO, |c| c.opening);
                let before = closing_before.as_ref().and_then(|b| b.classes.get(class)).map_or(Decimal::ZERO, |b| b.closing);
                prop_assert_eq!(opening, before, "{} {:?} opens where it closed", month, class);
            }
            let kg = report::monthly_by_weight(&s.events, month);
            for (class, c) in &kg.classes {
                // Kilograms are rounded to 6 places figure by figure.
                prop_assert!((c.closing - c.expected_closing()).abs() <= Decimal::new(1, 5), "{} {:?} by weight: {:?}", month, class, c);
            }
            for sku in report::by_sku(&s.events, month).skus {
                prop_assert_eq!(sku.figures.closing, sku.figures.expected_closing(), "{} {}: {:?}", month, sku.sku, sku.figures);
            }
            closing_before = Some(r);
        }
    }

    #[test]
    fn random_commands_never_break_conservation_or_go_negative(ops in prop::collection::vec(op(), 1..80)) {
        let mut s = Store::new();
        let mut history = Vec::new();
        for op in &ops {
            let Some(cmd) = command(&mut s, op, &history) else { continue };
            let before = s.state.clone();
            match s.run(&cmd) {
                Ok(_) => history.push(cmd),
                Err(_) => prop_assert_eq!(&s.state, &before, "a refusal changed the state"),
            }
            assert_conserved(&s.state);
        }
    }

    #[test]
    fn replaying_the_events_gives_the_same_state(ops in prop::collection::vec(op(), 1..80)) {
        let mut s = Store::new();
        let mut history = Vec::new();
        for op in &ops {
            if let Some(cmd) = command(&mut s, op, &history) {
                if s.run(&cmd).is_ok() {
                    history.push(cmd);
                }
            }
        }
        prop_assert_eq!(State::replay(&s.events), s.state.clone());
        prop_assert_eq!(State::replay(&s.events), State::replay(&s.events));
    }

    #[test]
    fn a_command_applied_twice_has_the_effect_of_once(ops in prop::collection::vec(op(), 1..60)) {
        let mut s = Store::new();
        let mut history = Vec::new();
        for op in &ops {
            if let Some(cmd) = command(&mut s, op, &history) {
                if s.run(&cmd).is_ok() {
                    let after = s.state.clone();
                    prop_assert!(s.run(&cmd).unwrap().is_empty());
                    prop_assert_eq!(&s.state, &after);
                    history.push(cmd);
                }
            }
        }
    }
}
