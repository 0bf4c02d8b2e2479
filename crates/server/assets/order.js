// The order page: live status over server-sent events, a tracker, in-page and phone notifications.
"use strict";
(function () {
  const { data, t, money } = window.omnicanal;
  const live = document.querySelector("[data-testid=live]");
  const liveText = document.getElementById("live-text");
  const toast = document.getElementById("toast");
  const apiOrder = "/api/v1/orders/" + encodeURIComponent(data.order_id);
  const known = {};
  document.querySelectorAll("[data-testid=part]").forEach((part) => {
    known[part.dataset.fulfillmentId] = part.querySelector("[data-testid=part-status]").dataset.status;
  });

  function setLive(connected) {
    live.dataset.connected = String(connected);
    liveText.textContent = connected ? t("order.live") : t("order.offline");
  }

  function notify(text) {
    toast.textContent = text;
    toast.hidden = false;
    setTimeout(() => (toast.hidden = true), 8000);
    if ("Notification" in window && Notification.permission === "granted" && document.hidden) {
      try {
        new Notification(text);
      } catch (_) {
        /* some browsers only notify from the service worker */
      }
    }
  }

  async function refresh() {
    const response = await fetch(apiOrder + "?token=" + encodeURIComponent(data.token));
    if (!response.ok) return;
    const order = await response.json();
    let ready = 0;
    let total = 0;
    for (const part of order.fulfillments) {
      const section = document.querySelector('[data-testid=part][data-fulfillment-id="' + CSS.escape(part.id) + '"]');
      if (!section) continue;
      const name = section.querySelector("h2").textContent;
      const status = section.querySelector("[data-testid=part-status]");
      if (known[part.id] !== part.status) {
        if (part.status === "ready") notify(t("order.notify_ready", { restaurant: name }));
        if (part.status === "rejected" || part.status === "cancelled") notify(t("order.notify_rejected", { restaurant: name }));
        known[part.id] = part.status;
      }
      status.dataset.status = part.status;
      status.textContent = t("status." + part.status);
      section.className = "part status-" + part.status;
      const refunded = section.querySelector("[data-testid=refunded]");
      if (part.refunded.amount > 0) {
        refunded.textContent = t("order.refunded", { amount: money(part.refunded.amount, part.refunded.currency) });
        refunded.hidden = false;
      }
      if (part.status !== "rejected" && part.status !== "cancelled") {
        total += 1;
        if (part.status === "ready" || part.status === "collected") ready += 1;
      }
    }
    const tracker = document.querySelector("[data-testid=tracker]");
    tracker.dataset.ready = String(ready);
    tracker.dataset.total = String(total);
    tracker.textContent = t("order.tracker", { ready, total });
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

  const pushButton = document.getElementById("enable-push");
  const pushState = document.getElementById("push-state");
  pushButton.addEventListener("click", async () => {
    if ("Notification" in window && Notification.permission === "default") await Notification.requestPermission();
    const push = window.omnicanalPush;
    if (push && push.supported()) {
      try {
        await push.subscribe(data.order_id, data.token, data.lang);
        pushState.textContent = t("order.push_enabled");
        pushButton.hidden = true;
        return;
      } catch (_) {
        /* fall through */
      }
    }
    pushState.textContent = t("order.push_unavailable");
  });
})();
