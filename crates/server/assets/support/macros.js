// The desk's saved replies (/support/macros): the list by title, one form to write a new one
// or change the one being edited, and removal after a confirmation. All through
// /api/v1/support/macros; the server refuses unknown {placeholders}, and the refusal is shown
// in the page's words.
"use strict";
(function () {
  const { t, h, show, api, refusal } = window.consoleApp;
  const desk = window.supportDesk;
  const el = (name) => document.getElementById(name);
  const list = el("macro-list");
  const form = el("macro-form");
  const idField = el("macro-id");
  const title = el("macro-title");
  const body = el("macro-body");
  const error = el("macro-error");

  function reset() {
    idField.value = "";
    title.value = "";
    body.value = "";
    show(error, "");
  }

  async function load() {
    const answer = await desk.list("/support/macros?limit=500");
    list.replaceChildren(
      ...answer.items.map((macro) =>
        h(
          "li",
          { class: "desk-box", "data-testid": "desk-macro-item", dataset: { macroId: macro.id } },
          h("h2", {}, macro.title),
          // A word joiner keeps "#{number}" on one line, as the expanded "#12" would be.
          h("p", { class: "body" }, macro.body.replace(/#\{/g, "#\u2060{")),
          h(
            "p",
            { class: "actions" },
            h("button", { type: "button", "data-testid": "desk-macro-edit", onclick: () => edit(macro) }, t("console.support.macros.edit")),
            h("button", { type: "button", class: "danger", "data-testid": "desk-macro-delete", onclick: () => remove(macro) }, t("console.support.macros.delete")),
          ),
        ),
      ),
    );
    show(el("macro-empty"), answer.items.length ? "" : t("console.support.macros.empty"));
  }

  function edit(macro) {
    idField.value = macro.id;
    title.value = macro.title;
    body.value = macro.body;
    title.focus();
  }

  async function remove(macro) {
    if (!confirm(t("console.support.macros.confirm_delete", { title: macro.title }))) return;
    const answer = await api("DELETE", "/support/macros/" + encodeURIComponent(macro.id));
    if (!answer.ok && answer.status !== 404) show(error, refusal(answer, { scope: "console.support.problem" }).text);
    load();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const payload = { title: title.value, body: body.value };
    const answer = idField.value
      ? await api("PATCH", "/support/macros/" + encodeURIComponent(idField.value), payload)
      : await api("POST", "/support/macros", payload);
    if (!answer.ok) {
      show(error, refusal(answer, { scope: "console.support.problem", fields: { title: "console.support.macros.invalid", body: "console.support.macros.invalid" } }).text);
      return;
    }
    reset();
    load();
  });
  el("macro-cancel").addEventListener("click", reset);

  desk.shortcuts({ "/": () => title.focus() });
  load();
})();
