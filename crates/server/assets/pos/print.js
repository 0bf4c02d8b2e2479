// The receipt after a sale: printed on the till's ESC/POS network printer by the server
// (POST /pos/sales/{id}/print), at once and again with "Imprimir"; in the browser on 80 mm
// paper (the server's receipt page, or — for a sale not yet sent — the receipt on screen with
// the print styles of pos.css); and when the printer fails, the digital receipt offered at
// once: its QR on screen for the customer's phone, and a field to send its link to a phone or
// an e-mail — through the server's notification gateway when one is configured, else (or when
// the gateway did not take it) as WhatsApp, SMS or e-mail links on this device.
//
// A failed print is known, not guessed: the server answers 502 `printer_unreachable` with
// what happened (refused, timeout, write_failed, paper_out), and no answer at all means the
// server is not reachable either. A till without a printer (409) just shows no print button.
// Offline, printing needs the server: only the browser's print of the local receipt is offered.
"use strict";

import { api } from "./queue.js";
import { problemText } from "./sell.js";
import { rememberPrintFailure } from "./help.js";

export function createPrinting({ t }) {
  const $ = (id) => document.getElementById(id);
  let saleId = null;
  let accepted = false;
  let link = null;

  function status(text, state) {
    const line = $("print-status");
    line.textContent = text || "";
    line.hidden = !text;
    line.dataset.state = state || "";
  }

  function reset(sale, answer) {
    saleId = sale.id;
    accepted = Boolean(answer);
    link = null;
    status("");
    $("print-device").hidden = true;
    $("digital-open").hidden = !accepted;
    $("digital").hidden = true;
    $("digital-qr").removeAttribute("src");
    $("digital-url").removeAttribute("href");
    $("digital-url").textContent = "";
    $("send-to").value = "";
    $("send-links").hidden = true;
    $("send-error").hidden = true;
    $("send-result").hidden = true;
  }

  const path = (what) => `/pos/sales/${encodeURIComponent(saleId)}/${what}`;

  /** Prints on the till's printer; a failure offers the digital receipt at once. */
  async function printOnDevice() {
    status(t("pos.print.printing"), "printing");
    let answer;
    try {
      answer = await api("POST", path("print"));
    } catch (_) {
      status(t("pos.print.no_server"), "failed");
      return;
    }
    if (answer.ok) {
      $("print-device").hidden = false;
      return status(t("pos.print.done"), "printed");
    }
    if (answer.status === 409) return status("");
    $("print-device").hidden = false;
    const kind = answer.body?.printer_failure;
    const key = `pos.print.failure.${kind}`;
    const reason = kind && t(key) !== key ? t(key) : problemText(answer.body, t);
    status(t("pos.print.failed", { reason }), "failed");
    rememberPrintFailure(kind, reason);
    await offerDigital();
  }

  /** Shows the digital receipt: a new public link, its QR and the field to send it. */
  async function offerDigital() {
    if (!accepted) return;
    if (!link) {
      let answer;
      try {
        answer = await api("POST", path("digital-receipt"), {});
      } catch (_) {
        return status(t("pos.print.no_server"), "failed");
      }
      if (!answer.ok) return status(problemText(answer.body, t), "failed");
      link = answer.body.url;
      $("digital-qr").src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(answer.body.qr_svg)}`;
      $("digital-url").href = link;
      $("digital-url").textContent = link;
    }
    $("digital").hidden = false;
  }

  /** The links that hand the receipt's URL to this device's WhatsApp, SMS or e-mail. */
  function sendLinks(to) {
    const text = t("pos.digital.message", { url: link });
    const body = encodeURIComponent(text);
    if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(to)) {
      return { mail: `mailto:${encodeURIComponent(to)}?subject=${encodeURIComponent(t("pos.digital.subject"))}&body=${body}` };
    }
    const digits = to.replace(/[\s().-]/g, "");
    if (!/^\+?\d{8,15}$/.test(digits)) return null;
    return {
      whatsapp: `https://wa.me/${digits.replace(/^\+/, "")}?text=${body}`,
      sms: `sms:${digits}?body=${body}`,
    };
  }

  /** Shows the links that send the receipt from this device's own apps. */
  function showDeviceLinks(links) {
    $("send-links").hidden = false;
    for (const [name, href] of Object.entries({ whatsapp: null, sms: null, mail: null, ...links })) {
      const anchor = $(`send-${name}`);
      anchor.hidden = !href;
      if (href) anchor.href = href;
    }
  }

  // Sending: through the server's notification gateway when it has one; otherwise (409), or if
  // the gateway did not take it, with links to this device's WhatsApp, SMS or e-mail.
  $("send-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const to = $("send-to").value.trim();
    const links = link && sendLinks(to);
    $("send-error").hidden = Boolean(links);
    $("send-links").hidden = true;
    $("send-result").hidden = true;
    if (!links) return;
    const sendTo = links.mail ? { email: to } : { phone: to.replace(/[\s().-]/g, "") };
    let answer = null;
    try {
      answer = await api("POST", path("digital-receipt"), { send_to: sendTo });
    } catch (_) {
      answer = null;
    }
    if (answer?.ok && answer.body.sent?.delivered) {
      $("send-result").textContent = t("pos.digital.sent", { to });
      $("send-result").hidden = false;
      return;
    }
    if (answer?.ok) {
      $("send-result").textContent = t("pos.digital.not_sent");
      $("send-result").hidden = false;
    }
    showDeviceLinks(links);
  });

  $("print-device").addEventListener("click", () => printOnDevice());
  $("digital-open").addEventListener("click", () => offerDigital());
  // The browser's print: the server's 80 mm page for a sale it has, else the receipt on screen.
  $("print").addEventListener("click", () => {
    if (accepted && navigator.onLine !== false) {
      const opened = window.open(`/api/v1${path("receipt")}?lang=${encodeURIComponent(document.documentElement.lang || "es")}`, "_blank");
      if (opened) return;
    }
    window.print();
  });

  return {
    /** After a sale: prints at once when the server has it and the till has a printer. */
    afterSale(sale, answer) {
      reset(sale, answer);
      if (!answer) return status(t("pos.print.offline"), "offline");
      printOnDevice();
    },
  };
}
