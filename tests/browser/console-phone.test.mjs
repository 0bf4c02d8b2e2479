// Phone orders in the console (issue 14, point 8), at 360 px and 1280 px: the staff of Pizzería
// Napoli (which takes payment at pickup) sign in, open "Pedido telefónico", take a pizza with a
// size option and a note for a customer with a phone, paid at pickup, and see it on the kitchen
// display with the phone tag. An empty phone is refused on the form before anything is sent.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, withPage, waitUntil, staffEmail, staffLocation, consoleSignIn, artifact, overflow, clearQueue, BASE } from "./lib.mjs";

const KITCHEN = "napoli";
const PIZZA = "NAP-MARG"; // Tamaño (one of Mediana, Familiar), Agregados (up to two)

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await clearQueue(KITCHEN).catch(() => {});
});

for (const width of [360, 1280]) {
  test(`a phone order paid at pickup reaches the display with the phone tag (${width} px)`, async () => {
    const viewport = { width, height: width < 600 ? 780 : 900 };
    await withPage(browser, `console-phone-${width}`, { viewport, isMobile: width < 600 }, async (page) => {
      const locationId = await staffLocation(KITCHEN);
      await consoleSignIn(page, staffEmail(KITCHEN));
      await page.locator("[data-testid=nav-phone]").first().click();
      await page.waitForURL((url) => url.pathname === `/console/locations/${locationId}/phone`);
      const row = page.locator(`[data-testid=phone-product][data-sku="${PIZZA}"]`);
      await row.waitFor();

      // Nothing sent without a phone: the field says so.
      await row.locator("[data-testid=phone-add]").click();
      await page.locator("[data-testid=phone-editor] [data-testid=phone-option][value='Familiar']").check();
      await page.locator("[data-testid=phone-editor] [data-testid=phone-note]").fill("bien cocida");
      await page.locator("[data-testid=phone-add-line]").click();
      const line = page.locator("[data-testid=phone-line]");
      await line.waitFor();
      const lineText = await line.innerText();
      for (const wanted of ["Familiar", "bien cocida"]) assert.ok(lineText.includes(wanted), `the line shows ${wanted}: ${lineText}`);
      await page.locator("[data-testid=phone-name]").fill(`Teresa ${width}`);
      await page.locator("[data-testid=phone-submit]").click();
      assert.ok(await page.locator("[data-testid=phone-error]").isVisible(), "an empty phone is marked");

      await page.locator("[data-testid=phone-phone]").fill("+56 9 8765 4321");
      assert.ok(await page.locator("[data-testid=pay-at-pickup]").isChecked(), "pay at pickup is preselected where allowed");
      const { scrollWidth } = await overflow(page, width);
      assert.ok(scrollWidth <= width, `no sideways scroll at ${width} px: ${scrollWidth}`);
      await page.screenshot({ path: artifact(`console-phone-form-${width}.png`), fullPage: true });
      await page.locator("[data-testid=phone-submit]").click();
      const done = page.locator("[data-testid=phone-done]");
      await done.waitFor({ state: "visible" });
      const number = (await done.innerText()).match(/(\d+)/)?.[1];
      assert.ok(number, `the order number is shown: ${await done.innerText()}`);

      await page.goto(`${BASE}/console/locations/${locationId}`);
      const card = page.locator(`[data-testid=order-card][data-order-number="${number}"]`);
      await card.waitFor();
      const channel = card.locator("[data-testid=card-channel]");
      assert.equal(await channel.getAttribute("data-channel"), "phone");
      assert.equal((await channel.innerText()).trim(), "Teléfono");
      const text = await card.innerText();
      for (const wanted of [`Teresa ${width}`, "Familiar", "bien cocida"]) {
        assert.ok(text.includes(wanted), `the card shows ${wanted}: ${JSON.stringify(text)}`);
      }
      await waitUntil(page, "the card is laid out", () => true);
      await page.screenshot({ path: artifact(`console-phone-display-${width}.png`) });
    });
  });
}

// Delivery (issue 14 point 8): the clerk chooses "Despacho a domicilio", the address fields
// appear; a missing street and commune are marked on the form before anything is sent; with the
// address the order is placed, and the kitchen display's card shows the customer's phone (a link
// to call back) and where it goes.
for (const width of [360, 1280]) {
  test(`a phone order for delivery shows its phone and address on the display (${width} px)`, async () => {
    const viewport = { width, height: width < 600 ? 780 : 900 };
    await withPage(browser, `console-phone-delivery-${width}`, { viewport, isMobile: width < 600 }, async (page) => {
      const locationId = await staffLocation(KITCHEN);
      await consoleSignIn(page, staffEmail(KITCHEN));
      await page.goto(`${BASE}/console/locations/${locationId}/phone`);
      const row = page.locator(`[data-testid=phone-product][data-sku="${PIZZA}"]`);
      await row.waitFor();
      await row.locator("[data-testid=phone-add]").click();
      await page.locator("[data-testid=phone-editor] [data-testid=phone-option][value='Mediana']").check();
      await page.locator("[data-testid=phone-add-line]").click();
      await page.locator("[data-testid=phone-line]").waitFor();
      await page.locator("[data-testid=phone-name]").fill(`Despacho ${width}`);
      await page.locator("[data-testid=phone-phone]").fill("+56 9 2222 3333");

      assert.ok(await page.locator("[data-testid=delivery-fields]").isHidden(), "a pickup asks for no address");
      await page.locator("[data-testid=fulfilment-delivery]").check();
      await page.locator("[data-testid=delivery-fields]").waitFor({ state: "visible" });
      await page.locator("[data-testid=delivery-number]").fill("1234");
      await page.locator("[data-testid=phone-submit]").click();
      assert.ok(await page.locator("[data-testid=street-error]").isVisible(), "a missing street is marked");
      assert.ok(await page.locator("[data-testid=district-error]").isVisible(), "a missing commune is marked");
      assert.ok(await page.locator("[data-testid=phone-done]").isHidden(), "nothing was placed");

      await page.locator("[data-testid=delivery-street]").fill("Av. Providencia");
      await page.locator("[data-testid=delivery-district]").fill("Providencia");
      await page.locator("[data-testid=delivery-reference]").fill("portón verde");
      const { scrollWidth } = await overflow(page, width);
      assert.ok(scrollWidth <= width, `no sideways scroll at ${width} px: ${scrollWidth}`);
      await page.screenshot({ path: artifact(`console-phone-delivery-form-${width}.png`), fullPage: true });
      await page.locator("[data-testid=phone-submit]").click();
      const done = page.locator("[data-testid=phone-done]");
      await done.waitFor({ state: "visible" });
      const number = (await done.innerText()).match(/(\d+)/)?.[1];
      assert.ok(number, `the order number is shown: ${await done.innerText()}`);

      await page.goto(`${BASE}/console/locations/${locationId}`);
      const card = page.locator(`[data-testid=order-card][data-order-number="${number}"]`);
      await card.waitFor();
      assert.equal((await card.locator("[data-testid=card-delivery]").innerText()).trim(), "Despacho");
      const phone = card.locator("[data-testid=card-phone]");
      assert.equal((await phone.innerText()).trim(), "Tel. +56 9 2222 3333");
      assert.equal(await phone.getAttribute("href"), "tel:+56922223333");
      assert.equal(
        (await card.locator("[data-testid=card-address]").innerText()).trim(),
        "Despachar a: Av. Providencia 1234, Providencia (portón verde)",
      );
      const { scrollWidth: displayWidth } = await overflow(page, width);
      assert.ok(displayWidth <= width, `the display has no sideways scroll at ${width} px: ${displayWidth}`);
      await page.screenshot({ path: artifact(`console-phone-delivery-display-${width}.png`) });
    });
  });
}
