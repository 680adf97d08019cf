//! The wire types as both sides read them: names on the wire, and what a tablet sends round-trips.

use domain::wire::{
    sync::{Outcome, PushRequest, Submitted},
    OrderStatus, SyncState,
};

#[test]
fn every_sync_state_is_named_as_serde_writes_it() {
    for s in [
        SyncState::Healthy,
        SyncState::AuthFailed,
        SyncState::MappingError,
        SyncState::RateLimited,
        SyncState::RegulatorDown,
        SyncState::Lagging,
        SyncState::StoreFailed,
        SyncState::NotConfigured,
    ] {
        assert_eq!(serde_json::to_value(s).unwrap(), s.name(), "{s:?}");
    }
}

#[test]
fn a_push_without_numbers_still_reads_and_an_unknown_field_is_refused() {
    let old: PushRequest = serde_json::from_str(r#"{"mutations": []}"#).unwrap();
    assert_eq!(old.client_id, None);
    let stray = serde_json::from_str::<PushRequest>(r#"{"mutations": [], "cursor": 3}"#);
    assert!(stray.is_err(), "a misspelt field is an error, not ignored");
    let no_command = serde_json::from_str::<Submitted>(r#"{"client_seq": 4}"#);
    assert!(
        no_command.is_err(),
        "a number without its command names nothing"
    );
}

#[test]
fn an_outcome_names_the_mutation_it_answers() {
    let id = domain::MutationId::new();
    let o: Outcome = serde_json::from_value(serde_json::json!({
        "status": "applied", "mutation_id": id, "seq": 7, "events": [{"seq": 7, "kind": "sold"}]
    }))
    .unwrap();
    assert_eq!(o.mutation_id(), id);
}

#[test]
fn every_order_status_is_named_as_serde_writes_it() {
    use OrderStatus::*;
    for s in [Placed, Preparing, Ready, PickedUp, Cancelled, Expired] {
        assert_eq!(serde_json::to_value(s).unwrap(), s.name(), "{s:?}");
    }
}
