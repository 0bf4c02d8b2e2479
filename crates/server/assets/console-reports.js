// The reports: the day's takings by channel (GET /merchants/{id}/takings) and the settlement of
// a period (GET /merchants/{id}/settlement) with its CSV (…/settlement.csv).
"use strict";
(function () {
  const { data, t, tOr, money, api, h, show, labelCells } = window.consoleApp;
  const choices = data.choices || {};
  if (!choices.merchant_id) return;
  const merchant = "/merchants/" + encodeURIComponent(choices.merchant_id);

  // The API's `to` is exclusive; the form's "to" date is included.
  function dayAfter(date) {
    const d = new Date(date + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString().slice(0, 10);
  }

  const cell = (value) => h("td", { class: "num" }, value);

  async function takings() {
    const table = document.querySelector("[data-testid=takings-table]");
    const query = new URLSearchParams({ date: choices.date });
    if (choices.location_id) query.set("location_id", choices.location_id);
    const answer = await api("GET", merchant + "/takings?" + query.toString());
    table.setAttribute("aria-busy", "false");
    if (!answer.ok || !answer.body) {
      show(document.getElementById("takings-error"), answer.detail);
      return;
    }
    const channels = answer.body.channels || [];
    const rows = channels.map((c) =>
      h("tr", { "data-testid": "takings-row", "data-channel": c.channel }, h("th", { scope: "row" }, tOr("console.channel." + c.channel, c.channel)), cell(String(c.orders)), cell(money(c.gross)), cell(money(c.refunds)), cell(money(c.net))),
    );
    if (!rows.length) rows.push(h("tr", {}, h("td", { colspan: "5", class: "empty" }, t("console.takings.empty"))));
    document.getElementById("takings-body").replaceChildren(...rows);
    const total = answer.body.total;
    if (total) {
      document
        .getElementById("takings-total")
        .replaceChildren(h("tr", { "data-testid": "takings-total" }, h("th", { scope: "row" }, t("console.takings.total")), cell(String(total.orders)), cell(money(total.gross)), cell(money(total.refunds)), cell(money(total.net))));
    }
    labelCells(table);
  }

  async function settlement() {
    const list = document.getElementById("settlement");
    // The period runs from the first day's local midnight to the one after the last day.
    const query = new URLSearchParams({ from: choices.from_at || choices.from, to: choices.to_at || dayAfter(choices.to) });
    document.getElementById("csv").href = "/api/v1" + merchant + "/settlement.csv?" + query.toString();
    const answer = await api("GET", merchant + "/settlement?" + query.toString());
    list.setAttribute("aria-busy", "false");
    if (!answer.ok || !answer.body) {
      show(document.getElementById("settlement-error"), answer.detail);
      return;
    }
    const s = answer.body;
    const promotions = s.promotions || {};
    const entries = [
      ["gross", s.gross],
      ["commission", s.commission],
      ["refunds", s.refunds],
      ["merchant_funded", promotions.merchant_funded],
      ["operator_funded", promotions.operator_funded],
      ["net", s.net],
    ];
    list.replaceChildren(
      ...entries.flatMap(([key, value]) => [
        h("dt", {}, t("console.money." + key)),
        h("dd", { "data-testid": "settlement-" + key, class: key === "net" ? "net" : null }, money(value)),
      ]),
    );
  }

  takings();
  settlement();
})();
