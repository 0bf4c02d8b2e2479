// window.omnicanalPush: Web Push for the order page.
//
//   omnicanalPush.supported()                      -> true when this browser can receive pushes
//   omnicanalPush.subscribe(orderId, token, lang)  -> Promise<boolean>: asks permission (call it
//       from a click), registers /sw.js, subscribes with the server's VAPID key and registers the
//       subscription on the order; false when permission was refused
//   omnicanalPush.subscribeAt(url, lang)           -> the same, registered at `url` (a booking's)
//   omnicanalPush.unsubscribe(orderId, token)      -> Promise<boolean>: removes it from the order
//   omnicanalPush.register()                       -> Promise<registration|null>: registers /sw.js
//       (no permission asked), so the page can show notifications through it
//   omnicanalPush.notify(title, body, {url, tag, lang}) -> Promise<true|false|"already">: shows a
//       notification from the open page itself (for status changes seen over SSE) through the
//       service worker registration, when permission was granted. With a `tag` that a shown
//       notification already has (the push message about the same thing got there first) it
//       shows nothing and answers "already", so the customer is not alerted twice.
//
// No dependencies; works on the phone browsers that have the Push API (iOS only for web apps
// added to the home screen).
(function () {
  'use strict';

  const API = '/api/v1';

  function supported() {
    return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  }

  function base64UrlToBytes(text) {
    const base64 = (text + '='.repeat((4 - (text.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
    const raw = atob(base64);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function sameBytes(buffer, bytes) {
    if (!buffer) {
      return false;
    }
    const view = new Uint8Array(buffer);
    return view.length === bytes.length && view.every((value, i) => value === bytes[i]);
  }

  function subscriptionsUrl(orderId, token) {
    return API + '/orders/' + encodeURIComponent(orderId) + '/push-subscriptions?token=' + encodeURIComponent(token);
  }

  async function registration() {
    await navigator.serviceWorker.register('/sw.js', { scope: '/' });
    return navigator.serviceWorker.ready;
  }

  async function subscribe(orderId, token, language) {
    return subscribeAt(subscriptionsUrl(orderId, token), language);
  }

  // The same subscription registered at another resource's `push-subscriptions` address (a
  // booking's reminders: /bookings/{id}/push-subscriptions?token=).
  async function subscribeAt(url, language) {
    if (!supported()) {
      return false;
    }
    const permission = await Notification.requestPermission();
    if (permission !== 'granted') {
      return false;
    }
    const worker = await registration();
    const keyResponse = await fetch(API + '/push/public-key');
    if (!keyResponse.ok) {
      throw new Error('public key: HTTP ' + keyResponse.status);
    }
    const key = base64UrlToBytes((await keyResponse.json()).public_key);
    let subscription = await worker.pushManager.getSubscription();
    if (subscription && !sameBytes(subscription.options && subscription.options.applicationServerKey, key)) {
      // Made with another server key: it cannot receive our messages.
      await subscription.unsubscribe();
      subscription = null;
    }
    if (!subscription) {
      subscription = await worker.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    }
    const body = subscription.toJSON();
    body.language = language === 'en' ? 'en' : 'es';
    body.url = location.pathname + location.search;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      throw new Error('subscription refused: HTTP ' + response.status);
    }
    return true;
  }

  async function unsubscribe(orderId, token) {
    if (!supported()) {
      return false;
    }
    const worker = await navigator.serviceWorker.getRegistration('/');
    const subscription = worker && (await worker.pushManager.getSubscription());
    if (!subscription) {
      return false;
    }
    const url = subscriptionsUrl(orderId, token) + '&endpoint=' + encodeURIComponent(subscription.endpoint);
    const response = await fetch(url, { method: 'DELETE' });
    return response.ok;
  }

  async function register() {
    if (!('serviceWorker' in navigator)) {
      return null;
    }
    return registration();
  }

  // The registration if there is (or soon is) one; undefined after a short wait otherwise.
  async function currentRegistration() {
    if (!('serviceWorker' in navigator)) {
      return undefined;
    }
    const existing = await navigator.serviceWorker.getRegistration('/');
    if (existing && existing.active) {
      return existing;
    }
    const waited = new Promise((resolve) => setTimeout(() => resolve(existing), 3000));
    return Promise.race([navigator.serviceWorker.ready, waited]);
  }

  async function notify(title, body, options) {
    if (!('Notification' in window) || Notification.permission !== 'granted') {
      return false;
    }
    const settings = typeof options === 'string' ? { url: options } : options || {};
    const shown = { body: body || '', data: { url: settings.url || location.pathname + location.search } };
    if (settings.lang) {
      shown.lang = settings.lang;
    }
    if (settings.tag) {
      shown.tag = settings.tag;
    }
    const worker = await currentRegistration();
    if (worker) {
      if (settings.tag && typeof worker.getNotifications === 'function') {
        const existing = await worker.getNotifications({ tag: settings.tag });
        if (existing.length > 0) {
          return 'already';
        }
      }
      // Phones only show notifications made through a service worker.
      await worker.showNotification(title, shown);
    } else {
      new Notification(title, shown);
    }
    return true;
  }

  window.omnicanalPush = { supported, register, subscribe, subscribeAt, unsubscribe, notify };
})();
