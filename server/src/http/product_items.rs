//! A product's Metrc item made or brought up to date from its mapping:
//! `POST /api/v1/products/{id}/regulator-item`.

use axum::{
    extract::{Path, State},
    Json,
};
use domain::{wire::ItemSent, ProductId};

use super::AppState;
use super::{error::ErrorBody, session::CurrentUser, ApiError};
use crate::{
    auth::Role,
    regulator::items::{self, ItemsError},
};

impl From<ItemsError> for ApiError {
    fn from(e: ItemsError) -> Self {
        match e {
            ItemsError::Regulator(e) => {
                ApiError::RegulatorUnavailable(format!("the regulator did not take the item: {e}"))
            }
            ItemsError::Incomplete(m) => ApiError::InvalidBody(m),
        }
    }
}

/// Makes the product's Metrc item, or changes the item of that name to match the product.
#[utoipa::path(post, path = "/api/v1/products/{id}/regulator-item", tag = "regulator",
    params(("id" = String, Path, description = "The product id")),
    responses((status = 200, body = ItemSent), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn regulator_item_send(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<ItemSent>, ApiError> {
    user.require(Role::Manager, "Metrc items")?;
    let id: ProductId = id
        .parse()
        .map_err(|_| ApiError::BadRequest(format!("{id:?} is not a product id")))?;
    let Some(product) = state.ledger.view().await.state.products.get(&id).cloned() else {
        return Err(ApiError::Missing(format!("no product {id} in this store")));
    };
    let Some(client) = state.outbox.client().await else {
        return Err(ApiError::RegulatorUnavailable(
            "no regulator connection is configured, so there is nowhere to send the item".into(),
        ));
    };
    let sent = items::send(&client, &product).await?;
    let i = sent.item;
    let per_unit = i
        .unit_weight
        .zip(i.unit_weight_unit_of_measure_name.as_deref())
        .map(|(w, u)| {
            let unit = domain::Unit::from_regulator_name(u).map_or(u, |u| u.symbol());
            format!(", {} {unit} per item", w.normalize())
        })
        .unwrap_or_default();
    // The item's name is beside the answer wherever it is shown; the sentence says what Metrc
    // now holds.
    let summary = format!(
        "{} in Metrc: {}, {}{per_unit}.",
        if sent.created { "Created" } else { "Updated" },
        i.product_category_name,
        i.unit_of_measure_name
    );
    tracing::info!(actor = %user.0.id, product = %id, item = i.id, created = sent.created, "sent a product's item to the regulator");
    Ok(Json(ItemSent {
        created: sent.created,
        item_id: i.id,
        name: i.name,
        category: i.product_category_name,
        unit_of_measure: i.unit_of_measure_name,
        summary,
    }))
}
