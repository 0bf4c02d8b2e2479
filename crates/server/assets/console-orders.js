// The order history: reads GET /merchants/{id}/orders with the page's filters (kept in the
// URL) and fills the table, 50 orders a page, with links to each order's ticket and document.
"use strict";
(function () {
  const { data, t, tOr, money, dateTime, api, h, show, labelCells } = window.consoleApp;
  const filters = data.filters || {};
  const body = document.getElementById("orders-body");
  if (!filters.merchant_id || !body) return;
  const table = document.querySelector("[data-testid=orders-table]");
  const summary = document.getElementById("orders-summary");
  const errorBox = document.getElementById("orders-error");
  const empty = document.getElementById("orders-empty");
  const perPage = data.per_page || 50;
  const page = Math.max(1, Number(filters.page) || 1);

  // The day after a YYYY-MM-DD date: the API's `to` is exclusive, the form's is inclusive.
  function dayAfter(date) {
    const d = new Date(date + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString().slice(0, 10);
  }

  function pageUrl(number) {
    const url = new URL(location.href);
    url.searchParams.set("page", String(number));
    return url.pathname + url.search;
  }

  const documentUrl = (id) => "/api/v1/fulfillments/" + encodeURIComponent(id) + "/document";
  const ticketUrl = (id) => "/api/v1/fulfillments/" + encodeURIComponent(id) + "/ticket?format=html&width=80";

  function row(item) {
    const refunded = item.refunded && item.refunded.amount > 0;
    return h(
      "tr",
      { "data-testid": "order-row", "data-fulfillment-id": item.fulfillment_id, "data-status": item.status },
      h("th", { scope: "row" }, t("console.card.number", { number: item.order_number })),
      h("td", {}, dateTime(item.created_at)),
      h("td", {}, item.customer_name || ""),
      h("td", {}, item.location_name || ""),
      h("td", {}, tOr("console.channel." + item.channel, item.channel || "")),
      h("td", {}, h("span", { class: "status status-" + item.status }, tOr("console.status." + item.status, item.status))),
      h(
        "td",
        { class: "num" },
        money(item.subtotal),
        refunded ? h("small", { class: "refunded" }, t("console.orders.refunded", { amount: money(item.refunded) })) : null,
      ),
      h(
        "td",
        { class: "links" },
        h("a", { href: ticketUrl(item.fulfillment_id), target: "_blank", rel: "noopener" }, t("console.orders.ticket")),
        " ",
        h("a", { href: documentUrl(item.fulfillment_id), target: "_blank", rel: "noopener" }, t("console.orders.document")),
      ),
    );
  }

  async function load() {
    const query = new URLSearchParams({ limit: String(perPage), offset: String((page - 1) * perPage) });
    for (const key of ["q", "status", "location_id"]) if (filters[key]) query.set(key, filters[key]);
    if (filters.from) query.set("from", filters.from_at || filters.from);
    if (filters.to) query.set("to", filters.to_at || dayAfter(filters.to));
    const answer = await api("GET", "/merchants/" + encodeURIComponent(filters.merchant_id) + "/orders?" + query.toString());
    if (!answer.ok) {
      show(summary, "");
      show(errorBox, answer.detail);
      return;
    }
    const items = (answer.body && answer.body.items) || [];
    const total = (answer.body && answer.body.total) || 0;
    body.replaceChildren(...items.map(row));
    labelCells(table);
    table.hidden = items.length === 0;
    const filtered = ["q", "status", "location_id", "from", "to"].some((key) => filters[key]);
    if (!items.length) {
      show(summary, "");
      show(empty, page > 1 ? t("console.orders.empty_page") : filtered ? t("console.orders.empty_filtered") : t("console.orders.empty"));
    } else {
      const first = (page - 1) * perPage + 1;
      show(summary, t("console.orders.summary", { first, last: first + items.length - 1, total }));
    }
    const prev = document.getElementById("prev");
    const next = document.getElementById("next");
    prev.hidden = page <= 1;
    prev.href = pageUrl(page - 1);
    next.hidden = page * perPage >= total;
    next.href = pageUrl(page + 1);
    const pages = Math.max(1, Math.ceil(total / perPage));
    document.getElementById("page-of").textContent = total ? t("console.orders.page_of", { page, pages }) : "";
  }

  load();
})();
