import { test, expect, demo, signIn } from "./fixtures/app";

type Product = { id: string; sku: string; name: string; category: string; quantity_type: string; net_content: unknown };

test("the products page says what each product lacks before the store's purchase limits can count it", async ({ page, consoleErrors }) => {
  await signIn(page, demo.manager);
  // A new edible whose vendor sheet gave no net content: Ontario's limit cannot count it.
  const products: Product[] = (await (await page.request.get("/api/v1/sync?since=0")).json()).snapshot.products;
  const model = products.find((p) => p.category === "Edible" && p.quantity_type === "CountBased")!;
  const name = `Unlabelled Chews ${crypto.randomUUID().slice(0, 8)}`;
  const product = { ...model, id: crypto.randomUUID(), sku: `NEW-${crypto.randomUUID().slice(0, 8)}`, name, net_content: null, regulator: null };
  const res = await page.request.post("/api/v1/mutations", {
    data: { mutations: [{ command: { mutation_id: crypto.randomUUID(), actor: crypto.randomUUID(), device: crypto.randomUUID(), at: new Date().toISOString(), action: { define_product: product } } }] },
  });
  expect((await res.json()).outcomes[0].status).toBe("applied");

  await page.getByTestId("nav-products").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Products");
  const rows = page.getByTestId("product-row");
  const mine = rows.filter({ hasText: name });
  await expect(mine.getByTestId("product-limits")).toHaveText("Needs net cannabis content per item");
  await expect(mine).toContainText("not recorded");
  await expect(mine).toContainText("not mapped");
  const summary = page.getByTestId("products-summary");
  await expect(summary).toContainText(/^\d+ of \d+ products lack something Ontario's purchase limits need to count them\.$/);
  const [lacking, total] = ((await summary.textContent()) ?? "").match(/\d+/g)!.map(Number);
  expect(lacking).toBeGreaterThan(0);
  await expect(rows).toHaveCount(total);
  await page.getByTestId("products-missing-only").check();
  await expect(rows).toHaveCount(lacking);
  for (const cell of await page.getByTestId("product-limits").all()) {
    await expect(cell).toHaveText(/^Needs \S/);
  }
  expect(consoleErrors).toEqual([]);
});
