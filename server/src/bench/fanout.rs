//! Delay from commit to an event received, by 1 and by 1,000 subscribers of the public menu
//! stream, during a burst of sales.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use super::{pct, sale, BenchApp};

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Times at which each subscriber saw each sequence number.
type Seen = Arc<Mutex<Vec<HashMap<i64, Instant>>>>;

async fn run(
    app: &BenchApp,
    subscribers: usize,
    sales: usize,
    interval: Duration,
) -> anyhow::Result<Vec<Duration>> {
    let (_, packages) = app.shelf(4, 1_000_000).await?;
    let seen: Seen = Arc::new(Mutex::new(vec![HashMap::new(); subscribers]));
    let mut ready = Vec::new();
    let mut tasks = Vec::new();
    let addr = app
        .url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    for i in 0..subscribers {
        let seen = seen.clone();
        let addr = addr.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        ready.push(rx);
        // A bare HTTP/1.1 client: the subscribers share the machine with the server, so the less
        // they cost, the more the figure says about the server.
        tasks.push(tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let mut sock = tokio::net::TcpStream::connect(&addr).await?;
            sock.write_all(b"GET /api/v1/menu/stream HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n").await?;
            let mut tx = Some(tx);
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                let n = sock.read(&mut buf).await?;
                if n == 0 {
                    break;
                }
                let now = Instant::now();
                let chunk = &buf[..n];
                if let Some(tx) = tx.take() {
                    let _ = tx.send(());
                }
                let mut at = 0;
                while let Some(pos) = find(&chunk[at..], b"\nid: ") {
                    let digits = &chunk[at + pos + 5..];
                    let end = digits.iter().position(|b| !b.is_ascii_digit()).unwrap_or(digits.len());
                    if let Some(id) = std::str::from_utf8(&digits[..end]).ok().and_then(|s| s.parse::<i64>().ok()) {
                        seen.lock().expect("lock")[i].entry(id).or_insert(now);
                    }
                    at += pos + 5 + end;
                }
            }
            anyhow::Ok(())
        }));
    }
    for r in ready {
        r.await?;
    }
    // The burst: sales one after another; each records when it was sent.
    let mut sent: Vec<(i64, Instant)> = Vec::with_capacity(sales);
    for k in 0..sales {
        let t0 = Instant::now();
        let seq = app.push(vec![sale(packages[k % packages.len()])]).await?;
        sent.push((seq, t0));
        tokio::time::sleep(interval).await;
    }
    // Wait until every subscriber saw the last sale, or 20 s.
    let last = sent.last().map(|(s, _)| *s).unwrap_or(0);
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline
        && !seen
            .lock()
            .expect("lock")
            .iter()
            .all(|m| m.contains_key(&last))
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for t in tasks {
        t.abort();
    }
    let seen = seen.lock().expect("lock");
    let mut delays = Vec::with_capacity(sales * subscribers);
    let mut missing = 0usize;
    for (seq, t0) in &sent {
        for m in seen.iter() {
            match m.get(seq) {
                Some(t) => delays.push(t.duration_since(*t0)),
                None => missing += 1,
            }
        }
    }
    anyhow::ensure!(missing == 0, "{missing} deliveries never arrived");
    delays.sort();
    Ok(delays)
}

/// Runs the fan-out benchmark, one sale every `interval`; prints p50/p99 for 1 and 1,000
/// subscribers and the p99 ratio. The delay runs from just before the sale is sent until a
/// subscriber holds the frame, so it includes the commit's own fsync.
pub async fn fanout(sales: usize, interval: Duration) -> anyhow::Result<()> {
    let app = BenchApp::start().await?;
    let one = run(&app, 1, sales, interval).await?;
    let many = run(&app, 1000, sales, interval).await?;
    let every = interval.as_millis();
    for (who, d) in [("1 subscriber", &one), ("1,000 subscribers", &many)] {
        println!(
            "fan-out: {sales} sales, one every {every} ms, sale to received (ms): {who} p50 {:.2} p99 {:.2}",
            pct(d, 0.5),
            pct(d, 0.99)
        );
    }
    println!(
        "fan-out: p99 ratio 1,000 / 1 = {:.2}x (target <= 3x)",
        pct(&many, 0.99) / pct(&one, 0.99)
    );
    Ok(())
}
