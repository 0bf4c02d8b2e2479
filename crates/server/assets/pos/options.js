// A line's options and note at the till (issue 14 point 3): the check of the options chosen
// against the product's modifier groups — the same rule as the Rust `modifiers::choose`, so a
// line the till accepts is one the server accepts, priced by pricing.js as the server prices
// it (each option adds its price to the unit price) — the key that tells two lines of one dish
// apart, and the picker: a dialog of touch-sized toggles (the whole screen on a phone), with
// the unit price as chosen and a note of at most 140 characters.
"use strict";

import { displayMoney } from "./pricing.js";

/** Longest note a line may carry (domain `modifiers::MAX_NOTE_CHARS`). */
export const MAX_NOTE_CHARS = 140;

/** Compares as Rust compares `String`s (by code point), for the order the engine merges in. */
function compare(a, b) {
  const x = [...a].map((c) => c.codePointAt(0));
  const y = [...b].map((c) => c.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return x.length - y.length;
}

/** A note as the server keeps it: trimmed, empty is none (`modifiers::note`). */
export function cleanNote(raw) {
  const text = String(raw ?? "").trim();
  return text ? text : null;
}

/** Whether a note is one the server accepts: at most 140 characters, one line. */
export function noteOk(note) {
  // eslint-disable-next-line no-control-regex
  return note === null || ([...note].length <= MAX_NOTE_CHARS && !/[\u0000-\u001f\u007f-\u009f]/.test(note));
}

/** Options sorted as the engine keeps them: by group, then option. */
export function sortOptions(options) {
  return [...(options || [])].sort((a, b) => compare(a.group, b.group) || compare(a.option, b.option));
}

/** What tells two lines of one SKU apart: the options chosen and the note. */
export function lineKey(sku, options, note) {
  const chosen = sortOptions(options).map((o) => `${o.group}=${o.option}`);
  if (!chosen.length && !note) return sku;
  return `${sku}|${chosen.join(";")}|${note ?? ""}`;
}

/**
 * Checks `choices` ([{group, option}]) against `groups` (the item's modifier groups) as the
 * server does: {ok: true, modifiers: [{group, option, price}] sorted} or {ok: false, why, group}
 * where `why` is `unknown_group`, `unknown_option`, `twice`, `too_few` or `too_many`.
 */
export function chooseOptions(groups, choices) {
  const chosen = [];
  for (const choice of choices || []) {
    const group = (groups || []).find((g) => g.name === choice.group);
    if (!group) return { ok: false, why: "unknown_group", group: choice.group };
    const option = group.options.find((o) => o.name === choice.option);
    if (!option) return { ok: false, why: "unknown_option", group: group.name };
    if (chosen.some((c) => c.group === group.name && c.option === option.name)) {
      return { ok: false, why: "twice", group: group.name };
    }
    chosen.push({ group: group.name, option: option.name, price: option.price });
  }
  for (const group of groups || []) {
    const count = chosen.filter((c) => c.group === group.name).length;
    if (count < group.min) return { ok: false, why: "too_few", group: group.name, min: group.min };
    if (count > group.max) return { ok: false, why: "too_many", group: group.name, max: group.max };
  }
  return { ok: true, modifiers: sortOptions(chosen) };
}

/** The options of a line in a few words ("Familiar, Extra queso"). */
export function optionsText(options) {
  return (options || []).map((o) => o.option).join(", ");
}

/**
 * The picker, on the page's `<dialog id="options-dialog">`. `open(item, current)` shows the
 * item's groups (radios when one option is allowed, toggles otherwise) and a note; it resolves
 * with `{options, note}` when the cashier confirms, or null when they cancel.
 */
export function createOptionsPicker({ t }) {
  const $ = (id) => document.getElementById(id);
  const dialog = $("options-dialog");
  let settle = null;
  let item = null;
  let picked = new Map();

  function unitPrice() {
    let amount = item.base_price.amount;
    for (const group of item.modifier_groups || []) {
      for (const option of group.options) if (picked.get(group.name)?.has(option.name)) amount += option.price.amount;
    }
    return displayMoney({ amount, currency: item.base_price.currency });
  }

  function choices() {
    const list = [];
    for (const [group, options] of picked) for (const option of options) list.push({ group, option });
    return list;
  }

  function refresh() {
    $("options-unit").textContent = t("pos.options.unit", { price: unitPrice() });
    const checked = chooseOptions(item.modifier_groups, choices());
    const note = cleanNote($("options-note").value);
    $("options-note-count").textContent = t("pos.options.note_count", {
      count: [...($("options-note").value || "")].length,
      max: MAX_NOTE_CHARS,
    });
    let error = "";
    if (!checked.ok && checked.why === "too_few") error = t("pos.options.too_few", { group: checked.group, min: checked.min });
    else if (!checked.ok) error = t("pos.options.too_many", { group: checked.group, max: checked.max ?? "" });
    else if (!noteOk(note)) error = t("pos.options.note_too_long", { max: MAX_NOTE_CHARS });
    $("options-error").textContent = error;
    $("options-ok").disabled = Boolean(error);
    for (const button of dialog.querySelectorAll("[data-option]")) {
      const on = picked.get(button.dataset.group)?.has(button.dataset.option) || false;
      button.setAttribute("aria-pressed", String(on));
    }
  }

  function toggle(group, option) {
    const set = picked.get(group.name) || new Set();
    if (set.has(option.name)) set.delete(option.name);
    else if (group.max === 1) {
      set.clear();
      set.add(option.name);
    } else if (set.size < group.max) set.add(option.name);
    picked.set(group.name, set);
    refresh();
  }

  function groupHint(group) {
    if (group.min === 1 && group.max === 1) return t("pos.options.pick_one");
    if (group.min === 0) return t("pos.options.pick_up_to", { max: group.max });
    return t("pos.options.pick_between", { min: group.min, max: group.max });
  }

  function build() {
    const body = $("options-groups");
    body.replaceChildren();
    for (const group of item.modifier_groups || []) {
      const fieldset = document.createElement("fieldset");
      fieldset.className = "option-group";
      fieldset.dataset.testid = "pos-option-group";
      fieldset.dataset.group = group.name;
      const legend = document.createElement("legend");
      legend.textContent = `${group.name} · ${groupHint(group)}`;
      fieldset.append(legend);
      const grid = document.createElement("div");
      grid.className = "option-grid";
      for (const option of group.options) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "big option";
        button.dataset.testid = "pos-option";
        button.dataset.group = group.name;
        button.dataset.option = option.name;
        const name = document.createElement("span");
        name.textContent = option.name;
        const price = document.createElement("span");
        price.className = "price";
        price.textContent = option.price.amount ? `+${displayMoney(option.price)}` : "";
        button.append(name, price);
        button.addEventListener("click", () => toggle(group, option));
        grid.append(button);
      }
      fieldset.append(grid);
      body.append(fieldset);
    }
  }

  function finish(value) {
    if (dialog.open) dialog.close();
    const done = settle;
    settle = null;
    if (done) done(value);
  }

  $("options-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const checked = chooseOptions(item.modifier_groups, choices());
    const note = cleanNote($("options-note").value);
    if (!checked.ok || !noteOk(note)) return refresh();
    finish({ options: checked.modifiers.map((m) => ({ group: m.group, option: m.option })), note });
  });
  $("options-note").addEventListener("input", refresh);
  $("options-cancel").addEventListener("click", () => finish(null));
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    finish(null);
  });

  return {
    /** Shows the picker for `item`, starting from `current` ({options, note}). */
    open(next, current = {}) {
      if (settle) finish(null);
      item = next;
      picked = new Map();
      for (const choice of current.options || []) {
        if (!picked.has(choice.group)) picked.set(choice.group, new Set());
        picked.get(choice.group).add(choice.option);
      }
      $("options-title").textContent = item.name;
      $("options-note").value = current.note || "";
      $("options-note").maxLength = MAX_NOTE_CHARS;
      build();
      refresh();
      dialog.showModal();
      const first = dialog.querySelector("[data-option]") || $("options-note");
      first.focus();
      return new Promise((resolve) => {
        settle = resolve;
      });
    },
  };
}
