// The cart on the selling screen: its lines with − quantity + (touch-sized, typed quantities
// too), each promotion applied with what it takes off and each one not applied with the
// engine's reason in the page's words (pos.why.<code>), the discount, taxes and total — priced
// here by pricing.js (sell.js), the way the server will price the sale. Each line also shows
// its options and note with a button to change them (the picker of options.js), and the
// coupon typed shows the engine's verdict (details.js keeps the coupon and the customer).
"use strict";

import { priceLines, money } from "./sell.js";
import { lineKey, optionsText } from "./options.js";

/** The cart's view; `render()` prices the cart again and redraws it (also `till.quote`). */
export function createCartView({ till, t, notice, picker, lineActions }) {
  const $ = (id) => document.getElementById(id);

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
    return t(t(key) !== key ? key : "pos.why.other", facts);
  }

  function render() {
    const lines = till.cart.lines();
    const extras = { coupon: till.coupon || null, customer: till.customer || null };
    const priced = till.index ? priceLines(till.catalog, till.index, lines, Date.now(), extras) : { ok: true, quote: null };
    till.quote = priced.ok ? priced.quote : null;
    const quote = till.quote;
    const currency = till.catalog?.currency || "CLP";
    const list = $("lines");
    list.replaceChildren();
    for (const line of lines) {
      const item = till.index.exact(line.sku);
      const quoted = quote?.lines.find((l) => lineKey(l.sku, l.modifiers, l.note) === line.key);
      const li = document.createElement("li");
      li.dataset.testid = "pos-line";
      li.dataset.sku = line.sku;
      li.dataset.key = line.key;
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = item ? item.name : line.sku;
      const minus = stepper("−", t("pos.cart.less", { name: name.textContent }), () => till.cart.set(line.key, line.quantity - 1));
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
        till.cart.set(line.key, n);
        render();
      });
      const plus = stepper("+", t("pos.cart.more", { name: name.textContent }), () => till.cart.set(line.key, line.quantity + 1));
      plus.dataset.testid = "pos-more";
      const total = document.createElement("span");
      total.className = "price";
      total.dataset.testid = "pos-line-total";
      total.textContent = quoted ? money(quoted.total.amount, currency) : "";
      li.append(name, minus, quantity, plus, total);
      if (item) li.append(details(item, line));
      // A line discount or void (session-lines.js), with the manual discount shown when given.
      if (lineActions) lineActions.decorate(li, line, name.textContent);
      if (quoted?.manual_discount) {
        const off = quoted.discounts.filter((d) => d.promotion_id === "manual").reduce((s, d) => s + d.amount.amount, 0);
        const manual = document.createElement("span");
        manual.className = "manual";
        manual.dataset.testid = "pos-line-manual";
        manual.textContent = `${t("pos.line.manual")} −${money(off, currency)}`;
        li.append(manual);
      }
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
    couponState(quote, currency);
    if (!priced.ok) notice(t("pos.price_failed"));
  }

  /** A line's options and note, and the button that changes them. */
  function details(item, line) {
    const box = document.createElement("div");
    box.className = "details";
    const text = document.createElement("span");
    text.className = "chosen";
    text.dataset.testid = "pos-line-details";
    const parts = [];
    if (line.options.length) parts.push(optionsText(line.options));
    if (line.note) parts.push(t("pos.cart.note_shown", { note: line.note }));
    text.textContent = parts.join(" · ");
    const edit = document.createElement("button");
    edit.type = "button";
    edit.className = "small";
    edit.dataset.testid = "pos-line-edit";
    edit.textContent = item.modifier_groups?.length ? t("pos.cart.options") : t("pos.cart.note");
    edit.setAttribute("aria-label", t("pos.cart.edit", { name: item.name }));
    edit.addEventListener("click", async () => {
      const chosen = await picker.open(item, { options: line.options, note: line.note });
      if (chosen) till.cart.change(line.key, chosen);
      render();
    });
    box.append(text, edit);
    return box;
  }

  /** The coupon typed: applied, or the engine's reason in the page's words. */
  function couponState(quote, currency) {
    const state = $("coupon-state");
    const outcome = till.coupon ? quote?.coupons?.[0] : null;
    state.hidden = !outcome;
    if (!outcome) {
      state.textContent = "";
      delete state.dataset.state;
      return;
    }
    const name = t("pos.coupon.name", { code: outcome.code });
    state.dataset.state = outcome.applied ? "applied" : "refused";
    state.dataset.reason = outcome.reason?.code || "";
    state.textContent = outcome.applied
      ? t("pos.coupon.applied", { code: outcome.code })
      : whyText({ name, reason: outcome.reason || { code: "other" } }, currency);
  }

  function stepper(label, name, change) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "step";
    button.textContent = label;
    button.setAttribute("aria-label", name);
    button.addEventListener("click", () => {
      change();
      render();
    });
    return button;
  }

  return { render };
}
