//! The tablet's own copy in IndexedDB: the confirmed snapshot with its cursor, the outbox of
//! commands not yet accepted by the server, and the ones it refused. Separate stores, so a bulk
//! refresh of the snapshot never touches a pending change.

use domain::{sync::Snapshot, Command, DomainError, Package, Product, StoreConfig};
use indexed_db_futures::{
    database::Database, prelude::*, transaction::TransactionMode, BuildPrimitive,
};
use serde::{Deserialize, Serialize};

const DB: &str = "pistil";
const META: &str = "meta";
const PRODUCTS: &str = "products";
const PACKAGES: &str = "packages";
const OUTBOX: &str = "outbox";
const ATTENTION: &str = "attention";

/// A command the server refused, kept until a person discards or resends it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Refused {
    /// The command as it was sent.
    pub command: Command,
    /// The server's reason.
    pub error: DomainError,
}

/// Everything the tablet had when it was last used.
pub struct Cached {
    /// Last ledger sequence folded into the snapshot.
    pub cursor: i64,
    /// Confirmed products, packages and policies.
    pub snapshot: Snapshot,
    /// Commands waiting for the server, oldest first.
    pub outbox: Vec<Command>,
    /// Commands the server refused.
    pub attention: Vec<Refused>,
}

fn err(e: impl std::fmt::Display) -> String {
    format!("the tablet's storage failed: {e}")
}

/// Opens (and on first use creates) the tablet's database.
pub async fn open() -> Result<Database, String> {
    Database::open(DB)
        .with_version(1u8)
        .with_on_upgrade_needed(|_, db| {
            for name in [META, PRODUCTS, PACKAGES, OUTBOX, ATTENTION] {
                db.create_object_store(name).build()?;
            }
            Ok(())
        })
        .await
        .map_err(err)
}

async fn all(db: &Database, store: &str) -> Result<Vec<String>, String> {
    let tx = db.transaction(store).build().map_err(err)?;
    let s = tx.object_store(store).map_err(err)?;
    let v: Vec<String> = s
        .get_all::<String>()
        .primitive()
        .map_err(err)?
        .await
        .map_err(err)?
        .collect::<Result<_, _>>()
        .map_err(err)?;
    Ok(v)
}

fn parse_all<T: for<'a> Deserialize<'a>>(rows: Vec<String>) -> Vec<T> {
    // A record that no longer parses (an older app version) is dropped from the cache, which a
    // pull refills; outbox records are written by this same code and always parse.
    rows.iter()
        .filter_map(|r| serde_json::from_str(r).ok())
        .collect()
}

/// What the tablet holds, or `None` when it has never synced.
pub async fn load(db: &Database) -> Result<Option<Cached>, String> {
    let meta = all(db, META).await?;
    let Some(meta) = meta.first() else {
        return Ok(None);
    };
    let meta: Meta = serde_json::from_str(meta).map_err(err)?;
    let products: Vec<Product> = parse_all(all(db, PRODUCTS).await?);
    let packages: Vec<Package> = parse_all(all(db, PACKAGES).await?);
    let mut outbox: Vec<Pending> = parse_all(all(db, OUTBOX).await?);
    outbox.sort_by_key(|p| p.order);
    let attention: Vec<Refused> = parse_all(all(db, ATTENTION).await?);
    Ok(Some(Cached {
        cursor: meta.cursor,
        snapshot: Snapshot {
            products,
            packages,
            config: meta.config,
        },
        outbox: outbox.into_iter().map(|p| p.command).collect(),
        attention,
    }))
}

#[derive(Serialize, Deserialize)]
struct Meta {
    cursor: i64,
    config: StoreConfig,
}

#[derive(Serialize, Deserialize)]
struct Pending {
    /// Milliseconds since the epoch when queued, then a tie-breaker: the outbox keeps its order.
    order: (i64, u32),
    command: Command,
}

/// Writes products, packages and the cursor in one transaction. With `replace`, what was there
/// before goes (a full snapshot); without, only what a pull changed is written.
pub async fn save(
    db: &Database,
    cursor: i64,
    products: &[&Product],
    packages: &[&Package],
    config: &StoreConfig,
    replace: bool,
) -> Result<(), String> {
    let tx = db
        .transaction([META, PRODUCTS, PACKAGES])
        .with_mode(TransactionMode::Readwrite)
        .build()
        .map_err(err)?;
    let meta = tx.object_store(META).map_err(err)?;
    let prod = tx.object_store(PRODUCTS).map_err(err)?;
    let pack = tx.object_store(PACKAGES).map_err(err)?;
    if replace {
        prod.clear().map_err(err)?;
        pack.clear().map_err(err)?;
    }
    for p in products {
        prod.put(serde_json::to_string(p).map_err(err)?)
            .with_key(p.id.to_string())
            .primitive()
            .map_err(err)?;
    }
    for p in packages {
        pack.put(serde_json::to_string(p).map_err(err)?)
            .with_key(p.id.to_string())
            .primitive()
            .map_err(err)?;
    }
    let m = Meta {
        cursor,
        config: config.clone(),
    };
    meta.put(serde_json::to_string(&m).map_err(err)?)
        .with_key("meta")
        .primitive()
        .map_err(err)?;
    tx.commit().await.map_err(err)
}

/// Queues a command; it is on disk before the screen shows it.
pub async fn outbox_put(db: &Database, command: &Command, order: (i64, u32)) -> Result<(), String> {
    let tx = db
        .transaction(OUTBOX)
        .with_mode(TransactionMode::Readwrite)
        .build()
        .map_err(err)?;
    let s = tx.object_store(OUTBOX).map_err(err)?;
    let p = Pending {
        order,
        command: command.clone(),
    };
    s.put(serde_json::to_string(&p).map_err(err)?)
        .with_key(command.mutation_id.to_string())
        .primitive()
        .map_err(err)?;
    tx.commit().await.map_err(err)
}

/// Settles outbox entries the server answered: accepted ones leave, refused ones move to
/// "needs attention", in one transaction so none is lost between the two.
pub async fn settle(
    db: &Database,
    accepted: &[Command],
    refused: &[Refused],
) -> Result<(), String> {
    let tx = db
        .transaction([OUTBOX, ATTENTION])
        .with_mode(TransactionMode::Readwrite)
        .build()
        .map_err(err)?;
    let out = tx.object_store(OUTBOX).map_err(err)?;
    let att = tx.object_store(ATTENTION).map_err(err)?;
    for c in accepted {
        out.delete(c.mutation_id.to_string())
            .primitive()
            .map_err(err)?;
    }
    for r in refused {
        out.delete(r.command.mutation_id.to_string())
            .primitive()
            .map_err(err)?;
        att.put(serde_json::to_string(r).map_err(err)?)
            .with_key(r.command.mutation_id.to_string())
            .primitive()
            .map_err(err)?;
    }
    tx.commit().await.map_err(err)
}

/// Forgets a refused command (a person chose to discard it).
pub async fn attention_delete(db: &Database, command: &Command) -> Result<(), String> {
    let tx = db
        .transaction(ATTENTION)
        .with_mode(TransactionMode::Readwrite)
        .build()
        .map_err(err)?;
    tx.object_store(ATTENTION)
        .map_err(err)?
        .delete(command.mutation_id.to_string())
        .primitive()
        .map_err(err)?;
    tx.commit().await.map_err(err)
}
