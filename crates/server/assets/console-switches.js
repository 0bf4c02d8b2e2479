// The switches of a location: sold out / back per SKU (PUT/DELETE …/sold-out/{sku}), pause for
// N minutes or resume (PATCH pause_minutes), and the weekly opening hours (managers).
"use strict";
(function () {
  const { data, t, time, api, show } = window.consoleApp;
  const base = "/locations/" + encodeURIComponent(data.location_id);
  const errorBox = document.getElementById("switch-error");
  const statusBadge = document.querySelector("[data-testid=location-status]");
  const toggles = Array.from(document.querySelectorAll("[data-testid=sold-out-toggle]"));

  function setToggle(button, soldOut) {
    button.setAttribute("aria-checked", String(!!soldOut));
    button.dataset.soldOut = String(!!soldOut);
    button.closest("[data-testid=sold-out-row]").classList.toggle("is-sold-out", !!soldOut);
  }

  async function loadSoldOut() {
    const answer = await api("GET", base + "/sold-out");
    if (!answer.ok) {
      show(errorBox, answer.detail);
      return;
    }
    const list = Array.isArray(answer.body) ? answer.body : (answer.body && answer.body.items) || [];
    const soldOut = new Set(list.filter((entry) => entry.sold_out !== false).map((entry) => entry.sku));
    for (const button of toggles) {
      if (button.getAttribute("aria-busy") === "true") continue;
      setToggle(button, soldOut.has(button.dataset.sku));
      button.disabled = false;
    }
  }

  for (const button of toggles) {
    button.addEventListener("click", async () => {
      const soldOut = button.getAttribute("aria-checked") !== "true";
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      show(errorBox, "");
      const answer = await api(soldOut ? "PUT" : "DELETE", base + "/sold-out/" + encodeURIComponent(button.dataset.sku));
      button.removeAttribute("aria-busy");
      button.disabled = false;
      if (answer.ok) {
        setToggle(button, answer.body && typeof answer.body.sold_out === "boolean" ? answer.body.sold_out : soldOut);
      } else {
        show(errorBox, answer.detail);
      }
      button.focus();
    });
  }

  function paint(state, text) {
    statusBadge.dataset.state = state;
    statusBadge.className = "state state-" + state;
    statusBadge.textContent = text;
  }

  // The state as customers see it (the queue's location says it, hours included); from the
  // PATCH answer alone when the queue cannot be read.
  async function showStatus(view) {
    if (!statusBadge) return;
    const queue = await api("GET", base + "/queue");
    const status = queue.ok && queue.body && queue.body.location && queue.body.location.status;
    if (status && typeof status === "object" && status.state) {
      const state = status.state;
      if (state === "paused") return paint(state, t("console.state.paused", { until: time(status.until) }));
      if (state === "closed") return paint(state, t("console.state.closed"));
      return paint("open", t("console.state.open"));
    }
    if (!view) return;
    const paused = view.paused_until && new Date(view.paused_until) > new Date();
    const state = !view.is_open ? "closed" : paused ? "paused" : "open";
    paint(state, state === "paused" ? t("console.state.paused", { until: time(view.paused_until) }) : t("console.state." + state));
  }

  for (const button of document.querySelectorAll("[data-pause]")) {
    button.addEventListener("click", async () => {
      button.disabled = true;
      show(errorBox, "");
      const answer = await api("PATCH", base, { pause_minutes: Number(button.dataset.pause) });
      button.disabled = false;
      if (answer.ok) showStatus(answer.body);
      else show(errorBox, answer.detail);
    });
  }

  const hoursForm = document.getElementById("hours-form");
  if (hoursForm) {
    const alwaysOpen = document.getElementById("always-open");
    const hoursError = document.getElementById("hours-error");
    const saved = document.getElementById("hours-saved");
    const inputs = Array.from(hoursForm.querySelectorAll("input[data-day]"));
    const syncDisabled = () => inputs.forEach((input) => (input.disabled = alwaysOpen.checked));
    alwaysOpen.addEventListener("change", syncDisabled);
    syncDisabled();
    hoursForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      show(hoursError, "");
      saved.hidden = true;
      let body;
      if (alwaysOpen.checked) {
        body = { always_open: true };
      } else {
        const hours = {};
        const problems = [];
        for (let day = 1; day <= 7; day++) {
          const slots = hoursForm.querySelectorAll('input[data-day="' + day + '"][data-end="from"]').length;
          for (let slot = 0; slot < slots; slot++) {
            const from = hoursForm.querySelector('input[data-day="' + day + '"][data-slot="' + slot + '"][data-end="from"]');
            const to = hoursForm.querySelector('input[data-day="' + day + '"][data-slot="' + slot + '"][data-end="to"]');
            const a = from.value.trim();
            const b = to.value.trim();
            from.removeAttribute("aria-invalid");
            to.removeAttribute("aria-invalid");
            if (!a && !b) continue;
            const valid = (v) => /^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/.test(v);
            if (!valid(a) || !valid(b)) {
              if (!valid(a)) from.setAttribute("aria-invalid", "true");
              if (!valid(b)) to.setAttribute("aria-invalid", "true");
              problems.push(from.getAttribute("aria-label"));
              continue;
            }
            (hours[String(day)] = hours[String(day)] || []).push([a, b]);
          }
        }
        if (problems.length) {
          show(hoursError, t("console.hours.invalid", { fields: problems.join(", ") }));
          return;
        }
        body = { opening_hours: hours };
      }
      const answer = await api("PATCH", base, body);
      if (answer.ok) {
        saved.hidden = false;
        showStatus(answer.body);
      } else show(hoursError, answer.detail);
    });
  }

  loadSoldOut();
  setInterval(loadSoldOut, 30_000);
})();
