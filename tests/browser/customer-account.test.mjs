// Customer accounts (issue 17 point 3) at 360 px and 1280 px, on a server of the test's own
// whose notification gateway is a node HTTP receiver here on loopback: a retail shop of its own
// (pos-lib.mjs's makeShop) gets a web order and a till sale made with the same e-mail, typed
// differently; the customer registers on /account (Spanish), opens the confirming link the
// gateway received, and sees both purchases with their lines and receipts; signs out; then
// asks for a sign-in link and opens it, and is back in with the same history. One pen of the
// till sale was returned and the shop granted store credit: each line says what can still be
// returned (or why not: the web order is not handed over yet), the sale shows its credit note,
// and the account shows the credit balance with its ledger.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { randomUUID } from "node:crypto";
import { ownServer, launch, withPage, apiAt, artifact, waitUntil, layoutProblems, CARD_OK } from "./lib.mjs";
import { makeShop, NOTEBOOK, PEN, pageAt } from "./pos-lib.mjs";

/** The notification gateway: keeps each JSON body posted to it. */
async function gateway() {
  const received = [];
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      try {
        received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        /* not ours */
      }
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}/notify`, received, close: () => new Promise((r) => server.close(r)) };
}

/** The link of the `n`th sign-in message the gateway got for `email`. */
async function nthLink(hook, email, n) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const links = hook.received.filter((m) => m.data?.kind === "customer_sign_in_link" && m.data.email === email);
    if (links.length >= n) return links[n - 1].data.body.match(/(http\S+#link=[A-Za-z0-9_-]+)/)[1];
    if (Date.now() > deadline) throw new Error(`no sign-in link #${n} for ${email}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let hook;
let server;
let browser;
let shop;

before(async () => {
  hook = await gateway();
  server = await ownServer("customer-account", {
    env: {
      OMNICANAL_NOTIFY_WEBHOOK_URL: hook.url,
      OMNICANAL_NOTIFY_WEBHOOK_SECRET: `whsec_${Buffer.from(randomUUID()).toString("base64")}`,
      OMNICANAL_OUTBOUND_ALLOWED_HOSTS: "127.0.0.1,localhost",
      NO_PROXY: "127.0.0.1,localhost",
      no_proxy: "127.0.0.1,localhost",
    },
  });
  shop = await makeShop(server.base);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.remove();
  await hook?.close();
});

/** A web order of a notebook and a till sale of a pen, both with `email` (typed differently). */
async function pastPurchases(email) {
  const base = server.base;
  const order = await apiAt(base, "POST", "/orders", {
    body: {
      site_id: shop.site.id,
      channel: "web",
      customer: { name: "Ana", email: email.toUpperCase() },
      lines: [{ sku: NOTEBOOK.sku, location_id: shop.location.id, quantity: 1 }],
      payment: { method: "card", card_number: CARD_OK },
    },
  });
  const manager = (await apiAt(base, "POST", "/auth/login", { body: shop.manager })).body.token;
  const staff = (await apiAt(base, "POST", "/auth/login", { body: shop.staff })).body.token;
  const device = (await apiAt(base, "POST", "/pos/devices", { token: manager, body: { location_id: shop.location.id, name: `Caja ${randomUUID().slice(0, 6)}` } })).body;
  const session = (await apiAt(base, "POST", "/pos/sessions", { token: staff, body: { device_id: device.id, opening_float: { amount: 0, currency: "CLP" } } })).body;
  const sale = await apiAt(base, "POST", "/pos/sales", {
    token: staff,
    body: {
      id: `acct-${randomUUID()}`,
      session_id: session.id,
      receipt_number: `${device.receipt_series}-1`,
      sold_at: new Date().toISOString(),
      customer: { email: ` ${email} ` },
      lines: [{ sku: PEN.sku, quantity: 2 }],
      payments: [{ method: "cash", amount: { amount: PEN.price * 2, currency: "CLP" }, tendered: { amount: 2000, currency: "CLP" } }],
    },
  });
  // One pen back in cash, and store credit granted to the same e-mail.
  const back = await apiAt(base, "POST", "/returns", {
    token: staff,
    body: { sale_id: sale.body.id, location_id: shop.location.id, device_id: device.id, lines: [{ sku: PEN.sku, quantity: 1, restock: true }], refund_to: "original", reason: "no escribe" },
  });
  assert.equal(back.status, 201, JSON.stringify(back.body));
  const credit = await apiAt(base, "POST", "/store-credit", {
    token: manager,
    body: { merchant_id: shop.merchant.id, customer: email, amount: { amount: 1500, currency: "CLP" }, reason: "Compensación por demora" },
  });
  assert.equal(credit.status, 201, JSON.stringify(credit.body));
  return { order: order.body, sale: sale.body };
}

/** Every word whole and nothing past the right edge. */
function assertFits(problems, width, what) {
  assert.deepEqual(problems.broken, [], `${what}: words broken`);
  assert.deepEqual(problems.wide, [], `${what}: past the edge`);
  assert.ok(problems.scrollWidth <= width, `${what}: ${problems.scrollWidth} px wide`);
}

const shown = (page, testid) => page.locator(`[data-testid=${testid}]`);

for (const width of [360, 1280]) {
  test(`at ${width} px: register, see a web order and a till sale with the same e-mail, sign out, sign in by link`, async () => {
    const email = `ana.${width}.${randomUUID().slice(0, 6)}@ejemplo.cl`;
    const { order, sale } = await pastPurchases(email);
    await withPage(browser, `customer-account-${width}`, pageAt(width), async (page) => {
      await page.goto(`${server.base}/account`);
      await waitUntil(page, "the signed-out forms", () => !document.querySelector("[data-testid=signed-out]").hidden);
      assert.equal(await page.locator("html").getAttribute("lang"), "es");
      await shown(page, "register-name").fill("Ana");
      await shown(page, "register-email").fill(email);
      await shown(page, "register-password").fill("una clave bien larga");
      await shown(page, "register-send").click();
      await waitUntil(page, "the registration's answer", () => /enlace/.test(document.querySelector("[data-testid=account-status]").textContent));
      assertFits(await layoutProblems(page, width), width, "the forms");

      await page.goto(await nthLink(hook, email, 1));
      await waitUntil(page, "the history", () => document.querySelectorAll("[data-testid=purchase]").length === 2);
      assert.equal(await shown(page, "account-name").innerText(), "Hola, Ana");
      const kinds = await shown(page, "purchase").evaluateAll((cards) => cards.map((c) => `${c.dataset.kind}:${c.dataset.id}`));
      assert.deepEqual(kinds, [`sale:${sale.id}`, `order:${order.id}`], "newest first: the till sale, then the web order");
      const lines = await shown(page, "purchase-line").allInnerTexts();
      assert.ok(lines[0].startsWith(`2 × ${PEN.name}`), lines[0]);
      assert.ok(lines[1].startsWith(`1 × ${NOTEBOOK.name}`), lines[1]);
      const returnable = await shown(page, "line-returnable").allInnerTexts();
      assert.deepEqual(returnable, ["Puedes devolver 1 · devuelto 1", "Aún no entregado"], "what can still come back, or why not");
      assert.match(await shown(page, "purchase-return").innerText(), /^Nota de crédito NC-\d+ · /);
      await waitUntil(page, "the store credit", () => document.querySelectorAll("[data-testid=credit-balance]").length === 1);
      assert.match(await shown(page, "credit-amount").innerText(), /1\.500/);
      assert.equal(await shown(page, "credit-expiry").innerText(), "No vence");
      assert.match(await shown(page, "credit-entry").innerText(), /Compensación por demora/);
      assert.ok(!page.url().includes("#link="), "the link's token leaves the address bar");
      assertFits(await layoutProblems(page, width), width, "the history");
      await page.screenshot({ path: artifact(`customer-account-${width}.png`), fullPage: true });

      // The till sale's receipt opens from the history (the session's cookie).
      const receipt = await page.context().request.get(`${server.base}${await shown(page, "purchase-receipt").first().getAttribute("href")}`);
      assert.equal(receipt.status(), 200);
      assert.match(await receipt.text(), new RegExp(sale.receipt_number));

      await shown(page, "sign-out").click();
      await waitUntil(page, "signed out", () => !document.querySelector("[data-testid=signed-out]").hidden);
      assert.equal(await shown(page, "purchase").count(), 0);

      await shown(page, "link-email").fill(email);
      await shown(page, "link-send").click();
      await waitUntil(page, "the link's answer", () => /enlace/.test(document.querySelector("[data-testid=account-status]").textContent));
      await page.goto(await nthLink(hook, email, 2));
      await waitUntil(page, "back in, with the history", () => document.querySelectorAll("[data-testid=purchase]").length === 2);
    });
  });
}
