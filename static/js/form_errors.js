// The error summary at the top of a refused form (templates/includes/form_errors.html; issue 17,
// ADR 021): on load the focus goes to it, so a screen reader reads the problems first; a link in
// it moves the focus to its field (a fragment link alone would only scroll) and shows the
// field's label above it.
(function () {
  "use strict";
  if (window.formErrorsReady) { return; }
  window.formErrorsReady = true;

  function start() {
    var summary = document.querySelector(".form-error-summary");
    if (summary && !document.querySelector("[autofocus]")) { summary.focus(); }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".form-error-summary a[href^='#']") : null;
    if (!link) { return; }
    var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) { return; }
    event.preventDefault();
    var label = document.querySelector("label[for='" + field.id + "']");
    (label || field).scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
