// Shop connections in the console (issue 16 point 7): the manager of Andina Outdoor opens
// /console/connections from the nav, follows "Conectar una tienda", fills the form against a
// fake WooCommerce run as a process (`fakeshops woocommerce`, its standalone credentials) —
// only the chosen kind's credential fields are shown — and lands on the sync page, which
// reloads itself while the first import runs until its progress bar is full; none of the
// shop's SKUs are Andina's, so every item is listed unmatched, and linking one to a SKU of
// ours makes it mapped. At 360 px and at 1280 px, nothing past the edge.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { launch, withPage, consoleSignIn, overflow, artifact, SERVER_BIN } from "./lib.mjs";

const MANAGER = "gerente.andina@demo.omnicanal.cl";
// crates/fakeshops/src/woocommerce/mod.rs: what `standalone` accepts and signs with.
const CONSUMER_KEY = "ck_omnicanal_fake_key";
const CONSUMER_SECRET = "cs_omnicanal_fake_secret";
const WEBHOOK_SECRET = "omnicanal-fake-webhook-secret";
const FAKESHOPS = process.env.FAKESHOPS_BIN || path.join(path.dirname(SERVER_BIN), "fakeshops");

let browser;
let shop;
let shopUrl;

/** Starts `fakeshops woocommerce` and reads the base URL it prints first. */
function startShop() {
  return new Promise((resolve, reject) => {
    const child = spawn(FAKESHOPS, ["woocommerce"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${FAKESHOPS} printed no address: ${out}`)), 10_000);
    child.on("error", (error) => reject(new Error(`${FAKESHOPS}: ${error.message} (cargo build -p omnicanal-fakeshops)`)));
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const line = out.split("\n")[0].trim();
      if (out.includes("\n") && line.startsWith("http")) {
        clearTimeout(timer);
        resolve({ child, url: line });
      }
    });
  });
}

before(async () => {
  browser = await launch();
  ({ child: shop, url: shopUrl } = await startShop());
});
after(async () => {
  await browser?.close();
  shop?.kill("SIGTERM");
});

async function fits(page, width, what) {
  const wide = await overflow(page, width);
  assert.ok(wide.scrollWidth <= width, `${what} fits ${width} px: ${JSON.stringify(wide)}`);
}

for (const [width, height, sku] of [
  [360, 740, "AND-BAST"],
  [1280, 800, "AND-MOCH"],
]) {
  test(`${width} px: a manager connects a WooCommerce shop, watches its import finish and links an item to ${sku}`, async () => {
    const viewport = { viewport: { width, height }, isMobile: width < 600 };
    await withPage(browser, `console-connections-${width}`, viewport, async (page) => {
      await consoleSignIn(page, MANAGER);
      await page.locator("[data-testid=nav-connections]").first().click();
      await page.waitForURL((url) => url.pathname === "/console/connections");
      await fits(page, width, "the connections page");

      await page.locator("[data-testid=connection-new]").first().click();
      await page.waitForURL((url) => url.pathname === "/console/connections/new");
      await fits(page, width, "the new-connection form");
      // The script shows the chosen kind's fields only.
      await page.locator("[data-testid=connection-kind]").selectOption("shopify");
      assert.ok(await page.locator("[data-testid=credentials-shopify]").isVisible());
      assert.ok(!(await page.locator("[data-testid=credentials-woocommerce]").isVisible()), "another kind's fields hidden");
      await page.locator("[data-testid=connection-kind]").selectOption("woocommerce");
      assert.ok(await page.locator("[data-testid=credentials-woocommerce]").isVisible());
      assert.ok(await page.locator("[data-testid=url-hint-woocommerce]").isVisible(), "the address hint of the kind");

      // Submitted without a name: refused at the field, nothing lost but the secrets.
      await page.locator("[data-testid=connection-url]").fill(shopUrl);
      await page.locator("[data-testid=connection-create]").click();
      await page.locator("[data-testid=error-name]").waitFor();
      assert.equal(await page.locator("[data-testid=connection-url]").inputValue(), shopUrl);
      assert.equal(await page.locator("#connection-name").getAttribute("aria-invalid"), "true");
      await fits(page, width, "the refused form");
      await page.screenshot({ path: artifact(`console-connections-form-${width}.png`), fullPage: true });

      await page.locator("[data-testid=connection-name]").fill(`Tienda web ${width}`);
      await page.locator("[data-testid=cred-woocommerce-consumer_key]").fill(CONSUMER_KEY);
      await page.locator("[data-testid=cred-woocommerce-consumer_secret]").fill(CONSUMER_SECRET);
      await page.locator("[data-testid=cred-woocommerce-webhook_secret]").fill(WEBHOOK_SECRET);
      const first = page.locator("[data-testid=connection-location]").first();
      if (!(await first.isChecked())) await first.check();
      // The fake shop prices in USD: its prices stay the shop's.
      await page.locator("[data-testid=connection-price_owner]").selectOption("shop");
      await page.locator("[data-testid=connection-create]").click();
      await page.waitForURL((url) => /^\/console\/connections\/con_/.test(url.pathname));

      // The page reloads itself every 2 s while the import runs, until it is done.
      await page.locator("[data-testid=connection-sync][data-running=false]").waitFor({ timeout: 20_000 });
      const done = Number(await page.locator("[data-testid=sync-done]").innerText());
      const total = Number(await page.locator("[data-testid=sync-total]").innerText());
      assert.ok(total > 0 && done === total, `every item looked at: ${done}/${total}`);
      assert.equal(await page.locator("[data-testid=sync-percent]").innerText(), "100 %");
      const bar = page.locator("[data-testid=sync-progress]");
      assert.equal(await bar.getAttribute("value"), await bar.getAttribute("max"), "the bar is full");
      assert.equal(await page.locator("[data-testid=connection-status]").getAttribute("data-status"), "active");
      assert.equal(await page.locator("[data-testid=connection-status]").innerText(), "Al día");
      assert.equal(await page.locator("[data-testid=connection-mapped]").innerText(), "0");
      const unmatched = await page.locator("[data-testid=unmatched-item]").count();
      assert.ok(unmatched >= 1, "the shop's items are listed unmatched");
      assert.match(await page.locator("[data-testid=connection-webhook]").innerText(), /\/api\/v1\/connections\/con_[^/]+\/webhooks$/);
      await fits(page, width, "the sync page");

      // Linking the first unmatched item to one of ours.
      const item = page.locator("[data-testid=unmatched-item]").first();
      await item.locator("[data-testid=unmatched-sku]").fill(sku);
      await item.locator("[data-testid=unmatched-link]").click();
      await page.locator("[data-testid=connection-done]").waitFor();
      assert.equal(await page.locator("[data-testid=connection-mapped]").innerText(), "1");
      assert.equal(await page.locator("[data-testid=unmatched-item]").count(), unmatched - 1);
      await fits(page, width, "the sync page after a link");
      await page.screenshot({ path: artifact(`console-connections-sync-${width}.png`), fullPage: true });

      // Back on the list, the connection is there with its state in words.
      await page.locator("[data-testid=back-connections]").click();
      await page.waitForURL((url) => url.pathname === "/console/connections");
      const row = page.locator("[data-testid=connection-row]", { hasText: `Tienda web ${width}` });
      await row.waitFor();
      await fits(page, width, "the list with connections");
    });
  });
}
