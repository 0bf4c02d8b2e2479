// Spanish by default; English by ?lang=en, by Accept-Language, or with the switch.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { BASE, SITE, launch, withPage, openSite } from "./lib.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The go-to-cart link's own text (without the count inside it) and <html lang>. */
async function pageLanguage(page) {
  return page.evaluate(() => {
    const link = document.querySelector("a[data-testid=go-to-cart]").cloneNode(true);
    link.querySelectorAll("[data-testid=cart-count]").forEach((el) => el.remove());
    return { lang: document.documentElement.lang, cartLink: link.textContent.replace(/\s+/g, " ").trim() };
  });
}

/** GET with no Accept-Language header at all (a browser always sends one). */
function rawGet(path) {
  return new Promise((resolve, reject) => {
    const request = http.get(`${BASE}${path}`, { headers: { accept: "text/html" } }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode, body }));
    });
    request.on("error", reject);
  });
}

/** HTML text with character references decoded (enough for the page's own texts). */
const decode = (html) =>
  html
    .replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&nbsp;/g, "\u00a0")
    .replace(/&amp;/g, "&");

const htmlLang = (body) => (/<html[^>]*\blang="([^"]*)"/i.exec(body) || [])[1];

test("language: ?lang=en, Accept-Language: en, Spanish by default, and the switch", async () => {
  let spanish;
  let english;
  await withPage(browser, "lang-es", { locale: "es-CL" }, async (page) => {
    await openSite(page);
    spanish = await pageLanguage(page);
    assert.equal(spanish.lang, "es", "Accept-Language es-CL gives Spanish");
  });
  await withPage(browser, "lang-query-en", { locale: "es-CL" }, async (page) => {
    await openSite(page, "?lang=en");
    english = await pageLanguage(page);
    assert.equal(english.lang, "en", "?lang=en gives <html lang=en>");
    assert.ok(english.cartLink, "the go-to-cart link has a text");
    assert.notEqual(english.cartLink, spanish.cartLink, "the go-to-cart text differs between English and Spanish");
    // The cart page too.
    await page.goto(`${BASE}/s/${SITE}/cart?lang=en`);
    assert.equal(await page.evaluate(() => document.documentElement.lang), "en", "cart page in English");
  });
  await withPage(browser, "lang-header-en", { locale: "en-US", extraHTTPHeaders: { "Accept-Language": "en" } }, async (page) => {
    await openSite(page);
    assert.deepEqual(await pageLanguage(page), english, "Accept-Language: en gives the English page");
  });

  const plain = await rawGet(`/s/${SITE}`);
  assert.equal(plain.status, 200);
  assert.equal(htmlLang(plain.body), "es", "no Accept-Language: Spanish");
  assert.ok(decode(plain.body).replace(/\s+/g, " ").includes(spanish.cartLink), "no Accept-Language: the Spanish go-to-cart text");

  await withPage(browser, "lang-switch", { locale: "es-CL" }, async (page) => {
    await openSite(page);
    await page.locator("a[data-testid=lang-en]").click();
    await page.waitForFunction(() => document.documentElement.lang === "en");
    assert.equal((await pageLanguage(page)).cartLink, english.cartLink, "the EN switch shows English");
    await page.locator("a[data-testid=lang-es]").click();
    await page.waitForFunction(() => document.documentElement.lang === "es");
    assert.equal((await pageLanguage(page)).cartLink, spanish.cartLink, "the ES switch goes back to Spanish");
  });
});
