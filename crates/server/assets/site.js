// The menu page: add buttons fill the cart; availability is refreshed from the menu API.
// The modifier picker keeps each group within its limits as the customer chooses: a choice past
// "up to N" is undone at once with the reason beside it, and a dish missing a required choice is
// not added (the server would refuse the line, and the cart could not be priced).
// The finder: a search over dishes' names and descriptions that filters as one types (accents
// and case ignored), saying so from the catalog when nothing matches, and a jump to a restaurant.
// A promotion's badge is taken down when the stretch it announced ends ("hasta las 18:00").
"use strict";
(function () {
  const { data, t, cart } = window.omnicanal;
  const count = document.querySelector("[data-testid=cart-count]");
  function showCount() {
    count.textContent = String(cart.count());
  }

  function say(group, text) {
    const note = group.querySelector("[data-testid=group-limit]");
    note.textContent = text;
    note.hidden = !text;
  }

  function guardGroup(group) {
    const max = Number(group.dataset.max || 0);
    group.addEventListener("change", (event) => {
      const input = event.target;
      if (!(input instanceof HTMLInputElement) || input.type !== "checkbox") return;
      if (input.checked && max > 0 && group.querySelectorAll("input:checked").length > max) {
        input.checked = false;
        say(group, t("item.max_reached", { max, group: group.dataset.group }));
        return;
      }
      say(group, "");
    });
  }

  /** The groups that still need a choice; each says so, and the dish's options open. */
  function missingChoices(item) {
    const missing = [];
    item.querySelectorAll("fieldset.group").forEach((group) => {
      const min = Number(group.dataset.min || 0);
      if (group.querySelectorAll("input:checked").length < min) {
        say(group, t("item.choose", { min, group: group.dataset.group }));
        missing.push(group);
      }
    });
    if (missing.length) {
      const details = item.querySelector("details.options");
      if (details) details.open = true;
      const first = missing[0].querySelector("input");
      if (first) first.focus();
    }
    return missing;
  }

  document.querySelectorAll("[data-testid=menu-item]").forEach((item) => {
    const button = item.querySelector("[data-testid=add]");
    item.querySelectorAll("fieldset.group").forEach(guardGroup);
    button.addEventListener("click", () => {
      if (missingChoices(item).length) return;
      const modifiers = [];
      let price = Number(item.dataset.price);
      item.querySelectorAll("fieldset.group").forEach((group) => {
        group.querySelectorAll("input:checked").forEach((input) => {
          modifiers.push({ group: group.dataset.group, option: input.value });
          price += Number(input.dataset.price || 0);
        });
      });
      const noteInput = item.querySelector("input.note");
      const note = noteInput ? noteInput.value.trim() : "";
      const details = modifiers.map((m) => m.option).concat(note ? ["“" + note + "”"] : []);
      cart.add({
        sku: item.dataset.sku,
        location_id: item.dataset.locationId,
        name: item.dataset.name + (details.length ? " · " + details.join(", ") : ""),
        price,
        modifiers,
        note: note || null,
      });
      showCount();
      button.classList.add("added");
      setTimeout(() => button.classList.remove("added"), 400);
    });
  });
  showCount();
  window.addEventListener("pageshow", showCount);

  /** Lower case without accents, so "cafe" finds "Café" and "pina" finds "piña". */
  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }
  const search = document.querySelector("[data-testid=menu-search]");
  const empty = document.querySelector("[data-testid=search-empty]");
  function filter() {
    const query = fold(search.value);
    const words = query.split(/\s+/).filter(Boolean);
    let shown = 0;
    document.querySelectorAll("[data-testid=restaurant]").forEach((restaurant) => {
      let here = 0;
      restaurant.querySelectorAll("[data-testid=menu-category]").forEach((category) => {
        let inCategory = 0;
        category.querySelectorAll("[data-testid=menu-item]").forEach((item) => {
          const text = fold(item.dataset.search);
          const match = words.every((word) => text.includes(word));
          item.hidden = !match;
          if (match) inCategory += 1;
        });
        category.hidden = inCategory === 0;
        here += inCategory;
      });
      restaurant.hidden = words.length > 0 && here === 0;
      shown += here;
    });
    empty.textContent = shown === 0 && words.length ? t("menu.no_results", { query: search.value.trim() }) : "";
    empty.hidden = !empty.textContent;
  }
  if (search) search.addEventListener("input", filter);

  const jump = document.querySelector("[data-testid=menu-jump]");
  if (jump) {
    jump.addEventListener("change", () => {
      const target = jump.value && document.getElementById(jump.value);
      jump.value = "";
      if (!target) return;
      // A restaurant the search hides is shown again: the visitor asked for it by name.
      if (target.hidden && search) {
        search.value = "";
        filter();
      }
      target.scrollIntoView({ block: "start" });
      const heading = target.querySelector("h2");
      if (heading) heading.focus({ preventScroll: true });
    });
  }

  function retireEndedPromotions() {
    const now = Date.now();
    document.querySelectorAll("[data-ends-at-ms]").forEach((badge) => {
      if (Number(badge.dataset.endsAtMs) <= now) badge.hidden = true;
    });
  }
  setInterval(retireEndedPromotions, 15000);
  // Live availability: sold-out items turn unorderable without a reload.
  async function refresh() {
    try {
      for (const { location, variant } of await window.omnicanal.menuVariants()) {
        const item = document.querySelector(
          '[data-testid=menu-item][data-sku="' + CSS.escape(variant.sku) + '"][data-location-id="' + CSS.escape(location.id) + '"]'
        );
        if (!item) continue;
        item.querySelector("[data-testid=add]").disabled = !variant.available;
        item.classList.toggle("unavailable", !variant.available);
      }
    } catch (_) {
      /* offline: try again later */
    }
  }
  setInterval(refresh, 15000);
})();
