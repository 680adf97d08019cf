//! The tablet sync protocol (DESIGN.md, "Offline tablets"): push, pull and their answers.

use serde::{Deserialize, Serialize};

use crate::{Command, DomainError, Event, MutationId, Package, Product, State, StoreConfig};

/// A stored event with its global sequence number.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(from = "SeqEventWire")]
pub struct SeqEvent {
    /// Global sequence number.
    pub seq: i64,
    /// The event.
    #[serde(flatten)]
    pub event: Event,
}

/// The same fields as a flattened `SeqEvent`, read directly: `flatten` would buffer every event
/// and compile a second copy of every event reader into the browser app.
#[derive(Deserialize)]
struct SeqEventWire {
    seq: i64,
    version: u16,
    mutation_id: crate::MutationId,
    actor: crate::UserId,
    device: crate::DeviceId,
    at: chrono::DateTime<chrono::Utc>,
    kind: crate::EventKind,
}

impl From<SeqEventWire> for SeqEvent {
    fn from(w: SeqEventWire) -> Self {
        SeqEvent {
            seq: w.seq,
            event: Event {
                version: w.version,
                mutation_id: w.mutation_id,
                actor: w.actor,
                device: w.device,
                at: w.at,
                kind: w.kind,
            },
        }
    }
}

/// What a pull returns: everything a tablet needs to catch up.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Serialize, Deserialize)]
pub struct SyncResponse {
    /// The new cursor.
    pub cursor: i64,
    /// Last mutation number processed for this client.
    pub last_mutation_id: i64,
    /// A full snapshot, when the cursor was missing or far behind.
    pub snapshot: Option<Snapshot>,
    /// Events after the cursor, when no snapshot is sent.
    pub events: Vec<SeqEvent>,
}

/// All products and packages.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Serialize, Deserialize)]
pub struct Snapshot {
    /// Products.
    pub products: Vec<Product>,
    /// Packages, finished and destroyed ones included.
    pub packages: Vec<Package>,
    /// The store's configuration (jurisdiction, merge policy), so a tablet decides as the server does.
    #[serde(default)]
    pub config: StoreConfig,
    /// Pickup holds not yet settled, so a tablet can move, hand over or cancel them.
    #[serde(default)]
    pub holds: Vec<crate::event::Hold>,
    /// Cycle counts not yet accepted, so a tablet can count offline.
    #[serde(default)]
    pub counts: Vec<OpenCount>,
}

/// A count still open, as a snapshot carries it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OpenCount {
    /// Its id.
    pub count_id: crate::CountId,
    /// The count.
    pub session: crate::count::CountSession,
}

impl Snapshot {
    /// The state a tablet decides against: what the snapshot holds, with its tag index.
    pub fn into_state(self) -> State {
        let mut s = State {
            config: self.config,
            ..State::default()
        };
        for p in self.products {
            s.products.insert(p.id, p);
        }
        for p in self.packages {
            s.tags.insert(p.tag.clone(), p.id);
            s.packages.insert(p.id, p);
        }
        for h in self.holds {
            s.holds.insert(h.hold_id, h);
        }
        for c in self.counts {
            s.counts.insert(c.count_id, c.session);
        }
        s
    }
}

/// A push from a tablet or till: its mutations in the order they were made.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// The device's sync identity, when it numbers its mutations.
    pub client_id: Option<String>,
    /// The mutations, in the order they were made.
    pub mutations: Vec<Submitted>,
}

/// One mutation as a client submits it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Submitted {
    /// The tablet's own mutation number (1, 2, 3, ...), when it numbers them.
    pub client_seq: Option<i64>,
    /// The command.
    pub command: Command,
}

/// One outcome per mutation, in the order they were pushed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PushResponse {
    /// Outcomes.
    pub outcomes: Vec<Outcome>,
}

/// What became of one mutation; a re-sent mutation (or number) gets its first outcome again.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Its events were committed.
    Applied {
        /// The mutation.
        mutation_id: MutationId,
        /// Sequence number of its last event (the ledger's sequence when it has none).
        seq: i64,
        /// Its events.
        events: Vec<SeqEventRef>,
    },
    /// The domain refused it; nothing changed.
    Rejected {
        /// The mutation.
        mutation_id: MutationId,
        /// Why.
        error: DomainError,
    },
}

impl Outcome {
    /// The mutation this outcome answers.
    pub fn mutation_id(&self) -> MutationId {
        match self {
            Outcome::Applied { mutation_id, .. } | Outcome::Rejected { mutation_id, .. } => {
                *mutation_id
            }
        }
    }
}

/// An event's sequence number and kind, as returned with an outcome.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SeqEventRef {
    /// Sequence number.
    pub seq: i64,
    /// Event kind.
    pub kind: String,
}
