//! The processes a fault soak runs: the standalone Metrc sandbox and `pistil serve`, each a child
//! of this binary on a free loopback port, read from their own first lines of output.

use std::{path::Path, process::Stdio, time::Duration};

use anyhow::Context;
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

/// A child process and what it printed before it was ready.
pub(crate) struct Proc {
    pub(crate) child: Child,
    pub(crate) lines: Vec<String>,
}

impl Proc {
    /// Starts `pistil <args>` and waits (at most a minute) for a line starting with `ready`.
    pub(crate) async fn start(
        args: &[&str],
        envs: &[(&str, &str)],
        ready: &str,
    ) -> anyhow::Result<Self> {
        let exe = std::env::current_exe()?;
        let mut child = Command::new(exe)
            .args(args)
            .envs(envs.iter().copied())
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting pistil {}", args.join(" ")))?;
        let mut out = BufReader::new(child.stdout.take().context("no stdout")?).lines();
        let mut lines = Vec::new();
        let found = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = out.next_line().await? {
                let done = line.starts_with(ready);
                lines.push(line);
                if done {
                    return Ok::<bool, std::io::Error>(true);
                }
            }
            Ok(false)
        })
        .await;
        anyhow::ensure!(
            matches!(found, Ok(Ok(true))),
            "pistil {} did not say \"{ready}\": {lines:?}",
            args.join(" ")
        );
        // Whatever it prints later is read and dropped, so a full pipe never stalls it.
        tokio::spawn(async move { while let Ok(Some(_)) = out.next_line().await {} });
        Ok(Self { child, lines })
    }

    /// The text after `prefix` on the first line that starts with it.
    pub(crate) fn after(&self, prefix: &str) -> anyhow::Result<String> {
        self.lines
            .iter()
            .find_map(|l| l.strip_prefix(prefix))
            .map(|s| s.trim().to_owned())
            .with_context(|| format!("no line starting \"{prefix}\" in {:?}", self.lines))
    }

    /// SIGKILL: no shutdown, no flush, exactly as a power cut or the OOM killer would.
    pub(crate) async fn kill(mut self) -> anyhow::Result<()> {
        self.child.start_kill()?;
        self.child.wait().await?;
        Ok(())
    }
}

/// The standalone sandbox on a free port: its URL, vendor key and user key.
pub(crate) async fn sandbox(
    dir: &Path,
    license: &str,
) -> anyhow::Result<(Proc, String, String, String)> {
    let data = dir.join("regulator");
    let p = Proc::start(
        &[
            "regulator-sandbox",
            "--addr",
            "127.0.0.1:0",
            "--data-dir",
            &data.to_string_lossy(),
            "--license",
            license,
        ],
        &[],
        "Metrc sandbox listening at ",
    )
    .await?;
    let url = p.after("Metrc sandbox listening at ")?;
    let vendor = p.after("Vendor key:")?;
    let user = p.after("User key:")?;
    Ok((p, url, vendor, user))
}

/// `pistil serve` on a free port over `dir`'s database: the process and its API base URL.
pub(crate) async fn server(dir: &Path, timeout_ms: u64) -> anyhow::Result<(Proc, String)> {
    let data = dir.join("store");
    let timeout = timeout_ms.to_string();
    let p = Proc::start(
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--data-dir",
            &data.to_string_lossy(),
            "--dist",
            &dir.join("no-dist").to_string_lossy(),
        ],
        &[("PISTIL_REGULATOR_TIMEOUT_MS", &timeout)],
        "Pistil is running at ",
    )
    .await?;
    let url = format!("{}/api/v1", p.after("Pistil is running at ")?);
    Ok((p, url))
}

/// Adds a user to the store's database before the server starts.
pub(crate) async fn add_user(
    dir: &Path,
    email: &str,
    role: &str,
    password: &str,
) -> anyhow::Result<()> {
    let status = Command::new(std::env::current_exe()?)
        .args([
            "user",
            "add",
            "--email",
            email,
            "--name",
            email,
            "--role",
            role,
            "--data-dir",
            &dir.join("store").to_string_lossy(),
        ])
        .env("PISTIL_PASSWORD", password)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .status()
        .await?;
    anyhow::ensure!(status.success(), "pistil user add {email} failed: {status}");
    Ok(())
}
