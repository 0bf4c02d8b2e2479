// The staff's schedule (issue 19 point 5): one location's day as a grid — a row per table,
// staff member or room, the hours across, each booking a block placed by its local start and
// length — or its week as seven columns; buttons to seat, complete, mark a no-show or cancel
// (POST /bookings/{id}/status); a walk-in form (POST /locations/{id}/walk-ins); a block dragged
// to another time or row asks POST /bookings/{id}/move and shows the refusal when there is one.
// The location's live feed (/locations/{id}/events) reloads the schedule on every booking event,
// so bookings made, moved or cancelled elsewhere appear without a reload of the page.
"use strict";
(function () {
  const { data, t, tOr, api, h, time } = window.consoleApp;
  const $ = (id) => document.getElementById(id);
  const location = data.location_id;
  const base = `/locations/${encodeURIComponent(location)}`;
  const PX_PER_MINUTE = 2; // an hour is 120 px wide
  const FIRST_HOUR = 8; // the grid shows 08:00–24:00, widened when a booking falls outside
  const LAST_HOUR = 24;
  const GRID_MINUTES = 15;
  // Which buttons a booking in each status offers (the moves the server's transition table allows).
  const ACTIONS = {
    held: ["cancelled"],
    confirmed: ["seated", "no_show", "cancelled"],
    seated: ["completed"],
    completed: [],
    no_show: [],
    cancelled: [],
    expired: [],
  };
  const ACTION_TEXT = { seated: "seat", completed: "complete", no_show: "no_show", cancelled: "cancel" };

  let day = data.date || data.today;
  let view = "day";
  let resources = [];

  // --- dates (YYYY-MM-DD, counted in UTC so no local clock shifts them) ---------------------
  const parseDay = (text) => new Date(text + "T00:00:00Z");
  const formatDay = (date) => date.toISOString().slice(0, 10);
  const addDays = (text, n) => formatDay(new Date(parseDay(text).getTime() + n * 86_400_000));
  const monday = (text) => addDays(text, -((parseDay(text).getUTCDay() + 6) % 7));
  // Minutes since local midnight in the site's time zone ("13:05" → 785).
  function localMinutes(at) {
    const [hours, minutes] = time(at).split(":").map(Number);
    return hours * 60 + minutes;
  }
  function localDay(at) {
    try {
      return new Intl.DateTimeFormat("en-CA", { timeZone: data.timezone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(at));
    } catch (_) {
      return String(at).slice(0, 10);
    }
  }

  function say(text) {
    $("bk-state").textContent = text || "";
    $("bk-state").hidden = !text;
  }
  function fail(text) {
    $("bk-error").textContent = text || "";
    $("bk-error").hidden = !text;
  }
  // A refusal in the catalog's words: booking-refusals.js names the reason (the server's
  // English detail is never shown); an unknown one gets the generic text.
  function problem(answer) {
    if (answer.network) return answer.detail;
    const { reason, args } = window.omnicanalBookingRefusal(answer.status, answer.body);
    if (reason === "taken") return t("console.bookings.conflict");
    if (reason === "not_found") return t("console.bookings.not_found");
    if (reason === "failed") return t("console.bookings.failed", { status: answer.status });
    return tOr(`console.bookings.refusal.${reason}`, t("console.bookings.refusal.refused"), args);
  }

  // --- the blocks ----------------------------------------------------------------------------
  function label(booking) {
    if (booking.service_name) return booking.service_name;
    return booking.party_size ? t("console.bookings.party", { n: booking.party_size }) : "";
  }

  function actions(booking) {
    return (ACTIONS[booking.status] || []).map((status) =>
      h("button", {
        type: "button",
        class: `bk-action bk-action-${status}`,
        dataset: { testid: `booking-${ACTION_TEXT[status].replace("_", "-")}` },
        text: t(`console.bookings.${ACTION_TEXT[status]}`),
        onclick: () => setStatus(booking, status),
      }),
    );
  }

  function block(booking, placed) {
    const noShows = booking.customer.past_no_shows;
    const el = h(
      "article",
      {
        class: `bk-block bk-status-${booking.status}`,
        dataset: { testid: "booking-block", id: booking.id, status: booking.status },
        draggable: placed && ACTIONS[booking.status].length ? "true" : undefined,
      },
      h("strong", { class: "bk-name", text: booking.customer.name }),
      h("span", { class: "bk-meta", text: `${time(booking.start_at)} · ${label(booking)}` }),
      h("span", { class: "bk-state", dataset: { testid: "booking-status" }, text: t(`console.bookings.status.${booking.status}`) }),
      noShows ? h("span", { class: "bk-warn", text: t("console.bookings.no_shows", { n: noShows }) }) : null,
      booking.customer.phone ? h("a", { class: "bk-phone", href: `tel:${booking.customer.phone}`, text: booking.customer.phone }) : null,
      h("span", { class: "bk-actions" }, actions(booking)),
    );
    if (placed) {
      const minutes = localMinutes(booking.start_at) - placed.firstHour * 60;
      const length = Math.max(GRID_MINUTES, (new Date(booking.end_at) - new Date(booking.start_at)) / 60_000);
      el.style.left = `${minutes * PX_PER_MINUTE}px`;
      el.style.width = `${length * PX_PER_MINUTE - 4}px`;
      el.addEventListener("dragstart", (event) => {
        event.dataTransfer.setData("text/plain", booking.id);
        dragged = booking;
      });
    }
    return el;
  }

  // --- the day -------------------------------------------------------------------------------
  let dragged = null;
  function renderDay(bookings) {
    $("bk-week-panel").hidden = true;
    if (!resources.length) {
      // Nothing to lay out: no grid wider than the page, just the sentence.
      $("bk-day-panel").hidden = true;
      say(t("console.bookings.no_resources"));
      return;
    }
    const live = bookings.filter((booking) => !["cancelled", "expired"].includes(booking.status));
    let firstHour = FIRST_HOUR;
    const lastHour = LAST_HOUR;
    for (const booking of live) {
      firstHour = Math.min(firstHour, Math.floor(localMinutes(booking.start_at) / 60));
    }
    const placed = { firstHour };
    const width = (lastHour - firstHour) * 60 * PX_PER_MINUTE;
    const hours = [];
    for (let hour = firstHour; hour < lastHour; hour += 1) {
      hours.push(h("span", { class: "bk-hour", text: `${String(hour).padStart(2, "0")}:00` }));
    }
    const rows = resources.map((resource) => {
      const lane = h("div", { class: "bk-lane", dataset: { resource: resource.id } });
      lane.style.width = `${width}px`;
      for (const booking of live.filter((booking) => booking.resource_id === resource.id)) lane.append(block(booking, placed));
      lane.addEventListener("dragover", (event) => event.preventDefault());
      lane.addEventListener("drop", (event) => {
        event.preventDefault();
        if (!dragged) return;
        const rect = lane.getBoundingClientRect();
        const minutes = Math.round((event.clientX - rect.left) / PX_PER_MINUTE / GRID_MINUTES) * GRID_MINUTES + firstHour * 60;
        move(dragged, minutes, resource.id);
        dragged = null;
      });
      return h(
        "div",
        { class: "bk-row", dataset: { testid: "booking-row", resource: resource.id } },
        h("span", { class: "bk-resource", text: resource.name }),
        lane,
      );
    });
    const head = h("div", { class: "bk-row bk-head" }, h("span", { class: "bk-resource" }), h("div", { class: "bk-lane bk-hours" }, hours));
    head.lastChild.style.width = `${width}px`;
    $("bk-grid").replaceChildren(head, ...rows);
    $("bk-day-panel").hidden = false;
    say(bookings.length ? "" : t("console.bookings.empty"));
  }

  // --- the week ------------------------------------------------------------------------------
  function renderWeek(bookings, first) {
    const columns = [];
    for (let i = 0; i < 7; i += 1) {
      const date = addDays(first, i);
      const those = bookings.filter((booking) => localDay(booking.start_at) === date);
      columns.push(
        h(
          "div",
          { class: "bk-week-day", dataset: { testid: "booking-week-day", date } },
          h("h3", { text: date }),
          those.map((booking) => block(booking, null)),
        ),
      );
    }
    $("bk-week-grid").replaceChildren(...columns);
    $("bk-week-panel").hidden = false;
    $("bk-day-panel").hidden = true;
    say(bookings.length ? "" : t("console.bookings.empty_week"));
  }

  // --- reading -------------------------------------------------------------------------------
  let loading = false;
  let again = false;
  async function load() {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    const [from, to] = view === "week" ? [monday(day), addDays(monday(day), 6)] : [day, day];
    const query = `from=${from}&to=${to}`;
    const [listed, stats] = await Promise.all([api("GET", `${base}/bookings?${query}`), api("GET", `${base}/booking-stats?${query}`)]);
    loading = false;
    $("bk-title").textContent = view === "week" ? `${from} — ${to}` : from;
    $("bk-date").value = day;
    if (!listed.ok) {
      say(problem(listed));
    } else if (view === "week") {
      renderWeek(listed.body, from);
    } else {
      renderDay(listed.body);
    }
    if (stats.ok) {
      const count = (status) => (stats.body.by_status.find((entry) => entry.status === status) || { count: 0 }).count;
      const rate = (stats.body.no_show_rate_bp / 100).toFixed(1);
      $("bk-stats").textContent = t("console.bookings.stats", { total: stats.body.total, no_shows: count("no_show"), rate });
    }
    if (again) {
      again = false;
      load();
    }
  }

  async function loadResources() {
    const answer = await api("GET", `${base}/resources`);
    resources = answer.ok && Array.isArray(answer.body) ? answer.body : [];
    $("bk-walk-in-resource").replaceChildren(
      h("option", { value: "", text: t("console.bookings.any_resource") }),
      ...resources.map((resource) => h("option", { value: resource.id, text: resource.name })),
    );
  }

  // --- writing -------------------------------------------------------------------------------
  async function setStatus(booking, status) {
    fail("");
    const answer = await api("POST", `/bookings/${encodeURIComponent(booking.id)}/status`, { status });
    if (!answer.ok) fail(problem(answer));
    load();
  }

  // The move is answered by the rescheduling use case (POST /bookings/{id}/move): 200 with the
  // booking, or a 409/404/422 problem shown here. The new start keeps the booking's local day.
  async function move(booking, minutes, resourceId) {
    fail("");
    const shift = (minutes - localMinutes(booking.start_at)) * 60_000;
    const startAt = new Date(new Date(booking.start_at).getTime() + shift).toISOString();
    const answer = await api("POST", `/bookings/${encodeURIComponent(booking.id)}/move`, { start_at: startAt, resource_id: resourceId });
    if (answer.ok) $("bk-walk-in-result").textContent = t("console.bookings.moved");
    else fail(problem(answer));
    load();
  }

  $("bk-walk-in").addEventListener("submit", async (event) => {
    event.preventDefault();
    fail("");
    const body = { party_size: Number($("bk-walk-in-party").value) };
    const name = $("bk-walk-in-name").value.trim();
    if (name) body.name = name;
    if ($("bk-walk-in-resource").value) body.resource_id = $("bk-walk-in-resource").value;
    const answer = await api("POST", `${base}/walk-ins`, body);
    if (!answer.ok) {
      fail(problem(answer));
      return;
    }
    const resource = resources.find((candidate) => candidate.id === answer.body.resource_id);
    $("bk-walk-in-result").textContent = t("console.bookings.walk_in_done", { resource: resource ? resource.name : "" });
    $("bk-walk-in-name").value = "";
    day = data.today;
    load();
  });

  // --- navigation ----------------------------------------------------------------------------
  function go(step) {
    day = addDays(day, step * (view === "week" ? 7 : 1));
    load();
  }
  function setView(next) {
    view = next;
    $("bk-day").setAttribute("aria-pressed", String(view === "day"));
    $("bk-week").setAttribute("aria-pressed", String(view === "week"));
    load();
  }
  $("bk-prev").addEventListener("click", () => go(-1));
  $("bk-next").addEventListener("click", () => go(1));
  $("bk-today").addEventListener("click", () => {
    day = data.today;
    load();
  });
  $("bk-day").addEventListener("click", () => setView("day"));
  $("bk-week").addEventListener("click", () => setView("week"));

  // --- live ----------------------------------------------------------------------------------
  let source = null;
  let retryMs = 1000;
  let reloadTimer = null;
  function setLive(live) {
    $("bk-live").dataset.live = String(live);
    $("bk-live").textContent = t(live ? "console.bookings.live" : "console.bookings.offline");
  }
  function connect() {
    source = new EventSource(`/api/v1${base}/events`);
    source.onopen = () => {
      retryMs = 1000;
      setLive(true);
    };
    const reload = () => {
      clearTimeout(reloadTimer);
      reloadTimer = setTimeout(load, 150);
    };
    for (const type of ["booking.created", "booking.changed", "booking.cancelled"]) source.addEventListener(type, reload);
    source.onerror = () => {
      setLive(false);
      // After an HTTP error the browser gives up (CLOSED): start again with a growing pause.
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, 10_000);
      }
    };
  }

  loadResources().then(load);
  connect();
})();
