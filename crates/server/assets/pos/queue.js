// Sending the till's sales to the server exactly once, and knowing whether the server answers.
//
// Every sale goes through the queue, online or not: it is written to IndexedDB with its
// receipt number first (db.js), then sent. The server keeps sale ids forever and answers a
// repeat with the first answer, so sending again after any doubt (a lost answer, a reload, a
// restart) never makes a second sale; a refusal (4xx) is kept and shown to the cashier, never
// retried in a loop. While the server does not answer, sending is retried with a growing wait
// (1 s … MAX_BACKOFF_MS) and at once on the browser's `online` event; while it answers, a
// light probe (/healthz every PROBE_MS) notices when it stops.
//
// The `offline` flag of a sale says the server could not be reached when it was made: such a
// sale is never refused for stock. A sale first sent as online whose sending failed before any
// answer is re-marked offline (the server never saw it — or, if the answer alone was lost, the
// server says the body differs: then the original body is sent again, once).
"use strict";

import * as db from "./db.js";

const MAX_BACKOFF_MS = 15_000;
const PROBE_MS = 15_000;
const TIMEOUT_MS = 10_000;

/** The `oc_csrf` cookie our changing requests repeat (the console's session). */
function csrf() {
  const pair = document.cookie.split(";").map((p) => p.trim()).find((p) => p.startsWith("oc_csrf="));
  return pair ? decodeURIComponent(pair.slice("oc_csrf=".length)) : "";
}

/**
 * Calls the JSON API with the session cookie; resolves {status, ok, body} for any answer and
 * throws only when no answer came (network down, server stopped, timeout).
 */
export async function api(method, path, body, extraHeaders = {}) {
  const headers = { accept: "application/json", ...extraHeaders };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET") headers["x-csrf-token"] = csrf();
  const response = await fetch("/api/v1" + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
    cache: "no-store",
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  let json = null;
  try {
    json = await response.json();
  } catch (_) {
    json = null;
  }
  return { status: response.status, ok: response.ok, body: json };
}

const retryable = (status) => status >= 500 || status === 408 || status === 429;
const signedOut = (status) => status === 401 || status === 403;
const hasCard = (body) => body.payments.some((p) => p.method === "card");

/**
 * The queue. `hooks.change(state)` is called whenever the connection or the counts change
 * (state: {online, pending, refused: [sale], signedOut}); `hooks.accepted(sale, answer)` for
 * each sale the server took.
 */
export function createQueue(hooks) {
  const state = { online: navigator.onLine !== false, pending: 0, refused: [], signedOut: false };
  const answers = new Map();
  let running = null;
  let again = false;
  let refreshed = false;
  let backoff = 0;
  let timer = null;

  async function publish() {
    const all = await db.queuedSales();
    state.pending = all.filter((s) => s.state === "pending").length;
    state.refused = all.filter((s) => s.state === "refused");
    hooks.change({ ...state });
  }

  function setOnline(online) {
    if (state.online !== online) {
      state.online = online;
      hooks.change({ ...state });
    }
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(tick, ms);
  }

  /** After no answer: wait longer each time, up to MAX_BACKOFF_MS. */
  function later() {
    backoff = Math.min(backoff ? backoff * 2 : 1000, MAX_BACKOFF_MS);
    schedule(backoff);
  }

  async function tick() {
    if (state.pending > 0 || !state.online) {
      if (state.pending > 0) return drain();
      try {
        const response = await fetch("/healthz", { cache: "no-store", signal: AbortSignal.timeout(TIMEOUT_MS) });
        if (response.ok) {
          backoff = 0;
          setOnline(true);
          schedule(PROBE_MS);
          return;
        }
      } catch (_) {
        /* still down */
      }
      setOnline(false);
      return later();
    }
    try {
      await fetch("/healthz", { cache: "no-store", signal: AbortSignal.timeout(TIMEOUT_MS) });
      schedule(PROBE_MS);
    } catch (_) {
      setOnline(false);
      later();
    }
  }

  /** No answer came: every sale still waiting is marked as made offline (card sales keep theirs). */
  async function noAnswer() {
    for (const sale of await db.queuedSales()) {
      if (sale.state !== "pending" || sale.body.offline || hasCard(sale.body)) continue;
      if (sale.attempts > 0 && !sale.original) sale.original = structuredClone(sale.body);
      sale.body = { ...sale.body, offline: true };
      await db.updateSale(sale);
    }
    setOnline(false);
    later();
  }

  async function sendAll() {
    for (const sale of await db.queuedSales()) {
      if (sale.state !== "pending") continue;
      sale.attempts = (sale.attempts || 0) + 1;
      await db.updateSale(sale);
      let answer;
      try {
        answer = await api("POST", "/pos/sales", sale.body);
      } catch (_) {
        await noAnswer();
        return;
      }
      if (retryable(answer.status)) {
        setOnline(true);
        later();
        return;
      }
      setOnline(true);
      if (signedOut(answer.status)) {
        // After a browser restart the CSRF cookie (a browser-session cookie) is gone while the
        // sign-in lasts: the till page hands it out again. Tried once per run.
        if (!refreshed && (await refreshSession())) {
          refreshed = true;
          again = true;
          return;
        }
        state.signedOut = true;
        later();
        return;
      }
      state.signedOut = false;
      if (answer.ok) {
        await db.removeSale(sale.id);
        answers.set(sale.id, { accepted: answer.body });
        hooks.accepted(sale, answer.body);
      } else if (answer.status === 409 && sale.original) {
        // Re-marked offline after a lost answer, but the server had the first body: send it.
        sale.body = sale.original;
        delete sale.original;
        await db.updateSale(sale);
        again = true;
        return;
      } else {
        sale.state = "refused";
        sale.problem = answer.body || { status: answer.status };
        await db.updateSale(sale);
        answers.set(sale.id, { refused: sale.problem, status: answer.status });
      }
      await publish();
    }
    backoff = 0;
    schedule(PROBE_MS);
  }

  /** Asks for the till page (not through the service worker) to renew the CSRF cookie. */
  async function refreshSession() {
    try {
      const response = await fetch("/pos", { credentials: "same-origin", cache: "no-store", signal: AbortSignal.timeout(TIMEOUT_MS) });
      return response.ok && !response.redirected;
    } catch (_) {
      return false;
    }
  }

  /** Sends every waiting sale, one at a time, oldest first; concurrent calls share one run. */
  function drain() {
    if (running) {
      again = true;
      return running;
    }
    refreshed = false;
    running = (async () => {
      try {
        do {
          again = false;
          await sendAll();
          await publish();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  }

  window.addEventListener("online", () => {
    backoff = 0;
    drain();
  });
  window.addEventListener("offline", () => setOnline(false));

  return {
    state: () => ({ ...state }),
    drain,
    publish,
    /** What became of a sale sent by the last drain: {accepted} | {refused, status} | undefined. */
    outcome: (id) => answers.get(id),
    /** Whether the till believes the server answers. */
    online: () => state.online,
    async start() {
      await publish();
      await drain();
    },
  };
}
