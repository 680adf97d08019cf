import { test, expect } from "./fixtures/app";

const pages = [
  { nav: "nav-inventory", path: "/inventory", heading: "Inventory" },
  { nav: "nav-counts", path: "/counts", heading: "Counts" },
  { nav: "nav-reconcile", path: "/reconcile", heading: "Reconcile" },
  { nav: "nav-orders", path: "/orders", heading: "Orders" },
  { nav: "nav-reports", path: "/reports", heading: "Reports" },
  { nav: "nav-menu", path: "/menu", heading: "Menu" },
  { nav: "nav-settings", path: "/settings", heading: "Settings" },
  { nav: "nav-login", path: "/login", heading: "Sign in" },
];

test("the shell loads and every page is reachable from the navigation without console errors", async ({
  page,
  consoleErrors,
}) => {
  await page.goto("/");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  for (const p of pages) {
    await page.getByTestId(p.nav).click();
    await expect(page).toHaveURL(new RegExp(`${p.path}$`));
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(p.heading);
    await expect(page.getByTestId(p.nav)).toHaveAttribute("aria-current", "page");
  }
  expect(consoleErrors).toEqual([]);
});

test("a client route opened directly is served the app, not a 404", async ({ page }) => {
  const res = await page.goto("/reconcile");
  expect(res?.status()).toBe(200);
  expect(res?.headers()["cache-control"]).toBe("no-cache");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Reconcile");
});

test("an unknown address says so and offers a way back", async ({ page }) => {
  await page.goto("/no-such-page");
  await expect(page.getByTestId("page-not-found")).toBeVisible();
  await page.getByRole("link", { name: "Go to inventory" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Inventory");
});

test("navigation targets are large enough for a finger", async ({ page }) => {
  await page.goto("/inventory");
  for (const p of pages) {
    const box = await page.getByTestId(p.nav).boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44);
    expect(box!.width).toBeGreaterThanOrEqual(44);
  }
});
