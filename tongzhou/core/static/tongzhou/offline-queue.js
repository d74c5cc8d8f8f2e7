// Work done offline, kept until the server has answered for it: a queue in IndexedDB keyed by the
// client_uuid each item is given when it is made, sent in batches when the network is there. An
// item leaves the queue only once the server answered for it; the server stores a client_uuid once,
// so a sync cut off halfway is simply sent again. Also: posting JSON with the CSRF header and a
// time-out, and registering the offline service worker (offline-sw.js) for a page and its assets.
"use strict";

window.TongzhouOffline = (() => {
  const csrf = () => JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";

  function openQueue(dbName) {
    const ready = new Promise((resolve, reject) => {
      const request = indexedDB.open(dbName, 1);
      request.onupgradeneeded = () => request.result.createObjectStore("queue", { keyPath: "client_uuid" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    async function tx(mode, work) {
      const db = await ready;
      return new Promise((resolve, reject) => {
        const transaction = db.transaction("queue", mode);
        const result = work(transaction.objectStore("queue"));
        transaction.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
        transaction.onerror = () => reject(transaction.error);
        transaction.onabort = () => reject(transaction.error);
      });
    }
    return {
      all: () => tx("readonly", (s) => s.getAll()),
      put: (item) => tx("readwrite", (s) => s.put(item)),
      remove: (uuids) =>
        tx("readwrite", (s) => {
          uuids.forEach((uuid) => s.delete(uuid));
        }),
    };
  }

  async function post(url, body) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 10000);
    try {
      return await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  // Send the queue in batches of `size`; `answered(results)` gets each batch's answers (items with
  // their client_uuid). Answers true when everything was sent, false when the network or the server
  // stopped it (the rest stays queued).
  async function sync(queue, url, { size = 500, payload = (item) => item, answered = () => {} } = {}) {
    let items = await queue.all();
    while (items.length) {
      const chunk = items.slice(0, size);
      let response;
      try {
        response = await post(url, { items: chunk.map(payload) });
      } catch (error) {
        return false;
      }
      if (!response.ok) return false;
      const body = await response.json();
      await answered(body.results);
      await queue.remove(body.results.map((r) => r.client_uuid).filter((uuid) => uuid));
      items = items.slice(chunk.length);
    }
    return true;
  }

  function keepOffline(swUrl, scope, urls) {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker
      .register(swUrl, { scope })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => registration.active.postMessage({ cache: urls }))
      .catch(() => {});
  }

  return { openQueue, post, sync, keepOffline };
})();
