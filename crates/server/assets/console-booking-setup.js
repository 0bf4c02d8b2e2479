// Setting bookings up (issue 19 points 1-4): the lists and forms of /console/bookings/setup.
// Everything is read and written through the JSON API with the session, so who may change what
// is the use cases' to decide: a location's tables, staff and rooms (POST /locations/{id}/
// resources, then PUT /resources/{id}/details for the zone, combinable group and working week),
// its exception days (/locations/{id}/booking-exceptions), the merchant's services (POST
// /services, PATCH /services/{id}, PUT /services/{id}/performers), and the location's rules
// (PUT /locations/{id}/booking-settings) and place (PUT /locations/{id}/place).
//
// A refused field is told next to its input in the catalogue's words (`console.booking_setup.
// problem.<field>`), never in the server's English. Money is typed in the currency's major units
// ("12.990", "25,50") and sent in minor units, read the way the variant grid reads prices.
"use strict";
(function () {
  const { data, t, tOr, api, h, money, labelCells } = window.consoleApp;
  const $ = (id) => document.getElementById(id);
  const P = "console.booking_setup.";
  const locationId = data.location_id;
  const merchantId = data.merchant_id;
  const currency = data.currency || "CLP";
  const base = `/locations/${encodeURIComponent(locationId)}`;
  const WEEKDAYS = ["1", "2", "3", "4", "5", "6", "7"];
  // The exceptions listed: from today to a year ahead (the API answers at most 400 days).
  const EXCEPTION_DAYS_AHEAD = 365;

  let resources = [];
  let services = [];
  let editingResource = null;
  let editingService = null;

  // --- money: typed in major units, sent in minor units -------------------------------------
  const parsePrice = (text) => window.consoleApp.parsePrice(text, currency);
  function priceText(value) {
    return value && typeof value.amount === "number" ? money(value).replace(/^S\/ |^\$/, "") : "";
  }

  // --- forms: values, field errors -----------------------------------------------------------
  function fail(text) {
    $("bs-error").textContent = text || "";
    $("bs-error").hidden = !text;
  }
  function clearErrors(form) {
    form.querySelectorAll("[data-error-for]").forEach((el) => {
      el.textContent = "";
      el.hidden = true;
    });
    form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  }
  // Shows `key`'s text next to `field` (its error line) and marks its input; false when the form
  // has no such field, so the caller tells it another way.
  function fieldError(form, field, key) {
    const line = form.querySelector(`[data-error-for="${field}"]`);
    if (!line) return false;
    line.textContent = tOr(key, t(`${P}problem.other`));
    line.hidden = false;
    const input = form.querySelector(`[data-field="${field}"]`);
    if (input) {
      const target = input.matches("input, select") ? input : input.querySelector("input, select");
      if (target) target.setAttribute("aria-invalid", "true");
    }
    return true;
  }
  // The field a refused path belongs to: "working_hours.3" → "working_hours", "price.amount" →
  // "price", "customer.name" is not ours.
  const FIELD_NAMES = [
    "kind", "name", "seats_min", "seats_max", "zone", "combine_group", "working_hours", "date", "hours",
    "resource_id", "duration_minutes", "buffer_minutes", "buffer_before_minutes", "price", "deposit",
    "resource_ids", "min_notice_minutes", "max_days_ahead", "cancel_window_minutes", "hold_minutes",
    "reminder_offsets_minutes", "table_deposit_per_guest", "latitude", "longitude", "comuna",
  ];
  function fieldOf(path) {
    return FIELD_NAMES.find((name) => path === name || path.startsWith(name + ".") || path.startsWith(name + "["));
  }
  // A refused answer told in the form: each named field at its input, anything else in the
  // form's result line (a 403 says only managers may; a 404 that it is gone).
  function refused(form, result, answer) {
    const errors = answer.body && Array.isArray(answer.body.errors) ? answer.body.errors : [];
    let shown = 0;
    for (const error of errors) {
      const field = fieldOf(String((error && error.field) || ""));
      if (field && fieldError(form, field, `${P}problem.${field}`)) shown += 1;
    }
    if (shown) {
      result.textContent = t(`${P}check_fields`);
      const first = form.querySelector("[aria-invalid=true]");
      if (first) first.focus();
      return;
    }
    if (answer.network) result.textContent = t("console.error.network");
    else if (answer.status === 403) result.textContent = t(`${P}forbidden`);
    else if (answer.status === 404) result.textContent = t(`${P}gone`);
    else if (answer.status >= 500) result.textContent = t(`${P}failed`);
    else result.textContent = t(`${P}problem.other`);
  }
  // A whole number typed in `input`, or null (an empty or non-numeric value).
  function wholeNumber(input) {
    const raw = String(input.value || "").trim();
    return /^-?\d+$/.test(raw) ? Number(raw) : null;
  }
  function busy(form, on) {
    form.querySelectorAll("button[type=submit]").forEach((button) => (button.disabled = on));
  }

  // --- the working week: a row per weekday, up to two ranges ---------------------------------
  function weekRows() {
    const box = $("bs-res-week");
    box.replaceChildren(
      ...WEEKDAYS.map((day) =>
        h(
          "div",
          { class: "bs-day", dataset: { day, testid: `week-day-${day}` } },
          h("label", { class: "choice" }, h("input", { type: "checkbox", "data-part": "works", "data-testid": `week-works-${day}` }), t(`${P}weekday.${day}`)),
          h(
            "span",
            { class: "bs-ranges" },
            h(
              "span",
              { class: "bs-range" },
              h("input", { type: "time", "data-part": "from1", value: "10:00", "aria-label": t(`${P}week_from`, { day: t(`${P}weekday.${day}`) }), "data-testid": `week-from-${day}` }),
              "–",
              h("input", { type: "time", "data-part": "to1", value: "19:00", "aria-label": t(`${P}week_to`, { day: t(`${P}weekday.${day}`) }), "data-testid": `week-to-${day}` }),
            ),
            h(
              "span",
              { class: "bs-range" },
              h("input", { type: "time", "data-part": "from2", "aria-label": t(`${P}week_from2`, { day: t(`${P}weekday.${day}`) }), "data-testid": `week-from2-${day}` }),
              "–",
              h("input", { type: "time", "data-part": "to2", "aria-label": t(`${P}week_to2`, { day: t(`${P}weekday.${day}`) }), "data-testid": `week-to2-${day}` }),
            ),
          ),
        ),
      ),
    );
  }
  function setWeek(week) {
    $("bs-res-week-on").checked = !!week;
    $("bs-res-week").hidden = !week;
    weekRows();
    if (!week) return;
    for (const day of WEEKDAYS) {
      const row = $("bs-res-week").querySelector(`[data-day="${day}"]`);
      const ranges = week[day] || [];
      row.querySelector("[data-part=works]").checked = ranges.length > 0;
      if (ranges[0]) [row.querySelector("[data-part=from1]").value, row.querySelector("[data-part=to1]").value] = ranges[0];
      if (ranges[1]) [row.querySelector("[data-part=from2]").value, row.querySelector("[data-part=to2]").value] = ranges[1];
    }
  }
  // The week as the API takes it, or null (whenever the location is open). A half-typed
  // range is "bad" so the form can say so before sending.
  function readWeek() {
    if (!$("bs-res-week-on").checked) return null;
    const week = {};
    for (const row of $("bs-res-week").querySelectorAll("[data-day]")) {
      if (!row.querySelector("[data-part=works]").checked) continue;
      const part = (name) => row.querySelector(`[data-part=${name}]`).value;
      const ranges = [];
      for (const [from, to] of [[part("from1"), part("to1")], [part("from2"), part("to2")]]) {
        if (!from && !to) continue;
        if (!from || !to) return "bad";
        ranges.push([from, to]);
      }
      if (ranges.length) week[row.dataset.day] = ranges;
    }
    return week;
  }
  function weekText(week) {
    if (!week) return t(`${P}week_open_hours`);
    const days = WEEKDAYS.filter((day) => (week[day] || []).length);
    if (!days.length) return t(`${P}week_never`);
    return days.map((day) => `${t(`${P}weekday_short.${day}`)} ${week[day].map((r) => r.join("–")).join(", ")}`).join(" · ");
  }

  // --- resources -----------------------------------------------------------------------------
  async function loadResources() {
    const answer = await api("GET", `${base}/resources`);
    if (!answer.ok) {
      $("bs-resources-state").textContent = t(`${P}load_failed`);
      return;
    }
    resources = answer.body || [];
    renderResources();
    renderExceptionResources();
    renderPerformers(editingService);
  }
  function resourceDetails(resource) {
    const parts = [];
    if (resource.kind === "table") parts.push(t(`${P}seats`, { min: resource.seats_min ?? 1, max: resource.seats_max ?? "" }));
    if (resource.zone) parts.push(t(`${P}in_zone`, { zone: resource.zone }));
    if (resource.combine_group) parts.push(t(`${P}in_group`, { group: resource.combine_group }));
    return parts.join(" · ") || "—";
  }
  function renderResources() {
    const table = $("bs-resources");
    table.querySelector("tbody").replaceChildren(
      ...resources.map((resource) =>
        h(
          "tr",
          { dataset: { testid: "resource-row", id: resource.id, kind: resource.kind } },
          h("td", { dataset: { testid: "resource-row-name" } }, resource.name),
          h("td", {}, t(`${P}kind.${resource.kind}`)),
          h("td", {}, resourceDetails(resource)),
          h("td", { dataset: { testid: "resource-row-week" } }, weekText(resource.working_hours)),
          h("td", {}, h("button", { type: "button", "data-testid": "resource-edit", text: t(`${P}edit`), onclick: () => editResource(resource) })),
        ),
      ),
    );
    labelCells(table);
    table.hidden = !resources.length;
    $("bs-resources-state").textContent = resources.length ? "" : t(`${P}resources_empty`);
    $("bs-resources-state").hidden = !!resources.length;
  }
  function showKind(kind) {
    document.querySelectorAll("#bs-resource-form .bs-table-only").forEach((el) => (el.hidden = kind !== "table"));
  }
  function resetResourceForm() {
    const form = $("bs-resource-form");
    editingResource = null;
    form.reset();
    clearErrors(form);
    form.querySelector(".bs-new-only").hidden = false;
    $("bs-resource-form-title").textContent = t(`${P}resource.add`);
    $("bs-resource-submit").textContent = t(`${P}resource.save_new`);
    $("bs-resource-cancel").hidden = true;
    setWeek(null);
    showKind($("bs-res-kind").value);
  }
  // The form edits `resource` from now on; what is typed stays.
  function editMode(resource) {
    editingResource = resource;
    $("bs-resource-form").querySelector(".bs-new-only").hidden = true;
    $("bs-resource-form-title").textContent = t(`${P}resource.edit`, { name: resource.name });
    $("bs-resource-submit").textContent = t(`${P}resource.save`);
    $("bs-resource-cancel").hidden = false;
  }
  function editResource(resource) {
    resetResourceForm();
    editMode(resource);
    $("bs-res-zone").value = resource.zone || "";
    $("bs-res-group").value = resource.combine_group || "";
    setWeek(resource.working_hours || null);
    showKind(resource.kind);
    $("bs-res-zone").focus();
  }
  // The details PUT replaces all three (an absent one is cleared), so it always sends them.
  function detailsBody(kind, week) {
    const body = {};
    const zone = $("bs-res-zone").value.trim();
    const group = $("bs-res-group").value.trim();
    if (zone) body.zone = zone;
    if (group && kind === "table") body.combine_group = group;
    if (week) body.working_hours = week;
    return body;
  }
  async function submitResource(event) {
    event.preventDefault();
    const form = $("bs-resource-form");
    const result = $("bs-resource-result");
    clearErrors(form);
    result.textContent = "";
    const week = readWeek();
    if (week === "bad") {
      fieldError(form, "working_hours", `${P}problem.working_hours`);
      return;
    }
    busy(form, true);
    try {
      let resource = editingResource;
      const kind = resource ? resource.kind : $("bs-res-kind").value;
      if (!resource) {
        const body = { kind, name: $("bs-res-name").value.trim() };
        if (kind === "table") {
          const min = wholeNumber($("bs-res-seats-min"));
          const max = wholeNumber($("bs-res-seats-max"));
          if (max === null) return fieldError(form, "seats_max", `${P}problem.seats_max`);
          body.seats_min = min === null ? 1 : min;
          body.seats_max = max;
        }
        const created = await api("POST", `${base}/resources`, body);
        if (!created.ok) return refused(form, result, created);
        resource = created.body;
      }
      const details = detailsBody(kind, week);
      const hadDetails = resource.zone || resource.combine_group || resource.working_hours;
      if (Object.keys(details).length || hadDetails) {
        const saved = await api("PUT", `/resources/${encodeURIComponent(resource.id)}/details`, details);
        if (!saved.ok) {
          // The resource exists now: the form edits it, keeping what was typed, so only the
          // details are sent again.
          if (!editingResource) {
            editMode(resource);
            await loadResources();
          }
          return refused(form, result, saved);
        }
      }
      const name = resource.name;
      resetResourceForm();
      await loadResources();
      result.textContent = t(`${P}resource.saved`, { name });
    } finally {
      busy(form, false);
    }
  }

  // --- exceptions ----------------------------------------------------------------------------
  function addDays(text, n) {
    const [y, m, d] = text.split("-").map(Number);
    return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
  }
  async function loadExceptions() {
    const from = data.today;
    const to = addDays(from, EXCEPTION_DAYS_AHEAD);
    const answer = await api("GET", `${base}/booking-exceptions?from=${from}&to=${to}`);
    if (!answer.ok) {
      $("bs-exceptions-state").textContent = t(`${P}load_failed`);
      return;
    }
    renderExceptions(answer.body || []);
  }
  function resourceName(id) {
    const found = resources.find((resource) => resource.id === id);
    return found ? found.name : "";
  }
  function renderExceptions(list) {
    const table = $("bs-exceptions");
    table.querySelector("tbody").replaceChildren(
      ...list.map((exception) =>
        h(
          "tr",
          { dataset: { testid: "exception-row", id: exception.id, kind: exception.kind } },
          h("td", {}, exception.date),
          h(
            "td",
            {},
            t(`${P}exception_kind.${exception.kind}`),
            exception.hours && exception.hours.length ? ` ${exception.hours.map((r) => r.join("–")).join(", ")}` : "",
          ),
          h("td", {}, exception.resource_id ? resourceName(exception.resource_id) || "—" : t(`${P}whole_location`)),
          h("td", {}, h("button", { type: "button", "data-testid": "exception-delete", text: t(`${P}delete`), onclick: () => deleteException(exception) })),
        ),
      ),
    );
    labelCells(table);
    table.hidden = !list.length;
    $("bs-exceptions-state").textContent = list.length ? "" : t(`${P}exceptions_empty`);
    $("bs-exceptions-state").hidden = !!list.length;
  }
  function renderExceptionResources() {
    const select = $("bs-exc-resource");
    const chosen = select.value;
    select.replaceChildren(
      h("option", { value: "" }, t(`${P}whole_location`)),
      ...resources.map((resource) => h("option", { value: resource.id }, resource.name)),
    );
    if ([...select.options].some((option) => option.value === chosen)) select.value = chosen;
  }
  // Holidays and other opening hours are the location's; days off and special hours a resource's.
  function showExceptionKind() {
    const kind = $("bs-exc-kind").value;
    document.querySelector("#bs-exception-form .bs-exc-resource").hidden = kind === "holiday" || kind === "location_hours";
    document.querySelector("#bs-exception-form .bs-exc-hours").hidden = kind === "holiday" || kind === "day_off";
  }
  async function submitException(event) {
    event.preventDefault();
    const form = $("bs-exception-form");
    const result = $("bs-exception-result");
    clearErrors(form);
    result.textContent = "";
    const kind = $("bs-exc-kind").value;
    const date = $("bs-exc-date").value;
    if (!date) return fieldError(form, "date", `${P}problem.date`);
    const body = { date, kind };
    if (kind === "day_off" || kind === "special_hours") {
      if (!$("bs-exc-resource").value) return fieldError(form, "resource_id", `${P}problem.exception_resource`);
      body.resource_id = $("bs-exc-resource").value;
    }
    if (kind === "location_hours" || kind === "special_hours") {
      const from = $("bs-exc-from").value;
      const to = $("bs-exc-to").value;
      if (!from || !to) return fieldError(form, "hours", `${P}problem.hours`);
      body.hours = [[from, to]];
    }
    busy(form, true);
    try {
      const answer = await api("POST", `${base}/booking-exceptions`, body);
      if (!answer.ok) return refused(form, result, answer);
      result.textContent = t(`${P}exception.saved`, { date });
      $("bs-exc-date").value = "";
      await loadExceptions();
    } finally {
      busy(form, false);
    }
  }
  async function deleteException(exception) {
    const answer = await api("DELETE", `${base}/booking-exceptions/${encodeURIComponent(exception.id)}`);
    if (!answer.ok && answer.status !== 404) {
      fail(answer.status === 403 ? t(`${P}forbidden`) : t(`${P}failed`));
      return;
    }
    fail("");
    $("bs-exception-result").textContent = t(`${P}exception.deleted`, { date: exception.date });
    await loadExceptions();
  }

  // --- services ------------------------------------------------------------------------------
  async function loadServices() {
    const answer = await api("GET", `/services?merchant_id=${encodeURIComponent(merchantId)}`);
    if (!answer.ok) {
      $("bs-services-state").textContent = t(`${P}load_failed`);
      return;
    }
    services = answer.body || [];
    renderServices();
  }
  // Staff and rooms perform services; tables do not.
  const performers = () => resources.filter((resource) => resource.kind !== "table");
  function performerNames(service) {
    if (!service.performer_ids.length) return t(`${P}performers_anyone`);
    const here = service.performer_ids.map(resourceName).filter(Boolean);
    const elsewhere = service.performer_ids.length - here.length;
    return [...here, ...(elsewhere ? [t(`${P}performers_elsewhere`, { n: elsewhere })] : [])].join(", ");
  }
  function durationText(service) {
    const parts = [t(`${P}minutes`, { n: service.duration_minutes })];
    if (service.buffer_before_minutes) parts.push(t(`${P}buffer_before_short`, { n: service.buffer_before_minutes }));
    if (service.buffer_minutes) parts.push(t(`${P}buffer_after_short`, { n: service.buffer_minutes }));
    return parts.join(" · ");
  }
  function renderServices() {
    const table = $("bs-services");
    table.querySelector("tbody").replaceChildren(
      ...services.map((service) =>
        h(
          "tr",
          { dataset: { testid: "service-row", id: service.id } },
          h("td", { dataset: { testid: "service-row-name" } }, service.name),
          h("td", {}, durationText(service)),
          h(
            "td",
            { dataset: { testid: "service-row-price" } },
            service.price ? money(service.price) : "—",
            service.deposit ? ` · ${t(`${P}deposit_short`, { amount: money(service.deposit) })}` : "",
          ),
          h("td", { dataset: { testid: "service-row-performers" } }, performerNames(service)),
          h("td", {}, h("button", { type: "button", "data-testid": "service-edit", text: t(`${P}edit`), onclick: () => editService(service) })),
        ),
      ),
    );
    labelCells(table);
    table.hidden = !services.length;
    $("bs-services-state").textContent = services.length ? "" : t(`${P}services_empty`);
    $("bs-services-state").hidden = !!services.length;
  }
  function renderPerformers(service) {
    const box = $("bs-svc-performers");
    const chosen = new Set(service ? service.performer_ids : [...box.querySelectorAll("input:checked")].map((input) => input.value));
    const list = performers();
    box.replaceChildren(
      ...(list.length
        ? list.map((resource) =>
            h("label", { class: "choice" }, h("input", { type: "checkbox", value: resource.id, checked: chosen.has(resource.id), "data-testid": "service-performer" }), resource.name),
          )
        : [h("p", { class: "hint" }, t(`${P}performers_none`))]),
    );
  }
  function resetServiceForm() {
    const form = $("bs-service-form");
    editingService = null;
    form.reset();
    clearErrors(form);
    $("bs-service-form-title").textContent = t(`${P}service.add`);
    $("bs-service-submit").textContent = t(`${P}service.save_new`);
    $("bs-service-cancel").hidden = true;
    $("bs-svc-deposit").placeholder = "";
    renderPerformers({ performer_ids: [] });
  }
  // The form edits `service` from now on; what is typed stays.
  function serviceEditMode(service) {
    editingService = service;
    $("bs-service-form-title").textContent = t(`${P}service.edit`, { name: service.name });
    $("bs-service-submit").textContent = t(`${P}service.save`);
    $("bs-service-cancel").hidden = false;
  }
  function editService(service) {
    resetServiceForm();
    serviceEditMode(service);
    $("bs-svc-name").value = service.name;
    $("bs-svc-duration").value = service.duration_minutes;
    $("bs-svc-before").value = service.buffer_before_minutes || 0;
    $("bs-svc-after").value = service.buffer_minutes || 0;
    $("bs-svc-price").value = priceText(service.price);
    $("bs-svc-deposit").value = priceText(service.deposit);
    $("bs-svc-deposit").placeholder = t(`${P}deposit_none`);
    renderPerformers(service);
    $("bs-service-form").scrollIntoView({ block: "start" });
    $("bs-svc-name").focus();
  }
  // The form's fields as the API takes them, or null after telling the bad ones.
  function serviceFields(form) {
    let ok = true;
    const number = (id, field) => {
      const value = wholeNumber($(id));
      if (value === null) {
        fieldError(form, field, `${P}problem.${field}`);
        ok = false;
      }
      return value;
    };
    const amount = (id, field) => {
      const typed = $(id).value.trim();
      if (!typed) return undefined;
      const minor = parsePrice(typed);
      if (minor === null) {
        fieldError(form, field, `${P}problem.money`);
        ok = false;
        return undefined;
      }
      return { amount: minor, currency };
    };
    const fields = {
      name: $("bs-svc-name").value.trim(),
      duration_minutes: number("bs-svc-duration", "duration_minutes"),
      buffer_before_minutes: number("bs-svc-before", "buffer_before_minutes"),
      buffer_minutes: number("bs-svc-after", "buffer_minutes"),
      price: amount("bs-svc-price", "price"),
      deposit: amount("bs-svc-deposit", "deposit"),
    };
    // An emptied deposit on an edit removes it (`null`); on a new service, absent is none.
    if (editingService && fields.deposit === undefined) fields.deposit = null;
    if (!fields.name) {
      fieldError(form, "name", `${P}problem.name`);
      ok = false;
    }
    return ok ? fields : null;
  }
  // Performers chosen here, plus those of the merchant's other locations (this page does not
  // show them, and the PUT replaces the whole list).
  function chosenPerformers(service) {
    const here = new Set(resources.map((resource) => resource.id));
    const kept = service ? service.performer_ids.filter((id) => !here.has(id)) : [];
    const checked = [...$("bs-svc-performers").querySelectorAll("input:checked")].map((input) => input.value);
    return [...kept, ...checked];
  }
  async function submitService(event) {
    event.preventDefault();
    const form = $("bs-service-form");
    const result = $("bs-service-result");
    clearErrors(form);
    result.textContent = "";
    const fields = serviceFields(form);
    if (!fields) {
      result.textContent = t(`${P}check_fields`);
      return;
    }
    busy(form, true);
    try {
      let service = editingService;
      const ids = chosenPerformers(service);
      if (service) {
        const saved = await api("PATCH", `/services/${encodeURIComponent(service.id)}`, fields);
        if (!saved.ok) return refused(form, result, saved);
        service = { ...service, ...saved.body };
      } else {
        const created = await api("POST", "/services", { merchant_id: merchantId, ...fields });
        if (!created.ok) return refused(form, result, created);
        service = { ...created.body, performer_ids: [] };
      }
      const before = [...service.performer_ids].sort().join(",");
      if ([...ids].sort().join(",") !== before) {
        const set = await api("PUT", `/services/${encodeURIComponent(service.id)}/performers`, { resource_ids: ids });
        if (!set.ok) {
          await loadServices();
          const fresh = services.find((s) => s.id === service.id);
          if (fresh && !editingService) serviceEditMode(fresh);
          return refused(form, result, set);
        }
      }
      resetServiceForm();
      await loadServices();
      const deposit = service.deposit;
      result.textContent = deposit
        ? t(`${P}service.saved_deposit`, { name: fields.name, amount: money(deposit) })
        : t(`${P}service.saved`, { name: fields.name });
    } finally {
      busy(form, false);
    }
  }

  // --- rules and place -----------------------------------------------------------------------
  async function loadSettings() {
    const answer = await api("GET", `${base}/booking-settings`);
    if (!answer.ok) return;
    const s = answer.body;
    $("bs-set-notice").value = s.min_notice_minutes;
    $("bs-set-ahead").value = s.max_days_ahead;
    $("bs-set-cancel").value = s.cancel_window_minutes;
    $("bs-set-hold").value = s.hold_minutes;
    $("bs-set-reminders").value = (s.reminder_offsets_minutes || []).join(", ");
    $("bs-set-deposit").value = priceText(s.table_deposit_per_guest);
  }
  async function submitSettings(event) {
    event.preventDefault();
    const form = $("bs-settings-form");
    const result = $("bs-settings-result");
    clearErrors(form);
    result.textContent = "";
    let ok = true;
    const number = (id, field) => {
      const value = wholeNumber($(id));
      if (value === null) {
        fieldError(form, field, `${P}problem.${field}`);
        ok = false;
      }
      return value;
    };
    const body = {
      min_notice_minutes: number("bs-set-notice", "min_notice_minutes"),
      max_days_ahead: number("bs-set-ahead", "max_days_ahead"),
      cancel_window_minutes: number("bs-set-cancel", "cancel_window_minutes"),
      hold_minutes: number("bs-set-hold", "hold_minutes"),
    };
    const reminders = $("bs-set-reminders").value.split(",").map((part) => part.trim()).filter(Boolean);
    if (reminders.some((part) => !/^\d+$/.test(part))) {
      fieldError(form, "reminder_offsets_minutes", `${P}problem.reminder_offsets_minutes`);
      ok = false;
    }
    body.reminder_offsets_minutes = reminders.map(Number);
    const deposit = $("bs-set-deposit").value.trim();
    if (deposit) {
      const minor = parsePrice(deposit);
      if (minor === null) {
        fieldError(form, "table_deposit_per_guest", `${P}problem.money`);
        ok = false;
      } else if (minor > 0) body.table_deposit_per_guest = { amount: minor, currency };
    }
    if (!ok) {
      result.textContent = t(`${P}check_fields`);
      return;
    }
    busy(form, true);
    try {
      const answer = await api("PUT", `${base}/booking-settings`, body);
      if (!answer.ok) return refused(form, result, answer);
      result.textContent = t(`${P}settings_saved`);
      await loadSettings();
    } finally {
      busy(form, false);
    }
  }
  async function loadPlace() {
    const answer = await api("GET", `${base}/place`);
    if (!answer.ok) return; // 404: not set yet, the inputs stay empty
    $("bs-place-lat").value = answer.body.latitude;
    $("bs-place-lon").value = answer.body.longitude;
    $("bs-place-comuna").value = answer.body.comuna || "";
  }
  async function submitPlace(event) {
    event.preventDefault();
    const form = $("bs-place-form");
    const result = $("bs-place-result");
    clearErrors(form);
    result.textContent = "";
    const degrees = (id, field, limit) => {
      const raw = $(id).value.trim().replace(",", ".");
      const value = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
      if (isNaN(value) || Math.abs(value) > limit) {
        fieldError(form, field, `${P}problem.${field}`);
        return null;
      }
      return value;
    };
    const latitude = degrees("bs-place-lat", "latitude", 90);
    const longitude = degrees("bs-place-lon", "longitude", 180);
    if (latitude === null || longitude === null) return;
    const comuna = $("bs-place-comuna").value.trim();
    busy(form, true);
    try {
      const answer = await api("PUT", `${base}/place`, { latitude, longitude, ...(comuna ? { comuna } : {}) });
      if (!answer.ok) return refused(form, result, answer);
      result.textContent = t(`${P}place_saved`);
    } finally {
      busy(form, false);
    }
  }

  // --- start ---------------------------------------------------------------------------------
  // Another kind is another resource: the last refusal no longer applies.
  $("bs-res-kind").addEventListener("change", () => {
    clearErrors($("bs-resource-form"));
    $("bs-resource-result").textContent = "";
    showKind($("bs-res-kind").value);
  });
  $("bs-res-week-on").addEventListener("change", () => ($("bs-res-week").hidden = !$("bs-res-week-on").checked));
  $("bs-resource-form").addEventListener("submit", submitResource);
  $("bs-resource-cancel").addEventListener("click", resetResourceForm);
  $("bs-exc-kind").addEventListener("change", showExceptionKind);
  $("bs-exception-form").addEventListener("submit", submitException);
  $("bs-service-form").addEventListener("submit", submitService);
  $("bs-service-cancel").addEventListener("click", resetServiceForm);
  $("bs-settings-form").addEventListener("submit", submitSettings);
  $("bs-place-form").addEventListener("submit", submitPlace);
  $("bs-exc-date").min = data.today;
  resetResourceForm();
  showExceptionKind();
  (async () => {
    await loadResources();
    await Promise.all([loadExceptions(), loadServices(), loadSettings(), loadPlace()]);
    document.body.dataset.ready = "true";
  })();
})();
