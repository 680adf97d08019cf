//! Cycle counts: plan by zone, category or a list of tags; count blind (the sheet never shows the
//! expected quantity) with a second signed-in person as witness; recount large variances by a
//! different counter; review variances per package and per product, then accept them as count
//! corrections.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
};

use domain::{
    account::{Role, User},
    command::{CountRef, PlanCount},
    count::{CountLine, CountScope, CountSession, LineState},
    Action, Category, CountId, Package, PackageId, ProductId, Quantity, RegulatorTag, State, Zone,
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};
use rust_decimal::Decimal;

use crate::words::fmt_q;
use crate::{
    api,
    components::page::Page,
    forms::{self, CountLineForm},
    replica::use_replica,
    session::use_session,
};

fn started(c: &CountSession) -> String {
    c.started_at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn counted_lines(c: &CountSession) -> usize {
    c.lines.iter().filter(|l| !l.entries.is_empty()).count()
}

fn threshold(s: &State) -> Decimal {
    s.config.jurisdiction.count_variance_threshold_percent
}

/// Open counts and the form that plans a new one.
#[component]
pub fn Counts() -> impl IntoView {
    let replica = use_replica();
    let open = move || {
        replica.view.with(|v| {
            let Some(s) = v else { return Vec::new() };
            let mut list: Vec<(CountId, CountSession)> = s
                .counts
                .iter()
                .filter(|(_, c)| c.is_open())
                .map(|(id, c)| (*id, c.clone()))
                .collect();
            list.sort_by_key(|(_, c)| std::cmp::Reverse(c.started_at));
            list
        })
    };
    view! {
        <Page title="Counts" lead="Blind cycle counts with a second person as witness. Large variances are recounted by someone else before they are accepted." testid="page-counts">
            <crate::components::alerts::Alerts />
            <PlanForm />
            <h2 class="section">"Open counts"</h2>
            {move || {
                let list = open();
                if list.is_empty() {
                    return view! { <p class="muted" data-testid="counts-empty">"No count is open."</p> }.into_any();
                }
                let t = replica.view.with(|v| v.as_deref().map(threshold).unwrap_or_default());
                view! {
                    <ul class="count-list">
                        {list.into_iter().map(|(id, c)| {
                            let recount = c.lines.iter().filter(|l| l.state(t) == LineState::NeedsRecount).count();
                            view! {
                                <li class="panel" data-testid="open-count">
                                    <div class="manifest-head">
                                        <div>
                                            <h3>{format!("Count of {}", c.scope.describe())}</h3>
                                            <p class="sub">{format!("Started {} · {} of {} packages counted", started(&c), counted_lines(&c), c.lines.len())}</p>
                                        </div>
                                        <A href=format!("/counts/{id}") attr:class="button primary" attr:data-testid="open-count-link">"Open"</A>
                                    </div>
                                    {(recount > 0).then(|| view! {
                                        <p class="status danger">{format!("{recount} to recount by a different counter")}</p>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </Page>
    }
}

#[component]
fn PlanForm() -> impl IntoView {
    let replica = use_replica();
    let navigate = leptos_router::hooks::use_navigate();
    let by = RwSignal::new(String::from("zone"));
    let zone = RwSignal::new(String::from("vault"));
    let category = RwSignal::new(String::from("0"));
    let tags = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let scope = match by.get_untracked().as_str() {
            "zone" => CountScope::Zone(if zone.get_untracked() == "floor" {
                Zone::SalesFloor
            } else {
                Zone::Vault
            }),
            "category" => {
                let i: usize = category.get_untracked().parse().unwrap_or(0);
                CountScope::Category(Category::ALL[i.min(Category::ALL.len() - 1)])
            }
            _ => {
                let view = replica.view.get_untracked();
                let Some(s) = view else {
                    return error.set(Some("The store has not loaded yet.".into()));
                };
                let mut ids = Vec::new();
                for raw in tags
                    .get_untracked()
                    .split(|c: char| c.is_whitespace() || c == ',')
                    .filter(|t| !t.is_empty())
                {
                    let tag = match RegulatorTag::parse(raw) {
                        Ok(t) => t,
                        Err(e) => return error.set(Some(format!("Tag {raw}: {e}"))),
                    };
                    match s.package_by_tag(&tag) {
                        Some(p) => ids.push(p.id),
                        None => return error.set(Some(format!("No package carries tag {tag}"))),
                    }
                }
                if ids.is_empty() {
                    return error.set(Some("Scan or type at least one tag.".into()));
                }
                CountScope::Packages(ids)
            }
        };
        let count_id = CountId::new();
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match replica
                .submit(Action::PlanCount(PlanCount { count_id, scope }))
                .await
            {
                Ok(_) => navigate(&format!("/counts/{count_id}"), Default::default()),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <form class="panel" on:submit=submit novalidate data-testid="plan-count">
            <h2>"Plan a count"</h2>
            <div class="form-row">
                <label class="field">
                    <span>"Count by"</span>
                    <select data-testid="plan-by" bind:value=by>
                        <option value="zone">"Zone"</option>
                        <option value="category">"Category"</option>
                        <option value="tags">"List of tags"</option>
                    </select>
                </label>
                <Show when=move || by.get() == "zone">
                    <label class="field grow">
                        <span>"Zone"</span>
                        <select data-testid="plan-zone" bind:value=zone>
                            <option value="vault">"Vault"</option>
                            <option value="floor">"Sales floor"</option>
                        </select>
                    </label>
                </Show>
                <Show when=move || by.get() == "category">
                    <label class="field grow">
                        <span>"Category"</span>
                        <select data-testid="plan-category" bind:value=category>
                            {Category::ALL.iter().enumerate().map(|(i, c)| view! { <option value=i.to_string()>{c.label()}</option> }).collect_view()}
                        </select>
                    </label>
                </Show>
            </div>
            <Show when=move || by.get() == "tags">
                <label class="field">
                    <span>"Tags (scan each, or type them one per line)"</span>
                    <textarea rows="3" data-testid="plan-tags" bind:value=tags></textarea>
                </label>
            </Show>
            {move || error.get().map(|m| view! { <p class="banner error" role="alert" data-testid="plan-error">{m}</p> })}
            <div class="form-actions">
                // Until the tablet holds the store, a count cannot be checked or its tags found:
                // the button waits (and says so) rather than refusing what a person typed.
                <button type="submit" class="button primary" data-testid="plan-submit" disabled=move || !replica.ready()>
                    {move || if replica.ready() { "Start the count" } else { "Loading the store…" }}
                </button>
            </div>
        </form>
    }
}

/// What a person has typed on a sheet. It lives as long as the sheet, above the parts that are
/// drawn again (a line once its entries change, the whole sheet when the count closes), so what
/// was typed survives any answer that arrives meanwhile.
#[derive(Clone, Copy)]
struct Typed {
    witness_email: RwSignal<String>,
    witness_password: RwSignal<String>,
    witness_error: RwSignal<Option<String>>,
    lines: StoredValue<HashMap<PackageId, LineTyped>>,
    /// The sheet's owner: a line's signals are made under it, not under the line drawn first,
    /// which is dropped when the lines are drawn again.
    owner: StoredValue<Option<Owner>>,
}

/// A line's typed amount and its refusal.
type LineTyped = (RwSignal<String>, RwSignal<Option<String>>);

impl Typed {
    fn new() -> Self {
        Self {
            witness_email: RwSignal::new(String::new()),
            witness_password: RwSignal::new(String::new()),
            witness_error: RwSignal::new(None),
            lines: StoredValue::new(HashMap::new()),
            owner: StoredValue::new(Owner::current()),
        }
    }

    /// The amount typed on a package's line and that line's refusal.
    fn line(&self, package: PackageId) -> LineTyped {
        if let Some(kept) = self.lines.with_value(|m| m.get(&package).copied()) {
            return kept;
        }
        let make = || (RwSignal::new(String::new()), RwSignal::new(None));
        let made = match self.owner.get_value() {
            Some(owner) => owner.with(make),
            None => make(),
        };
        self.lines.update_value(|m| {
            m.insert(package, made);
        });
        made
    }
}

/// One count's sheet: blind entry, witness, recounts, review and acceptance.
#[component]
pub fn CountSheet() -> impl IntoView {
    let replica = use_replica();
    let params = use_params_map();
    let id = move || {
        params
            .with(|p| p.get("id"))
            .and_then(|s| s.parse::<CountId>().ok())
    };
    let witness = RwSignal::new(None::<User>);
    let typed = Typed::new();
    let reviewing = RwSignal::new(false);
    let count = move || {
        let id = id()?;
        replica
            .view
            .with(|v| v.as_ref().map(|s| (s.clone(), s.counts.get(&id).cloned())))
            .and_then(|(s, c)| c.map(|c| (id, s, c)))
    };
    // The sheet is drawn again only when it opens, closes or changes count; each line only when
    // its own entries change. A line being typed into keeps its input (and its focus) while the
    // answers for other lines arrive.
    let sheet = Memo::new(move |_| count().map(|(id, _, c)| (id, c.is_open())));
    let lines = move || {
        count()
            .map(|(_, s, c)| {
                c.lines
                    .into_iter()
                    .map(|l| (l, s.clone()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    view! {
        <Page title="Count" lead="Count what is there. The sheet never shows what the ledger expects." testid="page-count-sheet">
            {move || match sheet.get() {
                None => view! { <p class="muted">"No such count on this tablet. It may have been accepted, or it has not synced yet."</p> }.into_any(),
                Some((id, false)) => match count_untracked(&count) {
                    Some((_, state, c)) => view! {
                        <p class="banner ok" data-testid="count-accepted">{format!("This count of {} was accepted on {}.", c.scope.describe(), c.accepted_at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_default())}</p>
                        <Review id=id state=state count=c />
                    }.into_any(),
                    None => ().into_any(),
                },
                Some((id, true)) => view! {
                    <h2 class="section">{move || count().map(|(_, _, c)| format!("Count of {}", c.scope.describe()))}</h2>
                    <p class="sub">{move || count().map(|(_, _, c)| format!("Started {} · {} of {} counted", started(&c), counted_lines(&c), c.lines.len()))}</p>
                    <WitnessBox witness=witness typed=typed />
                    <ul class="count-lines">
                        <For
                            each=lines
                            key=|(l, _)| (l.package_id, l.entries.len(), l.corrected)
                            children=move |(l, state)| view! { <Line id=id line=l state=state witness=witness typed=typed /> }
                        />
                    </ul>
                    <Show when=move || !reviewing.get()>
                        <div class="form-actions">
                            <button type="button" class="button" data-testid="count-review" on:click=move |_| reviewing.set(true)>"Finish counting and review"</button>
                        </div>
                    </Show>
                    <Show when=move || reviewing.get()>
                        {move || count().map(|(id, state, c)| view! { <Review id=id state=state count=c /> })}
                    </Show>
                }.into_any(),
            }}
        </Page>
    }
}

/// The count as it stands, read without following it.
fn count_untracked(
    count: &impl Fn() -> Option<(CountId, Arc<State>, CountSession)>,
) -> Option<(CountId, Arc<State>, CountSession)> {
    leptos::prelude::untrack(count)
}

#[component]
fn WitnessBox(witness: RwSignal<Option<User>>, typed: Typed) -> impl IntoView {
    let (email, password, error) = (
        typed.witness_email,
        typed.witness_password,
        typed.witness_error,
    );
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let (e, p) = (email.get_untracked(), password.get_untracked());
        let me = use_session()
            .user
            .with_untracked(|u| u.as_ref().map(|u| u.email.clone()));
        if let Err(refused) = forms::witness_sign_in(&e, &p, me.as_deref()) {
            return error.set(Some(refused.to_string()));
        }
        leptos::task::spawn_local(async move {
            match api::witness(&e, &p).await {
                Ok(w) => {
                    password.set(String::new());
                    witness.set(Some(w));
                }
                Err(m) => error.set(Some(format!("Witness: {m}"))),
            }
        });
    };
    view! {
        {move || match witness.get() {
            Some(w) => view! {
                <p class="banner ok" data-testid="count-witness">
                    {format!("Witnessed by {}. ", w.name)}
                    <button type="button" class="button" on:click=move |_| witness.set(None)>"Change witness"</button>
                </p>
            }.into_any(),
            None => view! {
                <form class="panel witness" on:submit=confirm novalidate>
                    <h3>"Witness: a second person confirms"</h3>
                    <div class="form-row">
                        <label class="field grow">
                            <span>"Witness email"</span>
                            <input type="email" autocomplete="off" data-testid="witness-email" bind:value=email />
                        </label>
                        <label class="field grow">
                            <span>"Witness password"</span>
                            <input type="password" autocomplete="off" data-testid="witness-password" bind:value=password />
                        </label>
                    </div>
                    {move || error.get().map(|m| view! { <p class="banner error" role="alert">{m}</p> })}
                    <div class="form-actions">
                        <button type="submit" class="button primary" data-testid="witness-confirm">"Confirm witness"</button>
                    </div>
                </form>
            }.into_any(),
        }}
    }
}

fn product_name(s: &State, p: Option<&Package>) -> String {
    p.and_then(|p| s.products.get(&p.product_id))
        .map_or_else(|| "Unknown product".into(), |x| x.name.clone())
}

#[component]
fn Line(
    id: CountId,
    line: CountLine,
    state: Arc<State>,
    witness: RwSignal<Option<User>>,
    typed: Typed,
) -> impl IntoView {
    let replica = use_replica();
    let session = use_session();
    let me = session.user.with_untracked(|u| u.as_ref().map(|u| u.id));
    let package = state.packages.get(&line.package_id).cloned();
    let unit = package
        .as_ref()
        .map_or(line.at_start.unit, |p| p.quantity.unit);
    let (head, tail) = package
        .as_ref()
        .map(|p| {
            let (h, t) = p.tag.grouped();
            (h, t.to_owned())
        })
        .unwrap_or_default();
    let name = product_name(&state, package.as_ref());
    let mine = line.entries.iter().any(|e| Some(e.counter) == me);
    let st = line.state(threshold(&state));
    // Blind: a person who has not counted this line sees no figure; one who has sees only theirs.
    let (words, class, can_enter) = match (st, mine) {
        (LineState::Uncounted, _) => ("Not counted yet", "status muted", true),
        (LineState::NeedsRecount, true) => (
            "Off by more than the threshold: someone else must recount it",
            "status danger",
            false,
        ),
        (LineState::NeedsRecount, false) => {
            ("Recount needed: count it yourself", "status danger", true)
        }
        (_, true) => ("Counted by you", "status ok", false),
        (_, false) => ("Counted", "status ok", false),
    };
    let my_figure = line
        .entries
        .iter()
        .rev()
        .find(|e| Some(e.counter) == me)
        .map(|e| fmt_q(e.counted));
    let (amount, error) = typed.line(line.package_id);
    let package_id = line.package_id;
    let record = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let form = CountLineForm {
            counted: amount.get_untracked(),
        };
        let w = witness.get_untracked();
        let action = match form.parse(id, package_id, unit, w.as_ref(), replica.actor()) {
            Ok(a) => a,
            Err(e) => return error.set(Some(forms::message(&e))),
        };
        leptos::task::spawn_local(async move {
            match replica.submit(action).await {
                Err(e) => error.set(Some(e.to_string())),
                // Recorded: a recount by someone else starts from an empty field.
                Ok(_) => amount.set(String::new()),
            }
        });
    };
    view! {
        <li class="panel count-line" data-testid="count-line" data-tag=package.as_ref().map(|p| p.tag.to_string()) data-state=format!("{st:?}").to_lowercase()>
            <div class="line-head">
                <div>
                    <p class="tag"><span class="tag-head">{head}</span>" "<strong class="tag-tail">{tail}</strong></p>
                    <p class="sub">{name}</p>
                </div>
                <p class=class data-testid="count-line-status">{words}{my_figure.map(|f| format!(" ({f})"))}</p>
            </div>
            {can_enter.then(|| view! {
                <form class="form-row" on:submit=record novalidate>
                    <label class="field">
                        <span>{format!("Counted ({})", unit.symbol())}</span>
                        <input type="text" inputmode="decimal" data-testid="count-amount" bind:value=amount />
                    </label>
                    <button type="submit" class="button primary" data-testid="count-record">"Record"</button>
                </form>
            })}
            {move || error.get().map(|m| view! { <p class="banner error" role="alert" data-testid="count-error">{m}</p> })}
        </li>
    }
}

/// Variances per package and per product, and acceptance.
#[component]
fn Review(id: CountId, state: Arc<State>, count: CountSession) -> impl IntoView {
    let replica = use_replica();
    let session = use_session();
    let t = threshold(&state);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let mut per_product: BTreeMap<String, (ProductId, Decimal, Decimal, domain::Unit)> =
        BTreeMap::new();
    let rows: Vec<_> = count
        .lines
        .iter()
        .map(|l| {
            let p = state.packages.get(&l.package_id);
            let name = product_name(&state, p);
            let tag = p.map(|p| p.tag.short()).unwrap_or_default();
            if let (Some(e), Some(p)) = (l.latest(), p) {
                let entry = per_product.entry(name.clone()).or_insert((
                    p.product_id,
                    Decimal::ZERO,
                    Decimal::ZERO,
                    e.expected.unit,
                ));
                entry.1 += e.expected.amount;
                entry.2 += e.counted.amount;
            }
            (tag, name, l.clone())
        })
        .collect();
    let accept = move |_| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match replica
                .submit(Action::AcceptCount(CountRef { count_id: id }))
                .await
            {
                Ok(_) => done.set(Some(
                    "Accepted: the variances are recorded as count corrections.".into(),
                )),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let open = count.is_open();
    view! {
        <section class="panel review" data-testid="count-review-panel">
            <h2>"Variances"</h2>
            <p class="sub">{format!("Expected is the ledger at the moment each package was counted, so sales during the count are no variance. Threshold: {t}%.")}</p>
            <table class="grid">
                <thead><tr><th>"Package"</th><th>"Product"</th><th class="num">"At start"</th><th class="num">"Expected"</th><th class="num">"Counted"</th><th class="num">"Variance"</th><th>"State"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|(tag, name, l)| {
                        let last = l.latest().cloned();
                        let st = l.state(t);
                        view! {
                            <tr data-testid="variance-row" data-state=format!("{st:?}").to_lowercase()>
                                <td class="mono">{tag}</td>
                                <td>{name}</td>
                                <td class="num">{fmt_q(l.at_start)}</td>
                                <td class="num">{last.as_ref().map(|e| fmt_q(e.expected)).unwrap_or_else(|| "—".into())}</td>
                                <td class="num">{last.as_ref().map(|e| fmt_q(e.counted)).unwrap_or_else(|| "—".into())}</td>
                                <td class="num" data-testid="variance">{last.as_ref().map(|e| fmt_q(Quantity::new(e.variance().normalize(), e.expected.unit))).unwrap_or_else(|| "—".into())}</td>
                                <td>{match st {
                                    LineState::Uncounted => "Not counted",
                                    LineState::Matches => "Matches",
                                    LineState::Variance => "Within threshold",
                                    LineState::NeedsRecount => "Needs a recount",
                                    LineState::Recounted => "Recounted",
                                }}{l.corrected.then_some(" · corrected")}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <h3>"Per product"</h3>
            <table class="grid">
                <thead><tr><th>"Product"</th><th class="num">"Expected"</th><th class="num">"Counted"</th><th class="num">"Variance"</th></tr></thead>
                <tbody>
                    {per_product.into_iter().map(|(name, (_, e, c, unit))| view! {
                        <tr data-testid="product-variance">
                            <td>{name}</td>
                            <td class="num">{fmt_q(Quantity::new(e, unit))}</td>
                            <td class="num">{fmt_q(Quantity::new(c, unit))}</td>
                            <td class="num">{fmt_q(Quantity::new((c - e).normalize(), unit))}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {move || error.get().map(|m| view! { <p class="banner error" role="alert" data-testid="accept-error">{m}</p> })}
            {move || done.get().map(|m| view! { <p class="banner ok" role="status" data-testid="accept-done">{m}</p> })}
            {(open && session.allows(Role::Manager)).then(|| view! {
                <div class="form-actions">
                    <button type="button" class="button primary" data-testid="count-accept" on:click=accept>"Accept the count"</button>
                </div>
            })}
        </section>
    }
}
