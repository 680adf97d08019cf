//! The store on its own: a fresh database in a temporary directory, written the way the ledger
//! writer writes it, read back through the traits the rest of the server uses.

use chrono::{Duration, TimeZone, Utc};
use domain::{account::Role, account::User, event::*, *};
use futures_util::TryStreamExt;
use server::store::{
    Batch, EventStore, LedgerStore, MutationRow, OutboxStore, Pull, PullContents, RowState,
    SettingStore, SnapshotStore, Store, StoreError, UserStore,
};

async fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    (dir, store)
}

fn sale(package: PackageId, minutes: i64) -> Event {
    let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 15, 0, 0).single().unwrap();
    let price = Money::new(10.into(), Currency::Cad);
    Event {
        version: EVENT_VERSION,
        mutation_id: MutationId::new(),
        actor: UserId::from_u128(7),
        device: DeviceId::from_u128(9),
        at: t0 + Duration::minutes(minutes),
        kind: EventKind::Sold {
            receipt: Receipt {
                receipt_id: ReceiptId::new(),
                customer: None,
                patient: None,
                channel: SaleChannel::InStore,
                lines: vec![SaleLine {
                    package_id: package,
                    product_id: ProductId::from_u128(3),
                    quantity: Quantity::each(1),
                    unit_price: price,
                    line_total: price,
                }],
                total: price,
                hold_id: None,
            },
        },
    }
}

/// Commits `events` from sequence `first`, each with its mutation, as the writer does.
async fn commit(store: &Store, first: i64, events: &[Event], client: Option<(&str, i64)>) {
    let mut batch = Batch {
        recorded_at: Utc::now().to_rfc3339(),
        ..Batch::default()
    };
    for (i, e) in events.iter().enumerate() {
        let seq = first + i as i64;
        batch.events.push(
            server::ledger::event_row(seq, e, &batch.recorded_at, false, &State::default())
                .unwrap(),
        );
        batch.mutations.push(MutationRow {
            mutation_id: e.mutation_id.to_string(),
            client_id: client.map(|(c, _)| c.to_owned()),
            client_seq: client.map(|(_, n)| n),
            action: "sell",
            outcome: format!("{{\"seq\":{seq}}}"),
        });
    }
    if let Some((c, n)) = client {
        batch.clients.push((c.to_owned(), n));
    }
    store.commit(batch).await.unwrap();
}

#[tokio::test]
async fn events_stream_back_in_order_and_match_what_a_cursor_reads() {
    let (_dir, store) = open().await;
    assert!(store
        .events()
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .is_empty());
    let package = PackageId::new();
    // More than one page of the start-up read (4,096 rows).
    let events: Vec<Event> = (0..4_500).map(|i| sale(package, i)).collect();
    for (n, chunk) in events.chunks(500).enumerate() {
        commit(&store, 1 + 500 * n as i64, chunk, None).await;
    }
    let streamed: Vec<_> = store.events().try_collect().await.unwrap();
    assert_eq!(streamed.len(), 4_500);
    assert_eq!(streamed[4_499].event, events[4_499]);
    assert!(streamed.windows(2).all(|w| w[0].seq + 1 == w[1].seq));
    assert_eq!(streamed[17].event, events[17]);
    let after = store.events_after(4_300, i64::MAX).await.unwrap();
    assert_eq!(after.len(), 200);
    assert_eq!(after[0].seq, 4_301);
    assert_eq!(store.events_after(5, 7).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_stored_event_that_no_longer_parses_is_named_not_skipped() {
    let (_dir, store) = open().await;
    commit(&store, 1, &[sale(PackageId::new(), 0)], None).await;
    sqlx::query("UPDATE events SET body = '{\"not\": \"an event\"}' WHERE seq = 1")
        .execute(store.pool())
        .await
        .unwrap();
    let err = store.events().try_collect::<Vec<_>>().await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Unreadable { what, .. } if what == "event 1"),
        "{err}"
    );
}

#[tokio::test]
async fn outcomes_are_found_for_many_mutations_at_once_and_only_those_recorded() {
    let (_dir, store) = open().await;
    let package = PackageId::new();
    let events: Vec<Event> = (0..900).map(|i| sale(package, i)).collect();
    commit(&store, 1, &events, None).await;
    let mut asked: Vec<MutationId> = events.iter().map(|e| e.mutation_id).collect();
    let unknown = MutationId::new();
    asked.push(unknown);
    let found = store.outcomes(&asked).await.unwrap();
    assert_eq!(found.len(), 900);
    assert!(!found.contains_key(&unknown));
    assert_eq!(found[&events[899].mutation_id], "{\"seq\":900}");
    assert!(store.outcomes(&[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_tablets_last_mutation_number_never_goes_back() {
    let (_dir, store) = open().await;
    let package = PackageId::new();
    commit(&store, 1, &[sale(package, 0)], Some(("tablet-1", 5))).await;
    // A late batch with a lower number (a retried push processed after a newer one).
    commit(&store, 2, &[sale(package, 1)], Some(("tablet-1", 3))).await;
    let Pull::Read {
        last_mutation,
        cursor,
        contents,
    } = store.pull(Some("tablet-1"), 1, 5_000).await.unwrap()
    else {
        panic!("in range");
    };
    assert_eq!((last_mutation, cursor), (5, 2));
    assert!(matches!(contents, PullContents::Events(e) if e.len() == 1));
    assert!(matches!(
        store.pull(Some("tablet-1"), 3, 5_000).await.unwrap(),
        Pull::OutOfRange { cursor: 2 }
    ));
    assert!(matches!(
        store.pull(None, 0, 5_000).await.unwrap(),
        Pull::Read {
            last_mutation: 0,
            contents: PullContents::Snapshot { .. },
            ..
        }
    ));
}

#[tokio::test]
async fn a_change_held_back_is_not_the_oldest_waiting_until_its_time_comes() {
    let (_dir, store) = open().await;
    let (a, b) = (PackageId::new(), PackageId::new());
    let mut e = sale(a, 0);
    e.kind = EventKind::PackageAdjusted {
        package_id: a,
        delta: Quantity::each(-1),
        remaining: Quantity::each(0),
        reason: AdjustReason::MoistureLoss,
        note: None,
        count_id: None,
    };
    let mut batch = Batch {
        recorded_at: "2026-03-01T10:00:00+00:00".into(),
        ..Batch::default()
    };
    let mut row =
        server::ledger::event_row(1, &e, &batch.recorded_at, false, &State::default()).unwrap();
    row.outbox_key = Some(a.to_string());
    batch.events.push(row);
    store.commit(batch).await.unwrap();
    let now = Utc::now();
    store
        .hold_back_latest("package_adjusted", now + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(store.oldest_waiting(now).await.unwrap(), None);
    let later = now + Duration::hours(2);
    assert_eq!(
        store.oldest_waiting(later).await.unwrap(),
        Some(Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap())
    );
    let page = store.outbox_page(0, 200).await.unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].state, RowState::Pending);
    assert!(page[0].not_before.is_some_and(|t| t > now));
    // A sale of another package is not a row of this one's.
    assert!(store.sales_from(b).await.unwrap().is_empty());
    assert_eq!(store.states_of(1).await.unwrap(), vec![RowState::Pending]);
    assert!(store.states_of(2).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_outbox_state_no_version_writes_is_an_error_in_words() {
    let (_dir, store) = open().await;
    let a = PackageId::new();
    let mut batch = Batch {
        recorded_at: Utc::now().to_rfc3339(),
        ..Batch::default()
    };
    let mut row =
        server::ledger::event_row(1, &sale(a, 0), &batch.recorded_at, false, &State::default())
            .unwrap();
    row.outbox_key = Some(a.to_string());
    batch.events.push(row);
    store.commit(batch).await.unwrap();
    sqlx::query("UPDATE outbox SET state = 'lost'")
        .execute(store.pool())
        .await
        .unwrap();
    let err = store.state_counts().await.unwrap_err();
    assert!(err.to_string().contains("outbox state \"lost\""), "{err}");
}

#[tokio::test]
async fn users_are_unique_by_email_and_sessions_end_when_they_expire() {
    let (_dir, store) = open().await;
    let user = User {
        id: UserId::new(),
        email: "m@t.test".into(),
        name: "M".into(),
        role: Role::Manager,
    };
    let now = Utc::now();
    store.insert_user(&user, "hash", now).await.unwrap();
    let twin = User {
        id: UserId::new(),
        ..user.clone()
    };
    let err = store.insert_user(&twin, "hash", now).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Duplicate(w) if w.contains("m@t.test")),
        "{err}"
    );
    assert_eq!(
        store.user_by_email("m@t.test").await.unwrap(),
        Some((user.clone(), "hash".into()))
    );
    assert!(store.user_exists(user.id).await.unwrap());
    assert!(!store.user_exists(twin.id).await.unwrap());
    store
        .insert_session("t1", user.id, now, now + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(
        store.session_user("t1", now).await.unwrap(),
        Some(user.clone())
    );
    assert_eq!(
        store
            .session_user("t1", now + Duration::hours(2))
            .await
            .unwrap(),
        None
    );
    store.delete_session("t1").await.unwrap();
    assert_eq!(store.session_user("t1", now).await.unwrap(), None);
}

#[tokio::test]
async fn a_setting_round_trips_and_one_edited_by_hand_is_named() {
    let (_dir, store) = open().await;
    assert_eq!(store.setting::<Vec<u32>>("k").await.unwrap(), None);
    assert!(!store.has_setting("k").await.unwrap());
    store.put_setting("k", &vec![1_u32, 2]).await.unwrap();
    store.put_setting("k", &vec![3_u32]).await.unwrap();
    assert_eq!(store.setting::<Vec<u32>>("k").await.unwrap(), Some(vec![3]));
    sqlx::query("UPDATE settings SET value = 'not json' WHERE key = 'k'")
        .execute(store.pool())
        .await
        .unwrap();
    assert!(store.has_setting("k").await.unwrap());
    let err = store.setting::<Vec<u32>>("k").await.unwrap_err();
    assert!(
        err.to_string().starts_with("setting k is unreadable"),
        "{err}"
    );
}
