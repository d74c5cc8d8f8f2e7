// The service worker of the pages that work offline (the gate scan page, the sampling page), served
// by each module under its own path so that its scope is that module's (core/pwa.py).
// Such a page opens with no network: its HTML is network-first with the cached copy as fallback,
// and static files are cache-first. Only pages that asked to be kept are kept: the page posts
// {cache: [urls]} once it is controlled, so its own URL and assets are stored even on the very
// first visit. API calls are never cached here: the page keeps its own data in IndexedDB.
"use strict";

const CACHE = "tongzhou-offline-v1";

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  const urls = (event.data && event.data.cache) || [];
  event.waitUntil(caches.open(CACHE).then((cache) => Promise.all(urls.map((url) => cache.add(url).catch(() => null)))));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(
      caches.match(request).then(
        (hit) =>
          hit ||
          fetch(request).then((response) => {
            if (response.ok) {
              const copy = response.clone();
              caches.open(CACHE).then((cache) => cache.put(request, copy));
            }
            return response;
          }),
      ),
    );
    return;
  }
  if (request.mode === "navigate") {
    const key = url.pathname + url.search;
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            // Refresh the copy of a page that asked to be kept; keep no other page.
            caches.open(CACHE).then((cache) => cache.match(key).then((hit) => hit && cache.put(key, copy)));
          }
          return response;
        })
        .catch(() => caches.match(key).then((hit) => hit || Response.error())),
    );
  }
});
