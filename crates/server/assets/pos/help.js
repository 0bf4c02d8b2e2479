// "Pedir ayuda" on the till (issue 18 point 1): the last failures the till saw (a print, a
// card decline) kept in one small record the print and checkout paths update; the help
// dialog that sends a ticket in one tap with what the till knows (device, cashier, store,
// connectivity, unsent sales, last failures, the cart and its quote with each refused
// promotion's reason in words) plus a text and an optional photo; knowledge-base articles
// suggested as the cashier types; and "Mis tickets", this store's open tickets with the desk's
// public answers (polled), a badge when the desk answered, and a reply box.
// Offline, a ticket waits in IndexedDB and is sent when the till is back online.
"use strict";

import * as db from "./db.js";
import { api } from "./queue.js";

const LAST_EVENTS_KEY = "oc_pos_last_events";
const OUTBOX_KEY = "help-outbox";
const SEEN_KEY = "oc_pos_help_seen";
const APP_VERSION = "pos-1";
const POLL_MS = 5_000;
const SUGGEST_DELAY_MS = 400;
const DESK_ROLES = ["support_agent", "admin"];
const $ = (id) => document.getElementById(id);

function readJson(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(key) || "") ?? fallback;
  } catch (_) {
    return fallback;
  }
}

/** The till's last failures, kept across reloads. */
export function lastEvents() {
  return readJson(LAST_EVENTS_KEY, {});
}

function remember(part, value) {
  const events = lastEvents();
  events[part] = { ...value, at: new Date().toISOString() };
  localStorage.setItem(LAST_EVENTS_KEY, JSON.stringify(events));
}

/** A receipt did not print: `kind` is the server's word (refused, timeout…), `message` what the cashier read. */
export function rememberPrintFailure(kind, message) {
  remember("last_printer_error", { kind: kind || "error", message });
}

/** A card was declined with the issuer's `code`; `message` is what the cashier read. */
export function rememberDecline(code, message) {
  remember("last_decline", { code, message });
}

/** The server took the till's sales: the time of the last sync. */
export function rememberSync() {
  remember("last_sync", {});
}

function csrf() {
  const pair = document.cookie.split(";").map((p) => p.trim()).find((p) => p.startsWith("oc_csrf="));
  return pair ? decodeURIComponent(pair.slice("oc_csrf=".length)) : "";
}

/** The help dialog and "Mis tickets"; `whyText(outcome)` words a refused promotion as the cart does. */
export function setupHelp({ till, t, queue, whyText }) {
  let suggestTimer = null;
  let openTickets = [];
  // The help session of the problem being typed: opened when articles are first suggested,
  // ended by "Esto lo resolvió", by the ticket sent, or as abandoned when the dialog closes —
  // what the desk's deflection share counts (issue 18 point 4).
  let session = null;

  // The open session's id is also kept in the browser, so one left open by a reload, a closed
  // tab or a crash is ended as abandoned when the till starts again instead of staying open in
  // the desk's deflection share forever.
  const OPEN_SESSION_KEY = "omnicanal.pos.help_session";
  const keepOpenSession = (id) => {
    try {
      if (id) localStorage.setItem(OPEN_SESSION_KEY, id);
      else localStorage.removeItem(OPEN_SESSION_KEY);
    } catch (_) {
      // Private mode: a reload may leave one session open.
    }
  };

  /** Ends the open help session, if any; a failure only costs one count. */
  async function endSession(outcome, ticketId) {
    const open = session;
    session = null;
    keepOpenSession(null);
    if (!open || !queue.online()) return;
    try {
      await api("POST", `/support/help-sessions/${encodeURIComponent(open.id)}/end`, ticketId ? { outcome, ticket_id: ticketId } : { outcome });
    } catch (_) {
      // The share misses one problem; the cashier is not held up for it.
    }
  }

  /** Opens a help session for `query` the first time articles are suggested for it. */
  async function openSession(query) {
    if (session) return;
    session = { id: null };
    try {
      const answer = await api("POST", "/support/help-sessions", {
        location_id: till.device?.location_id || till.catalog?.location_id,
        query: query.slice(0, 200),
      });
      if (answer.ok && session && session.id === null) {
        session = { id: answer.body.id };
        keepOpenSession(answer.body.id);
      }
      else if (session && session.id === null) session = null;
    } catch (_) {
      session = null;
    }
  }

  /** What the till knows, as the ticket's context. */
  async function context() {
    const events = lastEvents();
    const quote = till.quote;
    const money = (m) => (m ? { amount: Number(m.amount), currency: m.currency } : null);
    const applied = [];
    const notApplied = [];
    for (const outcome of quote?.promotions || []) {
      if (outcome.applied) {
        applied.push({ promotion: outcome.name, discount: money(outcome.amount) });
      } else {
        notApplied.push({ promotion: outcome.name, code: outcome.reason?.code || "other", reason: whyText(outcome) });
      }
    }
    let unsent = 0;
    try {
      unsent = (await db.queuedSales()).filter((sale) => sale.state === "pending").length;
    } catch (_) {
      unsent = 0;
    }
    return {
      device: { id: till.device?.id, name: till.device?.name },
      cashier: { email: till.user?.email || null },
      store: { id: till.catalog?.location_id || till.device?.location_id, name: till.catalog?.location_name || null },
      app_version: APP_VERSION,
      connectivity: { online: queue.online(), last_sync_at: events.last_sync?.at || null },
      unsent_sales: unsent,
      last_printer_error: events.last_printer_error || null,
      last_decline: events.last_decline || null,
      cart: {
        lines: till.cart.lines().map((l) => ({ sku: l.sku, name: till.index?.exact(l.sku)?.name || l.sku, quantity: l.quantity })),
        quote: quote ? { total: money(quote.total), applied, not_applied: notApplied } : null,
      },
    };
  }

  function status(text) {
    $("help-status").textContent = text || "";
    $("help-status").hidden = !text;
  }

  /** Sends one ticket (and its photo); false when the server could not be reached. */
  async function send(ticket) {
    let answer;
    try {
      answer = await api("POST", "/support/tickets", ticket.body);
    } catch (_) {
      return false;
    }
    if (!answer.ok) return answer.status >= 500 ? false : answer;
    if (ticket.photo) {
      try {
        await fetch(`/api/v1/support/tickets/${encodeURIComponent(answer.body.id)}/photos`, {
          method: "POST",
          headers: { "content-type": ticket.photo.type || "application/octet-stream", "x-csrf-token": csrf() },
          body: ticket.photo,
          credentials: "same-origin",
        });
      } catch (_) {
        // The ticket is open; the photo was a plus.
      }
    }
    return answer;
  }

  /** Sends the tickets that waited offline. */
  async function flush() {
    if (!queue.online()) return;
    const waiting = (await db.get(OUTBOX_KEY)) || [];
    const left = [];
    for (const ticket of waiting) if ((await send(ticket)) === false) left.push(ticket);
    if (left.length !== waiting.length) await db.put(OUTBOX_KEY, left);
    if (left.length !== waiting.length) refresh();
  }

  let leftOpen = null;
  try {
    leftOpen = localStorage.getItem(OPEN_SESSION_KEY);
  } catch (_) {
    leftOpen = null;
  }
  if (leftOpen) {
    session = { id: leftOpen };
    endSession("abandoned");
  }

  $("help-open").addEventListener("click", () => {
    status("");
    $("help-error").hidden = true;
    $("help-dialog").showModal();
    refresh();
  });
  $("help-cancel").addEventListener("click", () => $("help-dialog").close());
  $("help-dialog").addEventListener("close", () => {
    if (session?.id) endSession("abandoned");
  });

  $("help-text").addEventListener("input", () => {
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(suggest, SUGGEST_DELAY_MS);
  });

  /** Knowledge-base articles for what the cashier typed; nothing when search is absent or fails. */
  async function suggest() {
    const query = $("help-text").value.trim();
    const list = $("help-suggestions");
    list.replaceChildren();
    list.hidden = true;
    if (query.length < 3 || !queue.online()) return;
    let answer;
    try {
      answer = await api("GET", `/support/articles/search?q=${encodeURIComponent(query)}&locale=${document.documentElement.lang || "es"}`);
    } catch (_) {
      return;
    }
    // The search answers a JSON array of suggestions, best first.
    const items = answer.ok && Array.isArray(answer.body) ? answer.body : [];
    for (const item of items.slice(0, 3)) {
      const li = document.createElement("li");
      li.dataset.testid = "pos-help-article";
      const title = document.createElement("strong");
      title.textContent = item.title;
      const snippet = document.createElement("p");
      snippet.textContent = item.snippet || "";
      const solved = document.createElement("button");
      solved.type = "button";
      solved.textContent = t("pos.help.solved");
      solved.addEventListener("click", async () => {
        const open = session;
        session = null;
        try {
          const feedback = { solved: true, query: query.slice(0, 200) };
          if (open?.id) feedback.help_session_id = open.id;
          await api("POST", `/support/articles/${encodeURIComponent(item.id)}/feedback`, feedback);
        } catch (_) {
          // The count of solved problems misses one; the cashier is helped all the same.
        }
        // Solved: the next problem starts from an empty form, without these suggestions.
        $("help-form").reset();
        list.replaceChildren();
        list.hidden = true;
        $("help-dialog").close();
      });
      li.append(title, snippet, solved);
      list.append(li);
    }
    list.hidden = items.length === 0;
    if (items.length) await openSession(query);
  }

  $("help-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("help-text").value.trim();
    const category = $("help-category").value;
    const subject = (text.split("\n")[0] || t(`pos.help.category.${category}`)).slice(0, 200);
    const body = {
      location_id: till.device?.location_id || till.catalog?.location_id,
      subject,
      description: text,
      category,
      source: "till",
      device_id: till.device?.id,
      context: await context(),
    };
    const photo = $("help-photo").files?.[0] || null;
    const ticket = { body, photo };
    $("help-send").disabled = true;
    const sent = queue.online() ? await send(ticket) : false;
    $("help-send").disabled = false;
    if (sent === false) {
      const waiting = (await db.get(OUTBOX_KEY)) || [];
      waiting.push(ticket);
      await db.put(OUTBOX_KEY, waiting);
      return status(t("pos.help.queued"));
    }
    if (!sent.ok) {
      $("help-error").textContent = t("pos.help.refused");
      $("help-error").hidden = false;
      return;
    }
    if (session?.id) await endSession("ticket", sent.body.id);
    $("help-form").reset();
    $("help-suggestions").hidden = true;
    status(t("pos.help.sent", { number: sent.body.number }));
    refresh();
  });

  function seen() {
    return readJson(SEEN_KEY, {});
  }

  /** This store's open tickets, with the desk's public answers, and the badge. */
  async function refresh() {
    const location = till.device?.location_id || till.catalog?.location_id;
    if (!location || !queue.online()) return;
    let answer;
    try {
      answer = await api("GET", `/support/tickets?location_id=${encodeURIComponent(location)}&status=new,open,waiting_on_store,resolved`);
    } catch (_) {
      return;
    }
    if (!answer.ok || !Array.isArray(answer.body)) return;
    const details = [];
    for (const ticket of answer.body.slice(0, 10)) {
      try {
        const detail = await api("GET", `/support/tickets/${encodeURIComponent(ticket.id)}`);
        if (detail.ok) details.push(detail.body);
      } catch (_) {
        // Shown at the next poll.
      }
    }
    openTickets = details;
    render();
  }

  function deskAnswers(ticket) {
    return (ticket.messages || []).filter((m) => !m.internal && DESK_ROLES.includes(m.author_role));
  }

  function render() {
    const list = $("help-tickets");
    list.replaceChildren();
    const lastSeen = seen();
    let unread = 0;
    for (const ticket of openTickets) {
      const answers = deskAnswers(ticket);
      const latest = answers.length ? answers[answers.length - 1].created_at : null;
      const fresh = latest && latest !== lastSeen[ticket.id];
      if (fresh) unread += 1;
      const li = document.createElement("li");
      li.dataset.testid = "pos-help-ticket";
      li.dataset.fresh = fresh ? "true" : "false";
      const head = document.createElement("strong");
      head.textContent = `#${ticket.number} · ${ticket.subject} · ${t(`pos.help.status.${ticket.status}`)}`;
      const messages = document.createElement("ul");
      for (const message of ticket.messages || []) {
        if (message.internal) continue;
        const item = document.createElement("li");
        item.dataset.testid = "pos-help-message";
        const who = DESK_ROLES.includes(message.author_role) ? t("pos.help.desk") : message.author_email;
        item.textContent = `${who}: ${message.body}`;
        messages.append(item);
      }
      const form = document.createElement("form");
      const reply = document.createElement("input");
      reply.maxLength = 10000;
      reply.setAttribute("aria-label", t("pos.help.reply"));
      reply.dataset.testid = "pos-help-reply";
      const button = document.createElement("button");
      button.textContent = t("pos.help.reply");
      form.append(reply, button);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        if (!reply.value.trim()) return;
        try {
          const posted = await api("POST", `/support/tickets/${encodeURIComponent(ticket.id)}/messages`, { body: reply.value.trim() });
          if (posted.ok) reply.value = "";
        } catch (_) {
          return;
        }
        refresh();
      });
      li.append(head, messages, form);
      list.append(li);
    }
    $("help-none").hidden = openTickets.length > 0;
    $("help-badge").textContent = String(unread);
    $("help-badge").hidden = unread === 0;
    // Read once the cashier has the dialog open.
    if ($("help-dialog").open) {
      const marks = seen();
      for (const ticket of openTickets) {
        const answers = deskAnswers(ticket);
        if (answers.length) marks[ticket.id] = answers[answers.length - 1].created_at;
      }
      localStorage.setItem(SEEN_KEY, JSON.stringify(marks));
    }
  }

  window.addEventListener("online", flush);
  setInterval(() => {
    flush();
    refresh();
  }, POLL_MS);
  return { refresh, flush };
}
