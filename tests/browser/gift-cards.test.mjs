// Gift cards in every channel (issue 17 point 8): the test's own shop (pos-lib.mjs). The
// manager issues a $5.000 card on the console's "Tarjetas de regalo y saldo" page (the code is
// shown once and the list shows the card by its last four characters); at 360 px a customer
// puts a notebook in the web shop's cart, checks the card's balance and pays the order with it
// (the card covers it all); then at the till, a sale of a notebook and a pen is paid $1.000 in
// cash and the rest with the same card, its balance looked up and applied up to what is due.
// The card's balance after each step is read through the public balance API.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, CARD_OK, launch, withPage, consoleSignIn, apiAt, artifact, overflow, waitUntil } from "./lib.mjs";
import { makeShop, openSession, scan, startTill, waitForScreen, NOTEBOOK, PEN } from "./pos-lib.mjs";

let browser;
let shop;
before(async () => {
  browser = await launch();
  shop = await makeShop(BASE);
});
after(async () => {
  await browser?.close();
});

const balance = async (code) => {
  const query = new URLSearchParams({ merchant_id: shop.merchant.id, code });
  return (await apiAt(BASE, "GET", `/gift-cards/balance?${query}`)).body.balance.amount;
};

test("a gift card issued on the console pays a web shop order at 360 px and the rest of a till sale", async () => {
  // 1. The console issues the card.
  let code;
  await withPage(browser, "gift-cards-console", { viewport: { width: 1280, height: 800 } }, async (page) => {
    await consoleSignIn(page, shop.manager.email, { password: shop.manager.password });
    await page.goto(`${BASE}/console/credit`);
    await page.locator("[data-testid=credit-cards-empty]").waitFor();
    await page.locator("[data-testid=credit-issue-amount]").fill("5.000");
    await page.locator("[data-testid=credit-issue-submit]").click();
    code = await page.locator("[data-testid=credit-issued-code]").inputValue();
    assert.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/, code);
    const row = page.locator("[data-testid=credit-card-row]");
    assert.equal(await row.count(), 1);
    assert.equal(await row.getAttribute("data-last4"), code.slice(-4));
    assert.equal((await page.locator("[data-testid=credit-card-balance]").innerText()).trim(), "$5.000");
    await page.screenshot({ path: artifact("gift-cards-console.png"), fullPage: true });
    // Reloading the list never shows the code again.
    await page.goto(`${BASE}/console/credit`);
    assert.equal(await page.locator("[data-testid=credit-issued-code]").count(), 0);
    assert.ok(!(await page.content()).includes(code.slice(0, 9)), "the code is not on the page any more");
  });
  assert.equal(await balance(code), 5000);

  // 2. The web shop at 360 px: a notebook ($2.691 with its promotion), paid with the card.
  const viewport = { width: 360, height: 740 };
  await withPage(browser, "gift-cards-shop", { viewport, isMobile: true }, async (page) => {
    await page.goto(`${BASE}/shop/${shop.merchant.id}`);
    await page.evaluate(
      ([key, sku, name]) => localStorage.setItem(key, JSON.stringify([{ sku, name, detail: "", price: 2691, quantity: 1 }])),
      [`omnicanal.shop.${shop.merchant.id}`, NOTEBOOK.sku, NOTEBOOK.name],
    );
    await page.goto(`${BASE}/shop/${shop.merchant.id}/cart`);
    await waitUntil(page, "the pickup stores", () => document.querySelectorAll("#pickup-store option").length > 0);
    await waitUntil(page, "the engine's total", () => document.getElementById("cart-total")?.textContent === "$2.691");
    await page.locator("[data-testid=customer-name]").fill("Camila Rojas");
    await page.locator("[data-testid=card-number]").fill(CARD_OK);
    await page.locator("[data-testid=gift-card-code]").fill(code.toLowerCase());
    await page.locator("[data-testid=gift-card-check]").click();
    const said = page.locator("[data-testid=gift-card-balance]");
    await said.waitFor();
    assert.match(await said.innerText(), /\$5\.000/);
    const wide = await overflow(page, viewport.width);
    assert.ok(wide.scrollWidth <= viewport.width, `cart sticks out: ${wide.wide.join(", ")}`);
    await page.screenshot({ path: artifact("gift-cards-shop-360.png"), fullPage: true });
    await page.locator("[data-testid=place-order]").click();
    await page.waitForURL(/\/orders\/.+token=/);
  });
  const left = await balance(code);
  assert.equal(left, 5000 - 2691, "the card paid the whole order");

  // 3. The till: notebook + pen = $3.281; $1.000 in cash, the rest ($2.281) with the card.
  await withPage(browser, "gift-cards-till", { viewport: { width: 1280, height: 800 }, hasTouch: true }, async (page) => {
    await startTill(page, shop, "Caja regalo");
    await openSession(page, "0");
    await scan(page, NOTEBOOK.barcode);
    await scan(page, PEN.barcode);
    await page.locator("[data-testid=pos-pay]").click();
    await waitForScreen(page, "pay");
    await page.locator("[data-testid=pos-method-cash]").click();
    await page.locator("[data-testid=pos-tender-amount]").fill("1000");
    await page.locator("[data-testid=pos-add-tender]").click();
    await page.locator("[data-testid=pos-method-gift-card]").click();
    await page.locator("[data-testid=pos-tender-credit]").fill(code);
    await page.locator("[data-testid=pos-credit-check]").click();
    const shown = page.locator("[data-testid=pos-credit-balance]");
    await shown.waitFor();
    assert.match(await shown.innerText(), /\$2\.309/);
    assert.equal(await page.locator("[data-testid=pos-tender-amount]").inputValue(), "2281", "applied up to what is due");
    await page.locator("[data-testid=pos-add-tender]").click();
    assert.equal((await page.locator("[data-testid=pos-pay-remaining]").innerText()).trim(), "$0");
    await page.screenshot({ path: artifact("gift-cards-till.png"), fullPage: true });
    await page.locator("[data-testid=pos-confirm]").click();
    await waitForScreen(page, "receipt", 15_000);
  });
  assert.equal(await balance(code), 5000 - 2691 - 2281);
});
