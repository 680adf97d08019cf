// Things that need a server of their own: a pickup hold short enough to watch it lapse, and a
// server that goes away and comes back while a customer's menu stays open.
import { test, expect } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(__dirname, "..", "..");
const bin = process.env.PISTIL_BIN ?? path.join(root, "target", "debug", "pistil");
const staff = { email: "staff@demo.pistil", password: "demo-staff-1" };

async function serve(dir: string, addr: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    bin,
    ["serve", "--addr", addr, "--data-dir", dir, "--dist", path.join(root, "dist"), "--demo", "--pickup-hold", "4s", "--hold-sweep-secs", "1"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const m = out.match(/Pistil is running at (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`pistil serve exited with ${code}`)));
  });
  child.removeAllListeners("exit");
  return { url, child };
}

/// The server vanishes at once, as with a pulled cable or a crash (an open menu stream would keep
/// a graceful shutdown waiting).
async function stop(child: ChildProcess) {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

type MenuItem = { product_id: string; name: string; available: string; stock: string; unit: string };

test.describe.configure({ mode: "serial" });
test.use({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });

let dir: string;
let server: { url: string; child: ChildProcess };

test.beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "pistil-e2e-own-"));
  server = await serve(dir, "127.0.0.1:0");
});

test.afterAll(async () => {
  await stop(server.child);
  rmSync(dir, { recursive: true, force: true });
});

test("with a short pickup hold, an uncollected order lapses by itself and the stock returns", async ({ page, request }) => {
  const menu: MenuItem[] = (await (await request.get(`${server.url}/api/v1/menu`)).json()).items;
  const item = menu.find((i) => i.unit === "Each" && i.stock === "in_stock" && Number(i.available) >= 5)!;
  await page.goto(`${server.url}/shop`);
  await page.getByTestId("menu-search").fill(item.name);
  await page.locator(`[data-testid=menu-item][data-product="${item.product_id}"]`).getByTestId("add-to-cart").click();
  await page.getByTestId("order-name").fill("Lee");
  await page.getByTestId("order-phone").fill("416 555 0177");
  await page.getByTestId("order-age").check();
  await page.getByTestId("order-submit").click();
  await expect(page.getByTestId("order-status")).toHaveAttribute("data-status", "placed");
  const held = (await (await request.get(`${server.url}/api/v1/menu`)).json()).items.find((i: MenuItem) => i.product_id === item.product_id);
  expect(Number(held.available)).toBe(Number(item.available) - 1);
  // Nobody touches anything: the server's own schedule releases it.
  await expect(page.getByTestId("order-status")).toHaveAttribute("data-status", "expired", { timeout: 15_000 });
  const back = (await (await request.get(`${server.url}/api/v1/menu`)).json()).items.find((i: MenuItem) => i.product_id === item.product_id);
  expect(back.available).toBe(item.available);
});

test("the menu recovers by itself after the server drops away and comes back", async ({ page, playwright }) => {
  await page.goto(`${server.url}/shop`);
  await expect(page.getByTestId("menu-live")).toHaveAttribute("data-live", "true");
  // The connection drops: the server is gone.
  await stop(server.child);
  await expect(page.getByTestId("menu-live")).toHaveAttribute("data-live", "false", { timeout: 10_000 });
  // It comes back on the same address, with the same data.
  server = await serve(dir, server.url.replace("http://", ""));
  await expect(page.getByTestId("menu-live")).toHaveAttribute("data-live", "true", { timeout: 20_000 });
  // And the page is live again without a reload: a sale shows.
  const api = await playwright.request.newContext({ baseURL: server.url });
  expect((await api.post("/api/v1/session", { data: staff })).ok()).toBeTruthy();
  const menu: MenuItem[] = (await (await api.get("/api/v1/menu")).json()).items;
  const packages = (await (await api.get("/api/v1/sync?since=0")).json()).snapshot.packages as {
    id: string; product_id: string; status: unknown; zone: string; quantity: { amount: string; unit: string }; held: string;
  }[];
  const floor = (id: string) => packages.filter((p) => p.product_id === id && p.status === "Active" && p.zone === "SalesFloor" && Number(p.quantity.amount) - Number(p.held) > 0);
  const item = menu.find((i) => i.unit === "Each" && i.stock !== "sold_out" && Number(i.available) <= 300 && floor(i.product_id).length > 0);
  expect(item, `a product to sell out among ${menu.length} on the menu and ${packages.length} packages`).toBeDefined();
  const mutations = floor(item!.product_id).flatMap((p) =>
    Array.from({ length: Number(p.quantity.amount) - Number(p.held) }, () => ({
      command: {
        mutation_id: crypto.randomUUID(),
        actor: crypto.randomUUID(),
        device: crypto.randomUUID(),
        at: new Date().toISOString(),
        action: { sell: { receipt_id: crypto.randomUUID(), customer: null, lines: [{ package_id: p.id, quantity: { amount: "1", unit: p.quantity.unit }, unit_price: null }] } },
      },
    })),
  );
  const res = await api.post("/api/v1/mutations", { data: { mutations } });
  expect((await res.json()).outcomes.every((o: { status: string }) => o.status === "applied")).toBe(true);
  await expect(page.locator(`[data-testid=menu-item][data-product="${item!.product_id}"]`).getByTestId("stock")).toHaveAttribute("data-stock", "sold_out", { timeout: 5_000 });
  await api.dispose();
});
