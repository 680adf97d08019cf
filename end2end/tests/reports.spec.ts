import { test, expect, demo, signIn } from "./fixtures/app";

test("last month's Health Canada report balances and each figure opens the events behind it", async ({ page, consoleErrors }) => {
  await signIn(page, demo.manager);
  await page.goto("/reports");
  await expect(page.getByTestId("report-check")).toContainText("Opening inventory matches last month's closing");
  await expect(page.getByTestId("report-row").first()).toBeVisible();
  const sold = page.getByTestId("figure-dried-sold_in_store");
  const figure = Number((await sold.innerText()).split(" ")[0]);
  expect(figure).toBeGreaterThan(0);
  await sold.click();
  await expect(page.getByTestId("figure-events")).toContainText("events behind Sold in store, 4 Dried cannabis");
  // The listed events add up to the figure.
  const shares = await page.getByTestId("figure-event").evaluateAll((rows) => rows.map((r) => Number(r.children[3].textContent)));
  expect(shares.reduce((a, b) => a + b, 0)).toBe(figure);
  const csv = await page.request.get(await page.getByTestId("report-csv").getAttribute("href") ?? "");
  expect(csv.ok()).toBeTruthy();
  expect(await csv.text()).toContain(",4 Dried cannabis,");
  expect(consoleErrors).toEqual([]);
});
