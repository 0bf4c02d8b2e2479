// The till's service worker (scope /pos): keeps the till's shell — the /pos page as last
// served, its scripts, styles and icons — so a reload with no network or no server still opens
// the till, which then works from IndexedDB. The page is fetched from the network first (a
// fresh page when the server answers), the assets too (a new version is used at once), the cache
// answering only when the network does not.
// The API is never cached: sales go through the page's own queue (queue.js).
"use strict";

const CACHE = "omnicanal-pos-v1";
const SHELL = [
  "/pos",
  "/static/pos/pos.css",
  "/static/pos/pos.js",
  "/static/pos/sell.js",
  "/static/pos/cartview.js",
  "/static/pos/camera.js",
  "/static/pos/checkout.js",
  "/static/pos/print.js",
  "/static/pos/pickup.js",
  "/static/pos/db.js",
  "/static/pos/queue.js",
  "/static/pos/pricing.js",
  "/static/pos/options.js",
  "/static/pos/details.js",
  "/static/pos/session.js",
  "/static/pos/session-lines.js",
  "/static/pos/returns.js",
  "/static/pos/aisle.js",
  "/static/pos/credit.js",
  "/static/pos/help.js",
  "/pos/manifest.webmanifest",
  "/favicon.svg",
  "/static/icon-192.png",
];

self.addEventListener("install", (event) => {
  // Each asset on its own: one that fails does not stop the rest. The page is kept only when
  // it is the till itself — never the sign-in page a signed-out visit is sent to.
  const keep = async () => {
    const cache = await caches.open(CACHE);
    await Promise.all(
      SHELL.map(async (url) => {
        try {
          const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
          if (response.ok && !response.redirected) await cache.put(url, response);
        } catch (_) {
          /* kept at its next fetch */
        }
      }),
    );
  };
  event.waitUntil(keep().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith("omnicanal-pos-") && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

/** The page: the network's answer when it is the till itself (not a redirect to sign in). */
async function page(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) await cache.put("/pos", response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match("/pos");
    if (kept) return kept;
    throw error;
  }
}

async function asset(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(request, { ignoreSearch: true });
    if (kept) return kept;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === "/pos" && event.request.mode === "navigate") {
    event.respondWith(page(event.request));
  } else if (SHELL.includes(url.pathname) && url.pathname !== "/pos") {
    event.respondWith(asset(event.request));
  }
});
