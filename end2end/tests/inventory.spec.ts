import { test, expect, demo, signIn, serverPackages } from "./fixtures/app";

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
  await expect(page.getByTestId("inventory-count")).toHaveText(/^\d{1,3} match(es)? for “gelato” of \d+ packages$/);
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
  await expect(page.getByTestId("inventory-count")).toHaveText(/^0 matches for “no such strain anywhere” of \d+ packages$/);
  await expect(page.getByTestId("package-row")).toHaveCount(0);
});

test("searching for the last six characters of a tag, as a label shows them, lists that package first and says how many matched", async ({ page, consoleErrors }) => {
  await signIn(page, demo.manager);
  // What the list shows by default: active packages and those on hold.
  const open = (await serverPackages(page)).filter((p) => p.status === "Active" || (typeof p.status === "object" && p.status !== null && "OnHold" in p.status));
  // A tag whose last six characters other tags also contain, when the demo has one.
  const crowded = open.find((p) => open.some((o) => o.id !== p.id && o.tag.includes(p.tag.slice(-6)))) ?? open[0];
  const tail = crowded.tag.slice(-6);
  const alsoContaining = open.filter((p) => p.tag.includes(tail)).length;
  const endingIn = open.filter((p) => p.tag.endsWith(tail)).length;
  await page.getByTestId("inventory-search").fill(tail.toLowerCase());
  const count = page.getByTestId("inventory-count");
  await expect(count).toContainText(`match`);
  await expect(count).toContainText(`for “${tail.toLowerCase()}”`);
  await expect(count).toContainText(endingIn === 1 ? "the tag ending in it is first" : `the ${endingIn} tags ending in it are first`);
  const shown = Number((await count.textContent())!.match(/^(\d+)/)![1]);
  expect(shown).toBeGreaterThanOrEqual(alsoContaining);
  // The package whose tag ends in what was typed is the first row.
  await expect(page.getByTestId("package-row").first()).toHaveAttribute("href", endingIn === 1 ? `/packages/${crowded.id}` : /\/packages\//);
  await expect(page.getByTestId("package-row").first().locator(".tag")).toHaveAttribute("title", new RegExp(`${tail}$`));
  // The whole tag finds exactly that one.
  await page.getByTestId("inventory-search").fill(crowded.tag);
  await expect(count).toHaveText(new RegExp(`^1 match for “${crowded.tag}” of \\d+ packages: the package with this tag$`));
  await expect(page.getByTestId("package-row").first()).toHaveAttribute("href", `/packages/${crowded.id}`);
  expect(consoleErrors).toEqual([]);
});
