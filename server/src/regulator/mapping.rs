//! From a ledger event to the Metrc bodies that tell the regulator of it. Pure: it reads the
//! store's state and builds requests; the worker sends them.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use domain::{
    event::MergedSource, reason_map::ReasonMap, AdjustReason, DestroyMethod, DestroyReason, Event,
    EventKind, Package, PackageId, Product, Quantity, State, StoreConfig,
};
use metrc::wire::{AdjustPackage, CreatePackage, Ingredient, ReceiptBody, TransactionBody};
use rust_decimal::Decimal;

use super::RelayError;

/// A package and the product it is of, or why the ledger cannot say.
pub fn package_of<'a>(
    state: &'a State,
    id: &PackageId,
) -> Result<(&'a Package, &'a Product), RelayError> {
    let p = state
        .packages
        .get(id)
        .ok_or_else(|| RelayError::Ledger(format!("package {id} is not in the ledger")))?;
    Ok((p, product_of(state, p)?))
}

/// The product a package is of, or why the ledger cannot say.
pub fn product_of<'a>(state: &'a State, p: &Package) -> Result<&'a Product, RelayError> {
    state.products.get(&p.product_id).ok_or_else(|| {
        RelayError::Ledger(format!(
            "the product of package {} is not in the ledger",
            p.tag
        ))
    })
}

/// A ledger quantity in the regulator item's unit; a product without a mapping cannot be sent.
pub fn reg_qty(product: &Product, q: Quantity) -> Result<(Decimal, String), RelayError> {
    let mapping = product.regulator.as_ref().ok_or_else(|| {
        RelayError::Mapping(format!(
            "{} is not mapped to a regulator Item",
            product.name
        ))
    })?;
    let converted = q.convert(mapping.unit_of_measure).map_err(|e| {
        RelayError::Mapping(format!(
            "{}: {e} (Item {} is measured in {})",
            product.name,
            mapping.item_name,
            mapping.unit_of_measure.regulator_name()
        ))
    })?;
    Ok((
        converted.amount,
        mapping.unit_of_measure.regulator_name().to_owned(),
    ))
}

/// Metrc wants the facility's local time without a zone.
pub fn local_time(config: &StoreConfig, at: DateTime<Utc>) -> NaiveDateTime {
    config.local_time(at)
}

/// Whether the event is a sale that becomes a receipt.
pub fn is_sale(e: &Event) -> bool {
    matches!(
        e.kind,
        EventKind::Sold { .. } | EventKind::HoldFulfilled { .. }
    )
}

/// The Metrc receipt for a sale event.
pub fn receipt(state: &State, event: &Event) -> Result<ReceiptBody, RelayError> {
    let (EventKind::Sold { receipt } | EventKind::HoldFulfilled { receipt, .. }) = &event.kind
    else {
        return Err(RelayError::Ledger(format!(
            "change {} is not a sale",
            event.mutation_id
        )));
    };
    let mut lines = Vec::new();
    for l in &receipt.lines {
        let (p, prod) = package_of(state, &l.package_id)?;
        let (q, unit) = reg_qty(prod, l.quantity)?;
        lines.push(TransactionBody {
            package_label: p.tag.to_string(),
            quantity: q,
            unit_of_measure: unit,
            total_amount: l.line_total.amount,
        });
    }
    Ok(ReceiptBody {
        id: None,
        sales_date_time: local_time(&state.config, event.at),
        external_receipt_number: Some(receipt.receipt_id.to_string()),
        sales_customer_type: match receipt.patient {
            Some(_) => "Patient".into(),
            None => "Consumer".into(),
        },
        patient_license_number: receipt.patient.as_ref().map(|p| p.to_string()),
        transactions: lines,
    })
}

/// The new packages of a split: one per child, each taking its quantity from the source.
pub fn split(
    state: &State,
    source: &PackageId,
    children: &[Package],
    date: NaiveDate,
) -> Result<Vec<CreatePackage>, RelayError> {
    let (src, prod) = package_of(state, source)?;
    children
        .iter()
        .map(|child| {
            let (q, unit) = reg_qty(prod, child.quantity)?;
            Ok(CreatePackage {
                note: None,
                tag: child.tag.to_string(),
                item: None,
                quantity: q,
                unit_of_measure: unit.clone(),
                use_same_item: true,
                actual_date: date,
                location: None,
                ingredients: vec![Ingredient {
                    package: src.tag.to_string(),
                    quantity: q,
                    unit_of_measure: unit,
                }],
            })
        })
        .collect()
}

/// The one new package of a merge, taking from every source.
pub fn merge(
    state: &State,
    sources: &[MergedSource],
    package: &Package,
    date: NaiveDate,
) -> Result<CreatePackage, RelayError> {
    let prod = product_of(state, package)?;
    let mut ingredients = Vec::new();
    for s in sources {
        let (p, _) = package_of(state, &s.package_id)?;
        let (q, unit) = reg_qty(prod, s.quantity)?;
        ingredients.push(Ingredient {
            package: p.tag.to_string(),
            quantity: q,
            unit_of_measure: unit,
        });
    }
    let (q, unit) = reg_qty(prod, package.quantity)?;
    Ok(CreatePackage {
        note: None,
        tag: package.tag.to_string(),
        item: None,
        quantity: q,
        unit_of_measure: unit,
        use_same_item: true,
        actual_date: date,
        location: None,
        ingredients,
    })
}

/// An adjustment by `delta` with Metrc's reason name and a note.
pub fn adjustment(
    state: &State,
    package: &PackageId,
    delta: Quantity,
    reason: &str,
    note: Option<String>,
    date: NaiveDate,
) -> Result<AdjustPackage, RelayError> {
    let (p, prod) = package_of(state, package)?;
    let (q, unit) = reg_qty(prod, delta)?;
    Ok(AdjustPackage {
        label: p.tag.to_string(),
        quantity: q,
        unit_of_measure: unit,
        adjustment_reason: reason.to_owned(),
        adjustment_date: date,
        reason_note: note,
    })
}

/// The facility reason an adjustment for `reason` is sent as: the mapped one, or Metrc's common
/// name while no list has ever been read. Unmapped since it was recorded: a person must map it.
pub fn reason_name(map: Option<&ReasonMap>, reason: AdjustReason) -> Result<String, RelayError> {
    match map {
        None => Ok(reason.regulator_name().to_owned()),
        Some(m) => m.for_adjust(reason).map(str::to_owned).ok_or_else(|| {
            RelayError::Mapping(format!(
                "{} has no Metrc adjustment reason for this facility: map it under Settings, Metrc adjustment reasons",
                reason.label()
            ))
        }),
    }
}

/// The facility reason a destruction is sent as (see `reason_name`).
fn destruction_name(map: Option<&ReasonMap>) -> Result<String, RelayError> {
    match map {
        None => Ok(domain::reason_map::DESTRUCTION_DEFAULT.to_owned()),
        Some(m) => m.destruction.clone().ok_or_else(|| {
            RelayError::Mapping(
                "destruction has no Metrc adjustment reason for this facility: map it under Settings, Metrc adjustment reasons".into(),
            )
        }),
    }
}

/// A destruction as Metrc records one at a retailer: waste under the facility's reason, with the
/// reason and method in words.
pub fn destruction(
    state: &State,
    map: Option<&ReasonMap>,
    package: &PackageId,
    quantity: Quantity,
    words: String,
    date: NaiveDate,
) -> Result<AdjustPackage, RelayError> {
    let negative = Quantity::new(-quantity.amount, quantity.unit);
    let name = destruction_name(map)?;
    adjustment(state, package, negative, &name, Some(words), date)
}

/// A destruction's reason and method in words, for the adjustment's note.
pub fn destruction_words(
    reason: DestroyReason,
    method: DestroyMethod,
    note: Option<&str>,
) -> String {
    format!(
        "Destroyed ({}), {}{}",
        reason.label(),
        method.label(),
        note.map(|n| format!(": {n}")).unwrap_or_default()
    )
}
