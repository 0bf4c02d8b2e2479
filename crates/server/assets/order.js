// The order page: live status over server-sent events, a tracker, and alerts while it is open.
//
// When a part becomes ready, rejected or cancelled — or passes its acceptance limit at a site
// that only warns — the page says so in its banner (aria-live), plays a short chime (WebAudio,
// no download), vibrates where the phone can, and shows a system notification through the
// service worker when permission was granted. That notification has the tag the server's push
// message for the same part and kind has (`<fulfilment id>:<kind>`), so the phone replaces one
// with the other; when the push was shown first, the page stays quiet (see push.js, sw.js).
"use strict";
(function () {
  const { data, t, money } = window.omnicanal;
  const live = document.querySelector("[data-testid=live]");
  const liveText = document.getElementById("live-text");
  const toast = document.getElementById("toast");
  const apiOrder = "/api/v1/orders/" + encodeURIComponent(data.order_id);
  const pageUrl = location.pathname + location.search;
  const known = {};
  const warned = {};
  document.querySelectorAll("[data-testid=part]").forEach((part) => {
    known[part.dataset.fulfillmentId] = part.querySelector("[data-testid=part-status]").dataset.status;
    // A warning already shown when the page loaded is not announced again.
    warned[part.dataset.fulfillmentId] = !part.querySelector("[data-testid=not-accepted]").hidden;
  });
  // What the page did to get attention, newest last (read by the browser tests).
  const record = { alerts: [] };
  window.omnicanalOrder = record;

  function setLive(connected) {
    live.dataset.connected = String(connected);
    liveText.textContent = connected ? t("order.live") : t("order.offline");
  }

  // --- sound and vibration ------------------------------------------------------------------
  const Audio = window.AudioContext || window.webkitAudioContext;
  let audio = null;
  function audioContext() {
    if (!Audio) return null;
    if (!audio) audio = new Audio();
    if (audio.state === "suspended") audio.resume().catch(() => {});
    return audio;
  }
  // Browsers start audio only after a gesture: the first touch or key on the page unlocks it.
  for (const type of ["pointerdown", "keydown", "touchstart"]) {
    document.addEventListener(type, () => {
      try {
        audioContext();
      } catch (_) {
        /* no audio here */
      }
    }, { passive: true, once: true });
  }

  /** Two soft rising notes, synthesised: nothing to download. */
  function chime() {
    try {
      const ctx = audioContext();
      if (!ctx) return false;
      const start = ctx.currentTime + 0.02;
      [[880, 0], [1318.5, 0.18]].forEach(([frequency, offset]) => {
        const oscillator = ctx.createOscillator();
        const gain = ctx.createGain();
        oscillator.type = "sine";
        oscillator.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, start + offset);
        gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.45);
        oscillator.connect(gain);
        gain.connect(ctx.destination);
        oscillator.start(start + offset);
        oscillator.stop(start + offset + 0.5);
      });
      return true;
    } catch (_) {
      return false;
    }
  }

  function vibrate() {
    try {
      return typeof navigator.vibrate === "function" && navigator.vibrate([180, 90, 180]);
    } catch (_) {
      return false;
    }
  }

  // --- alerts ----------------------------------------------------------------------------------
  // Notices stack, newest last; each leaves on its own after a while.
  function banner(text) {
    const notice = document.createElement("p");
    notice.dataset.testid = "notice";
    notice.textContent = text;
    toast.append(notice);
    toast.hidden = false;
    setTimeout(() => {
      notice.remove();
      if (!toast.childElementCount) toast.hidden = true;
    }, 8000);
  }

  /** Banner always; then, unless the push message for `tag` is already on screen, a system
   * notification (when permitted), a chime and a vibration. */
  async function alertCustomer(tag, title, body) {
    banner(body);
    const entry = { tag, title, body, system: false, chimed: false, vibrated: false };
    record.alerts.push(entry);
    const push = window.omnicanalPush;
    let shown = false;
    if (push && typeof push.notify === "function") {
      try {
        shown = await push.notify(title, body, { url: pageUrl, tag, lang: data.lang });
      } catch (_) {
        shown = false;
      }
    }
    if (shown === "already") {
      entry.system = "already"; // the push message alerted the customer already
      return;
    }
    entry.system = shown === true;
    entry.chimed = chime();
    entry.vibrated = !!vibrate();
  }

  function facts(section, part) {
    const refunded = part.refunded && part.refunded.amount > 0;
    return {
      restaurant: section.querySelector("h2").textContent,
      code: part.pickup_code || section.dataset.pickupCode || "",
      amount: refunded ? money(part.refunded.amount, part.refunded.currency) : "",
      refunded,
    };
  }

  /** The catalog row of the server's notification of the same kind (`notify.<row>.*`). */
  function row(kind, refunded) {
    if (kind === "rejected" || kind === "cancelled") return kind + (refunded ? "_refunded" : "_nothing_charged");
    return kind;
  }

  function announce(section, part, kind) {
    const f = facts(section, part);
    const key = "notify." + row(kind, f.refunded);
    alertCustomer(part.id + ":" + kind, t(key + ".title", f), t(key + ".body", f));
  }

  // --- the kitchen's estimate and the acceptance limit ---------------------------------------
  function clock(iso) {
    const when = new Date(iso);
    if (Number.isNaN(when.getTime())) return "";
    const options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    try {
      return when.toLocaleTimeString(data.lang === "en" ? "en-GB" : "es-CL", { ...options, timeZone: data.timezone });
    } catch (_) {
      return when.toLocaleTimeString(undefined, options);
    }
  }

  function showEstimate(section, part) {
    const estimate = section.querySelector("[data-testid=ready-around]");
    const open = !["ready", "collected", "rejected", "cancelled"].includes(part.status);
    const time = open && part.estimated_ready_at ? clock(part.estimated_ready_at) : "";
    estimate.textContent = time ? t("order.ready_around", { time }) : "";
    estimate.hidden = !time;
  }

  /** Shows (once announcing) or hides a part's "not accepted yet" warning. */
  function checkAcceptance(section, status, part) {
    const warning = section.querySelector("[data-testid=not-accepted]");
    const by = Number(section.dataset.acceptBy || 0);
    const late = status === "placed" && by > 0 && Date.now() >= by;
    warning.hidden = !late;
    const id = section.dataset.fulfillmentId;
    if (late && !warned[id]) {
      warned[id] = true;
      announce(section, part || { id }, "not_accepted");
    }
  }

  function sectionOf(id) {
    return document.querySelector('[data-testid=part][data-fulfillment-id="' + CSS.escape(id) + '"]');
  }

  async function refresh() {
    const response = await fetch(apiOrder + "?token=" + encodeURIComponent(data.token));
    if (!response.ok) return;
    const order = await response.json();
    let ready = 0;
    let total = 0;
    for (const part of order.fulfillments) {
      const section = sectionOf(part.id);
      if (!section) continue;
      const status = section.querySelector("[data-testid=part-status]");
      const refunded = section.querySelector("[data-testid=refunded]");
      if (part.refunded.amount > 0) {
        refunded.textContent = t("order.refunded", { amount: money(part.refunded.amount, part.refunded.currency) });
        refunded.hidden = false;
      }
      if (known[part.id] !== part.status) {
        if (["ready", "rejected", "cancelled"].includes(part.status)) announce(section, part, part.status);
        known[part.id] = part.status;
      }
      const reason = section.querySelector("[data-testid=reason]");
      if (reason) {
        reason.textContent = part.reason || "";
        reason.hidden = !part.reason;
      }
      status.dataset.status = part.status;
      status.textContent = t("status." + part.status);
      section.className = "part status-" + part.status;
      showEstimate(section, part);
      checkAcceptance(section, part.status, part);
      if (part.status !== "rejected" && part.status !== "cancelled") {
        total += 1;
        if (part.status === "ready" || part.status === "collected") ready += 1;
      }
    }
    const tracker = document.querySelector("[data-testid=tracker]");
    tracker.dataset.ready = String(ready);
    tracker.dataset.total = String(total);
    tracker.textContent = total ? t("order.tracker", { ready, total }) : t("order.tracker_none");
    showMoneyLine(order, total);
  }

  /** The order's money line, worded as the server words it (web/mod.rs, money_line). */
  function showMoneyLine(order, liveParts) {
    const pay = order.payment;
    const currency = order.total.currency;
    let label = t("order.total");
    let amount = money(order.total.amount - pay.refunded.amount, currency);
    if (!liveParts) {
      label = pay.refunded.amount > 0 ? t("order.total_refunded") : t("order.nothing_charged");
      amount = pay.refunded.amount > 0 ? money(pay.refunded.amount, currency) : "";
    } else if (pay.method === "pay_at_pickup" && pay.outstanding.amount > 0) {
      label = t("order.to_pay");
      amount = money(pay.outstanding.amount, currency);
    }
    document.getElementById("total-label").textContent = label;
    document.getElementById("total-text").textContent = amount;
  }

  function connect() {
    const source = new EventSource(apiOrder + "/events?token=" + encodeURIComponent(data.token));
    source.onopen = () => {
      setLive(true);
      refresh();
    };
    source.onmessage = refresh;
    for (const type of ["fulfillment.status_changed", "payment.refunded", "order.created"]) source.addEventListener(type, refresh);
    source.onerror = () => setLive(false); // EventSource reconnects by itself
  }
  connect();

  // The acceptance limit passes on the clock, not on an event: look every second.
  setInterval(() => {
    document.querySelectorAll("[data-testid=part][data-accept-by]").forEach((section) => {
      const id = section.dataset.fulfillmentId;
      checkAcceptance(section, known[id], { id, pickup_code: section.dataset.pickupCode });
    });
  }, 1000);

  // The service worker shows this page's notifications too; register it up front.
  const push = window.omnicanalPush;
  if (push && typeof push.register === "function") push.register().catch(() => {});

  // "Notify me on this phone" claims success only once the subscription is stored on the order;
  // a browser without Web Push, a permission refused (now or before) or a failed subscription
  // each say what to do instead (add to the home screen, allow in the settings, keep the page).
  const pushButton = document.getElementById("enable-push");
  const pushState = document.getElementById("push-state");
  function pushOutcome(state, key) {
    pushState.dataset.state = state;
    pushState.textContent = t(key);
  }
  function pushUnsupportedKey() {
    const ios = /iPhone|iPad|iPod/.test(navigator.userAgent || "");
    const standalone = window.matchMedia && window.matchMedia("(display-mode: standalone)").matches;
    return ios && !standalone ? "order.push_ios" : "order.push_unavailable";
  }
  pushButton.addEventListener("click", async () => {
    if (!push || !push.supported()) return pushOutcome("unsupported", pushUnsupportedKey());
    if (Notification.permission === "denied") return pushOutcome("denied", "order.push_denied");
    pushButton.disabled = true;
    try {
      if (await push.subscribe(data.order_id, data.token, data.lang)) {
        pushOutcome("enabled", "order.push_enabled");
        pushButton.hidden = true;
      } else if (Notification.permission === "denied") {
        pushOutcome("denied", "order.push_denied");
      } else {
        pushOutcome("dismissed", "order.push_dismissed");
      }
    } catch (_) {
      pushOutcome("failed", "order.push_failed");
    } finally {
      pushButton.disabled = false;
    }
  });
})();
