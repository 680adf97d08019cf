//! The provincial layouts: the AGCO tabs, Alberta's rows per SKU, British Columbia's by weight.

use rust_decimal::Decimal;

use super::{MonthlyReport, SkuReport};

/// The AGCO tabs Pistil fills, by name.
pub const AGCO_TABS: [&str; 6] = [
    "Federal",
    "Monthly Sales",
    "Inventory Adjustments",
    "Destructions",
    "Inter-Store Transfer - Incoming",
    "Inter-Store Transfer - Outgoing",
];

/// A tab's name as it goes in a file name: `Inter-Store Transfer - Incoming` is
/// `inter_store_transfer_incoming`.
pub fn agco_tab_slug(tab: &str) -> String {
    tab.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("_")
}

/// One AGCO tab as rows of cells, header first. Column layouts follow the regulation's fields
/// (the AGCO template's exact headings are not confirmed).
pub fn agco_tab(r: &SkuReport, tab: &str) -> Option<Vec<Vec<String>>> {
    let n = |d: Decimal| d.normalize().to_string();
    let rows = match tab {
        "Federal" => {
            let mut rows = vec![[
                "SKU",
                "UPC",
                "Product",
                "Opening",
                "Received",
                "Returned by customers",
                "Other additions",
                "Sold",
                "Destroyed",
                "Lost or stolen",
                "Returned to OCS",
                "Other reductions",
                "Closing",
            ]
            .map(str::to_owned)
            .to_vec()];
            rows.extend(r.skus.iter().map(|s| {
                let f = &s.figures;
                vec![
                    s.sku.clone(),
                    s.upc.clone(),
                    s.name.clone(),
                    n(f.opening),
                    n(f.added_received),
                    n(f.added_returned),
                    n(f.added_other),
                    n(f.reduced_sold),
                    n(f.reduced_destroyed),
                    n(f.reduced_lost_stolen),
                    n(f.reduced_returned),
                    n(f.reduced_other),
                    n(f.closing),
                ]
            }));
            rows
        }
        "Monthly Sales" => {
            let mut rows = vec![[
                "SKU",
                "UPC",
                "Product",
                "Sold in store",
                "Sold in store (book value)",
                "Sold remote",
                "Sold remote (book value)",
            ]
            .map(str::to_owned)
            .to_vec()];
            rows.extend(
                r.skus
                    .iter()
                    .filter(|s| !s.figures.reduced_sold.is_zero())
                    .map(|s| {
                        let f = &s.figures;
                        vec![
                            s.sku.clone(),
                            s.upc.clone(),
                            s.name.clone(),
                            n(f.sold_in_store),
                            format!("{:.2}", f.sold_in_store_value),
                            n(f.sold_remote),
                            format!("{:.2}", f.sold_remote_value),
                        ]
                    }),
            );
            rows
        }
        "Inventory Adjustments" | "Destructions" => {
            let (lines, detail) = if tab == "Destructions" {
                (&r.destructions, "Method")
            } else {
                (&r.adjustments, "Note")
            };
            let mut rows = vec![vec![
                "Date".to_owned(),
                "SKU".to_owned(),
                "UPC".to_owned(),
                "Quantity".to_owned(),
                "Reason".to_owned(),
                detail.to_owned(),
            ]];
            rows.extend(lines.iter().map(|l| {
                vec![
                    l.day.to_string(),
                    l.sku.clone(),
                    l.upc.clone(),
                    n(l.quantity),
                    l.reason.clone(),
                    l.detail.clone(),
                ]
            }));
            rows
        }
        // The ledger records no transfers between stores yet: the tabs go with headings only.
        "Inter-Store Transfer - Incoming" | "Inter-Store Transfer - Outgoing" => {
            vec![["Date", "SKU", "UPC", "Quantity", "Other store licence"]
                .map(str::to_owned)
                .to_vec()]
        }
        _ => return None,
    };
    Some(rows)
}

/// Alberta's monthly report per AGLC SKU: units and book value per SKU, rows of cells with a
/// header (the AGLC template's headings are not confirmed; columns follow SOR/2019-202 s.5).
pub fn alberta_rows(r: &SkuReport) -> Vec<Vec<String>> {
    let n = |d: Decimal| d.normalize().to_string();
    let mut rows = vec![[
        "AGLC SKU",
        "UPC",
        "Product",
        "Class",
        "Opening",
        "Received",
        "Returned by customers",
        "Other additions",
        "Sold",
        "Sold (book value)",
        "Destroyed",
        "Lost or stolen",
        "Other reductions",
        "Closing",
        "Closing (book value)",
    ]
    .map(str::to_owned)
    .to_vec()];
    rows.extend(r.skus.iter().map(|s| {
        let f = &s.figures;
        vec![
            s.sku.clone(),
            s.upc.clone(),
            s.name.clone(),
            s.class.label().to_owned(),
            n(f.opening),
            n(f.added_received),
            n(f.added_returned),
            n(f.added_other),
            n(f.reduced_sold),
            format!("{:.2}", f.sold_in_store_value + f.sold_remote_value),
            n(f.reduced_destroyed),
            n(f.reduced_lost_stolen),
            n(f.reduced_other + f.reduced_returned),
            n(f.closing),
            format!("{:.2}", f.closing_value),
        ]
    }));
    rows
}

/// British Columbia's weight-based monthly report: per class, every movement in kilograms of
/// cannabis (seeds: number), rows of cells with a header (the LCRB template's headings are not
/// confirmed).
pub fn british_columbia_rows(r: &MonthlyReport) -> Vec<Vec<String>> {
    let n = |d: Decimal| d.normalize().to_string();
    let mut rows = vec![[
        "Class",
        "Opening (kg)",
        "Received (kg)",
        "Returned by customers (kg)",
        "Other additions (kg)",
        "Sold in store (kg)",
        "Sold remote (kg)",
        "Destroyed (kg)",
        "Lost or stolen (kg)",
        "Other reductions (kg)",
        "Closing (kg)",
        "Closing (book value)",
    ]
    .map(str::to_owned)
    .to_vec()];
    rows.extend(r.classes.iter().map(|(class, c)| {
        vec![
            class.label().to_owned(),
            n(c.opening),
            n(c.added_received),
            n(c.added_returned),
            n(c.added_other),
            n(c.sold_in_store),
            n(c.sold_remote),
            n(c.reduced_destroyed),
            n(c.reduced_lost_stolen),
            n(c.reduced_other + c.reduced_returned),
            n(c.closing),
            format!("{:.2}", c.closing_value),
        ]
    }));
    rows
}
