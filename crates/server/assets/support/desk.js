// Shared by the agents' pages (/support…): texts of a ticket's words, the time left to a
// deadline, the live feed of ticket changes (SSE, reconnecting with a growing pause), the
// list API with its X-Total-Count, and the keyboard: one map of keys per page, never while
// the agent types in a field, and "?" opens the list of keys on every page.
"use strict";
(function () {
  const app = window.consoleApp;
  const { data, t } = app;
  const stores = new Map((data.stores || []).map((store) => [store.id, store]));

  function storeName(id) {
    const store = stores.get(id);
    return store ? store.name : id;
  }

  // "3 h 20 min" / "-45 min": what is left to `at` (negative when it passed).
  function timeLeft(at, nowMs) {
    const ms = new Date(at).getTime() - nowMs;
    if (isNaN(ms)) return { text: "", overdue: false };
    const minutes = Math.round(Math.abs(ms) / 60000);
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    const rest = minutes % 60;
    const parts = [];
    if (days) parts.push(days + " d");
    if (hours) parts.push(hours + " h");
    if (!days && (rest || !hours)) parts.push(rest + " min");
    const span = parts.join(" ");
    return ms < 0 ? { text: t("console.support.due.overdue", { time: span }), overdue: true } : { text: t("console.support.due.left", { time: span }), overdue: false };
  }

  // The next deadline that still counts: the first answer's until it is given, then the solution's.
  function nextDeadline(ticket) {
    if (["resolved", "closed", "merged"].includes(ticket.status)) return null;
    if (ticket.sla_paused) return null;
    return ticket.first_responded_at ? ticket.resolution_due_at : ticket.first_response_due_at;
  }

  // GET a list: {ok, status, items, total}.
  async function list(path) {
    try {
      const response = await fetch("/api/v1" + path, { credentials: "same-origin", headers: { accept: "application/json" } });
      if (response.status === 401) location.href = "/console/login?next=" + encodeURIComponent(location.pathname + location.search);
      const body = await response.json().catch(() => null);
      const total = Number(response.headers.get("x-total-count") || (Array.isArray(body) ? body.length : 0));
      return { ok: response.ok, status: response.status, items: Array.isArray(body) ? body : [], total };
    } catch (_) {
      return { ok: false, status: 0, items: [], total: 0, network: true };
    }
  }

  // Follows support.ticket_changed; `onChange(event data)` for each, `onState(open)` on (dis)connection.
  function follow(onChange, onState) {
    let source = null;
    let retryMs = 1000;
    let retryTimer = null;
    function connect() {
      retryTimer = null;
      source = new EventSource("/api/v1/support/events");
      source.onopen = () => {
        retryMs = 1000;
        onState(true);
      };
      const handle = (event) => {
        let payload = {};
        try {
          payload = JSON.parse(event.data || "{}");
        } catch (_) {
          payload = {};
        }
        onChange(payload);
      };
      source.addEventListener("support.ticket_changed", handle);
      source.addEventListener("resync", handle);
      source.onmessage = handle;
      source.onerror = () => {
        onState(false);
        if (source.readyState === EventSource.CLOSED && !retryTimer) {
          source.close();
          retryTimer = setTimeout(connect, retryMs);
          retryMs = Math.min(retryMs * 2, 15000);
        }
      };
    }
    connect();
  }

  function typing(event) {
    const target = event.target;
    if (!target || !target.closest) return false;
    return !!target.closest("input, textarea, select, [contenteditable=''], [contenteditable=true]");
  }

  // keys: {"j": fn, ...}; "?" and Escape are shared.
  function shortcuts(keys) {
    const dialog = document.getElementById("shortcuts");
    const openHelp = () => dialog && !dialog.open && dialog.showModal();
    document.querySelectorAll("[data-shortcuts-open]").forEach((button) => button.addEventListener("click", openHelp));
    document.addEventListener("keydown", (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (dialog && dialog.open) return;
      if (typing(event)) {
        if (event.key === "Escape") event.target.blur();
        return;
      }
      if (event.key === "?") {
        event.preventDefault();
        openHelp();
        return;
      }
      const action = keys[event.key];
      if (action) {
        event.preventDefault();
        action(event);
      }
    });
  }

  window.supportDesk = { storeName, timeLeft, nextDeadline, list, follow, shortcuts };
})();
