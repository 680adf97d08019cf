//! The Reports page: the Health Canada monthly retailer report for any month, previewed per
//! Schedule 1 class with the opening-vs-previous-closing check, and downloaded as CSV.

use chrono::Datelike;
use domain::report::{ClassMonth, HealthCanadaReport};
use leptos::prelude::*;
use rust_decimal::Decimal;

use crate::{
    api::{self, SyncFailure},
    components::page::Page,
};

fn last_month() -> String {
    let now = crate::replica::now();
    let (y, m) = if now.month() == 1 {
        (now.year() - 1, 12)
    } else {
        (now.year(), now.month() - 1)
    };
    format!("{y}-{m:02}")
}

fn n(d: Decimal) -> String {
    d.normalize().to_string()
}

/// The page.
#[component]
pub fn Reports() -> impl IntoView {
    let month = RwSignal::new(last_month());
    let report = LocalResource::new(move || {
        let m = month.get();
        async move { api::health_canada(&m).await }
    });
    view! {
        <Page title="Reports" lead="Monthly regulator reports, computed from the ledger's events." testid="page-reports">
            <div class="toolbar">
                <label class="field">
                    <span>"Month"</span>
                    <input type="month" data-testid="report-month" bind:value=month />
                </label>
                <a class="button primary" data-testid="report-csv" download
                    href=move || format!("/api/v1/reports/health-canada?month={}&format=csv", month.get())>"Download CSV"</a>
            </div>
            <Suspense fallback=|| view! { <p class="muted">"Computing the month…"</p> }>
                {move || report.get().map(|r| match r {
                    Err(SyncFailure::Offline) => view! { <p class="banner warn">"Reports are computed on the server; they need a connection."</p> }.into_any(),
                    Err(SyncFailure::SignedOut) => view! { <p class="banner warn">"Sign in again to see reports."</p> }.into_any(),
                    Err(SyncFailure::Server(m)) => view! { <p class="banner error" role="alert">{m}</p> }.into_any(),
                    Ok(r) => view! { <Preview report=r /> }.into_any(),
                })}
            </Suspense>
        </Page>
    }
}

#[component]
fn Preview(report: HealthCanadaReport) -> impl IntoView {
    let failing: Vec<_> = report
        .opening_checks
        .iter()
        .filter(|c| !c.within_tolerance)
        .cloned()
        .collect();
    let tolerance = report.tolerance_percent;
    let rows: Vec<(String, ClassMonth)> = report
        .report
        .classes
        .iter()
        .map(|(k, c)| (k.label().to_owned(), c.clone()))
        .collect();
    view! {
        <h2 class="section">{format!("Health Canada retailer report (SOR/2019-202 s.5): {} · {}", report.report.store, report.report.month.format("%B %Y"))}</h2>
        <p class="sub">{format!("From {} ledger events in the month.", report.report.events_in_month)}</p>
        {if failing.is_empty() {
            view! { <p class="banner ok" data-testid="report-check">{format!(
                "Opening inventory matches last month's closing in every class{}.",
                tolerance.map(|t| format!(" (within Health Canada's {t}% tolerance)")).unwrap_or_default()
            )}</p> }.into_any()
        } else {
            view! { <p class="banner error" role="alert" data-testid="report-check">{failing.iter().map(|c| format!(
                "{}: opening {} differs from last closing {} by {}%. ", c.class, n(c.opening), n(c.previous_closing), c.difference_percent
            )).collect::<String>()}</p> }.into_any()
        }}
        {if rows.is_empty() {
            view! { <p class="muted">"No cannabis inventory in this month."</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll"><table class="grid" data-testid="report-table">
                    <thead><tr>
                        <th>"Class"</th><th class="num">"Opening"</th><th class="num">"Received"</th><th class="num">"Returned in"</th><th class="num">"Other in"</th>
                        <th class="num">"Sold"</th><th class="num">"Destroyed"</th><th class="num">"Lost / stolen"</th><th class="num">"Other out"</th>
                        <th class="num">"In store (value)"</th><th class="num">"Remote (value)"</th><th class="num">"Closing"</th><th class="num">"kg (seeds: number)"</th><th class="num">"Book value"</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|(label, c)| view! {
                            <tr data-testid="report-row">
                                <td>{label}</td>
                                <td class="num">{n(c.opening)}</td>
                                <td class="num">{n(c.added_received)}</td>
                                <td class="num">{n(c.added_returned)}</td>
                                <td class="num">{n(c.added_other)}</td>
                                <td class="num">{n(c.reduced_sold)}</td>
                                <td class="num">{n(c.reduced_destroyed)}</td>
                                <td class="num">{n(c.reduced_lost_stolen)}</td>
                                <td class="num">{n(c.reduced_other + c.reduced_returned)}</td>
                                <td class="num">{format!("{} ({:.2})", n(c.sold_in_store), c.sold_in_store_value)}</td>
                                <td class="num">{format!("{} ({:.2})", n(c.sold_remote), c.sold_remote_value)}</td>
                                <td class="num" data-testid="report-closing">{n(c.closing)}</td>
                                <td class="num">{n(c.closing_kg)}</td>
                                <td class="num">{format!("{:.2}", c.closing_value)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
            }.into_any()
        }}
        <h3>"Notes"</h3>
        <ul class="sub">{report.notes.iter().map(|t| view! { <li>{t.clone()}</li> }).collect_view()}</ul>
    }
}
