// The modifier picker (issue #13, point 1): at 360 px and at 1280 px each option reads on one
// line — its control beside its name, the price whole at the end — and a choice past "up to 2"
// is refused at once, with the reason from the catalog, so the cart can still be priced.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  BASE,
  SITE,
  launch,
  withPage,
  openSite,
  waitUntil,
  layoutProblems,
  shownProblemTexts,
  textsNotInCatalog,
  menuNames,
  artifact,
} from "./lib.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const PIZZA = "NAP-MARG"; // Tamaño (1 of Mediana, Familiar +$3.000), Agregados (up to 2 of three)

/** Each option row's geometry: name and price on one line each, the control's gap to the name. */
function optionRows(page, sku) {
  return page.evaluate((sku) => {
    const item = document.querySelector(`[data-testid=menu-item][data-sku="${sku}"]`);
    const lines = (el) => {
      if (!el) return 0;
      const range = document.createRange();
      range.selectNodeContents(el);
      return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.bottom))).size;
    };
    return [...item.querySelectorAll("label.option")].map((label) => {
      const input = label.querySelector("input").getBoundingClientRect();
      const name = label.querySelector(".option-name");
      const price = label.querySelector(".option-price");
      const nameBox = name.getBoundingClientRect();
      const priceBox = price ? price.getBoundingClientRect() : null;
      return {
        text: label.innerText.replace(/\s+/g, " ").trim(),
        nameLines: lines(name),
        priceLines: lines(price),
        gap: nameBox.left - input.right,
        sameRow: Math.abs((input.top + input.bottom) / 2 - (nameBox.top + nameBox.bottom) / 2) < 12,
        priceOnNameRow: !priceBox || Math.abs((priceBox.top + priceBox.bottom) / 2 - (nameBox.top + nameBox.bottom) / 2) < 12,
        inputWidth: input.width,
      };
    });
  }, sku);
}

for (const width of [360, 1280]) {
  test(`${width} px: the modifier picker reads like a shop's and refuses a third extra at once`, async () => {
    await withPage(browser, `picker-${width}`, { viewport: { width, height: 800 } }, async (page) => {
      await openSite(page);
      const item = page.locator(`[data-testid=menu-item][data-sku="${PIZZA}"]`).first();
      await item.locator("details[data-testid=item-options] summary").click();
      await item.locator("fieldset.group label").first().waitFor();
      const { broken, scrollWidth, wide } = await layoutProblems(page, width);
      await page.screenshot({ path: artifact(`picker-${width}-options.png`), fullPage: false });
      assert.deepEqual(broken, [], `${width} px: words broken on the site page`);
      assert.ok(scrollWidth <= width, `${width} px: scrollWidth ${scrollWidth}; sticking out: ${wide.join(", ")}`);

      for (const row of await optionRows(page, PIZZA)) {
        assert.equal(row.nameLines, 1, `${width} px: "${row.text}": the name is on one line`);
        assert.ok(row.priceLines <= 1, `${width} px: "${row.text}": the price is on one line`);
        assert.ok(row.sameRow, `${width} px: "${row.text}": the control is on the name's row`);
        assert.ok(row.priceOnNameRow, `${width} px: "${row.text}": the price is on the name's row`);
        assert.ok(row.gap >= 0 && row.gap <= 16, `${width} px: "${row.text}": the control is beside its name (gap ${row.gap} px)`);
        assert.ok(row.inputWidth <= 30, `${width} px: "${row.text}": the control is ${row.inputWidth} px wide`);
      }

      // Two extras are fine; the third is undone at once, and the group says why.
      const extras = item.locator("fieldset[data-group=Agregados] input[type=checkbox]");
      assert.equal(await extras.count(), 3, "three extras");
      await extras.nth(0).check();
      await extras.nth(1).check();
      await extras.nth(2).click();
      assert.equal(await extras.nth(2).isChecked(), false, "a third extra is refused");
      const limit = item.locator("fieldset[data-group=Agregados] [data-testid=group-limit]");
      await limit.waitFor({ state: "visible" });
      const texts = await shownProblemTexts(page);
      assert.ok(texts.length > 0, "the refusal is shown");
      assert.deepEqual(textsNotInCatalog(texts, "es", await menuNames()), [], "the refusal is the catalog's text");
      assert.match(await limit.innerText(), /2/, "it names the limit");
      await page.screenshot({ path: artifact(`picker-${width}.png`), fullPage: false });

      // Unchecking one lets another be chosen, and the note goes.
      await extras.nth(0).uncheck();
      await extras.nth(2).check();
      assert.equal(await extras.nth(2).isChecked(), true, "after removing one, another can be chosen");
      assert.equal(await limit.isVisible(), false, "the note goes once the choice is within the limit");

      // The dish goes to the cart with its two extras, and the cart can price it.
      await item.locator("button[data-testid=add]").click();
      await waitUntil(page, "cart-count = 1", () => document.querySelector("[data-testid=cart-count]")?.textContent.trim() === "1");
      await page.goto(`${BASE}/s/${SITE}/cart`);
      await page.locator("[data-testid=cart-line]").first().waitFor();
      await waitUntil(
        page,
        "a priced total",
        () => /^\$[\d.]+$/.test(document.querySelector("[data-testid=cart-total]")?.textContent.trim() || ""),
      );
    });
  });
}

test("a dish missing a required choice is not added, and the group says so", async () => {
  await withPage(browser, "picker-required", {}, async (page) => {
    await openSite(page, "?lang=en");
    const item = page.locator(`[data-testid=menu-item][data-sku="${PIZZA}"]`).first();
    // The size is preselected; take it away as an old browser's form restore could.
    await item.locator("fieldset[data-group=Tamaño] input").evaluateAll((inputs) => inputs.forEach((i) => (i.checked = false)));
    await item.locator("button[data-testid=add]").click();
    const note = item.locator("fieldset[data-group=Tamaño] [data-testid=group-limit]");
    await note.waitFor({ state: "visible" });
    assert.equal(await page.locator("[data-testid=cart-count]").innerText(), "0", "nothing was added");
    assert.deepEqual(textsNotInCatalog(await shownProblemTexts(page), "en", await menuNames()), []);
  });
});
