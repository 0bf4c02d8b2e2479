// The till's selling details (issue 14 point 3) on a shop of the test's own (pos-lib.mjs plus
// a pizza with a required size and extras, and a coupon promotion good five times per
// customer), at 1280 px and 360 px: the pizza scanned opens the option picker (the size is
// required before "Listo"), Familiar + Extra queso price the unit at $13.980 in the browser, a
// note goes on the line; a coupon that does not exist and the real one without a customer are
// refused with the engine's reason in Spanish; a bad phone is refused with a clear message,
// the right one attaches the customer and the coupon applies (−10 %), the promotions panel
// still lists the one that does not apply and why; cash pays, and the total the till showed
// is the total the server recorded — with the options, the note, the customer and the coupon.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE, withPage, apiAt, artifact, waitUntil } from "./lib.mjs";
import { tillSuite, pageAt, text, noOverflow, startTill, openSession, scan, payCash, REFUSED } from "./pos-lib.mjs";

const PIZZA = { sku: "PIZ-CAJA", barcode: "7801234500097", price: 9990, name: "Pizza de la casa" };
const PROMOTION = "Cupón de la caja";
const COUPON = "CAJA10";

const suite = tillSuite(async (shop) => {
  const call = async (method, path, body) => {
    const answer = await apiAt(BASE, method, path, { body, token: shop.token });
    assert.ok(answer.status < 300, `${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const clp = (amount) => ({ amount, currency: "CLP" });
  await call("POST", "/products", {
    merchant_id: shop.merchant.id,
    name: PIZZA.name,
    track_stock: false,
    modifier_groups: [
      { name: "Tamaño", min: 1, max: 1, options: [{ name: "Mediana", price: clp(0) }, { name: "Familiar", price: clp(3000) }] },
      {
        name: "Agregados",
        min: 0,
        max: 2,
        options: [
          { name: "Extra queso", price: clp(990) },
          { name: "Aceitunas", price: clp(590) },
          { name: "Sin cebolla", price: clp(0) },
        ],
      },
    ],
    variants: [{ sku: PIZZA.sku, price: clp(PIZZA.price), barcode: PIZZA.barcode }],
  });
  const promotion = await call("POST", "/promotions", {
    merchant_id: shop.merchant.id,
    name: PROMOTION,
    requires_coupon: true,
    kind: { type: "percent_off_order", bps: 1000 },
  });
  await call("POST", `/promotions/${promotion.id}/coupons`, { code: COUPON, per_customer_limit: 5 });
});

async function applyCoupon(page, code) {
  await page.locator("[data-testid=pos-coupon]").fill(code);
  await page.locator("[data-testid=pos-coupon-apply]").click();
}

for (const width of [1280, 360]) {
  test(`at ${width} px: options, a note, a customer by phone and a coupon; the total is the server's`, async () => {
    await withPage(suite.browser, `pos-cart-${width}`, pageAt(width), async (page) => {
      const sent = [];
      page.on("request", (request) => {
        if (request.method() === "POST" && new URL(request.url()).pathname === "/api/v1/pos/sales") {
          sent.push(JSON.parse(request.postData() || "{}"));
        }
      });
      await startTill(page, suite.shop, `Caja opciones ${width}`);
      await openSession(page, "0");

      // The scanner adds the pizza: its options come first, the size is required.
      await scan(page, PIZZA.barcode);
      const dialog = page.locator("[data-testid=pos-options]");
      await dialog.waitFor();
      assert.equal(await page.locator("[data-testid=pos-options-ok]").isDisabled(), true, "no size chosen yet");
      assert.match(await text(page, "pos-options-error"), /^Falta elegir en «Tamaño»: al menos 1\.$/);
      const option = (name) => page.locator(`[data-testid=pos-option][data-option="${name}"]`);
      await option("Mediana").click();
      await option("Familiar").click();
      assert.equal(await option("Mediana").getAttribute("aria-pressed"), "false", "one size at a time");
      await option("Extra queso").click();
      assert.equal(await text(page, "pos-options-unit"), "Precio unitario: $13.980");
      await page.locator("[data-testid=pos-options-note]").fill("bien cocida");
      await page.screenshot({ path: artifact(`pos-cart-${width}-options.png`), fullPage: true });
      await noOverflow(page, width, "the picker");
      await page.locator("[data-testid=pos-options-ok]").click();
      await dialog.waitFor({ state: "hidden" });

      await waitUntil(page, "one cart line", () => document.querySelectorAll("[data-testid=pos-line]").length === 1);
      assert.equal(await text(page, "pos-line-details"), "Extra queso, Familiar · Nota: bien cocida");
      assert.equal(await text(page, "pos-total"), "$13.980");

      // Coupons: one that does not exist, then the real one, which is one per customer.
      await applyCoupon(page, "nope");
      const state = page.locator("[data-testid=pos-coupon-state]");
      assert.equal(await state.getAttribute("data-state"), "refused");
      assert.equal(await state.innerText(), "Cupón NOPE: no hay un cupón con ese código.");
      await applyCoupon(page, COUPON.toLowerCase());
      assert.equal(await state.getAttribute("data-state"), "refused");
      assert.equal(await state.innerText(), `Cupón ${COUPON}: es una por cliente; falta su correo o teléfono.`);
      assert.equal(await text(page, "pos-total"), "$13.980");

      // The customer, by phone: a bad one is refused in plain words.
      await page.locator("[data-testid=pos-customer-open]").click();
      await page.locator("[data-testid=pos-customer-contact]").fill("12-ab");
      await page.locator("[data-testid=pos-customer-save]").click();
      assert.match(await text(page, "pos-customer-error"), /^El teléfono debe tener entre 8 y 15 dígitos/);
      await page.locator("[data-testid=pos-customer-contact]").fill("ana@correo");
      await page.locator("[data-testid=pos-customer-save]").click();
      assert.match(await text(page, "pos-customer-error"), /^El correo no es válido/);
      await page.locator("[data-testid=pos-customer-contact]").fill("+56 9 1234 5678");
      await page.locator("[data-testid=pos-customer-name]").fill("Ana");
      await page.locator("[data-testid=pos-customer-save]").click();
      assert.equal(await text(page, "pos-customer-text"), "Ana · +56 9 1234 5678");

      // Now the coupon applies: 10 % of 13.980 off, and the panel still explains the other one.
      assert.equal(await state.getAttribute("data-state"), "applied");
      assert.equal(await state.innerText(), `Cupón ${COUPON} aplicado.`);
      assert.equal(await text(page, "pos-total"), "$12.582");
      const applied = await page.locator("[data-testid=pos-promo-applied]").allInnerTexts();
      assert.deepEqual(applied, [`${PROMOTION}: −$1.398`]);
      const refused = await page.locator("[data-testid=pos-promo-refused]").allInnerTexts();
      assert.ok(
        refused.some((line) => line.startsWith(`${REFUSED}: necesita una compra de al menos $100.000`)),
        `the big-purchase promotion is refused with its reason: ${refused}`,
      );
      await page.screenshot({ path: artifact(`pos-cart-${width}-cart.png`), fullPage: true });
      await noOverflow(page, width, "the cart");

      // Cash, and the receipt: the total on screen is the server's.
      await payCash(page, "20.000");
      assert.equal(await text(page, "pos-receipt-total"), "$12.582");
      assert.equal(await text(page, "pos-receipt-change"), "$7.418");
      assert.equal(await text(page, "pos-receipt-details"), "Extra queso, Familiar · Nota: bien cocida");
      assert.equal(await text(page, "pos-receipt-customer"), "Ana · +56 9 1234 5678");
      assert.equal(await text(page, "pos-receipt-coupon"), COUPON);
      await page.screenshot({ path: artifact(`pos-cart-${width}-receipt.png`), fullPage: true });

      assert.equal(sent.length, 1, "one sale sent");
      const body = sent[0];
      assert.deepEqual(body.lines, [
        {
          sku: PIZZA.sku,
          quantity: 1,
          options: [
            { group: "Agregados", option: "Extra queso" },
            { group: "Tamaño", option: "Familiar" },
          ],
          note: "bien cocida",
        },
      ]);
      assert.equal(body.coupon, COUPON);
      const { status, body: sale } = await apiAt(BASE, "GET", `/pos/sales/${body.id}`, { token: suite.shop.token });
      assert.equal(status, 200);
      assert.equal(sale.total.amount, 12582, "the server recorded the total the till showed");
      assert.equal(sale.lines[0].unit_price.amount, 13980);
      assert.deepEqual(
        sale.lines[0].options.map((o) => [o.option, o.price.amount]),
        [
          ["Extra queso", 990],
          ["Familiar", 3000],
        ],
      );
      assert.equal(sale.lines[0].note, "bien cocida");
      assert.deepEqual(sale.customer, { name: "Ana", phone: "+56 9 1234 5678", email: null });
      assert.equal(sale.coupons[0].applied, true);

      // The next sale starts with no customer and no coupon.
      await page.locator("[data-testid=pos-next-sale]").click();
      assert.equal(await page.locator("[data-testid=pos-customer]").isHidden(), true);
      assert.equal(await page.locator("[data-testid=pos-coupon]").inputValue(), "");
    });
  });
}
