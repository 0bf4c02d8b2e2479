// Paying and the receipt: tenders (cash with what was handed over and the change, an external
// terminal's card with its approval code typed in, the till's own card online only, a gift card
// or the customer's store credit online only with its balance looked up (credit.js); several
// may split one total), then the sale — a device-made id (crypto.randomUUID) and the device's
// next receipt number, queued in IndexedDB and sent (queue.js) — and its receipt on screen,
// printable on 80 mm paper (window.print with the print styles of pos.css).
"use strict";

import * as db from "./db.js";
import { money, parseAmount, settle, payments, problemText, declineText } from "./sell.js";
import { createPrinting } from "./print.js";
import { saleLineBody } from "./session-lines.js";
import { isCredit, creditBalance, usableCredit } from "./credit.js";
import { rememberDecline } from "./help.js";

/** A sale id made on the device: a random UUID (also where `randomUUID` is missing: plain http). */
function saleId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function createCheckout({ till, queue, show, notice, t, done }) {
  const $ = (id) => document.getElementById(id);
  let tenders = [];
  let method = "cash";
  let quote = null;
  // The receipt's printing and digital receipt (print.js owns the receipt screen's print buttons).
  const printing = createPrinting({ t });

  const currency = () => till.catalog.currency;

  function choose(next) {
    if (next === "card" && !queue.online()) next = "cash";
    method = next;
    for (const button of document.querySelectorAll("[data-method]")) {
      button.setAttribute("aria-pressed", String(button.dataset.method === method));
    }
    $("reference-field").hidden = method !== "external_card";
    $("card-field").hidden = method !== "card";
    $("credit-field").hidden = !isCredit(method);
    $("credit-balance").hidden = true;
    $("credit-label-gift").hidden = method !== "gift_card";
    $("credit-label-customer").hidden = method !== "store_credit";
    const { remaining } = settle(quote.total.amount, tenders);
    $("tender-amount").value = remaining ? String(remaining / 10 ** (currency() === "PEN" || currency() === "USD" ? 2 : 0)) : "";
    $("tender-amount").focus();
    $("tender-amount").select();
  }

  function render() {
    const total = quote.total.amount;
    const { remaining, change } = settle(total, tenders);
    $("pay-total").textContent = money(total, currency());
    $("pay-remaining").textContent = money(remaining, currency());
    $("pay-remaining").dataset.amount = String(remaining);
    $("pay-change").textContent = money(change, currency());
    $("pay-change").dataset.amount = String(change);
    const list = $("tenders");
    list.replaceChildren();
    tenders.forEach((tender, index) => {
      const li = document.createElement("li");
      li.dataset.testid = "pos-tender";
      const shown = tender.method === "cash" ? tender.tendered : tender.amount;
      li.textContent = t(`pos.pay.tender.${tender.method}`, {
        amount: money(shown, currency()),
        reference: tender.reference || "",
      });
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = t("pos.pay.remove");
      remove.addEventListener("click", () => {
        tenders.splice(index, 1);
        render();
      });
      li.append(" ", remove);
      list.append(li);
    });
    $("confirm").disabled = remaining > 0 || (total > 0 && tenders.length === 0);
  }

  function payError(text) {
    $("pay-error").textContent = text || "";
    $("pay-error").hidden = !text;
  }

  $("tender-form").addEventListener("submit", (event) => {
    event.preventDefault();
    payError("");
    const amount = parseAmount($("tender-amount").value, currency());
    if (amount === null || amount <= 0) return payError(t("pos.bad_amount"));
    const { remaining } = settle(quote.total.amount, tenders);
    if (remaining === 0) return payError(t("pos.pay.covered"));
    if (method === "cash") {
      tenders.push({ method, amount: Math.min(amount, remaining), tendered: amount });
    } else if (amount > remaining) {
      return payError(t("pos.pay.card_too_much"));
    } else if (isCredit(method)) {
      if (!queue.online()) return payError(t("pos.credit.offline"));
      const reference = $("tender-credit").value.trim();
      if (!reference) return payError(t(`pos.credit.needed.${method}`));
      tenders.push({ method, amount, reference });
      $("tender-credit").value = "";
      $("credit-balance").hidden = true;
    } else if (method === "external_card") {
      const reference = $("tender-reference").value.trim();
      if (!reference) return payError(t("pos.pay.reference_needed"));
      tenders.push({ method, amount, reference });
      $("tender-reference").value = "";
    } else {
      const number = $("tender-card").value.replace(/\s/g, "");
      if (!/^\d{12,19}$/.test(number)) return payError(t("pos.pay.card_number_needed"));
      tenders.push({ method, amount, card_number: number });
      $("tender-card").value = "";
    }
    render();
    const left = settle(quote.total.amount, tenders).remaining;
    $("tender-amount").value = "";
    if (left === 0) $("confirm").focus();
  });

  for (const button of document.querySelectorAll("[data-method]")) {
    button.addEventListener("click", () => choose(button.dataset.method));
  }

  // The balance of the typed card or customer, applied up to what is still due.
  $("credit-check").addEventListener("click", async () => {
    payError("");
    const reference = $("tender-credit").value.trim();
    if (!reference) return payError(t(`pos.credit.needed.${method}`));
    const found = await creditBalance(till, method, reference, t);
    const shown = $("credit-balance");
    shown.hidden = false;
    if (!found.ok) {
      shown.textContent = found.text;
      return;
    }
    const { remaining } = settle(quote.total.amount, tenders);
    const usable = usableCredit(found.balance, remaining);
    shown.textContent = t("pos.credit.balance", { balance: money(found.balance, currency()) });
    const decimals = currency() === "PEN" || currency() === "USD" ? 2 : 0;
    $("tender-amount").value = usable ? String(usable / 10 ** decimals) : "";
  });
  $("pay-back").addEventListener("click", () => {
    payError("");
    done();
  });

  /** The refusal of a sale, in the cashier's words where the catalog has them. */
  function refusalText(problem, status) {
    const declined = declineText(problem, t);
    if (declined) return declined;
    if (status === 409 && problem?.sku) return t("pos.pay.short", { sku: problem.sku });
    return problemText(problem, t);
  }

  $("confirm").addEventListener("click", async () => {
    payError("");
    if (tenders.some((tender) => tender.method === "card") && !queue.online()) return payError(t("pos.pay.card_offline"));
    if (tenders.some((tender) => isCredit(tender.method)) && !queue.online()) return payError(t("pos.credit.offline"));
    $("confirm").disabled = true;
    const id = saleId();
    const lines = till.cart.lines();
    const voided = till.cart.voided();
    const body = (n) => ({
      id,
      session_id: till.session.id,
      receipt_number: `${till.device.receipt_series}-${n}`,
      sold_at: new Date().toISOString(),
      offline: !queue.online(),
      lines: lines.map((l) => ({ ...saleLineBody(l), ...lineDetails(l) })),
      payments: payments(quote.total.amount, tenders, currency()),
      ...saleExtras(),
      // What the customer was charged, from the till's snapshot: if prices changed on the
      // server since, the sale is still recorded at it and the difference flagged (never a 422
      // for money already taken).
      total: { amount: quote.total.amount, currency: currency() },
      ...(voided.length ? { voided_lines: voided } : {}),
    });
    let sale;
    try {
      sale = await db.queueSale(till.device.id, (n) => ({
        id,
        device_id: till.device.id,
        n,
        state: "pending",
        attempts: 0,
        body: body(n),
        receipt: receiptView(),
      }));
    } catch (_) {
      $("confirm").disabled = false;
      return payError(t("pos.pay.queue_full"));
    }
    await queue.publish();
    await queue.drain();
    const outcome = queue.outcome(id);
    if (outcome?.refused) {
      // Nothing was recorded: the number goes back and the cashier changes the payment.
      await db.removeSale(id);
      await db.giveBackReceipt(till.device.id, sale.n);
      await queue.publish();
      // A declined card is off the list: the cashier asks for another payment.
      if (outcome.refused?.decline_code) tenders = tenders.filter((tender) => tender.method !== "card");
      if (outcome.refused?.decline_code) rememberDecline(outcome.refused.decline_code, refusalText(outcome.refused, outcome.status));
      render();
      return payError(refusalText(outcome.refused, outcome.status));
    }
    showReceipt(sale, outcome?.accepted || null);
  });

  /** A line's options and note for the body, only when it has them (options.js). */
  function lineDetails(line) {
    const extra = {};
    if (line.options?.length) extra.options = line.options.map((o) => ({ group: o.group, option: o.option }));
    if (line.note) extra.note = line.note;
    return extra;
  }

  /** The customer and coupon of the sale, only when there are (details.js). */
  function saleExtras() {
    const extra = {};
    if (till.customer) extra.customer = { ...till.customer };
    if (till.coupon) extra.coupon = till.coupon;
    return extra;
  }

  /** What the receipt prints, fixed when the sale is made (the catalogue may change later). */
  function receiptView() {
    const { change } = settle(quote.total.amount, tenders);
    return {
      place: till.catalog.location_name,
      timezone: till.catalog.timezone,
      currency: currency(),
      lines: quote.lines.map((line) => ({
        name: till.index.exact(line.sku)?.name || line.sku,
        quantity: line.quantity,
        total: line.total.amount,
        options: (line.modifiers || []).map((m) => m.option).join(", "),
        note: line.note || null,
      })),
      customer: till.customer ? [till.customer.name, till.customer.phone || till.customer.email].filter(Boolean).join(" · ") : null,
      coupon: till.coupon && quote.coupons?.[0]?.applied ? quote.coupons[0].code : null,
      discount: quote.discount.amount,
      taxes: quote.taxes.map((tax) => ({ label: tax.label, amount: tax.amount.amount })),
      total: quote.total.amount,
      tenders: tenders.map((tender) => ({ ...tender })),
      change,
    };
  }

  function row(parent, label, value, testid) {
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value;
    if (testid) dd.dataset.testid = testid;
    parent.append(dt, dd);
  }

  function showReceipt(sale, answer) {
    const view = sale.receipt;
    const cur = view.currency;
    $("receipt-place").textContent = view.place;
    $("receipt-number").textContent = sale.body.receipt_number;
    let when;
    try {
      when = new Date(sale.body.sold_at).toLocaleString(document.documentElement.lang, { timeZone: view.timezone });
    } catch (_) {
      when = new Date(sale.body.sold_at).toLocaleString(document.documentElement.lang);
    }
    $("receipt-time").textContent = when;
    const table = $("receipt-lines");
    table.replaceChildren();
    for (const line of view.lines) {
      const tr = table.insertRow();
      tr.insertCell().textContent = `${line.quantity} × ${line.name}`;
      tr.insertCell().textContent = money(line.total, cur);
      // The line's options and note, under it.
      const said = [line.options, line.note ? t("pos.cart.note_shown", { note: line.note }) : ""].filter(Boolean);
      if (said.length) {
        const sub = table.insertRow();
        sub.className = "sub";
        const cell = sub.insertCell();
        cell.colSpan = 2;
        cell.dataset.testid = "pos-receipt-details";
        cell.textContent = said.join(" · ");
      }
    }
    const totals = $("receipt-totals");
    totals.replaceChildren();
    if (view.discount) row(totals, t("pos.cart.discount"), `−${money(view.discount, cur)}`);
    for (const tax of view.taxes) row(totals, tax.label, money(tax.amount, cur));
    row(totals, t("pos.cart.total"), money(answer ? answer.total.amount : view.total, cur), "pos-receipt-total");
    for (const tender of view.tenders) {
      const shown = tender.method === "cash" ? tender.tendered : tender.amount;
      row(totals, t(`pos.pay.method.${tender.method}`), money(shown, cur));
    }
    row(totals, t("pos.pay.change"), money(answer ? answer.change.amount : view.change, cur), "pos-receipt-change");
    if (view.coupon) row(totals, t("pos.coupon.label"), view.coupon, "pos-receipt-coupon");
    if (view.customer) row(totals, t("pos.customer.label"), view.customer, "pos-receipt-customer");
    const state = $("receipt-state");
    state.dataset.state = answer ? "sent" : "queued";
    state.textContent = answer ? t("pos.receipt.sent") : t("pos.receipt.queued");
    show("receipt");
    $("next-sale").focus();
    printing.afterSale(sale, answer);
  }

  $("next-sale").addEventListener("click", () => {
    till.cart.clear();
    done();
  });

  return {
    start() {
      quote = till.quote;
      if (!quote) return;
      tenders = [];
      payError("");
      notice("");
      show("pay");
      render();
      choose("cash");
    },
  };
}
