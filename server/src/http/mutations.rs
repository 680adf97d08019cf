//! `POST /api/v1/mutations`: a batch of commands, each applied at most once.

use axum::{extract::State, Json};
use domain::Action;
use serde::{Deserialize, Serialize};

use super::AppState;
use super::{
    error::{AppJson, ErrorBody},
    session::CurrentUser,
    ApiError,
};
use crate::{
    auth::{self, Role},
    ledger::{Outcome, Submitted},
};

/// Most mutations in one request.
pub const MAX_MUTATIONS: usize = 500;

/// A push from a tablet or till.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// The device's sync identity, when it numbers its mutations.
    pub client_id: Option<String>,
    /// The mutations, in the order they were made.
    pub mutations: Vec<Submitted>,
}

/// One outcome per mutation, in order.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PushResponse {
    /// Outcomes.
    pub outcomes: Vec<Outcome>,
}

/// The least role each action needs: staff sell, return and handle orders; the rest is a manager's.
pub fn required_role(action: &Action) -> Role {
    match action {
        Action::Sell(_)
        | Action::Return(_)
        | Action::Reserve(_)
        | Action::ReleaseHold(_)
        | Action::AdvanceOrder(_)
        | Action::FulfilHold(_) => Role::Staff,
        Action::ConfigureStore(_) => Role::Owner,
        _ => Role::Manager,
    }
}

/// Applies each mutation once, in order; a refusal is an outcome, not an error.
#[utoipa::path(post, path = "/api/v1/mutations", tag = "ledger", request_body = PushRequest,
    responses((status = 200, body = PushResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn mutations_create(
    State(state): State<AppState>,
    user: CurrentUser,
    AppJson(mut body): AppJson<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    if body.mutations.len() > MAX_MUTATIONS {
        return Err(ApiError::BadRequest(format!(
            "at most {MAX_MUTATIONS} mutations per request; got {}",
            body.mutations.len()
        )));
    }
    for m in &mut body.mutations {
        user.require(
            required_role(&m.command.action),
            &format!("\"{}\"", m.command.action.name()),
        )?;
        // The signed-in person is the actor, whatever the device claims.
        m.command.actor = user.0.id;
        let witness = match &m.command.action {
            Action::Destroy(d) => Some(d.witness),
            Action::RecordCount(c) => Some(c.witness),
            _ => None,
        };
        if let Some(w) = witness {
            if !auth::user_exists(&state.store, w).await? {
                return Err(ApiError::InvalidBody(format!(
                    "witness {w} is not a user of this store"
                )));
            }
        }
    }
    let outcomes = state.ledger.submit(body.client_id, body.mutations).await?;
    Ok(Json(PushResponse { outcomes }))
}
