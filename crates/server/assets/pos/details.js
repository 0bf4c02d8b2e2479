// The sale's customer and coupon at the till (issue 14 point 3). A customer is attached by
// phone or e-mail (and a name if they give it), checked here with the server's rules
// (`ordering::phone`: 8 to 15 digits; an e-mail with one @ and a domain) and said in the cashier's
// words; it goes on the sale and its receipt, and counts a per-customer coupon. There is no
// customer record to look up in the store (customer accounts do not exist yet), so the
// customer is attached as typed, never matched. A coupon code typed is priced by the engine
// with the snapshot's coupons (sell.js `tillCoupons`), its verdict shown by cartview.js.
"use strict";

/** Whether `phone` reads as a phone number (the server's `phone_problem`: 8 to 15 digits). */
export function phoneOk(phone) {
  const digits = (phone.match(/\d/g) || []).length;
  return digits >= 8 && digits <= 15 && /^\+?[\d \-.()]+$/.test(phone);
}

/** Whether `email` looks like an e-mail address (the server's `plausible_email`). */
export function emailOk(email) {
  if (email.length > 254 || /\s/.test(email)) return false;
  const at = email.indexOf("@");
  if (at <= 0 || email.indexOf("@", at + 1) !== -1) return false;
  const domain = email.slice(at + 1);
  return domain.includes(".") && !domain.startsWith(".") && !domain.endsWith(".");
}

/**
 * Reads what the cashier typed: {customer} or {error} with the catalog key of the message.
 * `contact` is a phone or an e-mail (an @ makes it an e-mail).
 */
export function readCustomer(contact, name) {
  const text = String(contact || "").trim();
  const who = String(name || "").trim();
  if (!text) return { error: "pos.customer.needed" };
  if (who.length > 200) return { error: "pos.customer.name_too_long" };
  if (text.includes("@")) {
    if (!emailOk(text)) return { error: "pos.customer.bad_email" };
    return { customer: { name: who || null, phone: null, email: text } };
  }
  if (!phoneOk(text)) return { error: "pos.customer.bad_phone" };
  return { customer: { name: who || null, phone: text, email: null } };
}

/** The customer in a few words ("Ana · +56 9 1234 5678"). */
export function customerText(customer) {
  return [customer.name, customer.phone || customer.email].filter(Boolean).join(" · ");
}

/** Wires the customer and coupon controls of the selling screen; `changed()` re-prices. */
export function setupDetails({ till, t, changed }) {
  const $ = (id) => document.getElementById(id);

  function showCustomer() {
    const attached = Boolean(till.customer);
    $("customer-shown").hidden = !attached;
    $("customer-open").hidden = attached || !$("customer-form").hidden;
    $("customer-text").textContent = attached ? customerText(till.customer) : "";
  }

  function showCoupon() {
    $("coupon-remove").hidden = !till.coupon;
    $("coupon").value = till.coupon || "";
  }

  $("customer-open").addEventListener("click", () => {
    $("customer-form").hidden = false;
    $("customer-open").hidden = true;
    $("customer-error").textContent = "";
    $("customer-contact").focus();
  });
  $("customer-cancel").addEventListener("click", () => {
    $("customer-form").hidden = true;
    showCustomer();
  });
  $("customer-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const read = readCustomer($("customer-contact").value, $("customer-name").value);
    if (read.error) {
      $("customer-error").textContent = t(read.error);
      $("customer-contact").focus();
      return;
    }
    till.customer = read.customer;
    $("customer-form").hidden = true;
    $("customer-error").textContent = "";
    showCustomer();
    changed();
  });
  $("customer-remove").addEventListener("click", () => {
    till.customer = null;
    $("customer-contact").value = "";
    $("customer-name").value = "";
    showCustomer();
    changed();
  });

  $("coupon-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const code = $("coupon").value.trim().toUpperCase();
    if (code.length > 64) return;
    till.coupon = code || null;
    showCoupon();
    changed();
  });
  $("coupon-remove").addEventListener("click", () => {
    till.coupon = null;
    showCoupon();
    changed();
  });

  return {
    /** Forgets the customer and the coupon (a new sale). */
    reset() {
      till.customer = null;
      till.coupon = null;
      $("customer-contact").value = "";
      $("customer-name").value = "";
      $("customer-form").hidden = true;
      showCustomer();
      showCoupon();
    },
  };
}
