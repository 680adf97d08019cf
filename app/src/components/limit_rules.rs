//! The store's purchase limits as the law writes them: each limit, what it counts and how, per
//! transaction or per day, and its source; for the owner and for an auditor.

use domain::{Jurisdiction, LimitTerm, Measure, ProgramRules, Window};
use leptos::prelude::*;
use rust_decimal::Decimal;

use crate::replica::use_replica;

fn num(d: Decimal) -> String {
    d.round_dp(3).normalize().to_string()
}

/// "570 g of beverages = 1 g".
fn term_words(t: &LimitTerm, unit: &str) -> String {
    let what = match t.measure {
        Measure::NetWeight => format!("{} g", num(t.per)),
        Measure::ThcMilligrams => format!("{} mg THC", num(t.per)),
        Measure::Items => num(t.per),
    };
    format!(
        "{what} of {} = {} {unit}",
        t.category.label().to_lowercase(),
        num(t.equals)
    )
}

/// The limits of one program as a table.
fn program_view(rules: &ProgramRules) -> impl IntoView {
    let title = format!(
        "{}{}",
        match rules.program {
            domain::Program::AdultUse => "Adult-use",
            domain::Program::Medical => "Medical",
        },
        if rules.registration_required {
            " (each sale names the patient's registration)"
        } else {
            ""
        }
    );
    let rows = rules.limits.clone();
    let unlimited = rules.unlimited.clone();
    view! {
        <h3>{title}</h3>
        <table class="grid" data-testid="limit-rules">
            <thead><tr><th>"Limit"</th><th class="num">"At most"</th><th>"Counted"</th><th>"Equivalents"</th><th>"Source"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|l| view! {
                    <tr data-testid="limit-rule">
                        <td>{l.name.clone()}</td>
                        <td class="num">{format!("{} {}", num(l.max), l.unit_label)}</td>
                        <td>{match l.window { Window::Transaction => "per transaction", Window::Day => "per customer per store day" }}</td>
                        <td>{l.terms.iter().map(|t| term_words(t, &l.unit_label)).collect::<Vec<_>>().join("; ")}</td>
                        <td class="sub">{l.source.clone()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {(!unlimited.is_empty()).then(|| view! {
            <p class="sub">{unlimited.iter().map(|(c, why)| format!("{} are not limited: {why}.", c.label())).collect::<Vec<_>>().join(" ")}</p>
        })}
    }
}

/// The jurisdiction's limits, medical refusal and discrepancy notice.
#[component]
pub fn LimitRules() -> impl IntoView {
    let replica = use_replica();
    let rules = move || {
        replica
            .view
            .with(|v| v.as_ref().map(|s| s.config.jurisdiction.clone()))
    };
    view! {
        <h2 class="section">"Purchase limits, as the law writes them"</h2>
        {move || rules().map(|j: Jurisdiction| view! {
            <div class="panel">
                {j.programs.iter().map(program_view).collect_view()}
                {j.no_medical_because.clone().map(|why| view! { <p class="sub">{format!("No medical sales: {why}.")}</p> })}
                {j.significant_discrepancy.clone().map(|d| view! {
                    <p class="sub" data-testid="discrepancy-rule">{format!(
                        "A count difference of {}% of average monthly sales or more is a {}: report it to {} within {} hours ({}).",
                        d.percent_of_average_monthly_sales.normalize(), d.name, d.notify, d.notify_within_hours, d.source
                    )}</p>
                })}
            </div>
        })}
    }
}
