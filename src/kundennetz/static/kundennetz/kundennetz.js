// Behaviour the pages share, kept out of the HTML so that the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  // The checklist: a failed save must not look like a saved one.
  function showError() {
    var box = document.getElementById("ck-error");
    if (box) { box.hidden = false; }
  }
  document.addEventListener("htmx:responseError", showError);
  document.addEventListener("htmx:sendError", showError);
}());
