// Why the bookings API refused something, as a reason a page can word in its own language: the
// customer's booking pages (bookings.js, `booking.refusal.<reason>`) and the staff's schedule
// (console-bookings.js, `console.bookings.refusal.<reason>`) both read it from here, so a
// refusal is told the same way wherever it happens. The server's `detail` and field messages
// are English, for developers, and are never shown.
//
// The problem's status and stable `code` say most of it (409 taken, 404 not found). A 422 names
// its field; the reasons that share `start_at` (past, too soon, too far, closed, off the grid, a
// local time that does not exist, the change deadline passed, already started) carry no code of
// their own (an app FieldError is a field and a message), so they are told apart by the fixed
// words the domain writes, in the table below. `crates/server/tests/api/booking_pages.rs` pins
// each of those words against the real API, so a reworded message fails a test instead of
// quietly falling back to the generic text. Numbers the words carry (minutes, days, the
// largest table, the deadline) are taken out and given to the page's text as arguments.
//
//   window.omnicanalBookingRefusal(status, body) -> {reason, args}
//     reason: one of REASONS below, "failed" for a 5xx or no answer, "refused" otherwise
"use strict";
(function () {
  // [field, the domain's words, reason, names of the captured groups]: first match wins.
  const FIELD_REASONS = [
    ["start_at", /is in the past/, "past", []],
    ["start_at", /at least (\d+) minutes ahead/, "too_soon", ["minutes"]],
    ["start_at", /at most (\d+) days ahead/, "too_far", ["days"]],
    ["start_at", /does not exist in/, "no_such_time", []],
    ["start_at", /is not .*'s at that time/, "wrong_offset", []],
    ["start_at", /minute grid/, "off_grid", []],
    ["start_at", /not open for the whole booking/, "closed", []],
    ["start_at", /moved online until (\S+?)(?: \(|$)/, "deadline_passed", ["deadline"]],
    ["start_at", /has started/, "started", []],
    ["start_at", /./, "bad_time", []],
    ["party_size", /the largest seats (\d+)/, "party_too_large", ["largest"]],
    ["party_size", /./, "party_size", []],
    ["resource_id", /does not perform/, "not_performer", []],
    ["resource_id", /./, "resource", []],
    ["service_id", /./, "service", []],
    ["status", /no-show only once its start has passed/, "no_show_too_early", []],
    ["status", /cannot be/, "status", []],
    ["customer.name", /./, "name", []],
    ["customer.phone", /./, "phone", []],
    ["customer.email", /./, "email", []],
  ];

  // 409s: a taken time, a lapsed hold, a status move the transition table refuses, a walk-in
  // with nothing free; any other 409 is told as a taken time.
  const CONFLICT_REASONS = [
    [/already booked/, "taken"],
    [/hold on this booking expired/, "hold_expired"],
    [/cannot be (marked|confirmed)/, "status"],
    [/nothing that fits is free/, "nothing_free"],
  ];

  function fromFields(errors) {
    for (const error of errors) {
      const field = String((error && error.field) || "");
      const message = String((error && error.message) || "");
      for (const [name, words, reason, groups] of FIELD_REASONS) {
        if (field !== name) continue;
        const found = message.match(words);
        if (!found) continue;
        const args = {};
        groups.forEach((group, i) => (args[group] = found[i + 1]));
        return { reason, args };
      }
    }
    return null;
  }

  window.omnicanalBookingRefusal = function (status, body) {
    const problem = body || {};
    if (!status || status >= 500) return { reason: "failed", args: {} };
    if (status === 404) return { reason: "not_found", args: {} };
    if (status === 409) {
      const detail = String(problem.detail || "");
      const found = CONFLICT_REASONS.find(([words]) => words.test(detail));
      return { reason: found ? found[1] : "taken", args: {} };
    }
    if (status === 422) {
      const errors = Array.isArray(problem.errors) ? problem.errors : [];
      return fromFields(errors) || { reason: "refused", args: {} };
    }
    if (status === 401 || status === 403) return { reason: "forbidden", args: {} };
    if (status === 429) return { reason: "busy", args: {} };
    return { reason: "refused", args: {} };
  };
})();
