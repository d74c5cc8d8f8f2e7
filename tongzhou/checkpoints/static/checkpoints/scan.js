// The guard's scan page. Online, each scan goes to the server, which decides. Offline (or when the
// server cannot be reached), the page decides with the same rules as tongzhou/checkpoints/rules.py
// from its cache of the compound's passes (SHA-256 digests of the tokens, never the tokens), and
// queues the scan in IndexedDB with its client_uuid. The queue is sent in batches when the network
// returns; an item leaves the queue only after the server answered for it, and the server stores a
// client_uuid once, so a sync cut off halfway is simply sent again.
"use strict";

(() => {
  const config = JSON.parse(document.getElementById("scan-config").textContent);
  const $ = (id) => document.getElementById(id);
  const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  const DB_NAME = "tongzhou-gate";
  const BATCH = 500;
  let passes = null; // {generated_at, passes: [...]} of this gate
  let byDigest = new Map();
  let byId = new Map();
  let picked = null; // {pass_id, label} chosen from the search
  let syncing = false;

  // --- IndexedDB ------------------------------------------------------------------------------
  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("passes", { keyPath: "gate_id" });
        const queue = db.createObjectStore("queue", { keyPath: "client_uuid" });
        queue.createIndex("gate_id", "gate_id");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  const dbReady = openDb();

  async function tx(store, mode, work) {
    const db = await dbReady;
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(store, mode);
      const result = work(transaction.objectStore(store));
      transaction.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  }
  const queued = () => tx("queue", "readonly", (s) => s.index("gate_id").getAll(config.gate_id));
  const enqueue = (item) => tx("queue", "readwrite", (s) => s.put(item));
  const dequeue = (uuids) =>
    tx("queue", "readwrite", (s) => {
      uuids.forEach((uuid) => s.delete(uuid));
    });

  // --- pass cache -------------------------------------------------------------------------------
  function usePasses(data) {
    passes = data;
    byDigest = new Map(data.passes.map((p) => [p.digest, p]));
    byId = new Map(data.passes.map((p) => [p.pass_id, p]));
    showStatus();
  }

  async function loadCachedPasses() {
    const stored = await tx("passes", "readonly", (s) => s.get(config.gate_id));
    if (stored && !passes) usePasses(stored.data);
  }

  async function refreshPasses() {
    try {
      const response = await fetch(config.passes_url, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) return;
      const data = await response.json();
      await tx("passes", "readwrite", (s) => s.put({ gate_id: config.gate_id, data }));
      usePasses(data);
    } catch (error) {
      // Offline: keep the cached copy.
    }
  }

  // --- status -----------------------------------------------------------------------------------
  const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_m, key) => values[key]);

  async function showStatus() {
    const online = navigator.onLine;
    const net = $("net-status");
    net.textContent = online ? config.text.online : config.text.offline;
    net.className = "badge " + (online ? "text-bg-success" : "text-bg-warning");
    $("cache-status").textContent = passes
      ? fill(config.text.cached, { n: passes.passes.length }) +
        " · " +
        new Date(passes.generated_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
      : config.text.no_cache;
    $("cache-status").dataset.count = passes ? String(passes.passes.length) : "0";
    const waiting = (await queued()).length;
    const queue = $("queue-status");
    queue.dataset.count = String(waiting);
    queue.textContent = waiting ? fill(config.text.queued, { n: waiting }) : "";
  }

  // --- deciding ---------------------------------------------------------------------------------
  async function sha256(text) {
    const bytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function localDay(date) {
    return date.toLocaleDateString("en-CA", { timeZone: "Asia/Shanghai" });
  }

  async function decideOffline(item) {
    // The same order as rules.decide on the server.
    if (item.temperature !== null && item.temperature >= config.fever_from) return { reason: "fever" };
    let entry = null;
    if (item.pass_token) entry = byDigest.get(await sha256(item.pass_token));
    else if (item.pass_id) entry = byId.get(item.pass_id);
    if (!entry) return { reason: "unknown" };
    if (entry.status === "revoked") return { reason: "revoked", entry };
    if (entry.valid_until && new Date(entry.valid_until) <= new Date(item.scanned_at)) return { reason: "expired", entry };
    if (item.direction === "out") {
      if (entry.level === "sealed") return { reason: "sealed", entry };
      if (entry.kept_home) return { reason: "kept_home", entry };
      if (entry.level === "controlled") {
        const today = localDay(new Date(item.scanned_at));
        const fromCache = passes && passes.day === today ? entry.outings_today : 0;
        const fromQueue = (await queued()).filter(
          (q) => q.pass_ref === entry.pass_id && q.direction === "out" && q.offline_allowed && localDay(new Date(q.scanned_at)) === today,
        ).length;
        if (fromCache + fromQueue >= config.outings_per_day) return { reason: "quota", entry };
      }
    }
    return { reason: "ok", entry };
  }

  function showAnswer(allowed, reason, subject, note, message) {
    const answer = $("answer");
    answer.classList.remove("d-none", "allowed", "refused");
    answer.classList.add(allowed ? "allowed" : "refused");
    answer.dataset.reason = reason;
    $("answer-title").textContent = allowed ? config.text.allowed : config.text.refused;
    $("answer-reason").textContent = message || config.messages[reason] || reason;
    $("answer-subject").textContent = subject || "";
    $("answer-note").textContent = note || "";
    $("answer-next").focus();
  }

  function resetForm() {
    $("token").value = "";
    $("search").value = "";
    $("search-results").replaceChildren();
    $("search-note").textContent = "";
    $("picked").textContent = "";
    $("temperature").value = "";
    $("form-error").textContent = "";
    picked = null;
  }

  async function post(url, body) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 10000);
    try {
      return await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  async function check(event) {
    event.preventDefault();
    const token = $("token").value.trim();
    const temperature = parseFloat($("temperature").value);
    if (!token && !picked) {
      $("form-error").textContent = config.text.need_pass;
      return;
    }
    if (!(temperature >= 35 && temperature <= 42)) {
      $("form-error").textContent = config.text.need_temperature;
      return;
    }
    // Picked from the search: the answer names the person found (masked), not the pass holder.
    const who = token ? null : picked.label;
    const item = {
      pass_token: token || null,
      pass_id: token ? null : picked.pass_id,
      direction: document.querySelector("input[name=direction]:checked").value,
      temperature,
      client_uuid: crypto.randomUUID(),
      scanned_at: new Date().toISOString(),
    };
    let response = null;
    try {
      response = await post(config.passage_url, item);
    } catch (error) {
      response = null; // the network is down or the server did not answer in time
    }
    if (response && response.ok) {
      const body = await response.json();
      if (body.allowed && item.direction === "out") {
        // Count the outing in the cache too, so an offline decision later today knows of it.
        const entry = item.pass_token ? byDigest.get(await sha256(item.pass_token)) : byId.get(item.pass_id);
        if (entry) entry.outings_today += 1;
      }
      showAnswer(body.allowed, body.reason, who || body.subject);
      resetForm();
      return;
    }
    if (response && response.status < 500 && response.status !== 401 && response.status !== 403) {
      const body = await response.json().catch(() => ({}));
      $("form-error").textContent = fill(config.text.error, { error: body.detail || response.status });
      return;
    }
    const decision = await decideOffline(item);
    const allowed = decision.reason === "ok";
    await enqueue({
      ...item,
      gate_id: config.gate_id,
      offline_allowed: allowed,
      pass_ref: decision.entry ? decision.entry.pass_id : null,
    });
    const note = response && (response.status === 401 || response.status === 403) ? config.text.login : config.text.offline_decision;
    // Nobody has been alerted yet: the alert goes out when the queue reaches the server.
    const message = decision.reason === "fever" ? config.text.fever_offline : null;
    showAnswer(allowed, decision.reason, who || (decision.entry ? decision.entry.label : ""), note, message);
    resetForm();
    showStatus();
  }

  // --- sync -------------------------------------------------------------------------------------
  async function sync() {
    if (syncing) return;
    syncing = true;
    try {
      let items = await queued();
      while (items.length) {
        const chunk = items.slice(0, BATCH);
        const payload = chunk.map(({ gate_id, pass_ref, ...item }) => item);
        let response;
        try {
          response = await post(config.batch_url, { items: payload });
        } catch (error) {
          return; // still offline: the queue stays as it is
        }
        if (!response.ok) return;
        const body = await response.json();
        // Only what the server answered for leaves the queue.
        await dequeue(body.results.map((r) => r.client_uuid).filter((uuid) => uuid));
        items = items.slice(chunk.length);
      }
      $("sync-status").textContent = fill(config.text.synced, {
        time: new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" }),
      });
      await refreshPasses();
    } finally {
      syncing = false;
      showStatus();
    }
  }

  // --- search -----------------------------------------------------------------------------------
  let searchTimer = null;
  function search() {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(async () => {
      const q = $("search").value.trim();
      const list = $("search-results");
      const note = $("search-note");
      list.replaceChildren();
      note.textContent = "";
      if (!q) return;
      let found = [];
      try {
        const response = await fetch(config.search_url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" });
        if (response.ok) found = await response.json();
        // (fewer than four digits: the server waits for the last four of a phone number)
        if (response.ok && !found.length && !/^\d{1,3}$/.test(q)) note.textContent = config.text.search_none;
      } catch (error) {
        // Offline: only the cached labels can be searched (room numbers and the pass holders'
        // masked names): no other resident's name, no phone digits. Say so.
        found = passes ? passes.passes.filter((p) => p.status === "active" && p.label.includes(q)).slice(0, 20) : [];
        note.textContent = found.length ? config.text.search_offline : config.text.search_offline_none;
      }
      found.forEach((f) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "list-group-item list-group-item-action";
        button.textContent = f.label;
        button.addEventListener("click", () => {
          picked = { pass_id: f.pass_id, label: f.label };
          $("picked").textContent = "✓ " + f.label;
          $("token").value = "";
          list.replaceChildren();
          note.textContent = "";
          $("temperature").focus();
        });
        list.appendChild(button);
      });
    }, 250);
  }

  // --- camera -----------------------------------------------------------------------------------
  let stream = null;
  async function toggleCamera() {
    const video = $("camera");
    if (stream) {
      stream.getTracks().forEach((track) => track.stop());
      stream = null;
      video.classList.add("d-none");
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (error) {
      $("form-error").textContent = config.text.camera_error;
      return;
    }
    video.srcObject = stream;
    video.classList.remove("d-none");
    await video.play();
    const canvas = $("camera-canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    const frame = () => {
      if (!stream) return;
      if (video.readyState === video.HAVE_ENOUGH_DATA) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        const image = context.getImageData(0, 0, canvas.width, canvas.height);
        const code = window.jsQR && window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        if (code && code.data) {
          $("token").value = code.data;
          picked = null;
          $("picked").textContent = "";
          if (navigator.vibrate) navigator.vibrate(100);
          toggleCamera();
          $("temperature").focus();
          return;
        }
      }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }

  // --- wiring -----------------------------------------------------------------------------------
  $("scan-form").addEventListener("submit", check);
  $("answer-next").addEventListener("click", () => {
    $("answer").classList.add("d-none");
    $("token").focus();
  });
  $("sync-now").addEventListener("click", sync);
  $("search").addEventListener("input", search);
  $("camera-toggle").addEventListener("click", toggleCamera);
  $("token").addEventListener("input", () => {
    picked = null;
    $("picked").textContent = "";
  });
  window.addEventListener("online", () => {
    showStatus();
    sync();
  });
  window.addEventListener("offline", showStatus);
  setInterval(() => {
    if (navigator.onLine) sync();
  }, 15000);
  setInterval(() => {
    if (navigator.onLine) refreshPasses();
  }, 5 * 60000);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker
      .register(config.sw_url, { scope: config.sw_scope })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        registration.active.postMessage({ cache: [config.page_url, ...config.assets] });
      })
      .catch(() => {});
  }
  loadCachedPasses()
    .then(refreshPasses)
    .then(sync)
    .finally(showStatus);
})();
