//! The ledger over HTTP: idempotency, concurrency, refusals as data, durability.

use std::{io::BufRead, process::Stdio, time::Duration};

use domain::{command::*, *};
use reqwest::StatusCode;
use server::ledger::Outcome;

use crate::helpers::*;

#[tokio::test]
async fn the_same_mutation_sent_twice_makes_one_set_of_events() {
    let app = spawn_app().await;
    let (flower, _) = app.stock_the_shelf(100, 10).await;
    let sale = sell(flower, Quantity::grams(35, 1));
    let first = app.push(&app.staff, vec![sale.clone()]).await;
    let before = app.events_count().await;
    let second = app.push(&app.staff, vec![sale.clone()]).await;
    assert_eq!(
        first, second,
        "a resent mutation returns its original outcome"
    );
    assert_eq!(app.events_count().await, before, "and adds no events");
    let snap = app.snapshot().await;
    let pkg = snap["snapshot"]["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == flower.to_string())
        .unwrap()
        .clone();
    assert_eq!(pkg["quantity"]["amount"], "96.5");
}

#[tokio::test]
async fn a_refused_command_is_an_outcome_not_a_server_error_and_is_remembered() {
    let app = spawn_app().await;
    let (flower, _) = app.stock_the_shelf(10, 10).await;
    let too_much = sell(flower, Quantity::grams(11, 0));
    let outcomes = app.push(&app.staff, vec![too_much.clone()]).await;
    let Outcome::Rejected { error, .. } = &outcomes[0] else {
        panic!("{outcomes:?}")
    };
    assert_eq!(
        error.to_string(),
        format!("Sell needs 11 g but 1A4…0001 has 10 g on hand")
    );
    // Resent after stock arrives, the same mutation stays refused: its outcome was recorded.
    assert_eq!(app.push(&app.staff, vec![too_much]).await, outcomes);
}

#[tokio::test]
async fn two_conflicting_splits_sent_at_once_end_with_one_applied_and_no_negative_stock() {
    let app = spawn_app().await;
    let (flower, _) = app.stock_the_shelf(100, 10).await;
    let split = |app: &TestApp| {
        command(Action::Split(Split {
            source: flower,
            new_packages: (0..2)
                .map(|_| NewPackage {
                    package_id: PackageId::new(),
                    tag: app.next_tag(),
                })
                .collect(),
            amounts: SplitAmounts::Equal {
                total: Quantity::grams(80, 0),
            },
        }))
    };
    let (a, b) = (split(&app), split(&app));
    let (ra, rb) = tokio::join!(
        app.push(&app.manager, vec![a]),
        app.push(&app.witness, vec![b])
    );
    let applied = [&ra[0], &rb[0]]
        .iter()
        .filter(|o| matches!(o, Outcome::Applied { .. }))
        .count();
    assert_eq!(applied, 1, "{ra:?} {rb:?}");
    let snap = app.snapshot().await;
    for p in snap["snapshot"]["packages"].as_array().unwrap() {
        let q: rust_decimal::Decimal = p["quantity"]["amount"].as_str().unwrap().parse().unwrap();
        assert!(q >= 0.into(), "{p}");
    }
}

#[tokio::test]
async fn a_tablet_learns_its_last_processed_mutation_number_on_pull() {
    let app = spawn_app().await;
    let (flower, _) = app.stock_the_shelf(100, 10).await;
    let mutations: Vec<_> = (1..=3)
        .map(|n| serde_json::json!({ "client_seq": n, "command": sell(flower, Quantity::grams(1, 0)) }))
        .collect();
    let res = app
        .staff
        .client
        .post(app.url("/mutations"))
        .json(&serde_json::json!({ "client_id": "tablet-7", "mutations": mutations }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let pull: serde_json::Value = app
        .staff
        .client
        .get(app.url("/sync?since=1&client_id=tablet-7"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pull["last_mutation_id"], 3);
    assert!(pull["snapshot"].is_null());
    let kinds: Vec<&str> = pull["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e["kind"]
                .as_object()
                .unwrap()
                .keys()
                .next()
                .unwrap()
                .as_str()
        })
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "sold").count(), 3);
}

fn start_server(data_dir: &std::path::Path) -> (std::process::Child, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pistil"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .arg("--dist")
        .arg(data_dir.join("none"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufReader::new(stdout).lines();
    let url = loop {
        let line = lines.next().expect("server printed its address").unwrap();
        if let Some(u) = line.strip_prefix("Pistil is running at ") {
            break u.to_owned();
        }
    };
    (child, url)
}

#[tokio::test]
async fn events_acknowledged_before_a_sigkill_are_all_there_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_pistil"))
        .args([
            "user",
            "add",
            "--email",
            "m@t.test",
            "--name",
            "M",
            "--role",
            "manager",
            "--password",
            PASSWORD,
            "--data-dir",
        ])
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let (mut child, url) = start_server(dir.path());
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r = client
        .post(format!("{url}/api/v1/session"))
        .json(&serde_json::json!({"email":"m@t.test","password":PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let push = |cmds: Vec<Command>| {
        let client = client.clone();
        let url = url.clone();
        async move {
            let mutations: Vec<_> = cmds
                .into_iter()
                .map(|c| serde_json::json!({ "command": c }))
                .collect();
            let r = client
                .post(format!("{url}/api/v1/mutations"))
                .json(&serde_json::json!({ "mutations": mutations }))
                .send()
                .await?;
            r.json::<serde_json::Value>().await
        }
    };
    push(vec![command(Action::DefineProduct(product(
        PREROLL,
        "P",
        Category::PreRoll,
    )))])
    .await
    .unwrap();
    // Many writers at once; each acknowledged outcome is remembered with its mutation.
    let mut acked: Vec<(Command, serde_json::Value)> = Vec::new();
    let mut tasks = Vec::new();
    for i in 0..32u32 {
        let cmds: Vec<Command> = (0..5u32)
            .map(|k| {
                command(Action::Receive(Receive {
                    manifest_number: format!("M-{i}-{k}"),
                    lines: vec![ReceiveLine {
                        package_id: PackageId::new(),
                        tag: RegulatorTag::parse(&format!("1A4FF0100000022{i:04}{k:05}")).unwrap(),
                        product_id: PREROLL,
                        shipped: Quantity::each(10),
                        batch: "B".into(),
                        lab: LabResult {
                            state: LabState::Passed,
                            result_id: None,
                            thc_percent: None,
                            cbd_percent: None,
                            tested_on: None,
                        },
                        packaged_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                        expires_on: None,
                        decision: LineDecision::Accept,
                    }],
                }))
            })
            .collect();
        let p = push(cmds.clone());
        tasks.push(async move { (cmds, p.await) });
    }
    for (cmds, res) in futures_util::future::join_all(tasks).await {
        let body = res.unwrap();
        for (c, o) in cmds
            .into_iter()
            .zip(body["outcomes"].as_array().unwrap().iter().cloned())
        {
            assert_eq!(o["status"], "applied", "{o}");
            acked.push((c, o));
        }
    }
    child.kill().unwrap(); // SIGKILL: no graceful shutdown
    child.wait().unwrap();

    let (mut child, url2) = start_server(dir.path());
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    client
        .post(format!("{url2}/api/v1/session"))
        .json(&serde_json::json!({"email":"m@t.test","password":PASSWORD}))
        .send()
        .await
        .unwrap();
    let snap: serde_json::Value = client
        .get(format!("{url2}/api/v1/sync?since=0"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        snap["snapshot"]["packages"].as_array().unwrap().len(),
        acked.len()
    );
    // Resending every acknowledged mutation returns its original outcome: nothing was lost.
    let mutations: Vec<_> = acked
        .iter()
        .map(|(c, _)| serde_json::json!({ "command": c }))
        .collect();
    let again: serde_json::Value = client
        .post(format!("{url2}/api/v1/mutations"))
        .json(&serde_json::json!({ "mutations": mutations }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for ((_, original), now) in acked.iter().zip(again["outcomes"].as_array().unwrap()) {
        assert_eq!(original, now);
    }
    child.kill().unwrap();
    child.wait().unwrap();
    tokio::time::sleep(Duration::from_millis(10)).await;
}

#[tokio::test]
async fn an_expired_pickup_hold_is_released_by_the_server_on_its_own() {
    let app = spawn_app().await;
    let (_, preroll) = app.stock_the_shelf(10, 3).await;
    let hold = HoldId::new();
    let outcomes = app
        .push(
            &app.staff,
            vec![command(Action::Reserve(Reserve {
                hold_id: hold,
                customer: CustomerRef::parse("pat").unwrap(),
                customer_name: "Pat".into(),
                channel: HoldChannel::Online,
                lines: vec![ReserveLine {
                    package_id: preroll,
                    quantity: Quantity::each(3),
                }],
                expires_at: chrono::Utc::now() + chrono::Duration::milliseconds(300),
            }))],
        )
        .await;
    assert!(matches!(outcomes[0], Outcome::Applied { .. }));
    let available = || async {
        let menu: serde_json::Value = app
            .anonymous
            .get(app.url("/menu"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        menu["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["product_id"] == PREROLL.to_string())
            .unwrap()["available"]
            .clone()
    };
    assert_eq!(available().await, "0");
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while available().await != "3" {
        assert!(
            std::time::Instant::now() < deadline,
            "the hold was not released"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Pushes `mutations` as the staff member under `client_id`, as the app does.
async fn push_numbered(
    app: &TestApp,
    client_id: &str,
    mutations: Vec<(i64, Command)>,
) -> reqwest::Response {
    let body = domain::wire::sync::PushRequest {
        client_id: Some(client_id.to_owned()),
        mutations: mutations
            .into_iter()
            .map(|(n, command)| domain::wire::sync::Submitted {
                client_seq: Some(n),
                command,
            })
            .collect(),
    };
    app.staff
        .client
        .post(app.url("/mutations"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn outcomes_of(res: reqwest::Response) -> Vec<Outcome> {
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<domain::wire::sync::PushResponse>()
        .await
        .unwrap()
        .outcomes
}

#[tokio::test]
async fn a_number_sent_again_after_a_lost_answer_is_answered_with_its_first_outcome_and_applied_once(
) {
    let app = spawn_app().await;
    let (flower, _) = app.stock_the_shelf(100, 10).await;
    let sale = sell(flower, Quantity::grams(10, 0));
    let too_much = sell(flower, Quantity::grams(500, 0));
    let first = outcomes_of(
        push_numbered(
            &app,
            "tab-1",
            vec![(1, sale.clone()), (2, too_much.clone())],
        )
        .await,
    )
    .await;
    assert!(matches!(first[0], Outcome::Applied { .. }), "{first:?}");
    assert!(matches!(first[1], Outcome::Rejected { .. }), "{first:?}");
    let events = app.events_count().await;

    // The answer was lost: the tablet sends the same numbers again.
    let again =
        outcomes_of(push_numbered(&app, "tab-1", vec![(1, sale), (2, too_much)]).await).await;
    assert_eq!(again, first, "the first outcomes, word for word");
    // A number used before, now under another mutation: the first one stands.
    let other = sell(flower, Quantity::grams(20, 0));
    let reused = outcomes_of(push_numbered(&app, "tab-1", vec![(1, other.clone())]).await).await;
    assert_eq!(reused, vec![first[0].clone()]);
    assert_eq!(app.events_count().await, events, "nothing applied twice");

    // Another tablet's number 1 is its own.
    let elsewhere = outcomes_of(push_numbered(&app, "tab-2", vec![(1, other)]).await).await;
    assert!(
        matches!(elsewhere[0], Outcome::Applied { .. }),
        "{elsewhere:?}"
    );
    let snap = app.snapshot().await;
    let left = snap["snapshot"]["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == flower.to_string())
        .unwrap()["quantity"]["amount"]
        .as_str()
        .unwrap()
        .parse::<rust_decimal::Decimal>()
        .unwrap();
    assert_eq!(
        left,
        rust_decimal::Decimal::from(70),
        "100 g less 10 g and 20 g, once each"
    );
    let pull: serde_json::Value = app
        .staff
        .client
        .get(app.url("/sync?since=1&client_id=tab-1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        pull["last_mutation_id"], 2,
        "a refused number advances the count too"
    );
}

#[tokio::test]
async fn a_push_with_a_malformed_client_id_or_number_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let (flower, _) = app.stock_the_shelf(100, 10).await;
    let before = app.events_count().await;
    for (client, n) in [
        ("tab-1", 0),
        ("tab-1", -3),
        (&*"x".repeat(65), 1),
        ("tab 1", 1),
        ("", 1),
    ] {
        let res = push_numbered(&app, client, vec![(n, sell(flower, Quantity::grams(1, 0)))]).await;
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{client:?} {n}"
        );
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_body", "{body}");
    }
    let unnamed = app
        .staff
        .client
        .post(app.url("/mutations"))
        .json(&serde_json::json!({ "mutations": [{ "client_seq": 1, "command": sell(flower, Quantity::grams(1, 0)) }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(unnamed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.events_count().await, before);
}
