// The cart and checkout: lines from localStorage, totals and promotions from the pricing
// quote, pickup slots, one payment; a sold-out line is marked and the cart kept.
"use strict";
(function () {
  const { data, t, money, cart } = window.omnicanal;
  const list = document.getElementById("cart-lines");
  const empty = document.querySelector("[data-testid=empty-cart]");
  const errorBox = document.getElementById("checkout-error");
  const form = document.getElementById("checkout");
  const button = document.getElementById("place-order");
  let problems = {}; // "location|sku" → message
  let quoteTimer = null;

  function lineKey(line) {
    return cart.key(line);
  }

  function render() {
    const lines = cart.lines();
    list.textContent = "";
    empty.hidden = lines.length > 0;
    form.hidden = lines.length === 0;
    document.getElementById("totals").hidden = lines.length === 0;
    for (const line of lines) {
      const li = document.createElement("li");
      li.className = "cart-line";
      li.dataset.testid = "cart-line";
      li.dataset.sku = line.sku;
      li.dataset.locationId = line.location_id;
      const place = (data.locations[line.location_id] || {}).name || "";
      const name = document.createElement("div");
      name.className = "line-name";
      name.innerHTML = "<strong></strong><small></small>";
      name.querySelector("strong").textContent = line.name;
      name.querySelector("small").textContent = place;
      const controls = document.createElement("div");
      controls.className = "line-controls";
      const minus = button_("−", t("cart.minus", { name: line.name }), () => change(line, -1));
      minus.dataset.testid = "line-minus";
      const quantity = document.createElement("span");
      quantity.dataset.testid = "line-quantity";
      quantity.setAttribute("aria-label", t("cart.quantity"));
      quantity.textContent = String(line.quantity);
      const plus = button_("+", t("cart.plus", { name: line.name }), () => change(line, 1));
      plus.dataset.testid = "line-plus";
      const remove = button_("✕", t("cart.remove", { name: line.name }), () => change(line, -line.quantity));
      remove.dataset.testid = "line-remove";
      const price = document.createElement("span");
      price.className = "line-price";
      price.textContent = money(line.price * line.quantity, data.currency);
      controls.append(minus, quantity, plus, remove, price);
      li.append(name, controls);
      const problem = problems[lineKey(line)];
      if (problem) {
        const p = document.createElement("p");
        p.className = "line-error";
        p.dataset.testid = "line-error";
        p.textContent = problem;
        li.append(p);
        li.classList.add("has-error");
      }
      list.append(li);
    }
    const allowPap = lines.every((l) => (data.locations[l.location_id] || {}).pay_at_pickup);
    const pap = document.getElementById("pay-at-pickup");
    pap.disabled = !allowPap;
    document.getElementById("pap-hint").hidden = allowPap;
    if (!allowPap && pap.checked) form.querySelector("input[value=card]").checked = true;
    scheduleQuote();
  }

  function button_(text, label, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "small";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.addEventListener("click", onClick);
    return b;
  }

  function change(line, delta) {
    const lines = cart.lines();
    const same = lines.find((l) => lineKey(l) === lineKey(line));
    if (!same) return;
    same.quantity += delta;
    delete problems[lineKey(line)];
    cart.save(lines.filter((l) => l.quantity > 0));
    render();
  }

  function requestLines() {
    return cart.lines().map((l) => ({
      sku: l.sku,
      location_id: l.location_id,
      quantity: l.quantity,
      modifiers: l.modifiers || [],
      note: l.note || null,
    }));
  }

  function coupons() {
    const code = document.getElementById("coupon").value.trim();
    return code ? [code] : [];
  }

  function customer() {
    const email = document.getElementById("customer-email").value.trim();
    const phone = document.getElementById("customer-phone").value.trim();
    return { email: email || null, phone: phone || null };
  }

  function scheduleQuote() {
    clearTimeout(quoteTimer);
    quoteTimer = setTimeout(quote, 250);
  }

  async function quote() {
    const lines = requestLines();
    if (!lines.length) return;
    try {
      const response = await fetch("/api/v1/pricing/quote", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ site_id: data.site_id, channel: "qr", lines, coupon_codes: coupons(), customer: customer() }),
      });
      if (!response.ok) return;
      const body = await response.json();
      const q = body.quote;
      document.getElementById("cart-total").textContent = money(q.total.amount, q.currency);
      document.getElementById("cart-discount").textContent = q.discount.amount ? "-" + money(q.discount.amount, q.currency) : money(0, q.currency);
      const promos = document.getElementById("promos");
      promos.textContent = "";
      for (const p of q.promotions.filter((p) => p.applied)) {
        const li = document.createElement("li");
        li.textContent = p.name + " −" + money(p.amount.amount, q.currency);
        promos.append(li);
      }
    } catch (_) {
      /* offline: totals stay as they were */
    }
  }

  async function slots() {
    const ids = [...new Set(cart.lines().map((l) => l.location_id))];
    if (!ids.length) return;
    try {
      const response = await fetch(
        "/api/v1/sites/" + encodeURIComponent(data.site_id) + "/pickup-slots?location_ids=" + encodeURIComponent(ids.join(","))
      );
      if (!response.ok) return;
      const select = document.getElementById("pickup-time");
      for (const slot of await response.json()) {
        const option = document.createElement("option");
        option.value = slot.start;
        option.textContent = slot.label;
        option.disabled = !slot.available;
        select.append(option);
      }
    } catch (_) {
      /* ASAP stays available */
    }
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    errorBox.focus();
  }

  form.addEventListener("input", (event) => {
    if (event.target.id === "coupon" || event.target.id === "customer-email") scheduleQuote();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errorBox.hidden = true;
    const lines = requestLines();
    const method = form.querySelector("input[name=payment-method]:checked").value;
    const order = {
      site_id: data.site_id,
      channel: "qr",
      customer: Object.assign({ name: document.getElementById("customer-name").value.trim() }, customer()),
      lines,
      coupon_codes: coupons(),
      pickup_at: document.getElementById("pickup-time").value || null,
      table: data.table || null,
      payment: { method, card_number: method === "card" ? document.getElementById("card-number").value.replace(/\s+/g, "") : null },
    };
    button.disabled = true;
    button.textContent = t("checkout.placing");
    try {
      const response = await fetch("/api/v1/orders", {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random() },
        body: JSON.stringify(order),
      });
      const body = await response.json().catch(() => ({}));
      if (response.status === 201) {
        cart.clear();
        const table = data.table ? "&table=" + encodeURIComponent(data.table) : "";
        location.href = "/s/" + encodeURIComponent(data.site_id) + "/orders/" + encodeURIComponent(body.id) + "?token=" + encodeURIComponent(body.tracking_token) + table;
        return;
      }
      problems = {};
      if (body.code === "insufficient_stock" && body.sku) {
        for (const line of cart.lines().filter((l) => l.sku === body.sku)) problems[lineKey(line)] = t("item.sold_out");
        showError(t("checkout.sold_out", { sku: (cart.lines().find((l) => l.sku === body.sku) || { name: body.sku }).name }));
      } else if (body.code === "payment_declined") {
        showError(t("checkout.declined"));
      } else if (body.errors && body.errors.length) {
        const current = cart.lines();
        for (const error of body.errors) {
          const match = /^lines\[(\d+)\]/.exec(error.field || "");
          if (match && current[Number(match[1])]) problems[lineKey(current[Number(match[1])])] = error.message;
        }
        if (body.code === "unknown_sku" && body.sku) {
          for (const line of current.filter((l) => l.sku === body.sku)) problems[lineKey(line)] = t("checkout.line_problem");
        }
        showError(t("checkout.invalid", { details: body.errors.map((e) => e.message).join("; ") }));
      } else {
        showError(body.detail || t("checkout.failed"));
      }
      render();
      showError(errorBox.textContent);
    } catch (_) {
      showError(t("checkout.failed"));
    } finally {
      button.disabled = false;
      button.textContent = t("checkout.place");
    }
  });

  errorBox.tabIndex = -1;
  render();
  slots();
})();
