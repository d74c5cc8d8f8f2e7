// The sampling page on a phone, offline too. Each sample (who, which tube, when) is given a
// client_uuid and kept in the phone's queue (core offline-queue.js), then sent in batches to the
// round's batch endpoint, which stores a client_uuid once: a sync cut off halfway is sent again.
// The page fills a tube up to the round's pool size and then refuses more, counting what the server
// said the tube holds plus what is still queued for it; the server checks the size again.
"use strict";

(() => {
  const config = JSON.parse(document.getElementById("sample-config").textContent);
  const $ = (id) => document.getElementById(id);
  const Offline = window.TongzhouOffline;
  const queue = Offline.openQueue("tongzhou-sampling-" + config.round_id);
  const FILLED_KEY = "tongzhou-tubes-" + config.round_id;
  const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_m, key) => values[key]);
  let syncing = false;

  const known = () => JSON.parse(localStorage.getItem(FILLED_KEY) || "{}"); // barcode -> filled (server)
  const remember = (barcode, filled) => {
    const all = known();
    all[barcode] = Math.max(all[barcode] || 0, filled);
    localStorage.setItem(FILLED_KEY, JSON.stringify(all));
  };
  const normal = (barcode) => barcode.trim().toUpperCase();

  async function inTube(barcode) {
    const waiting = (await queue.all()).filter((item) => item.barcode === barcode).length;
    return (known()[barcode] || 0) + waiting;
  }

  async function showStatus() {
    const online = navigator.onLine;
    const net = $("net-status");
    net.textContent = online ? config.text.online : config.text.offline;
    net.className = "badge " + (online ? "text-bg-success" : "text-bg-warning");
    const waiting = (await queue.all()).length;
    $("queue-status").dataset.count = String(waiting);
    $("queue-status").textContent = waiting ? fill(config.text.queued, { n: waiting }) : "";
    const barcode = normal($("tube").value);
    const count = barcode ? await inTube(barcode) : 0;
    $("tube-count").dataset.count = String(count);
    $("tube-count").textContent = barcode ? `${count} / ${config.pool_size}` : "";
  }

  function rowOf(personId) {
    return document.querySelector(`#matches li[data-person="${personId}"]`);
  }

  async function record(event) {
    event.preventDefault();
    const form = event.target;
    const retest = form.dataset.retest === "1";
    const barcode = normal(retest ? form.elements.barcode.value : $("tube").value || form.elements.barcode.value);
    $("form-error").textContent = "";
    if (!barcode) {
      $("form-error").textContent = config.text.need_tube;
      return;
    }
    const count = await inTube(barcode);
    if (!retest && count >= config.pool_size) {
      $("form-error").textContent = fill(config.text.full, { n: config.pool_size });
      return;
    }
    const item = {
      client_uuid: crypto.randomUUID(),
      person_id: Number(form.dataset.person),
      barcode,
      taken_at: new Date().toISOString(),
    };
    await queue.put(item);
    form.classList.add("d-none");
    const note = form.parentElement.querySelector(".sample-note");
    note.className = "small sample-note text-body-secondary";
    note.dataset.state = "queued";
    note.textContent = fill(config.text.kept, { tube: barcode, n: count + 1, size: retest ? 1 : config.pool_size });
    if (!retest) $("tube").value = barcode;
    $("sample-search").focus();
    await showStatus();
    sync();
  }

  async function answered(results) {
    results.forEach((r) => {
      if (r.tube) remember(r.tube, r.filled);
    });
    const items = new Map((await queue.all()).map((item) => [item.client_uuid, item]));
    results.forEach((r) => {
      const item = items.get(r.client_uuid);
      const row = item && rowOf(item.person_id);
      const note = row && row.querySelector(".sample-note");
      if (!note) return;
      note.dataset.state = r.outcome;
      if (r.outcome === "refused") {
        note.className = "small sample-note text-danger";
        note.textContent = fill(config.text.refused, { error: r.error });
        row.querySelector("form").classList.remove("d-none");
      } else {
        note.className = "small sample-note text-success";
        note.textContent = r.tube
          ? fill(config.text.stored, { tube: r.tube, n: r.filled, size: r.capacity })
          : note.textContent;
      }
    });
  }

  async function sync() {
    if (syncing) return;
    syncing = true;
    try {
      if (await Offline.sync(queue, config.batch_url, { answered })) {
        $("sync-status").textContent = fill(config.text.synced, {
          time: new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" }),
        });
      }
    } finally {
      syncing = false;
      showStatus();
    }
  }

  // --- camera: a pass's QR code goes into the search ------------------------------------------
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
      return;
    }
    video.srcObject = stream;
    video.classList.remove("d-none");
    await video.play();
    const canvas = $("camera-canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    const frame = () => {
      if (!stream) return;
      if (video.readyState === video.HAVE_ENOUGH_DATA && window.jsQR) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        const image = context.getImageData(0, 0, canvas.width, canvas.height);
        const code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        if (code && code.data) {
          toggleCamera();
          $("sample-search").value = code.data;
          $("sample-search").form.submit();
          return;
        }
      }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }

  // --- wiring ------------------------------------------------------------------------------------
  document.querySelectorAll(".sample-form").forEach((form) => {
    if (form.dataset.retest !== "1") {
      // The tube above serves every row (one tube, many people), so the row's own field goes.
      form.elements.barcode.classList.add("d-none");
      form.elements.barcode.required = false;
    }
    form.addEventListener("submit", record);
  });
  $("tube").addEventListener("input", showStatus);
  $("sync-now").addEventListener("click", sync);
  $("camera-toggle").addEventListener("click", toggleCamera);
  window.addEventListener("online", () => {
    showStatus();
    sync();
  });
  window.addEventListener("offline", showStatus);
  setInterval(() => {
    if (navigator.onLine) sync();
  }, 15000);
  Offline.keepOffline(config.sw_url, config.sw_scope, [location.pathname + location.search, ...config.assets]);
  showStatus().then(sync);
})();
