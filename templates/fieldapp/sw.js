/* Jemput Bola field app – service worker, version {{ version }}.
 * Shell and static files: from the cache (refreshed in the background).
 * Week data: from the network, the cached copy when there is no signal.
 * Recordings: queued in IndexedDB by the page; sent here on Background Sync. */
"use strict";
importScripts("{{ store_url }}");

var VERSION = "{{ version }}";
var SHELL_CACHE = "fieldapp-shell-" + VERSION;
var DATA_CACHE = "fieldapp-data";
var SHELL_URL = "{{ shell_url }}";
var WEEK_URL = "{{ week_url }}";
var ASSETS = {{ assets_json|safe }};
var NETWORK_TIMEOUT = 6000;

function cacheable(response) {
  return response && response.ok && !response.redirected && response.type === "basic";
}

self.addEventListener("install", function (event) {
  event.waitUntil((async function () {
    var cache = await caches.open(SHELL_CACHE);
    await Promise.all(ASSETS.map(async function (url) {
      var response = await fetch(new Request(url, { credentials: "same-origin", cache: "reload" }));
      if (!cacheable(response)) throw new Error("not cached: " + url);
      await cache.put(url, response);
    }));
    // The week is ready for a start without signal, even before the page asks again.
    try {
      var week = await fetch(WEEK_URL, { credentials: "same-origin" });
      if (cacheable(week)) await (await caches.open(DATA_CACHE)).put(WEEK_URL, week);
    } catch (error) { /* offline: the page's own copy is used */ }
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", function (event) {
  event.waitUntil((async function () {
    var names = await caches.keys();
    await Promise.all(names.filter(function (name) {
      return name.indexOf("fieldapp-shell-") === 0 && name !== SHELL_CACHE;
    }).map(function (name) { return caches.delete(name); }));
    await self.clients.claim();
  })());
});

function timeout(promise, ms) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
    promise.then(function (value) { clearTimeout(timer); resolve(value); },
                 function (error) { clearTimeout(timer); reject(error); });
  });
}

async function shellFirst(event) {
  var cache = await caches.open(SHELL_CACHE);
  var cached = await cache.match(SHELL_URL);
  var network = fetch(event.request).then(function (response) {
    if (cacheable(response)) cache.put(SHELL_URL, response.clone());
    return response;
  });
  if (cached) {
    event.waitUntil(network.catch(function () {}));
    return cached;
  }
  return network;
}

async function assetFirst(request) {
  var cache = await caches.open(SHELL_CACHE);
  var cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  var response = await fetch(request);
  if (cacheable(response)) cache.put(request, response.clone());
  return response;
}

async function weekNetworkFirst(request) {
  var cache = await caches.open(DATA_CACHE);
  try {
    var response = await timeout(fetch(request), NETWORK_TIMEOUT);
    if (cacheable(response)) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    var cached = await cache.match(request);
    if (cached) {
      var headers = new Headers(cached.headers);
      headers.set("X-Fieldapp-Cached", headers.get("Date") || "1");
      return new Response(await cached.blob(), { status: 200, headers: headers });
    }
    return new Response(JSON.stringify({ error: "offline", code: "offline" }),
                        { status: 503, headers: { "Content-Type": "application/json" } });
  }
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (url.pathname === SHELL_URL) event.respondWith(shellFirst(event));
    return;
  }
  if (url.pathname === WEEK_URL) {
    event.respondWith(weekNetworkFirst(request));
  } else if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(assetFirst(request));
  }
});

async function syncAndTell() {
  var result = await FieldStore.flush();
  var clients = await self.clients.matchAll({ type: "window" });
  clients.forEach(function (client) { client.postMessage({ type: "synced", result: result }); });
  // A sync event that ends in error is retried by the browser later.
  if (result.stopped === "offline" || result.stopped === "server") throw new Error(result.stopped);
  return result;
}

self.addEventListener("sync", function (event) {
  if (event.tag === "fieldapp-sync") event.waitUntil(syncAndTell());
});

self.addEventListener("message", function (event) {
  if (event.data === "clear-data") event.waitUntil(caches.delete(DATA_CACHE));
});
