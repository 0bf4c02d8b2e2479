// The knowledge base (issue 18 point 4): an admin writes an article at /support/kb with the
// editor — the preview renders the markdown and shows raw HTML as text — saves it published,
// and reads it at /support/kb/{id}; a store's staff member types a problem into the suggest
// box (the reusable kb-suggest.js the till's help dialog uses), finds the article by another
// form of its words without accents, and presses "Esto lo resolvió". At 360 px and 1280 px
// nothing sticks out past the edge.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, ADMIN, launch, withPage, consoleSignIn, overflow, staffEmail } from "./lib.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

for (const [width, height] of [
  [360, 740],
  [1280, 800],
]) {
  test(`${width} px: an article written in the editor is suggested as a cashier types`, async () => {
    const viewport = { viewport: { width, height }, isMobile: width < 600 };
    const marker = `Tapa${width}x${Date.now().toString(36)}`;
    const title = `La impresora térmica no imprime ${marker}`;
    let articleUrl = "";
    await withPage(browser, `support-kb-editor-${width}`, viewport, async (page) => {
      await consoleSignIn(page, ADMIN);
      await page.goto(`${BASE}/support/kb`);
      assert.match(await page.locator("h1").first().innerText(), /Base de conocimiento/);
      await page.locator("[data-testid=kb-category]").selectOption("impresora");
      await page.locator("[data-testid=kb-title]").fill(title);
      await page
        .locator("[data-testid=kb-body]")
        .fill(`## Antes de llamar\n\n- Abra la **tapa** ${marker}\n- Revise el rollo de papel\n\n<script>alert(1)</script>`);
      await page.locator("[data-testid=kb-preview-button]").click();
      const preview = page.locator("[data-testid=kb-preview]");
      await preview.locator("h2").waitFor();
      assert.equal(await preview.locator("strong").innerText(), "tapa");
      assert.match(await preview.innerText(), /<script>alert\(1\)<\/script>/, "raw HTML is shown as text");
      assert.equal(await preview.locator("script").count(), 0);

      // A refusal names the field: an empty title.
      await page.locator("[data-testid=kb-title]").fill("");
      await page.locator("[data-testid=kb-save]").click();
      await page.locator("[data-testid=kb-error]").waitFor({ state: "visible" });
      assert.match(await page.locator("[data-testid=kb-error]").innerText(), /título/i);
      assert.equal(await page.locator("[data-testid=kb-title]").getAttribute("aria-invalid"), "true");

      await page.locator("[data-testid=kb-title]").fill(title);
      await page.locator("[data-testid=kb-published]").check();
      await Promise.all([
        page.waitForURL((url) => url.searchParams.get("saved") === "1"),
        page.locator("[data-testid=kb-save]").click(),
      ]);
      await page.locator("[data-testid=kb-saved]").waitFor({ state: "visible" });
      const row = page.locator("[data-testid=kb-article]", { hasText: marker });
      assert.equal(await row.count(), 1, "the article is listed");
      assert.equal(await row.locator("[data-testid=kb-state]").innerText(), "Publicado");
      assert.equal(await page.locator("[data-testid=kb-title]").inputValue(), title, "the editor holds the saved article");
      const wide = await overflow(page, width);
      assert.ok(wide.scrollWidth <= width, `the editor fits ${width} px: ${JSON.stringify(wide)}`);

      await Promise.all([page.waitForURL(/\/support\/kb\/art_/), row.locator("a").first().click()]);
      articleUrl = page.url();
      assert.equal(await page.locator("[data-testid=kb-article-title]").innerText(), title);
      assert.equal(await page.locator("[data-testid=kb-article-body] h2").innerText(), "Antes de llamar");
    });

    await withPage(browser, `support-kb-suggest-${width}`, viewport, async (page) => {
      await consoleSignIn(page, staffEmail("napoli"));
      await page.goto(articleUrl);
      assert.equal(await page.locator("[data-testid=kb-article-title]").innerText(), title);
      assert.equal(await page.locator("[data-testid=kb-article-edit]").count(), 0, "staff do not edit");
      // Another form of the words, no accents, capitals, plus the marker typed as it is.
      await page.locator("[data-testid=kb-search-input]").fill(`IMPRESION termica ${marker}`);
      const suggestion = page.locator("[data-testid=kb-suggestion]").first();
      await suggestion.waitFor();
      assert.match(await suggestion.innerText(), new RegExp(marker));
      assert.ok((await suggestion.locator("mark").count()) >= 1, "the matched words are marked");
      await suggestion.locator("[data-testid=kb-suggest-solved]").click();
      await page.locator("[data-testid=kb-suggest-thanks]").first().waitFor();
      const wide = await overflow(page, width);
      assert.ok(wide.scrollWidth <= width, `the article page fits ${width} px: ${JSON.stringify(wide)}`);
    });
  });
}
