//! Receipts the regulator has finalized: Metrc takes no change to one until it is opened again
//! (`PUT /sales/v2/receipts/unfinalize`) and lists it with the inactive receipts. A return still
//! reaches it, and a finalized duplicate is still found and voided.

use domain::{command::*, *};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    helpers::*,
    regulator::{applied, mapped_store, synced, Regulator},
};

fn sale(receipt: ReceiptId, package: PackageId, grams: i64) -> Command {
    command(Action::Sell(Sell {
        receipt_id: receipt,
        customer: None,
        patient: None,
        lines: vec![SellLine {
            package_id: package,
            quantity: Quantity::grams(grams, 0),
            unit_price: None,
        }],
    }))
}

/// Finalizes receipts at the regulator, as a store's other software or Metrc's own screen would.
async fn finalize(reg: &Regulator, ids: &[i64]) {
    let body: Vec<Value> = ids.iter().map(|id| json!({ "Id": id })).collect();
    let res = reg
        .client
        .put(format!(
            "{}/sales/v2/receipts/finalize?licenseNumber={}",
            reg.url, reg.license
        ))
        .basic_auth(&reg.vendor, Some(&reg.user))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn receipt(reg: &Regulator, number: ReceiptId) -> Value {
    reg.get(&format!("/sales/v2/receipts/external/{number}"))
        .await
}

#[tokio::test]
async fn a_return_reaches_a_receipt_the_regulator_finalized_and_leaves_it_final() {
    let app = spawn_app().await;
    let (reg, packages) = mapped_store(&app, 1).await;
    let number = ReceiptId::new();
    applied(
        app.push(&app.staff, vec![sale(number, packages[0].0, 5)])
            .await,
    );
    synced(&app).await;
    let id = receipt(&reg, number).await["Id"].as_i64().unwrap();
    finalize(&reg, &[id]).await;
    applied(
        app.push(
            &app.staff,
            vec![command(Action::Return(ReturnGoods {
                return_id: ReturnId::new(),
                receipt_id: number,
                lines: vec![ReturnLine {
                    package_id: packages[0].0,
                    quantity: Quantity::grams(2, 0),
                }],
                disposition: ReturnDisposition::Restock,
            }))],
        )
        .await,
    );
    synced(&app).await;
    let after = receipt(&reg, number).await;
    assert_eq!(after["Transactions"][0]["Quantity"], 3.0, "{after}");
    assert_eq!(after["IsFinal"], true, "closed again after the change");
    let package = reg
        .get(&format!("/packages/v2/{}", packages[0].1.as_str()))
        .await;
    assert_eq!(package["Quantity"], 997.0);
}

#[tokio::test]
async fn a_finalized_duplicate_is_still_found_and_voided() {
    let app = spawn_app().await;
    let (reg, packages) = mapped_store(&app, 1).await;
    let number = ReceiptId::new();
    applied(
        app.push(&app.staff, vec![sale(number, packages[0].0, 7)])
            .await,
    );
    synced(&app).await;
    let r = reg
        .admin(
            reqwest::Method::POST,
            "/sandbox/v2/receipts/duplicate",
            json!({"license": reg.license, "external_receipt_number": number.to_string()}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let copies: Vec<i64> = r.json::<Value>().await.unwrap()["Ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    let original = receipt(&reg, number).await["Id"].as_i64().unwrap();
    finalize(&reg, &[original, copies[0]]).await;
    // Both are now among the inactive receipts; the reconciliation still sees the copy.
    let active = reg.get("/sales/v2/receipts/active").await;
    assert_eq!(active["Total"], 0);
    let res = app
        .manager
        .client
        .get(app.url("/reconcile"))
        .send()
        .await
        .unwrap();
    let report: Value = res.json().await.unwrap();
    let row = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["package_id"] == packages[0].0.to_string())
        .cloned()
        .expect("the package sold twice at the regulator");
    assert_eq!(row["diagnosis"]["kind"], "duplication", "{row}");
    let copy = row["diagnosis"]["duplicates"][0]["regulator_id"]
        .as_i64()
        .unwrap();
    assert_eq!(copy, copies[0]);
    let res = app
        .manager
        .client
        .post(app.url("/reconcile/void-receipt"))
        .json(&json!({ "regulator_receipt_id": copy }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let package = reg
        .get(&format!("/packages/v2/{}", packages[0].1.as_str()))
        .await;
    assert_eq!(package["Quantity"], 993.0, "the copy's 7 g are back");
    assert_eq!(
        receipt(&reg, number).await["IsFinal"],
        true,
        "the original is untouched"
    );
}
