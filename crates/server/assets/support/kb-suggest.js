// The knowledge base's suggest-as-you-type, for any page that helps someone with a problem:
// the till's help dialog, the console's article page. As the person types, it asks
// GET /api/v1/support/articles/search (debounced, the previous request aborted), lists the
// articles found with their snippet (matched words in <mark>), and offers "Esto lo resolvió",
// which posts POST /api/v1/support/articles/{id}/feedback {solved: true, query,
// help_session_id?}. It builds every element with the DOM (never innerHTML), so nothing an
// article or a person typed can become markup.
//
// Use:
//   const widget = KbSuggest.attach({
//     input: document.querySelector("#problem"),      // where the problem is typed
//     list: document.querySelector("#suggestions"),   // where suggestions are shown
//     locale: "es",                                   // optional: only this language
//     helpSessionId: () => currentSessionId,          // optional: a string or a function
//     request: (method, path, body) => ...,           // optional: {ok, status, body}; default
//                                                     //   fetch with the session cookie + CSRF
//     articleHref: (id) => "/support/kb/" + id,       // optional: null for no link
//     texts: { solved: "Esto lo resolvió", thanks: "¡Gracias!", none: "…", failed: "…" },
//     onSolved: (article) => ...,                     // optional: after the feedback is kept
//   });
//   widget.search("texto") runs a search now; widget.destroy() detaches it.
"use strict";
(function () {
  const DEBOUNCE_MS = 250;
  const MIN_CHARS = 2;
  const DEFAULT_TEXTS = {
    solved: "Esto lo resolvió",
    thanks: "¡Gracias! Nos alegra que se haya resuelto.",
    none: "No encontramos artículos para eso.",
    failed: "No se pudo buscar ahora.",
    label: "Artículos sugeridos",
  };

  function cookie(name) {
    const found = document.cookie.split("; ").find((part) => part.startsWith(name + "="));
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }

  // The default transport: the console's session cookie and its CSRF header.
  async function defaultRequest(method, path, body, signal) {
    const headers = { accept: "application/json" };
    if (method !== "GET") headers["x-csrf-token"] = cookie("oc_csrf");
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch("/api/v1" + path, {
      method,
      credentials: "same-origin",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    let json = null;
    try {
      json = await response.json();
    } catch (_) {
      json = null;
    }
    return { ok: response.ok, status: response.status, body: json };
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(name, String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  // The snippet as text nodes, each matched word (case and accents as written) in <mark>.
  function highlighted(snippet, words) {
    const wanted = new Set((words || []).map((word) => word.toLocaleLowerCase()));
    const parts = [];
    for (const piece of String(snippet || "").split(/([\p{L}\p{N}]+)/u)) {
      if (piece && wanted.has(piece.toLocaleLowerCase())) parts.push(el("mark", {}, piece));
      else if (piece) parts.push(piece);
    }
    return parts;
  }

  function attach(options) {
    const input = options.input;
    const list = options.list;
    if (!input || !list) throw new Error("KbSuggest.attach needs an input and a list");
    const texts = Object.assign({}, DEFAULT_TEXTS, options.texts || {});
    const request = options.request || defaultRequest;
    const articleHref = options.articleHref === undefined ? (id) => "/support/kb/" + encodeURIComponent(id) : options.articleHref;
    let timer = null;
    let controller = null;
    let generation = 0;
    list.setAttribute("aria-live", "polite");
    list.setAttribute("aria-label", texts.label);

    function sessionId() {
      const value = typeof options.helpSessionId === "function" ? options.helpSessionId() : options.helpSessionId;
      return value || undefined;
    }

    async function solved(hit, button, query) {
      button.disabled = true;
      const body = { solved: true, query: query.slice(0, 200), help_session_id: sessionId() };
      let answer;
      try {
        answer = await request("POST", "/support/articles/" + encodeURIComponent(hit.id) + "/feedback", body);
      } catch (_) {
        answer = { ok: false };
      }
      if (!answer.ok) {
        button.disabled = false;
        button.after(el("p", { class: "kb-suggest-error", role: "alert", "data-testid": "kb-suggest-error" }, texts.failed));
        return;
      }
      button.replaceWith(el("p", { class: "kb-suggest-thanks", role: "status", "data-testid": "kb-suggest-thanks" }, texts.thanks));
      if (options.onSolved) options.onSolved(hit);
    }

    function render(hits, query) {
      list.replaceChildren();
      if (!hits.length) {
        list.append(el("p", { class: "kb-suggest-none", "data-testid": "kb-suggest-none" }, texts.none));
        return;
      }
      const items = hits.map((hit) => {
        const href = articleHref ? articleHref(hit.id) : null;
        const title = href ? el("a", { href, lang: hit.locale }, hit.title) : el("span", { lang: hit.locale }, hit.title);
        const button = el("button", { type: "button", class: "kb-suggest-solved", "data-testid": "kb-suggest-solved" }, texts.solved);
        button.addEventListener("click", () => solved(hit, button, query));
        return el(
          "li",
          { class: "kb-suggest-item", "data-testid": "kb-suggestion", dataset: { articleId: hit.id } },
          el("p", { class: "kb-suggest-title" }, title),
          el("p", { class: "kb-suggest-snippet", lang: hit.locale }, highlighted(hit.snippet, hit.matched_words)),
          button,
        );
      });
      list.append(el("ul", { class: "kb-suggest-list" }, items));
    }

    async function search(raw) {
      const query = String(raw || "").trim().slice(0, 200);
      generation += 1;
      const mine = generation;
      if (controller) controller.abort();
      if (query.length < MIN_CHARS) {
        list.replaceChildren();
        return;
      }
      controller = typeof AbortController === "function" ? new AbortController() : null;
      const params = new URLSearchParams({ q: query, limit: String(options.limit || 5) });
      if (options.locale) params.set("locale", options.locale);
      let answer;
      try {
        answer = await request("GET", "/support/articles/search?" + params.toString(), undefined, controller && controller.signal);
      } catch (error) {
        if (error && error.name === "AbortError") return;
        answer = { ok: false };
      }
      if (mine !== generation) return; // a newer search is on its way
      if (!answer.ok || !Array.isArray(answer.body)) {
        list.replaceChildren(el("p", { class: "kb-suggest-error", role: "alert", "data-testid": "kb-suggest-error" }, texts.failed));
        return;
      }
      render(answer.body, query);
    }

    function onInput() {
      clearTimeout(timer);
      timer = setTimeout(() => search(input.value), DEBOUNCE_MS);
    }
    input.addEventListener("input", onInput);
    return {
      search,
      destroy() {
        clearTimeout(timer);
        if (controller) controller.abort();
        input.removeEventListener("input", onInput);
        list.replaceChildren();
      },
    };
  }

  window.KbSuggest = { attach };
})();
