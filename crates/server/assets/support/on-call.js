// The on-call panel of the desk's queue (/support, issue 18 point 3): who is on call now and
// the coming shifts (GET /support/on-call), "take the watch" for N hours, and "turn on alerts
// in this browser": registers /sw.js, subscribes with the server's VAPID key and registers the
// subscription for the signed-in agent (POST /support/push-subscriptions). Breaches and
// incidents are then pushed to this browser while its agent is on call — or always, when
// nobody is. Texts come from the panel's data-* attributes (rendered from the catalogs).
"use strict";
(function () {
  const { api, h, dateTime } = window.consoleApp;
  const panel = document.getElementById("on-call");
  if (!panel) return;
  const text = panel.dataset;
  const nowList = document.getElementById("on-call-now");
  const shifts = document.getElementById("on-call-shifts");
  const status = document.getElementById("on-call-status");
  const form = document.getElementById("take-watch");
  const hours = document.getElementById("watch-hours");
  const toggle = document.getElementById("push-toggle");
  const me = (window.consoleApp.data.me || {}).id;
  const when = (at) => (typeof dateTime === "function" ? dateTime(at) : new Date(at).toLocaleString());

  async function load() {
    const answer = await api("GET", "/support/on-call");
    if (!answer.ok || !answer.body) return;
    const rota = answer.body;
    const emails = new Map(rota.shifts.map((shift) => [shift.user_id, shift.user_email]));
    nowList.textContent = rota.on_call_now.length ? rota.on_call_now.map((id) => emails.get(id) || id).join(", ") : text.nobody;
    shifts.replaceChildren(
      ...rota.shifts.map((shift) => {
        const item = h("li", { dataset: { testid: "on-call-shift", user: shift.user_id } },
          shift.user_email + " · " + when(shift.starts_at) + " " + text.until + " " + when(shift.ends_at));
        if (shift.user_id === me) {
          item.append(" ", h("button", { type: "button", class: "link", onclick: () => remove(shift.id) }, text.remove));
        }
        return item;
      }),
    );
  }

  async function remove(id) {
    const answer = await api("DELETE", "/support/on-call/" + encodeURIComponent(id));
    status.textContent = answer.ok ? "" : text.failed.replace("{reason}", answer.detail);
    load();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = await api("POST", "/support/on-call/watch", { hours: Number(hours.value) });
    status.textContent = answer.ok ? "" : text.failed.replace("{reason}", answer.detail);
    load();
  });

  // Web Push in this browser.
  const pushable = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

  function keyBytes(base64url) {
    const base64 = (base64url + "=".repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  }

  async function currentSubscription() {
    const worker = await navigator.serviceWorker.getRegistration("/");
    return worker ? worker.pushManager.getSubscription() : null;
  }

  async function showToggle() {
    const subscription = await currentSubscription();
    toggle.textContent = subscription ? text.pushDisable : text.pushEnable;
    toggle.dataset.on = subscription ? "1" : "";
    toggle.hidden = false;
  }

  async function turnOn() {
    if ((await Notification.requestPermission()) !== "granted") {
      status.textContent = text.pushDenied;
      return;
    }
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    const worker = await navigator.serviceWorker.ready;
    const key = await api("GET", "/push/public-key");
    if (!key.ok) {
      status.textContent = text.failed.replace("{reason}", key.detail);
      return;
    }
    const subscription = await worker.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key.body.public_key) });
    const body = subscription.toJSON();
    body.language = document.documentElement.lang === "en" ? "en" : "es";
    const answer = await api("POST", "/support/push-subscriptions", body);
    status.textContent = answer.ok ? text.pushEnabled : text.failed.replace("{reason}", answer.detail);
  }

  async function turnOff() {
    const subscription = await currentSubscription();
    if (subscription) {
      await api("DELETE", "/support/push-subscriptions?endpoint=" + encodeURIComponent(subscription.endpoint));
      await subscription.unsubscribe();
    }
    status.textContent = text.pushDisabled;
  }

  if (pushable) {
    toggle.addEventListener("click", async () => {
      try {
        await (toggle.dataset.on ? turnOff() : turnOn());
      } catch (error) {
        status.textContent = text.failed.replace("{reason}", String(error && error.message ? error.message : error));
      }
      showToggle();
    });
    showToggle();
  } else {
    status.textContent = text.pushUnsupported;
  }
  load();
})();
