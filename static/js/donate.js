// Progressive enhancement for the pledge form: show only the sections that apply and let the
// donor add item lines. Without JavaScript every section stays visible and the form still works.
(function () {
  "use strict";
  var form = document.querySelector(".donate-form");
  if (!form) return;

  function checked(name) {
    var input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : "";
  }

  function refresh() {
    form.querySelectorAll("[data-show-when]").forEach(function (el) {
      var rule = el.getAttribute("data-show-when").split("=");
      el.hidden = checked(rule[0]) !== rule[1];
    });
  }

  form.addEventListener("change", refresh);
  refresh();

  var addButton = form.querySelector("[data-add-line]");
  var total = form.querySelector('input[name="items-TOTAL_FORMS"]');
  var maxForms = form.querySelector('input[name="items-MAX_NUM_FORMS"]');
  var lines = form.querySelector(".item-lines");
  if (!addButton || !total || !lines) return;
  addButton.addEventListener("click", function () {
    var count = parseInt(total.value, 10);
    if (maxForms && count >= parseInt(maxForms.value, 10)) return;
    var template = lines.lastElementChild.cloneNode(true);
    template.querySelectorAll("input, select, label, div, p").forEach(function (el) {
      ["name", "id", "for"].forEach(function (attr) {
        var v = el.getAttribute(attr);
        if (v) el.setAttribute(attr, v.replace(/items-\d+-/, "items-" + count + "-"));
      });
      if (el.tagName === "INPUT") el.value = "";
      if (el.tagName === "SELECT") el.selectedIndex = 0;
      if (el.classList.contains("error")) el.remove();
      if (el.classList.contains("has-error")) el.classList.remove("has-error");
    });
    lines.appendChild(template);
    total.value = count + 1;
  });
})();
