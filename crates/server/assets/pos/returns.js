// The till's returns screen (issue 17 point 6): the cashier finds a purchase from any channel
// (order number, receipt number or the text of the receipt's QR, or the customer's phone —
// GET /returns/lookup), sees per line what can still come back, chooses quantities, restock
// here or the damaged bin, a reason and where the money goes (the original payment or store
// credit, asking for an e-mail or phone when the purchase has none), and takes the return
// (POST /returns). What the merchant's policy refuses is shown in plain words with a button for
// a manager's PIN (the till's approval flow, POST /pos/devices/{id}/approvals), whose approval
// goes with the return as its override. The result — refund and credit note — prints like the
// receipt. Online only: the purchase, its returnable units and the refund live on the server.
"use strict";

import { api } from "./queue.js";
import { money, problemText } from "./sell.js";

/** What the cashier typed, as lookup query parameters: an order number, or a receipt number
 *  (a digital receipt's QR text is its link, whose token the lookup also takes). */
export function queryParams(text, phone) {
  const params = new URLSearchParams();
  let value = (text || "").trim();
  // A digital receipt's QR holds its link (…/r/{token}): the server finds the sale by the token.
  const link = /\/r\/([^/?#\s]+)/.exec(value);
  if (link) value = link[1];
  if (value) {
    if (/^#?\d+$/.test(value)) params.set("order_number", value.replace(/^#/, ""));
    else params.set("receipt_number", value);
  }
  if ((phone || "").trim()) params.set("phone", phone.trim());
  return params;
}

/** Wires the returns screen; `done()` goes back to selling. */
export function createReturns({ till, show, t, done }) {
  const $ = (id) => document.getElementById(id);
  let purchase = null;
  let approvalId = null;
  let key = null;

  function message(el, text) {
    el.textContent = text || "";
    el.hidden = !text;
  }

  function reset() {
    purchase = null;
    approvalId = null;
    key = null;
    $("returns-form").hidden = true;
    $("returns-result").hidden = true;
    $("returns-find").hidden = false;
    $("returns-matches").hidden = true;
    $("returns-print").hidden = true;
    $("returns-again").hidden = true;
    message($("returns-error"), "");
    policy([]);
  }

  function start() {
    reset();
    $("returns-query").value = "";
    $("returns-phone").value = "";
    show("returns");
    $("returns-query").focus();
  }

  /** The policy's refusal in plain words, with the PIN button while no approval is given. */
  function policy(breaches) {
    const words = breaches.map((b) => {
      const key = `pos.returns.breach.${b}`;
      return t(key) === key ? b : t(key);
    });
    message($("returns-policy"), words.length ? t("pos.returns.refused", { rules: words.join(" ") }) : "");
    $("returns-authorize").hidden = !words.length || Boolean(approvalId);
    $("returns-pin").hidden = true;
    message($("returns-approved"), approvalId ? $("returns-approved").textContent : "");
  }

  function refundTo() {
    return document.querySelector('input[name="refund_to"]:checked')?.value || "original";
  }

  function customerField() {
    const known = purchase && (purchase.customer_email || purchase.customer_phone);
    $("returns-customer-field").hidden = refundTo() !== "store_credit" || Boolean(known);
  }

  function render(found) {
    purchase = found;
    approvalId = null;
    key = null;
    $("returns-matches").hidden = true;
    $("returns-form").hidden = false;
    $("returns-form").dataset.source = found.source;
    $("returns-form").dataset.id = found.id;
    $("returns-heading").textContent = t("pos.returns.purchase", { label: found.label });
    const when = new Date(found.purchased_at).toLocaleDateString(document.documentElement.lang);
    const paid = (found.paid_with || "").split("+").map((m) => {
      const key = `pos.returns.paid.${m}`;
      return t(key) === key ? m : t(key);
    });
    $("returns-meta").textContent = t("pos.returns.meta", { date: when, paid: paid.join(" + ") });
    const list = $("returns-lines");
    list.replaceChildren();
    for (const line of found.lines) {
      const li = document.createElement("li");
      li.dataset.testid = "pos-returns-line";
      li.dataset.sku = line.sku;
      li.dataset.returnable = String(line.returnable);
      const name = document.createElement("p");
      name.className = "name";
      name.textContent = `${line.name || line.sku} (${line.sku}) · ${money(line.paid.amount, line.paid.currency)}`;
      const counts = document.createElement("p");
      counts.className = "hint";
      counts.textContent = t("pos.returns.counts", { bought: line.bought, returned: line.returned, left: line.returnable });
      const qty = document.createElement("label");
      qty.className = "field";
      qty.textContent = t("pos.returns.quantity");
      const input = document.createElement("input");
      input.type = "number";
      input.inputMode = "numeric";
      input.min = "0";
      input.value = "0";
      input.dataset.testid = "pos-returns-qty";
      qty.append(input);
      const where = document.createElement("label");
      where.className = "field";
      where.textContent = t("pos.returns.condition");
      const select = document.createElement("select");
      select.dataset.testid = "pos-returns-restock";
      for (const [value, text] of [["restock", t("pos.returns.restock")], ["damaged", t("pos.returns.damaged")]]) {
        const option = document.createElement("option");
        option.value = value;
        option.textContent = text;
        select.append(option);
      }
      where.append(select);
      li.append(name, counts, qty, where);
      list.append(li);
    }
    $("returns-reason").value = "";
    $("returns-customer").value = "";
    customerField();
    policy(found.policy_breaches || []);
  }

  function chooseAmong(found) {
    const list = $("returns-matches");
    list.replaceChildren();
    for (const one of found) {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "big";
      button.dataset.testid = "pos-returns-match";
      button.textContent = `${one.label} · ${new Date(one.purchased_at).toLocaleDateString(document.documentElement.lang)}`;
      button.addEventListener("click", () => render(one));
      li.append(button);
      list.append(li);
    }
    list.hidden = false;
  }

  $("returns-find").addEventListener("submit", async (event) => {
    event.preventDefault();
    reset();
    const params = queryParams($("returns-query").value, $("returns-phone").value);
    if (![...params.keys()].length) return message($("returns-error"), t("pos.returns.give_something"));
    params.set("location_id", till.device.location_id);
    let answer;
    try {
      answer = await api("GET", `/returns/lookup?${params}`);
    } catch (_) {
      return message($("returns-error"), t("pos.returns.offline"));
    }
    if (!answer.ok) return message($("returns-error"), problemText(answer.body, t));
    const found = answer.body || [];
    if (!found.length) return message($("returns-error"), t("pos.returns.none"));
    if (found.length === 1) return render(found[0]);
    chooseAmong(found);
  });

  for (const radio of document.querySelectorAll('input[name="refund_to"]')) {
    radio.addEventListener("change", customerField);
  }

  function chosenLines() {
    const lines = [];
    for (const li of document.querySelectorAll('#returns-lines [data-testid="pos-returns-line"]')) {
      const quantity = Number.parseInt(li.querySelector("input").value, 10) || 0;
      if (quantity === 0) continue;
      const restock = li.querySelector("select").value === "restock";
      lines.push({ sku: li.dataset.sku, quantity, restock, condition: restock ? "resellable" : "damaged" });
    }
    return lines;
  }

  /** Why the server refused, in the cashier's words. */
  function refusal(problem) {
    if (problem?.code === "return_policy_refused") {
      policy((problem.errors || []).map((e) => e.field));
      return "";
    }
    const errors = problem?.errors || [];
    const tooMany = errors.filter((e) => /quantity/.test(e.field || "") && /more than/.test(e.message || ""));
    if (tooMany.length) {
      const skus = tooMany.map((e) => /of (\S+)\)/.exec(e.message)?.[1] || e.field).join(", ");
      return t("pos.returns.too_many", { skus });
    }
    if (errors.some((e) => e.field === "customer")) {
      $("returns-customer-field").hidden = false;
      return t("pos.returns.need_customer");
    }
    return problemText(problem, t);
  }

  $("returns-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!purchase) return;
    message($("returns-error"), "");
    const lines = chosenLines();
    if (!lines.length) return message($("returns-error"), t("pos.returns.choose"));
    const body = {
      location_id: till.device.location_id,
      device_id: till.device.id,
      lines,
      refund_to: refundTo(),
      reason: $("returns-reason").value.trim() || t("pos.returns.default_reason"),
    };
    body[purchase.source === "sale" ? "sale_id" : "order_id"] = purchase.id;
    const customer = $("returns-customer").value.trim();
    if (customer && !$("returns-customer-field").hidden) body.customer = customer;
    if (approvalId) body.override = { approval_id: approvalId, reason: body.reason };
    // One key per attempt with the same body: a retry after a lost answer is not a second refund.
    const fingerprint = JSON.stringify(body);
    if (!key || key.fingerprint !== fingerprint) key = { fingerprint, value: crypto.randomUUID?.() || `ret-${Date.now()}-${Math.random().toString(36).slice(2)}` };
    $("returns-submit").disabled = true;
    let answer;
    try {
      answer = await api("POST", "/returns", body, { "idempotency-key": key.value });
    } catch (_) {
      $("returns-submit").disabled = false;
      return message($("returns-error"), t("pos.returns.offline"));
    }
    $("returns-submit").disabled = false;
    if (!answer.ok) return message($("returns-error"), refusal(answer.body));
    result(answer.body);
  });

  function result(ret) {
    $("returns-form").hidden = true;
    $("returns-find").hidden = true;
    $("returns-note").textContent = ret.credit_note.number;
    $("returns-purchase-label").textContent = t("pos.returns.purchase", { label: ret.purchase_label || purchase.label });
    const table = $("returns-result-lines");
    table.replaceChildren();
    for (const line of ret.lines) {
      const row = document.createElement("tr");
      for (const text of [`${line.quantity} × ${line.sku}`, money(line.refund.amount, line.refund.currency)]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.append(cell);
      }
      table.append(row);
    }
    $("returns-amount").textContent = money(ret.refund.amount, ret.refund.currency);
    $("returns-amount").dataset.amount = String(ret.refund.amount);
    $("returns-method").textContent = t(`pos.returns.method.${ret.refund_method}`);
    $("returns-result").dataset.method = ret.refund_method;
    $("returns-result").dataset.id = ret.id;
    $("returns-result").hidden = false;
    $("returns-print").hidden = false;
    $("returns-again").hidden = false;
  }

  $("returns-authorize").addEventListener("click", () => {
    $("returns-authorize").hidden = true;
    $("returns-pin").hidden = false;
    $("returns-pin-input").focus();
  });

  $("returns-pin-approve").addEventListener("click", async () => {
    const currency = purchase?.lines?.[0]?.paid?.currency || till.catalog?.currency || "CLP";
    const amount = chosenLinesValue();
    let answer;
    try {
      // The till's approvals know discounts and voids; a return set aside from the policy is
      // approved as a void of what is refunded, and the return records the override itself.
      answer = await api("POST", `/pos/devices/${encodeURIComponent(till.device.id)}/approvals`, {
        pin: $("returns-pin-input").value.trim(),
        action: "line_void",
        amount: { amount, currency },
        reason: t("pos.returns.approval_reason", { label: purchase?.label || "" }),
      });
    } catch (_) {
      return message($("returns-approved"), t("pos.pin.offline"));
    }
    $("returns-pin-input").value = "";
    if (!answer.ok) {
      const problem = answer.body || {};
      if (problem.code === "pin_wrong") return message($("returns-approved"), t("pos.pin.wrong", { left: problem.attempts_left }));
      return message($("returns-approved"), problemText(problem, t));
    }
    approvalId = answer.body.approval_id;
    $("returns-pin").hidden = true;
    message($("returns-approved"), t("pos.returns.approved", { manager: answer.body.manager?.email || "" }));
  });

  /** What the chosen units paid, pro rata (for the approval's amount). */
  function chosenLinesValue() {
    let total = 0;
    for (const chosen of chosenLines()) {
      const line = purchase?.lines?.find((l) => l.sku === chosen.sku);
      if (line && line.bought > 0) total += Math.round((line.paid.amount * chosen.quantity) / line.bought);
    }
    return total;
  }

  $("returns-print").addEventListener("click", () => window.print());
  $("returns-again").addEventListener("click", start);
  $("returns-back").addEventListener("click", () => done());
  $("returns-open").addEventListener("click", start);

  return { start };
}
