// Omnicanal service worker: shows the notifications the server pushes ("your order is
// ready", "rejected and refunded", "remember to pick it up") and opens the order page when
// one is clicked. Served at /sw.js (scope /); no caching, no other work.
'use strict';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

// A path on this server, or "/" for anything else (a pushed URL never leaves the origin).
function samePage(path) {
  try {
    const url = new URL(path || '/', self.location.origin);
    return url.origin === self.location.origin ? url.href : self.location.origin + '/';
  } catch (error) {
    return self.location.origin + '/';
  }
}

self.addEventListener('push', (event) => {
  let message = {};
  if (event.data) {
    try {
      message = event.data.json();
    } catch (error) {
      message = { body: event.data.text() };
    }
  }
  const title = message.title || 'Omnicanal';
  const options = {
    body: message.body || '',
    lang: message.lang || 'es',
    data: { url: samePage(message.url) },
  };
  const show = async () => {
    if (message.tag) {
      // One tag per part and kind (`<fulfilment id>:<kind>`), the same the open order page
      // uses: the later of the two replaces the earlier. It alerts again only when nothing
      // with that tag is on screen — if the page already showed it, the phone stays quiet.
      options.tag = message.tag;
      const existing = await self.registration.getNotifications({ tag: message.tag });
      options.renotify = existing.length === 0;
    }
    await self.registration.showNotification(title, options);
  };
  event.waitUntil(show());
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = samePage(event.notification.data && event.notification.data.url);
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (client.url === target && 'focus' in client) {
          return client.focus();
        }
      }
      return self.clients.openWindow ? self.clients.openWindow(target) : undefined;
    }),
  );
});
