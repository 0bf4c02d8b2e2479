// A product's variant grid in the console (issue 17 point 1): options (up to 3), one variant
// per combination generated from them, and per variant its SKU, barcode, price and on/off,
// edited in one table and saved whole with PUT /api/v1/products/{id}/variant-grid. Every
// refused field the API names (`variants[2].price`, `options[0].values[1]`) is shown at its
// cell, in the page's language; nothing typed is ever inserted as markup. Loaded from /static/.
"use strict";
(function () {
  const { data, api, refusal, t, h, show, money } = window.consoleApp;
  const productId = data.product_id;
  const currency = data.currency || "CLP";
  const body = document.getElementById("variants-rows");
  const problem = document.getElementById("variants-problem");
  const done = document.querySelector("[data-testid=variants-done]");
  const shopLink = document.getElementById("variants-shop-link");
  let rows = [];
  let gallery = [];

  const photoName = (id) => {
    const index = gallery.findIndex((photo) => photo.id === id);
    return index < 0 ? "" : t("console.variants.photo_n", { n: index + 1 });
  };
  const thumbOf = (photo) => (photo.renditions.find((r) => r.size === "thumb") || photo.renditions[0] || {}).url || "";

  function renderGallery() {
    const list = document.getElementById("gallery-list");
    list.replaceChildren(
      ...gallery.map((photo, i) =>
        h("li", { "data-testid": `gallery-photo-${i}` }, h("img", { src: thumbOf(photo), alt: photoName(photo.id), width: 80, height: 80 }), " ", photoName(photo.id)),
      ),
    );
  }

  const same = (a, b) => String(a || "").trim().toLowerCase() === String(b || "").trim().toLowerCase();

  // The options as typed: rows with a name, their values split on commas.
  function typedOptions() {
    const options = [];
    for (let i = 0; i < 3; i++) {
      const name = document.getElementById(`option-${i}-name`).value.trim();
      const values = document
        .getElementById(`option-${i}-values`)
        .value.split(",")
        .map((v) => v.trim())
        .filter(Boolean);
      if (name || values.length) options.push({ name, values, index: i });
    }
    return options;
  }

  // "12.990" → 12990 (CLP), "25,50" → 2550 (PEN); null when it is not a price.
  const parsePrice = (text) => window.consoleApp.parsePrice(text, currency);

  function priceText(amount) {
    return money({ amount, currency }).replace(/^S\/ |^\$/, "");
  }

  // Reads the table back into `rows` (what the manager typed since the last render).
  function readRows() {
    body.querySelectorAll("tr[data-row]").forEach((tr) => {
      const row = rows[Number(tr.dataset.row)];
      if (!row) return;
      row.sku = tr.querySelector("[data-field=sku]").value.trim();
      row.barcode = tr.querySelector("[data-field=barcode]").value.trim();
      row.priceText = tr.querySelector("[data-field=price]").value;
      row.active = tr.querySelector("[data-field=active]").checked;
      row.photo_id = tr.querySelector("[data-field=photo]").value || null;
    });
  }

  function combination(row) {
    const names = typedOptions().map((o) => o.name);
    const attributes = row.attributes || {};
    const shown = names.filter((n) => n && attributes[n] !== undefined).map((n) => String(attributes[n]));
    return shown.length ? shown.join(" · ") : t("console.variants.no_options");
  }

  function errorCell(field) {
    return h("p", { class: "alert field-error", "data-error-for": field, hidden: true });
  }

  function render() {
    body.replaceChildren(
      ...rows.map((row, i) =>
        h(
          "tr",
          { dataset: { row: String(i) }, "data-testid": `variant-row-${i}` },
          h("td", {}, h("span", { "data-testid": `variant-${i}-combination` }, combination(row)), errorCell(`variants[${i}].attributes`)),
          h(
            "td",
            {},
            h("input", { type: "text", value: row.sku, maxlength: 64, "data-field": "sku", "data-testid": `variant-${i}-sku`, "aria-label": t("console.variants.col.sku") }),
            errorCell(`variants[${i}].sku`),
          ),
          h(
            "td",
            {},
            h("input", { type: "text", value: row.barcode || "", maxlength: 14, inputmode: "numeric", "data-field": "barcode", "data-testid": `variant-${i}-barcode`, "aria-label": t("console.variants.col.barcode") }),
            errorCell(`variants[${i}].barcode`),
          ),
          h(
            "td",
            {},
            h("input", { type: "text", value: row.priceText, inputmode: "decimal", "data-field": "price", "data-testid": `variant-${i}-price`, "aria-label": t("console.variants.col.price", { currency }) }),
            errorCell(`variants[${i}].price`),
          ),
          h(
            "td",
            {},
            h("label", { class: "choice" }, h("input", { type: "checkbox", checked: row.active, "data-field": "active", "data-testid": `variant-${i}-active` }), " ", t("console.variants.on_sale")),
          ),
          h(
            "td",
            {},
            h(
              "select",
              { "data-field": "photo", "data-testid": `variant-${i}-photo`, "aria-label": t("console.variants.col.photo") },
              h("option", { value: "" }, t("console.variants.photo_main")),
              ...gallery.map((photo) => h("option", { value: photo.id, selected: photo.id === row.photo_id }, photoName(photo.id))),
            ),
            errorCell(`variants[${i}].photo_id`),
          ),
        ),
      ),
    );
    window.consoleApp.labelCells(document.querySelector("[data-testid=variants-grid]"));
  }

  function load(grid) {
    (grid.options || []).forEach((option, i) => {
      document.getElementById(`option-${i}-name`).value = option.name;
      document.getElementById(`option-${i}-values`).value = option.values.join(", ");
    });
    gallery = grid.gallery || [];
    renderGallery();
    rows = (grid.variants || []).map((v) => ({
      sku: v.sku,
      barcode: v.barcode || "",
      priceText: priceText(v.price.amount),
      attributes: v.attributes || {},
      active: v.active !== false,
      photo_id: v.photo_id || null,
    }));
    // The API lists variants by SKU; the grid keeps the options' order (as generated).
    const rank = (row) =>
      (grid.options || []).map((option) => {
        const at = option.values.findIndex((value) => same(value, (row.attributes || {})[option.name]));
        return at < 0 ? option.values.length : at;
      });
    rows.sort((a, b) => {
      const [x, y] = [rank(a), rank(b)];
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
      return 0;
    });
    render();
  }

  function clearErrors() {
    document.querySelectorAll("[data-error-for]").forEach((p) => show(p, ""));
    document.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    show(problem, "");
    show(done, "");
  }

  // The cell a field path belongs to: `variants[2].attributes.Talla` → its row's combination,
  // `options[0].values[1]` → the option's values.
  function cellFor(path) {
    // The API counts only the options sent (rows left blank are not): back to the typed row.
    path = path.replace(/^options\[(\d+)\]/, (whole, k) => {
      const typed = typedOptions()[Number(k)];
      return typed ? `options[${typed.index}]` : whole;
    });
    const candidates = [path, path.replace(/^(variants\[\d+\]\.attributes).*$/, "$1"), path.replace(/^(options\[\d+\]\.values).*$/, "$1")];
    for (const candidate of candidates) {
      const cell = document.querySelector(`[data-error-for="${CSS.escape(candidate)}"]`);
      if (cell) return cell;
    }
    return null;
  }

  function textFor(path, code) {
    if (code === "sku_taken") return t("console.variants.error.sku_taken");
    const kind = path.match(/\.(sku|barcode|price|photo_id)$/) || path.match(/\.(attributes)/) || path.match(/^options\[\d+\]\.(name|values)/);
    return t("console.variants.error." + (kind ? kind[1] : "other"));
  }

  // Options typed as the API takes them, each error path pointing at the row it was typed in.
  function optionsBody() {
    return typedOptions().map((o) => ({ name: o.name, values: o.values }));
  }

  function generate() {
    readRows();
    clearErrors();
    const options = typedOptions().filter((o) => o.name && o.values.length);
    if (!options.length) {
      show(problem, t("console.variants.error.no_options"));
      return;
    }
    let combos = [{}];
    for (const option of options) {
      combos = combos.flatMap((combo) => option.values.map((value) => Object.assign({}, combo, { [option.name]: value })));
    }
    if (combos.length > 100) {
      show(problem, t("console.variants.error.too_many", { count: combos.length }));
      return;
    }
    const base = (rows[0] && rows[0].sku.split("-")[0]) || "SKU";
    const price = rows[0] ? rows[0].priceText : "";
    rows = combos.map((combo) => {
      const kept = rows.find((row) => options.every((o) => same((row.attributes || {})[o.name], combo[o.name])));
      if (kept) return Object.assign({}, kept, { attributes: Object.assign({}, kept.attributes, combo) });
      const suffix = options.map((o) => combo[o.name].normalize("NFD").replace(/[^A-Za-z0-9]/g, "").slice(0, 3).toUpperCase()).join("-");
      return { sku: `${base}-${suffix}`, barcode: "", priceText: price, attributes: combo, active: true, photo_id: null };
    });
    render();
  }

  async function save() {
    readRows();
    clearErrors();
    const variants = [];
    let bad = false;
    rows.forEach((row, i) => {
      const amount = parsePrice(row.priceText);
      if (amount === null) {
        bad = true;
        const cell = cellFor(`variants[${i}].price`);
        show(cell, t("console.variants.error.price"));
        body.querySelector(`[data-testid=variant-${i}-price]`).setAttribute("aria-invalid", "true");
      }
      variants.push({ sku: row.sku, barcode: row.barcode || null, price: { amount: amount || 0, currency }, attributes: row.attributes || {}, active: row.active, photo_id: row.photo_id || null });
    });
    if (bad) {
      show(problem, t("console.variants.error.summary"));
      return;
    }
    const button = document.getElementById("variants-save");
    button.disabled = true;
    const answer = await api("PUT", `/products/${encodeURIComponent(productId)}/variant-grid`, { options: optionsBody(), variants });
    button.disabled = false;
    if (answer.ok) {
      load(answer.body);
      show(done, t("console.variants.saved"));
      if (data.shop_product_url) shopLink.hidden = false;
      return;
    }
    const errors = (answer.body && Array.isArray(answer.body.errors) && answer.body.errors) || [];
    let placed = 0;
    for (const error of errors) {
      const path = String(error.field || "");
      const cell = cellFor(path);
      if (!cell) continue;
      placed++;
      show(cell, textFor(path, answer.body.code));
      const input = cell.parentElement.querySelector("input");
      if (input) input.setAttribute("aria-invalid", "true");
    }
    show(problem, placed ? t("console.variants.error.summary") : refusal(answer, { scope: "console.variants.problem" }).text);
  }

  // Uploads a gallery photo (multipart, the session's CSRF header), then offers it in the grid.
  async function upload() {
    const input = document.getElementById("gallery-file");
    const error = document.getElementById("gallery-error");
    show(error, "");
    if (!input.files || !input.files[0]) {
      show(error, t("console.variants.error.no_file"));
      return;
    }
    readRows();
    const form = new FormData();
    form.append("photo", input.files[0]);
    const button = document.getElementById("gallery-upload");
    button.disabled = true;
    let response = null;
    try {
      response = await fetch(`/api/v1/products/${encodeURIComponent(productId)}/gallery`, {
        method: "POST",
        credentials: "same-origin",
        headers: { accept: "application/json", "x-csrf-token": window.consoleApp.cookie("oc_csrf") },
        body: form,
      });
    } catch (_) {
      response = null;
    }
    button.disabled = false;
    if (!response || !response.ok) {
      const status = response ? response.status : 0;
      show(error, t(status === 413 ? "console.variants.error.photo_large" : status === 415 ? "console.variants.error.photo_type" : "console.variants.error.photo"));
      return;
    }
    gallery.push(await response.json());
    input.value = "";
    renderGallery();
    render();
  }
  document.getElementById("gallery-upload").addEventListener("click", upload);

  if (data.shop_product_url) {
    shopLink.href = data.shop_product_url;
    shopLink.hidden = false;
  }
  document.getElementById("variants-generate").addEventListener("click", generate);
  document.getElementById("variants-save").addEventListener("click", save);
  api("GET", `/products/${encodeURIComponent(productId)}/variant-grid`).then((answer) => {
    if (answer.ok) load(answer.body);
    else show(problem, refusal(answer, { scope: "console.variants.problem" }).text);
  });
})();
