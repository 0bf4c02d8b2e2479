// The menu at a phone's 360 px and a laptop's 1280 px (issue #13, point 7): a jump to a
// restaurant, a search over dishes that says so when nothing matches, each dish's description
// and allergens in the page's language, a promotion's label on the dish it applies to, the Lima
// header's "ES / EN" on one line, and a home page for visitors (no developer links).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, SITE, PHONE, launch, withPage, openSite, waitUntil, layoutProblems, artifact, menu } from "./lib.mjs";

let browser;
let guero;
before(async () => {
  browser = await launch();
  const { locations } = await menu();
  guero = locations.find((location) => location.products.some((p) => p.variants.some((v) => v.sku === "GUE-PAST")));
  assert.ok(guero, "the demo's taquería is on the menu");
});
after(async () => {
  await browser?.close();
});

/** Items of the page the visitor can see now, as their SKUs. */
const visibleSkus = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll("[data-testid=menu-item]")].filter((item) => item.checkVisibility()).map((item) => item.dataset.sku),
  );

for (const width of [360, 1280]) {
  const device = width === 360 ? { ...PHONE, viewport: { width, height: 740 } } : { viewport: { width, height: 800 }, locale: "es-CL" };

  test(`${width} px: the jump list takes the visitor to a restaurant`, async () => {
    await withPage(browser, `menu-${width}-jump`, device, async (page) => {
      await openSite(page);
      const section = page.locator(`#loc-${guero.id}`);
      await page.locator("[data-testid=menu-jump]").selectOption(`loc-${guero.id}`);
      await waitUntil(
        page,
        "the taquería at the top, below the finder",
        (id) => {
          const top = document.getElementById(id).getBoundingClientRect().top;
          return top >= 0 && top < 140;
        },
        `loc-${guero.id}`,
      );
      const finder = await page.locator("[data-testid=menu-finder]").boundingBox();
      assert.ok(finder && finder.y >= -1 && finder.y < 20, `the finder stays at hand (sticky): ${JSON.stringify(finder)}`);
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), guero.name, "its name takes the focus");
      assert.equal(await page.locator("[data-testid=menu-jump]").inputValue(), "", "the jump is ready for another");
      assert.ok(await section.isVisible());
      await page.screenshot({ path: artifact(`menu-${width}-jump.png`) });
    });
  });

  test(`${width} px: the search filters dishes at once and says when nothing matches`, async () => {
    await withPage(browser, `menu-${width}-search`, device, async (page) => {
      await openSite(page);
      const all = (await visibleSkus(page)).length;
      const search = page.locator("[data-testid=menu-search]");
      await search.fill("guacamole");
      await waitUntil(page, "one dish left", () => document.querySelectorAll("[data-testid=menu-item]:not([hidden])").length === 1);
      assert.deepEqual(await visibleSkus(page), ["GUE-NACH"], "by the description's words");
      await search.fill("TIRAMISU");
      assert.deepEqual(await visibleSkus(page), ["NAP-TIRA"], "case and accents ignored");
      const empty = page.locator("[data-testid=search-empty]");
      assert.equal(await empty.isVisible(), false, "no empty state while something matches");
      await search.fill("zzzz");
      await empty.waitFor({ state: "visible" });
      assert.equal(await empty.innerText(), "Ningún plato coincide con «zzzz». Prueba con otra palabra.");
      assert.equal(await page.locator("[data-testid=restaurant]:visible").count(), 0, "no empty restaurant is left");
      await page.screenshot({ path: artifact(`menu-${width}-search-empty.png`) });
      const { broken, scrollWidth } = await layoutProblems(page, width);
      assert.deepEqual(broken, [], "words whole");
      assert.ok(scrollWidth <= width, `nothing past the edge (${scrollWidth})`);
      await search.fill("");
      await waitUntil(page, "every dish back", (n) => document.querySelectorAll("[data-testid=menu-item]:not([hidden])").length === n, all);
      assert.equal(await empty.isVisible(), false);
    });
  });

  test(`${width} px: dishes show their description, allergens and promotions in the page's language`, async () => {
    await withPage(browser, `menu-${width}-details`, device, async (page) => {
      await openSite(page);
      const pizza = page.locator('[data-testid=menu-item][data-sku="NAP-MARG"]');
      assert.match(await pizza.locator("[data-testid=item-description]").innerText(), /mozzarella fior di latte/);
      assert.equal(await pizza.locator("[data-testid=item-allergens]").innerText(), "Contiene: Gluten, Leche");
      const tacos = page.locator('[data-testid=menu-item][data-sku="GUE-PAST"]');
      await tacos.scrollIntoViewIfNeeded();
      const badge = tacos.locator("[data-testid=item-promotion]");
      assert.ok(await badge.isVisible(), "the 2×1 is on the tacos");
      assert.match(await badge.innerText(), /^2×1( hoy| hasta las \d\d:\d\d)?$/);
      assert.equal(await badge.getAttribute("title"), "2x1 en tacos al pastor", "the merchant's name as a hint");
      const elsewhere = await page.locator('[data-testid=menu-item]:not([data-sku="GUE-PAST"]) [data-testid=item-promotion]').allInnerTexts();
      assert.ok(!elsewhere.some((text) => text.startsWith("2×1")), `the 2×1 is on no other dish: ${elsewhere}`);
      await page.screenshot({ path: artifact(`menu-${width}-details.png`) });

      await openSite(page, "?lang=en");
      assert.equal(await pizza.locator("[data-testid=item-allergens]").innerText(), "Contains: Gluten, Milk");
      await page.locator("[data-testid=menu-search]").fill("zzzz");
      assert.equal(await page.locator("[data-testid=search-empty]").innerText(), "No dish matches “zzzz”. Try another word.");
    });
  });

  test(`${width} px: the Lima header keeps ES / EN on one line, and home has no developer links`, async () => {
    await withPage(browser, `menu-${width}-lima`, device, async (page) => {
      await page.goto(`${BASE}/`);
      assert.equal(await page.locator("h1").innerText(), "Elige dónde quieres pedir");
      for (const href of ["/api/docs", "/api/openapi.json", "/healthz"]) {
        assert.equal(await page.locator(`a[href="${href}"]`).count(), 0, `no link to ${href}`);
      }
      assert.ok(!(await page.locator("body").innerText()).includes("/api/"), "no API path in the visitor's text");
      await page.locator("[data-testid=site-link]", { hasText: "Jockey Plaza" }).click();
      await page.locator("[data-testid=restaurant]").first().waitFor();
      const es = await page.locator("[data-testid=lang-es]").boundingBox();
      const en = await page.locator("[data-testid=lang-en]").boundingBox();
      assert.ok(es && en, "both language links are shown");
      assert.equal(Math.round(es.y), Math.round(en.y), "ES and EN side by side");
      for (const [name, box] of [["ES", es], ["EN", en]]) {
        assert.ok(box.height < 44 && box.width > box.height * 0.6, `${name} is not squeezed to a letter a line: ${JSON.stringify(box)}`);
      }
      const { broken, scrollWidth } = await layoutProblems(page, width);
      assert.deepEqual(broken, [], "every word whole in the Lima page");
      assert.ok(scrollWidth <= width, `nothing past the edge (${scrollWidth})`);
      await page.screenshot({ path: artifact(`menu-${width}-lima.png`) });
      assert.ok(!SITE || !page.url().includes(SITE), "Lima is not the Santiago site");
    });
  });
}
