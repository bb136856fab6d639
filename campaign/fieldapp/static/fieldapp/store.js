/* Field app storage and sync, shared by the page and the service worker.
 *
 * IndexedDB "fieldapp":
 *   queue   – recordings not yet accepted by the server (key, url, method, body, …)
 *   notices – conflicts (409) and rejections (400/403/404) to show the person
 *   meta    – CSRF token, the last week data per team and week
 *
 * flush() sends the queue oldest first. A network error or a 401/429/5xx stops it and
 * keeps the item (it is sent again later); the server is idempotent on client_id, so a
 * second copy of a request that already arrived changes nothing.
 */
(function (global) {
  "use strict";
  var DB_NAME = "fieldapp";
  var dbPromise = null;

  function request(r) {
    return new Promise(function (resolve, reject) {
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }

  function open() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var r = indexedDB.open(DB_NAME, 1);
        r.onupgradeneeded = function () {
          var db = r.result;
          db.createObjectStore("queue", { keyPath: "key" });
          db.createObjectStore("notices", { keyPath: "key" });
          db.createObjectStore("meta");
        };
        r.onsuccess = function () { resolve(r.result); };
        r.onerror = function () { reject(r.error); };
      });
    }
    return dbPromise;
  }

  function store(name, mode) {
    return open().then(function (db) { return db.transaction(name, mode).objectStore(name); });
  }
  function get(name, key) { return store(name, "readonly").then(function (s) { return request(s.get(key)); }); }
  function all(name) { return store(name, "readonly").then(function (s) { return request(s.getAll()); }); }
  function put(name, value, key) {
    return store(name, "readwrite").then(function (s) { return request(key === undefined ? s.put(value) : s.put(value, key)); });
  }
  function del(name, key) { return store(name, "readwrite").then(function (s) { return request(s.delete(key)); }); }

  /* Forgets the team's cached weeks (on sign-out); the queue stays. */
  function forgetWeeks() {
    return store("meta", "readwrite").then(function (s) {
      return request(s.getAllKeys()).then(function (keys) {
        keys.filter(function (key) { return String(key).indexOf("week:") === 0; })
          .forEach(function (key) { s.delete(key); });
      });
    });
  }

  /* Runs fn alone (one sync or queue edit at a time, across tabs and the worker). */
  function exclusive(fn) {
    if (global.navigator && global.navigator.locks) return global.navigator.locks.request("fieldapp-queue", fn);
    return Promise.resolve().then(fn);
  }

  function queue() {
    return all("queue").then(function (items) {
      return items.sort(function (a, b) { return a.createdAt - b.createdAt; });
    });
  }

  function send(item, token) {
    return fetch(item.url, {
      method: item.method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token || "" },
      body: JSON.stringify(item.body)
    });
  }

  function flush() {
    return exclusive(async function () {
      var result = { sent: 0, notices: 0, stopped: null, sessions: [] };
      var items = await queue();
      if (!items.length) return result;
      var token = await get("meta", "csrf");
      for (var i = 0; i < items.length; i++) {
        var item = items[i];
        var response;
        try {
          response = await send(item, token);
        } catch (error) {
          result.stopped = "offline";
          break;
        }
        var data = null;
        try { data = await response.json(); } catch (error) { data = null; }
        if (response.ok) {
          await del("queue", item.key);
          result.sent += 1;
          if (data && data.session) result.sessions.push(data.session);
        } else if (response.status === 409 && data) {
          await put("notices", { key: item.key, type: "conflict", item: item, server: data.server, message: data.error, at: Date.now() });
          await del("queue", item.key);
          result.notices += 1;
        } else if (data && (response.status === 400 || response.status === 404 ||
                            (response.status === 403 && data.code === "not_your_team"))) {
          await put("notices", { key: item.key, type: "rejected", item: item, message: data.error, at: Date.now() });
          await del("queue", item.key);
          result.notices += 1;
        } else if (response.status === 401 || response.status === 403) {
          result.stopped = "login";
          break;
        } else {
          result.stopped = "server";
          break;
        }
      }
      return result;
    });
  }

  global.FieldStore = {
    open: open, get: get, all: all, put: put, del: del,
    queue: queue, flush: flush, exclusive: exclusive, forgetWeeks: forgetWeeks
  };
})(self);
