// The desk's queue (/support): tabs for the standing queues, filters by store and category,
// search by words or #number, a page at a time. Rows are read from the list API and read again
// (debounced) on every support.ticket_changed of the live feed, so a new or changed ticket
// shows without a reload; the filters live in the address so a reload keeps them.
"use strict";
(function () {
  const { data, t, h, show } = window.consoleApp;
  const desk = window.supportDesk;
  const PER_PAGE = 25;
  const QUEUES = ["new", "mine", "overdue", "unassigned", "all"];

  const rows = document.getElementById("rows");
  const empty = document.getElementById("empty");
  const loadError = document.getElementById("load-error");
  const connection = document.getElementById("connection");
  const announcer = document.getElementById("announcer");
  const pageInfo = document.getElementById("page-info");
  const previous = document.getElementById("previous");
  const next = document.getElementById("next");
  const storeSelect = document.getElementById("filter-store");
  const categorySelect = document.getElementById("filter-category");
  const search = document.getElementById("filter-q");

  for (const store of data.stores || []) storeSelect.append(h("option", { value: store.id }, store.name));

  const params = new URLSearchParams(location.search);
  const state = {
    queue: QUEUES.includes(params.get("queue")) ? params.get("queue") : "new",
    store: params.get("store") || "",
    category: params.get("category") || "",
    q: params.get("q") || "",
    page: Math.max(1, Number(params.get("page")) || 1),
  };
  storeSelect.value = state.store;
  categorySelect.value = state.category;
  search.value = state.q;

  let known = null; // ticket id → updated_at, to mark what changed since the last read
  let selected = 0;
  let total = 0;

  function remember() {
    const query = new URLSearchParams();
    if (state.queue !== "new") query.set("queue", state.queue);
    if (state.store) query.set("store", state.store);
    if (state.category) query.set("category", state.category);
    if (state.q) query.set("q", state.q);
    if (state.page > 1) query.set("page", String(state.page));
    const text = query.toString();
    history.replaceState(null, "", location.pathname + (text ? "?" + text : ""));
  }

  function apiPath() {
    const query = new URLSearchParams({ limit: String(PER_PAGE), offset: String((state.page - 1) * PER_PAGE) });
    if (state.queue === "all") query.set("status", "new,open,waiting_on_store,resolved");
    else query.set("queue", state.queue);
    if (state.store) query.set("location_id", state.store);
    if (state.category) query.set("category", state.category);
    if (state.q) query.set("q", state.q.trim());
    return "/support/tickets?" + query.toString();
  }

  function row(ticket, fresh) {
    const deadline = desk.nextDeadline(ticket);
    const left = deadline ? desk.timeLeft(deadline, Date.now()) : { text: ticket.sla_paused ? t("console.support.due.paused") : "—", overdue: false };
    const link = h("a", { href: "/support/tickets/" + encodeURIComponent(ticket.id), "data-testid": "desk-row-link" }, ticket.subject);
    return h(
      "tr",
      {
        class: "desk-row" + (fresh ? " fresh" : "") + (left.overdue ? " overdue" : ""),
        tabindex: "-1",
        "data-testid": "desk-row",
        dataset: { ticketId: ticket.id, number: String(ticket.number), status: ticket.status },
      },
      h("td", { "data-label": "#" }, "#" + ticket.number),
      h("td", { "data-label": t("console.support.col.subject") }, link),
      h("td", { "data-label": t("console.support.col.store") }, desk.storeName(ticket.location_id)),
      h("td", { "data-label": t("console.support.col.category") }, t("console.support.category." + ticket.category)),
      h("td", { "data-label": t("console.support.col.priority") }, h("span", { class: "priority priority-" + ticket.priority }, t("console.support.priority." + ticket.priority))),
      h("td", { "data-label": t("console.support.col.status") }, t("console.support.status." + ticket.status)),
      h("td", { "data-label": t("console.support.col.due"), class: left.overdue ? "due overdue" : "due", "data-testid": "desk-row-due" }, left.text),
    );
  }

  function emptyText() {
    if (state.q || state.store || state.category) return t("console.support.queue.empty_filtered");
    return t("console.support.queue.empty." + state.queue);
  }

  let inFlight = false;
  let again = false;
  async function refresh() {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    const answer = await desk.list(apiPath());
    inFlight = false;
    if (!answer.ok) {
      show(loadError, answer.network ? t("console.error.network") : t("console.error.status", { status: answer.status }));
    } else {
      show(loadError, "");
      total = answer.total;
      const firstRead = known === null;
      const seen = new Map(answer.items.map((ticket) => [ticket.id, ticket.updated_at]));
      const changed = answer.items.filter((ticket) => !firstRead && known.get(ticket.id) !== ticket.updated_at);
      rows.replaceChildren(...answer.items.map((ticket) => row(ticket, changed.includes(ticket))));
      known = seen;
      if (changed.length) announcer.textContent = t("console.support.queue.changed", { count: changed.length });
      show(empty, answer.items.length ? "" : emptyText());
      const pages = Math.max(1, Math.ceil(total / PER_PAGE));
      pageInfo.textContent = t("console.support.queue.page_of", { page: state.page, pages, total });
      previous.disabled = state.page <= 1;
      next.disabled = state.page >= pages;
      selected = Math.min(selected, Math.max(0, answer.items.length - 1));
      mark();
    }
    if (again) {
      again = false;
      refreshSoon(100);
    }
  }
  let timer = null;
  function refreshSoon(delayMs) {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      refresh();
    }, delayMs);
  }

  function tabs() {
    document.querySelectorAll("[data-queue]").forEach((tab) => {
      const on = tab.dataset.queue === state.queue;
      tab.setAttribute("aria-selected", String(on));
      tab.classList.toggle("active", on);
    });
  }
  document.querySelectorAll("[data-queue]").forEach((tab) =>
    tab.addEventListener("click", () => {
      state.queue = tab.dataset.queue;
      state.page = 1;
      known = null;
      tabs();
      remember();
      refresh();
    }),
  );
  document.getElementById("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    state.store = storeSelect.value;
    state.category = categorySelect.value;
    state.q = search.value.trim();
    state.page = 1;
    known = null;
    remember();
    refresh();
  });
  for (const select of [storeSelect, categorySelect]) select.addEventListener("change", () => document.getElementById("filters").requestSubmit());
  previous.addEventListener("click", () => {
    state.page = Math.max(1, state.page - 1);
    remember();
    refresh();
  });
  next.addEventListener("click", () => {
    state.page += 1;
    remember();
    refresh();
  });

  // --- keyboard ------------------------------------------------------------------------------
  function current() {
    return rows.children[selected] || null;
  }
  function mark() {
    [...rows.children].forEach((tr, i) => tr.classList.toggle("selected", i === selected));
  }
  function move(by) {
    const count = rows.children.length;
    if (!count) return;
    selected = Math.min(count - 1, Math.max(0, selected + by));
    mark();
    const tr = current();
    if (tr) tr.focus();
  }
  function open(hash) {
    const tr = current();
    if (tr) location.href = "/support/tickets/" + encodeURIComponent(tr.dataset.ticketId) + (hash || "");
  }
  async function change(body) {
    const tr = current();
    if (!tr) return;
    const answer = await window.consoleApp.api("PATCH", "/support/tickets/" + encodeURIComponent(tr.dataset.ticketId), body);
    if (!answer.ok) show(loadError, window.consoleApp.refusal(answer, { scope: "console.support.problem" }).text);
    refresh();
  }
  desk.shortcuts({
    j: () => move(1),
    k: () => move(-1),
    Enter: () => open(""),
    r: () => open("#reply"),
    n: () => open("#note"),
    a: () => change({ assignee_id: data.me.id }),
    e: () => change({ status: "resolved" }),
    "/": () => search.focus(),
  });

  // --- live ----------------------------------------------------------------------------------
  desk.follow(
    () => refreshSoon(250),
    (open) => {
      show(connection, open ? "" : t("console.support.offline"));
      if (open) refreshSoon(0);
    },
  );
  setInterval(() => refreshSoon(0), 60000);

  tabs();
  refresh();
  if (location.hash === "#search") search.focus();
})();
