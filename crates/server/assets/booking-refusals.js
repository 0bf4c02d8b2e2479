// Why the bookings API refused something, as a reason a page can word in its own language: the
// customer's booking pages (bookings.js, `booking.refusal.<reason>`) and the staff's schedule
// (console-bookings.js, `console.bookings.refusal.<reason>`) both read it from here, so a
// refusal is told the same way wherever it happens. The server's `detail` and field messages
// are English, for developers, and are never shown.
//
// Every booking refusal carries a stable `code` in its `errors[]` entry (the server's
// `BookingRefusal`, e.g. `too_little_notice`), so the reason is read from the code, never from
// the words. `crates/server/tests/api/booking_pages.rs` pins each code against the real API and
// against the table below. A problem without a known code falls back to its status and field
// (a 422 on `start_at` is "bad_time", a 409 is "taken"). The numbers a page's text needs (the
// notice in minutes, the days ahead, the largest table, the deadline) are taken from the
// message by their shape, not its words: a number, or an RFC 3339 time.
//
//   window.omnicanalBookingRefusal(status, body) -> {reason, args}
//     reason: one of the reasons below, "failed" for a 5xx or no answer, "refused" otherwise
"use strict";
(function () {
  const FIRST_NUMBER = /(\d+)/;
  const LAST_NUMBER = /(\d+)\D*$/;
  const RFC3339 = /(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?(?:Z|[+-]\d\d:\d\d))/;

  // code: [reason, the argument's name, its shape in the message] (other helpers may ADD rows).
  const CODE_REASONS = {
    in_the_past: ["past"],
    too_little_notice: ["too_soon", "minutes", FIRST_NUMBER],
    too_far_ahead: ["too_far", "days", FIRST_NUMBER],
    local_time_skipped: ["no_such_time"],
    wrong_offset: ["wrong_offset"],
    off_grid: ["off_grid"],
    location_closed: ["closed"],
    change_deadline_passed: ["deadline_passed", "deadline", RFC3339],
    already_started: ["started"],
    party_too_large: ["party_too_large", "largest", LAST_NUMBER],
    not_a_performer: ["not_performer"],
    no_show_too_early: ["no_show_too_early"],
    status_forbids: ["status"],
    status_conflict: ["status"],
    slot_taken: ["taken"],
    hold_expired: ["hold_expired"],
    nothing_free: ["nothing_free"],
  };

  // A 422 without a known code: its field's generic reason.
  const FIELD_REASONS = {
    start_at: "bad_time",
    party_size: "party_size",
    resource_id: "resource",
    service_id: "service",
    status: "status",
    "customer.name": "name",
    "customer.phone": "phone",
    "customer.email": "email",
  };

  function errorsOf(problem) {
    return Array.isArray(problem.errors) ? problem.errors.filter((error) => error && typeof error === "object") : [];
  }

  function fromCode(errors) {
    for (const error of errors) {
      const code = String(error.code || "");
      if (!Object.prototype.hasOwnProperty.call(CODE_REASONS, code)) continue;
      const [reason, name, shape] = CODE_REASONS[code];
      const args = {};
      const found = name ? String(error.message || "").match(shape) : null;
      if (found) args[name] = found[1];
      return { reason, args };
    }
    return null;
  }

  function fromField(errors) {
    for (const error of errors) {
      const field = String(error.field || "");
      if (Object.prototype.hasOwnProperty.call(FIELD_REASONS, field)) return { reason: FIELD_REASONS[field], args: {} };
    }
    return null;
  }

  window.omnicanalBookingRefusal = function (status, body) {
    const problem = body || {};
    if (!status || status >= 500) return { reason: "failed", args: {} };
    if (status === 404) return { reason: "not_found", args: {} };
    const errors = errorsOf(problem);
    if (status === 409) return fromCode(errors) || { reason: "taken", args: {} };
    if (status === 422) return fromCode(errors) || fromField(errors) || { reason: "refused", args: {} };
    if (status === 401 || status === 403) return { reason: "forbidden", args: {} };
    if (status === 429) return { reason: "busy", args: {} };
    return { reason: "refused", args: {} };
  };
})();
