import { test, expect, demo, signIn } from "./fixtures/app";

const managerPages = [
  { nav: "nav-inventory", path: "/inventory", heading: "Inventory" },
  { nav: "nav-products", path: "/products", heading: "Products" },
  { nav: "nav-receive", path: "/receive", heading: "Receive" },
  { nav: "nav-counts", path: "/counts", heading: "Counts" },
  { nav: "nav-reconcile", path: "/reconcile", heading: "Reconcile" },
  { nav: "nav-orders", path: "/orders", heading: "Orders" },
  { nav: "nav-reports", path: "/reports", heading: "Reports" },
  { nav: "nav-menu", path: "/menu", heading: "Menu" },
  { nav: "nav-settings", path: "/settings", heading: "Settings" },
];

test("a manager signs in and reaches every page from the navigation without console errors", async ({
  page,
  consoleErrors,
}) => {
  await signIn(page, demo.manager);
  await expect(page.getByTestId("nav-login")).toHaveText(/Marcus/);
  for (const p of managerPages) {
    await page.getByTestId(p.nav).click();
    await expect(page).toHaveURL(new RegExp(`${p.path}$`));
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(p.heading);
    await expect(page.getByTestId(p.nav)).toHaveAttribute("aria-current", "page");
  }
  expect(consoleErrors).toEqual([]);
});

test("staff do not see manager pages, and are told so if they open one", async ({ page }) => {
  await signIn(page, demo.staff);
  await expect(page.getByTestId("nav-orders")).toBeVisible();
  for (const hidden of ["nav-products", "nav-receive", "nav-counts", "nav-reconcile", "nav-reports", "nav-settings"]) {
    await expect(page.getByTestId(hidden)).toHaveCount(0);
  }
  await page.goto("/counts");
  await expect(page.getByTestId("needs-role")).toHaveText("This page needs a manager account.");
});

test("signed out, only the public menu and sign-in are offered", async ({ page, consoleErrors }) => {
  await page.goto("/counts");
  await expect(page.getByTestId("needs-sign-in")).toBeVisible();
  await expect(page.getByTestId("nav-menu")).toBeVisible();
  await expect(page.getByTestId("nav-inventory")).toHaveCount(0);
  await page.getByTestId("needs-sign-in").getByRole("link", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sign in");
  expect(consoleErrors).toEqual([]);
});

test("a wrong password is refused with the server's reason, logs no error, and the right one then signs in", async ({ page, consoleErrors }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(demo.manager.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("sign-in-error")).toHaveText("the email or password is wrong");
  await expect(page.getByTestId("nav-login")).toHaveText(/Sign in/);
  await expect(page).toHaveURL(/\/login$/);
  // A mistyped password is an answer the page shows, not an HTTP error the browser logs.
  expect(consoleErrors).toEqual([]);
  await page.getByLabel("Password").fill(demo.manager.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/inventory$/);
  await expect(page.getByTestId("nav-login")).toHaveText(/Marcus/);
  await expect(page.getByTestId("package-row").first()).toBeVisible();
  expect(consoleErrors).toEqual([]);
});

test("a sign-in refused before the app took over comes back to the sign-in page saying why", async ({ page }) => {
  // What the browser shows when it sent the form itself (the server's Post/Redirect/Get answer).
  await page.goto("/login?refused=too_many_requests&retry_after=42");
  await expect(page.getByTestId("sign-in-error")).toHaveText("too many attempts; try again in 42 seconds");
});

test("signing out returns to the public view", async ({ page }) => {
  await signIn(page, demo.manager);
  await page.getByTestId("nav-login").click();
  await expect(page.getByTestId("signed-in")).toContainText("Marcus Manager");
  // The server's answer is read first, so a failure says whether the server or the page fell short.
  const answered = page.waitForResponse((r) => r.url().endsWith("/api/v1/session") && r.request().method() === "DELETE");
  await page.getByRole("button", { name: "Sign out" }).click();
  expect((await answered).status()).toBe(204);
  await expect(page.getByTestId("sign-in-form")).toBeVisible();
  await expect(page.getByTestId("nav-counts")).toHaveCount(0);
});

test("a client route opened directly is served the app, not a 404", async ({ page }) => {
  const res = await page.goto("/reconcile");
  expect(res?.status()).toBe(200);
  expect(res?.headers()["cache-control"]).toBe("no-cache");
});

test("an unknown address says so and offers a way back", async ({ page }) => {
  await page.goto("/no-such-page");
  await expect(page.getByTestId("page-not-found")).toBeVisible();
  await page.getByRole("link", { name: "Go to inventory" }).click();
  await expect(page).toHaveURL(/\/inventory$/);
});

test("navigation targets and form controls are large enough for a finger", async ({ page }) => {
  await signIn(page, demo.manager);
  for (const p of managerPages) {
    const box = await page.getByTestId(p.nav).boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44);
    expect(box!.width).toBeGreaterThanOrEqual(44);
  }
  await page.getByTestId("nav-login").click();
  await page.getByRole("button", { name: "Sign out" }).click();
  for (const control of [page.getByLabel("Email"), page.getByLabel("Password"), page.getByRole("button", { name: "Sign in" })]) {
    expect((await control.boundingBox())!.height).toBeGreaterThanOrEqual(44);
  }
});
