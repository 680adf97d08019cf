import { test, expect, demo, signIn } from "./fixtures/app";

test("the inventory lists every demo package but keeps only the visible rows in the page", async ({ page, consoleErrors }) => {
  await signIn(page, demo.manager);
  const count = page.getByTestId("inventory-count");
  // Active and on hold are shown by default; the total counts finished ones too.
  await expect(count).toHaveText(/^Showing (\d+) of (\d+) packages$/);
  const total = Number((await count.textContent())!.match(/of (\d+)/)![1]);
  expect(total).toBeGreaterThanOrEqual(2000);
  const rendered = await page.getByTestId("package-row").count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(60);
  // Scroll to the end: the last rows render, and still only a window of them.
  const list = page.getByTestId("inventory-list");
  await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(page.getByTestId("package-row").last()).toBeInViewport();
  expect(await page.getByTestId("package-row").count()).toBeLessThan(60);
  expect(consoleErrors).toEqual([]);
});

test("searching by product and filtering by zone narrow the list", async ({ page }) => {
  await signIn(page, demo.manager);
  await expect(page.getByTestId("inventory-count")).toHaveText(/^Showing \d+ of/);
  await page.getByTestId("inventory-search").fill("gelato");
  await expect(page.getByTestId("inventory-count")).toHaveText(/^Showing \d{1,3} of \d+ packages$/);
  for (const row of await page.getByTestId("package-row").all()) {
    await expect(row).toContainText("Gelato");
  }
  await page.getByTestId("filter-zone").selectOption("vault");
  const rows = page.getByTestId("package-row");
  await expect(rows.first()).toBeVisible();
  for (const row of await rows.all()) {
    await expect(row).toContainText("Gelato");
  }
  if ((page.viewportSize()?.width ?? 0) > 900) {
    for (const row of await rows.all()) {
      await expect(row.locator(".zone")).toHaveText("Vault");
    }
  }
});

test("a search that matches nothing says so in numbers", async ({ page }) => {
  await signIn(page, demo.manager);
  await page.getByTestId("inventory-search").fill("no such strain anywhere");
  await expect(page.getByTestId("inventory-count")).toHaveText(/^Showing 0 of \d+ packages$/);
  await expect(page.getByTestId("package-row")).toHaveCount(0);
});
