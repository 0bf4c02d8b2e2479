// "Avísame en este teléfono" (issue #13, point 6) never claims success it did not get: with
// notifications denied for the site, or in a browser without Web Push, the order page says what
// to do instead (allow them in the settings, or keep the page open), in the catalog's words;
// with permission granted it subscribes and says so.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import {
  BASE,
  launch,
  withPage,
  orderFromRestaurants,
  catalog,
  shownProblemTexts,
  textsNotInCatalog,
  menuNames,
  artifact,
} from "./lib.mjs";

let browser;
let order;
before(async () => {
  browser = await launch();
  // One order for every case: its page is what each context opens.
  await withPage(browser, "push-order", {}, async (page) => {
    order = await orderFromRestaurants(page, 1);
    order.url = page.url();
  });
});
after(async () => {
  await browser?.close();
});

/** Clicks the button and returns the push-state's {state, text} once it says something. */
async function clickAndRead(page) {
  await page.locator("button[data-testid=enable-push]").click();
  const state = page.locator("#push-state");
  await page.waitForFunction(() => document.querySelector("#push-state")?.textContent.trim(), null, { timeout: 10_000 });
  return { state: await state.getAttribute("data-state"), text: (await state.innerText()).trim() };
}

/** The page did not claim success: the button stays and the text is not "we will notify you". */
async function assertNoSuccessClaimed(page, text, lang) {
  assert.notEqual(text, catalog(lang)["order.push_enabled"], "never claims success");
  assert.ok(await page.locator("button[data-testid=enable-push]").isVisible(), "the button stays");
}

for (const lang of ["es", "en"]) {
  const texts = catalog(lang);

  test(`${lang}: notifications denied for the site: no success claimed, says to allow them or keep the page open`, async () => {
    await withPage(browser, `push-denied-${lang}`, {}, async (page, context) => {
      // Playwright grants or leaves permissions at "ask"; denying takes the browser's protocol.
      const cdp = await context.newCDPSession(page);
      const { targetInfo } = await cdp.send("Target.getTargetInfo");
      await cdp.send("Browser.setPermission", {
        permission: { name: "notifications" },
        setting: "denied",
        origin: BASE,
        browserContextId: targetInfo.browserContextId,
      });
      await page.goto(`${order.url}&lang=${lang}`);
      assert.equal(await page.evaluate(() => Notification.permission), "denied");
      const { state, text } = await clickAndRead(page);
      await assertNoSuccessClaimed(page, text, lang);
      assert.equal(text, texts["order.push_denied"]);
      assert.equal(state, "denied");
      assert.deepEqual(textsNotInCatalog(await shownProblemTexts(page), lang, await menuNames()), []);
      await page.screenshot({ path: artifact(`push-denied-${lang}.png`) });
    });
  });

  test(`${lang}: a browser without Web Push: no success claimed, says to keep the page open`, async () => {
    await withPage(browser, `push-unsupported-${lang}`, {}, async (page, context) => {
      await context.addInitScript(() => {
        delete window.PushManager;
        delete window.Notification;
      });
      await page.goto(`${order.url}&lang=${lang}`);
      assert.equal(await page.evaluate(() => "PushManager" in window || "Notification" in window), false);
      const { state, text } = await clickAndRead(page);
      await assertNoSuccessClaimed(page, text, lang);
      assert.equal(text, texts["order.push_unavailable"]);
      assert.equal(state, "unsupported");
      assert.deepEqual(textsNotInCatalog(await shownProblemTexts(page), lang, await menuNames()), []);
    });
  });
}

test("an iPhone's Safari outside a home-screen app is told to add the page to the home screen", async () => {
  const iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
  await withPage(browser, "push-ios", { userAgent: iphone }, async (page, context) => {
    await context.addInitScript(() => {
      delete window.PushManager;
    });
    await page.goto(order.url);
    const { state, text } = await clickAndRead(page);
    await assertNoSuccessClaimed(page, text, "es");
    assert.equal(text, catalog("es")["order.push_ios"]);
    assert.equal(state, "unsupported");
  });
});

/** Replaces the browser's push service (headless Chromium has none) with one that answers
 * `subscription` — or fails when it is null. */
function fakePushService(context, subscription) {
  return context.addInitScript((subscription) => {
    PushManager.prototype.getSubscription = async () => null;
    PushManager.prototype.subscribe = async function (options) {
      if (!subscription) throw new DOMException("Registration failed - push service error", "AbortError");
      return { endpoint: subscription.endpoint, options, toJSON: () => ({ ...subscription }), unsubscribe: async () => true };
    };
  }, subscription);
}

test("notifications granted: success is said once the subscription is stored on the order", async () => {
  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const p256dh = publicKey.export({ format: "jwk" });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(p256dh.x, "base64url"), Buffer.from(p256dh.y, "base64url")]);
  const subscription = {
    endpoint: `http://127.0.0.1:9/push/${randomUUID()}`,
    expirationTime: null,
    keys: { p256dh: point.toString("base64url"), auth: randomBytes(16).toString("base64url") },
  };
  await withPage(browser, "push-granted", { permissions: ["notifications"] }, async (page, context) => {
    await fakePushService(context, subscription);
    const stored = page.waitForResponse((r) => r.url().includes("/push-subscriptions") && r.request().method() === "POST");
    await page.goto(order.url);
    const { state, text } = await clickAndRead(page);
    assert.ok((await stored).ok(), "the server stored the subscription");
    assert.equal(state, "enabled");
    assert.equal(text, catalog("es")["order.push_enabled"]);
    assert.equal(await page.locator("button[data-testid=enable-push]").isVisible(), false);
  });
});

test("notifications granted but the push service fails: no success claimed", async () => {
  await withPage(browser, "push-failed", { permissions: ["notifications"] }, async (page, context) => {
    await fakePushService(context, null);
    await page.goto(order.url);
    const { state, text } = await clickAndRead(page);
    await assertNoSuccessClaimed(page, text, "es");
    assert.equal(text, catalog("es")["order.push_failed"]);
    assert.equal(state, "failed");
  });
});
