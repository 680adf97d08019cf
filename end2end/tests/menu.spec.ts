import { test, expect, demo, type Pkg } from "./fixtures/app";

// Customers browse on phones.
test.use({ viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true });

type MenuItem = { product_id: string; name: string; available: string; stock: string; unit: string };

test("the public menu shows what is on the shelf with price and stock, and nothing internal", async ({ page, consoleErrors }) => {
  await page.goto("/shop");
  await expect(page.getByTestId("menu-live")).toHaveAttribute("data-live", "true");
  const count = Number((await page.getByTestId("menu-count").textContent())!.match(/\d+/)![0]);
  expect(count).toBeGreaterThan(100);
  await expect(page.getByTestId("menu-item").first()).toContainText("$");
  const text = await page.locator("body").innerText();
  expect(text).not.toMatch(/1A4F/); // no package tags
  expect(text.toLowerCase()).not.toContain("cost");
  // No staff navigation on the customers' menu.
  await expect(page.getByTestId("nav-inventory")).toHaveCount(0);
  // Filters narrow the list.
  await page.getByTestId("menu-category").first().click();
  const narrowed = Number((await page.getByTestId("menu-count").textContent())!.match(/\d+/)![0]);
  expect(narrowed).toBeLessThan(count);
  expect(consoleErrors).toEqual([]);
});

test("a sale anywhere in the store turns a product sold out on the menu within a second", async ({ page, playwright, baseURL }) => {
  const staff = await playwright.request.newContext({ baseURL });
  expect((await staff.post("/api/v1/session", { data: demo.staff })).ok()).toBeTruthy();
  const menu: { items: MenuItem[] } = await (await staff.get("/api/v1/menu")).json();
  const packages: Pkg[] = (await (await staff.get("/api/v1/sync?since=0")).json()).snapshot.packages;
  // A count-based product still in stock, whose whole floor stock a counter sale can take.
  const onFloor = (id: string) =>
    packages.filter((p) => p.product_id === id && p.status === "Active" && p.zone === "SalesFloor" && Number(p.quantity.amount) - Number(p.held) > 0);
  const candidates = menu.items.filter(
    (i) => i.stock !== "sold_out" && i.unit === "Each" && onFloor(i.product_id).length > 0 && Number(i.available) <= 300,
  );
  const item = candidates[Math.floor(Math.random() * candidates.length)];
  await page.goto("/shop");
  await expect(page.getByTestId("menu-live")).toHaveAttribute("data-live", "true");
  const card = page.locator(`[data-testid=menu-item][data-product="${item.product_id}"]`);
  await expect(card.getByTestId("stock")).not.toHaveAttribute("data-stock", "sold_out");

  // One unit per receipt, as a queue of customers would buy them: no single receipt goes over a
  // purchase limit.
  const units = onFloor(item.product_id).flatMap((p) =>
    Array.from({ length: Number(p.quantity.amount) - Number(p.held) }, () => p),
  );
  const mutations = units.map((p) => ({
    command: {
      mutation_id: crypto.randomUUID(),
      actor: crypto.randomUUID(),
      device: crypto.randomUUID(),
      at: new Date().toISOString(),
      action: {
        sell: {
          receipt_id: crypto.randomUUID(),
          customer: null,
          lines: [{ package_id: p.id, quantity: { amount: "1", unit: p.quantity.unit }, unit_price: null }],
        },
      },
    },
  }));
  const res = await staff.post("/api/v1/mutations", { data: { mutations } });
  const sold = Date.now();
  const refused = (await res.json()).outcomes.filter((o: { status: string }) => o.status !== "applied");
  expect(refused, "every sale went through").toEqual([]);
  await expect(card.getByTestId("stock")).toHaveAttribute("data-stock", "sold_out", { timeout: 1_000 });
  console.log(`menu: sold out shown ${Date.now() - sold} ms after the sale was acknowledged`);
  await staff.dispose();
});
