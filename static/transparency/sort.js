// Sorts a table marked data-sortable in the page, without reloading it. Without JavaScript the
// header links ask the server for the same order, so this only saves a round trip.
// Each row carries the value of every sortable column in a data attribute named after the column
// (names carry their rank in Vietnamese alphabetical order, computed on the server).
(function () {
  "use strict";
  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    var body = table.tBodies[0];
    var headers = table.querySelectorAll("th[data-sort-key]");
    headers.forEach(function (header) {
      var link = header.querySelector("a");
      if (!link) return;
      link.addEventListener("click", function (event) {
        var url = new URL(link.href, window.location.href);
        var key = url.searchParams.get("sort");
        var order = url.searchParams.get("order") === "asc" ? "asc" : "desc";
        if (!key) return;
        event.preventDefault();
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var diff = Number(a.dataset[key]) - Number(b.dataset[key]);
          if (diff === 0) diff = Number(a.dataset.name) - Number(b.dataset.name);
          else if (order === "desc") diff = -diff;
          return diff;
        });
        rows.forEach(function (row) { body.appendChild(row); });
        headers.forEach(function (other) {
          var otherLink = other.querySelector("a");
          var otherUrl = new URL(otherLink.href, window.location.href);
          var otherKey = other.dataset.sortKey;
          if (other === header) {
            other.setAttribute("aria-sort", order === "asc" ? "ascending" : "descending");
            otherUrl.searchParams.set("order", order === "asc" ? "desc" : "asc");
          } else {
            other.removeAttribute("aria-sort");
            otherUrl.searchParams.set("order", otherKey === "name" ? "asc" : "desc");
          }
          otherLink.href = otherUrl.pathname + otherUrl.search + otherUrl.hash;
        });
        window.history.replaceState(null, "", url.pathname + url.search + url.hash);
      });
    });
  });
})();
