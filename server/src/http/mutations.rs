//! `POST /api/v1/mutations`: a batch of commands, each applied at most once.

use axum::{extract::State, Json};
use domain::wire::sync::{PushRequest, PushResponse};
use domain::Action;

use super::AppState;
use super::{
    error::{AppJson, ErrorBody},
    session::CurrentUser,
    ApiError,
};
use crate::auth::{self, Role};

/// Most mutations in one request.
pub const MAX_MUTATIONS: usize = 500;

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

/// Longest client id a tablet may send (it mints a UUID: 36 characters).
pub const MAX_CLIENT_ID: usize = 64;

/// A tablet names itself with letters, digits and dashes, and numbers its mutations from 1 up;
/// a number without a client id would name nothing.
fn check_numbers(body: &PushRequest) -> Result<(), ApiError> {
    if let Some(c) = &body.client_id {
        let shaped = c
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_');
        if c.is_empty() || c.len() > MAX_CLIENT_ID || !shaped {
            return Err(ApiError::InvalidBody(format!(
                "client_id: 1 to {MAX_CLIENT_ID} letters, digits, '-' or '_'"
            )));
        }
    }
    for (i, m) in body.mutations.iter().enumerate() {
        match (m.client_seq, &body.client_id) {
            (Some(n), _) if n < 1 => {
                return Err(ApiError::InvalidBody(format!(
                    "mutations[{i}].client_seq: numbers start at 1; got {n}"
                )))
            }
            (Some(_), None) => {
                return Err(ApiError::InvalidBody(format!(
                    "mutations[{i}].client_seq: a number needs the push's client_id"
                )))
            }
            _ => {}
        }
    }
    Ok(())
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
    check_numbers(&body)?;
    for m in &mut body.mutations {
        user.require(
            required_role(&m.command.action),
            &format!("\"{}\"", m.command.action.name()),
        )?;
        // The signed-in person is the actor, whatever the device claims.
        m.command.actor = user.0.id;
        // A phone number a till or tablet sends is kept as its keyed hash, as the public
        // orders keep it, so one customer's limits hold across channels.
        match &mut m.command.action {
            Action::Sell(s) => s.customer = s.customer.take().map(|c| state.secret.customer(c)),
            Action::Reserve(r) => r.customer = state.secret.customer(r.customer.clone()),
            _ => {}
        }
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
