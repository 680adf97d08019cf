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
