// One ticket on the desk (/support/tickets/{id}): the conversation (agents' notes set apart),
// the till's context in words (the decline code, the printer error, why each promotion was
// refused), the reply box with its macros, "internal note" and "wait for the store", the
// status/priority/category/agent controls, merging into another ticket by number, the store's
// recent tickets and open incidents. Everything goes through the JSON API; the page reads the
// ticket again on each support.ticket_changed of this ticket (new messages show live).
// Nothing the store or the till sent is ever put in as markup: `h()` sets text only.
"use strict";
(function () {
  const { data, t, tOr, h, show, api, refusal, money, dateTime } = window.consoleApp;
  const desk = window.supportDesk;
  const id = data.ticket_id;
  const path = "/support/tickets/" + encodeURIComponent(id);

  const el = (name) => document.getElementById(name);
  const messages = el("messages");
  const meta = el("meta");
  const context = el("context");
  const replyForm = el("reply");
  const replyBody = el("reply-body");
  const replyInternal = el("reply-internal");
  const replyWait = el("reply-wait");
  const replyError = el("reply-error");
  const controlsError = el("controls-error");
  const macroSelect = el("macro");
  const recent = el("recent");

  let ticket = null;
  let macros = [];

  // --- rendering -----------------------------------------------------------------------------
  function renderMeta() {
    const deadline = desk.nextDeadline(ticket);
    const left = deadline ? desk.timeLeft(deadline, Date.now()) : null;
    meta.replaceChildren(
      h("strong", { "data-testid": "desk-subject" }, ticket.subject),
      " · ",
      h("span", { "data-testid": "desk-store" }, desk.storeName(ticket.location_id)),
      " · ",
      h("span", { "data-testid": "desk-ticket-status" }, t("console.support.status." + ticket.status)),
      left ? h("span", { class: left.overdue ? "due overdue" : "due" }, " · " + left.text) : null,
    );
    el("status").value = ticket.status;
    el("priority").value = ticket.priority;
    el("category").value = ticket.category;
    el("assignee").textContent = ticket.assignee_id
      ? ticket.assignee_id === data.me.id
        ? t("console.support.controls.assigned_me")
        : t("console.support.controls.assigned_other")
      : t("console.support.controls.unassigned");
  }

  function renderMessages(list) {
    const first = h(
      "li",
      { class: "desk-message from-store", "data-testid": "desk-message" },
      h("p", { class: "who" }, t("console.support.message.opened", { when: dateTime(ticket.created_at) })),
      h("p", { class: "body" }, ticket.description || ticket.subject),
    );
    const items = list.map((message) => {
      const fromDesk = ["support_agent", "admin"].includes(message.author_role);
      return h(
        "li",
        {
          class: "desk-message " + (message.internal ? "internal" : fromDesk ? "from-desk" : "from-store"),
          "data-testid": message.internal ? "desk-note" : "desk-message",
          dataset: { messageId: message.id },
        },
        h(
          "p",
          { class: "who" },
          message.internal ? h("span", { class: "badge" }, t("console.support.message.internal")) : null,
          message.author_email + " · " + dateTime(message.created_at),
        ),
        h("p", { class: "body" }, message.body),
      );
    });
    messages.replaceChildren(first, ...items);
  }

  // A value the till sent: money {amount, currency} in the house format, anything else as text.
  function value(raw) {
    if (raw === null || raw === undefined) return "—";
    if (typeof raw === "object" && typeof raw.amount === "number") return money(raw);
    if (typeof raw === "object") return JSON.stringify(raw);
    return String(raw);
  }
  function when(raw) {
    return typeof raw === "string" && !isNaN(new Date(raw)) ? dateTime(raw) : value(raw);
  }
  function entry(label, ...content) {
    return [h("dt", {}, label), h("dd", {}, ...content)];
  }
  const KNOWN = ["device", "cashier", "app_version", "connectivity", "unsent_sales", "last_printer_error", "last_decline", "cart"];

  function renderContext() {
    const ctx = ticket.context && typeof ticket.context === "object" ? ticket.context : {};
    const list = h("dl", { class: "desk-context" });
    const add = (parts) => list.append(...parts);
    if (ctx.device) add(entry(t("console.support.context.device"), value(ctx.device.name || ctx.device.id) + (ctx.device.id && ctx.device.name ? " (" + ctx.device.id + ")" : "")));
    if (ctx.cashier) add(entry(t("console.support.context.cashier"), value(ctx.cashier.email || ctx.cashier)));
    if (ctx.app_version !== undefined) add(entry(t("console.support.context.app_version"), value(ctx.app_version)));
    if (ctx.connectivity) {
      const online = ctx.connectivity.online;
      add(
        entry(
          t("console.support.context.connectivity"),
          h("span", { class: online ? "ok" : "bad" }, online ? t("console.support.context.online") : t("console.support.context.offline")),
          ctx.connectivity.last_sync_at ? " · " + t("console.support.context.last_sync", { when: when(ctx.connectivity.last_sync_at) }) : "",
        ),
      );
    }
    if (ctx.unsent_sales !== undefined) add(entry(t("console.support.context.unsent_sales"), h("span", { class: Number(ctx.unsent_sales) > 0 ? "bad" : "" }, value(ctx.unsent_sales))));
    if (ctx.last_printer_error) {
      const error = ctx.last_printer_error;
      add(
        entry(
          t("console.support.context.printer_error"),
          h("span", { class: "bad", "data-testid": "desk-context-printer" }, [error.kind, error.message].filter(Boolean).map(value).join(": ")),
          error.at ? " · " + when(error.at) : "",
        ),
      );
    }
    if (ctx.last_decline) {
      const decline = ctx.last_decline;
      add(
        entry(
          t("console.support.context.decline"),
          h("span", { class: "bad", "data-testid": "desk-context-decline" }, t("console.support.context.decline_code", { code: value(decline.code) }) + (decline.message ? " — " + value(decline.message) : "")),
          decline.at ? " · " + when(decline.at) : "",
        ),
      );
    }
    if (ctx.cart) add(entry(t("console.support.context.cart"), cart(ctx.cart)));
    for (const [key, raw] of Object.entries(ctx)) {
      if (KNOWN.includes(key)) continue;
      add(entry(key, h("code", { class: "raw" }, value(raw))));
    }
    context.replaceChildren(list.children.length ? list : h("p", { class: "hint" }, t("console.support.context.none")));
  }

  function cart(raw) {
    const box = h("div", { class: "desk-cart" });
    const lines = Array.isArray(raw.lines) ? raw.lines : [];
    if (lines.length) box.append(h("ul", {}, lines.map((line) => h("li", {}, value(line.quantity) + " × " + value(line.name || line.sku) + (line.sku && line.name ? " (" + line.sku + ")" : "")))));
    const quote = raw.quote || {};
    if (quote.total !== undefined) box.append(h("p", {}, t("console.support.context.total", { total: value(quote.total) })));
    const applied = Array.isArray(quote.applied) ? quote.applied : [];
    if (applied.length) box.append(h("p", { class: "hint" }, t("console.support.context.applied")), h("ul", {}, applied.map((a) => h("li", { class: "ok" }, value(a.promotion) + (a.discount !== undefined ? " −" + value(a.discount) : "")))));
    const refused = Array.isArray(quote.not_applied) ? quote.not_applied : [];
    if (refused.length)
      box.append(
        h("p", { class: "hint" }, t("console.support.context.not_applied")),
        h("ul", { "data-testid": "desk-context-refused" }, refused.map((r) => h("li", { class: "bad" }, value(r.promotion) + ": " + [r.reason, r.code ? "(" + r.code + ")" : ""].filter(Boolean).map(value).join(" ")))),
      );
    return box;
  }

  // --- reading -------------------------------------------------------------------------------
  async function load() {
    const answer = await api("GET", path);
    if (!answer.ok) {
      show(el("load-error"), answer.status === 404 ? t("console.support.ticket.gone") : refusal(answer).text);
      return;
    }
    show(el("load-error"), "");
    ticket = answer.body;
    el("ticket-title").textContent = t("console.support.ticket.title", { number: ticket.number });
    renderMeta();
    renderMessages(ticket.messages || []);
    renderContext();
  }

  async function loadRecent() {
    if (!ticket) return;
    const answer = await desk.list("/support/tickets?limit=8&location_id=" + encodeURIComponent(ticket.location_id) + "&status=new,open,waiting_on_store,resolved,closed,merged");
    const others = answer.items.filter((other) => other.id !== ticket.id).slice(0, 6);
    recent.replaceChildren(
      ...(others.length
        ? others.map((other) =>
            h("li", { "data-testid": "desk-recent-item", dataset: { ticketId: other.id } }, h("a", { href: "/support/tickets/" + encodeURIComponent(other.id) }, "#" + other.number + " " + other.subject), " · " + t("console.support.status." + other.status)),
          )
        : [h("li", { class: "hint" }, t("console.support.recent.none"))]),
    );
  }

  // Incidents land with another part of issue 18: any refusal or error hides the box quietly.
  async function loadIncidents() {
    if (!ticket) return;
    const answer = await desk.list("/support/incidents?status=open&location_id=" + encodeURIComponent(ticket.location_id));
    const box = el("incidents-box");
    if (!answer.ok || !answer.items.length) {
      box.hidden = true;
      return;
    }
    el("incidents").replaceChildren(...answer.items.map((incident) => h("li", { "data-testid": "desk-incident" }, value(incident.cause) + " · " + when(incident.opened_at))));
    box.hidden = false;
  }

  async function loadMacros() {
    const answer = await desk.list("/support/macros?limit=500");
    macros = answer.items;
    macroSelect.replaceChildren(h("option", { value: "" }, t("console.support.reply.macro_none")), ...macros.map((m) => h("option", { value: m.id }, m.title)));
  }

  // The macro's text for this ticket: the same one-pass fill as the server's rule.
  function fill(body) {
    const cashier = ticket && ticket.context && ticket.context.cashier ? ticket.context.cashier.email || "" : "";
    const values = {
      store: ticket ? desk.storeName(ticket.location_id) : "",
      number: ticket ? String(ticket.number) : "",
      subject: ticket ? ticket.subject : "",
      agent: data.me.email,
      cashier,
    };
    return body.replace(/\{([a-z_]+)\}/g, (whole, name) => (Object.prototype.hasOwnProperty.call(values, name) && values[name] !== "" ? values[name] : whole));
  }
  macroSelect.addEventListener("change", () => {
    const chosen = macros.find((m) => m.id === macroSelect.value);
    if (!chosen) return;
    const text = fill(chosen.body);
    const start = replyBody.selectionStart ?? replyBody.value.length;
    const end = replyBody.selectionEnd ?? replyBody.value.length;
    replyBody.value = replyBody.value.slice(0, start) + text + replyBody.value.slice(end);
    replyBody.focus();
    replyBody.setSelectionRange(start + text.length, start + text.length);
    macroSelect.value = "";
  });

  // --- acting --------------------------------------------------------------------------------
  replyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { body: replyBody.value, internal: replyInternal.checked };
    if (replyWait.checked && !replyInternal.checked) body.status = "waiting_on_store";
    const answer = await api("POST", path + "/messages", body);
    if (!answer.ok) {
      show(replyError, refusal(answer, { scope: "console.support.problem", fields: { body: "console.support.reply.body_invalid" } }).text);
      return;
    }
    show(replyError, "");
    replyBody.value = "";
    replyWait.checked = false;
    replyInternal.checked = false;
    await load();
  });

  async function change(body) {
    const answer = await api("PATCH", path, body);
    show(controlsError, answer.ok ? "" : refusal(answer, { scope: "console.support.problem" }).text);
    await load();
  }
  for (const name of ["status", "priority", "category"]) el(name).addEventListener("change", () => change({ [name]: el(name).value }));
  el("assign-me").addEventListener("click", () => change({ assignee_id: data.me.id }));
  el("unassign").addEventListener("click", () => change({ assignee_id: "" }));
  el("resolve").addEventListener("click", () => change({ status: "resolved" }));

  el("merge").addEventListener("submit", async (event) => {
    event.preventDefault();
    const number = el("merge-number").value.trim().replace(/^#/, "");
    if (!/^[0-9]+$/.test(number)) {
      show(controlsError, t("console.support.merge.bad_number"));
      return;
    }
    const found = await desk.list("/support/tickets?limit=5&status=new,open,waiting_on_store,resolved&q=" + encodeURIComponent(number));
    const into = found.items.find((other) => String(other.number) === number && other.id !== id);
    if (!into) {
      show(controlsError, t("console.support.merge.not_found", { number }));
      return;
    }
    if (!confirm(t("console.support.merge.confirm", { from: ticket.number, into: into.number }))) return;
    const answer = await api("POST", path + "/merge", { into_id: into.id });
    if (!answer.ok) {
      show(controlsError, refusal(answer, { scope: "console.support.problem" }).text);
      return;
    }
    location.href = "/support/tickets/" + encodeURIComponent(into.id);
  });

  function startReply(internal) {
    replyInternal.checked = internal;
    replyBody.focus();
    replyBody.scrollIntoView({ block: "center" });
  }

  // --- keyboard: j/k walk the store's recent tickets, Enter opens the one chosen --------------
  let chosen = -1;
  function move(by) {
    const items = [...recent.querySelectorAll("[data-ticket-id]")];
    if (!items.length) return;
    chosen = Math.min(items.length - 1, Math.max(0, chosen + by));
    items.forEach((item, i) => item.classList.toggle("selected", i === chosen));
    const link = items[chosen].querySelector("a");
    if (link) link.focus();
  }
  desk.shortcuts({
    j: () => move(1),
    k: () => move(-1),
    Enter: () => {
      const items = [...recent.querySelectorAll("[data-ticket-id]")];
      if (items[chosen]) location.href = "/support/tickets/" + encodeURIComponent(items[chosen].dataset.ticketId);
    },
    r: () => startReply(false),
    n: () => startReply(true),
    a: () => change({ assignee_id: data.me.id }),
    e: () => change({ status: "resolved" }),
    "/": () => (location.href = "/support#search"),
  });

  // --- live ----------------------------------------------------------------------------------
  let timer = null;
  desk.follow(
    (event) => {
      if (event.ticket_id && event.ticket_id !== id && ticket && event.location_id !== ticket.location_id) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        load();
        loadRecent();
      }, 200);
    },
    (open) => show(el("connection"), open ? "" : t("console.support.offline")),
  );

  load().then(() => {
    loadRecent();
    loadIncidents();
    if (location.hash === "#reply") startReply(false);
    if (location.hash === "#note") startReply(true);
  });
  loadMacros();
})();
