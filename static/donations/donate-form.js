// The donate form's small helpers, on top of js/donate.js: the chosen item's unit beside each
// quantity, the required mark that follows the donor's choices, added item lines without the
// copied line's errors, and focus on the error summary. Without JavaScript the unit is in each
// item's name and the server marks the required fields.
(function () {
  "use strict";
  var form = document.querySelector(".donate-form");
  if (!form) return;

  function syncUnits() {
    form.querySelectorAll(".item-line").forEach(function (line) {
      var select = line.querySelector('select[name$="-category"]');
      var unit = line.querySelector("[data-unit-label]");
      if (!select || !unit) return;
      var option = select.options[select.selectedIndex];
      unit.textContent = option ? option.getAttribute("data-unit") || "" : "";
    });
  }

  function syncRequired() {
    form.querySelectorAll("[data-required-when]").forEach(function (input) {
      var rule = input.getAttribute("data-required-when").split("=");
      var chosen = form.querySelector('input[name="' + rule[0] + '"]:checked');
      var required = !!chosen && chosen.value === rule[1];
      input.required = required;
      if (required) input.setAttribute("aria-required", "true");
      else input.removeAttribute("aria-required");
      var field = input.closest(".field");
      if (field) field.classList.toggle("required", required);
    });
  }

  form.addEventListener("change", function () {
    syncUnits();
    syncRequired();
  });
  // Runs after donate.js has copied the last line: the copy starts clean, without its errors.
  var addLine = form.querySelector("[data-add-line]");
  var lines = form.querySelector(".item-lines");
  if (addLine && lines) addLine.addEventListener("click", function () {
    var added = lines.lastElementChild;
    added.querySelectorAll(".errors").forEach(function (el) { el.remove(); });
    added.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
    added.querySelectorAll("[aria-invalid], [aria-describedby]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    });
    syncUnits();
  });
  syncUnits();
  syncRequired();

  var summary = form.querySelector("[data-error-summary]");
  if (summary) summary.focus();
})();
