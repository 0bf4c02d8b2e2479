// The product form of the console's catalogue (issue 15 point 2): buttons to add and remove
// rows of variants, modifier groups and their options. The form works without this script —
// the page always offers blank rows, and a row left blank is ignored by the server — so this
// only adds rows beyond those and clears a row to remove it. Loaded from /static/ (CSP).
"use strict";

(() => {
  const form = document.querySelector("[data-testid=product-form]");
  if (!form) return;

  const rowSelector = { variants: ".variant-row", options: ".option-row", groups: ".group-block" };

  // The name and id patterns of each kind of row: `v.3.sku`/`v-3-sku`, `g.1.o.2.name`/`g-1-o-2-name`.
  const renumber = (row, kind, index) => {
    const [dotted, dashed] =
      kind === "variants" ? [/^v\.\d+\./, /^v-\d+-/] : kind === "groups" ? [/^g\.\d+\./, /^g-\d+-/] : [/\.o\.\d+\./, /-o-\d+-/];
    const [dotTo, dashTo] =
      kind === "variants" ? [`v.${index}.`, `v-${index}-`] : kind === "groups" ? [`g.${index}.`, `g-${index}-`] : [`.o.${index}.`, `-o-${index}-`];
    row.dataset.index = String(index);
    for (const element of row.querySelectorAll("[name], [id], label[for]")) {
      if (element.name) element.name = element.name.replace(dotted, dotTo);
      if (element.id) element.id = element.id.replace(dashed, dashTo);
      const target = element.getAttribute("for");
      if (target) element.setAttribute("for", target.replace(dashed, dashTo));
    }
  };

  const clear = (row) => {
    for (const input of row.querySelectorAll("input")) {
      input.value = "";
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    }
    for (const error of row.querySelectorAll(".field-error")) error.remove();
  };

  const wire = (root) => {
    for (const button of root.querySelectorAll("[data-add-row], [data-remove-row]")) button.hidden = false;
  };

  form.addEventListener("click", (event) => {
    const add = event.target.closest("[data-add-row]");
    const remove = event.target.closest("[data-remove-row]");
    if (add) {
      const kind = add.dataset.addRow;
      const scope = kind === "options" ? add.closest(".group-block") : add.closest("fieldset");
      const container = scope.querySelector(`[data-rows=${kind}]`);
      const rows = [...container.querySelectorAll(`:scope > ${rowSelector[kind]}`)];
      const last = rows[rows.length - 1];
      if (!last) return;
      const next = Math.max(...rows.map((row) => Number(row.dataset.index) || 0)) + 1;
      const copy = last.cloneNode(true);
      copy.hidden = false;
      renumber(copy, kind, next);
      clear(copy);
      if (kind === "groups") {
        const min = copy.querySelector("[data-testid=group-min]");
        const max = copy.querySelector("[data-testid=group-max]");
        if (min) min.value = "0";
        if (max) max.value = "1";
      }
      container.append(copy);
      wire(copy);
      copy.querySelector("input")?.focus();
    } else if (remove) {
      const row = remove.closest(".option-row") || remove.closest(".variant-row") || remove.closest(".group-block");
      if (!row) return;
      clear(row);
      row.hidden = true;
    }
  });

  wire(form);
})();
