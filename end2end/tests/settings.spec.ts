import { test, expect, demo, signIn } from "./fixtures/app";

test("settings show the regulator connection and refuse incomplete credentials by name", async ({ page }) => {
  await signIn(page, demo.manager);
  await page.goto("/settings");
  await expect(page.getByTestId("regulator-health")).toContainText("embedded Metrc sandbox");
  await expect(page.getByTestId("page-settings")).toContainText("Ontario");
  await page.getByTestId("cred-license").fill("LIC-1");
  await page.getByTestId("cred-save").click();
  await expect(page.getByTestId("cred-error")).toContainText("vendor_key must not be empty");
});

test("settings list each purchase limit with what it counts, per transaction or per day, and its source", async ({ page }) => {
  await signIn(page, demo.manager);
  await page.goto("/settings");
  const rules = page.getByTestId("limit-rule");
  // The demo store is in Ontario: Schedule 3 since December 2022, 30 g at one time.
  const dried = rules.filter({ hasText: "dried cannabis equivalent" });
  await expect(dried).toContainText("30 g");
  await expect(dried).toContainText("per transaction");
  await expect(dried).toContainText("570 g of beverages = 1 g");
  await expect(dried).toContainText("70 g of oils = 1 g");
  await expect(dried).toContainText("SOR/2022-252");
  await expect(rules.filter({ hasText: "cannabis plants" })).toContainText("4 plants");
  await expect(page.getByTestId("page-settings")).toContainText("No medical sales");
  await expect(page.getByTestId("page-settings")).toContainText("America/Toronto");
});

test("settings show which of the facility's Metrc adjustment reasons each reason is sent as, read from the facility", async ({ page, consoleErrors }) => {
  await signIn(page, demo.manager);
  await page.goto("/settings");
  const rows = page.getByTestId("reason-row");
  await expect(rows).toHaveCount(10);
  // The embedded sandbox lists Metrc's common names, so every reason found its match by name.
  await expect(page.locator('[data-testid=reason-row][data-mapped="true"]')).toHaveCount(10);
  await expect(page.getByTestId("reason-summary")).toContainText("10 of 10 of Pistil's reasons mapped");
  await expect(page.locator('[data-testid=reason-row][data-reason="MoistureLoss"]').getByTestId("reason-choice")).toHaveValue("Drying");
  await expect(page.locator('[data-testid=reason-row][data-reason="destruction"]').getByTestId("reason-choice")).toHaveValue("Waste (Unusable Product)");
  // Reading the list again keeps every choice.
  await page.getByTestId("reason-read").click();
  await expect(page.getByTestId("reason-message")).toHaveText("Read 9 reasons from the facility.");
  await expect(page.locator('[data-testid=reason-row][data-mapped="true"]')).toHaveCount(10);
  await page.getByTestId("reason-save").click();
  await expect(page.getByTestId("reason-message")).toHaveText("Saved.");
  expect(consoleErrors).toEqual([]);
});
