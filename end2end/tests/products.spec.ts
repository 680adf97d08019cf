import { test, expect, demo, signIn } from "./fixtures/app";

test("the products page lists every product with what the store's purchase limits still need from it", async ({ page, consoleErrors }) => {
  await signIn(page, demo.manager);
  const products: unknown[] = (await (await page.request.get("/api/v1/sync?since=0")).json()).snapshot.products;
  await page.getByTestId("nav-products").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Products");
  const rows = page.getByTestId("product-row");
  await expect(rows).toHaveCount(products.length);
  const summary = page.getByTestId("products-summary");
  await expect(summary).toContainText(new RegExp(`^\\d+ of ${products.length} products lack something Ontario's purchase limits need to count them\\.$`));
  const lacking = Number(((await summary.textContent()) ?? "").match(/^\d+/)![0]);
  // Each row says either that the limits count it or, in words, what it needs.
  for (const cell of await page.getByTestId("product-limits").all()) {
    await expect(cell).toHaveText(/^(Counted|Needs \S.*)$/);
  }
  await page.getByTestId("products-missing-only").check();
  await expect(rows).toHaveCount(lacking);
  expect(consoleErrors).toEqual([]);
});

test("a manager brings a product's Metrc item up to date from its mapping, in one tap", async ({ page, consoleErrors }) => {
  await signIn(page, demo.manager);
  type Product = { name: string; category: string; regulator: { item_name: string; item_category: string } | null };
  const products: Product[] = (await (await page.request.get("/api/v1/sync?since=0")).json()).snapshot.products;
  // A flower sold by weight: the demo's Metrc already has its item, made long ago without a strain.
  const named = (p: Product, q: Product) => !!q.regulator && q.regulator.item_name.includes(p.regulator!.item_name);
  const flower = products.find((p) => p.regulator?.item_category === "Buds" && products.filter((q) => named(p, q)).length === 1)!;
  await page.getByTestId("nav-products").click();
  const row = page.getByTestId("product-row").filter({ hasText: flower.regulator!.item_name });
  await row.getByTestId("item-send").click();
  await expect(row.getByTestId("item-message")).toHaveText("Updated in Metrc: Buds, Grams.");
  expect(consoleErrors).toEqual([]);
});
