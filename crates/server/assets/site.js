// The menu page: add buttons fill the cart; availability is refreshed from the menu API.
"use strict";
(function () {
  const { data, cart } = window.omnicanal;
  const count = document.querySelector("[data-testid=cart-count]");
  function showCount() {
    count.textContent = String(cart.count());
  }
  document.querySelectorAll("[data-testid=menu-item]").forEach((item) => {
    const button = item.querySelector("[data-testid=add]");
    button.addEventListener("click", () => {
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
  // Live availability: sold-out items turn unorderable without a reload.
  async function refresh() {
    try {
      const response = await fetch("/api/v1/sites/" + encodeURIComponent(data.site_id) + "/menu?include_closed=true");
      if (!response.ok) return;
      const menu = await response.json();
      for (const location of menu.locations) {
        for (const product of location.products) {
          for (const variant of product.variants) {
            const item = document.querySelector(
              '[data-testid=menu-item][data-sku="' + CSS.escape(variant.sku) + '"][data-location-id="' + CSS.escape(location.id) + '"]'
            );
            if (!item) continue;
            item.querySelector("[data-testid=add]").disabled = !variant.available;
            item.classList.toggle("unavailable", !variant.available);
          }
        }
      }
    } catch (_) {
      /* offline: try again later */
    }
  }
  setInterval(refresh, 15000);
})();
