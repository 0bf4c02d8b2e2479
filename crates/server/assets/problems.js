// The cart's refusals in the customer's words: a problem+json answer of the quote or the order
// becomes texts of the page's catalog, chosen by the problem's stable `code` and, for invalid
// fields, by each field's path. The server's `detail` and field messages are for developers and
// are never shown. Times (a pause's end, a reopening) come from the menu, in the site's zone.
//
//   omnicanal.problems.explain(body, sent) -> Promise<{summary, lines, fields}>
//     body: the problem document; sent: {lines: [{sku, location_id, name}], email, coupons}
//     summary: [{text, field?}] for the alert, in order, without repeats (field: the input's id)
//     lines:   {index of the line as sent: its text}
//     fields:  {input id: its text}
"use strict";
(function () {
  const { data, t, clock } = window.omnicanal;
  const LINE_FIELD = /^lines\[(\d+)\](?:\.([a-z_]+))?/;

  /** Each location's name, state and stock by SKU, as the menu says now (null when offline). */
  async function menuFacts() {
    try {
      const places = {};
      for (const { location, variant } of await window.omnicanal.menuVariants()) {
        const place = (places[location.id] ||= { name: location.name, status: location.status || {}, stock: {} });
        place.stock[variant.sku] = variant;
      }
      return places;
    } catch (_) {
      return null;
    }
  }

  /** Why a location refuses orders: paused until a time, closed until a day, or closed. */
  function locationText(place, fallbackName) {
    const restaurant = (place && place.name) || fallbackName || "";
    const status = (place && place.status) || {};
    if (status.state === "paused" && status.until) {
      return t("problem.line.paused", { restaurant, time: clock(status.until) });
    }
    const [day, time] = String(status.opens_at || "").split(" ");
    if (status.state === "closed" && time && (data.messages || {})["day." + day]) {
      return t("problem.line.opens", { restaurant, day: t("day." + day), time: time || "" });
    }
    if (status.state === "closed") return t("problem.line.closed", { restaurant });
    return t("problem.line.not_taking", { restaurant });
  }

  const LINE_PART_TEXT = {
    sku: "problem.line.unavailable",
    quantity: "problem.line.quantity",
    modifiers: "problem.line.options",
    note: "problem.line.note",
  };

  const FIELD_TEXT = {
    "customer.name": ["customer-name", "problem.name"],
    "customer.phone": ["customer-phone", "problem.phone"],
    "payment.card_number": ["card-number", "problem.card_number"],
    "payment.method": ["pay-at-pickup", "checkout.pay_at_pickup_unavailable"],
    pickup_at: ["pickup-time", "problem.pickup_at"],
    channel: [null, "problem.channel"],
    lines: [null, "problem.too_many_lines"],
    table: [null, "problem.table"],
  };

  async function explain(body, sent) {
    const out = { summary: [], lines: {}, fields: {} };
    const lines = sent.lines || [];
    const summary = (text, field) => {
      if (!out.summary.some((entry) => entry.text === text)) out.summary.push({ text, field: field || null });
    };
    const field = (id, text) => {
      if (!out.fields[id]) out.fields[id] = text;
      summary(text, id);
    };
    const line = (index, text) => {
      if (!out.lines[index]) out.lines[index] = text;
    };
    const withSku = (sku) => lines.map((l, i) => (l.sku === sku ? i : -1)).filter((i) => i >= 0);
    const code = (body && body.code) || "";
    const errors = Array.isArray(body && body.errors) ? body.errors : [];
    const needsMenu = code === "insufficient_stock" || errors.some((e) => /\.location_id$/.test(e.field || ""));
    const places = needsMenu ? await menuFacts() : null;

    switch (code) {
      case "sold_out":
        for (const i of withSku(body.sku)) {
          line(i, t("item.sold_out"));
          summary(t("problem.sold_out", { name: lines[i].name }));
        }
        break;
      case "insufficient_stock":
        for (const i of withSku(body.sku)) {
          const place = places && places[lines[i].location_id];
          const left = place && place.stock[lines[i].sku] ? place.stock[lines[i].sku].available_quantity : null;
          line(i, typeof left === "number" && left > 0 ? t("problem.line.only_left", { count: left }) : t("item.sold_out"));
          summary(t("problem.stock_short", { name: lines[i].name }));
        }
        break;
      case "payment_declined":
        field("card-number", t("checkout.declined"));
        break;
      case "coupon_unavailable":
        field("coupon", t("problem.coupon_unavailable"));
        break;
      case "slot_full":
        field("pickup-time", t("problem.slot_full"));
        break;
      case "service_unavailable":
        summary(t("problem.unavailable"));
        break;
      case "validation_failed":
      case "unknown_sku":
        for (const error of errors) {
          const name = error.field || "";
          const onLine = LINE_FIELD.exec(name);
          if (onLine) {
            const index = Number(onLine[1]);
            const part = onLine[2] || "";
            const sentLine = lines[index];
            if (part === "location_id") {
              const id = sentLine && sentLine.location_id;
              const text = locationText(places && places[id], ((data.locations || {})[id] || {}).name);
              if (sentLine) line(index, text);
              summary(text);
            } else {
              if (sentLine) line(index, t(LINE_PART_TEXT[part] || "problem.line.unavailable"));
              summary(t("problem.lines"));
            }
          } else if (name === "customer.email") {
            const forCoupon = !sent.email && (sent.coupons || []).length > 0;
            field("customer-email", t(forCoupon ? "problem.email_for_coupon" : "problem.email"));
          } else if (name.startsWith("coupon_codes")) {
            field("coupon", t("problem.coupon_unknown"));
          } else if (FIELD_TEXT[name]) {
            const [id, key] = FIELD_TEXT[name];
            if (id) field(id, t(key));
            else summary(t(key));
          } else {
            summary(t("checkout.failed"));
          }
        }
        break;
      default:
        break;
    }
    if (!out.summary.length) summary(t("checkout.failed"));
    return out;
  }

  window.omnicanal.problems = { explain };
})();
