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
