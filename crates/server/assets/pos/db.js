// The till's memory in the browser (IndexedDB), which outlives a reload, a closed tab and a
// browser restart: settings (which device, the open cash session, the catalogue snapshot), the
// device's receipt counter, and the queue of sales not yet accepted by the server.
//
// A sale's receipt number and its place in the queue are written in ONE transaction, so a
// number is never given twice nor lost by a crash between the two. Limit: the queue holds at
// most MAX_QUEUED sales (a till offline for days refuses new sales rather than grow forever).
"use strict";

const NAME = "omnicanal-pos";
const VERSION = 1;
export const MAX_QUEUED = 5000;

let opened = null;

function open() {
  if (!opened) {
    opened = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("kv")) db.createObjectStore("kv");
        if (!db.objectStoreNames.contains("sales")) db.createObjectStore("sales", { keyPath: "id" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opened;
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("aborted"));
  });
}

function result(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** The setting `key`, or undefined. */
export async function get(key) {
  const db = await open();
  return result(db.transaction("kv").objectStore("kv").get(key));
}

/** Keeps `value` under `key` (undefined deletes it). */
export async function put(key, value) {
  const db = await open();
  const tx = db.transaction("kv", "readwrite");
  if (value === undefined) tx.objectStore("kv").delete(key);
  else tx.objectStore("kv").put(value, key);
  await done(tx);
}

const counterKey = (deviceId) => `receipt-counter:${deviceId}`;

/** Raises the device's counter to `n` when the server knows of a later number than we do. */
export async function raiseReceipt(deviceId, n) {
  const db = await open();
  const tx = db.transaction("kv", "readwrite");
  const store = tx.objectStore("kv");
  const current = (await result(store.get(counterKey(deviceId)))) || 0;
  if (n > current) store.put(n, counterKey(deviceId));
  await done(tx);
}

/**
 * Takes the device's next receipt number and queues the sale `make(n)` builds with it, in one
 * transaction. Throws "queue_full" when the queue is full.
 */
export async function queueSale(deviceId, make) {
  const db = await open();
  const tx = db.transaction(["kv", "sales"], "readwrite");
  const kv = tx.objectStore("kv");
  const sales = tx.objectStore("sales");
  const count = await result(sales.count());
  if (count >= MAX_QUEUED) {
    tx.abort();
    throw new Error("queue_full");
  }
  const n = ((await result(kv.get(counterKey(deviceId)))) || 0) + 1;
  const sale = make(n);
  sales.put(sale);
  kv.put(n, counterKey(deviceId));
  await done(tx);
  return sale;
}

/**
 * Gives back receipt number `n` of a sale the server refused outright (nothing recorded), when
 * it is still the device's last: the next sale takes it, so the series has no gap.
 */
export async function giveBackReceipt(deviceId, n) {
  const db = await open();
  const tx = db.transaction("kv", "readwrite");
  const store = tx.objectStore("kv");
  if ((await result(store.get(counterKey(deviceId)))) === n) store.put(n - 1, counterKey(deviceId));
  await done(tx);
}

/** Every queued sale, oldest receipt first. */
export async function queuedSales() {
  const db = await open();
  const all = await result(db.transaction("sales").objectStore("sales").getAll());
  return all.sort((a, b) => a.device_id.localeCompare(b.device_id) || a.n - b.n);
}

/** Rewrites a queued sale (its state, attempts, last problem). */
export async function updateSale(sale) {
  const db = await open();
  const tx = db.transaction("sales", "readwrite");
  tx.objectStore("sales").put(sale);
  await done(tx);
}

/** Forgets a sale the server accepted (or the cashier dismissed after a refusal). */
export async function removeSale(id) {
  const db = await open();
  const tx = db.transaction("sales", "readwrite");
  tx.objectStore("sales").delete(id);
  await done(tx);
}
