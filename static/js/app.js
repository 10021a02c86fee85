// Our own front-end glue. htmx comes from django-htmx, Bootstrap from django-bootstrap-static.

// Messages the scripts show are written in Korean, like the templates, and passed through
// gettext()/interpolate() (the names of Django's JavaScript catalogue). On a page in another
// language base.html embeds their translations (#js-messages, config/js_messages.py).
(function () {
  var node = document.getElementById("js-messages");
  var catalogue = node ? JSON.parse(node.textContent) : {};
  window.gettext = function (message) {
    return Object.prototype.hasOwnProperty.call(catalogue, message) ? catalogue[message] : message;
  };
  window.interpolate = function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  };
})();

document.addEventListener("htmx:responseError", function (event) {
  // Show handled 4xx bodies (Korean error fragments) instead of silently dropping them, and
  // the 503 "database unavailable" line (config/middleware.py).
  var xhr = event.detail.xhr;
  var handled = (xhr.status >= 400 && xhr.status < 500) || xhr.status === 503;
  if (handled && event.detail.target) {
    event.detail.target.innerHTML = xhr.responseText;
  }
});

// A form marked data-busy-label (report requests: a render may take seconds in the embedded
// default) disables its button on submit and says it is working, so it is pressed once.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-busy-label")) {
    return;
  }
  if (event.defaultPrevented) {
    return;
  }
  form.setAttribute("aria-busy", "true");
  form.querySelectorAll("button[type=submit]").forEach(function (button) {
    // After this task: disabling now would drop the button's own name/value from the post.
    window.setTimeout(function () {
      button.disabled = true;
      button.textContent = form.getAttribute("data-busy-label");
    }, 0);
  });
});

// A poll the user controls (WCAG 2.2.2; ADR 021): [data-poll-control="<id>"] holds a toggle
// button (aria-pressed) for the element <id> that polls with hx-trigger="every …". While the
// button is pressed, or once data-poll-limit-seconds have passed since the page (or the last
// resume), the poll's requests are cancelled; pressing it again resumes. When the polled
// element stops polling by itself (the report is finished), the control goes away.
(function () {
  "use strict";

  function controlFor(elt) {
    return elt && elt.id ? document.querySelector('[data-poll-control="' + elt.id + '"]') : null;
  }

  function setPaused(control, paused, why) {
    var button = control.querySelector("button");
    var note = control.querySelector("[data-poll-note]");
    button.setAttribute("aria-pressed", paused ? "true" : "false");
    note.textContent = note.getAttribute("data-text-" + (paused ? why : "running"));
    if (!paused) { control.dataset.pollSince = String(Date.now()); }
  }

  function init(control) {
    if (control.dataset.pollSince) { return; }
    control.hidden = false;
    setPaused(control, false);
    control.querySelector("button").addEventListener("click", function () {
      var paused = this.getAttribute("aria-pressed") !== "true";
      setPaused(control, paused, "paused");
    });
  }

  document.querySelectorAll("[data-poll-control]").forEach(init);

  document.addEventListener("htmx:beforeRequest", function (event) {
    var control = controlFor(event.detail.elt);
    if (!control) { return; }
    var button = control.querySelector("button");
    var limit = Number(control.dataset.pollLimitSeconds || 600) * 1000;
    if (button.getAttribute("aria-pressed") !== "true" &&
        Date.now() - Number(control.dataset.pollSince) > limit) {
      setPaused(control, true, "expired");
    }
    if (button.getAttribute("aria-pressed") === "true") { event.preventDefault(); }
  });

  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("[data-poll-control]").forEach(function (control) {
      var polled = document.getElementById(control.getAttribute("data-poll-control"));
      if (!polled || !polled.hasAttribute("hx-trigger")) { control.remove(); }
    });
  });
})();

