//! The Settings page: the regulator connection (its health, and new credentials, which stay on
//! the server) and the store's rules as the ledger holds them.

use domain::wire::SyncState;
use leptos::prelude::*;

use crate::{
    api::{self, SyncFailure},
    components::{
        limit_rules::LimitRules, page::Page, parked::ParkedChanges, reason_map::ReasonMapping,
        zone_locations::ZoneLocationsForm,
    },
    replica::use_replica,
};

/// Settings.
#[component]
pub fn Settings() -> impl IntoView {
    let replica = use_replica();
    let again = RwSignal::new(0u32);
    let health = LocalResource::new(move || {
        again.track();
        async move { api::regulator_health().await }
    });
    let store = move || {
        replica.view.with(|v| {
            v.as_ref().map(|s| {
                let c = &s.config;
                vec![
                    ("Store", c.name.clone()),
                    (
                        "Jurisdiction",
                        format!("{} ({})", c.jurisdiction.name, c.jurisdiction.code),
                    ),
                    ("Legal age", c.jurisdiction.min_age.to_string()),
                    (
                        "Count variance needing a recount",
                        format!("over {}%", c.jurisdiction.count_variance_threshold_percent),
                    ),
                    (
                        "Monthly report opening tolerance",
                        c.jurisdiction
                            .report_opening_tolerance_percent
                            .map_or_else(|| "none".into(), |t| format!("{t}%")),
                    ),
                    (
                        "Merge policy",
                        format!(
                            "{}{}{}",
                            if c.merge_policy.same_batch {
                                "same batch; "
                            } else {
                                ""
                            },
                            if c.merge_policy.same_lab_result {
                                "same lab result; "
                            } else {
                                ""
                            },
                            c.merge_policy.expiry_window_days.map_or_else(
                                || "any expiry".into(),
                                |d| format!("expiry within {d} days")
                            ),
                        ),
                    ),
                    ("Time zone", c.time_zone.name().to_owned()),
                ]
            })
        })
    };
    view! {
        <Page title="Settings" lead="The regulator connection and the store's rules." testid="page-settings">
            <h2 class="section">"Regulator connection"</h2>
            <Suspense fallback=|| view! { <p class="muted">"Asking the server…"</p> }>
                {move || health.get().map(|h| match h {
                    Err(SyncFailure::Server(m)) => view! { <p class="banner error" role="alert">{m}</p> }.into_any(),
                    Err(_) => view! { <p class="banner warn">"The regulator connection is shown when the tablet is online."</p> }.into_any(),
                    Ok(h) => view! {
                        <div class="panel facts" data-testid="regulator-health">
                            <dl>
                                <dt>"State"</dt><dd class=if h.health.state == SyncState::Healthy { "status ok" } else { "status warn" } data-testid="regulator-state">{h.health.state.name().replace('_', " ")}</dd>
                                <dt>"Cause"</dt><dd>{h.health.cause.clone()}</dd>
                                <dt>"Licence"</dt><dd>{h.license.clone().unwrap_or_else(|| "—".into())}{if h.sandbox { " (the embedded Metrc sandbox)" } else { "" }}</dd>
                                <dt>"Waiting / refused"</dt><dd>{format!("{} waiting, {} refused", h.pending, h.parked)}</dd>
                                <dt>"Key expires"</dt><dd>{h.key_expires_on.map_or_else(|| "not known".into(), |d| d.to_string())}</dd>
                            </dl>
                            {h.warnings.iter().map(|w| view! { <p class="banner warn">{w.clone()}</p> }).collect_view()}
                        </div>
                    }.into_any(),
                })}
            </Suspense>
            <ParkedChanges />
            <Credentials again=again />
            <ReasonMapping />
            <ZoneLocationsForm />
            <h2 class="section">"Store rules"</h2>
            <div class="panel facts">
                <dl>
                    {move || store().unwrap_or_default().into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
                </dl>
                <p class="sub">"The owner changes these with the ConfigureStore command (POST /api/v1/mutations); they reach every tablet with the next sync."</p>
            </div>
            <LimitRules />
        </Page>
    }
}

#[component]
fn Credentials(again: RwSignal<u32>) -> impl IntoView {
    let base_url = RwSignal::new(String::from("https://api-ca.metrc.com"));
    let vendor = RwSignal::new(String::new());
    let user = RwSignal::new(String::new());
    let license = RwSignal::new(String::new());
    let expires = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<domain::wire::CredentialsSaved>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        done.set(None);
        let e = expires.get_untracked();
        let key_expires_on = match e.trim() {
            "" => None,
            d => match d.parse::<chrono::NaiveDate>() {
                Ok(d) => Some(d),
                Err(_) => {
                    error.set(Some(format!(
                        "User key expires: {d:?} is not a date (YYYY-MM-DD)"
                    )));
                    return;
                }
            },
        };
        let body = domain::wire::NewCredentials {
            base_url: base_url.get_untracked().trim().to_owned(),
            vendor_key: vendor.get_untracked().trim().to_owned(),
            user_key: user.get_untracked().trim().to_owned(),
            license: license.get_untracked().trim().to_owned(),
            key_expires_on,
        };
        leptos::task::spawn_local(async move {
            match api::save_credentials(&body).await {
                Ok(saved) => {
                    vendor.set(String::new());
                    user.set(String::new());
                    done.set(Some(saved));
                    again.update(|n| *n += 1);
                }
                Err(m) => error.set(Some(m)),
            }
        });
    };
    view! {
        <form class="panel" on:submit=save novalidate data-testid="credentials-form">
            <h3>"New credentials"</h3>
            <p class="sub">"Kept on the server only: no page or API ever shows them again."</p>
            <div class="form-row">
                <label class="field grow"><span>"Regulator address"</span><input type="url" data-testid="cred-url" bind:value=base_url /></label>
                <label class="field grow"><span>"Facility licence"</span><input type="text" data-testid="cred-license" bind:value=license /></label>
            </div>
            <div class="form-row">
                <label class="field grow"><span>"Vendor (integrator) key"</span><input type="password" autocomplete="off" data-testid="cred-vendor" bind:value=vendor /></label>
                <label class="field grow"><span>"User key"</span><input type="password" autocomplete="off" data-testid="cred-user" bind:value=user /></label>
                <label class="field"><span>"User key expires"</span><input type="date" data-testid="cred-expires" bind:value=expires /></label>
            </div>
            {move || error.get().map(|m| view! { <p class="banner error" role="alert" data-testid="cred-error">{m}</p> })}
            {move || done.get().map(|s| view! { <p class="banner ok" role="status" data-testid="cred-saved">{format!("Saved. Changes now go to {} for licence {}; sync resumes with the new key.", s.host, s.license)}</p> })}
            <div class="form-actions">
                <button type="submit" class="button primary" data-testid="cred-save">"Save credentials"</button>
            </div>
        </form>
    }
}
