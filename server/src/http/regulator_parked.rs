//! Changes the regulator refused, and a manager's decision on each:
//! `GET /api/v1/regulator/parked`, `POST /api/v1/regulator/parked/{seq}`.
//!
//! A decision is a ledger event (`settle_relay`), so the audit trail says who decided what and
//! why; the outbox row changes in the same write.

use axum::{
    extract::{Path, State},
    Json,
};
use chrono::Utc;
use domain::{wire::Decision, Action, Command, MutationId, SettleRelay};

use super::AppState;
use super::{
    error::{ErrorBody, JsonLater},
    session::CurrentUser,
    ApiError,
};
use crate::{
    auth::Role,
    hold_expiry::SERVER_DEVICE,
    ledger::{Outcome, Submitted},
    regulator::parked::{self, ParkedList},
    store::{LedgerStore, OutboxStore, RowState},
};

/// Lists the changes the regulator refused.
#[utoipa::path(get, path = "/api/v1/regulator/parked", tag = "regulator",
    responses((status = 200, body = ParkedList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn parked_index(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<ParkedList>, ApiError> {
    user.require(Role::Manager, "changes the regulator refused")?;
    let view = state.ledger.view().await;
    Ok(Json(parked::list(&state.store, &view.state).await?))
}

/// Records a decision on one refused change: send it again, or mark it done at the regulator.
#[utoipa::path(post, path = "/api/v1/regulator/parked/{seq}", tag = "regulator", request_body = Decision,
    params(("seq" = i64, Path, description = "The refused change's ledger sequence")),
    responses((status = 200, body = Outcome), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn parked_settle(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(seq): Path<String>,
    body: JsonLater<Decision>,
) -> Result<Json<Outcome>, ApiError> {
    user.require(Role::Manager, "settling a change the regulator refused")?;
    let body = body.parse()?;
    let seq: i64 = seq
        .parse()
        .ok()
        .filter(|s| *s > 0)
        .ok_or_else(|| ApiError::BadRequest(format!("{seq:?} is not a ledger sequence")))?;
    let mutation_id = body.mutation_id.unwrap_or_else(MutationId::new);
    // A decision already recorded under this id answers again, whatever the row says now.
    let resent = state
        .store
        .outcomes(&[mutation_id])
        .await?
        .remove(&mutation_id)
        .map(|json| serde_json::from_str::<Outcome>(&json))
        .transpose()
        .map_err(anyhow::Error::from)?;
    if let Some(outcome) = resent {
        return Ok(Json(outcome));
    }
    let states = state.store.states_of(seq).await?;
    if !states.contains(&RowState::Parked) {
        return Err(if !states.is_empty() {
            ApiError::Conflict(format!(
                "change {seq} is not waiting for a person: the regulator did not refuse it, or it was already settled"
            ))
        } else {
            ApiError::Missing(format!("no change {seq} is on its way to the regulator"))
        });
    }
    let command = Command {
        mutation_id,
        actor: user.0.id,
        device: SERVER_DEVICE,
        at: Utc::now(),
        action: Action::SettleRelay(SettleRelay {
            seq,
            decision: body.decision,
            note: body.note,
        }),
    };
    let outcome = state
        .ledger
        .submit(
            None,
            vec![Submitted {
                client_seq: None,
                command,
            }],
        )
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("the ledger answered nothing"))?;
    match outcome {
        Outcome::Rejected { error, .. } => Err(ApiError::InvalidBody(error.to_string())),
        applied => Ok(Json(applied)),
    }
}
