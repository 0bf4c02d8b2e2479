// Issue 19's journey in Chromium: a customer books a table at 360 px on the food court's
// /s/{site}/reservar, taps "Recordarme", and the reminder reaches her phone — the server's
// booking-reminder worker encrypts it (RFC 8291) and posts it to a push receiver this test runs
// on loopback, where the test decrypts it with the browser's keys and reads the Spanish text —
// and the restaurant's staff see the booking on their schedule in the console.
//
// Headless Chromium has no push service, so the page's PushManager answers a subscription
// whose endpoint is the local receiver (as push.test.mjs does); everything after that — the
// subscription stored on the booking, the worker's claim, VAPID and the encryption — is real.
// The first free time today is within the last reminder (2 h), so it is due at once.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { createECDH, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { BASE, SITE, PHONE, SLUGS, PASSWORD, launch, withPage, apiAt, consoleSignIn, staffEmail, artifact } from "./lib.mjs";

let browser;
let receiver;
const pushes = [];

before(async () => {
  browser = await launch();
  receiver = http.createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      pushes.push({ path: request.url, headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(201).end();
    });
  });
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
});
after(async () => {
  await browser?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

/** The browser's side of RFC 8291: decrypts one aes128gcm push body with its keys. */
function decrypt(body, browserKeys, authSecret) {
  const salt = body.subarray(0, 16);
  const idLength = body[20];
  const serverKey = body.subarray(21, 21 + idLength);
  const record = body.subarray(21 + idLength);
  const shared = browserKeys.computeSecret(serverKey);
  const info = Buffer.concat([Buffer.from("WebPush: info\0"), browserKeys.getPublicKey(), serverKey]);
  const ikm = Buffer.from(hkdfSync("sha256", shared, authSecret, info, 32));
  const key = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
  const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
  const decipher = createDecipheriv("aes-128-gcm", key, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  return padded.subarray(0, padded.lastIndexOf(2)).toString("utf8");
}

test("360 px: a table booked, its reminder pushed to the phone, and the booking on the staff's schedule", async () => {
  const browserKeys = createECDH("prime256v1");
  browserKeys.generateKeys();
  const authSecret = randomBytes(16);
  const endpoint = `http://127.0.0.1:${receiver.address().port}/push/${randomBytes(8).toString("hex")}`;
  const subscription = {
    endpoint,
    expirationTime: null,
    keys: { p256dh: browserKeys.getPublicKey().toString("base64url"), auth: authSecret.toString("base64url") },
  };
  const narrow = { ...PHONE, viewport: { width: 360, height: 740 }, permissions: ["notifications"] };
  let booking;
  await withPage(browser, "bookings-reminder", narrow, async (page, context) => {
    await context.addInitScript((subscription) => {
      PushManager.prototype.getSubscription = async () => null;
      PushManager.prototype.subscribe = async function (options) {
        return { endpoint: subscription.endpoint, options, toJSON: () => ({ ...subscription }), unsubscribe: async () => true };
      };
    }, subscription);
    await page.goto(`${BASE}/s/${SITE}/reservar`);
    await page.locator("[data-testid=bk-party]").selectOption("2");
    const today = await page.evaluate(() => JSON.parse(document.getElementById("page-data").textContent).today);
    await page.locator("[data-testid=bk-date]").fill(today);
    const first = page.locator("[data-testid=bk-slot]").first();
    await first.waitFor();
    await first.click();
    await page.locator("[data-testid=bk-name]").fill("Renata Reyes");
    await page.locator("[data-testid=bk-phone]").fill("+56 9 8765 4321");
    const made = page.waitForResponse((r) => r.url().endsWith("/api/v1/bookings") && r.request().method() === "POST");
    await page.locator("[data-testid=bk-confirm]").click();
    booking = await (await made).json();
    await page.locator("[data-testid=bk-done]").waitFor({ state: "visible" });

    const stored = page.waitForResponse((r) => r.url().includes("/push-subscriptions") && r.request().method() === "POST");
    await page.locator("[data-testid=bk-remind]").click();
    assert.equal((await stored).status(), 201, "the subscription is stored on the booking");
    await page.locator("[data-testid=bk-remind-state][data-state=enabled]").waitFor();
    await page.screenshot({ path: artifact("bookings-reminder-360.png"), fullPage: true });
  });

  // The worker looks every second (run.sh); the reminder is due at once.
  const deadline = Date.now() + 30_000;
  while (!pushes.some((push) => endpoint.endsWith(push.path)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const push = pushes.find((push) => endpoint.endsWith(push.path));
  assert.ok(push, `a reminder reached the push receiver within 30 s (${pushes.length} pushes seen)`);
  assert.equal(push.headers["content-encoding"], "aes128gcm");
  assert.match(push.headers.authorization || "", /^vapid t=/, "signed with the server's VAPID key");
  const message = JSON.parse(decrypt(push.body, browserKeys, authSecret));
  assert.equal(message.kind, "booking_reminder");
  assert.equal(message.booking_id, booking.id);
  assert.match(message.body, /^Recordatorio: tu reserva en .+ es hoy a las \d{1,2}:\d{2} \(mesa para 2\)/, message.body);

  // The restaurant's staff see it on their schedule.
  let slug;
  for (const candidate of SLUGS) {
    const login = await apiAt(BASE, "POST", "/auth/login", { body: { email: staffEmail(candidate), password: PASSWORD } });
    if (login.body?.user?.location_id === booking.location_id) slug = candidate;
  }
  assert.ok(slug, "the booked restaurant is one of the demo's");
  await withPage(browser, "bookings-reminder-staff", { viewport: { width: 1280, height: 900 } }, async (page) => {
    await consoleSignIn(page, staffEmail(slug));
    await page.goto(`${BASE}/console/bookings`);
    const block = page.locator(`[data-testid=booking-block][data-id="${booking.id}"]`);
    await block.waitFor();
    assert.ok((await block.innerText()).includes("Renata Reyes"), "the block names the guest");
    await page.screenshot({ path: artifact("bookings-reminder-staff.png"), fullPage: true });
  });
});
