// The customer's account page (/account, issue 17 point 3): sign in by link or password,
// register, the one history with receipts and what can still be returned, the store credit per
// merchant, sign out. Everything goes through the JSON API with
// the customer's bearer token, kept in this browser's localStorage; texts come from the page's
// data (the account catalog), never written here.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const texts = data.texts || {};
  const TOKEN_KEY = "oc_customer_token";
  const t = (key, args = {}) =>
    (texts[key] || key).replace(/\{(\w+)\}/g, (_, name) => (name in args ? String(args[name]) : ""));
  const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
  const EXPONENTS = { CLP: 0, COP: 0, PEN: 2, USD: 2 };
  const locale = data.lang === "en" ? "en-US" : "es-CL";
  let page = 1;

  function money(value) {
    const exponent = EXPONENTS[value.currency] ?? 2;
    return new Intl.NumberFormat(locale, { style: "currency", currency: value.currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent }).format(value.amount / 10 ** exponent);
  }

  function when(rfc3339) {
    return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(rfc3339));
  }

  function day(rfc3339) {
    return new Intl.DateTimeFormat(locale, { day: "2-digit", month: "2-digit", year: "numeric" }).format(new Date(rfc3339));
  }

  /** What of a line can still come back, or why not ("Venta final", "Plazo vencido el …"). */
  function lineReturns(line) {
    const note = document.createElement("span");
    note.className = "line-returns";
    note.dataset.testid = "line-returnable";
    note.dataset.returnable = String(line.returnable);
    if (line.not_returnable) {
      note.dataset.reason = line.not_returnable;
      const date = line.return_window_ended_at ? day(line.return_window_ended_at) : "";
      note.textContent = t(`account.line.not_returnable.${line.not_returnable}`, { date, returned: line.returned });
    } else {
      note.textContent = t("account.line.returnable", { n: line.returnable, returned: line.returned });
    }
    return note;
  }

  function returnsList(purchase) {
    const list = document.createElement("ul");
    list.className = "purchase-returns";
    list.setAttribute("aria-label", t("account.purchase.returns"));
    for (const ret of purchase.returns) {
      const item = document.createElement("li");
      item.dataset.testid = "purchase-return";
      item.textContent = t("account.purchase.return", {
        number: ret.credit_note_number,
        date: day(ret.at),
        refund: money(ret.refund),
        method: t(`account.refund.${ret.refund_method}`),
      });
      list.append(item);
    }
    return list;
  }

  function creditCard(balance) {
    const credit = balance.credit;
    const card = document.createElement("article");
    card.className = "credit-balance";
    card.dataset.testid = "credit-balance";
    card.dataset.merchant = balance.merchant_id;
    const head = document.createElement("div");
    head.className = "purchase-head";
    const name = document.createElement("span");
    name.textContent = balance.merchant_name;
    const amount = document.createElement("span");
    amount.className = "credit-amount";
    amount.dataset.testid = "credit-amount";
    amount.textContent = money(credit.balance);
    head.append(name, amount);
    const expiry = document.createElement("div");
    expiry.className = "purchase-meta";
    expiry.dataset.testid = "credit-expiry";
    if (!credit.expires_at) expiry.textContent = t("account.credit.never");
    else expiry.textContent = t(credit.expired ? "account.credit.expired" : "account.credit.expires", { date: day(credit.expires_at) });
    const entries = document.createElement("ul");
    for (const entry of credit.entries) {
      const item = document.createElement("li");
      item.dataset.testid = "credit-entry";
      item.textContent = t("account.credit.entry", { date: day(entry.at), amount: money(entry.amount), reason: entry.reason });
      entries.append(item);
    }
    card.append(head, expiry, entries);
    if (credit.total_entries > credit.entries.length) {
      const more = document.createElement("div");
      more.className = "purchase-meta";
      more.textContent = t("account.credit.more", { shown: credit.entries.length, total: credit.total_entries });
      card.append(more);
    }
    return card;
  }

  async function loadCredit() {
    $("credit").replaceChildren();
    const result = await call("GET", "/customers/me/credit");
    if (result.status !== 200) return;
    for (const balance of result.body.balances) $("credit").append(creditCard(balance));
    $("credit-empty").hidden = result.body.balances.length > 0;
  }

  async function call(method, path, body) {
    const headers = { accept: "application/json" };
    const token = localStorage.getItem(TOKEN_KEY);
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
    const text = await response.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    return { status: response.status, body: json };
  }

  /** A refusal in the catalog's words: the fields named, or what the status means. */
  function refusal(result, wrongKey) {
    if (result.status === 422 && result.body && Array.isArray(result.body.errors)) {
      const fields = result.body.errors.map((e) => t(`account.field.${e.field}`)).join(", ");
      return t("account.field.invalid", { field: fields });
    }
    if (result.status === 429) return t("account.throttled");
    if (result.status === 401 && wrongKey) return t(wrongKey);
    return t("account.error");
  }

  function show(signedIn) {
    $("signed-in").hidden = !signedIn;
    $("signed-out").hidden = signedIn;
  }

  function status(message) {
    $("account-status").textContent = message || "";
  }

  function purchaseCard(purchase) {
    const card = document.createElement("article");
    card.className = "purchase";
    card.dataset.testid = "purchase";
    card.dataset.kind = purchase.kind;
    card.dataset.id = purchase.id;
    const head = document.createElement("div");
    head.className = "purchase-head";
    const title = document.createElement("span");
    title.textContent = t(purchase.kind === "sale" ? "account.purchase.sale" : "account.purchase.order", { number: purchase.number });
    const total = document.createElement("span");
    total.dataset.testid = "purchase-total";
    total.textContent = money(purchase.total);
    head.append(title, total);
    const meta = document.createElement("div");
    meta.className = "purchase-meta";
    const channel = purchase.channel.startsWith("shop:") ? "shop" : purchase.channel;
    meta.textContent = `${when(purchase.at)} · ${t(`account.channel.${channel}`)}`;
    const lines = document.createElement("ul");
    for (const line of purchase.lines) {
      const item = document.createElement("li");
      item.dataset.testid = "purchase-line";
      item.textContent = `${line.quantity} × ${line.name || line.sku} — ${money(line.total)}`;
      item.append(lineReturns(line));
      lines.append(item);
    }
    const receipt = document.createElement("a");
    receipt.href = purchase.receipt_url;
    receipt.target = "_blank";
    receipt.rel = "noopener noreferrer";
    receipt.dataset.testid = "purchase-receipt";
    receipt.textContent = t("account.purchase.receipt");
    card.append(head, meta, lines);
    if (purchase.returns && purchase.returns.length) card.append(returnsList(purchase));
    card.append(receipt);
    return card;
  }

  async function loadHistory(reset) {
    if (reset) {
      page = 1;
      $("purchases").replaceChildren();
    }
    const result = await call("GET", `/customers/me/purchases?page=${page}`);
    if (result.status !== 200) {
      status(refusal(result));
      return;
    }
    for (const purchase of result.body.items) $("purchases").append(purchaseCard(purchase));
    $("history-empty").hidden = result.body.total > 0;
    $("history-more").hidden = page * result.body.per_page >= result.body.total;
  }

  async function signedIn() {
    const me = await call("GET", "/customers/me");
    if (me.status !== 200) {
      localStorage.removeItem(TOKEN_KEY);
      show(false);
      return;
    }
    $("account-name").textContent = me.body.name ? t("account.hello", { name: me.body.name }) : t("account.hello.anonymous");
    $("account-identifiers").textContent = me.body.identifiers
      .map((i) => `${i.value} (${t(i.verified ? "account.verified" : "account.unverified")})`)
      .join(" · ");
    show(true);
    await Promise.all([loadCredit(), loadHistory(true)]);
  }

  async function useLinkFromUrl() {
    const match = location.hash.match(/^#link=([A-Za-z0-9_-]+)$/);
    if (!match) return;
    history.replaceState(null, "", location.pathname + location.search);
    status(t("account.link.using"));
    const result = await call("POST", `/customers/sign-in-links/${match[1]}`, {});
    if (result.status === 201) {
      localStorage.setItem(TOKEN_KEY, result.body.token);
      status("");
    } else if (result.status === 410) {
      status(t("account.link.unusable"));
    } else if (result.status === 404) {
      status(t("account.link.unknown"));
    } else {
      status(t("account.error"));
    }
  }

  const value = (form, name) => form.elements[name].value.trim();

  $("link-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const result = await call("POST", "/customers/sign-in-links", { email: value(form, "email") });
    $("link-error").textContent = result.status === 202 ? "" : refusal(result);
    if (result.status === 202) status(t("account.link.sent"));
  });

  $("password-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const result = await call("POST", "/customers/sessions", { email: value(form, "email"), password: form.elements.password.value });
    if (result.status === 201) {
      $("signin-error").textContent = "";
      localStorage.setItem(TOKEN_KEY, result.body.token);
      await signedIn();
    } else {
      $("signin-error").textContent = refusal(result, "account.password.wrong");
    }
  });

  $("register-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const body = { name: value(form, "name"), email: value(form, "email"), phone: value(form, "phone"), country: form.elements.country.value };
    if (form.elements.password.value) body.password = form.elements.password.value;
    const result = await call("POST", "/customers", body);
    $("register-error").textContent = result.status === 202 ? "" : refusal(result);
    if (result.status === 202) status(t("account.register.sent"));
  });

  $("sign-out").addEventListener("click", async () => {
    await call("POST", "/customers/me/sign-out", {});
    localStorage.removeItem(TOKEN_KEY);
    $("purchases").replaceChildren();
    $("credit").replaceChildren();
    show(false);
    status(t("account.signed_out"));
  });

  $("history-more").addEventListener("click", async () => {
    page += 1;
    await loadHistory(false);
  });

  async function start() {
    await useLinkFromUrl();
    if (localStorage.getItem(TOKEN_KEY)) await signedIn();
    else show(false);
  }

  // A link opened while the page is open changes only the fragment: no new page load.
  window.addEventListener("hashchange", start);
  start();
})();
