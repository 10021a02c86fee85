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
