// The customer's booking pages (issue 19 point 5): a table at the food court
// (/s/{site}/reservar, data.kind "table"), an appointment at a shop's store
// (/shop/{shop}/agenda, "service") and the manage link (/reservas/{id}?token=, "manage").
//
// Everything goes through the public JSON API: the day's free slots, the booking (201 / 409 /
// 422), cancel and reschedule with the manage token, the reminders' Web Push subscription
// (push.js). Every refusal is shown where it happened, in the page's language (its reason from
// booking-refusals.js, its words from `booking.refusal.*`); a 409 reloads the slots, since the
// one picked is gone. Times are the site's (data.timezone), whatever the phone's zone.
//
// Deposits: before a time is picked the page asks the API what this party or service puts
// down (GET /locations/{id}/deposit-quote) and says it ("Abono de $10.000 al reservar…"),
// showing the card field with the name only when one is due. A declined card (402) is told
// at the card field from its decline_code, nothing booked, the time still picked. The
// confirmation and the manage page say the deposit's status in words.
"use strict";
(function () {
  const { data, t, clock, money } = window.omnicanal;
  const API = "/api/v1";
  const $ = (id) => document.getElementById(id);
  const form = $("bk-form");
  if (!form) return; // nothing to book here (the page says why)

  /** "sábado 12 de diciembre, 20:30" in the site's zone, the words the server uses. */
  function whenText(iso) {
    const at = new Date(iso);
    const parts = {};
    try {
      const format = new Intl.DateTimeFormat("en-US", { timeZone: data.timezone || undefined, year: "numeric", month: "numeric", day: "numeric" });
      for (const part of format.formatToParts(at)) parts[part.type] = part.value;
    } catch (_) {
      Object.assign(parts, { year: at.getFullYear(), month: at.getMonth() + 1, day: at.getDate() });
    }
    const weekday = new Date(Date.UTC(+parts.year, +parts.month - 1, +parts.day)).getUTCDay() || 7;
    return t("booking.when", { weekday: t("booking.weekday." + weekday), day: +parts.day, month: t("booking.month." + +parts.month), time: clock(iso) });
  }

  /** `YYYY-MM-DD` plus `days`. */
  function addDays(date, days) {
    const [y, m, d] = date.split("-").map(Number);
    return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
  }

  async function call(method, path, body) {
    const options = { method, headers: { accept: "application/json" } };
    if (body !== undefined) {
      options.headers["content-type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(API + path, options);
    let answer = null;
    try {
      answer = await response.json();
    } catch (_) {
      answer = null;
    }
    return { status: response.status, body: answer };
  }

  /** A refusal in the page's words (booking-refusals.js picks the reason; never the server's English). */
  function refusalText(answer) {
    const found = window.omnicanalBookingRefusal ? window.omnicanalBookingRefusal(answer && answer.status, answer && answer.body) : { reason: "refused", args: {} };
    const args = { ...found.args };
    if (args.deadline) args.deadline = whenText(args.deadline);
    const key = "booking.refusal." + found.reason;
    return data.messages[key] ? t(key, args) : t("booking.refusal.refused");
  }

  const people = (count) => (count === 1 ? t("booking.person") : t("booking.people", { count }));

  function show(element, text) {
    element.textContent = text || "";
    element.hidden = !text;
  }

  // ---- The day's free slots ----------------------------------------------------------------
  const dateInput = $("bk-date");
  const slotsBox = $("bk-slots");
  const slotsState = $("bk-slots-state");
  const maxDays = data.max_days_ahead || Math.max(1, ...(data.locations || []).map((l) => l.max_days_ahead || 60));
  dateInput.min = data.today;
  dateInput.max = addDays(data.today, maxDays);
  if (!dateInput.value) dateInput.value = data.date && data.date >= data.today ? data.date : data.today;
  let chosen = null; // the slot picked: {start_at, resource_id}
  let loadCount = 0;

  const location = () => (data.kind === "manage" ? { id: data.location_id } : (data.locations || []).find((l) => l.id === $("bk-location").value) || {});
  const party = () => (data.kind === "manage" ? data.party_size : data.kind === "table" ? Number($("bk-party").value) : null);
  const service = () => {
    if (data.kind === "manage") return data.service_id;
    const picked = form.querySelector("input[name=service]:checked");
    return data.kind === "service" && picked ? picked.value : null;
  };
  const staff = () => (data.kind === "service" ? $("bk-staff").value : "");

  // ---- The deposit, told before booking -----------------------------------------------------
  let depositDue = null; // {amount, currency} the booking puts down, or null
  let quoteCount = 0;

  /** "2 h", "30 min", "1 h 30 min": the cancellation window as the note says it. */
  function windowText(minutes) {
    const hours = Math.floor(minutes / 60);
    const rest = minutes % 60;
    if (!hours) return t("booking.window_minutes", { minutes: rest });
    return rest ? t("booking.window_hours_minutes", { hours, minutes: rest }) : t("booking.window_hours", { hours });
  }

  /** Asks what this party or service puts down at this place; shows the note and the card field. */
  async function quoteDeposit(what) {
    const note = $("bk-deposit-note");
    if (!note || data.kind === "manage") return;
    const quote = ++quoteCount;
    let answer;
    try {
      answer = await call("GET", "/locations/" + encodeURIComponent(location().id) + "/deposit-quote?" + what);
    } catch (_) {
      answer = null;
    }
    if (quote !== quoteCount) return; // a later choice asked again meanwhile
    // Unknown (offline, refused): say nothing; the API still asks for the card with a 422.
    const body = answer && answer.status === 200 ? answer.body : null;
    depositDue = body && body.deposit ? body.deposit : null;
    if (!depositDue) {
      show(note, "");
      $("bk-deposit").hidden = true;
      return;
    }
    const amount = money(depositDue.amount, depositDue.currency);
    const minutes = Number(body.cancel_window_minutes) || 0;
    show(note, minutes ? t("booking.deposit_note", { amount, window: windowText(minutes) }) : t("booking.deposit_note_any", { amount }));
    $("bk-deposit").hidden = false;
  }

  function cardError(text) {
    const input = $("bk-card");
    if (!input) return;
    input.setAttribute("aria-invalid", String(Boolean(text)));
    show($("bk-card-error"), text);
  }

  /** A 402's decline code in the page's words; the generic decline when the code is unknown. */
  function declinedText(body) {
    const key = "booking.declined." + String((body && body.decline_code) || "");
    return data.messages[key] ? t(key) : t("booking.card_declined");
  }

  async function loadSlots() {
    const load = ++loadCount;
    chosen = null;
    slotsBox.replaceChildren();
    hideWho();
    if (!dateInput.value) return show(slotsState, t("booking.pick_date"));
    show(slotsState, t("booking.loading"));
    slotsState.classList.remove("error");
    const what = party() ? "party_size=" + party() : "service_id=" + encodeURIComponent(service() || "");
    quoteDeposit(what);
    let answer;
    try {
      answer = await call("GET", "/locations/" + encodeURIComponent(location().id) + "/availability?date=" + dateInput.value + "&" + what);
    } catch (_) {
      answer = null;
    }
    if (load !== loadCount) return; // a later choice asked again meanwhile
    if (!answer || answer.status >= 500) {
      slotsState.classList.add("error");
      return show(slotsState, t("booking.offline"));
    }
    if (answer.status !== 200) {
      slotsState.classList.add("error");
      return show(slotsState, refusalText(answer));
    }
    const seen = new Set();
    const slots = (answer.body || []).filter((slot) => {
      if (staff() && slot.resource_id !== staff()) return false;
      if (seen.has(slot.start_at)) return false;
      seen.add(slot.start_at);
      return true;
    });
    if (!slots.length) {
      return show(slotsState, party() ? t("booking.no_tables", { party: people(party()) }) : t("booking.no_slots"));
    }
    show(slotsState, t("booking.pick_time"));
    for (const slot of slots) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "slot";
      button.dataset.testid = "bk-slot";
      button.dataset.start = slot.start_at;
      button.dataset.resource = slot.resource_id;
      button.setAttribute("aria-pressed", "false");
      button.textContent = clock(slot.start_at);
      button.addEventListener("click", () => pick(button, slot));
      slotsBox.appendChild(button);
    }
  }

  function pick(button, slot) {
    slotsBox.querySelectorAll(".slot").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    chosen = slot;
    if (data.kind === "manage") return reschedule(slot);
    const where = location().name || "";
    $("bk-chosen").textContent = party()
      ? t("booking.chosen_table", { when: whenText(slot.start_at), party: people(party()), place: where })
      : t("booking.chosen_service", { when: whenText(slot.start_at), service: serviceName(), place: where });
    $("bk-who").hidden = false;
    show($("bk-error"), "");
    $("bk-name").focus();
  }

  function hideWho() {
    const who = $("bk-who");
    if (who) who.hidden = true;
  }

  function serviceName() {
    const found = (data.services || []).find((s) => s.id === service());
    return found ? found.name : "";
  }

  dateInput.addEventListener("change", loadSlots);

  // ---- Booking (table and appointment pages) -----------------------------------------------
  const FIELDS = ["name", "phone", "email"];

  function fieldErrors(errors) {
    let shown = false;
    for (const name of FIELDS) {
      const input = $("bk-" + name);
      const error = (errors || []).find((e) => String(e.field).split(".").pop() === name);
      input.setAttribute("aria-invalid", String(Boolean(error)));
      show($("bk-" + name + "-error"), error ? t("booking.problem." + name) : "");
      shown = shown || Boolean(error);
    }
    return shown;
  }

  async function book(event) {
    event.preventDefault();
    if (!chosen) return;
    const name = $("bk-name").value.trim();
    const phone = $("bk-phone").value.trim();
    const email = $("bk-email").value.trim();
    fieldErrors([]);
    cardError("");
    if (!name) return fieldErrors([{ field: "name" }]) && $("bk-name").focus();
    if (!phone && !email) return show($("bk-error"), t("booking.need_contact"));
    const body = { location_id: location().id, start_at: chosen.start_at, customer: { name } };
    if (phone) body.customer.phone = phone;
    if (email) body.customer.email = email;
    if (party()) body.party_size = party();
    else body.service_id = service();
    if (staff()) body.resource_id = staff();
    // A deposit's card: shown up front when the quote said one is due (or after a 422 naming it).
    const card = $("bk-card") && !$("bk-deposit").hidden ? $("bk-card").value.replace(/\s+/g, "") : "";
    if (depositDue && !card) {
      cardError(t("booking.problem.payment"));
      return $("bk-card").focus();
    }
    if (card) body.payment = { method: "card", card_number: card };
    const button = $("bk-confirm");
    button.disabled = true;
    button.textContent = t("booking.confirming");
    let answer;
    try {
      answer = await call("POST", "/bookings", body);
    } catch (_) {
      answer = null;
    } finally {
      button.disabled = false;
      button.textContent = t("booking.confirm");
    }
    if (answer && answer.status === 201) return done(answer.body);
    if (answer && answer.status === 409) {
      const slotsWas = chosen;
      await loadSlots();
      $("bk-who").hidden = false; // keep what was typed; the customer picks another time
      $("bk-chosen").textContent = "";
      show($("bk-error"), t("booking.taken"));
      return slotsWas;
    }
    if (answer && answer.status === 402) {
      // Nothing was booked and the time stays picked: another card and confirm again.
      show($("bk-error"), "");
      cardError(declinedText(answer.body));
      return $("bk-card").focus();
    }
    if (answer && answer.status === 422) {
      const errors = (answer.body && answer.body.errors) || [];
      const payment = errors.find((e) => String(e.field).startsWith("payment"));
      if (payment && $("bk-deposit")) {
        $("bk-deposit").hidden = false;
        cardError(t(payment.field === "payment.card_number" ? "booking.problem.card_number" : "booking.problem.payment"));
        $("bk-card").focus();
        if (!fieldErrors(errors)) show($("bk-error"), "");
        return;
      }
      if (fieldErrors(errors)) return show($("bk-error"), "");
      return show($("bk-error"), refusalText(answer));
    }
    if (answer && answer.status >= 400 && answer.status < 500) return show($("bk-error"), refusalText(answer));
    show($("bk-error"), t("booking.failed"));
  }

  function done(booking) {
    const manage = "/reservas/" + encodeURIComponent(booking.id) + "?token=" + encodeURIComponent(booking.manage_token);
    form.hidden = true;
    const section = $("bk-done");
    // The confirmation lives inside the form in the markup; move it out so it stays visible.
    form.after(section);
    section.hidden = false;
    section.dataset.bookingId = booking.id;
    $("bk-done-when").textContent = whenText(booking.start_at);
    $("bk-done-where").textContent = t("booking.done_where", { place: location().name || "" });
    $("bk-manage").href = manage;
    const calendar = $("bk-calendar");
    if (booking.calendar_url) {
      calendar.href = booking.calendar_url;
      calendar.hidden = false;
    }
    $("bk-remind").addEventListener("click", () => remind(booking));
    showDoneDeposit(booking.deposit);
    // A confirmed booking's deposit is captured just after: follow it until "cobrado".
    if (booking.status === "confirmed" && booking.deposit) watchDeposit(booking.id, booking.manage_token, ["authorised"], showDoneDeposit);
    section.focus();
  }

  function showDoneDeposit(deposit) {
    const line = $("bk-done-deposit");
    if (!deposit) return show(line, "");
    line.dataset.status = deposit.status;
    show(line, t("booking.done_deposit", { amount: money(deposit.amount.amount, deposit.amount.currency), status: t("booking.deposit_status." + deposit.status) }));
  }

  /**
   * The payment worker captures, refunds or releases a deposit just after the booking or its
   * cancellation: reads the booking back a few times (1 s, 2 s, … 5 s apart) while its deposit
   * is in one of `pending`, telling `update` each status read.
   */
  function watchDeposit(id, token, pending, update, round = 0) {
    if (round >= 5) return;
    setTimeout(async () => {
      let answer;
      try {
        answer = await call("GET", "/bookings/" + encodeURIComponent(id) + "?token=" + encodeURIComponent(token));
      } catch (_) {
        answer = null;
      }
      const deposit = answer && answer.status === 200 && answer.body ? answer.body.deposit : null;
      if (deposit) update(deposit);
      if (!deposit || pending.includes(deposit.status)) watchDeposit(id, token, pending, update, round + 1);
    }, 1000 * (round + 1));
  }

  // "Recordarme": the order page's Web Push subscription, registered on the booking.
  async function remind(booking) {
    const push = window.omnicanalPush;
    const state = $("bk-remind-state");
    const say = (name, key) => {
      state.dataset.state = name;
      state.textContent = t(key);
    };
    if (!push || !push.supported()) {
      const ios = /iPhone|iPad|iPod/.test(navigator.userAgent || "");
      return say("unsupported", ios ? "booking.remind_ios" : "booking.remind_unavailable");
    }
    if (Notification.permission === "denied") return say("denied", "booking.remind_denied");
    const button = $("bk-remind");
    button.disabled = true;
    try {
      const url = API + "/bookings/" + encodeURIComponent(booking.id) + "/push-subscriptions?token=" + encodeURIComponent(booking.manage_token);
      if (await push.subscribeAt(url, data.lang)) {
        say("enabled", "booking.remind_on");
        button.hidden = true;
      } else if (Notification.permission === "denied") say("denied", "booking.remind_denied");
      else say("dismissed", "booking.remind_dismissed");
    } catch (_) {
      say("failed", "booking.remind_failed");
    } finally {
      button.disabled = false;
    }
  }

  // ---- The appointment page: stylist and "cerca de mí" ---------------------------------------
  function fillStaff() {
    const select = $("bk-staff");
    const keep = select.value;
    const people = (location().resources || []).filter((r) => r.kind === "staff");
    select.replaceChildren(new Option(t("booking.anyone"), ""), ...people.map((r) => new Option(r.name, r.id)));
    select.value = people.some((r) => r.id === keep) ? keep : "";
  }

  /** Puts the stores in the order the nearest API answered (ids first, the rest after). */
  function sortStores(ids) {
    const select = $("bk-location");
    const options = [...select.options];
    options.sort((a, b) => {
      const ia = ids.indexOf(a.value);
      const ib = ids.indexOf(b.value);
      return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib);
    });
    select.replaceChildren(...options);
    select.value = options[0].value;
    fillStaff();
    loadSlots();
  }

  async function nearest(query) {
    const state = $("bk-near-state");
    state.textContent = t("booking.near_locating");
    try {
      // The nearest stores for the chosen service and day (the service names its merchant).
      const day = dateInput.value || new Date().toISOString().slice(0, 10);
      const answer = await call("GET", "/bookings/nearest?service_id=" + encodeURIComponent(service() || "") + "&date=" + day + "&" + query);
      const list = Array.isArray(answer.body) ? answer.body : (answer.body && answer.body.locations) || [];
      const ids = list.map((entry) => entry.location_id || entry.id || (entry.location && entry.location.id)).filter(Boolean);
      if (answer.status !== 200 || !ids.length) throw new Error("no order");
      sortStores(ids);
      state.textContent = t("booking.near_sorted");
    } catch (_) {
      state.textContent = t("booking.near_unavailable");
    }
  }

  if (data.kind === "service") {
    fillStaff();
    form.querySelectorAll("input[name=service]").forEach((radio) => radio.addEventListener("change", loadSlots));
    $("bk-location").addEventListener("change", () => {
      fillStaff();
      loadSlots();
    });
    $("bk-staff").addEventListener("change", loadSlots);
    $("bk-near").addEventListener("click", () => {
      if (!navigator.geolocation) return ($("bk-near-state").textContent = t("booking.near_denied"));
      $("bk-near-state").textContent = t("booking.near_locating");
      navigator.geolocation.getCurrentPosition(
        (position) => nearest("lat=" + position.coords.latitude + "&lon=" + position.coords.longitude),
        () => ($("bk-near-state").textContent = t("booking.near_denied")),
        { timeout: 10000, maximumAge: 600000 },
      );
    });
    $("bk-comuna").addEventListener("change", (event) => {
      if (event.target.value) nearest("comuna=" + encodeURIComponent(event.target.value));
    });
  }
  if (data.kind === "table") {
    $("bk-location").addEventListener("change", loadSlots);
    $("bk-party").addEventListener("change", loadSlots);
  }
  if (data.kind !== "manage") {
    form.addEventListener("submit", book);
    loadSlots();
  }

  // ---- The manage page: cancel and reschedule ------------------------------------------------
  const manageQuery = () => "?token=" + encodeURIComponent(data.token);
  const notice = (text) => show($("bk-notice"), text);
  const problem = (text) => show($("bk-error"), text);

  const told = (answer) => window.omnicanalBookingRefusal(answer.status, answer.body).reason;

  function refusal(answer) {
    if (!answer || answer.status >= 500) return t("booking.failed");
    if (answer.status === 405) return t("booking.not_available");
    if (answer.status === 409 && told(answer) === "taken") return t("booking.taken");
    return refusalText(answer);
  }

  async function reschedule(slot) {
    problem("");
    let answer;
    try {
      answer = await call("POST", "/bookings/" + encodeURIComponent(data.booking_id) + "/reschedule" + manageQuery(), { start_at: slot.start_at });
    } catch (_) {
      answer = null;
    }
    if (answer && answer.status === 200) {
      $("bk-when").textContent = whenText((answer.body && answer.body.start_at) || slot.start_at);
      $("bk-reschedule").open = false;
      return notice(t("booking.moved", { when: whenText((answer.body && answer.body.start_at) || slot.start_at) }));
    }
    problem(refusal(answer));
    if (answer && answer.status === 409) loadSlots();
  }

  /** The manage page's deposit line: its words for `now`. */
  function tellManagedDeposit(now) {
    const line = $("bk-deposit-status");
    line.dataset.status = now.status;
    line.textContent = t("booking.deposit_status." + now.status);
  }

  if (data.kind === "manage" && $("bk-deposit-status")) {
    // Opened just after booking or cancelling: the payment worker may still be at it.
    const status = $("bk-deposit-status").dataset.status;
    const confirmed = $("bk-status").closest("[data-status]").dataset.status === "confirmed";
    if (status === "refund_pending" || status === "void_pending" || (status === "authorised" && confirmed)) {
      watchDeposit(data.booking_id, data.token, ["authorised", "refund_pending", "void_pending"], tellManagedDeposit);
    }
  }

  if (data.kind === "manage") {
    $("bk-reschedule").addEventListener("toggle", () => {
      if ($("bk-reschedule").open && !slotsBox.children.length) loadSlots();
    });
    $("bk-cancel").addEventListener("click", () => {
      $("bk-cancel-confirm").hidden = false;
      $("bk-cancel-yes").focus();
    });
    $("bk-cancel-no").addEventListener("click", () => ($("bk-cancel-confirm").hidden = true));
    $("bk-cancel-yes").addEventListener("click", async () => {
      problem("");
      $("bk-cancel-yes").disabled = true;
      let answer;
      try {
        answer = await call("POST", "/bookings/" + encodeURIComponent(data.booking_id) + "/cancel" + manageQuery());
      } catch (_) {
        answer = null;
      }
      $("bk-cancel-yes").disabled = false;
      $("bk-cancel-confirm").hidden = true;
      if (answer && answer.status === 200) {
        const status = $("bk-status");
        status.textContent = t("booking.status.cancelled");
        status.className = "badge bk-status status-cancelled";
        status.closest("[data-status]").dataset.status = "cancelled";
        $("bk-actions").hidden = true;
        const deposit = answer.body && answer.body.deposit;
        if (deposit && $("bk-deposit-status")) {
          tellManagedDeposit(deposit);
          watchDeposit(data.booking_id, data.token, ["refund_pending", "void_pending"], tellManagedDeposit);
        }
        return notice(t("booking.cancelled"));
      }
      problem(refusal(answer));
    });
  }
})();
