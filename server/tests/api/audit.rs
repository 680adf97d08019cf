//! The audit export.

use chrono::{TimeZone, Utc};
use domain::{command::*, *};
use server::ledger::Outcome;

use crate::helpers::*;

const AUDIT_HEADER: [&str; 16] = [
    "seq",
    "at",
    "recorded_at",
    "actor",
    "actor_name",
    "device",
    "mutation_id",
    "event",
    "packages",
    "tags",
    "products",
    "skus",
    "reason",
    "witness",
    "witness_name",
    "quantities",
];

/// The export's CSV, header included, read as a CSV reader reads it.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn field_map(header: &[String], row: &[String]) -> std::collections::HashMap<String, String> {
    header.iter().cloned().zip(row.iter().cloned()).collect()
}

/// A package's tag as the server holds it.
async fn tag_of(app: &TestApp, package: PackageId) -> String {
    let snapshot = app.snapshot().await;
    snapshot["snapshot"]["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == package.to_string())
        .unwrap()["tag"]
        .as_str()
        .unwrap()
        .to_owned()
}

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
    let rows = csv_rows(&text);
    assert_eq!(rows[0], AUDIT_HEADER, "{text}");
    assert_eq!(rows.len(), 2, "{text}");
    let row = field_map(&rows[0], &rows[1]);
    assert_eq!(row["at"], "2026-03-11T18:30:00.000Z");
    assert_eq!(row["actor"], app.staff.id.to_string());
    assert_eq!(row["actor_name"], "s@t.test");
    assert_eq!(row["mutation_id"], sales[1].mutation_id.to_string());
    assert_eq!(row["event"], "sold");
    assert_eq!(row["packages"], flower.to_string());
    assert_eq!(row["products"], "Test Flower");
    assert_eq!(row["skus"], "TEST FLOWER");
    assert_eq!(row["quantities"], "-1 g");
    assert_eq!(row["witness"], "");

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

#[tokio::test]
async fn each_row_names_people_tags_products_and_the_witness_beside_their_ids() {
    let app = spawn_app().await;
    let (flower, preroll) = app.stock_the_shelf(100, 10).await;
    let at = Utc.with_ymd_and_hms(2026, 4, 2, 17, 0, 0).unwrap();
    let children = [PackageId::new(), PackageId::new()];
    let child_tags = [app.next_tag(), app.next_tag()];
    let mut split = command(Action::Split(Split {
        source: flower,
        new_packages: children
            .iter()
            .zip(&child_tags)
            .map(|(id, tag)| NewPackage {
                package_id: *id,
                tag: tag.clone(),
            })
            .collect(),
        amounts: SplitAmounts::Equal {
            total: Quantity::grams(10, 0),
        },
    }));
    split.at = at;
    let mut destroy = command(Action::Destroy(Destroy {
        package_id: preroll,
        quantity: Quantity::each(2),
        reason: DestroyReason::Damage,
        method: DestroyMethod::Compost,
        witness: app.witness.id,
        note: Some("crushed, \"by the door\", in the rain".into()),
    }));
    destroy.at = at;
    for o in app.push(&app.manager, vec![split, destroy]).await {
        assert!(matches!(o, Outcome::Applied { .. }), "{o:?}");
    }
    let text = app
        .manager
        .client
        .get(app.url("/audit/export?from=2026-04-02&to=2026-04-02"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let rows = csv_rows(&text);
    assert_eq!(rows.len(), 3, "{text}");
    let split_row = field_map(&rows[0], &rows[1]);
    let destroy_row = field_map(&rows[0], &rows[2]);

    // A split names the source's tag and each new package's, in the order of its package ids.
    assert_eq!(split_row["event"], "package_split");
    let flower_tag = tag_of(&app, flower).await;
    assert_eq!(
        split_row["packages"],
        format!("{flower} {} {}", children[0], children[1])
    );
    assert_eq!(
        split_row["tags"],
        format!("{flower_tag} {} {}", child_tags[0], child_tags[1])
    );
    assert_eq!(
        split_row["products"], "Test Flower",
        "one product, named once"
    );
    assert_eq!(split_row["actor_name"], "m@t.test");
    assert_eq!(split_row["witness_name"], "");

    // A destruction names who did it and who watched, by id and by name; a note with commas and
    // quotes stays one field.
    assert_eq!(destroy_row["event"], "package_destroyed");
    assert_eq!(destroy_row["tags"], tag_of(&app, preroll).await);
    assert_eq!(destroy_row["products"], "Test Pre-roll");
    assert_eq!(destroy_row["skus"], "TEST PRE-ROLL");
    assert_eq!(destroy_row["actor"], app.manager.id.to_string());
    assert_eq!(destroy_row["actor_name"], "m@t.test");
    assert_eq!(destroy_row["witness"], app.witness.id.to_string());
    assert_eq!(destroy_row["witness_name"], "w@t.test");
    assert_eq!(destroy_row["quantities"], "-2 ea");
    assert!(!destroy_row["reason"].is_empty());

    // JSON lines carry the same fields.
    let jsonl = app
        .manager
        .client
        .get(app.url("/audit/export?from=2026-04-02&to=2026-04-02&format=jsonl"))
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
    assert_eq!(rows[1]["witness_name"], "w@t.test");
    assert_eq!(rows[1]["actor_name"], "m@t.test");
    assert_eq!(rows[1]["tags"], destroy_row["tags"]);

    // The package's history names the witness too.
    let history: serde_json::Value = app
        .manager
        .client
        .get(app.url(&format!("/packages/{preroll}/history")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let destroyed = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"]["kind"].get("package_destroyed").is_some())
        .unwrap();
    assert_eq!(destroyed["actor_name"], "m@t.test");
    assert_eq!(destroyed["witness_name"], "w@t.test");
}

/// Events an older Pistil recorded, before the export named tags, products and witnesses, are
/// given them when the database is next opened, from the projections that keep every package.
#[tokio::test]
async fn events_recorded_before_the_names_were_kept_are_given_them_at_the_next_start() {
    use futures_util::StreamExt;
    use server::store::{EventStore, Store};
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

    let dir = tempfile::tempdir().unwrap();
    let (actor, witness) = (UserId::new(), UserId::new());
    let product = product(ProductId::new(), "Old Flower, Lot \"A\"", Category::Flower);
    let package = PackageId::new();
    let tag = "1A4FF0300000029811111111";
    let at = Utc.with_ymd_and_hms(2026, 2, 3, 10, 0, 0).unwrap();
    let destroyed = Event {
        version: EVENT_VERSION,
        mutation_id: MutationId::new(),
        actor,
        device: DeviceId::new(),
        at,
        kind: EventKind::PackageDestroyed {
            package_id: package,
            quantity: Quantity::grams(2, 0),
            remaining: Quantity::grams(8, 0),
            reason: DestroyReason::Damage,
            method: DestroyMethod::Compost,
            witness,
            note: None,
        },
    };
    {
        // The schema as it was: every migration before the one that keeps the names.
        let mut old = sqlx::migrate!("./migrations");
        let keep = old
            .migrations
            .iter()
            .position(|m| m.description.contains("audit names"))
            .expect("the migration that keeps the names");
        old.migrations = std::borrow::Cow::Owned(old.migrations[..keep].to_vec());
        let pool = SqlitePoolOptions::new()
            .connect_with(
                SqliteConnectOptions::new()
                    .filename(dir.path().join("pistil.db"))
                    .create_if_missing(true),
            )
            .await
            .unwrap();
        old.run(&pool).await.unwrap();
        for (id, name) in [(actor, "Olga Owner"), (witness, "Walt Witness")] {
            sqlx::query("INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (?, ?, ?, 'manager', 'x', '')")
                .bind(id.to_string())
                .bind(format!("{id}@old.test"))
                .bind(name)
                .execute(&pool)
                .await
                .unwrap();
        }
        sqlx::query("INSERT INTO products (id, sku, category, available, body, changed_seq) VALUES (?, ?, 'flower', '1', ?, 1)")
            .bind(product.id.to_string())
            .bind(&product.sku)
            .bind(serde_json::to_string(&product).unwrap())
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO packages (id, tag, product_id, status, zone, quantity, held, body, changed_seq) VALUES (?, ?, ?, 'active', 'vault', '8', '0', '{}', 1)")
            .bind(package.to_string())
            .bind(tag)
            .bind(product.id.to_string())
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO events (seq, mutation_id, kind, at, recorded_at, actor, device, body, packages, reason, quantities) VALUES (1, ?, 'package_destroyed', ?, ?, ?, ?, ?, ?, 'Damage', '-2 g')")
            .bind(destroyed.mutation_id.to_string())
            .bind("2026-02-03T10:00:00.000Z")
            .bind("2026-02-03T10:00:01Z")
            .bind(actor.to_string())
            .bind(destroyed.device.to_string())
            .bind(serde_json::to_string(&destroyed).unwrap())
            .bind(package.to_string())
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
    let store = Store::open(dir.path()).await.unwrap();
    let rows: Vec<_> = store
        .audit_rows("2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z")
        .collect()
        .await;
    assert_eq!(rows.len(), 1);
    let row = rows.into_iter().next().unwrap().unwrap();
    assert_eq!(row.tags, tag);
    assert_eq!(row.products, "Old Flower, Lot \"A\"");
    assert_eq!(row.skus, product.sku);
    assert_eq!(row.actor_name, "Olga Owner");
    assert_eq!(row.witness, witness.to_string());
    assert_eq!(row.witness_name, "Walt Witness");
    // What was recorded stays as it was.
    assert_eq!(row.quantities, "-2 g");
    assert_eq!(row.reason, "Damage");
    assert_eq!(row.mutation_id, destroyed.mutation_id.to_string());
}
