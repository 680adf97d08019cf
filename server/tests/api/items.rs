//! A product's Metrc item made or brought up to date from its mapping, with the fields its
//! category requires: refused by name when the product lacks one, found by name and changed when
//! it exists, made once even when the answer to the first attempt is lost.

use domain::{command::*, *};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    helpers::*,
    regulator::{applied, mapped_store, Regulator, ITEM},
};

async fn send(app: &TestApp, user: &User, product: &str) -> reqwest::Response {
    user.client
        .post(app.url(&format!("/products/{product}/regulator-item")))
        .send()
        .await
        .unwrap()
}

async fn define(app: &TestApp, p: Product) {
    applied(
        app.push(&app.manager, vec![command(Action::DefineProduct(p))])
            .await,
    );
}

async fn items_named(reg: &Regulator, name: &str) -> Vec<Value> {
    reg.get("/items/v2/active").await["Data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["Name"] == name)
        .cloned()
        .collect()
}

fn cart(id: ProductId, weight: Option<Quantity>) -> Product {
    let mut p = product(id, "Blue Dream cart", Category::Vape);
    p.thc_mg_per_unit = Some(400.into());
    p.regulator = Some(RegulatorMapping {
        item_name: "Test Farms Blue Dream cart".into(),
        item_category: "Vape Cartridge".into(),
        unit_of_measure: Unit::Each,
        unit_weight: weight,
        unit_weight_definition: UnitWeightDefinition::NetCannabis,
        strain: None,
    });
    p
}

async fn message(res: reqwest::Response) -> String {
    let body: Value = res.json().await.unwrap();
    body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_product_lacking_what_its_category_requires_is_refused_by_name_then_updated_once_it_has_it(
) {
    let app = spawn_app().await;
    let (reg, _) = mapped_store(&app, 1).await;
    // The mapped flower's item exists at the regulator; Metrc's Buds items need a strain.
    let flower = FLOWER.to_string();
    let res = send(&app, &app.manager, &flower).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(res).await.contains("need a strain"));
    let staff = send(&app, &app.staff, &flower).await;
    assert_eq!(staff.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        send(&app, &app.manager, "not-an-id").await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        send(&app, &app.manager, &ProductId::new().to_string())
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // The same product as mapped_store made, now with the strain.
    let mut p = product(FLOWER, "Mapped Flower", Category::Flower);
    p.regulator = Some(RegulatorMapping {
        item_name: ITEM.into(),
        item_category: "Buds".into(),
        unit_of_measure: Unit::Grams,
        unit_weight: None,
        unit_weight_definition: UnitWeightDefinition::NetCannabis,
        strain: Some("OG Kush".into()),
    });
    define(&app, p).await;
    let res = send(&app, &app.manager, &flower).await;
    assert_eq!(res.status(), StatusCode::OK);
    let sent: Value = res.json().await.unwrap();
    assert_eq!(
        sent["created"], false,
        "the item of that name is changed: {sent}"
    );
    assert_eq!(sent["category"], "Buds");
    let items = items_named(&reg, ITEM).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["StrainName"], "OG Kush");
}

#[tokio::test]
async fn a_new_item_is_made_once_even_when_the_first_answer_is_lost() {
    let app = spawn_app().await;
    let (reg, _) = mapped_store(&app, 1).await;
    let id = ProductId::new();
    // A cartridge needs a weight per item.
    define(&app, cart(id, None)).await;
    let res = send(&app, &app.manager, &id.to_string()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(res).await.contains("a weight per item"));
    define(&app, cart(id, Some(Quantity::grams(5, 1)))).await;

    // The regulator makes the item and the answer never comes.
    let r = reg
        .admin(
            reqwest::Method::PUT,
            "/sandbox/v2/faults",
            json!({"drop_next_writes": 1}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let res = send(&app, &app.manager, &id.to_string()).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    // Sent again, the item is found by its name and brought up to date, not made twice.
    let res = send(&app, &app.manager, &id.to_string()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let sent: Value = res.json().await.unwrap();
    assert_eq!(sent["created"], false, "{sent}");
    assert!(
        sent["summary"].as_str().unwrap().contains("0.5 g per item"),
        "{sent}"
    );
    let items = items_named(&reg, "Test Farms Blue Dream cart").await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["UnitWeight"], 0.5);
    assert_eq!(items[0]["UnitThcContent"], 400.0);

    // A product whose mapping names a category the facility lacks is told so.
    let other = ProductId::new();
    let mut p = cart(other, Some(Quantity::grams(1, 0)));
    let m = p.regulator.as_mut().unwrap();
    m.item_name = "Test Farms tincture".into();
    m.item_category = "Tinctures".into();
    define(&app, p).await;
    let res = send(&app, &app.manager, &other.to_string()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(res)
        .await
        .contains("no item category \"Tinctures\""));
}

#[tokio::test]
async fn a_new_mapping_makes_a_new_item() {
    let app = spawn_app().await;
    let (reg, _) = mapped_store(&app, 1).await;
    let id = ProductId::new();
    define(&app, cart(id, Some(Quantity::grams(1, 0)))).await;
    let res = send(&app, &app.manager, &id.to_string()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let sent: Value = res.json().await.unwrap();
    assert_eq!(sent["created"], true);
    assert_eq!(
        sent["summary"],
        "Created in Metrc: Vape Cartridge, Each, 1 g per item."
    );
    assert_eq!(
        items_named(&reg, "Test Farms Blue Dream cart").await.len(),
        1
    );
}
