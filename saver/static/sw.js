/**
 * The web page's service worker: it makes the page installable, and no more.
 *
 * Network only: nothing is cached, so a text never stays on the device. The
 * fetch handler answers GETs from the network as the browser would (Chromium
 * offers to install only a page whose worker handles fetches); other methods,
 * such as the share target's POST, are left to the browser.
 */
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (event) => {
  if (event.request.method === "GET") event.respondWith(fetch(event.request));
});
