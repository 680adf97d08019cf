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
