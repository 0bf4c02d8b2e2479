// The phone order page: the location's menu (with each product's options and a note for the
// kitchen), the customer, pickup or delivery (with the address), the time among the location's
// slots, and the payment (at
// pickup where the location allows it, else the card now). The order is placed through
// POST /api/v1/locations/{id}/phone-orders, which sets the `phone` channel: the server decides,
// this page only gathers. Prices shown here are the menu's; the server prices the order.
"use strict";
(function () {
  const { data, t, money, api, refusal, h, show } = window.consoleApp;
  const form = document.getElementById("phone-form");
  if (!form) return;
  const menuList = document.getElementById("phone-menu");
  const menuState = document.getElementById("menu-state");
  const cartList = document.getElementById("phone-cart");
  const cartEmpty = document.getElementById("cart-empty");
  const totalEl = document.getElementById("phone-total");
  const pickup = document.getElementById("pickup-at");
  const cardField = document.getElementById("card-field");
  const formError = document.getElementById("phone-error-box");
  const done = document.getElementById("phone-done");
  const fieldErrors = {
    "customer.name": "name-error",
    "customer.phone": "phone-error",
    "customer.email": "email-error",
    "payment.card_number": "card-error",
    pickup_at: "pickup-error",
    // A delivery's address (issue 14 point 8).
    delivery_address: "street-error",
    "delivery_address.street": "street-error",
    "delivery_address.number": "number-error",
    "delivery_address.district": "district-error",
    "delivery_address.reference": "reference-error",
  };
  const fieldTexts = {
    "customer.name": "console.phone.error.name",
    "customer.phone": "console.phone.error.phone",
    "customer.email": "console.phone.error.email",
    "payment.card_number": "console.phone.error.card",
    pickup_at: "console.phone.error.pickup",
    delivery_address: "console.phone.error.delivery_street",
    "delivery_address.street": "console.phone.error.delivery_street",
    "delivery_address.number": "console.phone.error.delivery_number",
    "delivery_address.district": "console.phone.error.delivery_district",
    "delivery_address.reference": "console.phone.error.delivery_reference",
  };
  const deliveryFields = document.getElementById("delivery-fields");
  const pickupLabel = document.getElementById("pickup-label");
  const cart = [];
  let editor = null;

  function currencyOf(value) {
    return (value && value.currency) || data.currency;
  }

  function variantName(product, variant) {
    const attributes = Object.values(variant.attributes || {}).join(" ");
    return product.variants.length > 1 && attributes ? product.name + " (" + attributes + ")" : product.name;
  }

  // The option editor under a menu row: each group as radios (one choice) or checkboxes, a
  // note, and a button that puts the line in the order.
  function openEditor(row, product, variant) {
    if (editor) editor.remove();
    const groups = (product.modifier_groups || []).map((group, g) => {
      const single = group.max === 1;
      const options = group.options.map((option, o) =>
        h(
          "label",
          { class: "choice" },
          h("input", { type: single ? "radio" : "checkbox", name: "group-" + g, value: option.name, "data-testid": "phone-option", "data-group": group.name, checked: single && group.min > 0 && o === 0 }),
          " " + option.name + (option.price && option.price.amount ? " +" + money(option.price) : ""),
        ),
      );
      const rule = group.min > 0 ? t("console.phone.required_group") : t("console.phone.optional_group", { max: group.max });
      return h("fieldset", { class: "choices", "data-group": group.name }, h("legend", {}, group.name + " · " + rule), options);
    });
    const note = h("input", { type: "text", maxlength: "140", "data-testid": "phone-note", "aria-label": t("console.phone.note") , placeholder: t("console.phone.note_placeholder") });
    const quantity = h("input", { type: "number", min: "1", max: "99", value: "1", inputmode: "numeric", "data-testid": "phone-quantity", "aria-label": t("console.phone.quantity") });
    const problem = h("p", { class: "field-error", role: "alert", hidden: true });
    const add = h("button", { type: "button", class: "primary", "data-testid": "phone-add-line" }, t("console.phone.add_line"));
    editor = h(
      "li",
      { class: "panel phone-editor", "data-testid": "phone-editor" },
      groups,
      h("p", { class: "field" }, h("label", {}, t("console.phone.note"), note)),
      h("p", { class: "field" }, h("label", {}, t("console.phone.quantity"), quantity)),
      problem,
      h("p", { class: "actions" }, add, h("button", { type: "button", onclick: () => closeEditor(row) }, t("console.phone.cancel"))),
    );
    add.addEventListener("click", () => {
      const modifiers = [];
      let extra = 0;
      for (const [g, group] of (product.modifier_groups || []).entries()) {
        const picked = [...editor.querySelectorAll("input[name='group-" + g + "']:checked")].map((input) => input.value);
        if (picked.length < group.min || picked.length > group.max) {
          show(problem, t("console.phone.group_rule", { group: group.name, min: group.min, max: group.max }));
          return;
        }
        for (const name of picked) {
          modifiers.push({ group: group.name, option: name });
          const option = group.options.find((o) => o.name === name);
          extra += (option && option.price && option.price.amount) || 0;
        }
      }
      const count = Math.trunc(Number(quantity.value));
      if (!(count >= 1 && count <= 99)) {
        show(problem, t("console.phone.quantity_rule"));
        return;
      }
      cart.push({
        sku: variant.sku,
        name: variantName(product, variant),
        quantity: count,
        modifiers,
        note: note.value.trim() || null,
        unit: { amount: variant.price.amount + extra, currency: currencyOf(variant.price) },
      });
      closeEditor(row);
      renderCart();
    });
    row.after(editor);
    const first = editor.querySelector("input");
    if (first) first.focus();
  }

  function closeEditor(row) {
    if (editor) editor.remove();
    editor = null;
    const button = row.querySelector("button");
    if (button) button.focus();
  }

  function renderMenu(location) {
    menuList.replaceChildren();
    let rows = 0;
    for (const product of location.products || []) {
      for (const variant of product.variants || []) {
        const name = variantName(product, variant);
        const out = variant.sold_out || !variant.available;
        const row = h(
          "li",
          { class: "switch-row", "data-testid": "phone-product", "data-sku": variant.sku },
          h("span", { class: "item-text" }, h("span", { class: "item-name" }, name), h("small", {}, (product.category ? product.category + " · " : "") + money(variant.price) + (out ? " · " + t("console.phone.sold_out") : ""))),
        );
        const button = h("button", { type: "button", "data-testid": "phone-add", disabled: out, "aria-label": t("console.phone.add_label", { item: name }) }, t("console.phone.add"));
        button.addEventListener("click", () => openEditor(row, product, variant));
        row.append(button);
        menuList.append(row);
        rows += 1;
      }
    }
    show(menuState, rows ? "" : t("console.phone.no_products"));
  }

  function renderCart() {
    cartList.replaceChildren();
    let total = 0;
    cart.forEach((line, i) => {
      total += line.unit.amount * line.quantity;
      const details = line.modifiers.map((m) => m.option).concat(line.note ? ["“" + line.note + "”"] : []).join(" · ");
      cartList.append(
        h(
          "li",
          { class: "switch-row", "data-testid": "phone-line" },
          h("span", { class: "item-text" }, h("span", { class: "item-name" }, line.quantity + " × " + line.name), details ? h("small", {}, details) : null),
          h("span", {}, money({ amount: line.unit.amount * line.quantity, currency: line.unit.currency })),
          h("button", { type: "button", "data-testid": "phone-remove", "aria-label": t("console.phone.remove_label", { item: line.name }), onclick: () => { cart.splice(i, 1); renderCart(); } }, t("console.phone.remove")),
        ),
      );
    });
    cartEmpty.hidden = cart.length > 0;
    totalEl.textContent = cart.length ? t("console.phone.total", { total: money({ amount: total, currency: data.currency }) }) : "";
  }

  async function loadMenu() {
    const answer = await api("GET", "/sites/" + encodeURIComponent(data.site_id) + "/menu?channel=phone&include_closed=true");
    const location = answer.ok && answer.body && (answer.body.locations || []).find((l) => l.id === data.location_id);
    if (!location) {
      show(menuState, answer.ok ? t("console.phone.not_on_menu") : refusal(answer).text);
      return;
    }
    renderMenu(location);
  }

  async function loadSlots() {
    const answer = await api("GET", "/sites/" + encodeURIComponent(data.site_id) + "/pickup-slots?location_ids=" + encodeURIComponent(data.location_id));
    if (!answer.ok || !Array.isArray(answer.body)) return;
    for (const slot of answer.body) {
      pickup.append(h("option", { value: slot.start, disabled: !slot.available }, slot.available ? slot.label : t("console.phone.slot_full", { time: slot.label })));
    }
  }

  function clearErrors() {
    for (const id of Object.values(fieldErrors)) show(document.getElementById(id), "");
    form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    show(formError, "");
  }

  function fieldError(field, text) {
    const el = document.getElementById(fieldErrors[field]);
    show(el, text);
    const input = el && el.parentElement.querySelector("input, select");
    if (input) input.setAttribute("aria-invalid", "true");
    return input;
  }

  function payment() {
    const checked = form.querySelector("input[name=payment]:checked");
    return checked ? checked.value : "card";
  }

  function fulfilment() {
    const checked = form.querySelector("input[name=fulfilment]:checked");
    return checked ? checked.value : "pickup";
  }

  // A delivery shows its address fields and names the time "when it leaves"; a pickup hides them.
  function showFulfilment() {
    const delivery = fulfilment() === "delivery";
    deliveryFields.hidden = !delivery;
    pickupLabel.textContent = delivery ? pickupLabel.dataset.delivery : pickupLabel.dataset.pickup;
  }

  function deliveryAddress() {
    const value = (id) => document.getElementById(id).value.trim();
    return {
      street: value("delivery-street"),
      number: value("delivery-number"),
      district: value("delivery-district"),
      reference: value("delivery-reference") || null,
    };
  }

  form.addEventListener("change", (event) => {
    if (event.target.name === "payment") cardField.hidden = payment() !== "card";
    if (event.target.name === "fulfilment") showFulfilment();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    show(done, "");
    const name = document.getElementById("customer-name").value.trim();
    const phone = document.getElementById("customer-phone").value.trim();
    const email = document.getElementById("customer-email").value.trim();
    let first = null;
    if (!name) first = first || fieldError("customer.name", t("console.phone.error.name"));
    if (!phone) first = first || fieldError("customer.phone", t("console.phone.error.phone"));
    const delivering = fulfilment() === "delivery";
    const address = delivering ? deliveryAddress() : null;
    if (delivering) {
      // Every missing part of the address is marked at once; the first takes the focus.
      for (const part of ["street", "number", "district"]) {
        if (address[part]) continue;
        const input = fieldError(`delivery_address.${part}`, t(`console.phone.error.delivery_${part}`));
        first = first || input;
      }
    }
    if (!cart.length) {
      show(formError, t("console.phone.error.empty"));
      first = first || formError;
    }
    if (first) {
      first.focus();
      return;
    }
    const method = payment();
    const body = {
      customer: { name, phone, email: email || null },
      lines: cart.map((line) => ({ sku: line.sku, quantity: line.quantity, modifiers: line.modifiers, note: line.note })),
      pickup_at: pickup.value || null,
      fulfilment: delivering ? "delivery" : "pickup",
      delivery_address: address,
      payment: { method, card_number: method === "card" ? document.getElementById("card-number").value.replace(/\s+/g, "") : null },
    };
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    const answer = await api("POST", "/locations/" + encodeURIComponent(data.location_id) + "/phone-orders", body);
    button.disabled = false;
    if (answer.ok && answer.body) {
      show(done, t("console.phone.placed", { number: answer.body.number }));
      cart.length = 0;
      renderCart();
      form.reset();
      cardField.hidden = payment() !== "card";
      showFulfilment();
      done.focus && done.setAttribute("tabindex", "-1");
      done.focus();
      return;
    }
    const { text, fields } = refusal(answer, { scope: "console.phone.problem", fields: fieldTexts });
    let focus = null;
    for (const field of fields) {
      if (fieldErrors[field]) focus = focus || fieldError(field, t(fieldTexts[field]));
    }
    const unplaced = fields.filter((f) => !fieldErrors[f]);
    if (!fields.length || unplaced.length) show(formError, text);
    (focus || formError).focus();
  });

  renderCart();
  loadMenu();
  loadSlots();
})();
