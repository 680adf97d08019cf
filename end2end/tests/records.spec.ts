// The records tell the whole truth: a package's history follows the tablet's sync and names the
// witness; the audit export names people, tags and products beside their ids.
import { test, expect, demo, signIn, serverPackages, fresh, history } from "./fixtures/app";

const witness = { email: "witness@demo.pistil", password: "demo-witness-1" };

function kinds(events: { event: { kind: Record<string, unknown> } }[]): string[] {
  return events.map((e) => Object.keys(e.event.kind)[0]);
}

/// Parses CSV text (quoted fields may hold commas, quotes and line breaks) into rows of fields.
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  return rows;
}

test("once a split reaches the server, the package's history no longer says changes are waiting on the tablet", async ({ page, consoleErrors }) => {
  await signIn(page, demo.manager);
  const source = fresh(await serverPackages(page))[0];
  await page.goto(`/packages/${source.id}`);
  await expect(page.getByTestId("history-entry").first()).toBeVisible();
  await page.getByTestId("action-split").click();
  await page.getByTestId("split-parts").fill("2");
  for (let i = 0; i < 2; i++) await expect(page.getByTestId(`split-tag-${i}`)).toHaveValue(/^1A4\w{21}$/);
  await page.getByTestId("split-total").fill("2");
  await page.getByTestId("flow-submit").click();
  await expect(page.getByTestId("flow-done")).toContainText("Split into 2 new packages");
  // The rail says the tablet is up to date: the history must agree and show the split.
  await expect(page.getByTestId("sync-status")).toContainText("Up to date", { timeout: 15_000 });
  await expect(page.getByTestId("history").getByText("Some changes to this package are still on this tablet")).toHaveCount(0);
  await expect(page.getByTestId("history-entry").first()).toContainText("Split 2");
  expect(kinds(await history(page, source.id)).filter((k) => k === "package_split")).toHaveLength(1);
  expect(consoleErrors).toEqual([]);
});

test("a destruction's history entry and its audit export row name the witness, the people, the tag and the product", async ({ page, consoleErrors }) => {
  await signIn(page, demo.manager);
  const p = fresh(await serverPackages(page))[0];
  await page.goto(`/packages/${p.id}`);
  await page.getByTestId("action-destroy").click();
  await page.getByTestId("destroy-quantity").fill("1");
  await page.getByTestId("witness-email").fill(witness.email);
  await page.getByTestId("witness-password").fill(witness.password);
  await page.getByTestId("flow-submit").click();
  await expect(page.getByTestId("flow-done")).toContainText("witnessed by");
  await expect(page.getByTestId("sync-status")).toContainText("Up to date", { timeout: 15_000 });
  // The history names who destroyed it and who watched.
  const entry = page.getByTestId("history-entry").filter({ hasText: "Destroyed 1" });
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText("Marcus Manager");
  await expect(entry).toContainText("Witnessed by Wren Witness");

  // The audit export's row stands on its own: names beside ids, the tag, product and SKU.
  // A window around today, so a run that crosses midnight UTC still finds its row.
  const day = (offset: number) => new Date(Date.now() + offset * 864e5).toISOString().slice(0, 10);
  const range = `from=${day(-1)}&to=${day(1)}`;
  const res = await page.request.get(`/api/v1/audit/export?${range}&format=csv`);
  expect(res.ok()).toBeTruthy();
  const [header, ...rows] = parseCsv(await res.text());
  for (const col of ["actor", "actor_name", "packages", "tags", "products", "skus", "reason", "witness", "witness_name", "quantities"]) {
    expect(header).toContain(col);
  }
  const at = (row: string[], col: string) => row[header.indexOf(col)];
  const destroyed = rows.filter((r) => at(r, "event") === "package_destroyed" && at(r, "packages") === p.id);
  expect(destroyed).toHaveLength(1);
  const row = destroyed[0];
  expect(at(row, "actor_name")).toBe("Marcus Manager");
  expect(at(row, "witness_name")).toBe("Wren Witness");
  expect(at(row, "witness")).toMatch(/^[0-9a-f-]{36}$/);
  expect(at(row, "witness")).not.toBe(at(row, "actor"));
  expect(at(row, "tags")).toBe(p.tag);
  const snapshot = await (await page.request.get("/api/v1/sync?since=0")).json();
  const product = snapshot.snapshot.products.find((x: { id: string }) => x.id === p.product_id);
  expect(at(row, "products")).toBe(product.name);
  expect(at(row, "skus")).toBe(product.sku);
  expect(at(row, "quantities")).toMatch(/^-1 (g|ea|mL)$/);
  expect(at(row, "reason")).not.toBe("");
  // The same in JSON lines.
  const jsonl = await (await page.request.get(`/api/v1/audit/export?${range}&format=jsonl`)).text();
  const line = jsonl.trim().split("\n").map((l) => JSON.parse(l)).find((r) => r.event === "package_destroyed" && r.packages === p.id);
  expect(line).toMatchObject({ actor_name: "Marcus Manager", witness_name: "Wren Witness", tags: p.tag, products: product.name, skus: product.sku });
  expect(consoleErrors).toEqual([]);
});

test("a witness's mistyped password is refused on the form, logs no error, records nothing, and the right one goes through", async ({ page, consoleErrors }) => {
  await signIn(page, demo.manager);
  const p = fresh(await serverPackages(page))[1];
  const before = kinds(await history(page, p.id));
  await page.goto(`/packages/${p.id}`);
  await page.getByTestId("action-destroy").click();
  await page.getByTestId("destroy-quantity").fill("1");
  await page.getByTestId("witness-email").fill(witness.email);
  await page.getByTestId("witness-password").fill("not the password");
  await page.getByTestId("flow-submit").click();
  await expect(page.getByTestId("flow-error")).toContainText("Witness: the email or password is wrong");
  // What was typed stays; nothing went to the server.
  await expect(page.getByTestId("destroy-quantity")).toHaveValue("1");
  await expect(page.getByTestId("witness-email")).toHaveValue(witness.email);
  expect(kinds(await history(page, p.id))).toEqual(before);
  expect(consoleErrors).toEqual([]);
  await page.getByTestId("witness-password").fill(witness.password);
  await page.getByTestId("flow-submit").click();
  await expect(page.getByTestId("flow-done")).toContainText("witnessed by");
  await expect(page.getByTestId("sync-status")).toContainText("Up to date", { timeout: 15_000 });
  const after = kinds(await history(page, p.id));
  expect(after).toHaveLength(before.length + 1);
  expect(after.filter((k) => k === "package_destroyed")).toHaveLength(1);
  expect(consoleErrors).toEqual([]);
});
