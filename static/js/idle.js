// Idle time-out warning (issue 15, finding 7; institutions/sessions.py). The server logs staff
// and evaluators out after SESSION_IDLE_TIMEOUT minutes without a request; a minute before,
// this shows a dialog with the seconds left and a 연장 (extend) button. It asks the server
// before warning and before leaving, so activity in another tab counts. Without JavaScript
// the server still logs out; only the warning is missing.
(function () {
  "use strict";
  var box = document.getElementById("idle-warning");
  if (!box || !window.fetch) {
    return;
  }
  var form = box.querySelector("form");
  var counter = box.querySelector("[data-idle-remaining]");
  var extendButton = box.querySelector("button[type=submit]");
  var warnBefore = parseInt(box.getAttribute("data-warn"), 10) || 60;
  var statusUrl = box.getAttribute("data-status-url");
  var loginUrl = box.getAttribute("data-login-url");
  var deadline = Date.now() + parseInt(box.getAttribute("data-remaining"), 10) * 1000;
  var timer = null;
  var ticking = null;
  var returnFocus = null;
  var RECHECK_MS = 10000;

  function secondsLeft() {
    return Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
  }

  function wake(afterMs) {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, Math.max(0, afterMs));
  }

  function tick() {
    counter.textContent = String(secondsLeft());
  }

  function show() {
    if (box.hidden) {
      returnFocus = document.activeElement;
      box.hidden = false;
      extendButton.focus();
      ticking = window.setInterval(tick, 1000);
    }
    tick();
  }

  function hide() {
    if (!box.hidden) {
      box.hidden = true;
      window.clearInterval(ticking);
      if (returnFocus && returnFocus.focus) {
        returnFocus.focus();
      }
    }
  }

  function leave() {
    var here = window.location.pathname + window.location.search;
    window.location.assign(loginUrl + "?next=" + encodeURIComponent(here));
  }

  function apply(data) {
    if (!data.authenticated) {
      leave();
      return;
    }
    if (data.remaining === null || data.remaining === undefined) {
      hide();
      return;
    }
    deadline = Date.now() + data.remaining * 1000;
    if (data.remaining > warnBefore) {
      hide();
      wake(deadline - Date.now() - warnBefore * 1000);
    } else {
      show();
      // Ask again every few seconds while warning (another tab may have extended), and just
      // after the deadline, when the server says "out".
      wake(Math.min(deadline - Date.now() + 1000, RECHECK_MS));
    }
  }

  function check() {
    fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json();
      })
      .then(apply)
      .catch(function () {
        wake(5000); // offline for a moment: ask again shortly
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json();
      })
      .then(apply)
      .catch(check);
  });

  box.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : extendButton.click();
    }
  });

  wake(deadline - Date.now() - warnBefore * 1000);
})();
