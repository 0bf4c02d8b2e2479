// The till page (/pos): which registered device this is, the cash session, the selling
// screen and the close, the connection banner and the sales the server refused. Payment and
// the receipt are in checkout.js; the cart, lookups and pricing in sell.js; the queue in
// queue.js; IndexedDB in db.js. Every text comes from the page's catalog (pos.* keys).
"use strict";

import * as db from "./db.js";
import { api, createQueue } from "./queue.js";
import { indexCatalog, createCart, priceLines, money, parseAmount } from "./sell.js";
import { createCheckout } from "./checkout.js";

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
};

const SCREENS = ["loading", "device", "open", "sell", "pay", "receipt", "close"];
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
      why: problem.detail || problem.title || String(problem.status || ""),
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

const queue = createQueue({ change: banner, accepted: () => {} });

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
    if (!answer.ok) return notice(answer.body?.detail || t("pos.failed"));
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
    if (!answer.ok) return notice(answer.body?.detail || t("pos.failed"));
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
    });
    if (!answer.ok) return notice(answer.body?.detail || t("pos.failed"));
    notice("");
    const result = answer.body;
    $("close-expected").textContent = money(result.expected_cash.amount, currency);
    $("close-counted").textContent = money(result.counted_cash.amount, currency);
    $("close-difference").textContent = money(result.difference.amount, currency);
    $("close-result").dataset.difference = String(result.difference.amount);
    $("close-result").hidden = false;
    $("close-form").hidden = true;
    $("close-done").hidden = false;
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

function addItem(item, quantity = 1) {
  till.cart.add(item.sku, quantity);
  $("search-result").textContent = t("pos.sell.added", { name: item.name });
  renderCart();
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

function whyText(outcome, currency) {
  const reason = outcome.reason || { code: "other" };
  const facts = { name: outcome.name };
  if (reason.minimum) facts.minimum = money(reason.minimum.amount, currency);
  if (reason.actual) facts.actual = money(reason.actual.amount, currency);
  if (reason.needed !== undefined) facts.needed = reason.needed;
  if (reason.present !== undefined) facts.present = reason.present;
  if (reason.by !== undefined) facts.by = reason.by;
  if (reason.with !== undefined) facts.with = reason.with;
  const key = `pos.why.${reason.code}`;
  return t((data.messages || {})[key] ? key : "pos.why.other", facts);
}

export function renderCart() {
  const lines = till.cart.lines();
  const priced = till.index ? priceLines(till.catalog, till.index, lines) : { ok: true, quote: null };
  till.quote = priced.ok ? priced.quote : null;
  const quote = till.quote;
  const currency = till.catalog?.currency || "CLP";
  const list = $("lines");
  list.replaceChildren();
  for (const line of lines) {
    const item = till.index.exact(line.sku);
    const quoted = quote?.lines.find((l) => l.sku === line.sku);
    const li = document.createElement("li");
    li.dataset.testid = "pos-line";
    li.dataset.sku = line.sku;
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = item ? item.name : line.sku;
    const minus = stepper("−", t("pos.cart.less", { name: name.textContent }), () => till.cart.set(line.sku, line.quantity - 1));
    minus.dataset.testid = "pos-less";
    const quantity = document.createElement("input");
    quantity.type = "number";
    quantity.min = "0";
    quantity.max = "9999";
    quantity.inputMode = "numeric";
    quantity.value = String(line.quantity);
    quantity.dataset.testid = "pos-quantity";
    quantity.setAttribute("aria-label", t("pos.cart.quantity", { name: name.textContent }));
    quantity.addEventListener("change", () => {
      const n = Math.max(0, Math.min(9999, Math.floor(Number(quantity.value) || 0)));
      till.cart.set(line.sku, n);
      renderCart();
    });
    const plus = stepper("+", t("pos.cart.more", { name: name.textContent }), () => till.cart.set(line.sku, line.quantity + 1));
    plus.dataset.testid = "pos-more";
    const total = document.createElement("span");
    total.className = "price";
    total.dataset.testid = "pos-line-total";
    total.textContent = quoted ? money(quoted.total.amount, currency) : "";
    li.append(name, minus, quantity, plus, total);
    list.append(li);
  }
  $("cart-empty").hidden = lines.length > 0;
  const applied = $("promos-applied");
  const refused = $("promos-refused");
  applied.replaceChildren();
  refused.replaceChildren();
  for (const outcome of quote?.promotions || []) {
    const li = document.createElement("li");
    li.dataset.promotionId = outcome.promotion_id;
    if (outcome.applied) {
      li.dataset.testid = "pos-promo-applied";
      li.textContent = t("pos.promo.applied", { name: outcome.name, amount: money(outcome.amount.amount, currency) });
      applied.append(li);
    } else {
      li.dataset.testid = "pos-promo-refused";
      li.textContent = whyText(outcome, currency);
      refused.append(li);
    }
  }
  $("discount").textContent = quote?.discount.amount ? `−${money(quote.discount.amount, currency)}` : money(0, currency);
  $("taxes").textContent = quote ? money(quote.taxes.reduce((s, tx) => s + tx.amount.amount, 0), currency) : money(0, currency);
  $("total").textContent = quote ? money(quote.total.amount, currency) : money(0, currency);
  $("total").dataset.amount = String(quote ? quote.total.amount : 0);
  $("pay").disabled = !quote;
  if (!priced.ok) notice(t("pos.price_failed"));
}

function stepper(label, name, change) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "step";
  button.textContent = label;
  button.setAttribute("aria-label", name);
  button.addEventListener("click", () => {
    change();
    renderCart();
  });
  return button;
}

// --- camera scanning where the browser can read barcodes -------------------------------------

async function cameraScan() {
  const video = $("camera-view");
  if (!video.hidden) return stopCamera();
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  } catch (_) {
    return notice(t("pos.sell.camera_denied"));
  }
  video.srcObject = stream;
  video.hidden = false;
  await video.play();
  const detector = new window.BarcodeDetector();
  const look = async () => {
    if (video.hidden) return;
    try {
      const codes = await detector.detect(video);
      const item = codes.map((c) => till.index?.exact(c.rawValue)).find(Boolean);
      if (item) {
        addItem(item);
        return stopCamera();
      }
    } catch (_) {
      /* the next frame */
    }
    setTimeout(look, 250);
  };
  look();
}
function stopCamera() {
  const video = $("camera-view");
  for (const track of video.srcObject?.getTracks() || []) track.stop();
  video.srcObject = null;
  video.hidden = true;
  $("search").focus();
}
if ("BarcodeDetector" in window && navigator.mediaDevices?.getUserMedia) {
  $("camera").hidden = false;
  $("camera").addEventListener("click", cameraScan);
}

// --- payment and receipt -----------------------------------------------------------------------

const checkout = createCheckout({ till, queue, show, notice, t, done: () => sellScreen() });
$("pay").addEventListener("click", () => checkout.start());

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
