// Our own front-end glue. htmx comes from django-htmx, Bootstrap from django-bootstrap-static.
document.addEventListener("htmx:responseError", function (event) {
  // Show handled 4xx bodies (Korean error fragments) instead of silently dropping them.
  var xhr = event.detail.xhr;
  if (xhr.status >= 400 && xhr.status < 500 && event.detail.target) {
    event.detail.target.innerHTML = xhr.responseText;
  }
});
