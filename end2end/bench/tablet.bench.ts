// Tablet figures, each against a baseline measured in the same run:
// - sign-in on a fresh tablet (nothing cached) to the first inventory rows, with the demo
//   store's ~2,000 packages and with 20,000 (targets: 1 s and 2 s);
// - cold start from IndexedDB to the first rendered inventory rows, at 10,000 packages, against
//   the same start with the demo store's ~2,000;
// - a bulk cache refresh (a full snapshot written to IndexedDB in one transaction), same two sizes;
// - the gzipped size of the release wasm.
// It starts its own `pistil serve --demo` on a free port with a temporary data directory: the
// binary in PISTIL_BIN (the store's build: target/server/pistil), else the debug build.
import { test, expect, type Page, type APIRequestContext } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";

const root = path.resolve(__dirname, "..", "..");
const manager = { email: "manager@demo.pistil", password: "demo-manager-1" };
const RUNS = 5;

async function startServer(): Promise<{ url: string; child: ChildProcess; dir: string }> {
  const bin = process.env.PISTIL_BIN ?? path.join(root, "target", "debug", "pistil");
  const dir = mkdtempSync(path.join(tmpdir(), "pistil-bench-"));
  const child = spawn(bin, ["serve", "--addr", "127.0.0.1:0", "--data-dir", dir, "--dist", path.join(root, "dist"), "--demo"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const m = out.match(/Pistil is running at (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`pistil serve exited with ${code}`)));
  });
  return { url, child, dir };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/// Adds packages through the API as received manifests, until the store holds `target`.
async function grow(api: APIRequestContext, target: number) {
  const snap = (await (await api.get("/api/v1/sync?since=0")).json()).snapshot;
  const products = snap.products as { id: string; unit: string }[];
  let have = snap.packages.length as number;
  // Numbered from the count already there, so a second call never reuses a tag.
  let n = have;
  while (have < target) {
    const lines = [];
    for (let i = 0; i < 500 && have + lines.length < target; i++, n++) {
      const p = products[n % products.length];
      lines.push({
        package_id: crypto.randomUUID(),
        tag: `1A4FF0300000029${String(700000000 + n).padStart(9, "0")}`,
        product_id: p.id,
        shipped: { amount: "40", unit: p.unit },
        batch: `BENCH-${Math.floor(n / 50)}`,
        lab: { state: "Passed", result_id: "COA-BENCH", thc_percent: null, cbd_percent: null, tested_on: null },
        packaged_on: "2026-10-01",
        expires_on: null,
        decision: "accept",
      });
    }
    const res = await api.post("/api/v1/mutations", {
      data: {
        mutations: [
          {
            command: {
              mutation_id: crypto.randomUUID(),
              actor: crypto.randomUUID(),
              device: crypto.randomUUID(),
              at: new Date().toISOString(),
              action: { receive: { manifest_number: `BENCH-${n}`, lines } },
            },
          },
        ],
      },
    });
    const outcome = (await res.json()).outcomes[0];
    expect(outcome.status, JSON.stringify(outcome)).toBe("applied");
    have += lines.length;
  }
}

/// A fresh tablet signs in: the full snapshot is pulled, shown, and written to IndexedDB.
/// Returns the milliseconds from the tap on "Sign in" to the first inventory row on screen, and
/// those the app measured for the one IndexedDB write transaction.
async function firstSync(page: Page): Promise<{ signIn: number; refresh: number }> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(manager.email);
  await page.getByLabel("Password").fill(manager.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForFunction(() => performance.getEntriesByName("pistil:cache-refresh").length > 0, null, { timeout: 120_000 });
  await page.waitForSelector("[data-testid=package-row]", { timeout: 60_000 });
  return page.evaluate(() => {
    const w = window as unknown as { __firstRow: number; __signIn: number };
    return { signIn: w.__firstRow - w.__signIn, refresh: performance.getEntriesByName("pistil:cache-refresh")[0].duration };
  });
}

/// Reloads the signed-in tablet and times navigation start to the first inventory row on screen.
async function coldStart(page: Page): Promise<{ total: number; appStart: number; load: number }> {
  await page.goto("/inventory");
  await page.waitForSelector("[data-testid=package-row]", { timeout: 60_000 });
  return page.evaluate(() => ({
    total: (window as unknown as { __firstRow: number }).__firstRow,
    appStart: performance.getEntriesByName("pistil:app-start")[0]?.startTime ?? NaN,
    load: performance.getEntriesByName("pistil:cache-load")[0]?.duration ?? NaN,
  }));
}

test("tablet cold start, cache refresh and wasm size", async ({ browser }) => {
  const server = await startServer();
  try {
    const report: string[] = [];
    const measure = async (label: string) => {
      const refresh: number[] = [];
      const signIn: number[] = [];
      const start: number[] = [];
      const appStart: number[] = [];
      const load: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const ctx = await browser.newContext({ baseURL: server.url, serviceWorkers: "block" });
        await ctx.addInitScript(() => {
          // The tap on "Sign in" (its form's submit), the start of the sign-in figure.
          document.addEventListener("submit", () => ((window as unknown as { __signIn: number }).__signIn = performance.now()), true);
          new MutationObserver((_, obs) => {
            if (document.querySelector("[data-testid=package-row]")) {
              (window as unknown as { __firstRow: number }).__firstRow = performance.now();
              obs.disconnect();
            }
          }).observe(document, { childList: true, subtree: true });
        });
        const page = await ctx.newPage();
        const first = await firstSync(page);
        refresh.push(first.refresh);
        signIn.push(first.signIn);
        const c = await coldStart(page);
        start.push(c.total);
        appStart.push(c.appStart);
        load.push(c.load);
        await ctx.close();
      }
      const count = await (async () => {
        const api = await (await import("@playwright/test")).request.newContext({ baseURL: server.url });
        await api.post("/api/v1/session", { data: manager });
        const n = (await (await api.get("/api/v1/sync?since=0")).json()).snapshot.packages.length;
        await api.dispose();
        return n;
      })();
      report.push(
        `${label}: ${count} packages; sign-in to first rows on a fresh tablet median ${median(signIn).toFixed(0)} ms; cache refresh (one IndexedDB transaction) median ${median(refresh).toFixed(0)} ms; cold start to first rows median ${median(start).toFixed(0)} ms (${RUNS} runs), of which app code running after ${median(appStart).toFixed(0)} ms and reading IndexedDB ${median(load).toFixed(0)} ms`,
      );
      return { refresh: median(refresh), start: median(start), signIn: median(signIn) };
    };
    const base = await measure("baseline");
    const api = await (await import("@playwright/test")).request.newContext({ baseURL: server.url });
    await api.post("/api/v1/session", { data: manager });
    await grow(api, 10_000);
    const big = await measure("10k");
    await grow(api, 20_000);
    await api.dispose();
    const huge = await measure("20k");
    const wasm = readdirSync(path.join(root, "dist")).find((f) => f.endsWith("_bg.wasm"))!;
    const raw = readFileSync(path.join(root, "dist", wasm));
    const gz = gzipSync(raw, { level: 9 }).length;
    console.log(`bench tablet: server ${process.env.PISTIL_BIN ?? "target/debug/pistil (debug build; set PISTIL_BIN=../target/server/pistil for the store's)"}`);
    for (const line of report) console.log(`bench tablet: ${line}`);
    console.log(`bench tablet: sign-in to first rows, demo store ${base.signIn.toFixed(0)} ms (target: at most 1000 ms), 20k ${huge.signIn.toFixed(0)} ms (target: at most 2000 ms); 20k / demo = ${(huge.signIn / base.signIn).toFixed(2)}x`);
    console.log(`bench tablet: cold start 10k / baseline = ${(big.start / base.start).toFixed(2)}x (target: at most 300 ms at 10k)`);
    console.log(`bench tablet: cache refresh 10k / baseline = ${(big.refresh / base.refresh).toFixed(2)}x (target: at most 1000 ms at 10k)`);
    console.log(`bench tablet: release wasm ${(raw.length / 1024).toFixed(0)} KB, gzipped ${(gz / 1024).toFixed(0)} KB (target: at most 350 KB)`);
  } finally {
    server.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    rmSync(server.dir, { recursive: true, force: true });
  }
});
