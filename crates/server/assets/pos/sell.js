// The selling half of the till, with no DOM: the catalogue snapshot looked up by name, SKU or
// barcode; the cart; its price by the pricing engine's port (pricing.js) with the same inputs
// the server gives the Rust engine (pricing/cart.rs), so the total on screen is the total the
// server records; amounts typed by the cashier; and the tenders that pay a total.
"use strict";

import { priceCart, displayMoney } from "./pricing.js";
import { chooseOptions, lineKey, sortOptions } from "./options.js";

const EXPONENT = { CLP: 0, COP: 0, PEN: 2, USD: 2 };

/** Money as people read it ($12.990, S/ 12.50). */
export function money(amount, currency) {
  return displayMoney({ amount, currency });
}

/**
 * An amount the cashier typed, in minor units, or null. CLP/COP have no decimals ("20.000" and
 * "20000" are both 20 000); PEN/USD accept "12.50" or "12,50".
 */
export function parseAmount(text, currency) {
  const raw = String(text || "").trim().replace(/^(S\/|\$)\s*/, "");
  if (!raw) return null;
  const exponent = EXPONENT[currency] ?? 0;
  if (exponent === 0) {
    if (!/^\d{1,3}([.,\s]?\d{3})*$/.test(raw) && !/^\d+$/.test(raw)) return null;
    const value = Number(raw.replace(/[.,\s]/g, ""));
    return Number.isSafeInteger(value) ? value : null;
  }
  const match = /^(\d+)(?:[.,](\d{1,2}))?$/.exec(raw.replace(/\s/g, ""));
  if (!match) return null;
  const value = Number(match[1]) * 100 + Number((match[2] || "0").padEnd(2, "0"));
  return Number.isSafeInteger(value) ? value : null;
}

/**
 * A refusal from the server (problem+json) in the cashier's words: the fields named for a
 * `validation_failed`, the catalog's `pos.problem.<code>` when it has one, else
 * `pos.failed` — never the server's English `detail`. `t` returns the key itself for a key the
 * catalog lacks, which is how a missing text is told.
 */
export function problemText(problem, t) {
  const code = problem?.code;
  // A validation problem names its fields: more use to the cashier than the general sentence.
  const fields = [...new Set((problem?.errors || []).map((e) => e?.field).filter(Boolean))];
  if (code === "validation_failed" && fields.length) return t("pos.problem.fields", { fields: fields.join(", ") });
  if (code) {
    const key = `pos.problem.${code}`;
    if (t(key) !== key) return t(key);
  }
  return t("pos.failed");
}

/**
 * A card the terminal declined, in the catalog's words (`pos.decline.<code>`), or null when
 * `problem` is not a decline.
 */
export function declineText(problem, t) {
  if (!problem?.decline_code) return null;
  const key = `pos.decline.${problem.decline_code}`;
  return t("pos.pay.declined", {
    code: problem.decline_code,
    next: t(key) === key ? t("pos.decline.other") : t(key),
  });
}

/** Lookups over the till's catalogue snapshot (GET /api/v1/pos/catalog). */
export function indexCatalog(catalog) {
  const bySku = new Map();
  const byBarcode = new Map();
  for (const item of catalog.items) {
    bySku.set(item.sku.toUpperCase(), item);
    if (item.barcode) byBarcode.set(item.barcode.trim(), item);
  }
  return {
    catalog,
    /** The one item a scanned or typed code names exactly (barcode, then SKU), or null. */
    exact(code) {
      const wanted = code.trim();
      return byBarcode.get(wanted) || bySku.get(wanted.toUpperCase()) || null;
    },
    /** Items whose name, SKU or barcode contains every word typed (at most `limit`). */
    search(text, limit = 30) {
      const words = text.toLowerCase().split(/\s+/).filter(Boolean);
      if (!words.length) return [];
      const fold = (s) => s.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();
      const found = [];
      for (const item of catalog.items) {
        const hay = fold(`${item.name} ${item.sku} ${item.barcode || ""}`);
        if (words.every((w) => hay.includes(fold(w)))) found.push(item);
        if (found.length >= limit) break;
      }
      return found;
    },
  };
}

/**
 * The cart: lines of {key, sku, quantity, options, note}, in the order they were first added.
 * `key` tells apart lines of one SKU with other options or another note (options.js
 * `lineKey`); a line with neither has its SKU as key, so `set(sku, n)` still names it. A line
 * may also carry a cashier's `manual_discount` and its `approval_id` (session-lines.js); the
 * lines voided before payment are kept for the sale.
 */
export function createCart() {
  let lines = [];
  let voided = [];
  const find = (key) => lines.find((l) => l.key === key);
  // A manager's approval was given for the discount on the line as it was: another quantity or
  // other options make it another amount, so the approved discount goes with its approval. A
  // discount within the cashier's own limit (no approval) stays.
  const dropApproved = (line) => {
    if (line.approval_id) {
      delete line.manual_discount;
      delete line.approval_id;
    }
  };
  return {
    lines: () => lines.map((l) => ({ ...l, options: [...l.options] })),
    add(sku, quantity = 1, details = {}) {
      const options = sortOptions(details.options);
      const note = details.note || null;
      const key = lineKey(sku, options, note);
      const line = find(key);
      if (line) {
        line.quantity = Math.min(9999, line.quantity + quantity);
        dropApproved(line);
      } else lines.push({ key, sku, quantity, options, note });
    },
    set(key, quantity) {
      if (quantity <= 0) lines = lines.filter((l) => l.key !== key);
      else {
        const line = find(key);
        if (line && line.quantity !== quantity) {
          line.quantity = Math.min(9999, quantity);
          dropApproved(line);
        }
      }
    },
    /** Gives the line `key` other options or another note (merging into an equal line). */
    change(key, details) {
      const line = find(key);
      if (!line) return;
      const options = sortOptions(details.options);
      const note = details.note || null;
      const next = lineKey(line.sku, options, note);
      if (next === key) return;
      const twin = find(next);
      if (twin) {
        // The merged line is neither discount's line any more: both go, approved or not.
        twin.quantity = Math.min(9999, twin.quantity + line.quantity);
        delete twin.manual_discount;
        delete twin.approval_id;
        lines = lines.filter((l) => l !== line);
      } else {
        // Other options change the price; another note alone does not.
        const sameOptions = JSON.stringify(line.options) === JSON.stringify(options);
        Object.assign(line, { key: next, options, note });
        if (!sameOptions) dropApproved(line);
      }
    },
    clear() {
      lines = [];
      voided = [];
    },
    /** Sets extra fields of the line `key` (its manual discount and approval). */
    update(key, fields) {
      const line = find(key);
      if (line) Object.assign(line, fields);
    },
    /** Takes the line `key` off the cart, keeping it as voided (with its approval, when one was needed). */
    void(key, approvalId) {
      const line = find(key);
      if (!line) return;
      lines = lines.filter((l) => l !== line);
      const entry = { sku: line.sku, quantity: line.quantity };
      if (approvalId) entry.approval_id = approvalId;
      voided.push(entry);
    },
    /** The lines voided, as the sale body carries them. */
    voided: () => voided.map((v) => ({ ...v })),
    isEmpty: () => lines.length === 0,
  };
}

/** The site's wall clock at `nowMs`: ISO weekday (1 = Monday) and minute of the day. */
export function localTime(timezone, nowMs) {
  const parts = {};
  try {
    const format = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    for (const part of format.formatToParts(new Date(nowMs))) parts[part.type] = part.value;
  } catch (_) {
    const d = new Date(nowMs);
    return { weekday: ((d.getUTCDay() + 6) % 7) + 1, minute: d.getUTCHours() * 60 + d.getUTCMinutes() };
  }
  const weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(parts.weekday) + 1;
  return { weekday: weekday || 1, minute: (Number(parts.hour) % 24) * 60 + Number(parts.minute) };
}

/**
 * The coupons of the snapshot the engine is given for `code`: the snapshot's counts as taken;
 * a per-customer count is unknown offline, so with a customer attached it is taken as none
 * used (the server counts it when the sale arrives), without one the engine asks for one.
 */
export function tillCoupons(catalog, code, customer) {
  if (!code) return [];
  const wanted = code.trim().toUpperCase();
  return (catalog.coupons || [])
    .filter((c) => c.code === wanted)
    .map((c) => ({ ...c, used_by_customer: c.used_by_customer ?? (customer && c.per_customer_limit != null ? 0 : null) }));
}

/**
 * Prices the cart as the server will: {ok: true, quote} or {ok: false, error}. `extras` may
 * carry the coupon typed and the customer attached ({coupon, customer}).
 */
export function priceLines(catalog, index, lines, nowMs = Date.now(), extras = {}) {
  const engineLines = [];
  for (const line of lines) {
    const item = index.exact(line.sku);
    if (!item) continue;
    // Options the snapshot's groups do not allow leave the line out of the price (the picker
    // never makes such a line; a snapshot refreshed under the cart might).
    const chosen = chooseOptions(item.modifier_groups || [], line.options || []);
    if (!chosen.ok) continue;
    engineLines.push({
      sku: item.sku,
      location_id: catalog.location_id,
      merchant_id: catalog.merchant_id,
      quantity: line.quantity,
      base_price: item.base_price,
      tax: item.tax,
      track_stock: item.track_stock,
      modifiers: chosen.modifiers,
      note: line.note || null,
      manual_discount: line.manual_discount ?? null,
    });
  }
  if (!engineLines.length) return { ok: true, quote: null };
  return priceCart({
    currency: catalog.currency,
    channel: catalog.channel || "pos",
    now_ms: nowMs,
    local: localTime(catalog.timezone, nowMs),
    price_lists: catalog.price_lists || [],
    promotions: catalog.promotions || [],
    coupon_codes: extras.coupon ? [extras.coupon] : [],
    coupons: tillCoupons(catalog, extras.coupon, extras.customer),
    lines: engineLines,
  });
}

/**
 * How `tenders` ([{method, amount, tendered?}], in minor units) pay `total`: what is still
 * owed and the change (cash only gives change), the same rule as the server's.
 */
export function settle(total, tenders) {
  const handed = tenders.reduce((sum, t) => sum + (t.method === "cash" ? t.tendered ?? t.amount : t.amount), 0);
  return { remaining: Math.max(0, total - handed), change: Math.max(0, handed - total) };
}

/**
 * The payments of the sale body: cash pays what is left after the cards, with what was handed
 * over as `tendered`; cards pay their amount.
 */
export function payments(total, tenders, currency) {
  const nonCash = tenders.filter((t) => t.method !== "cash").reduce((sum, t) => sum + t.amount, 0);
  let owed = Math.max(0, total - nonCash);
  return tenders.map((t) => {
    if (t.method !== "cash") {
      const payment = { method: t.method, amount: { amount: t.amount, currency } };
      if (t.reference) payment.reference = t.reference;
      if (t.card_number) payment.card_number = t.card_number;
      return payment;
    }
    const handed = t.tendered ?? t.amount;
    const pays = Math.max(1, Math.min(handed, owed));
    owed -= Math.min(handed, owed);
    return { method: "cash", amount: { amount: pays, currency }, tendered: { amount: handed, currency } };
  });
}
