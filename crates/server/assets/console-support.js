// The store's support tickets in the console (issue 18 point 1): the list of the caller's
// tickets (GET /api/v1/support/tickets; the server decides which), or one ticket's public
// conversation with a reply box (GET …/{id}, POST …/{id}/messages). The desk's internal notes
// never reach a store: the API leaves them out for store roles.
"use strict";
(function () {
  const { data, t, api, h, dateTime } = window.consoleApp;
  const $ = (id) => document.getElementById(id);
  const DESK_ROLES = ["support_agent", "admin"];

  function state(text) {
    $("support-state").textContent = text || "";
    $("support-state").hidden = !text;
  }

  const when = (at) => (dateTime ? dateTime(at) : at);
  const statusText = (status) => t(`console.support.status.${status}`);

  async function list() {
    const answer = await api("GET", "/support/tickets?limit=100");
    if (!answer.ok) return state(answer.detail);
    const items = Array.isArray(answer.body) ? answer.body : [];
    const ul = $("support-list");
    ul.replaceChildren(
      ...items.map((ticket) =>
        h(
          "li",
          { dataset: { testid: "support-ticket", status: ticket.status } },
          h("a", { href: `/console/support/${encodeURIComponent(ticket.id)}`, text: `#${ticket.number} · ${ticket.subject}` }),
          " ",
          h("span", { class: `state state-${ticket.status}`, text: statusText(ticket.status) }),
        ),
      ),
    );
    $("support-list-panel").hidden = false;
    state(items.length ? "" : t("console.support.none"));
  }

  async function show(id) {
    const answer = await api("GET", `/support/tickets/${encodeURIComponent(id)}`);
    if (!answer.ok) return state(answer.detail);
    const ticket = answer.body;
    $("support-subject").textContent = `#${ticket.number} · ${ticket.subject}`;
    $("support-meta").textContent = `${statusText(ticket.status)} · ${when(ticket.created_at)}`;
    $("support-description").textContent = ticket.description;
    $("support-messages").replaceChildren(
      ...ticket.messages
        .filter((message) => !message.internal)
        .map((message) =>
          h(
            "li",
            { dataset: { testid: "support-message" } },
            h("strong", { text: DESK_ROLES.includes(message.author_role) ? t("console.support.desk") : message.author_email }),
            " ",
            h("span", { text: message.body }),
          ),
        ),
    );
    $("support-ticket-panel").hidden = false;
    state("");
  }

  $("support-reply-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = $("support-reply").value.trim();
    if (!body) return;
    const answer = await api("POST", `/support/tickets/${encodeURIComponent(data.ticket_id)}/messages`, { body });
    $("support-error").hidden = answer.ok;
    $("support-error").textContent = answer.ok ? "" : answer.detail;
    if (!answer.ok) return;
    $("support-reply").value = "";
    show(data.ticket_id);
  });

  if (data.ticket_id) show(data.ticket_id);
  else list();
  // The desk's answers arrive while the page is open.
  setInterval(() => (data.ticket_id ? show(data.ticket_id) : list()), 15_000);
})();
