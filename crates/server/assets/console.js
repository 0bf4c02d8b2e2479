// Shared by the console's pages: page data, texts, money and times, the JSON API with the
// session cookie and the X-CSRF-Token header, and a small element builder (never innerHTML
// with data, so nothing a customer typed can become markup).
"use strict";
(function () {
  const source = document.getElementById("page-data");
  const data = source ? JSON.parse(source.textContent || "{}") : {};
  const messages = data.messages || {};
  const lang = data.lang || document.documentElement.lang || "es";

  function t(key, args) {
    let text = Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : key;
    for (const [name, value] of Object.entries(args || {})) text = text.split("{" + name + "}").join(String(value));
    return text;
  }

  // The text for `key` when the catalog has it, else `fallback` (channels we do not know yet).
  function tOr(key, fallback, args) {
    return Object.prototype.hasOwnProperty.call(messages, key) ? t(key, args) : fallback;
  }

  // The same format as the server's Money::display: $12.990 (CLP, COP), S/ 12.50 (PEN).
  function money(value) {
    if (!value || typeof value.amount !== "number") return "";
    const currency = value.currency || data.currency || "CLP";
    const decimals = currency === "PEN" || currency === "USD" ? 2 : 0;
    const group = decimals ? "," : ".";
    const sign = value.amount < 0 ? "-" : "";
    const abs = Math.abs(value.amount);
    const whole = Math.floor(abs / Math.pow(10, decimals)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, group);
    const fraction = decimals ? "." + String(abs % Math.pow(10, decimals)).padStart(decimals, "0") : "";
    const symbol = currency === "PEN" ? "S/ " : "$";
    return sign + symbol + whole + fraction;
  }

  // A price as a manager types it, in the currency's major units, to minor units — the same
  // reading as the server's `parse_price_text`: "12.990" or "12990" pesos, "25,50" or "25.5"
  // soles. null: not a price.
  function parsePrice(text, currency) {
    const decimals = currency === "PEN" || currency === "USD" ? 2 : 0;
    const raw = String(text || "").replace(/[$\sS/]/g, "");
    if (!raw) return null;
    if (decimals === 0) {
      if (!/^\d{1,3}(\.\d{3})*$|^\d+$/.test(raw)) return null;
      return Number(raw.replace(/\./g, ""));
    }
    if (!/^\d+([.,]\d{1,2})?$/.test(raw)) return null;
    return Math.round(Number(raw.replace(",", ".")) * 100);
  }

  const formats = {};
  function formatter(options) {
    const key = JSON.stringify(options);
    if (!formats[key]) {
      try {
        formats[key] = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "es-CL", Object.assign({ timeZone: data.timezone || undefined }, options));
      } catch (_) {
        formats[key] = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "es-CL", options);
      }
    }
    return formats[key];
  }

  // "13:05" in the site's time zone.
  function time(value) {
    if (!value) return "";
    const date = value instanceof Date ? value : new Date(value);
    if (isNaN(date)) return "";
    return formatter({ hour: "2-digit", minute: "2-digit", hour12: false }).format(date);
  }

  // "28-11-2025 13:05" in the site's time zone.
  function dateTime(value) {
    if (!value) return "";
    const date = new Date(value);
    if (isNaN(date)) return "";
    return formatter({ year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false }).format(date);
  }

  function cookie(name) {
    for (const pair of document.cookie.split(";")) {
      const [key, ...rest] = pair.trim().split("=");
      if (key === name) return rest.join("=");
    }
    return "";
  }

  function signIn() {
    location.href = "/console/login?next=" + encodeURIComponent(location.pathname + location.search);
  }

  // A readable sentence for a failed answer: the API's field messages or detail.
  function problemText(status, body) {
    if (body && Array.isArray(body.errors) && body.errors.length) return body.errors.map((e) => e.message).join("; ");
    if (body && body.detail) return body.detail;
    return t("console.error.status", { status });
  }

  // A refusal in the console's words: the problem's stable `code` picks a text of the catalog
  // (`scope.<code>` when the page has its own, else `console.problem.<code>`), and each invalid
  // field's path a text of `fields` ({path or its prefix: key, or path -> [key, args]}). The
  // server's `detail` and field messages are English, for developers, and never shown here.
  // Returns {text, fields: [the invalid fields' paths]} (problems.js does this for customers).
  function refusal(answer, { scope, fields: texts } = {}) {
    if (!answer || answer.network) return { text: t("console.error.network"), fields: [] };
    const body = answer.body || {};
    const code = typeof body.code === "string" ? body.code : "";
    const paths = (Array.isArray(body.errors) ? body.errors : []).map((e) => String((e && e.field) || "")).filter(Boolean);
    const found = [];
    for (const path of paths) {
      const prefix = Object.keys(texts || {}).find((p) => path === p || path.startsWith(p + ".") || path.startsWith(p + "["));
      if (!prefix) continue;
      const entry = texts[prefix];
      const [key, args] = typeof entry === "function" ? entry(path) : [entry, {}];
      const text = t(key, args);
      if (!found.includes(text)) found.push(text);
    }
    if (!found.length) {
      const fallback = t("console.error.status", { status: answer.status });
      found.push(scope && code ? tOr(scope + "." + code, tOr("console.problem." + code, fallback)) : code ? tOr("console.problem." + code, fallback) : fallback);
    }
    return { text: found.join(" "), fields: paths };
  }

  // Calls the JSON API as the signed-in user. Never throws: {ok, status, body, detail, network}.
  // A 401 (the session ended) goes back to the login page.
  async function api(method, path, body) {
    const headers = { accept: "application/json" };
    if (method !== "GET") headers["x-csrf-token"] = cookie("oc_csrf");
    if (body !== undefined) headers["content-type"] = "application/json";
    let response;
    try {
      response = await fetch("/api/v1" + path, {
        method,
        credentials: "same-origin",
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (_) {
      return { ok: false, status: 0, body: null, network: true, detail: t("console.error.network") };
    }
    let json = null;
    try {
      json = await response.json();
    } catch (_) {
      json = null;
    }
    if (response.status === 401) signIn();
    return { ok: response.ok, status: response.status, body: json, network: false, detail: response.ok ? "" : problemText(response.status, json) };
  }

  // h("p", {class: "x", dataset: {a: 1}, onclick: f}, "text", child…)
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "dataset") Object.assign(el.dataset, value);
      else if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
      else if (name === "text") el.textContent = value;
      else el.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      el.append(child instanceof Node ? child : String(child));
    }
    return el;
  }

  function show(el, text) {
    if (!el) return;
    el.textContent = text || "";
    el.hidden = !text;
  }

  // Each cell of a records table names its column (data-label): on a phone the rows stack and
  // every value shows its column's name beside it (console.css), so no table scrolls sideways.
  function labelCells(table) {
    if (!table) return;
    const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    table.querySelectorAll("tbody tr, tfoot tr").forEach((tr) =>
      [...tr.children].forEach((cell, i) => {
        if (heads[i] && !cell.hasAttribute("colspan")) cell.dataset.label = heads[i];
      }),
    );
  }

  // Forms repeat the CSRF cookie as it is now (another tab may have renewed it).
  document.addEventListener(
    "submit",
    (event) => {
      const current = cookie("oc_csrf");
      if (current) event.target.querySelectorAll("input[name=csrf]").forEach((input) => (input.value = current));
    },
    true,
  );

  window.consoleApp = { data, lang, t, tOr, money, parsePrice, time, dateTime, api, refusal, h, show, cookie, labelCells };
})();
