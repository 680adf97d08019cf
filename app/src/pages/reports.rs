//! The Reports page.

use leptos::prelude::*;

use crate::components::page::{Page, Upcoming};

/// Monthly regulator reports and audit exports, traceable to the events behind every figure.
#[component]
pub fn Reports() -> impl IntoView {
    view! {
        <Page title="Reports" lead="Monthly regulator reports and audit exports, traceable to the events behind every figure." testid="page-reports">
            <Upcoming items=&[
                "Health Canada, AGCO, AGLC and BC monthly reports",
                "Metrc sync completeness for US stores",
                "Audit exports of any date range as CSV or JSONL",
            ] />
        </Page>
    }
}
