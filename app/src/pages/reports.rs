//! The Reports page: the Health Canada monthly retailer report for any month, previewed per
//! Schedule 1 class with the opening-vs-previous-closing check, and downloaded as CSV.

use chrono::Datelike;
use domain::report::{ClassMonth, HealthCanadaReport, ReportClass};
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
            <Status kind="health_canada" month=month />
            <Suspense fallback=|| view! { <p class="muted">"Computing the month…"</p> }>
                {move || report.get().map(|r| match r {
                    Err(SyncFailure::Offline) => view! { <p class="banner warn">"Reports are computed on the server; they need a connection."</p> }.into_any(),
                    Err(SyncFailure::SignedOut) => view! { <p class="banner warn">"Sign in again to see reports."</p> }.into_any(),
                    Err(SyncFailure::Server(m)) => view! { <p class="banner error" role="alert">{m}</p> }.into_any(),
                    Ok(r) => view! { <Preview report=r month=month.get_untracked() /> }.into_any(),
                })}
            </Suspense>
            <h2 class="section">"Ontario AGCO integrated retail report"</h2>
            <div class="panel">
                <p class="sub">"Per SKU and UPC in eaches, from the same ledger events: the Federal, Monthly Sales, Inventory Adjustments, Destructions and Inter-Store Transfer tabs. The AGCO template's exact headings are not confirmed; columns follow the regulation's fields."</p>
                <div class="form-actions">
                    <a class="button primary" data-testid="agco-xlsx" download
                        href=move || format!("/api/v1/reports/agco?month={}", month.get())>"Download XLSX (every tab)"</a>
                    {domain::report::AGCO_TABS.iter().map(|t| view! {
                        <a class="button" download
                            href=move || format!("/api/v1/reports/agco?month={}&format=csv&tab={}", month.get(), t.replace(' ', "%20"))>{format!("{t} (CSV)")}</a>
                    }).collect_view()}
                </div>
            </div>
            <h2 class="section">"Alberta and British Columbia"</h2>
            <div class="panel">
                <p class="sub">"Alberta reports per AGLC SKU in units and book value; British Columbia by weight, kilograms per class and movement. The provincial templates' exact headings are not confirmed; columns follow the regulation's fields."</p>
                <div class="form-actions">
                    <a class="button" data-testid="alberta-csv" download
                        href=move || format!("/api/v1/reports/alberta?month={}", month.get())>"Alberta (CSV)"</a>
                    <a class="button" data-testid="bc-csv" download
                        href=move || format!("/api/v1/reports/british-columbia?month={}", month.get())>"British Columbia (CSV)"</a>
                </div>
            </div>
            <Completeness month=month />
            <super::audit::AuditExport />
        </Page>
    }
}

/// Where a month's report stands: draft (the month is not over), generated, downloaded or
/// submitted; a manager marks it submitted once filed.
#[component]
fn Status(kind: &'static str, month: RwSignal<String>) -> impl IntoView {
    let again = RwSignal::new(0u32);
    let statuses = LocalResource::new(move || {
        again.track();
        async move { api::report_statuses().await.unwrap_or_default() }
    });
    let error = RwSignal::new(None::<String>);
    view! {
        <Suspense fallback=|| ()>
            {move || statuses.get().map(|list| {
                let m = month.get();
                let row = list.into_iter().find(|r| r.month == m && serde_json::to_value(r.kind).ok().and_then(|v| v.as_str().map(|s| s == kind)).unwrap_or(false));
                match row {
                    None => view! { <p class="status muted" data-testid="report-status">"Draft: the month is not over, or it has not been generated yet. Figures are computed live."</p> }.into_any(),
                    Some(r) => {
                        let submitted = r.status == "submitted";
                        let words = format!(
                            "{} · generated {}{}{}",
                            match r.status.as_str() { "submitted" => "Submitted", "downloaded" => "Downloaded", _ => "Generated" },
                            &r.generated_at[..16.min(r.generated_at.len())].replace('T', " "),
                            r.downloaded_at.as_ref().map(|t| format!(" · downloaded {}", &t[..16.min(t.len())].replace('T', " "))).unwrap_or_default(),
                            r.submitted_at.as_ref().map(|t| format!(" · submitted {}", &t[..16.min(t.len())].replace('T', " "))).unwrap_or_default(),
                        );
                        view! {
                            <div class="toolbar">
                                <p class=if submitted { "status ok" } else { "status warn" } data-testid="report-status">{words}</p>
                                {(!submitted).then(|| view! {
                                    <button type="button" class="button" data-testid="report-submitted" on:click=move |_| {
                                        let m = month.get_untracked();
                                        leptos::task::spawn_local(async move {
                                            match api::mark_submitted(kind, &m).await {
                                                Ok(()) => again.update(|n| *n += 1),
                                                Err(e) => error.set(Some(e)),
                                            }
                                        });
                                    }>"Mark as submitted"</button>
                                })}
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
        {move || error.get().map(|m| view! { <p class="banner error" role="alert">{m}</p> })}
    }
}

/// What reached the regulator in the month, and what is late.
#[component]
fn Completeness(month: RwSignal<String>) -> impl IntoView {
    let report = LocalResource::new(move || {
        let m = month.get();
        async move { api::completeness(&m).await }
    });
    view! {
        <h2 class="section">"Regulator sync completeness"</h2>
        <div class="toolbar">
            <p class="sub">"Every sale, return, adjustment, split, merge, destruction and receipt with its regulator id and posting delay; over 24 hours is late."</p>
            <a class="button" data-testid="completeness-csv" download
                href=move || format!("/api/v1/reports/metrc-completeness?month={}&format=csv", month.get())>"Download CSV"</a>
        </div>
        <Suspense fallback=|| ()>
            {move || report.get().map(|r| match r {
                Err(SyncFailure::Server(m)) => view! { <p class="banner error" role="alert">{m}</p> }.into_any(),
                Err(_) => view! { <p class="banner warn">"This report needs a connection."</p> }.into_any(),
                Ok(r) => {
                    let attention: Vec<_> = r.rows.iter().filter(|x| x.late || x.state != "done").cloned().collect();
                    view! {
                        <p class=if r.late + r.parked == 0 { "banner ok" } else { "banner warn" } data-testid="completeness-summary">{format!(
                            "{} changes: {} confirmed by the regulator, {} on their way, {} refused, {} late.",
                            r.changes, r.posted, r.waiting, r.parked, r.late
                        )}</p>
                        {(!attention.is_empty()).then(|| view! {
                            <div class="table-scroll"><table class="grid">
                                <thead><tr><th>"Ledger #"</th><th>"When (UTC)"</th><th>"Change"</th><th>"State"</th><th class="num">"Delay"</th><th>"Regulator's words"</th></tr></thead>
                                <tbody>{attention.into_iter().map(|x| view! {
                                    <tr>
                                        <td class="mono">{x.seq}</td>
                                        <td>{x.at.format("%Y-%m-%d %H:%M").to_string()}</td>
                                        <td>{x.kind.replace('_', " ")}</td>
                                        <td>{if x.late { format!("{} · late", x.state) } else { x.state.clone() }}</td>
                                        <td class="num">{format!("{} h {} min", x.delay_minutes / 60, x.delay_minutes % 60)}</td>
                                        <td>{x.refusal.clone().unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}</tbody>
                            </table></div>
                        })}
                    }.into_any()
                }
            })}
        </Suspense>
    }
}

/// A figure a manager tapped: class, figure, and the words for both.
#[derive(Clone, PartialEq)]
struct Figure {
    class: String,
    figure: &'static str,
    words: String,
}

/// A figure's cell: the number, tappable to list the events behind it.
fn cell(
    value: String,
    class: ReportClass,
    figure: &'static str,
    words: &'static str,
    open: RwSignal<Option<Figure>>,
) -> impl IntoView {
    let slug = serde_json::to_value(class)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let label = format!("{words}, {}", class.label());
    view! {
        <td class="num">
            <button type="button" class="link" data-testid=format!("figure-{slug}-{figure}")
                on:click=move |_| open.set(Some(Figure { class: slug.clone(), figure, words: label.clone() }))>{value}</button>
        </td>
    }
}

#[component]
fn Drill(month: String, open: RwSignal<Option<Figure>>) -> impl IntoView {
    let events = LocalResource::new(move || {
        let f = open.get();
        let month = month.clone();
        async move {
            match f {
                Some(f) => Some((
                    f.words.clone(),
                    api::report_events(&month, &f.class, f.figure).await,
                )),
                None => None,
            }
        }
    });
    view! {
        <Suspense fallback=|| ()>
            {move || events.get().flatten().map(|(words, r)| match r {
                Err(SyncFailure::Server(m)) => view! { <p class="banner error" role="alert">{m}</p> }.into_any(),
                Err(_) => view! { <p class="banner warn">"The events need a connection."</p> }.into_any(),
                Ok(list) => view! {
                    <section class="panel review" data-testid="figure-events">
                        <h3>{format!("{} events behind {words}", list.len())}</h3>
                        <table class="grid">
                            <thead><tr><th>"Ledger #"</th><th>"When (UTC)"</th><th>"Event"</th><th class="num">"Products"</th><th class="num">"Book value"</th></tr></thead>
                            <tbody>{list.into_iter().map(|e| view! {
                                <tr data-testid="figure-event">
                                    <td class="mono">{e.seq}</td>
                                    <td>{e.at.format("%Y-%m-%d %H:%M").to_string()}</td>
                                    <td>{e.kind.replace('_', " ")}</td>
                                    <td class="num">{n(e.quantity)}</td>
                                    <td class="num">{format!("{:.2}", e.value)}</td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table>
                    </section>
                }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Preview(report: HealthCanadaReport, month: String) -> impl IntoView {
    let open = RwSignal::new(None::<Figure>);
    let failing: Vec<_> = report
        .opening_checks
        .iter()
        .filter(|c| !c.within_tolerance)
        .cloned()
        .collect();
    let tolerance = report.tolerance_percent;
    let rows: Vec<(ReportClass, ClassMonth)> = report
        .report
        .classes
        .iter()
        .map(|(k, c)| (*k, c.clone()))
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
                        {rows.into_iter().map(|(k, c)| view! {
                            <tr data-testid="report-row">
                                <td>{k.label()}</td>
                                <td class="num">{n(c.opening)}</td>
                                {cell(n(c.added_received), k, "added_received", "Received", open)}
                                {cell(n(c.added_returned), k, "added_returned", "Returned in", open)}
                                {cell(n(c.added_other), k, "added_other", "Other in", open)}
                                <td class="num">{n(c.reduced_sold)}</td>
                                {cell(n(c.reduced_destroyed), k, "reduced_destroyed", "Destroyed", open)}
                                {cell(n(c.reduced_lost_stolen), k, "reduced_lost_stolen", "Lost or stolen", open)}
                                {cell(n(c.reduced_other + c.reduced_returned), k, "reduced_other", "Other out", open)}
                                {cell(format!("{} ({:.2})", n(c.sold_in_store), c.sold_in_store_value), k, "sold_in_store", "Sold in store", open)}
                                {cell(format!("{} ({:.2})", n(c.sold_remote), c.sold_remote_value), k, "sold_remote", "Sold remote", open)}
                                <td class="num" data-testid="report-closing">{n(c.closing)}</td>
                                <td class="num">{n(c.closing_kg)}</td>
                                <td class="num">{format!("{:.2}", c.closing_value)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
            }.into_any()
        }}
        <p class="sub">"Tap a figure to see the ledger events behind it."</p>
        <Drill month=month open=open />
        <h3>"Notes"</h3>
        <ul class="sub">{report.notes.iter().map(|t| view! { <li>{t.clone()}</li> }).collect_view()}</ul>
    }
}
