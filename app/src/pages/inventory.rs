//! The Inventory page: every package, searchable and filterable, in a list that renders only the
//! rows on screen so it stays smooth at tens of thousands of packages.

use std::sync::Arc;

use chrono::NaiveDate;
use domain::{Category, Package, PackageStatus, State, Zone};
use leptos::{html::Div, prelude::*};

use crate::{
    components::page::Page,
    replica::{use_replica, Net},
    words::{status_class, status_words},
};

/// Height of one row in pixels; the CSS gives `.vrow` the same.
const ROW: f64 = 56.0;
/// Rows rendered above and below the visible ones, so fast scrolling shows no blanks.
const OVERSCAN: usize = 6;

/// A package as one line of the list, with everything it shows precomputed.
#[derive(Clone, Debug, PartialEq)]
struct Line {
    id: String,
    tag_head: String,
    tag_tail: String,
    tag: String,
    product: String,
    category: Option<Category>,
    batch: String,
    zone: Zone,
    status: PackageStatus,
    quantity: String,
    held: Option<String>,
    expires_on: Option<NaiveDate>,
    /// The tag in lower case, as searches compare it.
    tag_lower: String,
    /// Product name and batch in lower case.
    search: String,
    pending: bool,
}

/// How well a line matches a search (lower case, trimmed), best first; `None` when it does not.
/// A label shows a tag's last characters, so a tag that ends in what was typed comes right after
/// the exact tag, before tags that merely contain it and before products and batches.
fn rank(line: &Line, q: &str) -> Option<u8> {
    if line.tag_lower == q {
        Some(0)
    } else if line.tag_lower.ends_with(q) {
        Some(1)
    } else if line.tag_lower.starts_with(q) {
        Some(2)
    } else if line.search.contains(q) {
        Some(3)
    } else if line.tag_lower.contains(q) {
        Some(4)
    } else {
        None
    }
}

impl Line {
    fn new(p: &Package, state: &State, pending: bool) -> Self {
        let product = state.products.get(&p.product_id);
        let (head, tail) = p.tag.grouped();
        let name = product.map_or_else(|| "Unknown product".to_owned(), |x| x.name.clone());
        let unit = p.quantity.unit;
        Line {
            id: p.id.to_string(),
            tag_head: head,
            tag_tail: tail.to_owned(),
            tag: p.tag.to_string(),
            tag_lower: p.tag.as_str().to_lowercase(),
            search: format!("{} {}", name.to_lowercase(), p.batch.to_lowercase()),
            product: name,
            category: product.map(|x| x.category),
            batch: p.batch.clone(),
            zone: p.zone,
            status: p.status,
            quantity: format!("{} {}", p.quantity.amount.normalize(), unit.symbol()),
            held: (!p.held.is_zero())
                .then(|| format!("{} {} held", p.held.normalize(), unit.symbol())),
            expires_on: p.expires_on,
            pending,
        }
    }
}

/// Which statuses the list shows.
#[derive(Clone, Copy, Debug, PartialEq)]
enum StatusFilter {
    Open,
    Active,
    OnHold,
    Closed,
    All,
}

impl StatusFilter {
    fn parse(s: &str) -> Self {
        match s {
            "active" => Self::Active,
            "on_hold" => Self::OnHold,
            "closed" => Self::Closed,
            "all" => Self::All,
            _ => Self::Open,
        }
    }

    fn admits(self, s: PackageStatus) -> bool {
        match self {
            Self::Open => matches!(s, PackageStatus::Active | PackageStatus::OnHold(_)),
            Self::Active => s == PackageStatus::Active,
            Self::OnHold => matches!(s, PackageStatus::OnHold(_)),
            Self::Closed => matches!(s, PackageStatus::Finished | PackageStatus::Destroyed),
            Self::All => true,
        }
    }
}

/// The lines a search and the filters let through, best match first.
#[derive(Debug, Default, PartialEq)]
struct Shown {
    lines: Vec<Line>,
    /// Whether the first is the very tag typed.
    exact: bool,
    /// How many of them have a tag that ends in what was typed.
    by_tail: usize,
}

/// What the count line says: how many matched, and how many of those by their tag's end.
fn count_words(search: &str, shown: &Shown, total: usize) -> String {
    let q = search.trim();
    let n = shown.lines.len();
    if q.is_empty() {
        return format!("Showing {n} of {total} packages");
    }
    let matches = if n == 1 { "match" } else { "matches" };
    let head = format!("{n} {matches} for “{q}” of {total} packages");
    match (shown.exact, shown.by_tail) {
        (true, _) => format!("{head}: the package with this tag"),
        (false, 0) => head,
        (false, 1) => format!("{head}; the tag ending in it is first"),
        (false, k) => format!("{head}; the {k} tags ending in it are first"),
    }
}

/// Every package in the store: where it is, how much is left.
#[component]
pub fn Inventory() -> impl IntoView {
    let replica = use_replica();
    // Rebuilt only when the replica's view changes (a pull, a queued command).
    let lines = Memo::new_with_compare(
        move |_| {
            let pending = replica.pending.get();
            replica.view.get().map(|state| {
                let mut v: Vec<Line> = state
                    .packages
                    .values()
                    .map(|p| Line::new(p, &state, pending.contains(&p.id)))
                    .collect();
                v.sort_by(|a, b| a.product.cmp(&b.product).then(a.tag.cmp(&b.tag)));
                Arc::new(v)
            })
        },
        |_, _| true,
    );
    let search = RwSignal::new(String::new());
    let zone = RwSignal::new(String::from("any"));
    let status = RwSignal::new(String::from("open"));
    let category = RwSignal::new(String::from("any"));
    let expiring = RwSignal::new(false);
    let today = replica.today();

    let shown = Memo::new(move |_| {
        let Some(all) = lines.get() else {
            return Arc::new(Shown::default());
        };
        let q = search.get().trim().to_lowercase();
        let zone = match zone.get().as_str() {
            "vault" => Some(Zone::Vault),
            "floor" => Some(Zone::SalesFloor),
            _ => None,
        };
        let status = StatusFilter::parse(&status.get());
        let category = category.get();
        let soon = today + chrono::Duration::days(30);
        let expiring = expiring.get();
        let mut ranked = all
            .iter()
            .filter_map(|l| {
                if q.is_empty() {
                    Some((0, l))
                } else {
                    rank(l, &q).map(|r| (r, l))
                }
            })
            .filter(|(_, l)| zone.is_none_or(|z| l.zone == z))
            .filter(|(_, l)| status.admits(l.status))
            .filter(|(_, l)| {
                category == "any" || l.category.is_some_and(|c| format!("{c:?}") == category)
            })
            .filter(|(_, l)| !expiring || l.expires_on.is_some_and(|d| d <= soon))
            .collect::<Vec<_>>();
        // Stable: within a rank, the list keeps its product-then-tag order.
        ranked.sort_by_key(|(r, _)| *r);
        let exact = !q.is_empty() && ranked.first().is_some_and(|(r, _)| *r == 0);
        let by_tail = if q.is_empty() {
            0
        } else {
            ranked.iter().filter(|(r, _)| *r == 1).count()
        };
        Arc::new(Shown {
            lines: ranked.into_iter().map(|(_, l)| l.clone()).collect(),
            exact,
            by_tail,
        })
    });

    let list_ref = NodeRef::<Div>::new();
    let scroll_top = RwSignal::new(0.0f64);
    let height = RwSignal::new(640.0f64);
    let on_scroll = move |_| {
        if let Some(el) = list_ref.get() {
            scroll_top.set(f64::from(el.scroll_top()));
            height.set(f64::from(el.client_height()));
        }
    };
    // Back to the top whenever the filters change, so the first matches are in view.
    Effect::new(move |_| {
        shown.track();
        if let Some(el) = list_ref.get_untracked() {
            el.set_scroll_top(0);
        }
        scroll_top.set(0.0);
    });
    let visible = move || {
        let rows = shown.get();
        let rows = &rows.lines;
        let first = ((scroll_top.get() / ROW) as usize).saturating_sub(OVERSCAN);
        let count = (height.get() / ROW) as usize + 2 * OVERSCAN;
        rows.iter()
            .enumerate()
            .skip(first)
            .take(count)
            .map(|(i, l)| (i, l.clone()))
            .collect::<Vec<_>>()
    };
    let total = move || lines.with(|l| l.as_ref().map_or(0, |v| v.len()));

    view! {
        <Page title="Inventory" lead="Every package in the store: where it is and how much is left." testid="page-inventory">
            <div class="toolbar" role="search">
                <label class="field grow">
                    <span>"Search"</span>
                    <input type="search" placeholder="Tag, product or batch" data-testid="inventory-search" bind:value=search />
                </label>
                <label class="field">
                    <span>"Zone"</span>
                    <select data-testid="filter-zone" bind:value=zone>
                        <option value="any">"All zones"</option>
                        <option value="vault">"Vault"</option>
                        <option value="floor">"Sales floor"</option>
                    </select>
                </label>
                <label class="field">
                    <span>"Status"</span>
                    <select data-testid="filter-status" bind:value=status>
                        <option value="open">"Active and on hold"</option>
                        <option value="active">"Active"</option>
                        <option value="on_hold">"On hold"</option>
                        <option value="closed">"Finished or destroyed"</option>
                        <option value="all">"All"</option>
                    </select>
                </label>
                <label class="field">
                    <span>"Category"</span>
                    <select data-testid="filter-category" bind:value=category>
                        <option value="any">"All categories"</option>
                        {Category::ALL
                            .iter()
                            .map(|c| view! { <option value=format!("{c:?}")>{c.label()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="filter-expiring" bind:checked=expiring />
                    <span>"Expiring within 30 days"</span>
                </label>
            </div>
            {move || match (lines.with(|l| l.is_some()), replica.net.get()) {
                (false, Net::Offline) => view! {
                    <p class="banner warn" role="status">"This tablet has no copy of the store yet and the server cannot be reached. Connect once to load the packages; after that the tablet works offline."</p>
                }.into_any(),
                (false, Net::Failing(message)) => view! { <p class="banner error" role="alert">{message}</p> }.into_any(),
                (false, _) => view! { <p class="muted" role="status">"Loading packages…"</p> }.into_any(),
                (true, _) => view! {
                    <p class="count" data-testid="inventory-count">
                        {move || count_words(&search.get(), &shown.get(), total())}
                    </p>
                    <div class="vhead" aria-hidden="true">
                        <span>"Tag"</span><span>"Product"</span><span>"Zone"</span><span>"Status"</span><span class="num">"Quantity"</span>
                    </div>
                    <div class="vlist" node_ref=list_ref on:scroll=on_scroll role="list" aria-label="Packages" data-testid="inventory-list">
                        <div class="vspacer" style:height=move || format!("{}px", shown.with(|s| s.lines.len()) as f64 * ROW)>
                            <For each=visible key=|(i, l)| (*i, l.id.clone()) let:item>
                                <PackageRow index=item.0 line=item.1 />
                            </For>
                        </div>
                    </div>
                }.into_any(),
            }}
        </Page>
    }
}

/// One package in the list.
#[component]
fn PackageRow(index: usize, line: Line) -> impl IntoView {
    let expired = line.expires_on.is_some_and(|d| d < use_replica().today());
    let expiry = line.expires_on.map(|d| {
        if expired {
            format!("Expired {d}")
        } else {
            format!("Expires {d}")
        }
    });
    view! {
        <a class="vrow" role="listitem" data-testid="package-row" href=format!("/packages/{}", line.id) style:transform=format!("translateY({}px)", index as f64 * ROW)>
            <span class="tag" title=line.tag.clone()>
                <span class="tag-head">{line.tag_head}</span>" "<strong class="tag-tail">{line.tag_tail}</strong>
            </span>
            <span class="product">
                <span class="name">{line.product}</span>
                <span class="sub">
                    {format!("Batch {}", line.batch)}
                    {expiry.map(|e| view! { " · " <span class:expired=expired>{e}</span> })}
                </span>
            </span>
            <span class="zone">{line.zone.label()}</span>
            <span class=status_class(line.status)>{status_words(line.status)}</span>
            <span class="num">
                <span class="qty">{line.quantity}</span>
                {line.held.map(|h| view! { <span class="sub">{h}</span> })}
                {line.pending.then(|| view! { <span class="sub pending" title="Waiting to reach the server">"Pending"</span> })}
            </span>
        </a>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::test_package;

    fn line(tag: &str) -> Line {
        let mut p = test_package(domain::Quantity::grams(10, 0), domain::Zone::Vault);
        p.tag = domain::RegulatorTag::parse(tag).expect("tag");
        Line::new(&p, &State::default(), false)
    }

    #[test]
    fn the_exact_tag_then_tags_ending_in_the_search_come_before_tags_merely_containing_it() {
        let exact = line("1A4FF0300000029800000012");
        let tail = line("1A4FF0300000029811000012");
        let middle = line("1A4FF0300000120000000099");
        let q = "000012";
        assert_eq!(rank(&tail, q), Some(1));
        assert_eq!(rank(&middle, q), Some(4));
        assert_eq!(rank(&exact, &exact.tag_lower), Some(0));
        assert_eq!(rank(&line("1A4FF0300000029800000077"), "zzz"), None);
    }

    #[test]
    fn the_count_says_how_many_matched_and_what_comes_first() {
        let one = Shown {
            lines: vec![line("1A4FF0300000029800000012")],
            exact: false,
            by_tail: 1,
        };
        assert_eq!(
            count_words(" 000012 ", &one, 2026),
            "1 match for “000012” of 2026 packages; the tag ending in it is first"
        );
        assert_eq!(count_words("", &one, 2026), "Showing 1 of 2026 packages");
    }
}
