// The promotion form (/console/pricing/promotions): only the fields of the chosen kind are
// shown. Without this script every kind's fields stay visible, each under its own legend, and
// the server reads only those of the kind chosen.
"use strict";
(() => {
  const kind = document.getElementById("p-kind");
  if (!kind) return;
  const groups = Array.from(document.querySelectorAll("fieldset.kind-fields[data-kinds]"));
  const show = () => {
    for (const group of groups) {
      const wanted = group.dataset.kinds.split(" ").includes(kind.value);
      group.hidden = !wanted;
      for (const input of group.querySelectorAll("input, textarea")) input.disabled = !wanted;
    }
  };
  kind.addEventListener("change", show);
  show();
})();
