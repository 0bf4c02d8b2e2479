// The web shop's pages (issue 17 point 2): the cart count on every page, the product page's
// option picker (options → the variant, its price and where it is), and the cart with its
// checkout. The cart lives in localStorage per shop; prices shown in the cart come from the
// server's pricing engine (POST /pricing/quote at the store it will come from), and the
// order is placed with POST /shops/{shop}/orders under an Idempotency-Key. A refusal is worded
// from the page's catalog by its stable code, never in the server's words. A gift card code
// and the signed-in customer's store credit may pay part of the order.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("page-data").textContent || "{}");
  const messages = data.messages || {};
  const t = (key, args) => {
    let text = messages[key] || key;
    for (const [name, value] of Object.entries(args || {})) text = text.split("{" + name + "}").join(String(value));
    return text;
  };
  // As the server's Money::display: $12.990 (CLP, COP), S/ 12.50 (PEN).
  function money(amount, currency) {
    const decimals = currency === "PEN" || currency === "USD" ? 2 : 0;
    const group = decimals ? "," : ".";
    const abs = Math.abs(amount);
    const whole = Math.floor(abs / Math.pow(10, decimals)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, group);
    const fraction = decimals ? "." + String(abs % Math.pow(10, decimals)).padStart(decimals, "0") : "";
    return (amount < 0 ? "-" : "") + (currency === "PEN" ? "S/ " : "$") + whole + fraction;
  }
  const api = "/api/v1/shops/" + encodeURIComponent(data.merchant_id);
  const key = "omnicanal.shop." + data.merchant_id;
  const cart = {
    lines() {
      try {
        const lines = JSON.parse(localStorage.getItem(key) || "[]");
        return Array.isArray(lines) ? lines : [];
      } catch (_) {
        return [];
      }
    },
    save(lines) {
      localStorage.setItem(key, JSON.stringify(lines));
      showCount();
    },
    add(line) {
      const lines = cart.lines();
      const same = lines.find((l) => l.sku === line.sku);
      if (same) same.quantity = Math.min(same.quantity + 1, 99);
      else lines.push(Object.assign({ quantity: 1 }, line));
      cart.save(lines);
    },
  };
  function showCount() {
    const count = document.getElementById("shop-cart-count");
    if (count) count.textContent = String(cart.lines().reduce((sum, l) => sum + l.quantity, 0));
  }
  showCount();

  // ---- Product page: the chosen values name one variant.
  const form = document.getElementById("variant-form");
  if (form && data.variants) {
    const addButton = document.getElementById("add-to-cart");
    const chosen = () => {
      const picked = {};
      for (const input of form.querySelectorAll("input[type=radio]:checked")) picked[input.dataset.option] = input.value;
      return picked;
    };
    const current = () => {
      const picked = chosen();
      return data.variants.find((variant) =>
        Object.entries(picked).every(([name, value]) => (variant.attributes || {})[name] === value)
      );
    };
    const show = () => {
      const variant = current();
      document.getElementById("no-variant").hidden = Boolean(variant);
      addButton.disabled = !variant || !variant.orderable;
      if (!variant) return;
      document.getElementById("price").textContent = variant.price_text;
      const list = document.getElementById("list-price");
      list.textContent = variant.list_price_text;
      list.hidden = !(variant.price < variant.list_price);
      const promos = document.getElementById("promotions");
      promos.textContent = variant.promotions;
      promos.hidden = !variant.promotions;
      document.getElementById("sku").textContent = variant.sku;
      document.getElementById("where-text").textContent = variant.where_text;
      document.getElementById("delivery-text").textContent = variant.delivery_text;
    };
    form.addEventListener("change", show);
    show();
    addButton.addEventListener("click", () => {
      const variant = current();
      if (!variant) return;
      const values = Object.values(variant.attributes || {}).join(" · ");
      cart.add({ sku: variant.sku, name: data.product.name, detail: values, price: variant.price });
      document.getElementById("added").hidden = false;
    });
  }

  // ---- Product page: the chosen variant's own photo (its gallery photo), else the product's.
  const photo = document.getElementById("product-photo");
  if (form && data.variants && photo) {
    const showPhoto = () => {
      const picked = {};
      for (const input of form.querySelectorAll("input[type=radio]:checked")) picked[input.dataset.option] = input.value;
      const variant = data.variants.find((v) => Object.entries(picked).every(([name, value]) => (v.attributes || {})[name] === value));
      const src = (variant && variant.image_url) || photo.dataset.defaultSrc || "";
      if (src && photo.getAttribute("src") !== src) photo.setAttribute("src", src);
      photo.hidden = !src;
    };
    form.addEventListener("change", showPhoto);
    showPhoto();
  }

  // ---- Cart page.
  const checkout = document.getElementById("shop-checkout");
  if (!checkout) return;
  const list = document.getElementById("cart-lines");
  const errorBox = document.getElementById("checkout-error");
  const storeSelect = document.getElementById("pickup-store");
  let options = { pickup: [], delivery: false, delivery_from: null };

  const fulfilment = () => checkout.querySelector("input[name=fulfilment]:checked").value;
  const payment = () => checkout.querySelector("input[name=payment-method]:checked").value;

  function renderLines() {
    const lines = cart.lines();
    document.getElementById("cart-empty").hidden = lines.length > 0;
    checkout.hidden = lines.length === 0;
    list.replaceChildren();
    lines.forEach((line, index) => {
      const item = document.createElement("li");
      item.className = "cart-line";
      item.dataset.testid = "shop-cart-line";
      item.dataset.sku = line.sku;
      const name = document.createElement("div");
      name.className = "line-name";
      name.textContent = line.quantity + " × " + line.name;
      const detail = document.createElement("small");
      detail.textContent = [line.detail, line.sku].filter(Boolean).join(" · ");
      name.append(detail);
      const controls = document.createElement("div");
      controls.className = "line-controls";
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "small";
      remove.textContent = t("shop.remove");
      remove.addEventListener("click", () => {
        const rest = cart.lines();
        rest.splice(index, 1);
        cart.save(rest);
        refresh();
      });
      controls.append(remove);
      item.append(name, controls);
      list.append(item);
    });
    return lines;
  }

  async function loadOptions(lines) {
    const body = { lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })) };
    const response = await fetch(api + "/fulfilment-options", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error("options " + response.status);
    options = await response.json();
    const previous = storeSelect.value;
    storeSelect.replaceChildren();
    for (const store of options.pickup) {
      const option = document.createElement("option");
      option.value = store.id;
      option.textContent = store.name + " — " + store.site_name;
      storeSelect.append(option);
    }
    if (options.pickup.some((s) => s.id === previous)) storeSelect.value = previous;
    // A store closed now is still offered: its option says when the order will be ready.
    for (const option of storeSelect.options) {
      const store = options.pickup.find((s) => s.id === option.value);
      if (store && store.open === false && store.pickup_ready_at) {
        const when = new Date(store.pickup_ready_at);
        const text = isNaN(when) ? store.pickup_ready_at : when.toLocaleString(data.lang === "en" ? "en-GB" : "es-CL", { weekday: "short", hour: "2-digit", minute: "2-digit" });
        option.textContent += " — " + t("shop.pickup.closed_ready", { when: text });
      }
    }
    document.getElementById("no-store").hidden = options.pickup.length > 0;
    document.getElementById("no-delivery").hidden = options.delivery;
  }

  // The engine's total at the location the order would come from.
  async function quote(lines) {
    const from =
      fulfilment() === "pickup" ? options.pickup.find((s) => s.id === storeSelect.value) : options.delivery_from;
    const total = document.getElementById("cart-total");
    const promos = document.getElementById("promos");
    promos.replaceChildren();
    if (!from) {
      total.textContent = "—";
      return;
    }
    const response = await fetch("/api/v1/pricing/quote", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        site_id: from.site_id,
        channel: "web",
        lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, location_id: from.id })),
      }),
    });
    if (!response.ok) {
      total.textContent = "—";
      return;
    }
    const priced = (await response.json()).quote;
    total.textContent = money(priced.total.amount, priced.currency);
    for (const promotion of priced.promotions || []) {
      if (!promotion.applied) continue;
      const item = document.createElement("li");
      item.textContent = promotion.name;
      promos.append(item);
    }
  }

  function showFields() {
    const pickup = fulfilment() === "pickup";
    document.getElementById("pickup-fields").hidden = !pickup;
    document.getElementById("delivery-fields").hidden = pickup;
    document.getElementById("card-field").hidden = payment() !== "card";
  }

  async function refresh() {
    const lines = renderLines();
    showFields();
    if (lines.length === 0) return;
    try {
      await loadOptions(lines);
      await quote(lines);
    } catch (_) {
      showError([t("shop.problem.offline")]);
    }
  }

  function showError(texts) {
    errorBox.textContent = texts.join(" ");
    errorBox.hidden = texts.length === 0;
  }

  const FIELD_INPUT = {
    "customer.name": "customer-name",
    "customer.email": "customer-email",
    "customer.phone": "customer-phone",
    "payment.card_number": "card-number",
    "payment.gift_card_code": "gift-card-code",
    location_id: "pickup-store",
    "delivery_address.street": "street",
    "delivery_address.number": "number",
    "delivery_address.district": "district",
  };

  // Gift card and store credit (issue 17 point 8): the code's balance is shown before the order
  // (the public balance look-up); store credit is offered only to a signed-in customer (the
  // account page's token), whose bearer token then goes with the order.
  const CUSTOMER_TOKEN_KEY = "oc_customer_token";
  const giftCardInput = document.getElementById("gift-card-code");
  const giftCardBalance = document.getElementById("gift-card-balance");
  const customerToken = () => {
    try {
      return localStorage.getItem(CUSTOMER_TOKEN_KEY);
    } catch (_) {
      return null;
    }
  };
  document.getElementById("store-credit-row").hidden = !customerToken();
  function creditProblem(answer) {
    if (answer.code === "insufficient_credit") return t("shop.problem.credit");
    if (answer.code === "credit_expired") return t("shop.problem.credit_expired");
    if (answer.code === "not_found") return t("shop.problem.gift_card");
    if (answer.code === "unauthorized") return t("shop.problem.sign_in");
    if (answer.code === "too_many_requests" || answer.code === "guess_throttled") return t("shop.problem.throttled");
    return null;
  }
  document.getElementById("gift-card-check").addEventListener("click", async () => {
    const code = giftCardInput.value.trim();
    giftCardInput.removeAttribute("aria-invalid");
    if (!code) return;
    const query = new URLSearchParams({ merchant_id: data.merchant_id, code });
    let text;
    try {
      const response = await fetch("/api/v1/gift-cards/balance?" + query.toString());
      const answer = await response.json().catch(() => ({}));
      if (response.ok) {
        const balance = answer.balance || { amount: 0, currency: data.currency };
        text = answer.expired
          ? t("shop.problem.credit_expired")
          : balance.amount > 0
            ? t("shop.gift_card_balance", { balance: money(balance.amount, balance.currency) })
            : t("shop.gift_card_empty");
      } else if (answer.code === "validation_failed") {
        giftCardInput.setAttribute("aria-invalid", "true");
        text = t("shop.problem.gift_card_typo");
      } else {
        giftCardInput.setAttribute("aria-invalid", "true");
        text = creditProblem(answer) || t("shop.problem.gift_card");
      }
    } catch (_) {
      text = t("shop.problem.offline");
    }
    giftCardBalance.textContent = text;
    giftCardBalance.hidden = false;
  });

  checkout.addEventListener("change", (event) => {
    if (event.target.name === "fulfilment" || event.target.id === "pickup-store") quote(cart.lines());
    showFields();
  });

  checkout.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const input of checkout.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    showError([]);
    const lines = cart.lines();
    const pickup = fulfilment() === "pickup";
    const body = {
      fulfilment: pickup ? "pickup" : "delivery",
      location_id: pickup ? storeSelect.value || null : null,
      delivery_address: pickup
        ? null
        : {
            street: document.getElementById("street").value,
            number: document.getElementById("number").value,
            district: document.getElementById("district").value,
          },
      lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
      customer: {
        name: document.getElementById("customer-name").value,
        email: document.getElementById("customer-email").value || null,
        phone: document.getElementById("customer-phone").value || null,
      },
      payment: {
        method: payment(),
        card_number: payment() === "card" ? document.getElementById("card-number").value : null,
        gift_card_code: giftCardInput.value.trim() || null,
        store_credit: document.getElementById("store-credit").checked,
      },
    };
    const headers = {
      "content-type": "application/json",
      "idempotency-key": crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random(),
    };
    if (body.payment.store_credit && customerToken()) headers.authorization = "Bearer " + customerToken();
    const button = document.getElementById("place-order");
    button.disabled = true;
    button.textContent = t("shop.placing");
    try {
      const response = await fetch(api + "/orders", {
        method: "POST",
        headers,
        body: JSON.stringify(body),
      });
      const answer = await response.json().catch(() => ({}));
      if (response.ok) {
        cart.save([]);
        const lang = data.lang === "en" ? "&lang=en" : "";
        location.assign(
          "/s/" + encodeURIComponent(answer.site_id) + "/orders/" + encodeURIComponent(answer.id) +
            "?token=" + encodeURIComponent(answer.tracking_token || "") + lang
        );
        return;
      }
      if (answer.code === "insufficient_stock" || answer.code === "sold_out") {
        showError([t("shop.problem.stock", { sku: answer.sku || "" })]);
        refresh();
      } else if (answer.code === "payment_declined") {
        showError([t("shop.problem.declined")]);
      } else if (creditProblem(answer)) {
        if (answer.code === "not_found") giftCardInput.setAttribute("aria-invalid", "true");
        showError([creditProblem(answer)]);
      } else if (answer.code === "validation_failed") {
        for (const error of answer.errors || []) {
          const input = document.getElementById(FIELD_INPUT[error.field] || "");
          if (input) input.setAttribute("aria-invalid", "true");
        }
        showError([t("shop.problem.fields")]);
      } else {
        showError([t("shop.problem.other")]);
      }
    } catch (_) {
      showError([t("shop.problem.offline")]);
    } finally {
      button.disabled = false;
      button.textContent = t("shop.place");
    }
  });

  refresh();
})();
