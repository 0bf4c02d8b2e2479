// A line discount or a line void on the till's cart (issue 14, point 3): the cashier gives a
// line a manual discount (a percent or an amount, priced by pricing.js as the engine's last
// step) or takes it off the cart before payment (kept in the sale as a voided line, for the
// session's report). Above the till's limits (GET /pos/devices/{id}/limits) a manager types
// their PIN (POST /pos/devices/{id}/approvals); a wrong PIN says how many tries are left, the
// fifth locks the till's approvals for 15 minutes and says until when. Offline no approval can
// be asked for, so only discounts and voids within the limits are given (the server refuses
// the rest anyway).
"use strict";

import { priceLines, problemText } from "./sell.js";
import { MANUAL_DISCOUNT_ID } from "./pricing.js";
import * as db from "./db.js";
import { lineKey } from "./options.js";

/** The quote's line for the cart's line `key` (lines of one SKU differ by options and note). */
const quotedLine = (quote, key) => quote?.lines.find((l) => lineKey(l.sku, l.modifiers, l.note) === key) ?? null;

const DEFAULT_LIMITS = { line_discount_bps: 1000, line_void_amount: { amount: 10000 } };

/** The line's manual discount and approval as the sale body carries them. */
export function saleLineBody(line) {
  const body = { sku: line.sku, quantity: line.quantity };
  const manual = line.manual_discount;
  if (manual?.kind === "percent") body.manual_discount = { percent_bps: manual.bps };
  if (manual?.kind === "amount") body.manual_discount = { amount: manual.amount };
  if (line.approval_id) body.approval_id = line.approval_id;
  return body;
}

/** The line actions of the cart; `decorate(li, line, quoted)` adds the line's button. */
export function setupLineActions({ till, api, t, money, parseAmount, rerender }) {
  const $ = (id) => document.getElementById(id);
  let limits = null;
  let current = null; // {key, name, pending: {action, amount, apply}}

  async function loadLimits() {
    if (limits) return limits;
    // Kept in IndexedDB: offline, the till keeps to the limits a manager set, not the defaults.
    const key = `limits:${till.device.id}`;
    try {
      const answer = await api("GET", `/pos/devices/${encodeURIComponent(till.device.id)}/limits`);
      if (answer.ok) {
        limits = answer.body;
        await db.put(key, limits);
      }
    } catch (_) {
      limits = (await db.get(key)) || null;
    }
    return limits || DEFAULT_LIMITS;
  }

  function message(text, testid = "") {
    $("line-message").textContent = text;
    $("line-message").dataset.kind = testid;
    $("line-message").hidden = !text;
  }

  function open(line, name) {
    current = { key: line.key, name, pending: null };
    $("line-name").textContent = name;
    $("line-percent").value = "";
    $("line-amount").value = "";
    $("pin-section").hidden = true;
    $("pin").value = "";
    $("pin-reason").value = "";
    message("");
    loadLimits();
    $("line-dialog").showModal();
    $("line-percent").focus();
  }

  /** The manual discount the cart would give the line, priced as the server will. */
  function manualOf(key, manual) {
    const lines = till.cart.lines().map((l) => (l.key === key ? { ...l, manual_discount: manual } : l));
    const priced = priceLines(till.catalog, till.index, lines);
    const quoted = priced.ok ? quotedLine(priced.quote, key) : null;
    if (!quoted) return null;
    const taken = quoted.discounts.filter((d) => d.promotion_id === MANUAL_DISCOUNT_ID).reduce((s, d) => s + d.amount.amount, 0);
    return { taken, before: quoted.total.amount + taken };
  }

  function askPin(action, amount, why, apply) {
    current.pending = { action, amount, apply };
    $("pin-why").textContent = why;
    $("pin-section").hidden = false;
    message("");
    $("pin").focus();
  }

  function finish() {
    $("line-dialog").close();
    current = null;
    rerender();
  }

  $("line-cancel").addEventListener("click", () => $("line-dialog").close());

  $("line-apply").addEventListener("click", async () => {
    if (!current) return;
    const currency = till.catalog?.currency || "CLP";
    const percent = $("line-percent").value.trim();
    const amountText = $("line-amount").value.trim();
    let manual = null;
    if (percent) {
      const bps = Math.round(Number(percent.replace(",", ".")) * 100);
      if (!Number.isFinite(bps) || bps < 1 || bps > 10000) return message(t("pos.bad_amount"));
      manual = { kind: "percent", bps };
    } else if (amountText) {
      const amount = parseAmount(amountText, currency);
      if (amount === null || amount <= 0) return message(t("pos.bad_amount"));
      manual = { kind: "amount", amount: { amount, currency } };
    } else {
      return message(t("pos.bad_amount"));
    }
    const figures = manualOf(current.key, manual);
    if (!figures) return message(t("pos.price_failed"));
    const limit = await loadLimits();
    const key = current.key;
    const apply = (approvalId) => {
      till.cart.update(key, { manual_discount: manual, approval_id: approvalId || null });
      finish();
    };
    if (figures.taken * 10000 <= limit.line_discount_bps * Math.max(0, figures.before)) return apply(null);
    askPin("line_discount", figures.taken, t("pos.pin.why_discount", { limit: limit.line_discount_bps / 100 }), apply);
  });

  $("line-void").addEventListener("click", async () => {
    if (!current) return;
    const currency = till.catalog?.currency || "CLP";
    const line = till.cart.lines().find((l) => l.key === current.key);
    const quoted = quotedLine(till.quote, current.key);
    if (!line || !quoted) return message(t("pos.price_failed"));
    const value = quoted.unit_price.amount * line.quantity;
    const limit = await loadLimits();
    const key = current.key;
    const name = current.name;
    const apply = (approvalId) => {
      till.cart.void(key, approvalId || null);
      $("search-result").textContent = t("pos.line.voided", { name });
      finish();
    };
    if (value <= limit.line_void_amount.amount) return apply(null);
    askPin("line_void", value, t("pos.pin.why_void", { limit: money(limit.line_void_amount.amount, currency) }), apply);
  });

  $("pin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!current?.pending) return;
    const { action, amount, apply } = current.pending;
    const currency = till.catalog?.currency || "CLP";
    let answer;
    try {
      answer = await api("POST", `/pos/devices/${encodeURIComponent(till.device.id)}/approvals`, {
        pin: $("pin").value.trim(),
        action,
        amount: { amount, currency },
        reason: $("pin-reason").value.trim() || t(action === "line_void" ? "pos.line.void" : "pos.line.manual"),
      });
    } catch (_) {
      return message(t("pos.pin.offline"), "offline");
    }
    $("pin").value = "";
    if (answer.ok) {
      $("search-result").textContent = t("pos.pin.approved", { manager: answer.body.manager?.email || "" });
      return apply(answer.body.approval_id);
    }
    const problem = answer.body || {};
    if (problem.code === "pin_locked") {
      const until = problem.locked_until ? new Date(problem.locked_until).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" }) : "";
      return message(t("pos.pin.locked", { until }), "locked");
    }
    if (problem.code === "pin_wrong") return message(t("pos.pin.wrong", { left: problem.attempts_left }), "wrong");
    return message(problemText(problem, t), "error");
  });

  return {
    decorate(li, line, name) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "step line-actions";
      button.textContent = "%";
      button.dataset.testid = "pos-line-actions";
      button.setAttribute("aria-label", `${t("pos.line.discount")} / ${t("pos.line.void")}: ${name}`);
      button.addEventListener("click", () => open(line, name));
      li.append(button);
      if (line.manual_discount) li.dataset.manual = "true";
    },
  };
}
