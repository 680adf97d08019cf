//! The tablet's own copy in IndexedDB: the confirmed snapshot with its cursor, the outbox of
//! commands not yet accepted by the server, and the ones it refused. Separate stores, so a bulk
//! refresh of the snapshot never touches a pending change.
//!
//! Packages are kept in 64 buckets (by the last byte of their id), each one record holding its
//! packages' JSON: reading ten thousand packages is 64 reads, not ten thousand, and a pull that
//! changes a few packages rewrites only their buckets.

use domain::{
    wire::sync::{Snapshot, Submitted},
    Command, DomainError, Package, Product, StoreConfig,
};
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
    /// Commands waiting for the server with this tablet's number for each, oldest first.
    pub outbox: Vec<Submitted>,
    /// Commands the server refused.
    pub attention: Vec<Refused>,
}

/// This tablet's name in the sync protocol and its next mutation number. Kept in the same
/// database as the outbox: if the browser clears one it clears both, and a new name starts again
/// at 1, so a number is never reused for another command.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Client {
    /// Minted once per database.
    pub client_id: String,
    /// The number the next queued command gets.
    pub next: i64,
}

impl Client {
    /// A new name, numbering from 1.
    pub fn mint() -> Self {
        Client {
            client_id: uuid_like(),
            next: 1,
        }
    }
}

/// A fresh random id, in the shape of a UUID (the domain's ids already bring the generator).
fn uuid_like() -> String {
    domain::MutationId::new().to_string()
}

fn err(e: impl std::fmt::Display) -> String {
    format!("the tablet's storage failed: {e}")
}

/// Number of package buckets.
pub const BUCKETS: u32 = 64;

/// The bucket a package lives in.
pub fn bucket(id: &domain::PackageId) -> u32 {
    let s = id.to_string();
    u32::from_str_radix(&s[s.len() - 2..], 16).unwrap_or(0) % BUCKETS
}

/// Opens (and on first use creates) the tablet's database.
pub async fn open() -> Result<Database, String> {
    Database::open(DB)
        .with_version(2u8)
        .with_on_upgrade_needed(|event, db| {
            let old = event.old_version();
            // Version 1 kept one record per package: its confirmed copy is dropped (the next pull
            // refills it from the server); the outbox and refused changes stay as they are.
            if old >= 1.0 {
                for name in [META, PRODUCTS, PACKAGES] {
                    db.delete_object_store(name)?;
                }
            }
            for name in [META, PRODUCTS, PACKAGES] {
                db.create_object_store(name).build()?;
            }
            if old < 1.0 {
                for name in [OUTBOX, ATTENTION] {
                    db.create_object_store(name).build()?;
                }
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

/// Every record of a store joined on the JavaScript side into one list: one string crosses into
/// wasm instead of thousands. Buckets hold their packages' JSON without the brackets.
async fn all_joined(db: &Database, store: &str) -> Result<String, String> {
    let tx = db.transaction(store).build().map_err(err)?;
    let s = tx.object_store(store).map_err(err)?;
    let values = js_sys::Array::new();
    for v in s
        .get_all::<wasm_bindgen::JsValue>()
        .primitive()
        .map_err(err)?
        .await
        .map_err(err)?
    {
        let v = v.map_err(err)?;
        // An empty bucket adds nothing (a bare comma would break the list).
        if v.as_string().is_none_or(|t| !t.is_empty()) {
            values.push(&v);
        }
    }
    let joined: String = values.join(",").into();
    Ok(format!("[{joined}]"))
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
    let Some(meta) = record(db, META, "meta").await? else {
        return Ok(None);
    };
    let meta: Meta = serde_json::from_str(&meta).map_err(err)?;
    let products: Vec<Product> = parse_all(all(db, PRODUCTS).await?);
    // One unreadable bucket must not cost the others: then each bucket is read on its own.
    let packages: Vec<Package> = match serde_json::from_str(&all_joined(db, PACKAGES).await?) {
        Ok(v) => v,
        Err(_) => all(db, PACKAGES)
            .await?
            .iter()
            .flat_map(|b| {
                serde_json::from_str::<Vec<Package>>(&format!("[{b}]")).unwrap_or_default()
            })
            .collect(),
    };
    let mut outbox: Vec<Pending> = parse_all(all(db, OUTBOX).await?);
    outbox.sort_by_key(|p| p.order);
    let attention: Vec<Refused> = parse_all(all(db, ATTENTION).await?);
    Ok(Some(Cached {
        cursor: meta.cursor,
        snapshot: Snapshot {
            products,
            packages,
            config: meta.config,
            holds: meta.holds,
            counts: meta.counts,
        },
        outbox: outbox
            .into_iter()
            .map(|p| Submitted {
                client_seq: p.client_seq,
                command: p.command,
            })
            .collect(),
        attention,
    }))
}

/// What is still open in the store (holds, counts): few, so kept whole with the cursor.
pub struct Open {
    /// Pickup holds not yet settled.
    pub holds: Vec<domain::event::Hold>,
    /// Counts not yet accepted.
    pub counts: Vec<domain::wire::sync::OpenCount>,
}

#[derive(Serialize, Deserialize)]
struct Meta {
    cursor: i64,
    config: StoreConfig,
    /// Pickup holds not yet settled (few; rewritten with every pull).
    #[serde(default)]
    holds: Vec<domain::event::Hold>,
    /// Counts not yet accepted (few; rewritten with every pull), so counting works offline.
    #[serde(default)]
    counts: Vec<domain::wire::sync::OpenCount>,
}

#[derive(Serialize, Deserialize)]
struct Pending {
    /// Milliseconds since the epoch when queued, then a tie-breaker: the outbox keeps its order.
    order: (i64, u32),
    /// The tablet's number for it (absent on commands queued before tablets numbered them).
    #[serde(default)]
    client_seq: Option<i64>,
    command: Command,
}

/// One record by key, if it is there.
async fn record(db: &Database, store: &str, key: &str) -> Result<Option<String>, String> {
    let tx = db.transaction(store).build().map_err(err)?;
    let s = tx.object_store(store).map_err(err)?;
    s.get::<String, _, _>(key)
        .primitive()
        .map_err(err)?
        .await
        .map_err(err)
}

/// The tablet's sync name, minted and kept on first use.
pub async fn client(db: &Database) -> Result<Client, String> {
    if let Some(c) = record(db, META, "client").await? {
        if let Ok(c) = serde_json::from_str(&c) {
            return Ok(c);
        }
    }
    let c = Client::mint();
    let tx = db
        .transaction(META)
        .with_mode(TransactionMode::Readwrite)
        .build()
        .map_err(err)?;
    tx.object_store(META)
        .map_err(err)?
        .put(serde_json::to_string(&c).map_err(err)?)
        .with_key("client")
        .primitive()
        .map_err(err)?;
    tx.commit().await.map_err(err)?;
    Ok(c)
}

/// Writes products, package buckets and the cursor in one transaction. With `replace`, what was
/// there before goes (a full snapshot); without, only the products and buckets given are written.
/// Each bucket is `(number, packages)` and holds every package of that bucket.
pub async fn save(
    db: &Database,
    cursor: i64,
    products: &[&Product],
    buckets: &[(u32, Vec<&Package>)],
    config: &StoreConfig,
    open: Open,
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
    for (n, packages) in buckets {
        let list = serde_json::to_string(packages).map_err(err)?;
        // Kept without the brackets, so buckets join into one list.
        pack.put(list[1..list.len() - 1].to_owned())
            .with_key(format!("b{n:02}"))
            .primitive()
            .map_err(err)?;
    }
    let m = Meta {
        cursor,
        config: config.clone(),
        holds: open.holds,
        counts: open.counts,
    };
    meta.put(serde_json::to_string(&m).map_err(err)?)
        .with_key("meta")
        .primitive()
        .map_err(err)?;
    tx.commit().await.map_err(err)
}

/// Groups packages into their buckets; with `only`, just those buckets (with all their packages).
pub fn buckets<'a>(
    packages: impl Iterator<Item = &'a Package>,
    only: Option<&std::collections::HashSet<u32>>,
) -> Vec<(u32, Vec<&'a Package>)> {
    let mut out: Vec<(u32, Vec<&Package>)> = match only {
        Some(set) => set.iter().map(|n| (*n, Vec::new())).collect(),
        None => (0..BUCKETS).map(|n| (n, Vec::new())).collect(),
    };
    out.sort_by_key(|(n, _)| *n);
    for p in packages {
        if let Ok(i) = out.binary_search_by_key(&bucket(&p.id), |(n, _)| *n) {
            out[i].1.push(p);
        }
    }
    out
}

/// Queues a command under its number and keeps the client's next number, in one transaction: it
/// is on disk before the screen shows it, and no number is handed out twice.
pub async fn outbox_put(
    db: &Database,
    queued: &Submitted,
    client: &Client,
    order: (i64, u32),
) -> Result<(), String> {
    let tx = db
        .transaction([OUTBOX, META])
        .with_mode(TransactionMode::Readwrite)
        .build()
        .map_err(err)?;
    let s = tx.object_store(OUTBOX).map_err(err)?;
    let p = Pending {
        order,
        client_seq: queued.client_seq,
        command: queued.command.clone(),
    };
    s.put(serde_json::to_string(&p).map_err(err)?)
        .with_key(queued.command.mutation_id.to_string())
        .primitive()
        .map_err(err)?;
    tx.object_store(META)
        .map_err(err)?
        .put(serde_json::to_string(client).map_err(err)?)
        .with_key("client")
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
