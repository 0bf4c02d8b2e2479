// The till's "Pasillo infinito" (endless aisle, issue 17 point 7), for the till in tablet mode:
// the clerk searches the merchant's catalogue with every location's available-to-promise
// (GET /pos/devices/{id}/aisle?q=), adds what this store lacks from a location that has it to
// an aisle cart (one source location per order), chooses home delivery (an address) or pickup
// here on the store's next opening day, types the customer's name and phone or e-mail (they
// are told at each step), sees the engine's total (POST /pricing/quote, channel `tablet`) and
// takes cash (with change), the till's card or a gift card by its code; POST /pos/devices/{id}/aisle-orders records the
// order, holds the units at the source and answers the order number shown as the confirmation.
// Online only: availability and the hold live on the server, so there is nothing to queue.
"use strict";

import { api } from "./queue.js";
import { money, parseAmount, problemText, declineText } from "./sell.js";

/** Wires the aisle screen; `done()` goes back to selling. */
export function createAisle({ till, show, t, done }) {
  const $ = (id) => document.getElementById(id);
  let cart = [];
  let total = null;
  let method = "cash";
  let key = null;

  const currency = () => till.catalog?.currency || "CLP";
  const estimate = () => cart.reduce((sum, line) => sum + line.price * line.quantity, 0);
  const due = () => (total === null ? estimate() : total);

  function message(el, text) {
    el.textContent = text || "";
    el.hidden = !text;
  }

  function start() {
    cart = [];
    total = null;
    key = null;
    $("aisle-results").replaceChildren();
    $("aisle-query").value = "";
    $("aisle-confirmation").hidden = true;
    $("aisle-checkout").hidden = false;
    message($("aisle-error"), "");
    renderCart();
    show("aisle");
    $("aisle-query").focus();
  }

  async function search(event) {
    event.preventDefault();
    message($("aisle-error"), "");
    const q = encodeURIComponent($("aisle-query").value.trim());
    let answer;
    try {
      answer = await api("GET", `/pos/devices/${encodeURIComponent(till.device.id)}/aisle?q=${q}&limit=20`);
    } catch (_) {
      return message($("aisle-error"), t("pos.aisle.offline"));
    }
    if (!answer.ok) return message($("aisle-error"), problemText(answer.body, t));
    const list = $("aisle-results");
    list.replaceChildren();
    if (!answer.body.items.length) {
      const empty = document.createElement("li");
      empty.textContent = t("pos.aisle.none");
      list.append(empty);
    }
    for (const item of answer.body.items) list.append(result(item));
  }

  /** One variant found: its name and price, and a button per location that can promise it. */
  function result(item) {
    const row = document.createElement("li");
    row.className = "aisle-item";
    row.dataset.testid = "pos-aisle-item";
    row.dataset.sku = item.sku;
    const title = document.createElement("strong");
    const options = Object.values(item.attributes || {}).join(" · ");
    title.textContent = `${item.name}${options ? ` (${options})` : ""} · ${money(item.price.amount, item.price.currency)}`;
    row.append(title);
    const places = document.createElement("div");
    places.className = "aisle-places";
    for (const place of item.locations) {
      const units = place.units === null ? "∞" : String(place.units);
      const button = document.createElement("button");
      button.type = "button";
      button.className = "big";
      button.dataset.testid = "pos-aisle-add";
      button.dataset.locationId = place.location_id;
      button.textContent = t(place.here ? "pos.aisle.here" : "pos.aisle.at", { name: place.name, units });
      button.disabled = place.here || place.units === 0;
      button.addEventListener("click", () => add(item, place));
      places.append(button);
    }
    row.append(places);
    return row;
  }

  function add(item, place) {
    message($("aisle-error"), "");
    if (cart.length && cart[0].source_location_id !== place.location_id) {
      return message($("aisle-error"), t("pos.aisle.one_source", { name: cart[0].source_name }));
    }
    const line = cart.find((l) => l.sku === item.sku);
    const limit = place.units === null ? Infinity : place.units;
    if (line) line.quantity = Math.min(limit, line.quantity + 1);
    else {
      cart.push({
        sku: item.sku,
        name: item.name,
        price: item.price.amount,
        quantity: 1,
        source_location_id: place.location_id,
        source_name: place.name,
        site_id: place.site_id,
      });
    }
    quote();
  }

  function renderCart() {
    const list = $("aisle-cart");
    list.replaceChildren();
    for (const line of cart) {
      const row = document.createElement("li");
      row.dataset.testid = "pos-aisle-line";
      const text = document.createElement("span");
      text.textContent = `${line.quantity} × ${line.name} — ${t("pos.aisle.from", { name: line.source_name })}`;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "icon";
      remove.textContent = "×";
      remove.setAttribute("aria-label", t("pos.aisle.remove"));
      remove.addEventListener("click", () => {
        cart = cart.filter((l) => l !== line);
        quote();
      });
      row.append(text, remove);
      list.append(row);
    }
    $("aisle-empty").hidden = cart.length > 0;
    $("aisle-pay").disabled = cart.length === 0;
    $("aisle-total").textContent = money(due(), currency());
    $("aisle-total").dataset.amount = String(due());
    // "engine" once the server's quote came back; until then the base prices are an estimate.
    $("aisle-total").dataset.priced = total === null ? "estimate" : "engine";
    change();
  }

  /** The engine's total for the aisle cart (the source's site, channel tablet). */
  async function quote() {
    total = null;
    key = null;
    renderCart();
    if (!cart.length) return;
    const body = {
      site_id: cart[0].site_id,
      channel: "tablet",
      lines: cart.map((l) => ({ sku: l.sku, location_id: l.source_location_id, quantity: l.quantity })),
    };
    try {
      const answer = await api("POST", "/pricing/quote", body);
      if (answer.ok) total = answer.body.quote.total.amount;
    } catch (_) {
      total = null;
    }
    renderCart();
  }

  function choose(next) {
    method = next;
    for (const button of document.querySelectorAll("[data-aisle-method]")) {
      button.setAttribute("aria-pressed", String(button.dataset.aisleMethod === method));
    }
    $("aisle-tendered-field").hidden = method !== "cash";
    $("aisle-card-field").hidden = method !== "card";
    $("aisle-gift-card-field").hidden = method !== "gift_card";
    change();
  }

  function change() {
    const tendered = parseAmount($("aisle-tendered").value, currency());
    const given = method === "cash" && tendered !== null ? Math.max(0, tendered - due()) : 0;
    $("aisle-change").textContent = money(given, currency());
  }

  function kind() {
    return document.querySelector("input[name=aisle-kind]:checked")?.value || "delivery";
  }

  function fulfilment() {
    if (kind() === "pickup_here") return { kind: "pickup_here" };
    return {
      kind: "delivery",
      address: {
        street: $("aisle-street").value.trim(),
        number: $("aisle-number").value.trim(),
        district: $("aisle-district").value.trim(),
        reference: $("aisle-reference").value.trim() || null,
      },
    };
  }

  function customer() {
    const contact = $("aisle-contact").value.trim();
    const email = contact.includes("@");
    return { name: $("aisle-name").value.trim(), phone: email || !contact ? null : contact, email: email ? contact : null };
  }

  function payment() {
    if (method === "card") {
      return { method: "card", amount: { amount: due(), currency: currency() }, card_number: $("aisle-card").value.trim() };
    }
    if (method === "gift_card") {
      // The server checks the code and spends the balance with the order; too little is refused.
      return { method: "gift_card", amount: { amount: due(), currency: currency() }, reference: $("aisle-gift-card").value.trim() };
    }
    const tendered = parseAmount($("aisle-tendered").value, currency()) ?? due();
    return {
      method: "cash",
      amount: { amount: due(), currency: currency() },
      tendered: { amount: Math.max(tendered, due()), currency: currency() },
    };
  }

  async function pay(event) {
    event.preventDefault();
    message($("aisle-error"), "");
    const cash = parseAmount($("aisle-tendered").value, currency());
    if (method === "cash" && cash !== null && cash < due()) return message($("aisle-error"), t("pos.aisle.short_cash"));
    key = key || crypto.randomUUID();
    const body = {
      session_id: till.session.id,
      lines: cart.map((l) => ({ sku: l.sku, quantity: l.quantity, source_location_id: l.source_location_id })),
      fulfilment: fulfilment(),
      customer: customer(),
      payments: [payment()],
    };
    $("aisle-pay").disabled = true;
    let answer;
    try {
      answer = await api("POST", `/pos/devices/${encodeURIComponent(till.device.id)}/aisle-orders`, body, {
        "idempotency-key": key,
      });
    } catch (_) {
      $("aisle-pay").disabled = false;
      return message($("aisle-error"), t("pos.aisle.offline"));
    }
    $("aisle-pay").disabled = false;
    if (!answer.ok) {
      key = null;
      if (answer.body?.code === "insufficient_stock") return message($("aisle-error"), t("pos.aisle.short", { sku: answer.body.sku }));
      return message($("aisle-error"), declineText(answer.body, t) || problemText(answer.body, t));
    }
    confirm(answer.body);
  }

  function confirm(sale) {
    $("aisle-checkout").hidden = true;
    const box = $("aisle-confirmation");
    box.hidden = false;
    box.dataset.orderId = sale.order.id;
    $("aisle-order-number").textContent = t("pos.aisle.confirmed", { number: sale.order.number });
    const when =
      sale.fulfilment === "pickup_here"
        ? t("pos.aisle.pickup_when", { date: sale.promised_date || "", time: sale.promised_from || "" })
        : t("pos.aisle.delivery_when", { name: sale.source_name });
    $("aisle-when").textContent = when;
    $("aisle-paid").textContent = t("pos.aisle.paid", {
      total: money(sale.total.amount, sale.total.currency),
      change: money(sale.change.amount, sale.change.currency),
    });
    cart = [];
    key = null;
  }

  $("aisle-open").addEventListener("click", start);
  $("aisle-search").addEventListener("submit", search);
  $("aisle-checkout").addEventListener("submit", pay);
  $("aisle-tendered").addEventListener("input", change);
  for (const button of document.querySelectorAll("[data-aisle-method]")) {
    button.addEventListener("click", () => choose(button.dataset.aisleMethod));
  }
  for (const radio of document.querySelectorAll("input[name=aisle-kind]")) {
    radio.addEventListener("change", () => {
      $("aisle-address").hidden = kind() !== "delivery";
    });
  }
  $("aisle-back").addEventListener("click", () => done());
  $("aisle-again").addEventListener("click", start);
  choose("cash");
}
