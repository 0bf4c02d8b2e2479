// The cart on the selling screen: its lines with − quantity + (touch-sized, typed quantities
// too), each promotion applied with what it takes off and each one not applied with the
// engine's reason in the page's words (pos.why.<code>), the discount, taxes and total — priced
// here by pricing.js (sell.js), the way the server will price the sale.
"use strict";

import { priceLines, money } from "./sell.js";

/** The cart's view; `render()` prices the cart again and redraws it (also `till.quote`). */
export function createCartView({ till, t, notice, lineActions }) {
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
        render();
      });
      const plus = stepper("+", t("pos.cart.more", { name: name.textContent }), () => till.cart.set(line.sku, line.quantity + 1));
      plus.dataset.testid = "pos-more";
      const total = document.createElement("span");
      total.className = "price";
      total.dataset.testid = "pos-line-total";
      total.textContent = quoted ? money(quoted.total.amount, currency) : "";
      li.append(name, minus, quantity, plus, total);
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
      render();
    });
    return button;
  }

  return { render };
}
