// A new mall onboarded in the browser from an empty database (issue 15): a server of this test's
// own runs `serve` without `--demo`, its first admin taken from the environment. The admin creates
// the site, two merchants and their locations, and invites a manager for each; a manager sets a
// first password from the link, invites the staff of its location, and builds its catalogue (a
// product with a photo and a modifier group) and a promotion; a visitor orders from the site's QR
// address; the dashboard then counts the order in its charts. Desktop for the operator, 360 px
// for the manager and the visitor (their phones).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, withPage, consoleSignIn, ownServer, overflow, artifact, waitUntil, PHONE } from "./lib.mjs";

const ADMIN_EMAIL = "operaciones@mall-nuevo.test";
const ADMIN_PASSWORD = "clave-del-operador-2026";
const DESKTOP = { viewport: { width: 1280, height: 800 }, locale: "es-CL" };
const NARROW = { ...PHONE, viewport: { width: 360, height: 740 }, locale: "es-CL" };

let browser;
let server;
before(async () => {
  browser = await launch();
  server = await ownServer("console-onboarding", {
    demo: false,
    env: { OMNICANAL_ADMIN_EMAIL: ADMIN_EMAIL, OMNICANAL_ADMIN_PASSWORD: ADMIN_PASSWORD },
  });
});
after(async () => {
  await browser?.close();
  await server?.remove();
});

/** The last path segment of the page's URL (the id a create redirected to). */
const idInUrl = (page) => new URL(page.url()).pathname.split("/").pop();

async function fits(page, width, name) {
  const wide = await overflow(page, width);
  assert.ok(wide.scrollWidth <= width, `${name} fits ${width} px: ${JSON.stringify(wide)}`);
  await page.screenshot({ path: artifact(`onboarding-${name}.png`), fullPage: true });
}

/** Creates a merchant and its location at `siteName` from the setup pages; returns their ids. */
async function merchantWithLocation(page, { name, commission, locationName, siteName }) {
  await page.goto(`${server.base}/console/setup/merchants`);
  await page.locator("[data-testid=merchant-name]").fill(name);
  await page.locator("[data-testid=merchant-commission]").fill(commission);
  await page.locator("[data-testid=merchant-submit]").click();
  await page.locator("[data-testid=setup-done]").waitFor();
  const merchantId = idInUrl(page);
  await page.locator("[data-testid=location-site]").selectOption({ label: siteName });
  await page.locator("[data-testid=location-name]").fill(locationName);
  await page.locator("[data-testid=location-pay-at-pickup]").check();
  await page.locator("[data-testid=location-submit]").click();
  await page.locator("[data-testid=setup-done]").waitFor();
  const listed = page.locator("[data-testid=merchant-location]").filter({ hasText: locationName });
  return { merchantId, locationId: await listed.getAttribute("data-location-id") };
}

/** Invites `email` from /console/users and returns the invitation's path. */
async function invite(page, { email, role, merchantId, locationId }) {
  await page.goto(`${server.base}/console/users`);
  await page.locator("[data-testid=invite-email]").fill(email);
  await page.locator("[data-testid=invite-role]").selectOption(role);
  if (merchantId) await page.locator("[data-testid=invite-merchant]").selectOption(merchantId);
  if (locationId) await page.locator("[data-testid=invite-location]").selectOption(locationId);
  await page.locator("[data-testid=invite-submit]").click();
  return new URL(await page.locator("[data-testid=invite-link]").inputValue()).pathname;
}

/** Opens an invitation in `page` and sets the first password; waits to be signed in. */
async function acceptInvitation(page, path, password) {
  const opened = await page.goto(`${server.base}${path}`);
  assert.equal(opened.status(), 200);
  await page.locator("[data-testid=first-password]").fill(password);
  await page.locator("[data-testid=first-password-repeat]").fill(password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith("/console/invite/")),
    page.locator("[data-testid=first-password-submit]").click(),
  ]);
  await page.locator("[data-testid=logout]").waitFor();
}

test("an operator onboards a new mall from an empty database and its first QR order reaches the dashboard", async () => {
  const mall = { siteName: "Mall Nuevo Oriente" };
  const managerEmail = "gerente@sangucheria-uno.test";
  const managerPassword = "clave-del-gerente-1";
  let first;
  let second;
  await withPage(browser, "onboarding-admin", DESKTOP, async (admin) => {
    await consoleSignIn(admin, ADMIN_EMAIL, { base: server.base, password: ADMIN_PASSWORD });
    // An empty platform: the sites page says how to start.
    await admin.goto(`${server.base}/console/setup/sites`);
    await admin.locator("[data-testid=setup-empty]").first().waitFor();
    await admin.locator("[data-testid=site-name]").fill(mall.siteName);
    await admin.locator("[data-testid=site-country]").selectOption("CL");
    await admin.locator("[data-testid=site-currency]").selectOption("CLP");
    await admin.locator("[data-testid=site-timezone]").fill("America/Santiago");
    await admin.locator("[data-testid=site-submit]").click();
    await admin.locator("[data-testid=setup-done]").waitFor();
    mall.siteId = idInUrl(admin);
    await fits(admin, 1280, "site");

    first = await merchantWithLocation(admin, {
      name: "Sanguchería Uno",
      commission: "10",
      locationName: "Sanguchería Uno · Patio",
      siteName: mall.siteName,
    });
    second = await merchantWithLocation(admin, {
      name: "Café Dos",
      commission: "12,5",
      locationName: "Café Dos · Terraza",
      siteName: mall.siteName,
    });
    await fits(admin, 1280, "merchant");
    first.invitation = await invite(admin, { email: managerEmail, role: "merchant_manager", merchantId: first.merchantId });
    second.invitation = await invite(admin, {
      email: "gerente@cafe-dos.test",
      role: "merchant_manager",
      merchantId: second.merchantId,
    });
    await fits(admin, 1280, "users");
  });

  // The first manager, on a phone: the first password, then the staff of the location.
  await withPage(browser, "onboarding-manager", NARROW, async (manager) => {
    await acceptInvitation(manager, first.invitation, managerPassword);
    const staffLink = await invite(manager, { email: "caja@sangucheria-uno.test", role: "staff", locationId: first.locationId });
    assert.match(staffLink, /^\/console\/invite\//);
    await fits(manager, 360, "manager-users");
    await buildCatalogue(manager, first);
  });
  await withPage(browser, "onboarding-manager-2", NARROW, async (manager) => {
    await acceptInvitation(manager, second.invitation, "clave-del-gerente-2");
  });

  // A visitor scans the table's QR (the poster's address) and orders the new sandwich.
  let orderId;
  await withPage(browser, "onboarding-visitor", NARROW, async (visitor) => {
    const response = await visitor.goto(`${server.base}/s/${encodeURIComponent(mall.siteId)}?table=7`);
    assert.equal(response.status(), 200);
    const item = visitor.locator(`[data-testid=menu-item][data-sku="${first.sku}"]`);
    await item.waitFor();
    const photo = item.locator("[data-testid=item-photo]");
    assert.match(await photo.getAttribute("src"), /^\/media\/products\/[^/]+\/card-[0-9a-f]{16}\.jpg$/, "the uploaded photo, resized");
    await fits(visitor, 360, "menu");
    await chooseOptions(item);
    await item.locator("button[data-testid=add]").click();
    await waitUntil(visitor, "one item in the cart", () => document.querySelector("[data-testid=cart-count]")?.textContent.trim() === "1");
    await visitor.locator("a[data-testid=go-to-cart]").click();
    await visitor.locator("[data-testid=cart-line]").first().waitFor();
    await visitor.locator("input[data-testid=customer-name]").fill("Valentina");
    await visitor.locator("input[name=payment-method][value=card]").check();
    await visitor.locator("input[data-testid=card-number]").fill("4242424242424242");
    await visitor.locator("button[data-testid=place-order]").click();
    await visitor.waitForURL((url) => /\/orders\/[^/]+$/.test(url.pathname), { timeout: 15_000 });
    orderId = idInUrl(visitor);
    await visitor.locator("[data-testid=part]").first().waitFor();
  });
  assert.ok(orderId);

  // The operator's dashboard counts it: one order, at the first merchant, through the QR.
  await withPage(browser, "onboarding-dashboard", DESKTOP, async (admin) => {
    await consoleSignIn(admin, ADMIN_EMAIL, { base: server.base, password: ADMIN_PASSWORD });
    await admin.goto(`${server.base}/console/dashboard`);
    assert.equal((await admin.locator("[data-testid=total-orders]").innerText()).trim(), "1");
    assert.equal(await admin.locator("[data-testid=dashboard-empty]").count(), 0);
    const merchants = await (await admin.request.get(`${server.base}/console/dashboard?format=csv&chart=merchants`)).text();
    assert.match(merchants, /"Sanguchería Uno",1,/);
    const channels = await (await admin.request.get(`${server.base}/console/dashboard?format=csv&chart=channels`)).text();
    assert.match(channels, /"QR",1,/);
    await fits(admin, 1280, "dashboard");
  });
});

/** A menu item's options, when it has any: the first choice of each group that takes one. */
async function chooseOptions(item) {
  const options = item.locator("details[data-testid=item-options]");
  if ((await options.count()) === 0) return;
  await options.locator("summary").click();
  for (const group of await options.locator("fieldset.group").all()) {
    const radios = group.locator("input[type=radio]");
    if ((await radios.count()) > 0) await radios.first().check();
  }
}

/**
 * The manager's catalogue from the console's pages: a product with a required modifier group,
 * its photo (uploaded, resized by the server), and a promotion. Records the product's SKU on
 * `merchant`.
 */
async function buildCatalogue(page, merchant) {
  merchant.sku = "SAN-ITALIANO";
  await Promise.all([page.waitForURL(/\/console\/catalog/), page.locator("[data-testid=nav-catalog]").click()]);
  await Promise.all([page.waitForURL(/products\/new/), page.locator("[data-testid=catalog-new]").click()]);
  await page.locator("[data-testid=product-name]").fill("Italiano");
  await page.locator("[data-testid=product-category]").fill("Sándwiches");
  await page.locator("[data-testid=product-description]").fill("Palta, tomate y mayo casera.");
  await page.locator("[data-testid=product-track-stock]").uncheck();
  const variant = page.locator("[data-testid=variant-row]").first();
  await variant.locator("[data-testid=variant-sku]").fill(merchant.sku);
  await variant.locator("[data-testid=variant-price]").fill("6990");
  const group = page.locator("[data-testid=group-row]").first();
  await group.locator("[data-testid=group-name]").fill("Pan");
  await group.locator("[data-testid=group-min]").fill("1");
  await group.locator("[data-testid=group-max]").fill("1");
  await group.locator("[data-testid=option-name]").nth(0).fill("Marraqueta");
  await group.locator("[data-testid=option-price]").nth(0).fill("0");
  await group.locator("[data-testid=add-option]").click();
  await group.locator("[data-testid=option-name]").nth(1).fill("Frica");
  await group.locator("[data-testid=option-price]").nth(1).fill("500");
  await fits(page, 360, "product-form");
  await Promise.all([page.waitForURL(/done=created/), page.locator("[data-testid=product-submit]").click()]);

  // Its photo: any PNG will do — a screenshot of the list the manager is looking at.
  const row = page.locator("[data-testid=catalog-row]").filter({ hasText: merchant.sku });
  const picture = await page.screenshot({ type: "png" });
  await Promise.all([page.waitForURL(/\/photo$/), row.locator("[data-testid=catalog-photo]").click()]);
  await page.locator("[data-testid=photo-file]").setInputFiles({ name: "italiano.png", mimeType: "image/png", buffer: picture });
  await Promise.all([page.waitForURL(/\/photo\?/), page.locator("[data-testid=photo-submit]").click()]);
  await page.locator("[data-testid=photo-thumb]").waitFor();
  await fits(page, 360, "photo");

  // A promotion: 10 % off every order at this merchant, no coupon needed.
  await Promise.all([page.waitForURL(/\/console\/pricing/), page.locator("[data-testid=nav-pricing]").click()]);
  await page.locator("[data-testid=tab-promotions]").click();
  await page.locator("[data-testid=new-promotion]").click();
  await page.locator("[data-testid=promotion-name]").fill("Inauguración");
  await page.locator("[data-testid=promotion-kind]").selectOption("percent_off_order");
  await page.locator("[data-testid=promotion-percent]").fill("10");
  await page.locator("[data-testid=promotion-submit]").click();
  await page.locator('[data-testid=promotion-row][data-name="Inauguración"]').waitFor();
  await fits(page, 360, "promotions");
}
