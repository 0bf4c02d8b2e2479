// The cart and checkout: lines from localStorage, totals and promotions from the pricing
// quote, pickup slots, one payment. A refusal (problems.js) marks the lines and fields it is
// about, in the page's language, and the cart is kept.
"use strict";
(function () {
  const { data, t, money, cart, problems: refusals } = window.omnicanal;
  const list = document.getElementById("cart-lines");
  const empty = document.querySelector("[data-testid=empty-cart]");
  const errorBox = document.getElementById("checkout-error");
  const form = document.getElementById("checkout");
  const button = document.getElementById("place-order");
  let problems = {}; // line key → why the last order was refused for it (until the line changes)
  let quoteProblems = {}; // line key → why the cart cannot be priced now (replaced by each quote)
  let quoteTimer = null;

  function lineKey(line) {
    return cart.key(line);
  }

  function render() {
    renderLines();
    scheduleQuote();
  }

  function renderLines() {
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
      // No more than the menu says is left, counting every line of the same dish there.
      const left = availability[line.location_id + "|" + line.sku];
      if (left !== undefined && unitsOf(lines, line) >= left) {
        plus.disabled = true;
        plus.title = t("cart.max_available", { count: left });
      }
      const remove = button_("✕", t("cart.remove", { name: line.name }), () => change(line, -line.quantity));
      remove.dataset.testid = "line-remove";
      const price = document.createElement("span");
      price.className = "line-price";
      price.textContent = money(line.price * line.quantity, data.currency);
      controls.append(minus, quantity, plus, remove, price);
      li.append(name, controls);
      const problem = problems[lineKey(line)] || quoteProblems[lineKey(line)];
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
    // Pay at pickup only when every restaurant in the cart takes it; the hint names the others.
    const places = lines.map((l) => data.locations[l.location_id] || {});
    const allowPap = places.every((l) => l.pay_at_pickup);
    const refusing = [...new Set(places.filter((l) => !l.pay_at_pickup).map((l) => l.name).filter(Boolean))];
    const pap = document.getElementById("pay-at-pickup");
    pap.disabled = !allowPap;
    const hint = document.getElementById("pap-hint");
    hint.hidden = allowPap;
    hint.textContent = refusing.length
      ? t("checkout.pay_at_pickup_not_at", { restaurants: refusing.join(", ") })
      : t("checkout.pay_at_pickup_unavailable");
    if (!allowPap && pap.checked) form.querySelector("input[value=card]").checked = true;
    showPaymentMethod();
  }

  /** The card field only for a card; the button says how the order is paid. */
  function showPaymentMethod() {
    const payAtPickup = form.querySelector("input[name=payment-method]:checked").value === "pay_at_pickup";
    document.getElementById("card-field").hidden = payAtPickup;
    if (!button.disabled) button.textContent = placeText();
  }

  function placeText() {
    const payAtPickup = form.querySelector("input[name=payment-method]:checked").value === "pay_at_pickup";
    return payAtPickup ? t("checkout.place_pay_at_pickup") : t("checkout.place");
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

  // sku at location → units the menu says are left (tracked stock only).
  const availability = {};

  function unitsOf(lines, line) {
    return lines.filter((l) => l.sku === line.sku && l.location_id === line.location_id).reduce((n, l) => n + l.quantity, 0);
  }

  async function loadAvailability() {
    try {
      for (const { location, variant } of await window.omnicanal.menuVariants()) {
        if (typeof variant.available_quantity === "number") availability[location.id + "|" + variant.sku] = variant.available_quantity;
      }
      renderLines();
    } catch (_) {
      /* offline: the server still refuses what is not there */
    }
  }

  function change(line, delta) {
    const lines = cart.lines();
    const same = lines.find((l) => lineKey(l) === lineKey(line));
    if (!same) return;
    const left = availability[line.location_id + "|" + line.sku];
    if (delta > 0 && left !== undefined && unitsOf(lines, line) + delta > left) return;
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
      if (!response.ok) {
        // A cart the server cannot price says why on its lines rather than leaving "—" alone.
        const body = await response.json().catch(() => ({}));
        const explained = await refusals.explain(body, sentFacts(lines));
        document.getElementById("cart-total").textContent = "—";
        quoteProblems = linesByKey(explained.lines);
        renderLines();
        couponRefused(explained.fields.coupon);
        return;
      }
      if (Object.keys(quoteProblems).length) {
        quoteProblems = {};
        renderLines();
      }
      const body = await response.json();
      const q = body.quote;
      document.getElementById("cart-subtotal").textContent = money(q.gross.amount, q.currency);
      document.getElementById("cart-total").textContent = money(q.total.amount, q.currency);
      document.getElementById("cart-discount").textContent = takenOff(q.discount.amount, q.currency);
      const promos = document.getElementById("promos");
      promos.textContent = "";
      for (const p of q.promotions.filter((p) => p.applied)) {
        const li = document.createElement("li");
        li.textContent = p.name + " " + takenOff(p.amount.amount, q.currency);
        promos.append(li);
      }
      showCoupon(q);
    } catch (_) {
      /* offline: totals stay as they were */
    }
  }

  /** An amount taken off, with exactly one minus sign whatever sign it carries. */
  function takenOff(amount, currency) {
    return amount ? "−" + unsigned(amount, currency) : money(0, currency);
  }

  function unsigned(amount, currency) {
    return money(Math.abs(amount), currency);
  }

  /** A code the server refused outright (none such): said under the field at once. */
  function couponRefused(text) {
    const result = document.getElementById("coupon-result");
    result.classList.remove("ok", "error");
    result.hidden = !text;
    result.textContent = text || "";
    if (text) {
      result.classList.add("error");
      document.getElementById("coupon").setAttribute("aria-invalid", "true");
    }
  }

  /** Under the coupon field: applied, or why not, in the page's words. */
  function showCoupon(q) {
    const result = document.getElementById("coupon-result");
    const field = document.getElementById("coupon");
    const entered = coupons()[0];
    const outcome = entered && (q.coupons || []).find((c) => c.code.toUpperCase() === entered.toUpperCase());
    result.classList.remove("ok", "error");
    if (!outcome) {
      result.hidden = true;
      result.textContent = "";
      return;
    }
    const code = outcome.code;
    let text;
    if (outcome.applied) {
      const promotion = q.promotions.find((p) => p.promotion_id === outcome.promotion_id && p.applied);
      text = t("coupon.applied", { code, amount: unsigned(promotion ? promotion.amount.amount : 0, q.currency) });
      field.removeAttribute("aria-invalid");
    } else {
      const reason = outcome.reason || { code: "other" };
      const facts = { code };
      if (reason.minimum) facts.minimum = unsigned(reason.minimum.amount, q.currency);
      if (reason.actual) facts.actual = unsigned(reason.actual.amount, q.currency);
      if (reason.needed !== undefined) facts.needed = reason.needed;
      if (reason.present !== undefined) facts.present = reason.present;
      const key = "coupon.why." + reason.code;
      text = t((data.messages || {})[key] ? key : "coupon.why.other", facts);
      field.setAttribute("aria-invalid", "true");
    }
    result.textContent = text;
    result.hidden = false;
    result.classList.add(outcome.applied ? "ok" : "error");
  }

  async function slots() {
    const ids = [...new Set(cart.lines().map((l) => l.location_id))];
    if (!ids.length) return;
    try {
      const response = await fetch(
        "/api/v1/sites/" + encodeURIComponent(data.site_id) + "/pickup-slots?location_ids=" + encodeURIComponent(ids.join(","))
      );
      if (!response.ok) return;
      // Asked again after a slot filled up: the choices are replaced, a full one disabled.
      const select = document.getElementById("pickup-time");
      const chosen = select.value;
      select.querySelectorAll("option:not([value=''])").forEach((option) => option.remove());
      for (const slot of await response.json()) {
        const option = document.createElement("option");
        option.value = slot.start;
        option.textContent = slot.label;
        option.disabled = !slot.available;
        option.selected = slot.available && slot.start === chosen;
        select.append(option);
      }
    } catch (_) {
      /* ASAP stays available */
    }
  }

  /** What the page sent, for problems.js: each line as sent with its name, e-mail, coupons. */
  function sentFacts(sentLines) {
    const current = cart.lines();
    return {
      lines: sentLines.map((line, index) => ({ ...line, name: (current[index] || {}).name || "" })),
      email: customer().email,
      coupons: coupons(),
    };
  }

  /** Each explained line's text keyed by the cart line sent at that index. */
  function linesByKey(byIndex) {
    const current = cart.lines();
    const keyed = {};
    for (const [index, text] of Object.entries(byIndex)) {
      const line = current[Number(index)];
      if (line) keyed[lineKey(line)] = text;
    }
    return keyed;
  }

  function clearField(input) {
    input.removeAttribute("aria-invalid");
    const note = document.getElementById("error-" + input.id);
    if (note) note.remove();
    // The coupon's result line stays linked to it; only the error note goes.
    if (input.id === "coupon") input.setAttribute("aria-describedby", "coupon-result");
    else input.removeAttribute("aria-describedby");
  }

  /** Marks each field in error (aria-invalid) with its text under it. */
  function markFields(byId) {
    form.querySelectorAll("[aria-invalid]").forEach(clearField);
    for (const [id, text] of Object.entries(byId)) {
      const input = document.getElementById(id);
      if (!input) continue;
      input.setAttribute("aria-invalid", "true");
      const note = document.createElement("p");
      note.className = "field-error";
      note.id = "error-" + id;
      note.dataset.testid = "field-error";
      note.dataset.field = id;
      note.textContent = text;
      input.setAttribute("aria-describedby", note.id);
      // One message per field: a coupon refused at checkout replaces the quote's line about it.
      if (id === "coupon") document.getElementById("coupon-result").hidden = true;
      (input.type === "radio" ? input.closest("label") : input.closest(".coupon-row") || input).after(note);
    }
  }

  /** The alert: one sentence per problem, each about a field linked to it. */
  function showError(entries) {
    errorBox.textContent = "";
    for (const entry of entries) {
      const item = document.createElement(entry.field ? "a" : "span");
      item.className = "problem";
      item.textContent = entry.text;
      if (entry.field) {
        item.href = "#" + entry.field;
        item.addEventListener("click", (event) => {
          event.preventDefault();
          const input = document.getElementById(entry.field);
          if (input) input.focus();
        });
      }
      errorBox.append(item);
    }
    errorBox.hidden = false;
    errorBox.focus();
  }

  // Apply (or Enter in the field) prices the cart with the code at once.
  document.getElementById("apply-coupon").addEventListener("click", () => {
    clearTimeout(quoteTimer);
    quote();
  });
  document.getElementById("coupon").addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    clearTimeout(quoteTimer);
    quote();
  });

  form.addEventListener("input", (event) => {
    if (event.target.getAttribute("aria-invalid")) clearField(event.target);
    if (event.target.id === "coupon" || event.target.id === "customer-email") scheduleQuote();
  });
  form.addEventListener("change", (event) => {
    if (event.target.name === "payment-method") {
      form.querySelectorAll("input[name=payment-method]").forEach(clearField);
      showPaymentMethod();
    }
    if (event.target.id === "pickup-time") clearField(event.target);
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
      const explained = await refusals.explain(body, sentFacts(lines));
      problems = linesByKey(explained.lines);
      renderLines();
      markFields(explained.fields);
      showError(explained.summary);
      if (body.code === "slot_full") slots();
    } catch (_) {
      showError([{ text: t("checkout.failed") }]);
    } finally {
      button.disabled = false;
      button.textContent = placeText();
    }
  });

  errorBox.tabIndex = -1;
  render();
  slots();
  loadAvailability();
})();
