/* Small helpers of every page; the pages work without them. */
(function () {
  "use strict";

  // A box that scrolls sideways (a wide table) can be reached and scrolled with the keyboard.
  function focusableScrollers(root) {
    root.querySelectorAll(".table-wrap, .pl-figure, .ck-sheet-scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        if (!box.hasAttribute("role")) box.setAttribute("role", "region");
        if (!box.hasAttribute("aria-label")) {
          var caption = box.querySelector("caption, figcaption");
          var heading = box.closest("section") && box.closest("section").querySelector("h2, h3");
          box.setAttribute("aria-label", (caption || heading || document.querySelector("h1") || {}).textContent || "");
        }
      }
    });
  }

  // Forms that ask before they act (the language switch): the question is in data-confirm.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // "Add another": a formset row template (<template data-formset="PREFIX">) is copied with the next index.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-add-row]");
    if (!button) return;
    var prefix = button.getAttribute("data-add-row");
    var template = document.querySelector('template[data-formset="' + prefix + '"]');
    var total = document.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var body = document.querySelector('[data-formset-body="' + prefix + '"]');
    if (!template || !total || !body) return;
    event.preventDefault();
    var index = parseInt(total.value, 10) || 0;
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var added = body.lastElementChild && body.lastElementChild.querySelector("select, input:not([type=hidden])");
    if (added) added.focus();
  });

  function ready() { focusableScrollers(document); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
  document.addEventListener("htmx:afterSettle", function (event) { focusableScrollers(event.target); });
  window.addEventListener("resize", function () { focusableScrollers(document); });
})();

// The checklist: a failed save must not look like a saved one. (Here rather than in an hx-on attribute,
// so that the Content-Security-Policy needs no inline script and no eval.)
(function () {
  "use strict";
  function showError() {
    var box = document.getElementById("ck-error");
    if (box) { box.hidden = false; }
  }
  document.addEventListener("htmx:responseError", showError);
  document.addEventListener("htmx:sendError", showError);
})();
