// Our own front-end glue. htmx comes from django-htmx, Bootstrap from django-bootstrap-static.
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
