// The agents' article editor at /support/kb: fills the form with the article being edited,
// previews the markdown as the article page will show it (POST /support/articles/preview),
// saves through the JSON API (POST a new article, PUT an edited one), and publishes or
// withdraws from the list. Refusals are shown with the catalog's texts, field by field.
"use strict";
(function () {
  const app = window.consoleApp;
  const form = document.getElementById("kb-form");
  if (!app || !form) return;
  const { t, api, show } = app;
  const article = app.data.article || null;
  const error = document.querySelector("[data-testid=kb-error]");
  const saved = document.querySelector("[data-testid=kb-saved]");
  const preview = document.querySelector("[data-testid=kb-preview]");
  const fields = {
    locale: document.getElementById("kb-locale"),
    category: document.getElementById("kb-category"),
    title: document.getElementById("kb-title"),
    body: document.getElementById("kb-body"),
    translation_id: document.getElementById("kb-translation"),
    published: document.getElementById("kb-published"),
  };

  if (article) {
    fields.locale.value = article.locale;
    fields.category.value = article.category;
    fields.title.value = article.title;
    fields.body.value = article.body;
    fields.translation_id.value = article.translation_id || "";
    fields.published.checked = !!article.published;
  }

  function values() {
    return {
      locale: fields.locale.value,
      category: fields.category.value,
      title: fields.title.value,
      body: fields.body.value,
      translation_id: fields.translation_id.value.trim() || null,
      published: fields.published.checked,
    };
  }

  function clearInvalid() {
    Object.values(fields).forEach((field) => field.removeAttribute("aria-invalid"));
  }

  function refusal(answer) {
    const told = app.refusal(answer, {
      scope: "console.kb.problem",
      fields: {
        locale: "console.kb.problem.locale",
        title: "console.kb.problem.title",
        body: "console.kb.problem.body",
        category: "console.kb.problem.category",
        translation_id: "console.kb.problem.translation_id",
      },
    });
    clearInvalid();
    for (const path of told.fields || []) {
      const field = fields[path];
      if (field) field.setAttribute("aria-invalid", "true");
    }
    show(error, told.text);
  }

  document.getElementById("kb-preview-button").addEventListener("click", async () => {
    show(error, "");
    const answer = await api("POST", "/support/articles/preview", { body: fields.body.value });
    if (!answer.ok) return refusal(answer);
    // The server's rendering: raw HTML in the markdown is already escaped, unsafe links removed.
    preview.innerHTML = answer.body.html;
    preview.hidden = false;
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    show(error, "");
    show(saved, "");
    const answer = article
      ? await api("PUT", "/support/articles/" + encodeURIComponent(article.id), values())
      : await api("POST", "/support/articles", values());
    if (!answer.ok) return refusal(answer);
    clearInvalid();
    // Back to the list with the article open in the editor, so a reload shows what is stored.
    window.location.assign("/support/kb?edit=" + encodeURIComponent(answer.body.id) + "&saved=1");
  });

  if (new URLSearchParams(window.location.search).get("saved") === "1") show(saved, t("console.kb.saved"));

  document.querySelectorAll("[data-testid=kb-toggle]").forEach((button) =>
    button.addEventListener("click", async () => {
      button.disabled = true;
      const action = button.dataset.publish === "true" ? "publish" : "unpublish";
      const answer = await api("POST", "/support/articles/" + encodeURIComponent(button.dataset.articleId) + "/" + action, {});
      if (!answer.ok) {
        button.disabled = false;
        return refusal(answer);
      }
      window.location.reload();
    }),
  );
})();
