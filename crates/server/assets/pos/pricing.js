// The pricing engine of crates/domain/src/pricing, ported line for line so the till can price a
// cart with no network by the very rules the server uses (issue 14). It is a mirror, not a second
// design: crates/domain/tests/pricing_js_parity.rs prices thousands of generated carts with both
// and fails on the first figure that differs, so a change to the Rust engine must change this
// file in the same commit. Sections follow the Rust files (money.rs, price_list.rs, promotion.rs,
// engine/{mod,coupons,apply,kinds,assemble}.rs, tax.rs) so the two can be read side by side; it
// stays one file because the offline page loads it as one cached module.
//
// Every amount is computed with BigInt, with the same rounding (half away from zero for
// percentages and taxes, largest remainder for shares) and the same 64-bit overflow refusals.
// Input amounts may be Numbers (safe integers) or BigInts; output amounts are Numbers, or
// BigInts beyond Number.MAX_SAFE_INTEGER (which no real price reaches).
//
// API:
//   priceCart(input) → { ok: true, quote } | { ok: false, error }
//     input: { currency, channel, now_ms, local: { weekday, minute }, price_lists, promotions,
//              coupon_codes, coupons, lines: [{ sku, location_id, merchant_id, quantity,
//              base_price: { amount, currency }, tax: { code, rate_bps }, track_stock,
//              modifiers: [{ group, option, price }], note }] }
//       price lists, promotions and coupons in the JSON shape of the Rust types (serde).
//     quote: the JSON of the Rust `Quote`, field for field and in the same order.
//     error: { code: "invalid", field, message } | { code: "currency_mismatch", left, right }
//            | { code: "overflow" }
//   normalizeCode(raw), reasonMessage(reason), displayMoney(money): the helpers the quote uses.

// ---------------------------------------------------------------------------------------------
// money.rs

const CURRENCIES = {
  CLP: { exponent: 0, symbol: "$", group: ".", decimal: "," },
  PEN: { exponent: 2, symbol: "S/ ", group: ",", decimal: "." },
  COP: { exponent: 0, symbol: "$", group: ".", decimal: "," },
  USD: { exponent: 2, symbol: "$", group: ",", decimal: "." },
};
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const MAX_QUANTITY_PER_LINE = 9999n;
const MAX_LINES_PER_ORDER = 200;

/** A refusal of the engine (Rust's `DomainError`), thrown inside and returned by `priceCart`. */
class Refused extends Error {
  constructor(error) {
    super(error.code);
    this.error = error;
  }
}

const invalid = (field, message) => new Refused({ code: "invalid", field, message });
const overflow = () => new Refused({ code: "overflow" });
const mismatch = (left, right) => new Refused({ code: "currency_mismatch", left, right });

function currencyOf(code) {
  if (!Object.hasOwn(CURRENCIES, code)) throw new TypeError(`unsupported currency ${JSON.stringify(code)}`);
  return code;
}

function int(value) {
  return typeof value === "bigint" ? value : BigInt(value);
}

/** Money as the engine holds it: BigInt minor units. */
function money(json) {
  return { amount: int(json.amount), currency: currencyOf(json.currency) };
}

function i64(value) {
  if (value < I64_MIN || value > I64_MAX) throw overflow();
  return value;
}

/** Rust's `i64::try_from(x).unwrap_or(fallback)`. */
function i64Or(value, fallback) {
  return value < I64_MIN || value > I64_MAX ? fallback : value;
}

function checkedAdd(a, b) {
  if (a.currency !== b.currency) throw mismatch(a.currency, b.currency);
  return { amount: i64(a.amount + b.amount), currency: a.currency };
}

function sign(value) {
  return value > 0n ? 1n : value < 0n ? -1n : 0n;
}

/** `bps` basis points of `amount`, rounded half away from zero (`Money::basis_points`). */
function basisPoints(amount, bps) {
  const product = amount * BigInt(bps);
  return i64Or((product + 5000n * sign(product)) / 10000n, I64_MAX);
}

function floorDiv(a, b) {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** Splits `amount` by `weights` (BigInts ≥ 0), largest remainder (`Money::allocate`). */
function allocate(amount, weights) {
  if (weights.length === 0) return [];
  const used = weights.every((w) => w === 0n) ? weights.map(() => 1n) : weights;
  const total = used.reduce((sum, w) => sum + w, 0n);
  const parts = [];
  const remainders = [];
  used.forEach((weight, index) => {
    const share = amount * weight;
    const part = floorDiv(share, total);
    parts.push(part);
    remainders.push([share - part * total, index]);
  });
  let leftOver = amount - parts.reduce((sum, p) => sum + p, 0n);
  remainders.sort((a, b) => (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : a[1] - b[1]));
  for (const [, index] of remainders) {
    if (leftOver === 0n) break;
    parts[index] += 1n;
    leftOver -= 1n;
  }
  return parts.map((part) => i64Or(part, 0n));
}

/** The amount as people read it: `$12.990` for CLP, `S/ 12.50` for PEN (`Money::display`). */
export function displayMoney(json) {
  const { amount, currency } = money(json);
  const style = CURRENCIES[currency];
  const divisor = 10n ** BigInt(style.exponent);
  const absolute = amount < 0n ? -amount : amount;
  const digits = (absolute / divisor).toString();
  let grouped = "";
  for (let position = 0; position < digits.length; position += 1) {
    if (position > 0 && (digits.length - position) % 3 === 0) grouped += style.group;
    grouped += digits[position];
  }
  const sign = amount < 0n ? "-" : "";
  if (style.exponent === 0) return `${sign}${style.symbol}${grouped}`;
  const fraction = (absolute % divisor).toString().padStart(style.exponent, "0");
  return `${sign}${style.symbol}${grouped}${style.decimal}${fraction}`;
}

// ---------------------------------------------------------------------------------------------
// Strings as Rust compares and trims them: by code point (UTF-8 byte order), Unicode White_Space.

function compareStrings(a, b) {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.codePointAt(i);
    const y = b.codePointAt(i);
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i += 1;
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

function compareBig(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

function rustTrim(raw) {
  return raw.replace(/^\p{White_Space}+|\p{White_Space}+$/gu, "");
}

// ---------------------------------------------------------------------------------------------
// catalog.rs: the line's SKU and quantity, parsed as `Sku::parse` and `Quantity::parse` do.

const UTF8 = new TextEncoder();

function parseSku(raw) {
  const trimmed = rustTrim(raw);
  const bytes = UTF8.encode(trimmed).length;
  if (bytes === 0 || bytes > 64) throw invalid("sku", "must be 1 to 64 characters");
  if (!/^[A-Za-z0-9\-_./]*$/.test(trimmed)) {
    throw invalid("sku", "may contain only letters, digits, '-', '_', '.' and '/'");
  }
  return trimmed;
}

function parseQuantity(raw) {
  const quantity = int(raw);
  if (quantity < 1n || quantity > MAX_QUANTITY_PER_LINE) {
    throw invalid("quantity", `must be between 1 and ${MAX_QUANTITY_PER_LINE}`);
  }
  return quantity;
}

// ---------------------------------------------------------------------------------------------
// price_list.rs

const none = (value) => value === null || value === undefined;

function window(list) {
  return [none(list.valid_from_ms) ? I64_MIN : int(list.valid_from_ms), none(list.valid_to_ms) ? I64_MAX : int(list.valid_to_ms)];
}

function specificity(list) {
  return (none(list.location_id) ? 0 : 2) + (none(list.channel) ? 0 : 1);
}

/** The winning list and its price for one line (`price_list::resolve`). */
function resolvePrice(lists, merchantId, locationId, channel, sku, now) {
  let best = null;
  for (const list of lists) {
    const [from, to] = window(list);
    const fits =
      list.active &&
      list.merchant_id === merchantId &&
      (none(list.channel) || list.channel === channel) &&
      (none(list.location_id) || list.location_id === locationId) &&
      now >= from &&
      now < to;
    if (!fits || !list.prices || !Object.hasOwn(list.prices, sku)) continue;
    // Rust's `max_by` keeps the last of equal maxima, hence `>= 0`.
    if (best === null || compareLists(list, best.list) >= 0) best = { list, price: money(list.prices[sku]) };
  }
  return best;
}

function compareLists(a, b) {
  const [aFrom, aTo] = window(a);
  const [bFrom, bTo] = window(b);
  return (
    specificity(a) - specificity(b) || compareBig(aFrom, bFrom) || compareBig(bTo, aTo) || compareStrings(b.id, a.id)
  );
}

// ---------------------------------------------------------------------------------------------
// promotion.rs

/** A coupon code as typed, trimmed and upper case (`normalize_code`). */
export function normalizeCode(raw) {
  return rustTrim(raw).toUpperCase();
}

function isLineLevel(kind) {
  return kind.type !== "percent_off_order" && kind.type !== "amount_off_order";
}

function kindSkus(kind) {
  switch (kind.type) {
    case "percent_off_lines":
    case "amount_off_lines":
    case "buy_x_get_y":
      return kind.skus ?? [];
    case "bundle":
      return kind.components.map((c) => c.sku);
    default:
      return [];
  }
}

function happyHourContains(hours, at) {
  if (hours.start_minute <= hours.end_minute) {
    return hours.weekdays.includes(at.weekday) && at.minute >= hours.start_minute && at.minute < hours.end_minute;
  }
  const previousDay = at.weekday === 1 ? 7 : at.weekday - 1;
  return (
    (hours.weekdays.includes(at.weekday) && at.minute >= hours.start_minute) ||
    (hours.weekdays.includes(previousDay) && at.minute < hours.end_minute)
  );
}

/** The plain sentence of a reason (`NotAppliedReason::message`), as the quote carries it. */
export function reasonMessage(reason) {
  switch (reason.code) {
    case "inactive": return "the promotion is switched off";
    case "not_started": return "the promotion has not started yet";
    case "expired": return "the promotion has expired";
    case "wrong_channel": return "the promotion is not offered through this channel";
    case "wrong_location": return "the promotion is not offered at this location";
    case "outside_happy_hour": return "outside the promotion's hours";
    case "coupon_required": return "needs a coupon code";
    case "coupon_limit_reached": return "the coupon has reached its usage limit";
    case "customer_limit_reached": return "this customer has used the coupon as often as allowed";
    case "customer_unknown": return "the coupon is limited per customer: give an email or phone";
    case "unknown_coupon": return "no coupon has this code";
    case "minimum_not_met":
      return `minimum spend ${displayMoney(reason.minimum)} not met (${displayMoney(reason.actual)})`;
    case "not_enough_items": return `needs ${reason.needed} matching items, the cart has ${reason.present}`;
    case "already_discounted": return `already discounted by ${reason.by}, which goes first`;
    case "not_combinable": return `does not combine with ${reason.with}`;
    case "no_saving":
      return "no saving: the bundle price is not below the items' prices, or nothing is left to discount";
    default: throw new TypeError(`unknown reason ${reason.code}`);
  }
}

const reason = {
  simple: (code) => ({ code }),
  minimumNotMet: (minimum, actual) => ({ code: "minimum_not_met", minimum, actual }),
  notEnoughItems: (needed, present) => ({ code: "not_enough_items", needed, present }),
  alreadyDiscounted: (by) => ({ code: "already_discounted", by }),
  notCombinable: (other) => ({ code: "not_combinable", with: other }),
};

/** Why a promotion gives nothing (Rust's `Refusal::Reason`); domain errors are `Refused`. */
class Refusal {
  constructor(why) {
    this.reason = why;
  }
}

// ---------------------------------------------------------------------------------------------
// engine/mod.rs: steps 1 and 2, merged lines with their unit prices.

function mergeLines(context, lines) {
  if (lines.length === 0) throw invalid("lines", "a cart needs at least one line");
  if (lines.length > MAX_LINES_PER_ORDER) {
    throw invalid("lines", `a cart may have at most ${MAX_LINES_PER_ORDER} lines`);
  }
  const merged = new Map();
  for (const line of lines) {
    if (line.base_price.currency !== context.currency) throw mismatch(context.currency, line.base_price.currency);
    checkManualDiscount(context, line);
    const key = mergeKey(line);
    const id = JSON.stringify(key);
    const existing = merged.get(id);
    if (existing) {
      existing.line.manual_discount = mergedManual(existing.line.manual_discount, line.manual_discount);
      const sum = existing.line.quantity + line.quantity;
      if (sum < 1n || sum > MAX_QUANTITY_PER_LINE) {
        throw invalid(
          "quantity",
          `${line.sku} appears on several lines adding up to more than ${MAX_QUANTITY_PER_LINE}`,
        );
      }
      existing.line.quantity = sum;
    } else {
      merged.set(id, { key, line: { ...line } });
    }
  }
  const sorted = [...merged.values()].sort(
    (a, b) =>
      compareStrings(a.key[0], b.key[0]) || compareStrings(a.key[1], b.key[1]) || compareStrings(a.key[2], b.key[2]),
  );
  return sorted.map(({ line }) => pricedLine(context, line));
}

function mergeKey(line) {
  const choices = line.modifiers.map((m) => `${m.group}=${m.option}`);
  return [line.location_id, line.sku, `${choices.join(";")}|${line.note ?? ""}${manualSuffix(line.manual_discount)}`];
}

function pricedLine(context, line) {
  const found = resolvePrice(
    context.price_lists, line.merchant_id, line.location_id, context.channel, line.sku, context.now,
  );
  let unit;
  let source;
  if (found && found.price.currency === context.currency) {
    unit = found.price;
    source = { kind: "price_list", price_list_id: found.list.id, price_list_name: found.list.name };
  } else {
    unit = line.base_price;
    source = { kind: "base", price_list_id: null, price_list_name: null };
  }
  for (const modifier of line.modifiers) unit = checkedAdd(unit, modifier.price);
  const gross = i64(unit.amount * line.quantity);
  return {
    line,
    unitPrice: unit.amount,
    source,
    gross,
    net: gross,
    available: line.quantity,
    linePromotion: null,
    orderPromotions: [],
    discounts: [],
    notApplied: [],
  };
}

// ---------------------------------------------------------------------------------------------
// engine/coupons.rs

function couponVerdict(coupon, code) {
  if (!coupon.active) return { err: reason.simple("inactive") };
  if (!none(coupon.usage_limit) && coupon.used >= coupon.usage_limit) return { err: reason.simple("coupon_limit_reached") };
  if (!none(coupon.per_customer_limit)) {
    if (none(coupon.used_by_customer)) return { err: reason.simple("customer_unknown") };
    if (coupon.used_by_customer >= coupon.per_customer_limit) return { err: reason.simple("customer_limit_reached") };
  }
  return { ok: code };
}

function checkCoupons(context) {
  const gates = new Map();
  for (const raw of context.coupon_codes) {
    const code = normalizeCode(raw);
    const coupon = context.coupons.find((c) => c.code === code);
    if (!coupon) continue;
    // A valid code beats an invalid one for the same promotion.
    const current = gates.get(coupon.promotion_id);
    if (!(current && "ok" in current)) gates.set(coupon.promotion_id, couponVerdict(coupon, code));
  }
  return gates;
}

function couponOutcomes(context, gates, outcomes) {
  const seen = [];
  const result = [];
  for (const raw of context.coupon_codes) {
    const code = normalizeCode(raw);
    if (code === "" || seen.includes(code)) continue;
    seen.push(code);
    const coupon = context.coupons.find((c) => c.code === code);
    let promotionId = null;
    let applied = false;
    let why;
    if (!coupon) {
      why = reason.simple("unknown_coupon");
    } else {
      promotionId = coupon.promotion_id;
      const outcome = outcomes.find((o) => o.promotion_id === coupon.promotion_id);
      const gate = gates.get(coupon.promotion_id);
      const unlockedHere = gate !== undefined && "ok" in gate && gate.ok === code;
      const verdict = couponVerdict(coupon, code);
      if ("err" in verdict) why = verdict.err;
      else if (outcome && outcome.applied && unlockedHere) { applied = true; why = null; }
      else if (outcome) why = outcome.reason;
      else why = reason.notEnoughItems(1n, 0n);
    }
    result.push({ code, promotion_id: promotionId, applied, reason: why, message: why ? reasonMessage(why) : null });
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// engine/apply.rs: one promotion's gates, stacking, minimum spend and discounts.

function applyPromotion(context, promotion, gates, work) {
  const targeted = targetedLines(promotion, work);
  if (targeted.length === 0) return null;
  const outcome = {
    promotion_id: promotion.id,
    name: promotion.name,
    applied: false,
    amount: { amount: 0n, currency: context.currency },
    funded_by: promotion.funded_by,
    reason: null,
    message: null,
  };
  try {
    const given = discountsToGive(context, promotion, gates, work, targeted);
    outcome.amount = { amount: give(context, promotion, work, given), currency: context.currency };
    outcome.applied = true;
  } catch (refusal) {
    if (!(refusal instanceof Refusal)) throw refusal;
    outcome.reason = refusal.reason;
    outcome.message = reasonMessage(refusal.reason);
  }
  return outcome;
}

function targetedLines(promotion, work) {
  const skus = kindSkus(promotion.kind);
  const indices = [];
  work.forEach((w, index) => {
    const merchant = none(promotion.merchant_id) || promotion.merchant_id === w.line.merchant_id;
    if (merchant && (skus.length === 0 || skus.includes(w.line.sku))) indices.push(index);
  });
  return indices;
}

function discountsToGive(context, promotion, gates, work, targeted) {
  const closed = gate(context, promotion, gates);
  if (closed) throw refuseOnLines(promotion, work, targeted, closed);
  const eligible = linesAtItsLocations(promotion, work, targeted);
  const candidates = linesItMayStackOn(promotion, work, eligible);
  checkMinimumSpend(context, promotion, work, candidates);
  let given;
  try {
    given = computeKind(context.currency, promotion.kind, candidates, work);
  } catch (refusal) {
    if (refusal instanceof Refusal) throw refuseOnLines(promotion, work, candidates, refusal.reason);
    throw refusal;
  }
  given = given.map((d) => {
    const net = work[d.lineIndex].net;
    const capped = d.amount < net ? d.amount : net;
    return { ...d, amount: capped > 0n ? capped : 0n };
  });
  if (given.every((d) => d.amount === 0n)) {
    throw refuseOnLines(promotion, work, candidates, reason.simple("no_saving"));
  }
  return given;
}

function gate(context, promotion, gates) {
  if (!promotion.active) return reason.simple("inactive");
  if (!none(promotion.valid_from_ms) && context.now < int(promotion.valid_from_ms)) return reason.simple("not_started");
  if (!none(promotion.valid_to_ms) && context.now >= int(promotion.valid_to_ms)) return reason.simple("expired");
  if (promotion.channels.length > 0 && !promotion.channels.includes(context.channel)) {
    return reason.simple("wrong_channel");
  }
  if (!none(promotion.happy_hour) && !happyHourContains(promotion.happy_hour, context.local)) {
    return reason.simple("outside_happy_hour");
  }
  if (promotion.requires_coupon) {
    const unlocked = gates.get(promotion.id);
    if (unlocked === undefined) return reason.simple("coupon_required");
    return "ok" in unlocked ? null : unlocked.err;
  }
  return null;
}

function linesAtItsLocations(promotion, work, targeted) {
  const here = (index) =>
    promotion.location_ids.length === 0 || promotion.location_ids.includes(work[index].line.location_id);
  const eligible = targeted.filter(here);
  const elsewhere = targeted.filter((index) => !here(index));
  recordNotApplied(promotion, work, elsewhere, reason.simple("wrong_location"));
  if (eligible.length === 0) throw new Refusal(reason.simple("wrong_location"));
  return eligible;
}

function linesItMayStackOn(promotion, work, eligible) {
  const lineLevel = isLineLevel(promotion.kind);
  const candidates = [];
  let firstConflict = null;
  for (const index of eligible) {
    const w = work[index];
    const conflict = stackingConflict(promotion, w);
    if (conflict) {
      recordNotApplied(promotion, work, [index], conflict);
      firstConflict ??= conflict;
    } else if (w.net > 0n || lineLevel) {
      candidates.push(index);
    }
  }
  if (candidates.length === 0) throw new Refusal(firstConflict ?? reason.simple("no_saving"));
  return candidates;
}

function stackingConflict(promotion, w) {
  if (isLineLevel(promotion.kind)) {
    return w.linePromotion && w.available === 0n ? reason.alreadyDiscounted(w.linePromotion.name) : null;
  }
  if (w.linePromotion && (w.linePromotion.exclusive || promotion.exclusive)) {
    return reason.notCombinable(w.linePromotion.name);
  }
  const clash = w.orderPromotions.find((p) => p.exclusive || promotion.exclusive);
  return clash ? reason.notCombinable(clash.name) : null;
}

function checkMinimumSpend(context, promotion, work, candidates) {
  const base = candidates.reduce((sum, index) => sum + work[index].net, 0n);
  if (!none(promotion.min_spend)) {
    const minimum = money(promotion.min_spend);
    if (base < minimum.amount) {
      const why = reason.minimumNotMet(minimum, { amount: base, currency: context.currency });
      throw refuseOnLines(promotion, work, candidates, why);
    }
  }
}

function give(context, promotion, work, given) {
  const lineLevel = isLineLevel(promotion.kind);
  let total = 0n;
  for (const { lineIndex, amount, units } of given) {
    const w = work[lineIndex];
    if (amount === 0n && units === 0n) continue;
    w.net -= amount;
    total += amount;
    if (lineLevel) {
      w.available -= units;
      // An exclusive line-level discount stays on record: it keeps order-level promotions off.
      if (!(w.linePromotion && w.linePromotion.exclusive)) {
        w.linePromotion = { name: promotion.name, exclusive: promotion.exclusive };
      }
    } else {
      w.orderPromotions.push({ name: promotion.name, exclusive: promotion.exclusive });
    }
    w.discounts.push({
      promotion_id: promotion.id,
      name: promotion.name,
      amount: { amount, currency: context.currency },
      funded_by: promotion.funded_by,
    });
  }
  return total;
}

function refuseOnLines(promotion, work, lines, why) {
  recordNotApplied(promotion, work, lines, why);
  return new Refusal(why);
}

function recordNotApplied(promotion, work, lines, why) {
  if (!isLineLevel(promotion.kind)) return;
  for (const index of lines) {
    work[index].notApplied.push({
      promotion_id: promotion.id,
      name: promotion.name,
      reason: why,
      message: reasonMessage(why),
    });
  }
}

// ---------------------------------------------------------------------------------------------
// engine/kinds.rs: what each kind gives.

const discount = (lineIndex, amount, units) => ({ lineIndex, amount, units });

function computeKind(currency, kind, candidates, work) {
  const lines = candidates.map((index) => [index, work[index]]);
  const sameCurrency = (json) => {
    const amount = money(json);
    if (amount.currency !== currency) throw mismatch(currency, amount.currency);
    return amount.amount;
  };
  switch (kind.type) {
    case "percent_off_lines":
      return lines
        .filter(([, w]) => w.available > 0n)
        .map(([index, w]) => discount(index, basisPoints(w.unitPrice * w.available, kind.bps), w.available));
    case "amount_off_lines": {
      const amount = sameCurrency(kind.amount);
      return lines
        .filter(([, w]) => w.available > 0n)
        .map(([index, w]) =>
          discount(index, (amount < w.unitPrice ? amount : w.unitPrice) * w.available, w.available),
        );
    }
    case "percent_off_order": {
      const base = lines.reduce((sum, [, w]) => sum + w.net, 0n);
      return share(basisPoints(base, kind.bps), lines);
    }
    case "amount_off_order": {
      const amount = sameCurrency(kind.amount);
      const base = lines.reduce((sum, [, w]) => sum + w.net, 0n);
      return share(amount < base ? amount : base, lines);
    }
    case "buy_x_get_y":
      return buyXGetY(int(kind.buy), int(kind.get), kind.get_off_bps, lines);
    case "bundle": {
      const price = sameCurrency(kind.price);
      return bundle(kind.components, price, lines);
    }
    default:
      throw new TypeError(`unknown promotion kind ${kind.type}`);
  }
}

function share(off, lines) {
  const weights = lines.map(([, w]) => (w.net < 0n ? -w.net : w.net));
  const parts = allocate(off, weights);
  return lines.map(([index], i) => discount(index, parts[i], 0n));
}

function byLocation(lines) {
  const groups = new Map();
  for (const [index, w] of lines) {
    if (w.available <= 0n) continue;
    const location = w.line.location_id;
    if (!groups.has(location)) groups.set(location, []);
    groups.get(location).push([index, w]);
  }
  return [...groups.keys()].sort(compareStrings).map((location) => groups.get(location));
}

const validCount = (n) => n >= 1n && n <= MAX_QUANTITY_PER_LINE;
const sumAvailable = (group) => group.reduce((sum, [, w]) => sum + w.available, 0n);
const max = (a, b) => (a > b ? a : b);

function buyXGetY(buy, get, bps, lines) {
  if (!validCount(buy) || !validCount(get)) {
    const needed = buy + get > I64_MAX ? I64_MAX : buy + get < I64_MIN ? I64_MIN : buy + get;
    throw new Refusal(reason.notEnoughItems(needed, 0n));
  }
  const given = [];
  let present = 0n;
  for (const group of byLocation(lines)) {
    present = max(present, sumAvailable(group));
    given.push(...buyXGetYAtOneLocation(group, buy, get, bps));
  }
  if (given.length === 0) throw new Refusal(reason.notEnoughItems(buy + get, present));
  return given;
}

function buyXGetYAtOneLocation(group, buy, get, bps) {
  const size = buy + get;
  const runs = [...group].sort(
    ([, a], [, b]) => compareBig(b.unitPrice, a.unitPrice) || compareStrings(a.line.sku, b.line.sku),
  );
  const units = sumAvailable(runs);
  const limit = (units / size) * size;
  const discountedBefore = (k) => (k / size) * get + max((k % size) - buy, 0n);
  const min = (a, b) => (a < b ? a : b);
  let start = 0n;
  const given = [];
  for (const [index, w] of runs) {
    const end = start + w.available;
    const from = min(start, limit);
    const to = min(end, limit);
    const taken = to - from;
    const discounted = discountedBefore(to) - discountedBefore(from);
    if (taken > 0n) given.push(discount(index, basisPoints(w.unitPrice * discounted, bps), taken));
    start = end;
  }
  return given;
}

function bundle(components, price, lines) {
  const quantities = components.map((c) => int(c.quantity));
  if (quantities.some((q) => !validCount(q))) {
    let needed = 0n;
    for (const q of quantities) needed = i64Or(needed + max(q, 0n), I64_MAX);
    throw new Refusal(reason.notEnoughItems(needed, 0n));
  }
  const needed = quantities.reduce((sum, q) => sum + q, 0n);
  const given = [];
  let present = 0n;
  let noSaving = false;
  for (const group of byLocation(lines)) {
    present = max(present, sumAvailable(group));
    const members = [];
    for (const [i, component] of components.entries()) {
      const found = group.find(([, w]) => w.line.sku === component.sku);
      if (!found) break;
      members.push([found[0], found[1], quantities[i]]);
    }
    if (members.length !== components.length) continue;
    const sets = members.reduce((least, [, w, q]) => {
      const n = w.available / q;
      return least === null || n < least ? n : least;
    }, null) ?? 0n;
    if (sets === 0n) continue;
    const normal = members.reduce((sum, [, w, q]) => sum + w.unitPrice * q, 0n);
    const saving = normal - price;
    if (saving <= 0n) {
      noSaving = true;
      continue;
    }
    const weights = members.map(([, w, q]) => {
      const weight = w.unitPrice * q;
      return weight < 0n ? -weight : weight;
    });
    const shares = allocate(i64(saving * sets), weights);
    members.forEach(([index, , q], i) => given.push(discount(index, shares[i], q * sets)));
  }
  if (given.length === 0) {
    throw new Refusal(noSaving ? reason.simple("no_saving") : reason.notEnoughItems(needed, present));
  }
  return given;
}

// ---------------------------------------------------------------------------------------------
// tax.rs and engine/assemble.rs: line taxes, parts per location, totals.

/** The tax contained in a tax-inclusive amount, rounded half away from zero (`tax_included`). */
function taxIncluded(gross, rateBps) {
  const numerator = gross * BigInt(rateBps);
  const denominator = 10000n + BigInt(rateBps);
  const half = denominator / 2n;
  const rounded = numerator >= 0n ? (numerator + half) / denominator : (numerator - half) / denominator;
  return i64Or(rounded, 0n);
}

function taxLabel(code, rateBps) {
  if (rateBps === 0) return code;
  const whole = Math.floor(rateBps / 100);
  const fraction = rateBps % 100;
  return fraction === 0 ? `${code} ${whole}%` : `${code} ${whole}.${String(fraction).padStart(2, "0")}%`;
}

function quotedLine(currency, w) {
  const m = (amount) => ({ amount, currency });
  const total = w.net;
  const tax = taxIncluded(total, w.line.tax.rate_bps);
  return {
    sku: w.line.sku,
    location_id: w.line.location_id,
    merchant_id: w.line.merchant_id,
    quantity: w.line.quantity,
    track_stock: w.line.track_stock,
    base_price: w.line.base_price,
    unit_price: m(w.unitPrice),
    modifiers: w.line.modifiers.map((mod) => ({ group: mod.group, option: mod.option, price: mod.price })),
    note: w.line.note,
    price_source: w.source,
    gross: m(w.gross),
    discounts: w.discounts,
    discount: m(w.gross - w.net),
    total: m(total),
    tax: { code: w.line.tax.code, rate_bps: w.line.tax.rate_bps, base: m(i64(total - tax)), amount: m(tax) },
    not_applied: w.notApplied,
    ...(w.line.manual_discount ? { manual_discount: w.line.manual_discount } : {}),
  };
}

function partsByLocation(currency, lines) {
  const zero = () => ({ amount: 0n, currency });
  const parts = [];
  for (const line of lines) {
    const funded = (funder) =>
      line.discounts.filter((d) => d.funded_by === funder).reduce((sum, d) => sum + d.amount.amount, 0n);
    if (parts.length === 0 || parts[parts.length - 1].location_id !== line.location_id) {
      parts.push({
        location_id: line.location_id,
        merchant_id: line.merchant_id,
        gross: zero(),
        discount: zero(),
        merchant_funded: zero(),
        operator_funded: zero(),
        subtotal: zero(),
        taxes: [],
      });
    }
    const part = parts[parts.length - 1];
    part.gross = checkedAdd(part.gross, line.gross);
    part.discount = checkedAdd(part.discount, line.discount);
    part.merchant_funded = checkedAdd(part.merchant_funded, { amount: funded("merchant"), currency });
    part.operator_funded = checkedAdd(part.operator_funded, { amount: funded("operator"), currency });
    part.subtotal = checkedAdd(part.subtotal, line.total);
  }
  return parts;
}

function taxTotals(currency, lines) {
  const totals = new Map();
  for (const line of lines) {
    const id = JSON.stringify([line.tax.code, line.tax.rate_bps]);
    if (!totals.has(id)) {
      totals.set(id, { code: line.tax.code, rate_bps: line.tax.rate_bps, base: { amount: 0n, currency }, amount: { amount: 0n, currency } });
    }
    const entry = totals.get(id);
    entry.base = checkedAdd(entry.base, line.tax.base);
    entry.amount = checkedAdd(entry.amount, line.tax.amount);
  }
  return [...totals.values()]
    .sort((a, b) => compareStrings(a.code, b.code) || a.rate_bps - b.rate_bps)
    .map((t) => ({ code: t.code, rate_bps: t.rate_bps, label: taxLabel(t.code, t.rate_bps), base: t.base, amount: t.amount }));
}

function sumMoney(currency, amounts) {
  return amounts.reduce((sum, amount) => checkedAdd(sum, amount), { amount: 0n, currency });
}

function assemble(context, work, promotions, coupons) {
  const currency = context.currency;
  const lines = work.map((w) => quotedLine(currency, w));
  const parts = partsByLocation(currency, lines);
  for (const part of parts) {
    part.taxes = taxTotals(currency, lines.filter((line) => line.location_id === part.location_id));
  }
  const taxes = taxTotals(currency, lines);
  return {
    currency,
    channel: context.channel,
    priced_at_ms: context.now,
    lines,
    parts,
    gross: sumMoney(currency, lines.map((l) => l.gross)),
    discount: sumMoney(currency, lines.map((l) => l.discount)),
    total: sumMoney(currency, lines.map((l) => l.total)),
    taxes,
    promotions,
    coupons,
  };
}

// ---------------------------------------------------------------------------------------------
// engine/manual.rs: step 6½, the cashier's manual discounts, taken last from what is left.

export const MANUAL_DISCOUNT_ID = "manual";
const MANUAL_DISCOUNT_NAME = "Descuento manual";

function checkManualDiscount(context, line) {
  const manual = line.manual_discount;
  if (!manual) return;
  if (manual.kind === "percent") {
    if (manual.bps > 10000n) throw invalid("manual_discount", "a percent must be 0 to 100");
  } else if (manual.amount.currency !== context.currency) {
    throw mismatch(context.currency, manual.amount.currency);
  } else if (manual.amount.amount < 0n) {
    throw invalid("manual_discount", "an amount must not be negative");
  }
}

function manualSuffix(manual) {
  if (!manual) return "";
  return manual.kind === "percent" ? `|manual:${manual.bps}` : "|manual:amount";
}

function mergedManual(existing, added) {
  if (existing && added && existing.kind === "amount" && added.kind === "amount") {
    return { kind: "amount", amount: checkedAdd(existing.amount, added.amount) };
  }
  return existing;
}

function applyManualDiscounts(context, work) {
  for (const w of work) {
    const manual = w.line.manual_discount;
    if (!manual) continue;
    const wanted = manual.kind === "percent" ? basisPoints(w.net, manual.bps) : manual.amount.amount;
    let amount = wanted < w.net ? wanted : w.net;
    if (amount < 0n) amount = 0n;
    if (amount === 0n) continue;
    w.net -= amount;
    w.discounts.push({
      promotion_id: MANUAL_DISCOUNT_ID,
      name: MANUAL_DISCOUNT_NAME,
      amount: { amount, currency: context.currency },
      funded_by: "merchant",
    });
  }
}

function inputManual(raw) {
  if (raw === null || raw === undefined) return null;
  if (raw.kind === "percent") return { kind: "percent", bps: int(raw.bps) };
  if (raw.kind === "amount") return { kind: "amount", amount: money(raw.amount) };
  throw new TypeError(`unknown manual discount kind ${raw.kind}`);
}

// ---------------------------------------------------------------------------------------------
// The entry point.

/** BigInts back to Numbers where they are exact, recursively (the quote's JSON). */
function plain(value) {
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    const out = {};
    for (const [key, inner] of Object.entries(value)) out[key] = plain(inner);
    return out;
  }
  return value;
}

function inputLine(raw) {
  const sku = parseSku(raw.sku);
  const quantity = parseQuantity(raw.quantity);
  return {
    sku,
    location_id: raw.location_id,
    merchant_id: raw.merchant_id,
    quantity,
    base_price: money(raw.base_price),
    tax: { code: raw.tax.code, rate_bps: raw.tax.rate_bps },
    track_stock: raw.track_stock,
    modifiers: (raw.modifiers ?? []).map((m) => ({ group: m.group, option: m.option, price: money(m.price) })),
    note: raw.note ?? null,
    manual_discount: inputManual(raw.manual_discount),
  };
}

/**
 * Prices a cart exactly as `omnicanal_domain::pricing::price_cart` does (see the file header for
 * the shapes). A refusal of the engine is returned, never thrown; a malformed input (a missing
 * field, an unknown currency or kind) throws a TypeError.
 */
export function priceCart(input) {
  try {
    const context = {
      currency: currencyOf(input.currency),
      channel: input.channel,
      now: int(input.now_ms),
      local: input.local,
      price_lists: input.price_lists ?? [],
      promotions: input.promotions ?? [],
      coupon_codes: input.coupon_codes ?? [],
      coupons: input.coupons ?? [],
    };
    const lines = input.lines.map(inputLine);
    const work = mergeLines(context, lines);
    const gates = checkCoupons(context);
    const ordered = [...context.promotions].sort(
      (a, b) =>
        Number(isLineLevel(b.kind)) - Number(isLineLevel(a.kind)) || b.priority - a.priority || compareStrings(a.id, b.id),
    );
    const outcomes = [];
    for (const promotion of ordered) {
      const outcome = applyPromotion(context, promotion, gates, work);
      if (outcome) outcomes.push(outcome);
    }
    applyManualDiscounts(context, work);
    const coupons = couponOutcomes(context, gates, outcomes);
    return { ok: true, quote: plain(assemble(context, work, outcomes, coupons)) };
  } catch (refusal) {
    if (refusal instanceof Refused) return { ok: false, error: refusal.error };
    throw refusal;
  }
}
