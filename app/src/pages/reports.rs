//! The Reports page: the Health Canada monthly retailer report for any month, previewed per
//! Schedule 1 class with the opening-vs-previous-closing check; the same month per SKU for
//! Ontario and Alberta; every figure opens the events behind it; each report's file and status.

use chrono::Datelike;
use domain::report::{ClassMonth, HealthCanadaReport, ReportClass, ReportKind, SkuMonth};
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
            <Status kind="health_canada" month=month needs_explanation=Signal::derive(move || {
                report.get().and_then(Result::ok).is_some_and(|r| r.outside_tolerance().next().is_some())
            }) />
            <p class="sub">"Tap a figure to see the ledger events behind it."</p>
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
                <Status kind="agco" month=month />
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
                <p class="sub">"Alberta reports per AGLC SKU in units and book value; British Columbia by weight, kilograms per class and movement: the class figures above, whose events list their kilograms. The provincial templates' exact headings are not confirmed; columns follow the regulation's fields."</p>
                <Status kind="alberta" month=month />
                <Status kind="british_columbia" month=month />
                <div class="form-actions">
                    <a class="button" data-testid="alberta-csv" download
                        href=move || format!("/api/v1/reports/alberta?month={}", month.get())>"Alberta (CSV)"</a>
                    <a class="button" data-testid="bc-csv" download
                        href=move || format!("/api/v1/reports/british-columbia?month={}", month.get())>"British Columbia (CSV)"</a>
                </div>
            </div>
            <PerSku month=month />
            <Completeness month=month />
            <crate::components::audit_export::AuditExport />
        </Page>
    }
}

/// A report's name as the page shows it.
fn name_of(kind: &str) -> &'static str {
    match kind {
        "health_canada" => "Health Canada",
        "agco" => "AGCO",
        "alberta" => "Alberta",
        "british_columbia" => "British Columbia",
        _ => "Sync completeness",
    }
}

/// Where a month's report stands: draft (the month is not over), generated, downloaded or
/// submitted; a manager marks it submitted once filed.
/// Health Canada's report whose opening is outside the tolerance is marked submitted only with an
/// explanation (`needs_explanation`): the tablet asks for it before sending, as the server would.
#[component]
fn Status(
    kind: &'static str,
    month: RwSignal<String>,
    #[prop(optional, into)] needs_explanation: Option<Signal<bool>>,
) -> impl IntoView {
    let needs = move || needs_explanation.is_some_and(|s| s.get());
    let explanation = RwSignal::new(String::new());
    let replica = crate::replica::use_replica();
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
                let name = name_of(kind);
                let files = replica.view.with(|v| v.as_ref().is_none_or(|s| {
                    s.config.jurisdiction.reports.iter().any(|f| ReportKind::of(*f).slug() == kind)
                }));
                match row {
                    None if !files => view! { <p class="status muted" data-testid=format!("report-status-{kind}")>{format!("{name}: not a report this store's jurisdiction expects; computed when downloaded.")}</p> }.into_any(),
                    None => view! { <p class="status muted" data-testid=format!("report-status-{kind}")>{format!("{name}: draft. The month is not over, or the report has not been generated yet; figures are computed live.")}</p> }.into_any(),
                    Some(r) => {
                        let submitted = r.status == "submitted";
                        let words = format!(
                            "{name}: {} · generated {}{}{}",
                            match r.status.as_str() { "submitted" => "Submitted", "downloaded" => "Downloaded", _ => "Generated" },
                            &r.generated_at[..16.min(r.generated_at.len())].replace('T', " "),
                            r.downloaded_at.as_ref().map(|t| format!(" · downloaded {}", &t[..16.min(t.len())].replace('T', " "))).unwrap_or_default(),
                            r.submitted_at.as_ref().map(|t| format!(" · submitted {}", &t[..16.min(t.len())].replace('T', " "))).unwrap_or_default(),
                        );
                        let explained = r.explanation.clone();
                        let mark = move |_| {
                            let m = month.get_untracked();
                            let why = explanation.get_untracked().trim().to_owned();
                            if needs() && why.is_empty() {
                                return error.set(Some("Explain why the opening differs from the closing filed for the month before, then mark it submitted.".into()));
                            }
                            error.set(None);
                            leptos::task::spawn_local(async move {
                                let why = Some(why).filter(|w| !w.is_empty());
                                match api::mark_submitted(kind, &m, why.as_deref()).await {
                                    Ok(()) => again.update(|n| *n += 1),
                                    Err(e) => error.set(Some(e)),
                                }
                            });
                        };
                        view! {
                            <p class=if submitted { "status ok" } else { "status warn" } data-testid=format!("report-status-{kind}")>{words}</p>
                            {explained.map(|e| view! { <p class="sub" data-testid=format!("report-explained-{kind}")>{format!("Explained: {e}")}</p> })}
                            {(!submitted).then(|| view! {
                                <Show when=needs>
                                    <label class="field">
                                        <span>"Why the opening differs from the closing filed (the correction made in the class's other additions or reductions, flagged to Health Canada)"</span>
                                        <textarea data-testid=format!("report-explanation-{kind}") maxlength="500"
                                            prop:value=move || explanation.get()
                                            on:input=move |ev| explanation.set(event_target_value(&ev))></textarea>
                                    </label>
                                </Show>
                                <div class="toolbar">
                                    <button type="button" class="button" data-testid=format!("report-submitted-{kind}") on:click=mark>"Mark as submitted"</button>
                                </div>
                            })}
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
        <Status kind="metrc_completeness" month=month />
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

/// A figure a manager tapped: whose (a class or a SKU, as a query), which, and the words.
#[derive(Clone, PartialEq)]
struct Figure {
    scope: String,
    figure: &'static str,
    words: String,
}

/// Whose figures a row holds: the query that drills into them, the test id's stem, the words.
#[derive(Clone)]
struct RowOf {
    scope: String,
    testid: String,
    words: String,
}

impl RowOf {
    fn class(class: ReportClass) -> Self {
        let slug = serde_json::to_value(class)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        Self {
            scope: format!("class={slug}"),
            testid: slug,
            words: class.label().to_owned(),
        }
    }

    fn sku(s: &SkuMonth) -> Self {
        Self {
            scope: format!("sku={}", String::from(js_sys::encode_uri_component(&s.sku))),
            testid: format!("sku-{}", s.sku.to_lowercase().replace(' ', "-")),
            words: format!("{} ({})", s.name, s.sku),
        }
    }
}

/// A figure's cell: the number, tappable to list the events behind it.
fn cell(
    value: String,
    row: &RowOf,
    figure: &'static str,
    words: &'static str,
    open: RwSignal<Option<Figure>>,
) -> impl IntoView {
    let scope = row.scope.clone();
    let label = format!("{words}, {}", row.words);
    view! {
        <td class="num">
            <button type="button" class="link" data-testid=format!("figure-{}-{figure}", row.testid)
                on:click=move |_| open.set(Some(Figure { scope: scope.clone(), figure, words: label.clone() }))>{value}</button>
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
                    api::report_events(&month, &f.scope, f.figure).await,
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
                            <thead><tr><th>"Ledger #"</th><th>"When (UTC)"</th><th>"Event"</th><th class="num">"Products"</th><th class="num">"Book value"</th><th class="num">"kg (seeds: number)"</th></tr></thead>
                            <tbody>{list.into_iter().map(|e| view! {
                                <tr data-testid="figure-event">
                                    <td class="mono">{e.seq}</td>
                                    <td>{e.at.format("%Y-%m-%d %H:%M").to_string()}</td>
                                    <td>{e.kind.replace('_', " ")}</td>
                                    <td class="num">{n(e.quantity)}</td>
                                    <td class="num">{format!("{:.2}", e.value)}</td>
                                    <td class="num">{n(e.kg)}</td>
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
        {match (&report.compared_with, failing.is_empty()) {
            (None, _) => view! { <p class="banner warn" data-testid="report-check">{report.notes.first().cloned().unwrap_or_default()}</p> }.into_any(),
            (Some(m), true) => view! { <p class="banner ok" data-testid="report-check">{format!(
                "Opening inventory matches the closing filed for {m} in every class{}.",
                tolerance.map(|t| format!(" (within Health Canada's {t}% tolerance)")).unwrap_or_default()
            )}</p> }.into_any(),
            (Some(m), false) => view! {
                <div class="banner error" role="alert" data-testid="report-check">
                    <p>{format!(
                        "The opening differs from the closing filed for {m} by more than {}% in {} of the classes:",
                        tolerance.unwrap_or_default(), failing.len()
                    )}</p>
                    <ul>{failing.iter().map(|c| view! {
                        <li>{format!("{}: opening {}, filed closing {} ({}% off)", c.class, n(c.opening), n(c.previous_closing), c.difference_percent)}</li>
                    }).collect_view()}</ul>
                </div>
            }.into_any(),
        }}
        {(!report.report.lacking.is_empty()).then(|| view! {
            <div class="banner warn" role="status" data-testid="report-lacking">
                <p>"These products lack what the report needs: their quantities of cannabis count 0 here, and the file is not produced until each is set on the product."</p>
                <ul>{report.report.lacking.iter().map(|l| view! {
                    <li>{format!("{} ({}): {}", l.name, l.sku, l.needs)}</li>
                }).collect_view()}</ul>
            </div>
        })}
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
                        {rows.into_iter().map(|(k, c)| {
                            let row = RowOf::class(k);
                            view! {
                                <tr data-testid="report-row">
                                    <td>{k.label()}</td>
                                    <td class="num">{n(c.opening)}</td>
                                    {movements(&c, &row, open)}
                                    <td class="num" data-testid="report-closing">{n(c.closing)}</td>
                                    <td class="num">{n(c.closing_kg)}</td>
                                    <td class="num">{format!("{:.2}", c.closing_value)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table></div>
            }.into_any()
        }}
        <Drill month=month open=open />
        <h3>"Notes"</h3>
        <ul class="sub">{report.notes.iter().map(|t| view! { <li>{t.clone()}</li> }).collect_view()}</ul>
    }
}

/// A row's movement figures, each opening its events; the same columns per class and per SKU.
fn movements(c: &ClassMonth, row: &RowOf, open: RwSignal<Option<Figure>>) -> impl IntoView {
    view! {
        {cell(n(c.added_received), row, "added_received", "Received", open)}
        {cell(n(c.added_returned), row, "added_returned", "Returned in", open)}
        {cell(n(c.added_other), row, "added_other", "Other in", open)}
        <td class="num">{n(c.reduced_sold)}</td>
        {cell(n(c.reduced_destroyed), row, "reduced_destroyed", "Destroyed", open)}
        {cell(n(c.reduced_lost_stolen), row, "reduced_lost_stolen", "Lost or stolen", open)}
        {cell(n(c.reduced_other + c.reduced_returned), row, "reduced_other", "Other out", open)}
        {cell(format!("{} ({:.2})", n(c.sold_in_store), c.sold_in_store_value), row, "sold_in_store", "Sold in store", open)}
        {cell(format!("{} ({:.2})", n(c.sold_remote), c.sold_remote_value), row, "sold_remote", "Sold remote", open)}
    }
}

/// The month per SKU, as the Ontario and Alberta files carry it, each figure opening its events.
#[component]
fn PerSku(month: RwSignal<String>) -> impl IntoView {
    let report = LocalResource::new(move || {
        let m = month.get();
        async move { api::report_skus(&m).await }
    });
    let open = RwSignal::new(None::<Figure>);
    view! {
        <h2 class="section">"Per SKU (Ontario, Alberta)"</h2>
        <Suspense fallback=|| ()>
            {move || report.get().map(|r| match r {
                Err(SyncFailure::Server(m)) => view! { <p class="banner error" role="alert">{m}</p> }.into_any(),
                Err(_) => view! { <p class="banner warn">"This report needs a connection."</p> }.into_any(),
                Ok(r) if r.skus.is_empty() => view! { <p class="muted">"No SKU moved or was in stock this month."</p> }.into_any(),
                Ok(r) => view! {
                    <details class="panel" data-testid="per-sku">
                        <summary>{format!("{} SKUs, with {} adjustments and {} destructions: open for every SKU's figures", r.skus.len(), r.adjustments.len(), r.destructions.len())}</summary>
                        <div class="table-scroll tall"><table class="grid" data-testid="sku-table">
                            <thead><tr>
                                <th>"SKU"</th><th>"Product"</th><th class="num">"Opening"</th><th class="num">"Received"</th><th class="num">"Returned in"</th><th class="num">"Other in"</th>
                                <th class="num">"Sold"</th><th class="num">"Destroyed"</th><th class="num">"Lost / stolen"</th><th class="num">"Other out"</th>
                                <th class="num">"In store (value)"</th><th class="num">"Remote (value)"</th><th class="num">"Closing"</th>
                            </tr></thead>
                            <tbody>{r.skus.iter().map(|s| {
                                let row = RowOf::sku(s);
                                let f = &s.figures;
                                view! {
                                    <tr data-testid="sku-row">
                                        <td class="mono">{s.sku.clone()}</td>
                                        <td>{s.name.clone()}</td>
                                        <td class="num">{n(f.opening)}</td>
                                        {movements(f, &row, open)}
                                        <td class="num">{n(f.closing)}</td>
                                    </tr>
                                }
                            }).collect_view()}</tbody>
                        </table></div>
                    </details>
                    <Drill month=month.get_untracked() open=open />
                }.into_any(),
            })}
        </Suspense>
    }
}
