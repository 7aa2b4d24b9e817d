// Copy buttons on the pledge page: a donor paying from the phone that shows the page cannot scan
// it, so each transfer detail can be copied into the banking app. Progressive enhancement: the
// buttons stay hidden without JavaScript and the values remain ordinary selectable text.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-copy]");
  if (!buttons.length) return;

  function legacyCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(
        function () { return true; },
        function () { return legacyCopy(text); }
      );
    }
    return Promise.resolve(legacyCopy(text));
  }

  function selectValue(button) {
    var row = button.closest(".copy-row");
    var value = row && row.querySelector("dd:not(.copy-cell)");
    if (!value || !window.getSelection) return;
    var range = document.createRange();
    range.selectNodeContents(value);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  buttons.forEach(function (button) {
    var status = button.nextElementSibling;
    var timer = null;
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(button.getAttribute("data-copy")).then(function (ok) {
        if (!ok) selectValue(button);
        button.classList.toggle("is-copied", ok);
        if (status) status.textContent = button.getAttribute(ok ? "data-copied" : "data-copy-failed");
        clearTimeout(timer);
        timer = setTimeout(function () {
          button.classList.remove("is-copied");
          if (status) status.textContent = "";
        }, 4000);
      });
    });
  });
})();
