// The live display of a location: the queue in three columns (new, in preparation, ready),
// refetched on every event of the location's SSE stream (debounced), every 30 s as a safety
// net, and after a reconnection. New orders flash and beep; the connection state is always
// shown. Cards are kept between refetches (keyed by fulfilment id) so what staff typed or
// chose on a card, and its error, survive live updates.
"use strict";
(function () {
  const { data, t, tOr, money, time, api, h, show } = window.consoleApp;
  const locationId = data.location_id;
  const base = "/locations/" + encodeURIComponent(locationId);
  const COLUMN = { placed: "new", accepted: "preparing", preparing: "preparing", ready: "ready" };
  const lists = {};
  for (const name of ["new", "preparing", "ready"]) lists[name] = document.querySelector('[data-cards="' + name + '"]');
  const connection = document.getElementById("connection");
  const announcer = document.getElementById("announcer");
  const loadError = document.getElementById("load-error");
  const clock = document.querySelector("[data-testid=clock]");
  const statusBadge = document.querySelector("[data-testid=location-status]");

  const cards = new Map(); // fulfillment id → {el, item}
  let known = null; // ids seen so far; null before the first load (nothing beeps then)
  let serverOffsetMs = 0; // server clock − this device's clock
  let pendingFocus = null; // card to focus after our own action re-renders it

  const now = () => new Date(Date.now() + serverOffsetMs);

  // --- sound ---------------------------------------------------------------------------------
  const soundButton = document.getElementById("sound");
  let audio = null;
  function audioRunning() {
    return !!audio && audio.state === "running";
  }
  // The button stays where it is (same size) and only says whether the sound is on: hiding it
  // would move the whole board under a finger that is tapping something else.
  function refreshSoundButton() {
    const on = audioRunning();
    soundButton.dataset.state = on ? "on" : "off";
    soundButton.setAttribute("aria-pressed", String(on));
    soundButton.textContent = on ? t("console.display.sound_on") : t("console.display.enable_sound");
  }
  function unlockAudio() {
    try {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return Promise.resolve();
      if (!audio) audio = new Context();
      return Promise.resolve(audio.resume()).then(refreshSoundButton, refreshSoundButton);
    } catch (_) {
      return Promise.resolve();
    }
  }
  function beep() {
    if (!audioRunning()) return;
    const start = audio.currentTime;
    [0, 0.22].forEach((offset, i) => {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = "sine";
      osc.frequency.value = i ? 1320 : 880;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.5, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.18);
      osc.connect(gain).connect(audio.destination);
      osc.start(start + offset);
      osc.stop(start + offset + 0.2);
    });
  }
  soundButton.addEventListener("click", () => unlockAudio().then(beep));
  // Any first touch or key unlocks the sound too (browsers need a gesture).
  for (const type of ["pointerdown", "keydown"]) document.addEventListener(type, () => audioRunning() || unlockAudio(), { passive: true });
  refreshSoundButton();

  // --- auto print ----------------------------------------------------------------------------
  const autoPrint = document.getElementById("auto-print");
  const autoPrintKey = "omnicanal.console.autoprint." + locationId;
  try {
    autoPrint.checked = localStorage.getItem(autoPrintKey) === "1";
  } catch (_) {
    /* private mode: the toggle just is not remembered */
  }
  autoPrint.addEventListener("change", () => {
    try {
      localStorage.setItem(autoPrintKey, autoPrint.checked ? "1" : "0");
    } catch (_) {
      /* not remembered */
    }
  });
  const ticketUrl = (id) => "/api/v1/fulfillments/" + encodeURIComponent(id) + "/ticket?format=html&width=80";
  function printTicket(id) {
    const frame = h("iframe", { src: ticketUrl(id), class: "print-frame", title: t("console.card.print"), tabindex: "-1", "aria-hidden": "true" });
    frame.addEventListener("load", () => {
      try {
        frame.contentWindow.focus();
        frame.contentWindow.print();
      } catch (_) {
        window.open(ticketUrl(id), "_blank", "noopener");
      }
      setTimeout(() => frame.remove(), 60_000);
    });
    document.body.append(frame);
  }

  // --- connection ----------------------------------------------------------------------------
  // "connecting" until the stream and the first queue both answered, then "online"; any
  // failure shows "offline" until both work again, then "reconnected" for 3 s.
  let streamOpen = false;
  let streamFailed = false;
  let lastFetchOk = false;
  let fetchFailed = false;
  let connectionState = "connecting";
  let reconnectedTimer = null;
  function setConnection(state) {
    connectionState = state;
    connection.dataset.state = state;
    connection.className = "connection " + state;
    document.body.dataset.connection = state;
    const text = { offline: t("console.display.offline"), reconnected: t("console.display.reconnected") }[state] || "";
    show(connection, text);
  }
  function updateConnection() {
    const online = streamOpen && lastFetchOk;
    if (online && connectionState === "offline") {
      setConnection("reconnected");
      clearTimeout(reconnectedTimer);
      reconnectedTimer = setTimeout(() => connectionState === "reconnected" && setConnection("online"), 3000);
    } else if (online && connectionState === "connecting") {
      setConnection("online");
    } else if (!online && (streamFailed || fetchFailed) && connectionState !== "offline") {
      clearTimeout(reconnectedTimer);
      setConnection("offline");
    }
  }

  let source = null;
  let retryMs = 1000;
  let retryTimer = null;
  function connect() {
    clearTimeout(retryTimer);
    retryTimer = null;
    source = new EventSource("/api/v1" + base + "/events");
    source.onopen = () => {
      retryMs = 1000;
      streamOpen = true;
      streamFailed = false;
      refreshSoon(0);
    };
    const onEvent = () => refreshSoon(100);
    source.onmessage = onEvent;
    for (const type of ["order.created", "fulfillment.status_changed", "stock.changed"]) source.addEventListener(type, onEvent);
    source.onerror = () => {
      streamOpen = false;
      streamFailed = true;
      updateConnection();
      // The browser retries by itself after a dropped connection; after an HTTP error it gives
      // up (CLOSED), so we start again with a growing pause.
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        clearTimeout(retryTimer);
        retryTimer = setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, 10_000);
        refreshSoon(0);
      }
    };
  }

  // --- fetching ------------------------------------------------------------------------------
  let refreshTimer = null;
  let inFlight = false;
  let again = false;
  function refreshSoon(delayMs) {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      refresh();
    }, delayMs);
  }
  async function refresh() {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    const answer = await api("GET", base + "/queue");
    inFlight = false;
    if (answer.ok && answer.body) {
      lastFetchOk = true;
      fetchFailed = false;
      show(loadError, "");
      render(answer.body);
      if (source && source.readyState === EventSource.CLOSED && !retryTimer) connect();
    } else if (answer.network || answer.status >= 500) {
      lastFetchOk = false;
      fetchFailed = true;
    } else if (answer.status !== 401) {
      show(loadError, answer.status === 404 || answer.status === 403 ? t("console.display.no_access") : t("console.error.status", { status: answer.status }));
    }
    updateConnection();
    if (again) {
      again = false;
      refreshSoon(100);
    }
  }

  // --- the header ----------------------------------------------------------------------------
  function renderLocation(location) {
    if (!location || !statusBadge) return;
    const status = location.status && typeof location.status === "object" ? location.status : { state: location.status };
    const state = status.state || "open";
    let text = t("console.state.open");
    if (state === "paused") text = t("console.state.paused", { until: time(status.until || location.paused_until) });
    if (state === "closed") {
      if (status.opens_at) {
        const [day, hhmm] = String(status.opens_at).split(" ");
        text = t("console.state.opens_at", { when: tOr("console.day." + day, day) + " " + (hhmm || "") });
      } else text = t("console.state.closed");
    }
    statusBadge.dataset.state = state;
    statusBadge.className = "state state-" + state;
    statusBadge.textContent = text;
  }

  function tick() {
    const current = now();
    if (clock) {
      clock.textContent = time(current);
      clock.setAttribute("datetime", current.toISOString());
    }
    for (const { el, item } of cards.values()) refreshTimes(el, item, current);
  }

  // --- cards ---------------------------------------------------------------------------------
  function minutesBetween(from, to) {
    return Math.floor((to - from) / 60000);
  }

  function lateReason(item, current) {
    if (item.late && item.late_reason) return item.late_reason;
    if (item.late) return "past_estimate";
    const estimate = item.estimated_ready_at && new Date(item.estimated_ready_at);
    if ((item.status === "accepted" || item.status === "preparing") && estimate && current > estimate) return "past_estimate";
    const pickup = item.pickup_at && new Date(item.pickup_at);
    if (item.status !== "ready" && pickup && current > pickup) return "past_pickup";
    return null;
  }

  function refreshTimes(el, item, current) {
    const age = el.querySelector("[data-age]");
    if (age) {
      const minutes = Math.max(0, minutesBetween(new Date(item.created_at), current));
      age.textContent = minutes < 1 ? t("console.card.just_now") : t("console.card.age", { minutes });
    }
    const hold = el.querySelector("[data-hold]");
    if (hold && item.hold_expires_at) {
      const seconds = Math.max(0, Math.floor((new Date(item.hold_expires_at) - current) / 1000));
      hold.textContent = t("console.card.accept_within", { time: Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0") });
    }
    const reason = lateReason(item, current);
    el.dataset.late = String(!!reason);
    el.classList.toggle("late", !!reason);
    const label = el.querySelector("[data-testid=late-label]");
    if (label) show(label, reason ? tOr("console.late." + reason, t("console.late.past_estimate")) : "");
  }

  function channelText(channel) {
    return tOr("console.channel." + channel, channel || "");
  }

  function lineList(item) {
    return h(
      "ul",
      { class: "lines" },
      (item.lines || []).map((line) =>
        h(
          "li",
          { "data-testid": "card-line" },
          h("span", { class: "qty" }, String(line.quantity), " × "),
          h("span", { class: "line-name" }, line.name || line.sku),
          (line.modifiers || []).length
            ? h("span", { class: "mods" }, line.modifiers.map((m) => (m.group ? m.group + ": " : "") + m.option).join(" · "))
            : null,
          line.note ? h("span", { class: "note", "data-testid": "card-note" }, t("console.card.note", { note: line.note })) : null,
        ),
      ),
    );
  }

  function errorBox() {
    return h("p", { class: "card-error", "data-testid": "card-error", role: "alert", hidden: true });
  }

  // The card's error: one sentence of the display's catalog (the API's detail is for developers
  // and in English; a cook needs to know what to do).
  function setError(el, text) {
    const box = el.querySelector("[data-testid=card-error]");
    box.replaceChildren();
    if (text) box.append(h("span", { class: "error-text" }, text));
    box.hidden = !text;
  }

  /** The catalog's sentence for a refused move, by status, stable code and field. */
  function refusalText(answer) {
    const problem = answer.body || {};
    const fields = Array.isArray(problem.errors) ? problem.errors.map((e) => e.field) : [];
    if (answer.network) return t("console.error.network");
    if (problem.code === "validation_failed" && fields.includes("pickup_code")) return t("console.card.wrong_code");
    if (problem.code === "validation_failed" && fields.includes("reason")) return t("console.card.reason_invalid");
    if (problem.code === "validation_failed" && fields.includes("prep_minutes")) return t("console.card.prep_invalid");
    if (answer.status === 409) return t("console.card.conflict");
    if (answer.status === 404) return t("console.card.gone");
    if (answer.status === 403) return t("console.card.forbidden");
    return t("console.error.status", { status: answer.status });
  }

  function busy(el, on) {
    el.setAttribute("aria-busy", String(on));
    el.querySelectorAll("button, input").forEach((control) => (control.disabled = on));
  }

  async function move(el, item, body) {
    setError(el, "");
    busy(el, true);
    const answer = await api("POST", "/fulfillments/" + encodeURIComponent(item.fulfillment_id) + "/transition", body);
    busy(el, false);
    if (answer.ok) {
      pendingFocus = item.fulfillment_id;
      if (body.to === "accepted" && autoPrint.checked) printTicket(item.fulfillment_id);
      refreshSoon(0);
      return answer;
    }
    setError(el, refusalText(answer));
    refreshSoon(0);
    return answer;
  }

  function acceptControls(el, item) {
    const group = "prep-" + item.fulfillment_id;
    const wanted = data.prep_minutes || 15;
    const choices = (data.prep_choices || [5, 10, 15, 20, 30]).map((minutes) =>
      h(
        "label",
        { class: "pill" },
        h("input", { type: "radio", name: group, value: String(minutes), checked: minutes === wanted, "data-testid": "prep-choice" }),
        h("span", { "aria-hidden": "true" }, String(minutes)),
        h("span", { class: "visually-hidden" }, t("console.card.minutes", { minutes })),
      ),
    );
    const accept = h("button", { type: "button", class: "primary big", "data-testid": "accept", "data-primary": "" }, t("console.card.accept"));
    accept.addEventListener("click", () => {
      const chosen = el.querySelector('input[name="' + CSS.escape(group) + '"]:checked');
      move(el, item, { to: "accepted", prep_minutes: Number(chosen ? chosen.value : wanted) });
    });
    const reject = h("button", { type: "button", class: "danger", "data-testid": "reject" }, t("console.card.reject"));
    reject.addEventListener("click", () => openReject(el, item, reject));
    return [
      h("fieldset", { class: "prep" }, h("legend", {}, t("console.card.prep_time")), h("div", { class: "pills" }, choices)),
      h("div", { class: "actions" }, accept, reject),
    ];
  }

  function stepButton(el, item, to, key, testid) {
    const button = h("button", { type: "button", class: "primary big", "data-testid": testid, "data-primary": "" }, t(key));
    button.addEventListener("click", () => move(el, item, { to }));
    return h("div", { class: "actions" }, button);
  }

  function handoverForm(el, item) {
    const inputId = "code-" + item.fulfillment_id;
    const input = h("input", {
      id: inputId,
      class: "code",
      type: "text",
      inputmode: "numeric",
      autocomplete: "off",
      enterkeyhint: "done",
      maxlength: "32",
      required: true,
      "data-testid": "code-input",
      "data-primary": "",
    });
    input.addEventListener("input", () => {
      input.removeAttribute("aria-invalid");
      setError(el, "");
    });
    const form = h(
      "form",
      { class: "handover", "data-testid": "handover-form" },
      h("label", { for: inputId }, t("console.card.code")),
      h("div", { class: "code-row" }, input, h("button", { type: "submit", class: "primary big", "data-testid": "handover" }, t("console.card.handover"))),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const code = input.value.trim();
      if (!code) {
        setError(el, t("console.card.code_missing"));
        input.focus();
        return;
      }
      const answer = await move(el, item, { to: "collected", pickup_code: code });
      if (!answer.ok) {
        input.setAttribute("aria-invalid", "true");
        input.focus();
        input.select();
      }
    });
    return form;
  }

  function buildCard(item) {
    const el = h("li", {
      class: "card status-" + item.status,
      "data-testid": "order-card",
      "data-fulfillment-id": item.fulfillment_id,
      "data-order-number": String(item.order_number),
      "data-status": item.status,
      "aria-labelledby": "card-title-" + item.fulfillment_id,
    });
    const tags = [];
    // Accepted and preparing share a column: the stage badge tells them apart at a glance.
    if (item.status === "accepted" || item.status === "preparing") {
      tags.push(h("span", { class: "tag stage stage-" + item.status, "data-testid": "card-stage", "data-stage": item.status }, t("console.card.stage." + item.status)));
    }
    tags.push(h("span", { class: "tag channel channel-" + String(item.channel || "").replace(/[^a-z]/g, ""), "data-testid": "card-channel", "data-channel": item.channel }, channelText(item.channel)));
    if (item.table) tags.push(h("span", { class: "tag table", "data-testid": "card-table" }, t("console.card.table", { table: item.table })));
    // A phone order shows whom to call back; a delivery, where it goes (issue 14 point 8).
    if (item.fulfilment === "delivery") tags.push(h("span", { class: "tag delivery", "data-testid": "card-delivery" }, t("console.card.delivery")));
    const times = [h("span", { "data-age": "" })];
    if (item.status === "placed" && item.hold_expires_at) times.push(h("span", { "data-hold": "" }));
    if (item.pickup_at) {
      times.push(h("span", { class: "scheduled", "data-testid": "card-pickup" }, t("console.card.pickup_at", { time: time(item.pickup_at) })));
      if (item.start_by && (item.status === "placed" || item.status === "accepted")) {
        times.push(h("strong", { class: "start-by", "data-testid": "card-start-by" }, t("console.card.start_by", { time: time(item.start_by) })));
      }
    }
    if (item.estimated_ready_at && item.status !== "placed") {
      times.push(h("span", { "data-testid": "card-estimate" }, t("console.card.estimate", { time: time(item.estimated_ready_at) })));
    }
    el.append(
      h(
        "div",
        { class: "card-head" },
        h("h3", { id: "card-title-" + item.fulfillment_id, class: "number", "data-testid": "card-number" }, t("console.card.number", { number: item.order_number })),
        h("span", { class: "customer", "data-testid": "card-customer" }, item.customer_name || ""),
      ),
      h("p", { class: "tags" }, tags),
      item.customer_phone
        ? h("p", { class: "phone" }, h("a", { href: "tel:" + String(item.customer_phone).replace(/[^0-9+]/g, ""), "data-testid": "card-phone" }, t("console.card.phone", { phone: item.customer_phone })))
        : "",
      item.delivery_line ? h("p", { class: "address", "data-testid": "card-address" }, t("console.card.address", { address: item.delivery_line })) : "",
      h("p", { class: "late-label", "data-testid": "late-label", hidden: true }),
      h("p", { class: "times" }, times),
      lineList(item),
    );
    if (item.to_collect && item.to_collect.amount > 0) {
      el.append(h("p", { class: "collect", "data-testid": "card-collect" }, t("console.card.to_collect", { amount: money(item.to_collect) })));
    }
    el.append(errorBox());
    if (item.status === "placed") el.append(...acceptControls(el, item));
    if (item.status === "accepted") el.append(stepButton(el, item, "preparing", "console.card.start", "start"));
    if (item.status === "preparing") el.append(stepButton(el, item, "ready", "console.card.ready", "ready"));
    if (item.status === "ready") el.append(handoverForm(el, item));
    el.append(
      h(
        "p",
        { class: "card-links" },
        h("a", { href: ticketUrl(item.fulfillment_id), target: "_blank", rel: "noopener", "data-testid": "print" }, t("console.card.print")),
        h(
          "a",
          { href: "/api/v1/fulfillments/" + encodeURIComponent(item.fulfillment_id) + "/ticket?format=escpos&width=80", download: "comanda-" + item.order_number + ".bin", "data-testid": "print-escpos" },
          t("console.card.print_escpos"),
        ),
      ),
    );
    refreshTimes(el, item, now());
    return el;
  }

  // The sort key inside a column: scheduled orders by when to start them, others by age.
  function sortKey(item) {
    return item.start_by && item.status !== "ready" ? item.start_by : item.created_at;
  }

  function render(queue) {
    if (queue.now) {
      const server = Date.parse(queue.now);
      if (!isNaN(server)) serverOffsetMs = server - Date.now();
    }
    renderLocation(queue.location);
    const items = (queue.items || []).filter((item) => COLUMN[item.status]);
    const seen = new Set(items.map((item) => item.fulfillment_id));
    for (const [id, entry] of cards) {
      if (!seen.has(id)) {
        entry.el.remove();
        cards.delete(id);
      }
    }
    const fresh = [];
    for (const item of items) {
      const id = item.fulfillment_id;
      const entry = cards.get(id);
      if (!entry || entry.item.status !== item.status || entry.item.estimated_ready_at !== item.estimated_ready_at) {
        const el = buildCard(item);
        if (entry) entry.el.replaceWith(el);
        cards.set(id, { el, item });
        if (known && !known.has(id)) fresh.push(item);
      } else {
        entry.item = item;
      }
    }
    const byColumn = { new: [], preparing: [], ready: [] };
    for (const item of items) byColumn[COLUMN[item.status]].push(item);
    for (const [column, list] of Object.entries(byColumn)) {
      list.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
      const wanted = list.map((item) => cards.get(item.fulfillment_id).el);
      const current = Array.from(lists[column].children);
      if (wanted.length !== current.length || wanted.some((el, i) => el !== current[i])) {
        const focused = document.activeElement;
        wanted.forEach((el) => lists[column].append(el));
        if (focused && focused !== document.activeElement && document.contains(focused)) focused.focus();
      }
      document.querySelector('[data-count="' + column + '"]').textContent = String(list.length);
      document.querySelector('[data-empty="' + column + '"]').hidden = list.length > 0;
    }
    for (const item of fresh) {
      const el = cards.get(item.fulfillment_id).el;
      el.classList.add("fresh");
      setTimeout(() => el.classList.remove("fresh"), 8000);
    }
    const newOrders = fresh.filter((item) => item.status === "placed");
    if (newOrders.length) {
      beep();
      announcer.textContent = newOrders.map((item) => t("console.display.new_order", { number: item.order_number })).join(". ");
    }
    known = new Set([...(known || []), ...seen]);
    if (pendingFocus) {
      const entry = cards.get(pendingFocus);
      pendingFocus = null;
      const target = entry && entry.el.querySelector("[data-primary]");
      if (target) target.focus();
    }
    tick();
  }

  // --- reject dialog -------------------------------------------------------------------------
  const dialog = document.getElementById("reject-dialog");
  const rejectForm = document.getElementById("reject-form");
  const rejectText = document.getElementById("reject-text");
  const rejectError = document.getElementById("reject-error");
  let rejecting = null;
  function openReject(el, item, opener) {
    rejecting = { el, item, opener };
    rejectForm.reset();
    show(rejectError, "");
    document.getElementById("reject-order").textContent = t("console.card.number", { number: item.order_number }) + (item.customer_name ? " · " + item.customer_name : "");
    if (typeof dialog.showModal === "function") dialog.showModal();
    else dialog.setAttribute("open", "");
    const first = dialog.querySelector("input[name=preset]");
    if (first) first.focus();
  }
  function closeReject() {
    if (dialog.open) dialog.close();
    const opener = rejecting && rejecting.opener;
    rejecting = null;
    if (opener && document.contains(opener)) opener.focus();
    else document.getElementById("main").focus();
  }
  document.getElementById("reject-cancel").addEventListener("click", closeReject);
  dialog.addEventListener("cancel", () => (rejecting = null));
  rejectForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!rejecting) return closeReject();
    const preset = (rejectForm.querySelector("input[name=preset]:checked") || {}).value || "";
    const extra = rejectText.value.trim();
    const reason = preset && extra ? preset + " — " + extra : preset || extra;
    if (!reason) {
      show(rejectError, t("console.reject.required"));
      rejectText.focus();
      return;
    }
    const { el, item } = rejecting;
    const confirm = document.getElementById("reject-confirm");
    confirm.disabled = true;
    const answer = await move(el, item, { to: "rejected", reason });
    confirm.disabled = false;
    if (answer.ok) closeReject();
    else show(rejectError, refusalText(answer));
  });

  // --- a barcode scanner typing anywhere -----------------------------------------------------
  // A scanner "types" the code and Enter. When nothing is focused, the keys go to the handover
  // field of the only ready card, or of the card the staff touched last.
  let scanBuffer = "";
  let scanTimer = null;
  let lastReadyTouched = null;
  document.addEventListener("pointerdown", (event) => {
    const card = event.target.closest && event.target.closest("[data-testid=order-card][data-status=ready]");
    if (card) lastReadyTouched = card.dataset.fulfillmentId;
  });
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target && (target.closest("input, textarea, select, dialog") || target.isContentEditable)) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (/^[0-9A-Za-z]$/.test(event.key)) {
      scanBuffer += event.key;
      clearTimeout(scanTimer);
      scanTimer = setTimeout(() => (scanBuffer = ""), 1500);
      return;
    }
    if (event.key === "Enter" && scanBuffer) {
      const ready = Array.from(cards.values()).filter((entry) => entry.item.status === "ready");
      const entry = ready.length === 1 ? ready[0] : cards.get(lastReadyTouched);
      const input = entry && entry.el.querySelector("[data-testid=code-input]");
      if (input) {
        event.preventDefault();
        input.value = scanBuffer;
        input.focus();
        input.form.requestSubmit();
      }
      scanBuffer = "";
    }
  });

  connect();
  refresh();
  setInterval(() => refreshSoon(0), 30_000);
  setInterval(tick, 1000);
  tick();
})();
