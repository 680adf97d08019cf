//! Delay from commit to an event received, by 1 and by 1,000 subscribers of the public menu
//! stream, during a burst of sales.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use super::{pct, sale, BenchApp};

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// CPU time this process has used (user and system, all threads), from /proc.
fn cpu_used() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    // Linux reports these in USER_HZ, 100 per second on every architecture it runs on.
    Some(Duration::from_millis(ticks * 10))
}

/// What one run measured.
struct Run {
    /// Every sale-to-arrival delay, sorted.
    delays: Vec<Duration>,
    /// CPU time of server and subscribers together per delivery (one frame to one subscriber).
    cpu_per_delivery: Option<Duration>,
}

/// Delays from each sale to its arrival at each subscriber.
async fn run(
    app: &BenchApp,
    subscribers: usize,
    sales: usize,
    interval: Duration,
) -> anyhow::Result<Run> {
    let (_, packages) = app.shelf(4, 1_000_000).await?;
    // Each reader keeps its own arrival times, so no lock shared by 1,000 readers skews the
    // figures; it returns once it has seen the last sale. The last sale's number is published
    // through an atomic, read after each chunk, and one more sale follows so that every reader
    // reads again after it is set.
    let last = Arc::new(AtomicI64::new(i64::MAX));
    let mut ready = Vec::new();
    let mut tasks = Vec::new();
    let addr = app
        .url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    for _ in 0..subscribers {
        let addr = addr.clone();
        let last = last.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        ready.push(rx);
        tasks.push(tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let mut seen: HashMap<i64, Instant> = HashMap::new();
            let mut sock = tokio::net::TcpStream::connect(&addr).await?;
            sock.write_all(b"GET /api/v1/menu/stream HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n").await?;
            let mut tx = Some(tx);
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                let n = sock.read(&mut buf).await?;
                if n == 0 {
                    return anyhow::Ok(seen);
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
                        seen.entry(id).or_insert(now);
                    }
                    at += pos + 5 + end;
                }
                if seen.contains_key(&last.load(Ordering::Acquire)) {
                    return anyhow::Ok(seen);
                }
            }
        }));
    }
    for r in ready {
        r.await?;
    }
    let mut sent: Vec<(i64, Instant)> = Vec::with_capacity(sales);
    let cpu_before = cpu_used();
    for k in 0..sales {
        let t0 = Instant::now();
        let seq = app.push(vec![sale(packages[k % packages.len()])]).await?;
        sent.push((seq, t0));
        tokio::time::sleep(interval).await;
    }
    let cpu_after = cpu_used();
    last.store(sent.last().map(|(s, _)| *s).unwrap_or(0), Ordering::Release);
    app.push(vec![sale(packages[0])]).await?;
    let mut seen = Vec::with_capacity(subscribers);
    for t in tasks {
        match tokio::time::timeout(Duration::from_secs(20), t).await {
            Ok(Ok(Ok(m))) => seen.push(m),
            Ok(Ok(Err(e))) => return Err(e),
            Ok(Err(e)) => return Err(e.into()),
            Err(_) => anyhow::bail!("a subscriber never saw the last sale"),
        }
    }
    let mut delays = Vec::with_capacity(sales * subscribers);
    let mut missing = 0usize;
    for (seq, t0) in &sent {
        for m in &seen {
            match m.get(seq) {
                Some(t) => delays.push(t.duration_since(*t0)),
                None => missing += 1,
            }
        }
    }
    anyhow::ensure!(missing == 0, "{missing} deliveries never arrived");
    delays.sort();
    // The sleeps between sales use no CPU, so this is the fan-out's cost (plus each commit's).
    let cpu_per_delivery = cpu_before
        .zip(cpu_after)
        .map(|(b, a)| a.saturating_sub(b) / (sales * subscribers).max(1) as u32);
    Ok(Run {
        delays,
        cpu_per_delivery,
    })
}

/// Runs the fan-out benchmark, one sale every `interval`; prints p50/p99 for 1 and 1,000
/// subscribers and the p99 ratio. The delay runs from just before the sale is sent until a
/// subscriber holds the frame, so it includes the commit's own fsync.
pub async fn fanout(sales: usize, interval: Duration) -> anyhow::Result<()> {
    let app = BenchApp::start().await?;
    let one = run(&app, 1, sales, interval).await?;
    let many = run(&app, 1000, sales, interval).await?;
    let every = interval.as_millis();
    for (who, r) in [("1 subscriber", &one), ("1,000 subscribers", &many)] {
        let cpu = r
            .cpu_per_delivery
            .map(|c| format!(", CPU {:.1} us per delivery", c.as_secs_f64() * 1e6))
            .unwrap_or_default();
        println!(
            "fan-out: {sales} sales, one every {every} ms, sale to received (ms): {who} p50 {:.2} p99 {:.2}{cpu}",
            pct(&r.delays, 0.5),
            pct(&r.delays, 0.99)
        );
    }
    println!(
        "fan-out: p99 ratio 1,000 / 1 = {:.2}x (target <= 3x)",
        pct(&many.delays, 0.99) / pct(&one.delays, 0.99)
    );
    Ok(())
}
