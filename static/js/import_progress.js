/* Bank statement import page: poll the progress URL every second, move the bar, and reload the
   page when the import has finished (the summary or the rejection is then rendered by the server). */
(function () {
  "use strict";
  var panel = document.querySelector("[data-import-progress]");
  if (!panel || !window.fetch) { return; }
  var url = panel.getAttribute("data-url");
  var template = panel.getAttribute("data-template") || "{done} / {total}";
  var bar = panel.querySelector("progress");
  var text = panel.querySelector("[data-progress-text]");
  var failures = 0;

  function grouped(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  function show(data) {
    if (data.total > 0) {
      bar.max = data.total;
      bar.value = data.done;
      text.textContent = template.replace("{done}", grouped(data.done)).replace("{total}", grouped(data.total));
    }
    var status = panel.querySelector(".import-status");
    if (status && data.status_display) {
      status.textContent = data.status_display;
      status.className = "import-status " + data.status;
    }
  }

  function tick() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        if (data.finished) {
          window.location.reload();
          return;
        }
        show(data);
        window.setTimeout(tick, 1000);
      })
      .catch(function () {
        failures += 1;  // a restarting server or a dropped connection: keep trying, more slowly
        window.setTimeout(tick, Math.min(1000 * (failures + 1), 10000));
      });
  }

  window.setTimeout(tick, 1000);
})();
