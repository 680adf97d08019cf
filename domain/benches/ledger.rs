//! Ledger benchmarks: replaying 1,000,000 events, and deciding on states of 1,000 and 100,000
//! packages. Besides criterion's report, prints the figures and the decide ratio (target <= 1.5x).

#[path = "../tests/support/mod.rs"]
mod support;

use std::{hint::black_box, time::Duration as StdDuration};

use chrono::Duration;
use criterion::{criterion_group, BatchSize, Criterion, Throughput};
use domain::{command::*, *};
use support::*;

/// A store with `n` flower packages of 1 kg on the sales floor.
fn store_with(n: usize) -> (Store, Vec<PackageId>) {
    let mut s = Store::new();
    let mut ids = Vec::with_capacity(n);
    for chunk in 0..n.div_ceil(500) {
        let lines = (0..500.min(n - chunk * 500))
            .map(|_| (FLOWER, g("1000"), "B-1"))
            .collect::<Vec<_>>();
        ids.extend(s.receive(&lines));
    }
    for id in &ids {
        s.ok(Action::Move(Move {
            package_id: *id,
            to: Zone::SalesFloor,
        }));
    }
    (s, ids)
}

/// About a million events of a busy store: sales, adjustments, holds placed and released.
fn million_events() -> Vec<Event> {
    let (mut s, ids) = store_with(10_000);
    let mut i = 0usize;
    while s.events.len() < 1_000_000 {
        let id = ids[i % ids.len()];
        let action = match i % 10 {
            0 => Action::Adjust(Adjust {
                package_id: id,
                delta: g("-0.1"),
                reason: AdjustReason::MoistureLoss,
                note: None,
                count_id: None,
            }),
            1 => Action::Reserve(Reserve {
                hold_id: HoldId::from_u128(i as u128),
                customer: CustomerRef::parse(&format!("c{}", i % 5000)).unwrap(),
                customer_name: "Pat".into(),
                channel: HoldChannel::Online,
                lines: vec![ReserveLine {
                    package_id: id,
                    quantity: g("1"),
                }],
                expires_at: at() + Duration::hours(2),
            }),
            2 => Action::ReleaseHold(HoldRef {
                hold_id: HoldId::from_u128((i - 1) as u128),
            }),
            _ => Action::Sell(Sell {
                receipt_id: ReceiptId::from_u128(i as u128),
                customer: None,
                patient: None,
                lines: vec![SellLine {
                    package_id: id,
                    quantity: g("0.5"),
                    unit_price: None,
                }],
            }),
        };
        s.ok(action);
        i += 1;
    }
    s.events
}

fn sale(id: PackageId) -> Command {
    Command {
        mutation_id: MutationId::new(),
        actor: MANAGER,
        device: TABLET,
        at: at(),
        action: Action::Sell(Sell {
            receipt_id: ReceiptId::new(),
            customer: Some(CustomerRef::parse("bench").unwrap()),
            patient: None,
            lines: vec![SellLine {
                package_id: id,
                quantity: g("3.5"),
                unit_price: None,
            }],
        }),
    }
}

fn split(id: PackageId) -> Command {
    Command {
        mutation_id: MutationId::new(),
        actor: MANAGER,
        device: TABLET,
        at: at(),
        action: Action::Split(Split {
            source: id,
            new_packages: (0..4)
                .map(|k| NewPackage {
                    package_id: PackageId::new(),
                    tag: tag(900_000 + k),
                })
                .collect(),
            amounts: SplitAmounts::Equal { total: g("112") },
        }),
    }
}

fn benches(c: &mut Criterion) {
    let events = million_events();
    let mut g = c.benchmark_group("replay");
    g.sample_size(10)
        .measurement_time(StdDuration::from_secs(20));
    g.throughput(Throughput::Elements(events.len() as u64));
    g.bench_function("fold 1M events", |b| {
        b.iter(|| black_box(State::replay(&events)))
    });
    g.finish();

    let small = store_with(1_000);
    let large = store_with(100_000);
    let mut g = c.benchmark_group("decide");
    for (name, (s, ids)) in [("1k packages", &small), ("100k packages", &large)] {
        let id = ids[ids.len() / 2];
        g.bench_function(format!("sell, {name}"), |b| {
            b.iter_batched(
                || sale(id),
                |cmd| black_box(decide(&s.state, &cmd)),
                BatchSize::SmallInput,
            )
        });
        g.bench_function(format!("split, {name}"), |b| {
            b.iter_batched(
                || split(id),
                |cmd| black_box(decide(&s.state, &cmd)),
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();

    // The figures the issue asks for, measured side by side in this process.
    let replay = median(5, || {
        black_box(State::replay(&events));
    });
    let rate = events.len() as f64 / replay.as_secs_f64();
    let per_decide = |s: &State, id: PackageId| {
        let cmds: Vec<Command> = (0..20_000)
            .map(|k| if k % 2 == 0 { sale(id) } else { split(id) })
            .collect();
        median(7, || {
            for cmd in &cmds {
                let _ = black_box(decide(s, cmd));
            }
        })
        .as_secs_f64()
            / cmds.len() as f64
    };
    let d_small = per_decide(&small.0.state, small.1[500]);
    let d_large = per_decide(&large.0.state, large.1[50_000]);
    println!("\n== Pistil ledger figures ==");
    println!(
        "replay: {} events in {:.3} s = {:.2} million events/s (target >= 2)",
        events.len(),
        replay.as_secs_f64(),
        rate / 1e6
    );
    println!("decide at 1,000 packages:   {:.0} ns", d_small * 1e9);
    println!("decide at 100,000 packages: {:.0} ns", d_large * 1e9);
    println!(
        "ratio 100k / 1k: {:.2}x (target <= 1.5x)",
        d_large / d_small
    );
}

criterion_group!(ledger, benches);

fn main() {
    ledger();
    Criterion::default().configure_from_args().final_summary();
}
