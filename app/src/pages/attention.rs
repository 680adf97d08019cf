//! Needs attention: every change the server refused, with its reason. Nothing is dropped on its
//! own; a person discards it, or changes it and sends it again.

use domain::{Action, Quantity};
use leptos::prelude::*;
use leptos_router::components::A;
use rust_decimal::Decimal;

use crate::words::fmt_q;
use crate::{
    components::{page::Page, parked::ParkedChanges},
    local::Refused,
    replica::use_replica,
    session::use_session,
};

fn what(r: &Refused, state: Option<&domain::State>) -> (String, Option<domain::PackageId>) {
    let tag = |id: &domain::PackageId| {
        state
            .and_then(|s| s.packages.get(id))
            .map_or_else(|| "a package".to_owned(), |p| p.tag.grouped().1.to_owned())
    };
    match &r.command.action {
        Action::Split(s) => (
            format!(
                "Split {} into {} packages",
                tag(&s.source),
                s.new_packages.len()
            ),
            Some(s.source),
        ),
        Action::Merge(m) => (
            format!("Merge {} packages", m.sources.len()),
            m.sources.first().copied(),
        ),
        Action::Adjust(a) => (
            format!(
                "Adjust {} by {} ({})",
                tag(&a.package_id),
                fmt_q(a.delta),
                a.reason.label()
            ),
            Some(a.package_id),
        ),
        Action::Destroy(d) => (
            format!("Destroy {} of {}", fmt_q(d.quantity), tag(&d.package_id)),
            Some(d.package_id),
        ),
        Action::Move(m) => (
            format!("Move {} to {}", tag(&m.package_id), m.to.label()),
            Some(m.package_id),
        ),
        other => (other.name().replace('_', " "), None),
    }
}

/// The list of refused changes.
#[component]
pub fn Attention() -> impl IntoView {
    let replica = use_replica();
    let session = use_session();
    view! {
        <Page title="Needs attention" lead="Changes the server refused. Nothing here is lost: discard each one, or change it and send it again." testid="page-attention">
            <Show when=move || session.allows(domain::account::Role::Manager)>
                <ParkedChanges />
            </Show>
            <h2 class="section">"Refused by the server"</h2>
            <Show
                when=move || replica.attention.with(|a| !a.is_empty())
                fallback=|| view! { <p class="muted" data-testid="attention-empty">"Nothing needs attention: every change from this tablet reached the server."</p> }
            >
                <ul class="attention-list">
                    // Keyed by the change: one discarded or sent again leaves the others, and what
                    // was typed in them, as they are.
                    <For
                        each=move || replica.attention.get()
                        key=|r| (r.command.mutation_id, r.error.to_string())
                        children=move |r| {
                            let (words, package) = what(&r, replica.view.get_untracked().as_deref());
                            view! { <Item refused=r words=words package=package /> }
                        }
                    />
                </ul>
            </Show>
        </Page>
    }
}

#[component]
fn Item(refused: Refused, words: String, package: Option<domain::PackageId>) -> impl IntoView {
    let replica = use_replica();
    let error = RwSignal::new(None::<String>);
    let stored = StoredValue::new(refused.clone());
    // An adjustment's quantity can be changed before resending; other changes resend as they were.
    let editable = match &refused.command.action {
        Action::Adjust(a) => Some(a.delta.amount.normalize().to_string()),
        _ => None,
    };
    let amount = RwSignal::new(editable.clone().unwrap_or_default());
    let when = refused.command.at.format("%Y-%m-%d %H:%M").to_string();
    let resend = move |_| {
        let mut r = stored.get_value();
        if let Action::Adjust(a) = &mut r.command.action {
            match amount.get_untracked().trim().parse::<Decimal>() {
                Ok(d) => a.delta = Quantity::new(d, a.delta.unit),
                Err(_) => {
                    return error.set(Some(format!(
                        "\"{}\" is not a number",
                        amount.get_untracked()
                    )))
                }
            }
        }
        leptos::task::spawn_local(async move {
            let original = stored.get_value();
            let mut again = original.clone();
            again.command.action = r.command.action;
            match replica.resend(&again).await {
                Ok(_) => {}
                Err(e) => error.set(Some(format!("Still refused on this tablet: {e}"))),
            }
        });
    };
    let discard = move |_| {
        leptos::task::spawn_local(async move { replica.discard(&stored.get_value()).await });
    };
    view! {
        <li class="panel refused" data-testid="attention-item">
            <p class="what"><strong>{words}</strong><span class="sub">{format!(" · made {when}")}</span></p>
            <p class="banner error" data-testid="attention-reason">{refused.error.to_string()}</p>
            {editable.map(|_| view! {
                <label class="field">
                    <span>"Change by (negative removes)"</span>
                    <input type="text" inputmode="decimal" data-testid="attention-amount" bind:value=amount />
                </label>
            })}
            {move || error.get().map(|m| view! { <p class="banner error" role="alert">{m}</p> })}
            <div class="form-actions">
                <button type="button" class="button primary" data-testid="attention-resend" on:click=resend>"Send again"</button>
                <button type="button" class="button" data-testid="attention-discard" on:click=discard>"Discard"</button>
                {package.map(|id| view! { <A href=format!("/packages/{id}") attr:class="button">"Open package"</A> })}
            </div>
        </li>
    }
}
