// How the booking pages tell the bookings API's refusals apart (assets/booking-refusals.js),
// without a browser: each problem below is one the API really answers (its codes are pinned
// against the API by crates/server/tests/api/booking_pages.rs), and each must come out as the
// reason whose catalogue text the pages show — read from the entry's stable `code`, never from
// the English. A problem without a known code falls back to its status and field, a 5xx to
// "failed".
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";

const here = path.dirname(new URL(import.meta.url).pathname);
const source = readFileSync(path.resolve(here, "../../crates/server/assets/booking-refusals.js"), "utf8");
const sandbox = { window: {} };
vm.runInNewContext(source, sandbox);
const reasonOf = sandbox.window.omnicanalBookingRefusal;
const entry = (field, message, code) => (code ? { field, message, code } : { field, message });
const invalid = (field, message, code) => ({ code: "validation_failed", detail: message, errors: [entry(field, message, code)] });
const conflict = (field, detail, code) => ({ code: "conflict", detail, errors: [entry(field, detail, code)] });

const CASES = [
  [422, invalid("start_at", "is in the past", "in_the_past"), "past", {}],
  [422, invalid("start_at", "bookings are taken at least 30 minutes ahead", "too_little_notice"), "too_soon", { minutes: "30" }],
  [422, invalid("start_at", "bookings are taken at most 60 days ahead", "too_far_ahead"), "too_far", { days: "60" }],
  [422, invalid("start_at", "bookings start on the 15-minute grid (:00, :15, :30, :45)", "off_grid"), "off_grid", {}],
  [422, invalid("start_at", "the location is not open for the whole booking then", "location_closed"), "closed", {}],
  [422, invalid("start_at", "the local time 2026-09-06 00:30 does not exist in America/Santiago: the clock skips that hour", "local_time_skipped"), "no_such_time", {}],
  [422, invalid("start_at", "the offset +01:00 is not America/Santiago's at that time (-03:00); write the site's local time", "wrong_offset"), "wrong_offset", {}],
  [
    422,
    invalid("start_at", "the booking could be cancelled or moved online until 2026-12-09T18:00:00-03:00 (120 minutes before it starts); please call the location", "change_deadline_passed"),
    "deadline_passed",
    { deadline: "2026-12-09T18:00:00-03:00" },
  ],
  [422, invalid("start_at", "the booking has started; it can no longer be moved", "already_started"), "started", {}],
  [422, invalid("party_size", "no table or combination of tables here seats a party of 9 (the largest seats 8)", "party_too_large"), "party_too_large", { largest: "8" }],
  [422, invalid("resource_id", "does not perform this service", "not_a_performer"), "not_performer", {}],
  [422, invalid("status", "a booking is a no-show only once its start has passed", "no_show_too_early"), "no_show_too_early", {}],
  [422, invalid("status", "a cancelled booking cannot be moved", "status_forbids"), "status", {}],
  // The code decides, whatever the words say: a reworded message is still told right.
  [422, invalid("start_at", "reworded: too early, 45 minutes of notice needed", "too_little_notice"), "too_soon", { minutes: "45" }],
  // No code (or one this page does not know yet): the field's generic reason.
  [422, invalid("start_at", "must be an RFC 3339 time"), "bad_time", {}],
  [422, invalid("start_at", "is in the past", "a_code_from_a_later_version"), "bad_time", {}],
  [422, invalid("party_size", "must be 1 to 50"), "party_size", {}],
  [422, invalid("customer.phone", "must have 8 to 15 digits"), "phone", {}],
  [422, invalid("deposit", "something a later version refuses"), "refused", {}],
  [422, invalid("start_at", "prototype keys are not codes", "constructor"), "bad_time", {}],
  [409, conflict("start_at", "that time is already booked; choose another slot", "slot_taken"), "taken", {}],
  [409, conflict("start_at", "that time is already booked; the booking keeps its time — choose another slot", "slot_taken"), "taken", {}],
  [409, conflict("status", "the hold on this booking expired and its time was released; book again", "hold_expired"), "hold_expired", {}],
  [409, conflict("status", "a no_show booking cannot be marked seated", "status_conflict"), "status", {}],
  [409, conflict("start_at", "nothing that fits is free now", "nothing_free"), "nothing_free", {}],
  [409, { code: "conflict", detail: "the booking changed meanwhile (cancelled or seated); reload it" }, "taken", {}],
  [404, { code: "not_found", detail: "booking not found" }, "not_found", {}],
  [400, { code: "bad_request", detail: "Failed to parse the request body as JSON" }, "refused", {}],
  [503, null, "failed", {}],
  [0, null, "failed", {}],
];

test("every refusal of the bookings API is told by its reason, with its numbers, never its English", () => {
  for (const [status, body, reason, args] of CASES) {
    const told = reasonOf(status, body);
    const what = `${status} ${JSON.stringify(body)}`;
    assert.equal(told.reason, reason, what);
    assert.deepEqual({ ...told.args }, args, what);
  }
});

test("every reason has a Spanish and an English text on both booking pages and the staff's schedule", () => {
  const locale = (name) => JSON.parse(readFileSync(path.resolve(here, `../../crates/server/locales/${name}.json`), "utf8"));
  const reasons = new Set(CASES.map(([, , reason]) => reason));
  for (const lang of ["es", "en"]) {
    const customer = locale(`bookings.${lang}`);
    const staff = locale(`console-bookings.${lang}`);
    for (const reason of reasons) {
      assert.ok(customer[`booking.refusal.${reason}`], `booking.refusal.${reason} (${lang})`);
      // The schedule words a taken time, a missing booking and a failure with its own texts.
      const own = { taken: "console.bookings.conflict", not_found: "console.bookings.not_found", failed: "console.bookings.failed" };
      assert.ok(staff[own[reason] || `console.bookings.refusal.${reason}`], `the schedule's text for ${reason} (${lang})`);
    }
  }
});
