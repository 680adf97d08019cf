//! The monthly reports over HTTP: figures from the ledger, the files as filed and kept, every
//! figure's events, and a clear refusal of a month that is not one.

use chrono::{Datelike, Utc};
use domain::*;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

fn this_month() -> String {
    // The store day of the test store (the default configuration: UTC-5).
    let now = Utc::now() - chrono::Duration::minutes(300);
    format!("{}-{:02}", now.year(), now.month())
}

#[tokio::test]
async fn the_month_report_balances_per_class_and_downloads_as_csv() {
    let app = spawn_app().await;
    let (_, preroll) = app.stock_the_shelf(100, 40).await;
    app.push(&app.staff, vec![sell(preroll, Quantity::each(3))])
        .await;
    let month = this_month();
    let res = app
        .manager
        .client
        .get(app.url(&format!("/reports/health-canada?month={month}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    let dried = &body["report"]["classes"]["dried"];
    assert_eq!(dried["reduced_sold"], "3", "{body}");
    assert_eq!(dried["sold_in_store"], "3");
    // 100 g of flower and 40 pre-rolls received this month, 3 pre-rolls sold.
    assert_eq!(dried["added_received"], "140");
    assert_eq!(dried["closing"], "137");
    // Nothing was filed for last month, so there is no filed closing to check the opening with.
    assert!(body["compared_with"].is_null(), "{body}");
    assert_eq!(body["opening_checks"], serde_json::json!([]));
    assert_eq!(body["tolerance_percent"], "5");
    let csv = app
        .manager
        .client
        .get(app.url(&format!("/reports/health-canada?month={month}&format=csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()[reqwest::header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains(&format!("health-canada-{month}.csv")));
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("month,class,opening,"), "{text}");
    assert!(
        text.contains(&format!("{month},4 Dried cannabis,0,140,0,0,3,")),
        "{text}"
    );
    let again = app
        .manager
        .client
        .get(app.url(&format!("/reports/health-canada?month={month}&format=csv")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text, again, "the same month gives the same bytes");
    // The sold figure drills down to the one sale behind it.
    let behind: Value = app
        .manager
        .client
        .get(app.url(&format!(
            "/reports/health-canada/events?month={month}&class=dried&figure=sold_in_store"
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(behind.as_array().unwrap().len(), 1, "{behind}");
    assert_eq!(behind[0]["kind"], "sold");
    assert_eq!(behind[0]["quantity"], "3");
    let wrong = app
        .manager
        .client
        .get(app.url(&format!(
            "/reports/health-canada/events?month={month}&class=dried&figure=sold"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let bad = app
        .manager
        .client
        .get(app.url("/reports/health-canada?month=2026-13"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(
        body["error"]["message"],
        "month: \"2026-13\" is not a month; write it as YYYY-MM"
    );
}

#[tokio::test]
async fn the_sync_completeness_report_lists_each_change_with_its_regulator_id_and_delay() {
    let app = spawn_app().await;
    let (_, packages) = crate::regulator::mapped_store(&app, 1).await;
    app.push(&app.staff, vec![sell(packages[0].0, Quantity::grams(2, 0))])
        .await;
    crate::regulator::wait_until(&app, "synced", std::time::Duration::from_secs(20), |h| {
        h["pending"] == 0 && h["sending"] == 0
    })
    .await;
    let month = this_month();
    let r: Value = app
        .manager
        .client
        .get(app.url(&format!("/reports/metrc-completeness?month={month}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sale = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["kind"] == "sold")
        .expect("the sale is listed");
    assert_eq!(sale["state"], "done", "{r}");
    assert_eq!(sale["regulator_ids"].as_array().unwrap().len(), 1, "{sale}");
    assert_eq!(sale["late"], false);
    assert_eq!(r["late"], 0);
    assert_eq!(r["waiting"], 0);
    let csv = app
        .manager
        .client
        .get(app.url(&format!(
            "/reports/metrc-completeness?month={month}&format=csv"
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.starts_with("seq,at,kind,state,regulator_ids,posted_at,delay_minutes,late,refusal\n"),
        "{csv}"
    );
    assert!(csv.contains(",sold,done,"), "{csv}");
}

#[tokio::test]
async fn a_finished_month_is_kept_as_generated_downloaded_once_and_marked_submitted() {
    let app = spawn_app().await;
    app.stock_the_shelf(10, 10).await;
    let get = |path: String| {
        let c = app.manager.client.clone();
        let url = app.url(&path);
        async move { c.get(url).send().await.unwrap() }
    };
    // The month before the store's current one is finished, so its report is kept.
    let now = Utc::now() - chrono::Duration::minutes(300);
    let first = chrono::NaiveDate::from_ymd_opt(now.year(), now.month(), 1).unwrap();
    let last = first.pred_opt().unwrap();
    let month = format!("{}-{:02}", last.year(), last.month());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    // The server's own scheduler generates it without anyone asking.
    loop {
        let list: Value = get("/reports".into()).await.json().await.unwrap();
        // An Ontario store files Health Canada's report and the AGCO's.
        let generated = |kind: &str| {
            list.as_array()
                .unwrap()
                .iter()
                .any(|r| r["month"] == month && r["kind"] == kind && r["status"] == "generated")
        };
        if generated("health_canada") && generated("agco") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not generated: {list}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let a = get(format!("/reports/health-canada?month={month}&format=csv"))
        .await
        .text()
        .await
        .unwrap();
    let list: Value = get("/reports".into()).await.json().await.unwrap();
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["month"] == month && r["kind"] == "health_canada")
        .unwrap()
        .clone();
    assert_eq!(row["status"], "downloaded", "{list}");
    let b = get(format!("/reports/health-canada?month={month}&format=csv"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(a, b, "the kept bytes every time");
    let res = app
        .manager
        .client
        .post(app.url(&format!("/reports/health_canada/{month}/submitted")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let list: Value = get("/reports".into()).await.json().await.unwrap();
    assert!(list.as_array().unwrap().iter().any(|r| r["month"] == month
        && r["kind"] == "health_canada"
        && r["status"] == "submitted"));
    let never = app
        .manager
        .client
        .post(app.url("/reports/health_canada/2001-01/submitted"))
        .send()
        .await
        .unwrap();
    assert_eq!(never.status(), StatusCode::NOT_FOUND);
    let staff = app
        .staff
        .client
        .post(app.url(&format!("/reports/health_canada/{month}/submitted")))
        .send()
        .await
        .unwrap();
    assert_eq!(staff.status(), StatusCode::FORBIDDEN);
    // The AGCO workbook is kept too: the same bytes each time, and its own status.
    let xlsx = |format: &'static str| {
        let c = app.manager.client.clone();
        let url = app.url(&format!("/reports/agco?month={month}{format}"));
        async move { c.get(url).send().await.unwrap().bytes().await.unwrap() }
    };
    let (one, two) = (xlsx("").await, xlsx("").await);
    assert_eq!(&one[..2], b"PK");
    assert_eq!(one, two, "the kept workbook gives the same bytes");
    let tab = xlsx("&format=csv&tab=Destructions").await;
    assert!(tab.starts_with(b"Date,SKU,UPC,Quantity,Reason,Method"));
    let list: Value = get("/reports".into()).await.json().await.unwrap();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|r| r["month"] == month && r["kind"] == "agco" && r["status"] == "downloaded"),
        "{list}"
    );
    let res = app
        .manager
        .client
        .post(app.url(&format!("/reports/agco/{month}/submitted")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let unknown = app
        .manager
        .client
        .post(app.url(&format!("/reports/nova_scotia/{month}/submitted")))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let body: Value = unknown.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains(
        "is not one of health_canada, metrc_completeness, agco, alberta, british_columbia"
    ));
}

#[tokio::test]
async fn every_sku_figure_drills_down_to_the_events_behind_it() {
    let app = spawn_app().await;
    let (_, preroll) = app.stock_the_shelf(100, 40).await;
    app.push(&app.staff, vec![sell(preroll, Quantity::each(3))])
        .await;
    app.push(&app.staff, vec![sell(preroll, Quantity::each(2))])
        .await;
    let month = this_month();
    let get = |path: String| {
        let c = app.manager.client.clone();
        let url = app.url(&path);
        async move { c.get(url).send().await.unwrap() }
    };
    let skus: Value = get(format!("/reports/skus?month={month}"))
        .await
        .json()
        .await
        .unwrap();
    let row = skus["skus"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["sku"] == "TEST PRE-ROLL")
        .unwrap_or_else(|| panic!("{skus}"))
        .clone();
    assert_eq!(row["figures"]["sold_in_store"], "5");
    let behind: Value = get(format!(
        "/reports/health-canada/events?month={month}&sku=TEST%20PRE-ROLL&figure=sold_in_store"
    ))
    .await
    .json()
    .await
    .unwrap();
    let list = behind.as_array().unwrap();
    assert_eq!(list.len(), 2, "{behind}");
    let sum: i64 = list
        .iter()
        .map(|e| e["quantity"].as_str().unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(sum, 5);
    // Each event also says how much cannabis it held: pre-rolls of 0.5 g.
    assert_eq!(list[0]["kg"], "0.0015");
    let received: Value = get(format!(
        "/reports/health-canada/events?month={month}&sku=TEST%20PRE-ROLL&figure=added_received"
    ))
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(received[0]["quantity"], row["figures"]["added_received"]);
    for (query, words) in [
        (
            "&class=dried&sku=TEST%20PRE-ROLL",
            "give one of them, not both",
        ),
        ("", "say whose figure to follow"),
    ] {
        let res = get(format!(
            "/reports/health-canada/events?month={month}&figure=sold_in_store{query}"
        ))
        .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let body: Value = res.json().await.unwrap();
        assert!(
            body["error"]["message"].as_str().unwrap().contains(words),
            "{body}"
        );
    }
}

#[tokio::test]
async fn the_agco_report_is_a_workbook_of_every_tab_or_one_tab_as_csv() {
    let app = spawn_app().await;
    let (_, preroll) = app.stock_the_shelf(100, 40).await;
    app.push(&app.staff, vec![sell(preroll, Quantity::each(3))])
        .await;
    let month = this_month();
    let xlsx = app
        .manager
        .client
        .get(app.url(&format!("/reports/agco?month={month}")))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert!(xlsx.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    let bytes = xlsx.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK", "an XLSX is a zip");
    let federal = app
        .manager
        .client
        .get(app.url(&format!(
            "/reports/agco?month={month}&format=csv&tab=Federal"
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        federal.starts_with("SKU,UPC,Product,Opening,Received,"),
        "{federal}"
    );
    assert!(
        federal.contains("TEST PRE-ROLL,,Test Pre-roll,0,40,0,0,3,0,0,0,0,37"),
        "{federal}"
    );
    let alberta = app
        .manager
        .client
        .get(app.url(&format!("/reports/alberta?month={month}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        alberta.starts_with("AGLC SKU,UPC,Product,Class,Opening,"),
        "{alberta}"
    );
    assert!(
        alberta.contains("TEST PRE-ROLL,,Test Pre-roll,4 Dried cannabis,0,40,0,0,3,"),
        "{alberta}"
    );
    let bc = app
        .manager
        .client
        .get(app.url(&format!("/reports/british-columbia?month={month}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // 100 g of flower and 40 pre-rolls of 0.5 g received; 3 pre-rolls sold: kilograms.
    assert!(
        bc.contains("4 Dried cannabis,0,0.12,0,0,0.0015,0,0,0,0,0.1185,"),
        "{bc}"
    );
    let bad = app
        .manager
        .client
        .get(app.url(&format!("/reports/agco?month={month}&format=csv&tab=Nope")))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_report_asked_for_again_counts_the_sales_made_since() {
    let app = spawn_app().await;
    let (_, preroll) = app.stock_the_shelf(100, 40).await;
    let month = this_month();
    let sold = |body: Value| body["report"]["classes"]["dried"]["reduced_sold"].clone();
    let ask = || async {
        app.manager
            .client
            .get(app.url(&format!("/reports/health-canada?month={month}")))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    assert_eq!(sold(ask().await), "0");
    app.push(&app.staff, vec![sell(preroll, Quantity::each(2))])
        .await;
    assert_eq!(
        sold(ask().await),
        "2",
        "the parsed ledger is extended, not stale"
    );
    app.push(&app.staff, vec![sell(preroll, Quantity::each(5))])
        .await;
    assert_eq!(sold(ask().await), "7");
}

#[tokio::test]
async fn a_month_whose_opening_differs_from_the_closing_filed_before_is_submitted_only_with_an_explanation(
) {
    use domain::report::{previous_month, ReportKind};
    use server::store::ReportStore;
    let app = spawn_app().await;
    let now = Utc::now() - chrono::Duration::minutes(300);
    let last = previous_month(chrono::NaiveDate::from_ymd_opt(now.year(), now.month(), 1).unwrap());
    let before = previous_month(last);
    let key = |m: chrono::NaiveDate| m.format("%Y-%m").to_string();
    // The month before last as Health Canada holds it: filed closing 100 dried products (an older
    // Pistil's arithmetic, say). This ledger holds nothing before last month, so last month opens
    // at 0: 100% off, over the 5% Health Canada accepts.
    let filed = format!(
        "month,class,opening,added_received,added_returned,added_other,reduced_sold,reduced_destroyed,reduced_lost_stolen,reduced_returned,reduced_other,sold_in_store,sold_in_store_book_value,sold_remote,sold_remote_book_value,closing,closing_kg,closing_book_value\n\
         {},4 Dried cannabis,0,100,0,0,0,0,0,0,0,0,0.00,0,0.00,100,0.35,500.00\n",
        key(before)
    );
    app.store
        .keep_report(ReportKind::HealthCanada, before, &filed)
        .await
        .unwrap();
    let manager = &app.manager.client;
    let mark = |body: Option<Value>| {
        let req = manager.post(app.url(&format!("/reports/health_canada/{}/submitted", key(last))));
        let req = match body {
            Some(b) => req.json(&b),
            None => req,
        };
        req.send()
    };
    let preview_path = format!("/reports/health-canada?month={}", key(last));
    // Kept but not marked submitted: nothing filed to compare with yet, and the report says so.
    let r = app.get_json(manager, &preview_path).await;
    assert!(r["compared_with"].is_null(), "{r}");
    assert_eq!(r["opening_checks"], serde_json::json!([]));
    assert!(
        r["notes"][0]
            .as_str()
            .unwrap()
            .contains("is marked submitted"),
        "{r}"
    );

    assert!(app
        .store
        .mark_submitted(ReportKind::HealthCanada, before, None)
        .await
        .unwrap());
    let r = app.get_json(manager, &preview_path).await;
    assert_eq!(r["compared_with"], key(before));
    let dried = r["opening_checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["class"] == "4 Dried cannabis")
        .unwrap()
        .clone();
    assert_eq!(dried["opening"], "0");
    assert_eq!(dried["previous_closing"], "100");
    assert_eq!(dried["within_tolerance"], false);

    // Last month's file is generated and kept when downloaded.
    let csv = manager
        .get(app.url(&format!(
            "/reports/health-canada?month={}&format=csv",
            key(last)
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    for body in [
        None,
        Some(serde_json::json!({})),
        Some(serde_json::json!({"explanation": "  "})),
    ] {
        let res = mark(body.clone()).await.unwrap();
        assert_eq!(res.status(), StatusCode::CONFLICT, "{body:?}");
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["error"]["code"], "conflict");
        let message = e["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("4 Dried cannabis: opening 0 against 100 filed (100%)"),
            "{message}"
        );
        assert!(message.contains(&key(before)), "{message}");
    }
    let bidi = mark(Some(
        serde_json::json!({"explanation": "recounted \u{202E}"}),
    ))
    .await
    .unwrap();
    assert_eq!(bidi.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let stray = mark(Some(serde_json::json!({"reason": "x"})))
        .await
        .unwrap();
    assert_eq!(stray.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let status = |list: &Value| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|r| r["month"] == key(last) && r["kind"] == "health_canada")
            .unwrap()
            .clone()
    };
    let list: Value = manager
        .get(app.url("/reports"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        status(&list)["status"],
        "downloaded",
        "refused, so not submitted"
    );

    let why = "The closing filed for the month before counted 100 dried products this store never held; corrected with 100 in other reductions, flagged to Health Canada.";
    let ok = mark(Some(serde_json::json!({ "explanation": why })))
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::NO_CONTENT);
    let list: Value = manager
        .get(app.url("/reports"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status(&list)["status"], "submitted");
    assert_eq!(status(&list)["explanation"], why);
    // Filed stays filed: marking it again changes neither the time nor the explanation.
    let at = status(&list)["submitted_at"].clone();
    let again = mark(Some(serde_json::json!({"explanation": "something else"})))
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NO_CONTENT);
    let list: Value = manager
        .get(app.url("/reports"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status(&list)["explanation"], why);
    assert_eq!(status(&list)["submitted_at"], at);
}

#[tokio::test]
async fn a_report_whose_seed_packs_lack_their_number_of_seeds_says_so_instead_of_filing_a_gap() {
    use domain::command::*;
    let app = spawn_app().await;
    let seeds_id = ProductId::new();
    let mut seeds = product(seeds_id, "Blue Dream Seeds", Category::Seed);
    seeds.net_content = None;
    let pkg = PackageId::new();
    let receive = |product_id| {
        command(Action::Receive(Receive {
            manifest_number: format!("M-{}", uuid::Uuid::new_v4().simple()),
            lines: vec![ReceiveLine {
                package_id: pkg,
                tag: app.next_tag(),
                product_id,
                shipped: Quantity::each(3),
                batch: "S-1".into(),
                lab: LabResult {
                    state: LabState::Passed,
                    result_id: Some("COA-S".into()),
                    thc_percent: None,
                    cbd_percent: None,
                    tested_on: None,
                },
                packaged_on: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
                expires_on: None,
                decision: LineDecision::Accept,
            }],
        }))
    };
    for o in app
        .push(
            &app.manager,
            vec![
                command(Action::DefineProduct(seeds.clone())),
                receive(seeds_id),
            ],
        )
        .await
    {
        assert!(
            matches!(o, server::ledger::Outcome::Applied { .. }),
            "{o:?}"
        );
    }
    let month = this_month();
    let get = |format: &'static str| {
        let req = app
            .manager
            .client
            .get(app.url(&format!("/reports/health-canada?month={month}{format}")));
        async move { req.send().await.unwrap() }
    };
    let preview: Value = get("").await.json().await.unwrap();
    assert_eq!(
        preview["report"]["lacking"][0]["sku"], "BLUE DREAM SEEDS",
        "{preview}"
    );
    assert!(preview["report"]["lacking"][0]["needs"]
        .as_str()
        .unwrap()
        .contains("number of seeds"));
    let refused = get("&format=csv").await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let e: Value = refused.json().await.unwrap();
    let message = e["error"]["message"].as_str().unwrap();
    assert!(
        message
            .contains("Blue Dream Seeds (BLUE DREAM SEEDS) needs the number of seeds in a package"),
        "{message}"
    );
    // Given its five seeds a pack, the file is produced, its closing quantity in seeds.
    seeds.net_content = Some(Quantity::each(5));
    app.push(&app.manager, vec![command(Action::DefineProduct(seeds))])
        .await;
    let csv = get("&format=csv").await;
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.unwrap();
    let row = text
        .lines()
        .find(|l| l.contains(",1 Cannabis plant seeds,"))
        .unwrap_or_else(|| panic!("{text}"));
    // closing 3 packs, 15 seeds, 3 x 4.00
    assert!(row.ends_with(",3,15,12.00"), "{row}");
}
