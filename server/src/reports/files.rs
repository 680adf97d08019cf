//! The files a report is kept and downloaded as: CSV, the AGCO tabs kept as JSON, and the
//! XLSX workbook rendered from them.

use chrono::{Datelike, NaiveDate};
use domain::report::CompletenessReport;
use serde::{Deserialize, Serialize};

use super::ReportError;

/// One AGCO tab as kept: its name and its rows of cells, header first.
#[derive(Debug, Serialize, Deserialize)]
pub struct AgcoTab {
    /// The tab's name, one of `domain::report::AGCO_TABS`.
    pub name: String,
    /// Header row first.
    pub rows: Vec<Vec<String>>,
}

/// Rows of cells as CSV.
pub fn cells(rows: &[Vec<String>]) -> Result<String, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r).map_err(ReportError::file)?;
    }
    let body = w.into_inner().map_err(ReportError::file)?;
    String::from_utf8(body).map_err(ReportError::file)
}

/// The workbook of the kept tabs. Its document date is the month's end, not the moment it is
/// rendered, so the same month gives the same bytes.
pub fn workbook(tabs: &[AgcoTab], month: NaiveDate) -> Result<Vec<u8>, ReportError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let end = domain::report::next_month(month);
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(
        u16::try_from(end.year()).unwrap_or(1900),
        end.month() as u8,
        1,
    )
    .map_err(ReportError::file)?;
    book.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title(format!(
                "AGCO integrated retail report {}",
                month.format("%Y-%m")
            ))
            .set_creation_datetime(&date),
    );
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for tab in tabs {
        let rows = &tab.rows;
        let sheet = book.add_worksheet();
        // Excel caps sheet names at 31 characters.
        sheet
            .set_name(tab.name.chars().take(31).collect::<String>())
            .map_err(ReportError::file)?;
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                let done = match (r, v.parse::<f64>()) {
                    (0, _) => sheet.write_string_with_format(r, c, v, &bold),
                    (_, Ok(x)) if c >= 3 && !v.is_empty() => sheet.write_number(r, c, x),
                    _ => sheet.write_string(r, c, v),
                };
                done.map_err(ReportError::file)?;
            }
        }
    }
    book.save_to_buffer().map_err(ReportError::file)
}

/// The Metrc completeness report as CSV, one row per change.
pub fn completeness_csv(report: &CompletenessReport) -> Result<String, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "seq",
        "at",
        "kind",
        "state",
        "regulator_ids",
        "posted_at",
        "delay_minutes",
        "late",
        "refusal",
    ])
    .map_err(ReportError::file)?;
    for r in &report.rows {
        w.write_record([
            r.seq.to_string(),
            r.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            r.kind.clone(),
            r.state.clone(),
            r.regulator_ids
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(" "),
            r.posted_at
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default(),
            r.delay_minutes.to_string(),
            if r.late { "late".into() } else { String::new() },
            r.refusal.clone().unwrap_or_default(),
        ])
        .map_err(ReportError::file)?;
    }
    let body = w.into_inner().map_err(ReportError::file)?;
    String::from_utf8(body).map_err(ReportError::file)
}
