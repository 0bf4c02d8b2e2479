// Shared by the customer pages: page data, texts, money, and the cart kept in localStorage.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("page-data").textContent || "{}");
  const messages = data.messages || {};
  function t(key, args) {
    let text = messages[key] || key;
    for (const [name, value] of Object.entries(args || {})) text = text.split("{" + name + "}").join(String(value));
    return text;
  }
  // The same format as the server's Money::display: $12.990 (CLP, COP), S/ 12.50 (PEN).
  function money(amount, currency) {
    const decimals = currency === "PEN" || currency === "USD" ? 2 : 0;
    const group = decimals ? "," : ".";
    const sign = amount < 0 ? "-" : "";
    const abs = Math.abs(amount);
    const whole = Math.floor(abs / Math.pow(10, decimals)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, group);
    const fraction = decimals ? "." + String(abs % Math.pow(10, decimals)).padStart(decimals, "0") : "";
    const symbol = currency === "PEN" ? "S/ " : "$";
    return sign + symbol + whole + fraction;
  }
  // "18:48" in the site's time zone (the page's data names it), whatever the phone's zone.
  function clock(iso) {
    const when = new Date(iso);
    if (Number.isNaN(when.getTime())) return "";
    const options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    const locale = data.lang === "en" ? "en-GB" : "es-CL";
    try {
      return new Intl.DateTimeFormat(locale, { ...options, timeZone: data.timezone || undefined }).format(when);
    } catch (_) {
      return new Intl.DateTimeFormat(locale, options).format(when);
    }
  }
  const key = "omnicanal.cart." + data.site_id;
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
    },
    // Lines differ by location, SKU, modifier choices and note.
    key(line) {
      const choices = (line.modifiers || []).map((m) => m.group + "=" + m.option).sort().join(";");
      return [line.location_id, line.sku, choices, line.note || ""].join("|");
    },
    add(line) {
      const lines = cart.lines();
      const same = lines.find((l) => cart.key(l) === cart.key(line));
      if (same) same.quantity = Math.min(same.quantity + 1, 99);
      else lines.push(Object.assign({ quantity: 1 }, line));
      cart.save(lines);
      return lines;
    },
    count() {
      return cart.lines().reduce((sum, l) => sum + l.quantity, 0);
    },
    clear() {
      localStorage.removeItem(key);
    },
  };
  /** The site's menu as [{location, variant}] (closed and paused places too); throws offline. */
  async function menuVariants() {
    const response = await fetch("/api/v1/sites/" + encodeURIComponent(data.site_id) + "/menu?include_closed=true");
    if (!response.ok) throw new Error("menu answered " + response.status);
    const menu = await response.json();
    return menu.locations.flatMap((location) =>
      location.products.flatMap((product) => product.variants.map((variant) => ({ location, variant })))
    );
  }

  window.omnicanal = { data, t, money, clock, cart, menuVariants };
})();
