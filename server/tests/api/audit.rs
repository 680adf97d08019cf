//! The audit export.

use chrono::{TimeZone, Utc};
use domain::*;

use crate::helpers::*;

#[tokio::test]
async fn an_export_of_a_range_holds_exactly_the_events_of_that_range_in_csv_and_jsonl() {
    let app = spawn_app().await;
    let (flower, _) = app.stock_the_shelf(100, 10).await;
    let mut sales = Vec::new();
    for day in [10, 11, 12] {
        let mut c = sell(flower, Quantity::grams(1, 0));
        c.at = Utc.with_ymd_and_hms(2026, 3, day, 18, 30, 0).unwrap();
        sales.push(c);
    }
    app.push(&app.staff, sales.clone()).await;
    let csv = app
        .manager
        .client
        .get(app.url("/audit/export?from=2026-03-11&to=2026-03-11"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "seq,at,recorded_at,actor,device,mutation_id,event,packages,reason,quantities"
    );
    assert_eq!(lines.len(), 2, "{text}");
    let fields: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(fields[1], "2026-03-11T18:30:00.000Z");
    assert_eq!(fields[3], app.staff.id.to_string());
    assert_eq!(fields[5], sales[1].mutation_id.to_string());
    assert_eq!(fields[6], "sold");
    assert_eq!(fields[7], flower.to_string());
    assert_eq!(fields[9], "-1 g");

    let jsonl = app
        .manager
        .client
        .get(
            app.url("/audit/export?from=2026-03-10T00:00:00Z&to=2026-03-12T00:00:00Z&format=jsonl"),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let rows: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        rows.len(),
        2,
        "an instant upper bound is exclusive: {jsonl}"
    );
    assert_eq!(rows[0]["mutation_id"], sales[0].mutation_id.to_string());
    assert_eq!(rows[1]["mutation_id"], sales[1].mutation_id.to_string());
}
