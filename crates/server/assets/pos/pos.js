// The till page (/pos): which registered device this is, the cash session, the selling
// screen (search, scanner) and the close, the connection banner and the sales the server
// refused. The cart's view is in cartview.js, camera scanning in camera.js, payment and the
// receipt in checkout.js; pay-at-pickup orders collected by code in pickup.js; lookups and pricing in sell.js; the queue in queue.js; IndexedDB in
// db.js. Every text comes from the page's catalog (pos.* keys).
"use strict";

import * as db from "./db.js";
import { api, createQueue } from "./queue.js";
import { indexCatalog, createCart, money, parseAmount, problemText } from "./sell.js";
import { createCartView } from "./cartview.js";
import { setupCamera } from "./camera.js";
import { createCheckout } from "./checkout.js";
import { createOptionsPicker } from "./options.js";
import { setupDetails } from "./details.js";
import { setupSession } from "./session.js";
import { setupLineActions } from "./session-lines.js";
import { createPickup } from "./pickup.js";
import { createReturns } from "./returns.js";
import { createAisle } from "./aisle.js";
import { setupHelp, rememberSync } from "./help.js";

const data = JSON.parse(document.getElementById("page-data").textContent);
const $ = (id) => document.getElementById(id);

/** The catalog's text for `key` with `{name}` placeholders filled. */
export function t(key, args = {}) {
  let text = (data.messages || {})[key] ?? key;
  for (const [name, value] of Object.entries(args)) text = text.split(`{${name}}`).join(String(value));
  return text;
}

const till = {
  user: data.user,
  device: null,
  session: null,
  catalog: null,
  index: null,
  cart: createCart(),
  quote: null,
  // The sale's customer ({name, phone, email}) and coupon code, set by details.js.
  customer: null,
  coupon: null,
};

const SCREENS = ["loading", "device", "open", "sell", "pay", "receipt", "close", "pickup", "returns", "aisle"];
function show(name) {
  for (const screen of SCREENS) $(`screen-${screen}`).hidden = screen !== name;
  $("pos-app").dataset.state = name;
  if (name === "sell") $("search").focus();
}

function notice(text) {
  $("notice").textContent = text || "";
  $("notice").hidden = !text;
}

function where() {
  const parts = [];
  if (till.catalog) parts.push(till.catalog.location_name);
  if (till.device) parts.push(`${till.device.name} (${till.device.receipt_series})`);
  $("where").textContent = parts.join(" · ");
  $("where").dataset.deviceId = till.device?.id || "";
  $("where").dataset.series = till.device?.receipt_series || "";
}

// --- the connection banner and the refused sales -------------------------------------------

function banner(state) {
  const el = $("banner");
  const count = state.pending;
  el.dataset.pending = String(count);
  el.dataset.state = state.online ? (count ? "sending" : "online") : "offline";
  let text = "";
  if (!state.online) {
    text = count === 0 ? t("pos.banner.offline_none") : t(count === 1 ? "pos.banner.offline_one" : "pos.banner.offline", { count });
  } else if (count > 0) {
    text = t(count === 1 ? "pos.banner.sending_one" : "pos.banner.sending", { count });
  }
  el.textContent = text;
  el.hidden = !text;
  if (state.signedOut) notice(t("pos.signed_out"));
  $("card-offline").hidden = state.online;
  const card = document.querySelector("[data-method=card]");
  if (card) card.disabled = !state.online;
  refusedList(state.refused);
}

function refusedList(refused) {
  const list = $("refused-list");
  list.replaceChildren();
  for (const sale of refused) {
    const li = document.createElement("li");
    li.dataset.testid = "pos-refused-sale";
    li.dataset.saleId = sale.id;
    const problem = sale.problem || {};
    li.textContent = t("pos.refused.sale", {
      receipt: sale.body.receipt_number,
      why: problemText(problem, t),
    });
    const dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.textContent = t("pos.refused.dismiss");
    dismiss.addEventListener("click", async () => {
      await db.removeSale(sale.id);
      await queue.publish();
    });
    li.append(" ", dismiss);
    list.append(li);
  }
  $("refused").hidden = refused.length === 0;
}

// A sale the server priced otherwise means the till's snapshot is older than a price change:
// fetch it again at once (the server recorded the sale at the till's total and flagged it).
const queue = createQueue({
  change: banner,
  accepted: (_sale, answer) => {
    rememberSync();
    if (answer?.price_difference && till.device) loadCatalog();
    if (answer?.conflicts?.length) conflictsBanner();
  },
});
// And refresh it regularly while the server answers, so a price change reaches the till
// before a sale is priced with the old one.
// "Pedir ayuda" (help.js): a refused promotion's reason in the page's words, as the cart shows it.
setupHelp({
  till,
  t,
  queue,
  whyText: (refused) => {
    const reason = refused.reason || { code: "other" };
    const currency = till.catalog?.currency || "CLP";
    const facts = { ...reason, name: refused.name || refused.promotion_id || "" };
    if (reason.minimum) facts.minimum = money(reason.minimum.amount, currency);
    if (reason.actual) facts.actual = money(reason.actual.amount, currency);
    const key = `pos.why.${reason.code}`;
    return t(t(key) !== key ? key : "pos.why.other", facts);
  },
});
const CATALOG_REFRESH_MS = 5 * 60_000;
setInterval(() => {
  if (till.device && queue.online()) loadCatalog().then(conflictsBanner);
}, CATALOG_REFRESH_MS);

/**
 * For a manager at the till: "N conflictos de stock" — the location's open stock conflicts
 * (offline sales the ledger could not cover), linked to the console page that resolves them.
 */
async function conflictsBanner() {
  const el = $("conflicts-banner");
  if (!till.device || !till.user?.manager) {
    el.hidden = true;
    return;
  }
  const location = encodeURIComponent(till.device.location_id);
  try {
    const answer = await api("GET", `/stock/conflicts?location_id=${location}&status=open&limit=100`);
    if (!answer.ok || !Array.isArray(answer.body)) return;
    const count = answer.body.length;
    const link = $("conflicts-link");
    link.href = `/console/locations/${location}/conflicts`;
    link.textContent = t(count === 1 ? "pos.conflicts.one" : "pos.conflicts.many", { count });
    el.dataset.count = String(count);
    el.hidden = count === 0;
  } catch (_) {
    /* offline: the banner keeps what it said */
  }
}
// Cash in/out, the count per denomination and the report link (session.js).
const session = setupSession({ till, api, t, notice, money, parseAmount });

// --- device ----------------------------------------------------------------------------------

function locations() {
  const listed = data.locations || [];
  if (till.user.role === "staff") return listed.filter((l) => l.id === till.user.location_id);
  return listed;
}

async function deviceScreen() {
  show("device");
  const select = $("location");
  select.replaceChildren(
    ...locations().map((l) => {
      const option = document.createElement("option");
      option.value = l.id;
      option.textContent = l.site ? `${l.name} · ${l.site}` : l.name;
      return option;
    }),
  );
  $("location-field").hidden = locations().length <= 1;
  await listDevices();
}

async function listDevices() {
  const locationId = $("location").value;
  const list = $("devices");
  list.replaceChildren();
  let devices = [];
  try {
    const answer = await api("GET", `/pos/devices?location_id=${encodeURIComponent(locationId)}`);
    if (answer.ok) devices = Array.isArray(answer.body) ? answer.body : answer.body?.items || [];
  } catch (_) {
    notice(t("pos.offline_setup"));
  }
  for (const device of devices) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "big";
    button.dataset.testid = "pos-device";
    button.dataset.deviceId = device.id;
    button.textContent = `${device.name} (${device.receipt_series})`;
    button.addEventListener("click", () => chooseDevice(device));
    li.append(button);
    list.append(li);
  }
  $("no-devices").hidden = devices.length > 0;
  $("register").hidden = !till.user.manager;
  $("register-manager-only").hidden = till.user.manager || devices.length > 0;
}

async function chooseDevice(device) {
  notice("");
  till.device = device;
  await db.put("device", device);
  // A browser that lost its storage must not give numbers the server already has.
  try {
    const answer = await api("GET", `/pos/devices/${encodeURIComponent(device.id)}/receipts`);
    if (answer.ok && Number.isInteger(answer.body?.last_number)) await db.raiseReceipt(device.id, answer.body.last_number);
  } catch (_) {
    /* offline: our own counter stands */
  }
  await loadCatalog();
  conflictsBanner();
  where();
  // A session left open on this till (another tab, a lost storage) is taken up again.
  const kept = await db.get("session");
  if (kept && kept.device_id === device.id && (!device.open_session_id || kept.id === device.open_session_id)) {
    till.session = kept;
  } else if (device.open_session_id) {
    till.session = { id: device.open_session_id, device_id: device.id, currency: till.catalog?.currency };
    await db.put("session", till.session);
  }
  if (till.session) return sellScreen();
  show("open");
  $("float").focus();
}

$("location").addEventListener("change", listDevices);
$("register").addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = $("device-name").value.trim();
  if (!name) return;
  try {
    const answer = await api("POST", "/pos/devices", { location_id: $("location").value, name });
    if (!answer.ok) return notice(problemText(answer.body, t));
    $("device-name").value = "";
    await chooseDevice(answer.body);
  } catch (_) {
    notice(t("pos.offline_setup"));
  }
});
$("change-device").addEventListener("click", async () => {
  await db.put("device", undefined);
  till.device = null;
  deviceScreen();
});

// --- the catalogue snapshot --------------------------------------------------------------------

async function loadCatalog() {
  const locationId = till.device.location_id;
  try {
    const answer = await api("GET", `/pos/catalog?location_id=${encodeURIComponent(locationId)}`);
    if (answer.ok) await db.put(`catalog:${locationId}`, answer.body);
  } catch (_) {
    /* offline: the snapshot kept last time */
  }
  till.catalog = (await db.get(`catalog:${locationId}`)) || null;
  till.index = till.catalog ? indexCatalog(till.catalog) : null;
}

// --- the cash session --------------------------------------------------------------------------

$("open-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const currency = till.catalog?.currency || "CLP";
  const amount = parseAmount($("float").value, currency);
  if (amount === null) return notice(t("pos.bad_amount"));
  try {
    const answer = await api("POST", "/pos/sessions", {
      device_id: till.device.id,
      opening_float: { amount, currency },
    });
    if (!answer.ok) return notice(problemText(answer.body, t));
    till.session = { id: answer.body.id, device_id: till.device.id, opening_float: amount, currency };
    await db.put("session", till.session);
    notice("");
    $("float").value = "";
    sellScreen();
  } catch (_) {
    notice(t("pos.offline_setup"));
  }
});

$("close-session").addEventListener("click", () => {
  $("close-form").hidden = false;
  $("close-result").hidden = true;
  $("close-done").hidden = true;
  show("close");
  $("counted").focus();
});
$("close-back").addEventListener("click", () => sellScreen());
$("close-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const currency = till.session.currency || till.catalog?.currency || "CLP";
  const amount = parseAmount($("counted").value, currency);
  if (amount === null) return notice(t("pos.bad_amount"));
  await queue.drain();
  if (queue.state().pending > 0) return notice(t("pos.close.pending"));
  try {
    const answer = await api("POST", `/pos/sessions/${encodeURIComponent(till.session.id)}/close`, {
      counted_cash: { amount, currency },
      ...session.closeBody(),
    });
    if (!answer.ok) return notice(problemText(answer.body, t));
    notice("");
    const result = answer.body;
    $("close-expected").textContent = money(result.expected_cash.amount, currency);
    $("close-counted").textContent = money(result.counted_cash.amount, currency);
    $("close-difference").textContent = money(result.difference.amount, currency);
    $("close-result").dataset.difference = String(result.difference.amount);
    $("close-result").hidden = false;
    $("close-form").hidden = true;
    $("close-done").hidden = false;
    session.afterClose(till.session.id);
    till.session = null;
    await db.put("session", undefined);
  } catch (_) {
    notice(t("pos.close.offline"));
  }
});
$("close-done").addEventListener("click", () => show("open"));

// --- selling -----------------------------------------------------------------------------------

function sellScreen() {
  where();
  $("search-result").textContent = "";
  showResults([]);
  show("sell");
  renderCart();
}

async function addItem(item, quantity = 1) {
  // A dish with options asks for them first (scanned, typed or touched alike).
  let details = {};
  if (item.modifier_groups?.length) {
    details = await picker.open(item);
    if (!details) {
      $("search").focus();
      return;
    }
  }
  till.cart.add(item.sku, quantity, details);
  $("search-result").textContent = t("pos.sell.added", { name: item.name });
  renderCart();
  $("search").focus();
}

function showResults(items) {
  const list = $("results");
  list.replaceChildren();
  for (const item of items) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.testid = "pos-result";
    button.dataset.sku = item.sku;
    const name = document.createElement("span");
    name.textContent = item.name;
    const price = document.createElement("span");
    price.className = "price";
    price.textContent = money(item.base_price.amount, item.base_price.currency);
    button.append(name, price);
    button.addEventListener("click", () => {
      addItem(item);
      list.replaceChildren();
      $("search").value = "";
      $("search").focus();
    });
    li.append(button);
    list.append(li);
  }
}

// A barcode scanner types the code and Enter: an exact barcode or SKU goes straight in.
$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("search").value.trim();
  // Enter on an empty search goes to payment: scan, scan, scan, Enter.
  if (!text && !till.cart.isEmpty() && !$("pay").disabled) return checkout.start();
  if (!text || !till.index) return;
  const exact = till.index.exact(text);
  const found = exact ? [exact] : till.index.search(text);
  if (found.length === 1) {
    addItem(found[0]);
    $("search").value = "";
    showResults([]);
  } else if (found.length === 0) {
    $("search-result").textContent = t("pos.sell.not_found", { code: text });
    $("search").select();
  } else {
    showResults(found);
  }
});
$("search").addEventListener("input", () => {
  const text = $("search").value.trim();
  if (till.index && text.length >= 2) showResults(till.index.search(text, 12));
  else showResults([]);
});
$("clear").addEventListener("click", () => {
  till.cart.clear();
  renderCart();
  $("search").focus();
});

const picker = createOptionsPicker({ t });
// A line discount or void, with a manager's PIN above the till's limits (session-lines.js).
const lineActions = setupLineActions({ till, api, t, money, parseAmount, rerender: () => renderCart() });
const cartView = createCartView({ till, t, notice, picker, lineActions });
const renderCart = () => cartView.render();
const saleDetails = setupDetails({ till, t, changed: () => renderCart() });
// A new sale starts with no customer and no coupon.
$("next-sale").addEventListener("click", () => {
  saleDetails.reset();
  renderCart();
});
setupCamera({ till, t, notice, onItem: (item) => addItem(item) });

// --- payment and receipt -----------------------------------------------------------------------

const checkout = createCheckout({ till, queue, show, notice, t, done: () => sellScreen() });
$("pay").addEventListener("click", () => checkout.start());

// --- pay-at-pickup orders collected by pickup code (pickup.js) -------------------------------

createPickup({ till, show, notice, t, done: () => sellScreen() });

// --- returns of a purchase from any channel (returns.js) ---------------------------------------

createReturns({ till, show, t, done: () => sellScreen() });

// --- the endless aisle: selling what this store lacks (aisle.js) -------------------------------

createAisle({ till, show, t, done: () => sellScreen() });

// --- start -------------------------------------------------------------------------------------

async function start() {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/pos/sw.js", { scope: "/pos" }).catch(() => {});
  }
  if (navigator.storage?.persist) navigator.storage.persist().catch(() => {});
  till.device = (await db.get("device")) || null;
  // Another user's device or session from an earlier sign-in on this browser is not reused
  // when it is not at a location this user may sell at.
  if (till.device && !locations().some((l) => l.id === till.device.location_id)) till.device = null;
  till.session = till.device ? (await db.get("session")) || null : null;
  if (till.session && till.session.device_id !== till.device.id) till.session = null;
  queue.start();
  if (!till.device) return deviceScreen();
  await loadCatalog();
  conflictsBanner();
  where();
  if (!till.session) {
    show("open");
    return;
  }
  sellScreen();
}

start().catch((error) => {
  notice(t("pos.failed"));
  console.error(error);
});
