//! Given / when / then: each rule of the ledger and each refusal.

mod support;

use chrono::Duration;
use domain::{command::*, count::CountScope, *};
use rust_decimal::Decimal;
use support::*;

fn customer(s: &str) -> CustomerRef {
    CustomerRef::parse(s).unwrap()
}

#[test]
fn receiving_a_manifest_puts_its_packages_in_the_vault() {
    let mut s = Store::new();
    let ids = s.receive(&[(FLOWER, g("448"), "B-1"), (PREROLL, each(100), "B-2")]);
    assert_eq!(s.pkg(ids[0]).zone, Zone::Vault);
    assert_eq!(s.pkg(ids[0]).quantity, g("448"));
    assert_eq!(s.pkg(ids[1]).quantity, each(100));
    assert_eq!(s.state.totals[&FLOWER].received, "448".parse().unwrap());
    assert_conserved(&s.state);
}

#[test]
fn a_manifest_is_received_only_once() {
    let mut s = Store::new();
    s.receive(&[(FLOWER, g("10"), "B-1")]);
    let manifest = s.state.manifests.iter().next().unwrap().clone();
    let line = ReceiveLine {
        package_id: PackageId::new(),
        tag: tag(999_001),
        product_id: FLOWER,
        shipped: g("10"),
        batch: "B-1".into(),
        lab: lab("L"),
        packaged_on: at().date_naive(),
        expires_on: None,
        decision: LineDecision::Accept,
    };
    let e = s.err(Action::Receive(Receive {
        manifest_number: manifest.clone(),
        lines: vec![line],
    }));
    assert_eq!(
        e.to_string(),
        format!("manifest {manifest} was already received")
    );
}

#[test]
fn a_manifest_line_can_be_accepted_short_with_a_reason_or_rejected() {
    let mut s = Store::new();
    let mk = |n: u32, decision| ReceiveLine {
        package_id: PackageId::from_u128(u128::from(n)),
        tag: tag(n),
        product_id: FLOWER,
        shipped: g("28"),
        batch: "B".into(),
        lab: lab("L"),
        packaged_on: at().date_naive(),
        expires_on: None,
        decision,
    };
    let events = s.ok(Action::Receive(Receive {
        manifest_number: "0000123456".into(),
        lines: vec![
            mk(
                500_001,
                LineDecision::AcceptAdjusted {
                    received: g("27.5"),
                    reason: AdjustReason::ScaleVariance,
                    note: None,
                },
            ),
            mk(
                500_002,
                LineDecision::Reject {
                    reason: "seal broken".into(),
                },
            ),
        ],
    }));
    assert_eq!(events.len(), 2);
    assert_eq!(s.pkg(PackageId::from_u128(500_001)).quantity, g("27.5"));
    assert!(!s
        .state
        .packages
        .contains_key(&PackageId::from_u128(500_002)));
    assert!(
        !s.state.tags.contains_key(&tag(500_002)),
        "a rejected tag stays unused"
    );
}

#[test]
fn selling_from_the_vault_is_refused_naming_the_zone() {
    let mut s = Store::new();
    let id = s.receive(&[(FLOWER, g("28"), "B-1")])[0];
    let e = s.err(Action::Sell(Sell {
        receipt_id: ReceiptId::new(),
        customer: None,
        patient: None,
        lines: vec![SellLine {
            package_id: id,
            quantity: g("3.5"),
            unit_price: None,
        }],
    }));
    assert_eq!(
        e.to_string(),
        "cannot sell from 1A4…1002: it is in the vault, not on the sales floor"
    );
}

#[test]
fn a_sale_from_the_floor_reduces_the_package_and_prices_the_receipt() {
    let mut s = Store::new();
    let id = s.on_floor(FLOWER, g("28"), "B-1");
    let events = s.ok(Action::Sell(Sell {
        receipt_id: ReceiptId::from_u128(7),
        customer: None,
        patient: None,
        lines: vec![SellLine {
            package_id: id,
            quantity: g("3.5"),
            unit_price: None,
        }],
    }));
    let EventKind::Sold { receipt } = &events[0].kind else {
        panic!()
    };
    assert_eq!(receipt.total, cad("31.50"));
    assert_eq!(s.pkg(id).quantity, g("24.5"));
    assert_conserved(&s.state);
}

fn priced_sale(id: PackageId, price: Money) -> Action {
    Action::Sell(Sell {
        receipt_id: ReceiptId::new(),
        customer: None,
        patient: None,
        lines: vec![SellLine {
            package_id: id,
            quantity: g("1"),
            unit_price: Some(price),
        }],
    })
}

#[test]
fn a_negative_price_is_refused_and_the_shelf_is_untouched() {
    let mut s = Store::new();
    let id = s.on_floor(FLOWER, g("28"), "B-1");
    let e = s.err(priced_sale(id, cad("-5")));
    assert_eq!(
        e.to_string(),
        "unit_price: the price of Blue Dream cannot be negative (-5)"
    );
    assert_eq!(s.pkg(id).quantity, g("28"));
    // Free is a price a store may give.
    s.ok(priced_sale(id, cad("0")));
}

#[test]
fn a_price_in_another_currency_than_the_stores_is_refused() {
    let mut s = Store::new();
    let id = s.on_floor(FLOWER, g("28"), "B-1");
    let e = s.err(priced_sale(
        id,
        Money::new(Decimal::new(9, 0), Currency::Usd),
    ));
    assert_eq!(
        e.to_string(),
        "unit_price: Blue Dream is priced in USD; this store sells in CAD"
    );
    assert_eq!(s.pkg(id).quantity, g("28"));
}

#[test]
fn a_product_with_a_negative_price_or_cost_is_refused() {
    let mut s = Store::new();
    let mut p = product(ProductId::from_u128(0xBAD), "Cheap", Category::Flower);
    p.price = cad("-1");
    assert_eq!(
        s.err(Action::DefineProduct(p.clone())).to_string(),
        "price: Cheap cannot be negative (-1)"
    );
    p.price = cad("1");
    p.cost = cad("-0.01");
    assert_eq!(
        s.err(Action::DefineProduct(p)).to_string(),
        "cost: Cheap cannot be negative (-0.01)"
    );
}

#[test]
fn a_hold_longer_than_the_store_allows_is_named() {
    let mut s = Store::new();
    let id = s.on_floor(FLOWER, g("28"), "B-1");
    let cmd = s.command(Action::Reserve(Reserve {
        hold_id: HoldId::new(),
        customer: customer("phone:4165550100"),
        customer_name: "Pat".into(),
        channel: HoldChannel::Staff,
        lines: vec![ReserveLine {
            package_id: id,
            quantity: g("1"),
        }],
        expires_at: at() + Duration::days(365 * 7000),
    }));
    let events = s.run(&cmd).unwrap();
    let kinds: Vec<_> = events.iter().map(|e| &e.kind).collect();
    let e = domain::limits::hold_too_long(kinds.iter().copied(), Duration::hours(2)).unwrap();
    assert!(
        e.to_string()
            .starts_with("expires_at: a hold may last at most 2 hours in this store"),
        "{e}"
    );
    assert!(
        domain::limits::hold_too_long(kinds.iter().copied(), Duration::days(365 * 8000)).is_none()
    );
    assert_eq!(
        domain::limits::hold_too_long(kinds.iter().copied(), Duration::minutes(90))
            .unwrap()
            .to_string()
            .split(" in this store")
            .next(),
        Some("expires_at: a hold may last at most 90 minutes")
    );
}

#[test]
fn moving_a_package_where_it_already_is_is_refused() {
    let mut s = Store::new();
    let id = s.receive(&[(FLOWER, g("28"), "B-1")])[0];
    let e = s.err(Action::Move(Move {
        package_id: id,
        to: Zone::Vault,
    }));
    assert_eq!(e.to_string(), "1A4…1002 is already in the vault");
}

#[test]
fn splitting_into_four_equal_parts_keeps_lineage_and_quantity() {
    let mut s = Store::new();
    let src = s.receive(&[(FLOWER, g("448"), "B-1")])[0];
    let new = s.new_packages(4);
    s.ok(Action::Split(Split {
        source: src,
        new_packages: new.clone(),
        amounts: SplitAmounts::Equal { total: g("112") },
    }));
    assert_eq!(s.pkg(src).quantity, g("336"));
    assert_eq!(
        s.pkg(src).children,
        new.iter().map(|n| n.package_id).collect::<Vec<_>>()
    );
    for n in &new {
        let child = s.pkg(n.package_id);
        assert_eq!(child.quantity, g("28"));
        assert_eq!(child.parents, vec![src]);
        assert_eq!(child.batch, "B-1");
    }
    assert_conserved(&s.state);
}

#[test]
fn a_split_that_needs_more_than_is_on_hand_names_the_package_and_the_numbers() {
    let mut s = Store::new();
    let src = s.receive(&[(FLOWER, g("27.5"), "B-1")])[0];
    let new = s.new_packages(2);
    let e = s.err(Action::Split(Split {
        source: src,
        new_packages: new,
        amounts: SplitAmounts::Manual {
            amounts: vec![g("14"), g("14")],
        },
    }));
    assert_eq!(
        e.to_string(),
        "Split needs 28 g but 1A4…1002 has 27.5 g on hand"
    );
}

#[test]
fn equal_parts_that_do_not_divide_exactly_are_refused() {
    let mut s = Store::new();
    let src = s.receive(&[(FLOWER, g("100"), "B-1")])[0];
    let new = s.new_packages(3);
    let e = s.err(Action::Split(Split {
        source: src,
        new_packages: new,
        amounts: SplitAmounts::Equal { total: g("10") },
    }));
    assert!(
        matches!(e, DomainError::UnequalSplit { parts: 3, .. }),
        "{e}"
    );
}

#[test]
fn a_split_needs_fresh_tags() {
    let mut s = Store::new();
    let src = s.receive(&[(FLOWER, g("100"), "B-1")])[0];
    let used = s.pkg(src).tag.clone();
    let e = s.err(Action::Split(Split {
        source: src,
        new_packages: vec![NewPackage {
            package_id: PackageId::new(),
            tag: used.clone(),
        }],
        amounts: SplitAmounts::Manual {
            amounts: vec![g("1")],
        },
    }));
    assert_eq!(
        e,
        DomainError::TagInUse {
            tag: used.to_string()
        }
    );
    let t = tag(777_777);
    let e = s.err(Action::Split(Split {
        source: src,
        new_packages: vec![
            NewPackage {
                package_id: PackageId::new(),
                tag: t.clone(),
            },
            NewPackage {
                package_id: PackageId::new(),
                tag: t.clone(),
            },
        ],
        amounts: SplitAmounts::Manual {
            amounts: vec![g("1"), g("1")],
        },
    }));
    assert_eq!(e, DomainError::DuplicateTag { tag: t.to_string() });
}

#[test]
fn a_split_may_be_given_in_another_unit_of_weight() {
    let mut s = Store::new();
    let src = s.receive(&[(FLOWER, g("100"), "B-1")])[0];
    let new = s.new_packages(1);
    s.ok(Action::Split(Split {
        source: src,
        new_packages: new.clone(),
        amounts: SplitAmounts::Manual {
            amounts: vec![Quantity::new("500".parse().unwrap(), Unit::Milligrams)],
        },
    }));
    assert_eq!(s.pkg(new[0].package_id).quantity, g("0.5"));
}

#[test]
fn items_cannot_be_split_into_grams() {
    let mut s = Store::new();
    let src = s.receive(&[(PREROLL, each(10), "B-1")])[0];
    let new = s.new_packages(1);
    let e = s.err(Action::Split(Split {
        source: src,
        new_packages: new,
        amounts: SplitAmounts::Manual {
            amounts: vec![g("1")],
        },
    }));
    assert_eq!(
        e.to_string(),
        "split on 1A4…1002: g cannot be expressed in ea: they measure different things"
    );
}

#[test]
fn merging_two_compatible_packages_keeps_every_source_in_the_lineage() {
    let mut s = Store::new();
    let ids = s.receive(&[(FLOWER, g("10"), "B-1"), (FLOWER, g("4.5"), "B-1")]);
    let into = s.new_packages(1).remove(0);
    s.ok(Action::Merge(Merge {
        sources: ids.clone(),
        into: into.clone(),
    }));
    let merged = s.pkg(into.package_id);
    assert_eq!(merged.quantity, g("14.5"));
    assert_eq!(merged.parents, ids);
    for id in &ids {
        assert_eq!(s.pkg(*id).status, PackageStatus::Finished);
        assert!(s.pkg(*id).quantity.is_zero());
    }
    assert_conserved(&s.state);
}

#[test]
fn merging_different_batches_is_refused_with_the_policy_reason() {
    let mut s = Store::new();
    let ids = s.receive(&[(FLOWER, g("10"), "B-1"), (FLOWER, g("10"), "B-2")]);
    let into = s.new_packages(1).remove(0);
    let e = s.err(Action::Merge(Merge { sources: ids, into }));
    assert_eq!(
        e.to_string(),
        "1A4…1002 and 1A4…1003 cannot be merged: different batches (B-1 vs B-2)"
    );
}

#[test]
fn merging_different_products_is_refused() {
    let mut s = Store::new();
    let ids = s.receive(&[(PREROLL, each(10), "B-1"), (GUMMIES, each(10), "B-1")]);
    let into = s.new_packages(1).remove(0);
    let e = s.err(Action::Merge(Merge { sources: ids, into }));
    assert!(
        e.to_string()
            .contains("different products (Blue Dream Pre-roll vs Mango Gummies)"),
        "{e}"
    );
}

#[test]
fn merge_policy_can_allow_different_batches_but_not_far_apart_expiry() {
    let mut s = Store::new();
    let mut config = s.state.config.clone();
    config.merge_policy = MergePolicy {
        same_batch: false,
        same_lab_result: false,
        expiry_window_days: Some(30),
    };
    s.ok(Action::ConfigureStore(config));
    let ids = s.receive(&[(FLOWER, g("10"), "B-1"), (FLOWER, g("10"), "B-2")]);
    let id1 = ids[1];
    s.state.packages.get_mut(&id1).unwrap().expires_on =
        chrono::NaiveDate::from_ymd_opt(2028, 1, 1);
    let into = s.new_packages(1).remove(0);
    let e = s.err(Action::Merge(Merge {
        sources: ids.clone(),
        into: into.clone(),
    }));
    assert!(
        e.to_string().contains("days apart; the policy allows 30"),
        "{e}"
    );
    s.state.packages.get_mut(&id1).unwrap().expires_on =
        chrono::NaiveDate::from_ymd_opt(2027, 10, 20);
    s.ok(Action::Merge(Merge { sources: ids, into }));
}

fn destroy(id: PackageId, qty: Quantity, witness: UserId) -> Action {
    Action::Destroy(Destroy {
        package_id: id,
        quantity: qty,
        reason: DestroyReason::Damage,
        method: DestroyMethod::GrindAndMix,
        witness,
        note: None,
    })
}

#[test]
fn destruction_needs_a_witness_who_is_not_the_actor() {
    let mut s = Store::new();
    let id = s.receive(&[(FLOWER, g("10"), "B-1")])[0];
    let e = s.err(destroy(id, g("1"), MANAGER));
    assert_eq!(
        e.to_string(),
        "destruction needs a witness other than the person doing it"
    );
}

#[test]
fn destroying_everything_closes_the_package_and_nothing_sells_from_it() {
    let mut s = Store::new();
    let id = s.on_floor(FLOWER, g("10"), "B-1");
    s.ok(destroy(id, g("4"), WITNESS));
    assert_eq!(s.pkg(id).quantity, g("6"));
    assert_eq!(s.pkg(id).status, PackageStatus::Active);
    s.ok(destroy(id, g("6"), WITNESS));
    assert_eq!(s.pkg(id).status, PackageStatus::Destroyed);
    let e = s.err(Action::Sell(Sell {
        receipt_id: ReceiptId::new(),
        customer: None,
        patient: None,
        lines: vec![SellLine {
            package_id: id,
            quantity: g("1"),
            unit_price: None,
        }],
    }));
    assert_eq!(e.to_string(), "cannot sell 1A4…1002: it is destroyed");
    assert_conserved(&s.state);
}

#[test]
fn some_destruction_reasons_need_a_note() {
    let mut s = Store::new();
    let id = s.receive(&[(FLOWER, g("10"), "B-1")])[0];
    let e = s.err(Action::Destroy(Destroy {
        package_id: id,
        quantity: g("1"),
        reason: DestroyReason::RegulatoryOrder,
        method: DestroyMethod::Incinerate,
        witness: WITNESS,
        note: Some("  ".into()),
    }));
    assert_eq!(
        e.to_string(),
        "the reason \"regulatory order\" requires a note"
    );
}

fn adjust(id: PackageId, delta: &str, reason: AdjustReason, note: Option<&str>) -> Action {
    Action::Adjust(Adjust {
        package_id: id,
        delta: g(delta),
        reason,
        note: note.map(Into::into),
        count_id: None,
    })
}

#[test]
fn an_adjustment_for_theft_needs_a_note() {
    let mut s = Store::new();
    let id = s.receive(&[(FLOWER, g("10"), "B-1")])[0];
    let e = s.err(adjust(id, "-1", AdjustReason::TheftOrLoss, None));
    assert_eq!(e.to_string(), "the reason \"theft / loss\" requires a note");
    s.ok(adjust(
        id,
        "-1",
        AdjustReason::TheftOrLoss,
        Some("jar missing after shift"),
    ));
    assert_eq!(s.pkg(id).quantity, g("9"));
    assert_conserved(&s.state);
}

#[test]
fn an_adjustment_may_not_take_a_package_below_zero() {
    let mut s = Store::new();
    let id = s.receive(&[(FLOWER, g("2.5"), "B-1")])[0];
    let e = s.err(adjust(id, "-3", AdjustReason::MoistureLoss, None));
    assert_eq!(
        e.to_string(),
        "adjusting 1A4…1002 by -3 g would leave -0.5 g, below 0 g"
    );
}

fn sale_line(id: PackageId, qty: Quantity, who: Option<&str>) -> Action {
    Action::Sell(Sell {
        receipt_id: ReceiptId::new(),
        customer: who.map(customer),
        patient: None,
        lines: vec![SellLine {
            package_id: id,
            quantity: qty,
            unit_price: None,
        }],
    })
}

#[test]
fn one_sale_over_thirty_grams_is_refused_in_ontario_naming_the_excess() {
    let mut s = Store::new();
    let id = s.on_floor(FLOWER, g("100"), "B-1");
    let e = s.err(sale_line(id, g("32.5"), None));
    assert_eq!(
        e.to_string(),
        "over the 30 g dried cannabis equivalent limit by 2.5 g (this transaction would come to 32.5 g)"
    );
}

#[test]
fn purchase_limits_add_up_a_customers_sales_and_holds_of_the_day_where_the_law_counts_days() {
    let mut s = Store::new();
    let mut config = s.state.config.clone();
    config.jurisdiction = Jurisdiction::california();
    s.ok(Action::ConfigureStore(config));
    let flower = s.on_floor(FLOWER, g("100"), "B-1");
    let prerolls = s.on_floor(PREROLL, each(100), "B-1");
    s.ok(sale_line(flower, g("20"), Some("Alex-555")));
    // 10 pre-rolls of 0.5 g = 5 g of non-concentrated cannabis, on hold for pickup.
    s.ok(Action::Reserve(Reserve {
        hold_id: HoldId::new(),
        customer: customer("alex-555"),
        customer_name: "Alex".into(),
        channel: HoldChannel::Online,
        lines: vec![ReserveLine {
            package_id: prerolls,
            quantity: each(10),
        }],
        expires_at: at() + Duration::hours(2),
    }));
    let e = s.err(sale_line(flower, g("4"), Some("ALEX-555")));
    assert_eq!(
        e.to_string(),
        "over the 28.5 g non-concentrated cannabis limit by 0.5 g (this order would bring the day's total to 29 g)"
    );
    s.ok(sale_line(flower, g("3.5"), Some("alex-555")));
    s.ok(sale_line(flower, g("20"), Some("someone-else")));
}

fn reserve(id: PackageId, qty: Quantity, who: &str, hold: HoldId) -> Action {
    Action::Reserve(Reserve {
        hold_id: hold,
        customer: customer(who),
        customer_name: "Sam".into(),
        channel: HoldChannel::Online,
        lines: vec![ReserveLine {
            package_id: id,
            quantity: qty,
        }],
        expires_at: at() + Duration::hours(2),
    })
}

#[test]
fn held_stock_cannot_be_sold_except_by_fulfilling_the_hold() {
    let mut s = Store::new();
    let id = s.on_floor(PREROLL, each(1), "B-1");
    let hold = HoldId::new();
    s.ok(reserve(id, each(1), "sam", hold));
    assert_eq!(s.state.available_to_sell(PREROLL), 0.into());
    let e = s.err(sale_line(id, each(1), None));
    assert_eq!(
        e.to_string(),
        "Sell needs 1 ea but 1A4…1002 has 0 ea on hand (1 ea more is held for pickup)"
    );
    let e = s.err(reserve(id, each(1), "someone-else", HoldId::new()));
    assert!(matches!(e, DomainError::Insufficient { .. }));
    s.ok(Action::FulfilHold(FulfilHold {
        hold_id: hold,
        receipt_id: ReceiptId::new(),
    }));
    assert_eq!(s.pkg(id).quantity, each(0));
    assert_eq!(s.pkg(id).held, 0.into());
    assert_conserved(&s.state);
}

#[test]
fn a_hold_expires_only_when_its_time_has_come() {
    let mut s = Store::new();
    let id = s.on_floor(PREROLL, each(5), "B-1");
    let hold = HoldId::new();
    s.ok(reserve(id, each(2), "sam", hold));
    let e = s.err(Action::ExpireHold(HoldRef { hold_id: hold }));
    assert!(matches!(e, DomainError::HoldNotExpired { .. }));
    let mut cmd = s.command(Action::ExpireHold(HoldRef { hold_id: hold }));
    cmd.at = at() + Duration::hours(2);
    s.run(&cmd).unwrap();
    assert_eq!(s.pkg(id).held, 0.into());
    assert!(s.state.holds.is_empty());
    let e = s.err(Action::ReleaseHold(HoldRef { hold_id: hold }));
    assert!(matches!(e, DomainError::UnknownHold { .. }));
}

#[test]
fn held_stock_cannot_move_to_the_vault() {
    let mut s = Store::new();
    let id = s.on_floor(PREROLL, each(5), "B-1");
    s.ok(reserve(id, each(2), "sam", HoldId::new()));
    let e = s.err(Action::Move(Move {
        package_id: id,
        to: Zone::Vault,
    }));
    assert_eq!(
        e.to_string(),
        "cannot move 1A4…1002: 2 ea of it is held for pickup orders"
    );
}

#[test]
fn a_return_goes_back_against_its_receipt_and_never_more_than_was_sold() {
    let mut s = Store::new();
    let id = s.on_floor(PREROLL, each(5), "B-1");
    let receipt = ReceiptId::from_u128(42);
    s.ok(Action::Sell(Sell {
        receipt_id: receipt,
        customer: None,
        patient: None,
        lines: vec![SellLine {
            package_id: id,
            quantity: each(3),
            unit_price: None,
        }],
    }));
    let ret = |n| {
        Action::Return(ReturnGoods {
            return_id: ReturnId::new(),
            receipt_id: receipt,
            lines: vec![ReturnLine {
                package_id: id,
                quantity: each(n),
            }],
            disposition: ReturnDisposition::Restock,
        })
    };
    s.ok(ret(2));
    assert_eq!(s.pkg(id).quantity, each(4));
    let e = s.err(ret(2));
    assert_eq!(
        e.to_string(),
        format!("cannot return 2 ea of 1A4…1002: receipt {receipt} sold 3 ea and 2 ea was already returned")
    );
    assert_conserved(&s.state);
}

#[test]
fn a_quarantined_return_puts_the_package_on_hold() {
    let mut s = Store::new();
    let id = s.on_floor(PREROLL, each(5), "B-1");
    let receipt = ReceiptId::new();
    s.ok(Action::Sell(Sell {
        receipt_id: receipt,
        customer: None,
        patient: None,
        lines: vec![SellLine {
            package_id: id,
            quantity: each(1),
            unit_price: None,
        }],
    }));
    s.ok(Action::Return(ReturnGoods {
        return_id: ReturnId::new(),
        receipt_id: receipt,
        lines: vec![ReturnLine {
            package_id: id,
            quantity: each(1),
        }],
        disposition: ReturnDisposition::Quarantine,
    }));
    assert_eq!(
        s.pkg(id).status,
        PackageStatus::OnHold(HoldReason::CustomerReturn)
    );
    let e = s.err(sale_line(id, each(1), None));
    assert_eq!(
        e.to_string(),
        "cannot sell 1A4…1002: it is on hold (customer return)"
    );
}

#[test]
fn a_count_needs_a_witness_and_records_what_the_ledger_expected() {
    let mut s = Store::new();
    let id = s.receive(&[(FLOWER, g("28"), "B-1")])[0];
    let count = CountId::new();
    s.ok(Action::PlanCount(PlanCount {
        count_id: count,
        scope: CountScope::Packages(vec![id]),
    }));
    let mut cmd = s.command(Action::RecordCount(RecordCount {
        count_id: count,
        package_id: id,
        counted: g("27.8"),
        witness: MANAGER,
    }));
    assert!(matches!(
        s.run(&cmd),
        Err(DomainError::WitnessIsActor { .. })
    ));
    cmd.mutation_id = MutationId::new();
    if let Action::RecordCount(c) = &mut cmd.action {
        c.witness = WITNESS;
    }
    s.run(&cmd).unwrap();
    let line = &s.state.counts[&count].lines[0];
    assert_eq!(line.latest().unwrap().expected, g("28"));
    s.ok(Action::Adjust(Adjust {
        package_id: id,
        delta: g("-0.2"),
        reason: AdjustReason::CountCorrection,
        note: None,
        count_id: Some(count),
    }));
    assert_eq!(s.pkg(id).quantity, g("27.8"));
    assert!(s.state.counts[&count].lines[0].corrected);
}

/// Plans a count of one package and records `counted` by `counter` (witnessed by the other).
fn count_one(s: &mut Store, id: PackageId, counted: Quantity) -> CountId {
    let count = CountId::new();
    s.ok(Action::PlanCount(PlanCount {
        count_id: count,
        scope: CountScope::Packages(vec![id]),
    }));
    s.ok(Action::RecordCount(RecordCount {
        count_id: count,
        package_id: id,
        counted,
        witness: WITNESS,
    }));
    count
}

fn recount_by_witness(
    s: &mut Store,
    count: CountId,
    id: PackageId,
    counted: Quantity,
) -> Result<Vec<Event>, DomainError> {
    let mut cmd = s.command(Action::RecordCount(RecordCount {
        count_id: count,
        package_id: id,
        counted,
        witness: MANAGER,
    }));
    cmd.actor = WITNESS;
    s.run(&cmd)
}

#[test]
fn a_count_by_zone_covers_the_open_packages_there_and_remembers_their_start() {
    let mut s = Store::new();
    let ids = s.receive(&[(FLOWER, g("10"), "B-1"), (PREROLL, each(20), "B-2")]);
    let floor = s.on_floor(GUMMIES, each(5), "B-3");
    let count = CountId::new();
    s.ok(Action::PlanCount(PlanCount {
        count_id: count,
        scope: CountScope::Zone(Zone::Vault),
    }));
    let c = &s.state.counts[&count];
    assert_eq!(c.lines.len(), 2);
    assert!(c.line(&ids[0]).is_some() && c.line(&ids[1]).is_some());
    assert!(c.line(&floor).is_none());
    assert_eq!(c.line(&ids[1]).unwrap().at_start, each(20));
    let e = s.err(Action::PlanCount(PlanCount {
        count_id: CountId::new(),
        scope: CountScope::Packages(vec![ids[0]]),
    }));
    assert!(e.to_string().contains("is already in open count"), "{e}");
    let e = s.err(Action::PlanCount(PlanCount {
        count_id: CountId::new(),
        scope: CountScope::Category(Category::Seed),
    }));
    assert_eq!(e.to_string(), "scope: there are no open packages in Seeds");
}

#[test]
fn a_sale_during_a_count_is_no_variance() {
    let mut s = Store::new();
    let id = s.on_floor(PREROLL, each(20), "B-1");
    let count = CountId::new();
    s.ok(Action::PlanCount(PlanCount {
        count_id: count,
        scope: CountScope::Packages(vec![id]),
    }));
    s.ok(sale_line(id, each(3), None));
    s.ok(Action::RecordCount(RecordCount {
        count_id: count,
        package_id: id,
        counted: each(17),
        witness: WITNESS,
    }));
    let line = s.state.counts[&count].line(&id).unwrap();
    assert_eq!(line.at_start, each(20));
    assert_eq!(line.latest().unwrap().variance(), Decimal::ZERO);
    let events = s.ok(Action::AcceptCount(CountRef { count_id: count }));
    assert_eq!(events.len(), 1, "no correction, only the acceptance");
    assert_eq!(s.pkg(id).quantity, each(17));
}

#[test]
fn a_variance_over_the_threshold_needs_a_recount_by_someone_else_before_it_is_accepted() {
    let mut s = Store::new();
    let id = s.receive(&[(PREROLL, each(100), "B-1")])[0];
    // Ontario's threshold is 2%: 90 of 100 is 10% off.
    let count = count_one(&mut s, id, each(90));
    let e = s.err(Action::AcceptCount(CountRef { count_id: count }));
    assert_eq!(
        e.to_string(),
        "1A4…1002 is off by -10 ea (10% of 100 ea), over the 2% threshold: a different counter must recount it before the count can be accepted"
    );
    let e = s.err(Action::RecordCount(RecordCount {
        count_id: count,
        package_id: id,
        counted: each(91),
        witness: WITNESS,
    }));
    assert_eq!(
        e.to_string(),
        "1A4…1002 was counted by you; a recount needs a different counter"
    );
    recount_by_witness(&mut s, count, id, each(92)).unwrap();
    assert_eq!(
        s.state.counts[&count].lines[0].state(Decimal::from(2)),
        domain::count::LineState::Recounted
    );
    let events = s.ok(Action::AcceptCount(CountRef { count_id: count }));
    match &events[0].kind {
        EventKind::PackageAdjusted {
            delta,
            reason,
            count_id,
            ..
        } => {
            assert_eq!(*delta, each(-8));
            assert_eq!(*reason, AdjustReason::CountCorrection);
            assert_eq!(*count_id, Some(count));
        }
        other => panic!("expected an adjustment, got {other:?}"),
    }
    assert_eq!(s.pkg(id).quantity, each(92));
    assert!(!s.state.counts[&count].is_open());
    let e = s.err(Action::AcceptCount(CountRef { count_id: count }));
    assert!(matches!(e, DomainError::UnknownCount { .. }));
}

#[test]
fn a_small_variance_is_accepted_as_a_count_correction_without_a_recount() {
    let mut s = Store::new();
    let id = s.receive(&[(FLOWER, g("100"), "B-1")])[0];
    let count = count_one(&mut s, id, g("99"));
    s.ok(Action::AcceptCount(CountRef { count_id: count }));
    assert_eq!(s.pkg(id).quantity, g("99"));
    assert_eq!(s.state.totals[&FLOWER].adjusted, Decimal::from(-1));
}

#[test]
fn only_an_empty_package_can_be_finished() {
    let mut s = Store::new();
    let id = s.receive(&[(FLOWER, g("1"), "B-1")])[0];
    let e = s.err(Action::Finish(PackageRef { package_id: id }));
    assert_eq!(e.to_string(), "cannot finish 1A4…1002: it still has 1 g");
    s.ok(adjust(id, "-1", AdjustReason::MoistureLoss, None));
    s.ok(Action::Finish(PackageRef { package_id: id }));
    assert_eq!(s.pkg(id).status, PackageStatus::Finished);
}

#[test]
fn a_recalled_package_neither_sells_nor_splits_until_released() {
    let mut s = Store::new();
    let id = s.on_floor(FLOWER, g("10"), "B-1");
    s.ok(Action::PlaceOnHold(PlaceOnHold {
        package_id: id,
        reason: HoldReason::Recall,
    }));
    assert_eq!(
        s.err(sale_line(id, g("1"), None)).to_string(),
        "cannot sell 1A4…1002: it is on hold (recall)"
    );
    let new = s.new_packages(1);
    let e = s.err(Action::Split(Split {
        source: id,
        new_packages: new,
        amounts: SplitAmounts::Manual {
            amounts: vec![g("1")],
        },
    }));
    assert_eq!(
        e.to_string(),
        "cannot split 1A4…1002: it is on hold (recall)"
    );
    s.ok(Action::Release(PackageRef { package_id: id }));
    s.ok(sale_line(id, g("1"), None));
    assert_eq!(
        s.err(Action::Release(PackageRef { package_id: id }))
            .to_string(),
        "1A4…1002 is not on hold"
    );
}

#[test]
fn a_failed_lab_result_arrives_on_hold() {
    let mut s = Store::new();
    let mut l = lab("FAIL-1");
    l.state = LabState::Failed;
    s.ok(Action::Receive(Receive {
        manifest_number: "M-FAIL".into(),
        lines: vec![ReceiveLine {
            package_id: PackageId::from_u128(9),
            tag: tag(9),
            product_id: FLOWER,
            shipped: g("10"),
            batch: "B".into(),
            lab: l,
            packaged_on: at().date_naive(),
            expires_on: None,
            decision: LineDecision::Accept,
        }],
    }));
    assert_eq!(
        s.pkg(PackageId::from_u128(9)).status,
        PackageStatus::OnHold(HoldReason::LabFail)
    );
}

#[test]
fn the_same_mutation_applied_twice_has_the_effect_of_once() {
    let mut s = Store::new();
    let id = s.on_floor(FLOWER, g("10"), "B-1");
    let cmd = s.command(sale_line(id, g("1"), None));
    assert_eq!(s.run(&cmd).unwrap().len(), 1);
    assert!(s.run(&cmd).unwrap().is_empty());
    assert_eq!(s.pkg(id).quantity, g("9"));
}

#[test]
fn state_and_events_survive_a_round_trip_through_json() {
    let mut s = Store::new();
    let id = s.on_floor(PREROLL, each(5), "B-1");
    s.ok(reserve(id, each(2), "sam", HoldId::new()));
    let json = serde_json::to_string(&s.events).unwrap();
    let back: Vec<Event> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s.events);
    let state_json = serde_json::to_string(&s.state).unwrap();
    let state: State = serde_json::from_str(&state_json).unwrap();
    assert_eq!(state, s.state);
    assert_eq!(State::replay(&back), s.state);
}

#[test]
fn a_refusal_serializes_with_a_code_and_keeps_its_message() {
    let e = DomainError::NoteRequired {
        reason: "other".into(),
    };
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(v["code"], "note_required");
    assert_eq!(e.code(), "note_required");
    let back: DomainError = serde_json::from_value(v).unwrap();
    assert_eq!(back.to_string(), "the reason \"other\" requires a note");
}

#[test]
fn commands_with_unknown_fields_are_refused_when_parsed() {
    let raw =
        r#"{"package_id":"00000000-0000-0000-0000-000000000001","to":"Vault","speed":"fast"}"#;
    let err = serde_json::from_str::<Move>(raw).unwrap_err();
    assert!(err.to_string().contains("unknown field `speed`"), "{err}");
}

#[test]
fn an_order_moves_forward_from_preparing_to_ready_and_never_back() {
    let mut s = Store::new();
    let id = s.on_floor(PREROLL, each(5), "B-1");
    let hold = HoldId::new();
    s.ok(reserve(id, each(2), "sam", hold));
    let advance = |stage| {
        Action::AdvanceOrder(AdvanceOrder {
            hold_id: hold,
            stage,
        })
    };
    assert_eq!(s.ok(advance(OrderStage::Preparing)).len(), 1);
    // Asking again for the stage it is at records nothing.
    assert!(s.ok(advance(OrderStage::Preparing)).is_empty());
    s.ok(advance(OrderStage::Ready));
    assert_eq!(s.state.holds[&hold].stage, Some(OrderStage::Ready));
    let e = s.err(advance(OrderStage::Preparing));
    assert!(e.to_string().contains("cannot go back"), "{e}");
    // The stock stays held through every stage.
    assert_eq!(s.pkg(id).held, 2.into());
    let e = s.err(Action::AdvanceOrder(AdvanceOrder {
        hold_id: HoldId::new(),
        stage: OrderStage::Ready,
    }));
    assert!(matches!(e, DomainError::UnknownHold { .. }));
}
