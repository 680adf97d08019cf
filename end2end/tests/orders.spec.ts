import { test, expect, demo, signIn } from "./fixtures/app";

type MenuItem = { product_id: string; name: string; available: string; stock: string; unit: string; category: string };

async function menuItems(page: import("@playwright/test").Page): Promise<MenuItem[]> {
  return (await (await page.request.get("/api/v1/menu")).json()).items;
}

test("a customer reserves on a phone, the counter sees it and hands it over, and the customer's page follows", async ({ browser, baseURL }) => {
  // The budtender's tablet has the queue open before the order comes in.
  const tablet = await browser.newContext({ baseURL, viewport: { width: 1024, height: 768 }, hasTouch: true });
  const staff = await tablet.newPage();
  await signIn(staff, demo.staff);
  await staff.getByTestId("nav-orders").click();
  await expect(staff.getByTestId("page-orders")).toBeVisible();

  const phone = await browser.newContext({ baseURL, viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  const customer = await phone.newPage();
  const items = (await menuItems(customer)).filter((i) => i.unit === "Each" && i.stock === "in_stock" && Number(i.available) >= 5);
  const item = items[Math.floor(Math.random() * items.length)];
  await customer.goto("/shop");
  await customer.getByTestId("menu-search").fill(item.name);
  const card = customer.locator(`[data-testid=menu-item][data-product="${item.product_id}"]`);
  await card.getByTestId("add-to-cart").click();
  await card.getByTestId("add-to-cart").click();
  await expect(customer.getByTestId("cart-line")).toHaveText(new RegExp(`^2 × ${item.name}`));
  await customer.getByTestId("order-name").fill("Robin Tester");
  await customer.getByTestId("order-phone").fill("416 555 0199");
  await customer.getByTestId("order-submit").click();
  await expect(customer.getByTestId("order-error")).toContainText("or older");
  await customer.getByTestId("order-age").check();
  await customer.getByTestId("order-submit").click();
  await expect(customer.getByTestId("order-status")).toHaveAttribute("data-status", "placed");
  const number = (await customer.getByTestId("order-number").textContent())!;
  // From here the phone cannot read the order by asking again: each change must reach it on the
  // live stream the staff tap starts.
  let asked = 0;
  await customer.route(/\/api\/v1\/orders\/[0-9a-f-]{36}$/, (r) => {
    asked++;
    return r.abort("failed");
  });

  // It appears in the open queue by itself.
  const queued = staff.locator(`[data-testid=queued-order][data-number="${number}"]`);
  await expect(queued).toContainText("Robin Tester", { timeout: 10_000 });
  await queued.getByTestId("order-preparing").click();
  await expect(customer.getByTestId("order-status")).toHaveAttribute("data-status", "preparing", { timeout: 10_000 });
  await expect(queued.getByTestId("queued-status")).toHaveAttribute("data-status", "preparing");
  await queued.getByTestId("order-ready").click();
  await expect(customer.getByTestId("order-status")).toHaveAttribute("data-status", "ready", { timeout: 10_000 });
  await queued.getByTestId("order-picked-up").click();
  await expect(queued).toHaveCount(0, { timeout: 10_000 });
  await expect(customer.getByTestId("order-status")).toHaveAttribute("data-status", "picked_up", { timeout: 10_000 });
  expect(asked).toBe(0);
  await phone.close();
  await tablet.close();
});

test("an order over the purchase limit is refused with the reason", async ({ page }) => {
  // 3.5 g jars of flower: nine of them are 31.5 g of dried cannabis, over Ontario's 30 g.
  const jars = (await menuItems(page)).filter(
    (i) => i.category === "Flower" && i.unit === "Each" && / 3\.5 g$/.test(i.name) && Number(i.available) >= 9,
  );
  const jar = jars[Math.floor(Math.random() * jars.length)];
  await page.goto("/shop");
  await page.getByTestId("menu-search").fill(jar.name);
  const add = page.locator(`[data-testid=menu-item][data-product="${jar.product_id}"]`).getByTestId("add-to-cart");
  for (let i = 0; i < 9; i++) await add.click();
  await page.getByTestId("order-name").fill("Casey");
  await page.getByTestId("order-phone").fill("416 555 0198");
  await page.getByTestId("order-age").check();
  await page.getByTestId("order-submit").click();
  await expect(page.getByTestId("order-error")).toContainText(/dried/);
  await expect(page.getByTestId("order-error")).toContainText(/1\.5/);
});
