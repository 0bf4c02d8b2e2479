// Collecting a pay-at-pickup order at the till (issue 14 point 4): the cashier types the
// pickup code the customer shows (or scans the QR of the order page, where the browser reads
// codes), the till shows the order's part for this location and what is owed ("COBRAR AL
// RETIRAR"), takes cash with change, an external terminal's card (its approval code typed) or
// the till's own card, and the server records the money in the open session and hands the part
// over (GET /pos/devices/{id}/pickups?code=, POST /pos/pickups/{id}/collect). Online only: the
// part and its money live on the server, so there is nothing to queue.
//
// Issue 17 point 5: the order is also found by the customer's phone (GET
// /pos/devices/{id}/pickups/by-phone?phone=), and changed before handing over — a line
// removed, a size swapped (another SKU chosen for the line), an item added — with
// POST /pos/pickups/{id}/change; the server prices the new lines with the one engine, moves
// the stock holds and answers what is now owed, which is then collected as before.
//
// Issue 17 point 8: a gift card or the customer's store credit pays part (or all) of what is
// owed: its balance is looked up with credit.js (the sale's own look-up), the tender is set to
// at most what is still due, and the rest is paid with cash or a card; the server spends the
// balance in the handover's transaction, so a refusal there leaves nothing spent.
"use strict";

import { api } from "./queue.js";
import { money, parseAmount, problemText, declineText } from "./sell.js";
import { isCredit, creditBalance, usableCredit } from "./credit.js";

/** Wires the pickup screen; `done()` goes back to selling. */
export function createPickup({ till, show, notice, t, done }) {
  const $ = (id) => document.getElementById(id);
  let part = null;
  let method = "cash";
  // Gift card / store credit tenders applied so far: [{method, amount, reference}].
  let credits = [];

  const currency = () => part?.to_collect?.currency || till.catalog?.currency || "CLP";
  const owed = () => part?.to_collect?.amount || 0;
  /** What is left to pay once the applied balances are counted. */
  const due = () => Math.max(0, owed() - credits.reduce((sum, credit) => sum + credit.amount, 0));
  const decimals = () => (currency() === "PEN" || currency() === "USD" ? 2 : 0);

  function message(el, text) {
    el.textContent = text || "";
    el.hidden = !text;
  }

  function start() {
    part = null;
    $("pickup-order").hidden = true;
    $("pickup-matches").hidden = true;
    $("pickup-phone").value = "";
    message($("pickup-error"), "");
    message($("pickup-done"), "");
    $("pickup-code").value = "";
    show("pickup");
    $("pickup-code").focus();
  }

  function choose(next) {
    method = next;
    for (const button of document.querySelectorAll("[data-pickup-method]")) {
      button.setAttribute("aria-pressed", String(button.dataset.pickupMethod === method));
    }
    $("pickup-tendered-field").hidden = method !== "cash";
    $("pickup-reference-field").hidden = method !== "external_card";
    $("pickup-card-field").hidden = method !== "card";
    $("pickup-credit-field").hidden = !isCredit(method);
    $("pickup-credit-label-gift").hidden = method !== "gift_card";
    $("pickup-credit-label-customer").hidden = method !== "store_credit";
    change();
  }

  /** The applied balances, each removable, and what is still due after them. */
  function renderCredits() {
    const list = $("pickup-credits");
    list.replaceChildren();
    credits.forEach((credit, index) => {
      const item = document.createElement("li");
      item.dataset.testid = "pos-pickup-credit-applied";
      item.textContent = t(`pos.pay.tender.${credit.method}`, { amount: money(credit.amount, currency()), reference: credit.reference }) + " ";
      const remove = document.createElement("button");
      remove.type = "button";
      remove.dataset.testid = "pos-pickup-credit-remove";
      remove.textContent = t("pos.pickup.change.remove");
      remove.addEventListener("click", () => {
        credits.splice(index, 1);
        renderCredits();
      });
      item.append(remove);
      list.append(item);
    });
    list.hidden = !credits.length;
    $("pickup-due-row").hidden = !credits.length;
    $("pickup-due").textContent = money(due(), currency());
    $("pickup-due").dataset.amount = String(due());
    $("pickup-tendered").value = due() ? String(due() / 10 ** decimals()) : "";
    change();
  }

  /** Looks the typed card or customer up and applies its balance, up to what is still due. */
  async function applyCredit() {
    message($("pickup-error"), "");
    const reference = $("pickup-credit").value.trim();
    if (!reference) return message($("pickup-error"), t(`pos.credit.needed.${method}`));
    const same = (credit) => credit.method === method && credit.reference.toUpperCase() === reference.toUpperCase();
    if (credits.some(same)) {
      return message($("pickup-error"), t("pos.pickup.credit.twice"));
    }
    if (!due()) return message($("pickup-error"), t("pos.pickup.credit.covered"));
    $("pickup-credit-apply").disabled = true;
    try {
      const found = await creditBalance(till, method, reference, t);
      if (!found.ok) return message($("pickup-error"), found.text);
      const amount = usableCredit(found.balance, due());
      if (!amount) return message($("pickup-error"), t("pos.pickup.credit.empty"));
      credits.push({ method, amount, reference });
      $("pickup-credit").value = "";
      message($("pickup-credit-balance"), t("pos.credit.balance", { balance: money(found.balance, currency()) }));
      choose("cash");
      renderCredits();
    } finally {
      $("pickup-credit-apply").disabled = false;
    }
  }

  /** The change for the cash typed, shown as the cashier types. */
  function change() {
    const tendered = parseAmount($("pickup-tendered").value, currency());
    const given = method === "cash" && tendered !== null ? Math.max(0, tendered - due()) : 0;
    $("pickup-change").textContent = money(given, currency());
    $("pickup-change").dataset.amount = String(given);
  }

  function render() {
    const order = $("pickup-order");
    order.hidden = false;
    order.dataset.status = part.status;
    order.dataset.fulfillmentId = part.fulfillment_id;
    $("pickup-heading").textContent = t("pos.pickup.order", { number: part.order_number, name: part.customer_name });
    $("pickup-status").textContent = t(`pos.pickup.status.${part.status}`);
    const lines = $("pickup-lines");
    lines.replaceChildren();
    for (const line of part.lines) {
      const row = document.createElement("tr");
      row.dataset.testid = "pos-pickup-line";
      for (const text of [`${line.quantity} × ${line.name}`, money(line.total.amount, line.total.currency)]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.append(cell);
      }
      lines.append(row);
    }
    renderChange();
    $("pickup-owed").textContent = money(owed(), currency());
    $("pickup-owed").dataset.amount = String(owed());
    const collectable = part.status === "ready";
    const paying = collectable && owed() > 0;
    $("pickup-owed-row").hidden = owed() === 0;
    $("pickup-pay").hidden = !collectable;
    $("pickup-methods").hidden = !paying;
    $("pickup-pay-fields").hidden = !paying;
    $("pickup-collect").textContent = t(paying ? "pos.pickup.collect" : "pos.pickup.hand_over");
    $("pickup-tendered").value = paying ? String(owed() / 10 ** decimals()) : "";
    $("pickup-reference").value = "";
    $("pickup-card").value = "";
    $("pickup-credit").value = "";
    credits = [];
    message($("pickup-credit-balance"), "");
    renderCredits();
    choose("cash");
    if (paying) {
      $("pickup-tendered").focus();
      $("pickup-tendered").select();
    }
  }

  async function find(code) {
    message($("pickup-error"), "");
    message($("pickup-done"), "");
    $("pickup-order").hidden = true;
    part = null;
    if (!/^\d{1,12}$/.test(code)) return message($("pickup-error"), t("pos.pickup.bad_code"));
    if (!till.device) return;
    try {
      const answer = await api("GET", `/pos/devices/${encodeURIComponent(till.device.id)}/pickups?code=${encodeURIComponent(code)}`);
      if (answer.status === 404) return message($("pickup-error"), t("pos.pickup.not_found", { code }));
      if (!answer.ok) return message($("pickup-error"), problemText(answer.body, t));
      part = answer.body;
      render();
    } catch (_) {
      message($("pickup-error"), t("pos.pickup.offline"));
    }
  }

  /** Finds the customer's open orders at this store by phone; one is shown, several listed. */
  async function findByPhone(phone) {
    message($("pickup-error"), "");
    message($("pickup-done"), "");
    $("pickup-order").hidden = true;
    $("pickup-matches").hidden = true;
    part = null;
    if (!till.device) return;
    try {
      const path = `/pos/devices/${encodeURIComponent(till.device.id)}/pickups/by-phone?phone=${encodeURIComponent(phone)}`;
      const answer = await api("GET", path);
      if (!answer.ok) return message($("pickup-error"), problemText(answer.body, t));
      const found = answer.body || [];
      if (!found.length) return message($("pickup-error"), t("pos.pickup.phone_none", { phone }));
      if (found.length === 1) {
        part = found[0];
        return render();
      }
      const list = $("pickup-matches");
      list.replaceChildren();
      for (const match of found) {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "big";
        button.dataset.testid = "pos-pickup-match";
        button.textContent = t("pos.pickup.order", { number: match.order_number, name: match.customer_name });
        button.addEventListener("click", () => {
          list.hidden = true;
          part = match;
          render();
        });
        item.append(button);
        list.append(item);
      }
      list.hidden = false;
    } catch (_) {
      message($("pickup-error"), t("pos.pickup.offline"));
    }
  }

  // The part's lines being edited: [{sku, quantity}].
  let draft = [];

  /** The till's items as options (the current SKU kept even if the snapshot lacks it). */
  function itemOptions(select, selected) {
    select.replaceChildren();
    const items = [...(till.catalog?.items || [])].sort((a, b) => a.name.localeCompare(b.name)).slice(0, 500);
    if (selected && !items.some((item) => item.sku === selected)) items.unshift({ sku: selected, name: selected });
    for (const item of items) {
      const option = document.createElement("option");
      option.value = item.sku;
      option.textContent = `${item.name} (${item.sku})`;
      option.selected = item.sku === selected;
      select.append(option);
    }
  }

  function renderChange() {
    const open = !["collected", "rejected", "cancelled"].includes(part.status);
    $("pickup-edit").hidden = !open;
    $("pickup-edit-editor").hidden = true;
    $("pickup-edit-open").hidden = false;
    draft = part.lines.map((line) => ({ sku: line.sku, quantity: line.quantity }));
  }

  function renderDraft() {
    const list = $("pickup-edit-lines");
    list.replaceChildren();
    draft.forEach((line, index) => {
      const item = document.createElement("li");
      item.dataset.testid = "pos-pickup-change-line";
      const select = document.createElement("select");
      select.dataset.testid = "pos-pickup-change-sku";
      select.setAttribute("aria-label", t("pos.pickup.change.item"));
      itemOptions(select, line.sku);
      select.addEventListener("change", () => (line.sku = select.value));
      const quantity = document.createElement("input");
      quantity.type = "number";
      quantity.min = "1";
      quantity.max = "9999";
      quantity.value = String(line.quantity);
      quantity.dataset.testid = "pos-pickup-change-quantity";
      quantity.setAttribute("aria-label", t("pos.pickup.change.quantity"));
      quantity.addEventListener("input", () => (line.quantity = Number.parseInt(quantity.value, 10) || 0));
      const remove = document.createElement("button");
      remove.type = "button";
      remove.dataset.testid = "pos-pickup-change-remove";
      remove.textContent = t("pos.pickup.change.remove");
      remove.addEventListener("click", () => {
        draft.splice(index, 1);
        renderDraft();
      });
      item.append(select, quantity, remove);
      list.append(item);
    });
  }

  /** Sends the edited lines; the server prices them, moves the holds and answers the part. */
  async function saveChange() {
    message($("pickup-error"), "");
    if (!part || !till.session) return;
    $("pickup-edit-save").disabled = true;
    try {
      const answer = await api("POST", `/pos/pickups/${encodeURIComponent(part.fulfillment_id)}/change`, {
        session_id: till.session.id,
        lines: draft.map((line) => ({ sku: line.sku, quantity: line.quantity })),
      });
      if (!answer.ok) {
        const text = answer.body?.sku
          ? t("pos.pickup.change.short", { sku: answer.body.sku })
          : problemText(answer.body, t);
        return message($("pickup-error"), text);
      }
      part = answer.body.pickup;
      render();
      message($("pickup-done"), t("pos.pickup.change.done", { total: money(part.subtotal.amount, part.subtotal.currency) }));
    } catch (_) {
      message($("pickup-error"), t("pos.pickup.offline"));
    } finally {
      $("pickup-edit-save").disabled = false;
    }
  }

  /** The tender for what is still due after the balances, or null with the reason shown. */
  function tender() {
    const amount = { amount: due(), currency: currency() };
    if (isCredit(method)) {
      // A typed code not yet applied: the balance is checked first, never spent blind.
      message($("pickup-error"), t("pos.pickup.credit.apply_first"));
      return null;
    }
    if (method === "cash") {
      const tendered = parseAmount($("pickup-tendered").value, currency());
      if (tendered === null || tendered < due()) {
        message($("pickup-error"), t("pos.pickup.short", { amount: money(due(), currency()) }));
        return null;
      }
      return { method, amount, tendered: { amount: tendered, currency: currency() } };
    }
    if (method === "external_card") {
      const reference = $("pickup-reference").value.trim();
      if (!reference) {
        message($("pickup-error"), t("pos.pickup.reference_needed"));
        return null;
      }
      return { method, amount, reference };
    }
    const card = $("pickup-card").value.replace(/\s+/g, "");
    return { method, amount, card_number: card };
  }

  async function collect() {
    message($("pickup-error"), "");
    if (!part || !till.session) return;
    const payments = credits.map((credit) => ({
      method: credit.method,
      amount: { amount: credit.amount, currency: currency() },
      reference: credit.reference,
    }));
    if (due() > 0) {
      const chosen = tender();
      if (!chosen) return;
      payments.push(chosen);
    }
    $("pickup-collect").disabled = true;
    try {
      const answer = await api("POST", `/pos/pickups/${encodeURIComponent(part.fulfillment_id)}/collect`, {
        session_id: till.session.id,
        pickup_code: part.pickup_code,
        payments,
      });
      if (!answer.ok) {
        // A declined card reads as at the sale (checkout.js): the code and what to do next.
        return message($("pickup-error"), declineText(answer.body, t) || problemText(answer.body, t));
      }
      const result = answer.body;
      $("pickup-order").hidden = true;
      $("pickup-done").dataset.change = String(result.change.amount);
      message(
        $("pickup-done"),
        t("pos.pickup.done", { number: part.order_number, change: money(result.change.amount, result.change.currency) }),
      );
      part = null;
      $("pickup-code").value = "";
      $("pickup-code").focus();
    } catch (_) {
      message($("pickup-error"), t("pos.pickup.offline"));
    } finally {
      $("pickup-collect").disabled = false;
    }
  }

  /** The order page's QR holds the pickup code: read it with the camera where the browser can. */
  function setupScan() {
    if (!("BarcodeDetector" in window && navigator.mediaDevices?.getUserMedia)) return;
    const video = $("pickup-camera-view");
    const stop = () => {
      for (const track of video.srcObject?.getTracks() || []) track.stop();
      video.srcObject = null;
      video.hidden = true;
    };
    $("pickup-camera").hidden = false;
    $("pickup-camera").addEventListener("click", async () => {
      if (!video.hidden) return stop();
      try {
        video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      } catch (_) {
        return notice(t("pos.sell.camera_denied"));
      }
      video.hidden = false;
      await video.play();
      const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      const look = async () => {
        if (video.hidden) return;
        try {
          const code = (await detector.detect(video)).map((c) => c.rawValue.trim()).find((v) => /^\d{1,12}$/.test(v));
          if (code) {
            stop();
            $("pickup-code").value = code;
            return find(code);
          }
        } catch (_) {
          /* the next frame */
        }
        setTimeout(look, 250);
      };
      look();
    });
  }

  $("pickup-open").addEventListener("click", start);
  // A phone order taken at the till goes through the console's phone page for this till's
  // location (the same use case; the till's sign-in is the console's session).
  $("phone-order").addEventListener("click", (event) => {
    if (!till.device) return;
    event.preventDefault();
    window.location.href = `/console/locations/${encodeURIComponent(till.device.location_id)}/phone`;
  });
  $("pickup-back").addEventListener("click", () => done());
  $("pickup-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const code = $("pickup-code").value.trim();
    const phone = $("pickup-phone").value.trim();
    if (!code && phone) return findByPhone(phone);
    find(code);
  });
  $("pickup-phone-find").addEventListener("click", () => findByPhone($("pickup-phone").value.trim()));
  $("pickup-edit-open").addEventListener("click", () => {
    $("pickup-edit-open").hidden = true;
    $("pickup-edit-editor").hidden = false;
    itemOptions($("pickup-edit-add"), null);
    renderDraft();
  });
  $("pickup-edit-add-button").addEventListener("click", () => {
    const sku = $("pickup-edit-add").value;
    if (!sku) return;
    const same = draft.find((line) => line.sku === sku);
    if (same) same.quantity += 1;
    else draft.push({ sku, quantity: 1 });
    renderDraft();
  });
  $("pickup-edit-save").addEventListener("click", saveChange);
  for (const button of document.querySelectorAll("[data-pickup-method]")) {
    button.addEventListener("click", () => choose(button.dataset.pickupMethod));
  }
  $("pickup-tendered").addEventListener("input", change);
  $("pickup-credit-apply").addEventListener("click", applyCredit);
  // Enter in the code field (a scanner ends with it) applies the balance, not the whole payment.
  $("pickup-credit").addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    applyCredit();
  });
  $("pickup-pay").addEventListener("submit", (event) => {
    event.preventDefault();
    collect();
  });
  setupScan();
  return { start };
}
