// The switches of a location: sold out / back per SKU (PUT/DELETE …/sold-out/{sku}), pause for
// N minutes or resume (PATCH pause_minutes), and the weekly opening hours (managers). A refusal
// is told with the console catalog's text for its problem `code` (consoleApp.refusal), and the
// control it is about — the product's switch, the pause button, a day's hours — is marked.
"use strict";
(function () {
  const { data, t, time, api, refusal, show } = window.consoleApp;
  const base = "/locations/" + encodeURIComponent(data.location_id);
  const errorBox = document.getElementById("switch-error");
  const statusBadge = document.querySelector("[data-testid=location-status]");
  const toggles = Array.from(document.querySelectorAll("[data-testid=sold-out-toggle]"));

  function setToggle(button, soldOut) {
    button.setAttribute("aria-checked", String(!!soldOut));
    button.dataset.soldOut = String(!!soldOut);
    button.closest("[data-testid=sold-out-row]").classList.toggle("is-sold-out", !!soldOut);
  }

  const SCOPE = "console.switches.problem";

  // Marks `control` as the one the error box speaks about, or unmarks it.
  function mark(control, refused) {
    if (!control) return;
    if (refused) {
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-describedby", "switch-error");
    } else {
      control.removeAttribute("aria-invalid");
      control.removeAttribute("aria-describedby");
    }
    const row = control.closest("[data-testid=sold-out-row]");
    if (row) row.classList.toggle("has-problem", refused);
  }

  function unmarkAll() {
    document.querySelectorAll("[aria-describedby=switch-error]").forEach((el) => mark(el, false));
  }

  async function loadSoldOut() {
    const answer = await api("GET", base + "/sold-out");
    if (!answer.ok) {
      show(errorBox, refusal(answer, { scope: SCOPE }).text);
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
      unmarkAll();
      const answer = await api(soldOut ? "PUT" : "DELETE", base + "/sold-out/" + encodeURIComponent(button.dataset.sku));
      button.removeAttribute("aria-busy");
      button.disabled = false;
      if (answer.ok) {
        setToggle(button, answer.body && typeof answer.body.sold_out === "boolean" ? answer.body.sold_out : soldOut);
      } else {
        show(errorBox, refusal(answer, { scope: SCOPE, fields: { sku: "console.switches.problem.not_found" } }).text);
        mark(button, true);
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
      unmarkAll();
      const answer = await api("PATCH", base, { pause_minutes: Number(button.dataset.pause) });
      button.disabled = false;
      if (answer.ok) {
        showStatus(answer.body);
      } else {
        show(errorBox, refusal(answer, { scope: SCOPE, fields: { pause_minutes: "console.switches.problem.pause_minutes" } }).text);
        mark(button, true);
      }
    });
  }

  // Weekdays ("1"–"7") whose ranges end before they start or overlap ("HH:MM" strings compare
  // as times).
  function refusedDays(hours) {
    return Object.keys(hours).filter((day) => {
      const ranges = hours[day].slice().sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      return ranges.some(([from, to], i) => to <= from || (i > 0 && from < ranges[i - 1][1]));
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
            for (const input of [from, to]) {
              input.removeAttribute("aria-invalid");
              input.removeAttribute("aria-describedby");
            }
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
        return;
      }
      // The server names only the field ("opening_hours"); the days it refuses are those whose
      // ranges end before they start or cross each other, as sent.
      const days = body.opening_hours ? refusedDays(body.opening_hours) : [];
      const told = refusal(answer, {
        scope: SCOPE,
        fields: {
          opening_hours: () =>
            days.length
              ? ["console.hours.problem.day", { day: days.map((day) => t("console.day." + day)).join(", ") }]
              : ["console.hours.problem.format", {}],
        },
      });
      show(hoursError, told.text);
      if (told.fields.some((path) => path === "opening_hours" || path.startsWith("opening_hours."))) {
        const marked = days.length ? inputs.filter((input) => days.includes(input.dataset.day)) : inputs;
        marked.forEach((input) => {
          input.setAttribute("aria-invalid", "true");
          input.setAttribute("aria-describedby", "hours-error");
        });
      }
    });
  }

  loadSoldOut();
  setInterval(loadSoldOut, 30_000);
})();
