// The cash session's money on the till page (issue 14, point 2): cash put in or taken out of
// the drawer with a reason (a dialog over the selling screen), the close counted note by note
// and coin by coin (the counted cash is their sum; expected, counted and the difference are
// shown as the cashier counts), and the session's report (an 80 mm page served by
// GET /api/v1/pos/sessions/{id}/report?format=html) linked once the till is closed.
"use strict";

import { problemText } from "./sell.js";

/** The cash dialog, the count on the close screen and the report link. */
export function setupSession({ till, api, t, notice, money, parseAmount }) {
  const $ = (id) => document.getElementById(id);
  const currency = () => till.session?.currency || till.catalog?.currency || "CLP";
  let expected = null;

  // --- cash in / out ---------------------------------------------------------------------
  $("cash-move").addEventListener("click", () => {
    $("cash-error").hidden = true;
    $("cash-amount").value = "";
    $("cash-reason").value = "";
    $("cash-dialog").showModal();
    $("cash-amount").focus();
  });
  $("cash-cancel").addEventListener("click", () => $("cash-dialog").close());
  $("cash-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const cur = currency();
    const amount = parseAmount($("cash-amount").value, cur);
    const reason = $("cash-reason").value.trim();
    const direction = $("cash-form").querySelector("input[name=direction]:checked")?.value || "out";
    const fail = (text) => {
      $("cash-error").textContent = text;
      $("cash-error").hidden = false;
    };
    if (amount === null || amount <= 0) return fail(t("pos.bad_amount"));
    if (!reason) return fail(t("pos.cashmove.reason_required"));
    try {
      const answer = await api("POST", `/pos/sessions/${encodeURIComponent(till.session.id)}/cash-movements`, {
        direction,
        amount: { amount, currency: cur },
        reason,
      });
      if (!answer.ok) return fail(problemText(answer.body, t));
    } catch (_) {
      return fail(t("pos.offline_setup"));
    }
    $("cash-dialog").close();
    const label = direction === "in" ? t("pos.cashmove.in") : t("pos.cashmove.out");
    $("cash-result").textContent = t("pos.cashmove.done", { direction: label, amount: money(amount, cur), reason });
    notice("");
  });

  // --- the count per denomination on the close screen -------------------------------------
  const DENOMINATIONS = { CLP: [20000, 10000, 5000, 2000, 1000, 500, 100, 50, 10] };

  function counts() {
    return [...$("count-grid").querySelectorAll("input[data-value]")]
      .map((input) => ({ value: Number(input.dataset.value), count: Math.max(0, Math.floor(Number(input.value) || 0)) }))
      .filter((line) => line.count > 0);
  }

  function recount() {
    const cur = currency();
    const lines = counts();
    const total = lines.reduce((sum, line) => sum + line.value * line.count, 0);
    for (const input of $("count-grid").querySelectorAll("input[data-value]")) {
      const n = Math.max(0, Math.floor(Number(input.value) || 0));
      input.closest("li").querySelector(".price").textContent = money(Number(input.dataset.value) * n, cur);
    }
    $("count-total").textContent = money(total, cur);
    if (lines.length) $("counted").value = String(total);
    live();
  }

  function live() {
    const cur = currency();
    const counted = parseAmount($("counted").value, cur);
    $("live-expected").textContent = expected === null ? "…" : money(expected, cur);
    const difference = expected === null || counted === null ? null : counted - expected;
    $("live-difference").textContent = difference === null ? "…" : money(difference, cur);
    $("live-difference").dataset.amount = difference === null ? "" : String(difference);
  }

  $("close-session").addEventListener("click", async () => {
    $("report-link").hidden = true;
    const cur = currency();
    const grid = $("count-grid");
    grid.replaceChildren();
    for (const value of DENOMINATIONS[cur] || []) {
      const li = document.createElement("li");
      const label = document.createElement("label");
      label.textContent = money(value, cur);
      const input = document.createElement("input");
      input.type = "number";
      input.min = "0";
      input.max = "1000000";
      input.inputMode = "numeric";
      input.dataset.value = String(value);
      input.dataset.testid = `pos-count-${value}`;
      input.setAttribute("aria-label", `${money(value, cur)} ×`);
      input.addEventListener("input", recount);
      label.append(input);
      const amount = document.createElement("span");
      amount.className = "price";
      li.append(label, amount);
      grid.append(li);
    }
    $("count").hidden = !(DENOMINATIONS[cur] || []).length;
    expected = null;
    recount();
    try {
      const answer = await api("GET", `/pos/sessions/${encodeURIComponent(till.session.id)}`);
      if (answer.ok) expected = answer.body.expected_cash.amount;
    } catch (_) {
      /* offline: the close waits for the network anyway */
    }
    live();
  });
  $("counted").addEventListener("input", live);

  return {
    /** What the close sends besides the counted cash: the count, when one was typed. */
    closeBody() {
      const lines = counts();
      return lines.length ? { denominations: lines } : {};
    },
    /** After a close: the link to the session's report in the page's language. */
    afterClose(sessionId) {
      const lang = document.documentElement.lang || "es";
      $("report-link").href =
        `/api/v1/pos/sessions/${encodeURIComponent(sessionId)}/report?format=html&lang=${encodeURIComponent(lang)}`;
      $("report-link").hidden = false;
    },
  };
}
