// The need form: the commune/ward list follows the province chosen (from the public wards API).
// Without JavaScript the form still works: after choosing a province, sending the form lists its wards.
(function () {
  "use strict";
  var province = document.getElementById("id_province");
  var ward = document.getElementById("id_ward");
  if (!province || !ward) return;
  var empty = ward.options.length ? ward.options[0].text : "—";

  function fill(rows) {
    var chosen = ward.value;
    ward.innerHTML = "";
    ward.appendChild(new Option(empty, ""));
    rows.forEach(function (row) {
      ward.appendChild(new Option(row.name, row.code, false, row.code === chosen));
    });
  }

  province.addEventListener("change", function () {
    if (!province.value) { fill([]); return; }
    ward.disabled = true;
    fetch("/api/v1/wards/?province=" + encodeURIComponent(province.value), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(fill)
      .catch(function () { fill([]); })
      .finally(function () { ward.disabled = false; });
  });
})();
