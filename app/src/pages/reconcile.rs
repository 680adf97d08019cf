//! Reconciliation: ledger, last count and regulator side by side for each product and package
//! that needs attention, with one diagnosis each. The actions follow the diagnosis: wait, fix the
//! mapping, void a duplicate, count, and only for a counted variance, adjust.

use domain::{
    command::{Adjust, PlanCount},
    count::CountScope,
    reconcile::{Diagnosis, DuplicateKind, PackageRow, ProductRow, ReconcileReport, SyncHalt},
    Action, CountId, Quantity,
};
use leptos::prelude::*;
use leptos_router::components::A;
use rust_decimal::Decimal;

use crate::words::fmt_q;
use crate::{
    api::{self, SyncFailure},
    components::{alerts::Alerts, page::Page},
    replica::use_replica,
};

fn short(tag: &str) -> String {
    format!("…{}", &tag[tag.len().saturating_sub(6)..])
}

/// The domain's words as a sentence: capitalised.
fn sentence(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn class_of(d: &Diagnosis) -> &'static str {
    match d {
        Diagnosis::SyncHalted { .. } | Diagnosis::Duplication { .. } => "status danger",
        Diagnosis::Mapping { .. } | Diagnosis::Variance { .. } => "status warn",
        Diagnosis::Timing { .. } | Diagnosis::InAgreement => "status muted",
    }
}

fn slug(d: &Diagnosis) -> &'static str {
    match d {
        Diagnosis::SyncHalted { .. } => "sync_halted",
        Diagnosis::Mapping { .. } => "mapping",
        Diagnosis::Timing { .. } => "timing",
        Diagnosis::Duplication { .. } => "duplication",
        Diagnosis::Variance { .. } => "variance",
        Diagnosis::InAgreement => "in_agreement",
    }
}

fn reg_words(q: Option<Decimal>, unit: &Option<String>) -> String {
    match q {
        Some(q) => format!("{} {}", q.normalize(), unit.as_deref().unwrap_or("")),
        None => "—".into(),
    }
}

fn halt_words(h: &SyncHalt) -> String {
    match h {
        SyncHalt::AuthFailed { since, cause } => format!(
            "Regulator sync is halted since {}: the key was refused ({cause}). No count is questioned while the connection is broken; save a new key in Settings.",
            since.format("%Y-%m-%d %H:%M UTC")
        ),
        SyncHalt::RegulatorDown { since, cause } => format!(
            "The regulator cannot be reached since {} ({cause}). No count is questioned while the connection is broken.",
            since.format("%Y-%m-%d %H:%M UTC")
        ),
    }
}

/// The page.
#[component]
pub fn Reconcile() -> impl IntoView {
    let again = RwSignal::new(0u32);
    let report = LocalResource::new(move || {
        again.track();
        async move { api::reconcile().await }
    });
    view! {
        <Page title="Reconcile" lead="Ledger, shelf and regulator side by side. Each difference is explained before any quantity changes." testid="page-reconcile">
            <Alerts />
            <div class="toolbar">
                <p class="sub">"Checked in order: sync, mapping, timing, duplicates, and only then a genuine variance."</p>
                <button type="button" class="button" data-testid="reconcile-refresh" on:click=move |_| again.update(|n| *n += 1)>"Check again"</button>
            </div>
            <Suspense fallback=|| view! { <p class="muted" data-testid="reconcile-loading">"Reading the regulator's packages…"</p> }>
                {move || report.get().map(|r| match r {
                    Err(SyncFailure::Offline) => view! { <p class="banner warn">"Reconciliation reads the regulator through the server; it needs a connection."</p> }.into_any(),
                    Err(SyncFailure::SignedOut) => view! { <p class="banner warn">"Sign in again to reconcile."</p> }.into_any(),
                    Err(SyncFailure::Server(m)) => view! { <p class="banner error" role="alert">{m}</p> }.into_any(),
                    Ok(r) => view! { <Body report=r again=again /> }.into_any(),
                })}
            </Suspense>
        </Page>
    }
}

#[component]
fn Body(report: ReconcileReport, again: RwSignal<u32>) -> impl IntoView {
    let off = report.packages.len();
    view! {
        {report.halt.as_ref().map(|h| view! { <p class="banner error" role="alert" data-testid="reconcile-halt">{halt_words(h)}</p> })}
        <p class="summary" data-testid="reconcile-summary">{format!(
            "{} packages compared at {}: {} in agreement, {} need attention.",
            report.packages_compared, report.checked_at.format("%H:%M:%S UTC"), report.in_agreement, off
        )}</p>
        {(!report.products.is_empty()).then(|| view! {
            <h2 class="section">"Products"</h2>
            <table class="grid" data-testid="reconcile-products">
                <thead><tr><th>"Product"</th><th class="num">"Ledger"</th><th class="num">"Counted"</th><th class="num">"Regulator"</th><th>"Diagnosis"</th></tr></thead>
                <tbody>{report.products.iter().map(|p| view! { <ProductLine row=p.clone() /> }).collect_view()}</tbody>
            </table>
        })}
        {(!report.packages.is_empty()).then(|| {
            // One mapping problem is the product's, not each package's: shown once per product.
            let mut mapped: Vec<(String, String, Vec<PackageRow>)> = Vec::new();
            let mut rest = Vec::new();
            for r in report.packages {
                match &r.diagnosis {
                    Diagnosis::Mapping { problem } => {
                        match mapped.iter_mut().find(|(n, p, _)| *n == r.product_name && p == problem) {
                            Some((_, _, v)) => v.push(r),
                            None => mapped.push((r.product_name.clone(), problem.clone(), vec![r])),
                        }
                    }
                    _ => rest.push(r),
                }
            }
            view! {
                <h2 class="section">"Packages"</h2>
                <ul class="recon-list">
                    {mapped.into_iter().map(|(name, problem, rows)| view! { <MappingLine name=name problem=problem rows=rows /> }).collect_view()}
                    {rest.into_iter().map(|r| view! { <PackageLine row=r again=again /> }).collect_view()}
                </ul>
            }
        })}
        {(!report.regulator_only.is_empty()).then(|| view! {
            <h2 class="section">"Only at the regulator"</h2>
            <p class="sub">"Active at the regulator, closed or unknown in the ledger: find them on the shelf before anything else."</p>
            <ul class="mono" data-testid="recon-regulator-only">{report.regulator_only.iter().map(|t| view! { <li>{t.clone()}</li> }).collect_view()}</ul>
        })}
        {(!report.rejected_at_receiving.is_empty()).then(|| view! {
            <h2 class="section">"Refused at receiving"</h2>
            <p class="sub">"Refused on arrival and going back to the shipper; the regulator lists them here until the shipper takes them back. Nothing to find or adjust."</p>
            <ul class="recon-list" data-testid="recon-rejected">
                {report.rejected_at_receiving.iter().map(|r| view! {
                    <li class="panel" data-testid="recon-rejected-package" data-tag=r.tag.clone()>
                        <span class="mono">{r.tag.clone()}</span>
                        <span class="sub">{format!(" · manifest {} · refused {}: {}", r.manifest_number, r.rejected_at.format("%Y-%m-%d"), r.reason)}</span>
                    </li>
                }).collect_view()}
            </ul>
        })}
    }
}

#[component]
fn ProductLine(row: ProductRow) -> impl IntoView {
    view! {
        <tr data-testid="recon-product" data-diagnosis=slug(&row.diagnosis)>
            <td>{row.name.clone()}<br /><span class="sub">{format!("{} · {} package(s)", row.sku, row.packages_off)}</span></td>
            <td class="num">{fmt_q(row.ledger)}</td>
            <td class="num">{row.counted.map(|c| fmt_q(Quantity::new(c, row.ledger.unit))).unwrap_or_else(|| "—".into())}</td>
            <td class="num">{row.regulator.map(|q| q.normalize().to_string()).unwrap_or_else(|| "—".into())}</td>
            <td><span class=class_of(&row.diagnosis)>{row.diagnosis.label()}</span></td>
        </tr>
    }
}

/// A mapping problem shared by a product's packages.
#[component]
fn MappingLine(name: String, problem: String, rows: Vec<PackageRow>) -> impl IntoView {
    let n = rows.len();
    view! {
        <li class="panel recon" data-testid="recon-package" data-diagnosis="mapping">
            <div class="manifest-head">
                <h3>{name}</h3>
                <span class="status warn" data-testid="recon-diagnosis">"Mapping"</span>
            </div>
            <p data-testid="recon-explain">{format!("{}. Fix the product's mapping, not the count.", sentence(&problem))}</p>
            <p class="sub">{format!("{n} package{}: ", if n == 1 { "" } else { "s" })}
                {rows.into_iter().map(|r| view! {
                    <A href=format!("/packages/{}", r.package_id)>{short(&r.tag)}</A>" "
                }).collect_view()}
            </p>
        </li>
    }
}

/// What the diagnosis means, in words.
fn explain(row: &PackageRow) -> String {
    match &row.diagnosis {
        Diagnosis::SyncHalted { .. } => "Not questioned while sync is halted.".into(),
        Diagnosis::Mapping { problem } => format!("{}. Fix the mapping, not the count.", sentence(problem)),
        Diagnosis::Timing { in_flight } => format!(
            "{} on its way to the regulator since {}. Wait: there is nothing to adjust.",
            if in_flight.changes == 1 { "1 change".to_owned() } else { format!("{} changes", in_flight.changes) },
            in_flight.oldest.format("%H:%M UTC")
        ),
        Diagnosis::Duplication { duplicates } => duplicates
            .iter()
            .map(|d| match d.kind {
                DuplicateKind::Receipt => format!(
                    "The regulator recorded receipt {} twice (copy {} took {} more). Void the copy; never adjust to split the difference.",
                    short(&d.reference), d.regulator_id, d.quantity.normalize()
                ),
                DuplicateKind::Manifest => format!(
                    "The regulator shows this package twice from manifest {} (copy {}). Ask the regulator to void the copy.",
                    d.reference, d.regulator_id
                ),
                DuplicateKind::Adjustment => format!(
                    "The regulator recorded an adjustment twice (copy {}).", d.regulator_id
                ),
            })
            .collect::<Vec<_>>()
            .join(" "),
        Diagnosis::Variance { count_gap: Some(g), proposal: Some(_), .. } => format!(
            "The count found {} against the ledger. Nothing else explains it: confirm a count correction.",
            fmt_q(Quantity::new(g.normalize(), row.ledger.unit))
        ),
        Diagnosis::Variance { regulator_gap, .. } => format!(
            "The ledger holds {} more than the regulator and nothing explains it yet. Count the package before changing anything.",
            regulator_gap.map(|g| g.normalize().to_string()).unwrap_or_default()
        ),
        Diagnosis::InAgreement => "In agreement.".into(),
    }
}

#[component]
fn PackageLine(row: PackageRow, again: RwSignal<u32>) -> impl IntoView {
    let replica = use_replica();
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let confirming = RwSignal::new(false);
    let words = explain(&row);
    let tag = row.tag.clone();
    let count = row.count.clone();
    let action = match &row.diagnosis {
        Diagnosis::Duplication { duplicates } => duplicates
            .iter()
            .find(|d| d.kind == DuplicateKind::Receipt)
            .map(|d| RowAction::Void(d.regulator_id, d.quantity)),
        Diagnosis::Variance {
            proposal: Some(p), ..
        } => Some(RowAction::Adjust(p.clone())),
        Diagnosis::Variance { proposal: None, .. } => Some(RowAction::Count),
        _ => None,
    };
    let package_id = row.package_id;
    let ledger = row.ledger;
    let navigate = StoredValue::new_local(leptos_router::hooks::use_navigate());
    let act = move |a: RowAction| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match a {
                RowAction::Void(id, _) => match api::void_receipt(id).await {
                    Ok(v) => {
                        done.set(Some(format!(
                            "Voided the regulator's copy of receipt {}.",
                            short(&v.external_receipt_number)
                        )));
                        again.update(|n| *n += 1);
                    }
                    Err(m) => error.set(Some(m)),
                },
                RowAction::Adjust(adj) => match replica.submit(Action::Adjust(adj)).await {
                    Ok(_) => done.set(Some(
                        "Count correction recorded; it goes to the regulator next.".into(),
                    )),
                    Err(e) => error.set(Some(e.to_string())),
                },
                RowAction::Count => {
                    let count_id = CountId::new();
                    match replica
                        .submit(Action::PlanCount(PlanCount {
                            count_id,
                            scope: CountScope::Packages(vec![package_id]),
                        }))
                        .await
                    {
                        Ok(_) => navigate.with_value(|nav| {
                            nav(&format!("/counts/{count_id}"), Default::default())
                        }),
                        Err(e) => error.set(Some(e.to_string())),
                    }
                }
            }
        });
    };
    let buttons = action.map(|a| {
                let (label, confirm) = match &a {
                    RowAction::Void(id, q) => (
                        "Void the duplicate".to_owned(),
                        format!("Void regulator receipt {id}? The regulator's quantity of {} goes up by {}; the ledger does not change.", short(&tag), q.normalize()),
                    ),
                    RowAction::Adjust(adj) => (
                        format!("Adjust {} (count correction)", fmt_q(adj.delta)),
                        format!(
                            "Adjust {} by {} with reason \"count correction\", citing the count: the ledger goes from {} to {} and the regulator is told.",
                            short(&tag), fmt_q(adj.delta), fmt_q(ledger), fmt_q(Quantity::new(ledger.amount + adj.delta.amount, ledger.unit))
                        ),
                    ),
                    RowAction::Count => ("Count this package".to_owned(), String::new()),
                };
                let needs_confirm = !confirm.is_empty();
                move || {
                    if done.get().is_some() {
                        return ().into_any();
                    }
                    let a = a.clone();
                    if confirming.get() {
                        view! {
                            <p class="banner warn" data-testid="recon-confirm-text">{confirm.clone()}</p>
                            <div class="form-actions">
                                <button type="button" class="button primary" data-testid="recon-confirm"
                                    on:click=move |_| { confirming.set(false); act(a.clone()) }>"Confirm"</button>
                                <button type="button" class="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                            </div>
                        }
                        .into_any()
                    } else {
                        view! {
                            <div class="form-actions">
                                <button type="button" class="button primary" data-testid="recon-action"
                                    on:click=move |_| if needs_confirm { confirming.set(true) } else { act(a.clone()) }>{label.clone()}</button>
                            </div>
                        }
                        .into_any()
                    }
                }
    });
    let short_tag = short(&tag);
    view! {
        <li class="panel recon" data-testid="recon-package" data-diagnosis=slug(&row.diagnosis) data-tag=tag.clone()>
            <div class="manifest-head">
                <div>
                    <h3><A href=format!("/packages/{}", row.package_id)>{short_tag}</A>" · "{row.product_name.clone()}</h3>
                    <dl class="three-way">
                        <dt>"Ledger"</dt><dd class="num">{fmt_q(row.ledger)}</dd>
                        <dt>"Last count"</dt><dd class="num">{count.as_ref().map(|c| fmt_q(c.counted)).unwrap_or_else(|| "—".into())}</dd>
                        <dt>"Regulator"</dt><dd class="num">{reg_words(row.regulator, &row.regulator_unit)}</dd>
                    </dl>
                </div>
                <span class=class_of(&row.diagnosis) data-testid="recon-diagnosis">{row.diagnosis.label()}</span>
            </div>
            <p data-testid="recon-explain">{words}</p>
            {move || error.get().map(|m| view! { <p class="banner error" role="alert" data-testid="recon-error">{m}</p> })}
            {move || done.get().map(|m| view! { <p class="banner ok" role="status" data-testid="recon-done">{m}</p> })}
            {buttons}
        </li>
    }
}

/// What a manager can do about a package from this page.
#[derive(Clone)]
enum RowAction {
    /// Void the regulator's receipt with this id (it took this much).
    Void(i64, Decimal),
    /// Confirm the proposed count correction.
    Adjust(Adjust),
    /// Plan a count of the package.
    Count,
}
