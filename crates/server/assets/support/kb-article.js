// The article page's "¿Otro problema?" box: the knowledge base's suggest widget
// (kb-suggest.js) with the console's texts.
"use strict";
(function () {
  const app = window.consoleApp;
  const list = document.querySelector("[data-kb-suggest]");
  const input = document.getElementById("kb-search-input");
  if (!app || !window.KbSuggest || !list || !input) return;
  window.KbSuggest.attach({
    input,
    list,
    request: (method, path, body) => app.api(method, path, body),
    texts: {
      solved: app.t("console.kb.suggest.solved"),
      thanks: app.t("console.kb.suggest.thanks"),
      none: app.t("console.kb.suggest.none"),
      failed: app.t("console.kb.suggest.failed"),
      label: app.t("console.kb.suggest.label"),
    },
  });
})();
