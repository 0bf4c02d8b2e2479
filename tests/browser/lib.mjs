// Shared by the browser tests: the server under test, its API, Chromium, and page helpers.
//
// Environment (run.sh sets all of it):
//   OMNICANAL_BASE_URL   the server, e.g. http://127.0.0.1:40123
//   OMNICANAL_SITE_ID    the Santiago demo site ("Costanera Food Hall")
//   BROWSER_NODE_DIR     where playwright-core is installed (target/browser-node)
//   BROWSER_ARTIFACTS    where screenshots go (target/browser-artifacts)
//   CHROMIUM             the browser (/usr/bin/chromium)
//   OMNICANAL_BIN        the server binary, for tests that start a server of their own
import { createRequire } from "node:module";
import { mkdirSync, openSync, closeSync, rmSync, readFileSync } from "node:fs";
import { spawn, execFile } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { randomUUID } from "node:crypto";

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, "../..");

export const BASE = (process.env.OMNICANAL_BASE_URL || "http://127.0.0.1:8080").replace(/\/$/, "");
export const SITE = process.env.OMNICANAL_SITE_ID || "";
export const ARTIFACTS = process.env.BROWSER_ARTIFACTS || path.join(root, "target/browser-artifacts");
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const PASSWORD = "omnicanal-demo";
export const ADMIN = "admin@demo.omnicanal.dev";
export const SLUGS = ["napoli", "nikkei", "fuente", "guero", "altura"];
export const staffEmail = (slug) => `cocina.${slug}@demo.omnicanal.cl`;
export const CARD_OK = "4242424242424242";

const nodeDir = process.env.BROWSER_NODE_DIR || path.join(root, "target/browser-node");
const requireDeps = createRequire(path.join(nodeDir, "package.json"));
/** playwright-core, installed by run.sh outside the tree (no browser of its own). */
export const { chromium } = requireDeps("playwright-core");

mkdirSync(ARTIFACTS, { recursive: true });

// --- the API -------------------------------------------------------------------------------

/** Calls the JSON API; throws with the status and body unless the status is 2xx. */
export async function api(method, urlPath, options = {}) {
  return (await apiAt(BASE, method, urlPath, options)).body;
}

const tokens = new Map();
/** A bearer token for a demo login (cached). Returns {token, user}. */
export async function login(email) {
  if (!tokens.has(email)) {
    tokens.set(email, await api("POST", "/auth/login", { body: { email, password: PASSWORD } }));
  }
  return tokens.get(email);
}

/** location id → staff token, for the five Santiago kitchens. */
export async function staffByLocation() {
  const map = new Map();
  for (const slug of SLUGS) {
    const { token, user } = await login(staffEmail(slug));
    map.set(user.location_id, { slug, token });
  }
  return map;
}

/** The site's menu, closed and paused locations included. */
export function menu() {
  return api("GET", `/sites/${SITE}/menu?include_closed=true`);
}

/** The order as its customer sees it. */
export function customerOrder(orderId, token) {
  return api("GET", `/orders/${orderId}?token=${encodeURIComponent(token)}`);
}

/** Moves a fulfilment through `steps` as `token` (each step: "accepted" or {to, reason}). */
export async function transition(fulfillmentId, token, steps) {
  let last = null;
  for (const step of steps) {
    const body = typeof step === "string" ? { to: step } : step;
    last = await api("POST", `/fulfillments/${fulfillmentId}/transition`, { body, token });
  }
  return last;
}

/** Units available of `sku` at `locationId` (admin view). */
export async function available(sku, locationId) {
  const { token } = await login(ADMIN);
  const rows = await api("GET", `/stock?location_id=${encodeURIComponent(locationId)}&sku=${encodeURIComponent(sku)}`, {
    token,
  });
  const row = rows.find((r) => r.sku === sku);
  if (!row) throw new Error(`no stock row for ${sku} at ${locationId}`);
  return row.available;
}

/** Records a stock adjustment of `delta` units as the admin. */
export async function adjustStock(sku, locationId, delta) {
  const { token } = await login(ADMIN);
  return api("POST", "/stock/movements", { body: { sku, location_id: locationId, delta, reason: "adjustment" }, token });
}

// --- the browser ---------------------------------------------------------------------------

/** Debian's Chromium, headless, never through a proxy (everything is on loopback). */
export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-proxy-server", "--disable-dev-shm-usage"],
  });
}

/** A phone: 390×844 at 2×, touch, Spanish (Chile). */
export const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: "es-CL",
};

/** A file name for an artifact of this test. */
export function artifact(name) {
  return path.join(ARTIFACTS, name.replace(/[^A-Za-z0-9._-]+/g, "-"));
}

/**
 * Runs `fn(page, context)` in a fresh browser context (clean localStorage and cookies).
 * Uncaught errors in the page fail the test; on failure a full-page screenshot is kept as
 * `failed-<name>.png`. The context is always closed.
 */
export async function withPage(browser, name, options, fn) {
  const context = await browser.newContext({ ...PHONE, ...options });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  try {
    await fn(page, context);
    if (pageErrors.length) throw new Error(`uncaught errors in the page:\n  ${pageErrors.join("\n  ")}`);
  } catch (error) {
    try {
      for (const [i, p] of context.pages().entries()) {
        await p.screenshot({ path: artifact(`failed-${name}${i ? `-${i}` : ""}.png`), fullPage: true, timeout: 5_000 });
      }
    } catch {
      /* the screenshot is a help, not the verdict */
    }
    throw error;
  } finally {
    await context.close();
  }
}

/** Waits until `predicate(arg)` (run in the page) is true; the message says what was awaited. */
export async function waitUntil(page, what, predicate, arg, timeout = 10_000) {
  try {
    await page.waitForFunction(predicate, arg, { timeout, polling: 100 });
  } catch (error) {
    throw new Error(`timed out after ${timeout} ms waiting for ${what} (${page.url()})`, { cause: error });
  }
}

export const text = (page, selector) => page.locator(selector).first().innerText();

// --- the customer's pages ------------------------------------------------------------------

/** Opens the site page and waits for its restaurants. */
export async function openSite(page, query = "") {
  const response = await page.goto(`${BASE}/s/${SITE}${query}`);
  if (!response || response.status() !== 200) throw new Error(`/s/${SITE}${query} answered ${response && response.status()}`);
  await page.locator("[data-testid=restaurant]").first().waitFor();
}

/**
 * Orderable items on the site page, one per open restaurant: the first item of each open
 * restaurant that is not sold out and whose add button is enabled (items without options
 * first), skipping SKUs in `avoid`. Returns [{locationId, sku, name}] in page order.
 */
export async function orderableItems(page, avoid = []) {
  return page.evaluate((avoid) => {
    const picks = [];
    for (const restaurant of document.querySelectorAll("[data-testid=restaurant]")) {
      const status = restaurant.querySelector("[data-testid=restaurant-status]");
      if (!status || status.dataset.state !== "open") continue;
      const items = [...restaurant.querySelectorAll("[data-testid=menu-item]")].filter((item) => {
        const add = item.querySelector("button[data-testid=add]");
        return add && !add.disabled && !item.querySelector("[data-testid=sold-out]") && !avoid.includes(item.dataset.sku);
      });
      items.sort((a, b) => Number(!!a.querySelector("fieldset, details")) - Number(!!b.querySelector("fieldset, details")));
      if (items.length) {
        const item = items[0];
        picks.push({
          locationId: restaurant.dataset.locationId,
          sku: item.dataset.sku,
          name: item.querySelector("[data-testid=item-name]")?.textContent.trim() || "",
        });
      }
    }
    return picks;
  }, avoid);
}

/** The menu item of `sku` at `locationId`. */
export const itemLocator = (page, { sku, locationId }) =>
  page.locator(`[data-testid=menu-item][data-sku="${sku}"][data-location-id="${locationId}"]`);

/** Clicks the add button of each item and waits for the cart count to reach `expected`. */
export async function addItems(page, items, expected) {
  for (const item of items) await itemLocator(page, item).locator("button[data-testid=add]").click();
  await waitUntil(
    page,
    `cart-count = ${expected}`,
    (n) => document.querySelector("[data-testid=cart-count]")?.textContent.trim() === String(n),
    expected,
  );
}

/** Follows the go-to-cart link and waits for the cart page with `lines` lines. */
export async function goToCart(page, lines) {
  await page.locator("a[data-testid=go-to-cart]").click();
  await page.waitForURL((url) => url.pathname === `/s/${SITE}/cart`);
  await waitForCartLines(page, lines);
}

export async function waitForCartLines(page, lines) {
  await waitUntil(
    page,
    `${lines} cart lines`,
    (n) => document.querySelectorAll("[data-testid=cart-line]").length === n,
    lines,
  );
}

/** Fills the checkout form (name, card) and clicks place-order; does not wait for the outcome. */
export async function fillAndPlace(page, { name = "Camila", card = CARD_OK } = {}) {
  await page.locator("input[data-testid=customer-name]").fill(name);
  await page.locator("input[name=payment-method][value=card]").check();
  await page.locator("input[data-testid=card-number]").fill(card);
  await page.locator("button[data-testid=place-order]").click();
}

/** Waits for the order page; returns {orderId, token}. */
export async function waitForOrderPage(page) {
  const pattern = new RegExp(`^/s/${SITE}/orders/[^/]+$`);
  try {
    await page.waitForURL((url) => pattern.test(url.pathname) && url.searchParams.has("token"), { timeout: 15_000 });
  } catch (error) {
    const shown = await page
      .locator("[data-testid=checkout-error]")
      .innerText()
      .catch(() => "");
    throw new Error(`did not reach the order page (at ${page.url()}; checkout-error: ${JSON.stringify(shown)})`, {
      cause: error,
    });
  }
  const url = new URL(page.url());
  await page.locator("[data-testid=part]").first().waitFor();
  return { orderId: url.pathname.split("/").pop(), token: url.searchParams.get("token") };
}

/** Site page → add one item from each of `n` open restaurants → cart → pay by card → order page. */
export async function orderFromRestaurants(page, n, avoid = []) {
  await openSite(page);
  const items = (await orderableItems(page, avoid)).slice(0, n);
  if (items.length < n) throw new Error(`only ${items.length} open restaurants with an orderable item (need ${n})`);
  await addItems(page, items, n);
  await goToCart(page, n);
  await fillAndPlace(page);
  return { items, ...(await waitForOrderPage(page)) };
}

/** document.documentElement.scrollWidth, and the widest elements sticking out past `width`. */
export async function overflow(page, width) {
  return page.evaluate((width) => {
    const wide = [];
    // Content inside a box that scrolls sideways (a schedule's grid) is reached by scrolling
    // that box, not the page: it does not stick out as long as the box itself fits.
    const scrolledInside = (el) => {
      for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
        const style = getComputedStyle(box);
        if (["auto", "scroll"].includes(style.overflowX) && box.getBoundingClientRect().right <= width + 0.5) return true;
      }
      return false;
    };
    for (const el of document.querySelectorAll("body *")) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 0.5 && !scrolledInside(el)) {
        const id = el.getAttribute("data-testid") || el.id || (el.className && String(el.className)) || "";
        wide.push(`${el.tagName.toLowerCase()}${id ? `[${id}]` : ""} right=${Math.round(r.right)}`);
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 8) };
  }, width);
}

// --- the merchant console (issue #5) -------------------------------------------------------

/** A kitchen tablet on the wall: 1024×768, touch, Spanish (Chile). */
export const TABLET = {
  viewport: { width: 1024, height: 768 },
  deviceScaleFactor: 1,
  isMobile: false,
  hasTouch: true,
  locale: "es-CL",
};

/** Calls the JSON API of the server at `base` (a second server of a test's own). */
export async function apiAt(base, method, urlPath, { body, token, ok = (s) => s >= 200 && s < 300 } = {}) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  if (method !== "GET") headers["idempotency-key"] = randomUUID();
  const response = await fetch(`${base}/api/v1${urlPath}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!ok(response.status)) {
    throw new Error(`${method} ${base}${urlPath} answered ${response.status}: ${text.slice(0, 500)}`);
  }
  return { status: response.status, body: json };
}

/**
 * Places an order through the API, paid by card: `lines` are {sku, locationId, quantity?, note?}.
 * Returns the created order (with its fulfilments and pickup codes, as the customer sees them).
 */
export async function placeOrder(lines, { name = "Cliente Consola", base = BASE, site = SITE, ok } = {}) {
  const body = {
    site_id: site,
    channel: "qr",
    customer: { name, phone: "+56911112222" },
    lines: lines.map((l) => ({ sku: l.sku, location_id: l.locationId, quantity: l.quantity || 1, note: l.note })),
    payment: { method: "card", card_number: CARD_OK },
  };
  return (await apiAt(base, "POST", "/orders", { body, ok })).body;
}

/** The part of `order` at `locationId`, with its pickup code (from the customer's view). */
export async function partAt(order, locationId, { base = BASE } = {}) {
  const { body } = await apiAt(base, "GET", `/orders/${order.id}?token=${encodeURIComponent(order.tracking_token)}`);
  const part = body.fulfillments.find((f) => f.location_id === locationId);
  if (!part) throw new Error(`order ${order.id} has no part at ${locationId}`);
  return part;
}

/** A staff login's location id (cached login). */
export async function staffLocation(slug) {
  const { user } = await login(staffEmail(slug));
  return user.location_id;
}

/**
 * Signs in through the console's login form (`/console/login`) and waits until the browser has
 * left it (staff land on their display, managers on the list of locations).
 */
export async function consoleSignIn(page, email, { base = BASE, password = PASSWORD } = {}) {
  const response = await page.goto(`${base}/console/login`);
  if (!response || response.status() !== 200) throw new Error(`/console/login answered ${response && response.status()}`);
  await page.locator("[data-testid=login-email]").fill(email);
  await page.locator("[data-testid=login-password]").fill(password);
  await Promise.all([
    page.waitForURL((url) => url.pathname !== "/console/login", { timeout: 10_000 }),
    page.locator("[data-testid=login-submit]").click(),
  ]);
}

/** The card of fulfilment `id` on the live display. */
export const cardLocator = (page, id) => page.locator(`[data-testid=order-card][data-fulfillment-id="${id}"]`);

/** Waits until the display's connection banner says `states` (one of them); returns which. */
export async function waitForConnection(page, states, timeout = 10_000) {
  await waitUntil(
    page,
    `connection state in ${states.join("/")}`,
    (wanted) => wanted.includes(document.querySelector("[data-testid=connection]")?.dataset.state),
    states,
    timeout,
  );
  return page.locator("[data-testid=connection]").getAttribute("data-state");
}

/** Rejects every part of `locationId` still waiting (placed … ready), as its staff: cleans up. */
export async function clearQueue(slug) {
  const { token } = await login(staffEmail(slug));
  const locationId = await staffLocation(slug);
  const { body } = await apiAt(BASE, "GET", `/locations/${locationId}/queue`, { token });
  for (const item of body.items) {
    if (["placed", "accepted", "preparing"].includes(item.status)) {
      await apiAt(BASE, "POST", `/fulfillments/${item.fulfillment_id}/transition`, {
        token,
        body: { to: "rejected", reason: "limpieza de la prueba" },
        ok: () => true,
      });
    }
  }
}

// --- a server of a test's own (restart tests) ----------------------------------------------

// Outgoing HTTP of the server (push, webhooks) goes nowhere: port 9 (discard) on loopback.
const DEAD_PROXY = Object.fromEntries(
  ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"].map((k) => [k, "http://127.0.0.1:9"]),
);

export const SERVER_BIN = process.env.OMNICANAL_BIN || path.join(root, "target/debug/omnicanal");

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function healthy(base) {
  try {
    return (await fetch(`${base}/healthz`)).status === 200;
  } catch {
    return false;
  }
}

/**
 * A second `omnicanal serve --demo` with its own loopback port and SQLite file under target/,
 * made deterministic like the main one (setup.mjs). `start()` (again) runs it on the same port
 * and database; `kill(signal)` stops it (SIGKILL: a crash); `remove()` kills it and deletes the
 * database. Its log is `target/browser-artifacts/<name>.log`. `{ demo: false }` starts it on an
 * empty database instead (`env` adds variables, such as the first admin's).
 */
export async function ownServer(name, { demo = true, env = {} } = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dir = path.join(root, "target");
  mkdirSync(dir, { recursive: true });
  const dbPath = path.join(dir, `browser-${name}-${randomUUID()}.sqlite`);
  const logPath = artifact(`${name}.log`);
  let child = null;
  const server = {
    base,
    port,
    dbPath,
    site: "",
    async start() {
      const log = openSync(logPath, "a");
      child = spawn(
        SERVER_BIN,
        ["serve", ...(demo ? ["--demo"] : []), "--listen", `127.0.0.1:${port}`, "--database-url", `sqlite://${dbPath}`],
        { stdio: ["ignore", log, log], env: { ...process.env, ...DEAD_PROXY, NO_COLOR: "1", RUST_LOG: process.env.RUST_LOG || "info", ...env } },
      );
      closeSync(log);
      const exited = new Promise((resolve) => child.once("exit", resolve));
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        if (await healthy(base)) return server;
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill("SIGKILL");
      await exited;
      throw new Error(`${SERVER_BIN} did not start on ${base} (see ${logPath})`);
    },
    async kill(signal = "SIGKILL") {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill(signal);
      await exited;
    },
    async remove() {
      await server.kill("SIGTERM");
      for (const suffix of ["", "-wal", "-shm"]) rmSync(dbPath + suffix, { force: true });
    },
  };
  await server.start();
  // Without the demo the database is empty: there is no demo site to make deterministic.
  if (!demo) return server;
  server.site = await new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(here, "setup.mjs"), base], (error, stdout, stderr) => {
      if (error) reject(new Error(`setup.mjs against ${base} failed: ${stderr}`));
      else resolve(stdout.trim());
    });
  });
  return server;
}

// --- the pages' language catalogs (issue #13) ------------------------------------------------

/** Every text of `lang`'s catalogs (customer pages and console), as the server embeds them. */
export function catalog(lang) {
  const dir = path.join(root, "crates/server/locales");
  return {
    ...JSON.parse(readFileSync(path.join(dir, `${lang}.json`), "utf8")),
    ...JSON.parse(readFileSync(path.join(dir, `console.${lang}.json`), "utf8")),
    ...JSON.parse(readFileSync(path.join(dir, `console-setup.${lang}.json`), "utf8")),
  };
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The texts of `shown` that are not a catalog entry of `lang` with its `{placeholders}` filled.
 * A placeholder may only hold what a page fills in: a name in `names` (restaurants, dishes,
 * option groups), a number, a time (18:48), an amount ($9.990), a weekday of the catalog. So a
 * developer's sentence cannot hide inside an entry like "{name}".
 */
export function textsNotInCatalog(shown, lang, names = []) {
  const entries = catalog(lang);
  const days = Object.entries(entries)
    .filter(([key]) => /^(console\.)?day\.\d$/.test(key))
    .map(([, text]) => text);
  const known = new Set([...names, ...days].map((n) => n.trim()));
  const fillable = (value) =>
    known.has(value.trim()) || /^(#?\d+|\d{1,2}:\d{2}|(\$|S\/ )[\d.,]+|[\d:]+ ?min)$/.test(value.trim());
  const patterns = Object.values(entries).map((template) => {
    const names = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const source = template.split(/\{\w+\}/).map(escapeRegExp).join("(.+?)");
    return { names, regex: new RegExp(`^${source}$`, "s") };
  });
  return shown.filter((text) => {
    const wanted = text.replace(/\s+/g, " ").trim();
    return !patterns.some(({ regex }) => {
      const match = regex.exec(wanted);
      return match && match.slice(1).every(fillable);
    });
  });
}

/**
 * The visible texts of what a page shows when something is refused: alerts, statuses, line and
 * field errors, card errors. One text per element that holds text of its own.
 */
export function shownProblemTexts(page) {
  return page.evaluate(() => {
    const selector = [
      "[role=alert]",
      "[role=status]",
      "[data-testid=line-error]",
      "[data-testid=field-error]",
      "[data-testid=card-error]",
      "[data-testid=group-limit]",
      "[data-testid=push-state]",
    ].join(", ");
    const texts = new Set();
    for (const root of document.querySelectorAll(selector)) {
      if (!root.checkVisibility() || !root.innerText.trim()) continue;
      for (const el of [root, ...root.querySelectorAll("*")]) {
        const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
        if (own && el.checkVisibility()) texts.add(el.innerText.replace(/\s+/g, " ").trim());
      }
    }
    return [...texts];
  });
}

/** Names the pages fill into texts: restaurants, dishes (with variants), option groups. */
export async function menuNames() {
  const { locations } = await menu();
  const names = [];
  for (const location of locations) {
    names.push(location.name);
    for (const product of location.products) {
      names.push(product.name);
      for (const variant of product.variants) names.push(`${product.name} (${variant.sku})`);
      for (const group of product.modifier_groups || []) names.push(group.name);
    }
  }
  return names;
}

// --- layout: words kept whole, nothing wider than the screen (issue #13) ---------------------

/**
 * What is wrong with the page's layout at `width`: text broken inside a word (a word of a text
 * node whose letters land on two lines), and anything reaching past the right edge.
 * Returns {broken: ["'Familiar' in label.option", …], scrollWidth, wide: […]}.
 */
export async function layoutProblems(page, width) {
  const broken = await page.evaluate(() => {
    const found = [];
    // Text kept for screen readers only (a clipped 1 px box) is not laid out for the eye.
    const seen = new Map();
    const clipped = (el) => {
      if (!el) return false;
      if (!seen.has(el)) {
        const style = getComputedStyle(el);
        seen.set(el, (style.clip && style.clip !== "auto") || (style.clipPath && style.clipPath !== "none") || clipped(el.parentElement));
      }
      return seen.get(el);
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || !node.textContent.trim() || !parent.checkVisibility()) continue;
      if (parent.closest("svg, script, style, [aria-hidden=true] svg")) continue;
      if (clipped(parent)) continue;
      const text = node.textContent;
      // Words between spaces, split again after a hyphen or slash (where a line may break), and
      // in an e-mail address after a dot or before the @.
      const pieces = /@/.test(text) ? /[^\s\-/–—.@]+[\-/–—.]?|@[^\s\-/–—.@]*[\-/–—.]?/g : /[^\s\-/–—]+[\-/–—]?/g;
      for (const match of text.matchAll(pieces)) {
        const word = match[0];
        if (word.length < 2) continue;
        range.setStart(node, match.index);
        range.setEnd(node, match.index + word.length);
        const lines = new Set(
          [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0).map((r) => Math.round(r.bottom)),
        );
        if (lines.size > 1) {
          const where = parent.getAttribute("data-testid") || parent.className || parent.tagName.toLowerCase();
          found.push(`'${word}' in ${parent.tagName.toLowerCase()}.${String(where).split(" ")[0]}`);
        }
      }
    }
    return found.slice(0, 12);
  });
  return { broken, ...(await overflow(page, width)) };
}
