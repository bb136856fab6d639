/* Jemput Bola field app: the week, recording forms, the offline queue.
 * Everything the person records goes into the IndexedDB queue first and is sent from
 * there (now when online, later otherwise), so a lost connection never loses a record. */
(function () {
  "use strict";
  var T = JSON.parse(document.getElementById("fa-strings").textContent);
  var API = JSON.parse(document.getElementById("fa-api").textContent);
  var LANG = document.documentElement.lang || "id";
  /* Times are the campaign's (WITA), whatever zone the phone is set to. */
  var CLOCK = API.clock || { timeZone: "Asia/Makassar", label: "WITA" };
  var NUMBER = new Intl.NumberFormat(LANG);
  var Store = window.FieldStore;
  var app = document.getElementById("app");
  var state = { data: null, cachedAt: null, queue: [], notices: [], login: false, team: null, week: null };

  /* --- small helpers ------------------------------------------------------------ */

  function t(key, values) {
    var text = T[key] || key;
    if (values) {
      Object.keys(values).forEach(function (name) { text = text.split("%(" + name + ")s").join(values[name]); });
      text = text.split("%%").join("%");  // python-format strings write a literal % as %%
    }
    return text;
  }

  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name.slice(0, 2) === "on") el.addEventListener(name.slice(2), value);
      else if (name === "text") el.textContent = value;
      else if (value === true) el.setAttribute(name, "");
      else el.setAttribute(name, value);
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      if (Array.isArray(child)) child.forEach(function (c) { if (c) el.appendChild(c); });
      else el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return el;
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var x = Array.prototype.map.call(b, function (n) { return (n + 256).toString(16).slice(1); }).join("");
    return x.slice(0, 8) + "-" + x.slice(8, 12) + "-" + x.slice(12, 16) + "-" + x.slice(16, 20) + "-" + x.slice(20);
  }

  function num(n) { return typeof n === "number" ? NUMBER.format(n) : n; }

  /* A calendar day ("2020-03-02") is the same day everywhere; an instant is shown as
     the campaign's clock reads it. */
  function day(iso) {
    if (!iso) return "";
    var dateOnly = iso.length === 10;
    var d = new Date(dateOnly ? iso + "T12:00:00Z" : iso);
    return d.toLocaleDateString(LANG, { weekday: "short", day: "numeric", month: "short",
      timeZone: dateOnly ? "UTC" : CLOCK.timeZone });
  }
  function dayTime(iso) {
    if (!iso) return "";
    var time = new Date(iso).toLocaleTimeString(LANG, { hour: "2-digit", minute: "2-digit", timeZone: CLOCK.timeZone });
    return day(iso) + " " + time + " " + CLOCK.label;
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  /* The campaign clock's reading of an instant: {year, month, day, hour, minute}. */
  function clockParts(date) {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", { timeZone: CLOCK.timeZone, year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(date)
      .forEach(function (part) { parts[part.type] = part.value; });
    return parts;
  }
  function localInput(date) {
    var p = clockParts(date);
    return p.year + "-" + p.month + "-" + p.day + "T" + p.hour + ":" + p.minute;
  }
  /* "2020-03-02T09:30" typed in the form (campaign time) → ISO with the campaign's offset. */
  function withOffset(value) {
    var asUtc = new Date(value + ":00Z");
    var p = clockParts(asUtc);
    var off = Math.round((Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute) - asUtc.getTime()) / 60000);
    var sign = off >= 0 ? "+" : "-";
    off = Math.abs(off);
    return value + ":00" + sign + pad(Math.floor(off / 60)) + ":" + pad(off % 60);
  }
  function todayIso() {
    return localInput(new Date()).slice(0, 10);
  }

  function toast(text) {
    var el = document.getElementById("toast");
    el.textContent = text;
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { el.hidden = true; }, 4000);
  }

  function csrfCookie() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  /* --- data --------------------------------------------------------------------- */

  function weekKey() { return "week:" + (state.team || "") + ":" + (state.week || ""); }

  async function loadWeek() {
    var params = [];
    if (state.team) params.push("team=" + state.team);
    if (state.week) params.push("week=" + state.week);
    var url = API.week + (params.length ? "?" + params.join("&") : "");
    try {
      var response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.status === 401) {
        state.login = true;
      } else if (response.ok) {
        state.login = false;
        state.data = await response.json();
        state.cachedAt = response.headers.get("X-Fieldapp-Cached");
        state.team = state.data.team.id;
        await Store.put("meta", state.team, "team");
        if (!state.cachedAt) await Store.put("meta", { data: state.data, savedAt: Date.now() }, weekKey());
        return;
      } else if (response.status !== 503) {
        var body = await response.json().catch(function () { return {}; });
        state.error = body.error || String(response.status);
      }
    } catch (error) { /* no signal: fall through to the copy on this phone */ }
    var saved = await Store.get("meta", weekKey());
    if (saved) {
      state.data = saved.data;
      state.cachedAt = new Date(saved.savedAt).toISOString();
    }
  }

  async function refreshQueue() {
    state.queue = await Store.queue();
    state.notices = await Store.all("notices");
  }

  var syncing = false;
  async function sync() {
    if (syncing) return;
    syncing = true;
    renderSync(t("syncing"));
    var result;
    try {
      await Store.put("meta", csrfCookie(), "csrf");
      result = await Store.flush();
    } finally {
      syncing = false;
    }
    if (result.stopped === "login") state.login = true;
    if (result.stopped === "offline") setOnline(false);
    await refreshQueue();
    if (result.sent || result.notices) await loadWeek();
    render();
    return result;
  }

  async function enqueue(item) {
    item.createdAt = item.createdAt || Date.now();
    await Store.put("queue", item);
    await Store.put("meta", csrfCookie(), "csrf");
    await refreshQueue();
    if (navigator.onLine) {
      var result = await sync();
      if (result && !result.stopped) { toast(t("savedOnline")); return; }
    }
    toast(t("savedOffline"));
    registerBackgroundSync();
    render();
  }

  function registerBackgroundSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.sync) return reg.sync.register("fieldapp-sync");
    }).catch(function () { /* no Background Sync: the online event and the next start send it */ });
  }

  /* --- chrome: offline banner, sync status, notices ------------------------------ */

  function setOnline(online) {
    document.getElementById("offline").hidden = online;
    document.body.classList.toggle("is-offline", !online);
  }

  function renderSync(text) {
    var el = document.getElementById("sync");
    el.textContent = "";
    if (text) { el.textContent = text; return; }
    var count = state.queue.length;
    if (!count) { el.textContent = state.data ? t("allSent") : ""; return; }
    el.appendChild(document.createTextNode(t("pending", { count: num(count) }) + " "));
    if (navigator.onLine) el.appendChild(h("button", { type: "button", onclick: sync }, t("syncNow")));
  }

  var FIELDS = ["status", "people_guided", "people_completed", "follow_up_needed", "notes", "starts_at"];
  var LABELS = { status: "status", people_guided: "guided", people_completed: "completed",
    follow_up_needed: "followUp", notes: "notes", starts_at: "when" };

  function shown(name, value) {
    if (name === "status") return t("status_" + value);
    if (name === "starts_at") return dayTime(value);
    if (typeof value === "boolean") return value ? "✔" : "–";
    return value === "" || value === undefined ? "–" : String(num(value));
  }

  /* One version of a session; the fields that differ from the other are marked. */
  function describe(session, other) {
    return h("dl", null, FIELDS.map(function (name) {
      if (!(name in session)) return null;
      var value = shown(name, session[name]);
      var differs = name in other && shown(name, other[name]) !== value;
      return h("div", { class: differs ? "diff" : null },
        h("dt", { text: t(LABELS[name]) }), h("dd", { text: value }));
    }));
  }

  function renderNotices() {
    var box = document.getElementById("notices");
    box.textContent = "";
    state.notices.forEach(function (notice) {
      var dismiss = h("button", { type: "button", class: "btn small", onclick: function () {
        Store.del("notices", notice.key).then(refreshQueue).then(render);
      } }, notice.type === "conflict" ? t("keepServer") : t("dismiss"));
      if (notice.type === "conflict") {
        var mine = h("button", { type: "button", class: "btn small primary", onclick: async function () {
          var body = Object.assign({}, notice.item.body, { base_updated_at: notice.server.updated_at });
          await Store.del("notices", notice.key);
          await enqueue(Object.assign({}, notice.item, { body: body, createdAt: Date.now() }));
        } }, t("useMine"));
        box.appendChild(h("section", { class: "notice", role: "alert" },
          h("h2", { text: t("conflictTitle") + ": " + (notice.item.label || "") }),
          h("p", { text: t("conflictText") }),
          h("div", { class: "compare" },
            h("div", null, h("strong", { text: t("serverVersion") }), describe(notice.server, notice.item.body)),
            h("div", null, h("strong", { text: t("yourVersion") }), describe(notice.item.body, notice.server))),
          h("div", { class: "row" }, dismiss, mine)));
      } else {
        box.appendChild(h("section", { class: "notice", role: "alert" },
          h("h2", { text: t("rejectedTitle") + ": " + (notice.item.label || "") }),
          h("p", { text: notice.message }),
          h("div", { class: "row" }, dismiss)));
      }
    });
  }

  /* --- the week ----------------------------------------------------------------- */

  function pendingCreates() {
    return state.queue.filter(function (item) { return item.kind === "create"; });
  }
  function pendingEdit(id) {
    return state.queue.filter(function (item) { return item.key === "edit:" + id; })[0];
  }

  function contactRow(contact) {
    return h("div", { class: "contact" },
      h("div", null, h("strong", { text: contact.name }), contact.position ? " · " + contact.position : ""),
      contact.phone ? h("div", { class: "row" },
        h("a", { class: "btn small", href: contact.tel }, t("call")),
        h("a", { class: "btn small", href: contact.whatsapp, rel: "noopener" }, t("whatsapp")),
        contact.progress_whatsapp ? h("a", { class: "btn small", href: contact.progress_whatsapp, rel: "noopener" },
          t("progressWhatsapp")) : null) : null);
  }

  // The institution's staff-progress link: the phone's share sheet, or the clipboard.
  async function shareProgress(inst) {
    try {
      if (navigator.share) {
        await navigator.share({ title: inst.name, url: inst.progress_url });
      } else {
        await navigator.clipboard.writeText(inst.progress_url);
        toast(t("linkCopied"));
      }
    } catch (error) { /* the member closed the share sheet */ }
  }

  function assignmentCard(row, isToday) {
    var inst = row.institution;
    var waiting = pendingCreates().filter(function (item) { return item.body.institution === inst.id; });
    var last = row.last_session;
    var contacts = inst.contacts;
    var when = row.planned_at ? dayTime(row.planned_at) : row.planned_date ? day(row.planned_date) : t("notPlannedDay");
    return h("article", { class: "card" + (isToday ? " today" : ""), "data-institution": inst.id },
      h("h3", { text: inst.name }),
      h("p", { class: "meta", text: inst.kind + " · " + inst.region }),
      inst.address ? h("p", { class: "meta", text: inst.address }) : null,
      h("p", { class: "meta" }, h("strong", { text: t("planned", { when: when }) })),
      h("p", { class: "meta", text: last ? t("lastSession", { when: day(last.starts_at), guided: num(last.people_guided),
        completed: num(last.people_completed) }) : t("noSession") }),
      inst.staff ? h("p", { class: "meta staff-done", text: t("staffDone", { completed: num(inst.staff.completed),
        total: num(inst.staff.total), percent: num(inst.staff.percent) }) }) : null,
      waiting.length ? h("p", null, h("span", { class: "badge", text: t("waiting") + " (" + waiting.length + ")" })) : null,
      h("a", { class: "btn primary big", href: "#/catat/" + inst.id }, t("record")),
      h("div", { class: "actions" },
        contacts[0] && contacts[0].phone ? h("a", { class: "btn", href: contacts[0].tel }, t("call")) : null,
        contacts[0] && contacts[0].phone ? h("a", { class: "btn", href: contacts[0].whatsapp, rel: "noopener" }, t("whatsapp")) : null,
        h("a", { class: "btn", href: inst.geo_url && /Android/.test(navigator.userAgent) ? inst.geo_url : inst.map_url,
          rel: "noopener" }, t("map")),
        h("button", { type: "button", class: "btn wide", onclick: function () { shareProgress(inst); } }, t("shareProgress"))),
      h("details", null, h("summary", { text: t("contacts") + " (" + contacts.length + ")" }),
        contacts.length ? contacts.map(contactRow) : h("p", { class: "meta", text: t("noContacts") })));
  }

  function sessionItem(session, key, waiting) {
    return h("li", { class: "card", "data-session": key },
      h("strong", { text: session.institution_name }),
      h("p", { class: "meta", text: dayTime(session.starts_at) + " · " + t("status_" + session.status) }),
      h("p", { class: "meta", text: t("people", { guided: num(session.people_guided), completed: num(session.people_completed) }) }),
      waiting ? h("span", { class: "badge", text: t("waiting") }) : null,
      h("div", { class: "row" }, h("a", { class: "btn small", href: "#/ubah/" + key }, t("edit"))));
  }

  function institutionName(id) {
    var rows = (state.data && state.data.assignments) || [];
    for (var i = 0; i < rows.length; i++) if (rows[i].institution.id === id) return rows[i].institution.name;
    var sessions = (state.data && state.data.sessions) || [];
    for (var j = 0; j < sessions.length; j++) if (sessions[j].institution === id) return sessions[j].institution_name;
    return "";
  }

  function renderWeek() {
    var d = state.data;
    if (!d) {
      return [h("p", { class: state.login ? "error" : "muted", text: state.login ? t("loginNeeded") : state.error || t("noData") }),
        state.login ? h("a", { class: "btn primary big", href: API.login + "?next=" + API.shell }, t("signIn")) : null];
    }
    var p = d.progress;
    var bar = h("progress", { max: p.target || 1, value: Math.min(p.held, p.target || 1) });
    var today = d.today;
    var todays = d.assignments.filter(function (row) { return row.planned_date === today; });
    var others = d.assignments.filter(function (row) { return row.planned_date !== today; });
    var sessions = d.sessions.map(function (s) {
      var edit = pendingEdit(s.id);
      return sessionItem(edit ? Object.assign({}, s, edit.body) : s, "s" + s.id, !!edit);
    });
    pendingCreates().forEach(function (item) {
      sessions.unshift(sessionItem(Object.assign({ institution_name: item.label }, item.body), "q" + item.body.client_id, true));
    });
    var teamPicker = d.teams.length > 1 ? h("select", { "aria-label": t("team"), onchange: function (e) {
      state.team = Number(e.target.value); state.week = null; loadWeek().then(render);
    } }, d.teams.map(function (team) {
      return h("option", { value: team.id, selected: team.id === d.team.id }, team.name);
    })) : null;
    return [
      state.login ? h("p", { class: "notice" }, t("loginNeeded") + " ", h("a", { href: API.login + "?next=" + API.shell }, t("signIn"))) : null,
      state.cachedAt ? h("p", { class: "meta", text: t("cachedCopy", { time: dayTime(state.cachedAt) }) }) : null,
      h("section", { class: "card progress", "aria-label": t("thisWeek") },
        h("div", { class: "weeknav" },
          d.previous_week ? h("button", { type: "button", class: "btn small", "aria-label": t("previousWeek"),
            onclick: function () { state.week = d.previous_week; loadWeek().then(render); } }, "‹") : h("span"),
          h("strong", { text: d.team.name }),
          d.next_week ? h("button", { type: "button", class: "btn small", "aria-label": t("nextWeek"),
            onclick: function () { state.week = d.next_week; loadWeek().then(render); } }, "›") : h("span")),
        teamPicker,
        h("p", { class: "meta", text: t("week", { start: day(d.week), end: day(d.week_end) }) }),
        h("p", null, h("strong", { "data-progress": p.held + "/" + p.target, text: t("progress", { held: num(p.held), target: num(p.target) }) })),
        bar,
        h("p", { class: "meta", text: t("people", { guided: num(p.guided), completed: num(p.completed) }) })),
      todays.length ? h("h2", { text: t("today") }) : null,
      todays.map(function (row) { return assignmentCard(row, true); }),
      h("h2", { text: t("thisWeek") }),
      others.length || todays.length ? others.map(function (row) { return assignmentCard(row, false); })
        : h("p", { class: "muted", text: t("nothingPlanned") }),
      h("h2", { text: t("sessionsThisWeek") }),
      sessions.length ? h("ul", { class: "plain", id: "sessions" }, sessions) : h("p", { class: "muted", text: t("noSessions") }),
      h("h2", { text: t("meetingsThisWeek") }),
      h("ul", { class: "plain" }, d.meetings.map(function (m) {
        return h("li", { class: "meta", text: day(m.date) + " · " + m.district_name + " · " + t("attendees") + ": " + num(m.attendees) });
      })),
      h("a", { class: "btn big", href: "#/rakorcam" }, t("recordRakorcam"))
    ];
  }

  /* --- forms -------------------------------------------------------------------- */

  function stepper(name, label, value) {
    var input = h("input", { type: "number", id: "f-" + name, name: name, min: "0", inputmode: "numeric", value: String(value || 0) });
    function step(delta) {
      return function () { input.value = String(Math.max(0, (parseInt(input.value, 10) || 0) + delta)); };
    }
    return [h("label", { for: "f-" + name, text: label }),
      h("div", { class: "stepper" },
        h("button", { type: "button", "aria-label": t("less") + ": " + label, onclick: step(-1) }, "−"),
        input,
        h("button", { type: "button", "aria-label": t("more") + ": " + label, onclick: step(1) }, "+"))];
  }

  /* Photos are shrunk on the phone: at most 1280 px on the long side, JPEG 80%. */
  async function resizePhoto(file) {
    var bitmap = await createImageBitmap(file);
    var scale = Math.min(1, 1280 / Math.max(bitmap.width, bitmap.height));
    var canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    if (bitmap.close) bitmap.close();
    return canvas.toDataURL("image/jpeg", 0.8);
  }

  function sessionForm(options) {
    var s = options.session;
    var photo = null;
    var error = h("p", { class: "error", role: "alert", hidden: true });
    var statuses = ["held", "cancelled", "rescheduled"];
    var preview = h("img", { class: "photo-preview", alt: "", hidden: true });
    var photoInfo = h("p", { class: "meta", hidden: true });
    var fileInput = h("input", { type: "file", id: "f-photo", accept: "image/*", capture: "environment", onchange: async function (e) {
      var file = e.target.files[0];
      if (!file) return;
      photo = await resizePhoto(file);
      preview.src = photo;
      preview.hidden = false;
      photoInfo.textContent = t("photoReady", { size: num(Math.round(photo.length * 0.75 / 1024)) });
      photoInfo.hidden = false;
    } });
    var form = h("form", { class: "form", id: "session-form", novalidate: true, onsubmit: async function (e) {
      e.preventDefault();
      var f = form.elements;
      var status = f.status.value;
      var guided = status === "held" ? parseInt(f.people_guided.value, 10) || 0 : 0;
      var completed = status === "held" ? parseInt(f.people_completed.value, 10) || 0 : 0;
      if (completed > guided) { error.textContent = t("errorCompleted"); error.hidden = false; return; }
      var values = {
        starts_at: withOffset(f.starts_at.value || localInput(new Date())),
        status: status,
        people_guided: guided,
        people_completed: completed,
        follow_up_needed: f.follow_up_needed.checked,
        notes: f.notes.value
      };
      if (photo) values.photo = photo;
      form.querySelector("button[type=submit]").disabled = true;
      await options.save(values);
      location.hash = "#/";
    } },
      h("fieldset", null, h("legend", { text: t("status") }),
        h("div", { class: "seg" }, statuses.map(function (status) {
          return [h("input", { type: "radio", name: "status", id: "st-" + status, value: status, checked: s.status === status }),
            h("label", { for: "st-" + status, text: t("status_" + status) })];
        }).reduce(function (a, b) { return a.concat(b); }, []))),
      stepper("people_guided", t("guided"), s.people_guided),
      stepper("people_completed", t("completed"), s.people_completed),
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "follow_up_needed", checked: !!s.follow_up_needed }), t("followUp")),
      h("label", { for: "f-notes", text: t("notes") }),
      h("textarea", { id: "f-notes", name: "notes", rows: "3" }, s.notes || ""),
      h("label", { for: "f-photo", text: t("photo") }),
      h("div", { class: "btn file" }, t("addPhoto"), fileInput),
      photoInfo, preview,
      h("label", { for: "f-when", text: t("when") + " (" + CLOCK.label + ")" }),
      h("input", { type: "datetime-local", id: "f-when", name: "starts_at",
        value: localInput(s.starts_at ? new Date(s.starts_at) : new Date()) }),
      error,
      h("p", null, h("button", { type: "submit", class: "btn primary big" }, t("save"))),
      h("a", { class: "btn big", href: "#/" }, t("cancel")));
    return [h("a", { href: "#/", class: "meta" }, "‹ " + t("back")), h("h1", { text: options.title }), form];
  }

  function recordView(institutionId) {
    var name = institutionName(institutionId);
    return sessionForm({
      title: name,
      session: { status: "held", people_guided: 0, people_completed: 0 },
      save: function (values) {
        var clientId = uuid();
        var body = Object.assign({ client_id: clientId, team: state.data.team.id, institution: institutionId }, values);
        return enqueue({ key: "create:" + clientId, kind: "create", url: API.sessions, method: "POST", body: body, label: name });
      }
    });
  }

  function editView(key) {
    if (key.charAt(0) === "q") {
      var clientId = key.slice(1);
      var item = state.queue.filter(function (i) { return i.key === "create:" + clientId; })[0];
      if (!item) return renderWeek();
      return sessionForm({
        title: item.label,
        session: item.body,
        save: async function (values) {
          // Not sent yet: change the queued recording itself (same client_id).
          await Store.exclusive(async function () {
            var current = await Store.get("queue", item.key);
            if (current) await Store.put("queue", Object.assign(current, { body: Object.assign(current.body, values) }));
          });
          await refreshQueue();
          if (navigator.onLine) await sync();
          render();
        }
      });
    }
    var id = Number(key.slice(1));
    var session = state.data.sessions.filter(function (s) { return s.id === id; })[0];
    if (!session) return renderWeek();
    var pending = pendingEdit(id);
    return sessionForm({
      title: session.institution_name,
      session: pending ? Object.assign({}, session, pending.body) : session,
      save: function (values) {
        var base = pending ? pending.body.base_updated_at : session.updated_at;
        return enqueue({ key: "edit:" + id, kind: "edit", url: API.sessions + "/" + id, method: "PUT",
          body: Object.assign({ base_updated_at: base }, values), label: session.institution_name });
      }
    });
  }

  function meetingView() {
    var d = state.data;
    var form = h("form", { class: "form", id: "meeting-form", onsubmit: async function (e) {
      e.preventDefault();
      var f = form.elements;
      var body = { client_id: uuid(), team: d.team.id, district: Number(f.district.value), date: f.date.value,
        attendees: parseInt(f.attendees.value, 10) || 0, notes: f.notes.value };
      form.querySelector("button[type=submit]").disabled = true;
      var label = t("rakorcam") + " " + f.district.options[f.district.selectedIndex].text;
      await enqueue({ key: "meeting:" + body.client_id, kind: "meeting", url: API.meetings, method: "POST", body: body, label: label });
      location.hash = "#/";
    } },
      h("label", { for: "f-district", text: t("district") }),
      h("select", { id: "f-district", name: "district", required: true }, d.districts.map(function (district) {
        return h("option", { value: district.id }, district.name);
      })),
      h("label", { for: "f-date", text: t("date") }),
      h("input", { type: "date", id: "f-date", name: "date", required: true, value: todayIso() }),
      stepper("attendees", t("attendees"), 0),
      h("label", { for: "f-notes", text: t("notes") }),
      h("textarea", { id: "f-notes", name: "notes", rows: "3" }),
      h("p", null, h("button", { type: "submit", class: "btn primary big" }, t("save"))),
      h("a", { class: "btn big", href: "#/" }, t("cancel")));
    return [h("a", { href: "#/", class: "meta" }, "‹ " + t("back")), h("h1", { text: t("rakorcam") }), form];
  }

  /* --- routing ------------------------------------------------------------------ */

  function render() {
    renderSync();
    renderNotices();
    var route = location.hash.replace(/^#\/?/, "").split("/");
    var view;
    if (state.data && route[0] === "catat" && route[1]) view = recordView(Number(route[1]));
    else if (state.data && route[0] === "ubah" && route[1]) view = editView(route[1]);
    else if (state.data && route[0] === "rakorcam") view = meetingView();
    else view = renderWeek();
    var scroll = route[0] ? 0 : window.scrollY;
    app.textContent = "";
    [].concat(view).forEach(function (node) {
      if (Array.isArray(node)) node.forEach(function (n) { if (n) app.appendChild(n); });
      else if (node) app.appendChild(node);
    });
    document.body.dataset.view = route[0] || "week";
    window.scrollTo(0, scroll);
  }

  window.addEventListener("hashchange", render);
  window.addEventListener("online", function () { setOnline(true); sync(); });
  window.addEventListener("offline", function () { setOnline(false); renderSync(); });

  document.getElementById("signout").addEventListener("submit", function (e) {
    var form = e.target;
    e.preventDefault();
    if (state.queue.length && !confirm(t("signOutPending"))) return;
    // The shell may be an older cached copy: send the current CSRF token.
    var field = form.querySelector("[name=csrfmiddlewaretoken]");
    if (field && csrfCookie()) field.value = csrfCookie();
    if (navigator.serviceWorker && navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage("clear-data");
    Store.forgetWeeks().catch(function () {}).then(function () { form.submit(); });
  });

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(API.sw, { scope: API.shell }).catch(function () {});
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "synced") refreshQueue().then(loadWeek).then(render);
    });
  }

  async function start() {
    setOnline(navigator.onLine);
    var csrf = csrfCookie();
    if (csrf) await Store.put("meta", csrf, "csrf");
    state.team = (await Store.get("meta", "team")) || null;
    await refreshQueue();
    await loadWeek();
    render();
    if (state.queue.length && navigator.onLine) sync();
  }
  start();
})();
