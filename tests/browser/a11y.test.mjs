// Accessibility basics: labelled inputs, named buttons (names as Chromium's accessibility tree
// computes them), and the add buttons reachable and usable from the keyboard.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  launch,
  withPage,
  openSite,
  orderableItems,
  addItems,
  goToCart,
  fillAndPlace,
  waitForOrderPage,
  waitUntil,
} from "./lib.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/**
 * Every element matching `selector`, with the accessible name and role Chromium computes for it
 * (CDP Accessibility domain). Elements the accessibility tree ignores (hidden) are left out.
 */
async function accessibleNames(page, selector) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send("DOM.getDocument", { depth: 0 });
    const { nodeIds } = await cdp.send("DOM.querySelectorAll", { nodeId: root.nodeId, selector });
    const out = [];
    for (const nodeId of nodeIds) {
      const { nodes } = await cdp.send("Accessibility.getPartialAXTree", { nodeId, fetchRelatives: false });
      const node = nodes[0];
      if (!node || node.ignored) continue;
      const { attributes } = await cdp.send("DOM.getAttributes", { nodeId });
      const attrs = {};
      for (let i = 0; i < attributes.length; i += 2) attrs[attributes[i]] = attributes[i + 1];
      const { node: described } = await cdp.send("DOM.describeNode", { nodeId });
      const what =
        described.localName +
        (attrs["data-testid"] ? `[data-testid=${attrs["data-testid"]}]` : "") +
        (attrs.id ? `#${attrs.id}` : "") +
        (attrs.name ? `[name=${attrs.name}]` : "") +
        (attrs.value && described.localName === "input" ? `[value=${attrs.value}]` : "");
      out.push({ what, role: node.role?.value, name: (node.name?.value || "").trim(), attrs });
    }
    return out;
  } finally {
    await cdp.detach();
  }
}

/** How an input is labelled in the DOM: label[for], aria-label(ledby) or a wrapping label. */
async function labelling(page) {
  return page.$$eval("input:not([type=hidden]), select, textarea", (els) =>
    els.map((el) => {
      const how = [];
      if (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)?.textContent.trim()) how.push("label[for]");
      if (el.getAttribute("aria-label")?.trim()) how.push("aria-label");
      if (el.getAttribute("aria-labelledby")) how.push("aria-labelledby");
      if (el.closest("label")?.textContent.trim()) how.push("wrapping label");
      const what = `${el.tagName.toLowerCase()}${el.dataset.testid ? `[data-testid=${el.dataset.testid}]` : ""}${el.id ? `#${el.id}` : ""}${el.name ? `[name=${el.name}]` : ""}${el.type === "radio" ? `[value=${el.value}]` : ""}`;
      return { what, how };
    }),
  );
}

function unnamed(list) {
  return list.filter((x) => !x.name).map((x) => `${x.what} (role ${x.role})`);
}

test("accessibility: labelled inputs and named buttons on the cart, site and order pages", async () => {
  await withPage(browser, "a11y-names", {}, async (page) => {
    await openSite(page);
    assert.deepEqual(unnamed(await accessibleNames(page, "button, a[href], input:not([type=hidden]), select")), [], "site page: controls without a name");

    const items = (await orderableItems(page)).slice(0, 2);
    await addItems(page, items, 2);
    await goToCart(page, 2);
    const labels = await labelling(page);
    assert.ok(labels.length >= 6, `the cart page has its inputs (${labels.length})`);
    const unlabelled = labels.filter((l) => !l.how.length).map((l) => l.what);
    assert.deepEqual(unlabelled, [], "cart page: inputs without label[for], aria-label or a wrapping label");
    const controls = await accessibleNames(page, "input:not([type=hidden]), select, textarea");
    assert.deepEqual(unnamed(controls), [], "cart page: inputs whose accessible name is empty");
    const buttons = await accessibleNames(page, "button");
    assert.ok(buttons.some((b) => b.attrs["data-testid"] === "place-order"), "place-order is in the accessibility tree");
    assert.ok(buttons.filter((b) => b.attrs["data-testid"] === "line-plus").length === 2, "line-plus per line");
    assert.ok(buttons.filter((b) => b.attrs["data-testid"] === "line-remove").length === 2, "line-remove per line");
    assert.deepEqual(unnamed(buttons), [], "cart page: buttons without a name");

    await fillAndPlace(page);
    await waitForOrderPage(page);
    assert.deepEqual(unnamed(await accessibleNames(page, "button, a[href]")), [], "order page: buttons and links without a name");
    const qr = await accessibleNames(page, "[data-testid=pickup-qr]");
    assert.deepEqual(unnamed(qr), [], "order page: pickup QR without a text alternative");
  });
});

test("accessibility: the add buttons are reachable with Tab and work with Enter", async () => {
  await withPage(browser, "a11y-keyboard", { hasTouch: false, isMobile: false }, async (page) => {
    await openSite(page);
    let found = null;
    for (let i = 0; i < 100 && !found; i++) {
      await page.keyboard.press("Tab");
      found = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el.dataset.testid !== "add" || el.disabled) return null;
        const item = el.closest("[data-testid=menu-item]");
        return { sku: item?.dataset.sku, locationId: item?.dataset.locationId };
      });
    }
    assert.ok(found, "an enabled add button is reached with Tab within 100 presses");
    await page.keyboard.press("Enter");
    await waitUntil(page, "cart-count 1 after Enter", () => document.querySelector("[data-testid=cart-count]")?.textContent.trim() === "1");
    // The next add button is reachable too, and Enter adds it.
    let next = null;
    for (let i = 0; i < 40 && !next; i++) {
      await page.keyboard.press("Tab");
      next = await page.evaluate(() => {
        const el = document.activeElement;
        return el && el.dataset.testid === "add" && !el.disabled ? el.closest("[data-testid=menu-item]")?.dataset.sku : null;
      });
    }
    assert.ok(next, "a further add button is reached with Tab");
    await page.keyboard.press("Enter");
    await waitUntil(page, "cart-count 2 after Enter", () => document.querySelector("[data-testid=cart-count]")?.textContent.trim() === "2");
  });
});
