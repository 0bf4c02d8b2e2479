// Gift card and store credit tenders at the till (issue 17 point 8): the payment step's
// "Tarjeta de regalo" (the card's code, typed or scanned) and "Saldo a favor" (the customer's
// phone or e-mail) buttons look the balance up before the tender is added, so the cashier sees
// what it holds and the amount is set to at most what is still due. The spend itself happens
// in the sale's own transaction on the server (never below zero); these look-ups only inform.
// Online only: a balance cannot be spent from an offline queue.
"use strict";

import { api } from "./queue.js";

/** The tender methods that spend a balance. */
export const CREDIT_METHODS = ["gift_card", "store_credit"];

/** Whether `method` spends a gift card or store credit. */
export function isCredit(method) {
  return CREDIT_METHODS.includes(method);
}

/**
 * The balance `reference` holds for `method` at the till's merchant:
 * `{ ok: true, balance }` (minor units) or `{ ok: false, text }` in the cashier's words.
 */
export async function creditBalance(till, method, reference, t) {
  const merchantId = till.device?.merchant_id || "";
  const path =
    method === "gift_card"
      ? "/gift-cards/balance?" + new URLSearchParams({ merchant_id: merchantId, code: reference })
      : "/store-credit?" + new URLSearchParams({ merchant_id: merchantId, customer: reference, limit: "1" });
  let answer;
  try {
    answer = await api("GET", path);
  } catch (_) {
    return { ok: false, text: t("pos.credit.offline") };
  }
  if (answer.ok) {
    if (answer.body?.expired) return { ok: false, text: t("pos.problem.credit_expired") };
    return { ok: true, balance: answer.body?.balance?.amount || 0 };
  }
  if (answer.status === 422) return { ok: false, text: t(`pos.credit.typo.${method}`) };
  if (answer.status === 404) return { ok: false, text: t(`pos.credit.none.${method}`) };
  if (answer.status === 429) return { ok: false, text: t("pos.credit.throttled") };
  return { ok: false, text: t("pos.failed") };
}
