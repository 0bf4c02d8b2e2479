// Till receipts (issue 14 point 5) at 1280 px and 360 px, on a shop of the test's own
// (pos-lib.mjs): a node TCP server on loopback plays the store's ESC/POS printer (the browser
// suite's server names 127.0.0.1 in OMNICANAL_OUTBOUND_ALLOWED_HOSTS); the manager sets it as
// the till's printer through the API; a cash sale prints by itself — the bytes arrive with
// ESC @, the receipt number, the total and the cut, and "Imprimir en el navegador" opens the
// server's 80 mm page of the sale. Then the printer is switched off (the
// listener closed) and the next sale shows at once that the printer does not respond, with
// the digital receipt: its QR on screen and the field to send the link (a phone becomes a
// WhatsApp/SMS link); the link's public page shows the receipt on a phone-sized screen.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { BASE, withPage, apiAt, artifact, waitUntil, layoutProblems } from "./lib.mjs";
import { tillSuite, pageAt, startTill, openSession, scan, payCash, waitForScreen, PEN } from "./pos-lib.mjs";

const suite = tillSuite();

/** A printer on loopback that keeps what each connection sent. */
async function fakePrinter() {
  const received = [];
  const server = net.createServer((socket) => {
    const chunks = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("end", () => received.push(Buffer.concat(chunks)));
    socket.on("error", () => {});
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: server.address().port, received, close: () => new Promise((resolve) => server.close(resolve)) };
}

const has = (bytes, needle) => bytes.indexOf(Buffer.isBuffer(needle) ? needle : Buffer.from(needle, "latin1")) >= 0;

for (const width of [1280, 360]) {
  test(`at ${width} px: the sale prints on the till's printer; with the printer off the digital receipt is offered at once`, async () => {
    const printer = await fakePrinter();
    await withPage(suite.browser, `pos-print-${width}`, pageAt(width), async (page) => {
      const { deviceId, series } = await startTill(page, suite.shop, `Caja impresora ${width}`);

      const { body: login } = await apiAt(BASE, "POST", "/auth/login", { body: suite.shop.manager });
      const { body: device } = await apiAt(BASE, "PUT", `/pos/devices/${deviceId}/printer`, {
        token: login.token,
        body: { printer: { host: "127.0.0.1", port: printer.port } },
      });
      assert.equal(device.printer.port, printer.port);
      const refused = await apiAt(BASE, "PUT", `/pos/devices/${deviceId}/printer`, {
        token: login.token,
        body: { printer: { host: "192.168.77.10" } },
        ok: (status) => status === 422,
      });
      assert.match(refused.body.errors[0].message, /OMNICANAL_OUTBOUND_ALLOWED_HOSTS/);

      await openSession(page, "5.000");
      await scan(page, PEN.barcode);
      await payCash(page, "1.000");
      const status = page.locator("[data-testid=pos-print-status]");
      await waitUntil(page, "the receipt printed", () => document.querySelector("[data-testid=pos-print-status]")?.dataset.state === "printed");
      assert.equal(await status.innerText(), "Ticket impreso.");
      assert.equal(printer.received.length, 1, "one connection to the printer");
      const bytes = printer.received[0];
      assert.ok(has(bytes, Buffer.from([0x1b, 0x40])), "ESC @ initialises the printer");
      assert.ok(has(bytes, `${series}-1`), "the receipt number is printed");
      assert.ok(has(bytes, "$590"), "the total is printed");
      assert.ok(has(bytes, Buffer.from([0x1d, 0x56, 0x01])), "the paper is cut");
      assert.equal(await page.locator("[data-testid=pos-digital]").isVisible(), false, "no digital receipt pushed when paper works");
      await page.screenshot({ path: artifact(`pos-print-${width}-printed.png`), fullPage: true });
      // "Imprimir en el navegador": the server's 80 mm page of this sale, in a window of its own.
      const [popup] = await Promise.all([page.waitForEvent("popup"), page.locator("[data-testid=pos-print]").click()]);
      await popup.waitForLoadState();
      const paper = await popup.locator("main").innerText();
      assert.ok(paper.includes(`${series}-1`) && paper.includes("TICKET DE VENTA"), paper);
      await popup.close();

      // The printer is switched off: nothing listens at its port any more.
      await printer.close();
      await page.locator("[data-testid=pos-next-sale]").click();
      await waitForScreen(page, "sell");
      await scan(page, PEN.barcode);
      await payCash(page, "590");
      await waitUntil(page, "the print failure", () => document.querySelector("[data-testid=pos-print-status]")?.dataset.state === "failed");
      assert.match(await status.innerText(), /^La impresora no responde: rechaza la conexión/);
      const qr = page.locator("[data-testid=pos-digital-qr]");
      await qr.waitFor({ state: "visible" });
      assert.match(await qr.getAttribute("src"), /^data:image\/svg\+xml/);
      assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), "the QR is drawn");
      const url = await page.locator("[data-testid=pos-digital-url]").getAttribute("href");
      assert.match(url, /\/r\/[A-Za-z0-9_-]{40,}$/);
      await page.locator("[data-testid=pos-send-to]").fill("+56 9 1111 2222");
      await page.locator("[data-testid=pos-send]").click();
      const whatsapp = page.locator("[data-testid=pos-send-whatsapp]");
      await whatsapp.waitFor({ state: "visible" });
      assert.match(await whatsapp.getAttribute("href"), /^https:\/\/wa\.me\/56911112222\?text=.*%2Fr%2F/);
      assert.equal(await page.locator("[data-testid=pos-send-mail]").isVisible(), false);
      await page.screenshot({ path: artifact(`pos-print-${width}-digital.png`), fullPage: true });
      const layout = await layoutProblems(page, width);
      assert.ok(layout.scrollWidth <= width && !layout.wide.length, `nothing past the edge: ${JSON.stringify(layout)}`);

      // The customer's phone opens the link.
      const receipt = await page.context().newPage();
      const response = await receipt.goto(url);
      assert.equal(response.status(), 200);
      const shown = await receipt.locator("main").innerText();
      assert.ok(shown.includes(`${series}-2`) && shown.includes("$590"), shown);
      const edge = await receipt.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(edge <= width, `the receipt page fits ${width} px (${edge})`);
      await receipt.screenshot({ path: artifact(`pos-print-${width}-link.png`), fullPage: true });
      await receipt.close();
    });
  });
}
