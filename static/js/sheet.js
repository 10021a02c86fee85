// Score sheet (evaluation/templates/evaluation/sheet): debounced autosave of typed input, the
// conflict's "keep mine" button, and a warning before leaving with unsaved input. htmx sends
// every save: each item form has hx-trigger="change, submit, autosave", so all saves of one
// item come from the form element and htmx queues them one after the other (each carries the
// version the previous one got).
// No arithmetic here: an item's points are the ones the server computed (evaluation/scoring,
// Decimal) and sent back with the save (the out-of-band <output id="points-…"> of
// _item_status.html). Until that answer arrives the line says the points are being computed.
(function () {
  "use strict";

  var DELAY_MS = 1000;
  var timers = new Map(); // form -> pending autosave timeout
  var inFlight = new Set();

  function setState(form, text) {
    var state = form.querySelector(".save-status .save-state");
    if (state) {
      state.className = "save-state text-muted";
      state.textContent = text;
    }
  }

  function itemForm(target) {
    return target && target.closest ? target.closest("form[data-sheet-item][hx-post]") : null;
  }

  function cancelTimer(form) {
    if (timers.has(form)) {
      clearTimeout(timers.get(form));
      timers.delete(form);
    }
  }

  // The points on screen belong to the last saved entry: once the entry changes they are
  // marked as pending until the save's answer replaces them.
  function markPointsPending(form) {
    var out = document.getElementById("points-" + form.dataset.sheetItem);
    if (out) { out.textContent = "계산 중…"; }
  }

  document.addEventListener("input", function (event) {
    var form = itemForm(event.target);
    if (!form) { return; }
    if (event.target.name === "grade" || event.target.name === "value" ||
        event.target.name === "count") {
      markPointsPending(form);
    }
    if (event.target.type === "radio") { return; } // its change event saves at once
    cancelTimer(form);
    setState(form, "입력 중… (잠시 후 자동 저장)");
    timers.set(form, setTimeout(function () {
      timers.delete(form);
      window.htmx.trigger(form, "autosave");
    }, DELAY_MS));
  });

  document.addEventListener("change", function (event) {
    var form = itemForm(event.target);
    if (!form) { return; }
    cancelTimer(form); // htmx saves on this change event
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = itemForm(event.target);
    if (form) {
      cancelTimer(form);
      inFlight.add(form);
      setState(form, "저장 중…");
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = itemForm(event.target);
    if (!form) { return; }
    inFlight.delete(form);
    if (!event.detail.successful) {
      // Refused (422), overtaken (409) or not answered: nothing was computed for this entry.
      var out = document.getElementById("points-" + form.dataset.sheetItem);
      if (out && out.textContent === "계산 중…") { out.textContent = "— (저장되지 않음)"; }
    }
  });

  // Answers that are not the item's own fragment: keep the version the screen holds and say
  // what happened instead of pasting a whole page into the status line.
  function showProblem(form, text) {
    var status = form.querySelector(".save-status");
    var version = form.dataset.sentVersion || "0";
    status.textContent = "";
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "version";
    input.value = version;
    var state = document.createElement("span");
    state.className = "save-state text-danger fw-semibold";
    state.setAttribute("role", "alert");
    state.textContent = "✖ " + text;
    status.appendChild(input);
    status.appendChild(state);
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var form = itemForm(event.target);
    if (form) { form.dataset.sentVersion = event.detail.parameters.version || "0"; }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = itemForm(event.target);
    var xhr = event.detail.xhr;
    if (form && xhr.responseURL && xhr.responseURL.indexOf("/accounts/login/") !== -1) {
      event.detail.shouldSwap = false;
      showProblem(form, "로그인이 만료되어 저장하지 못했습니다. 다시 로그인한 뒤 입력하십시오.");
    }
  });

  // The server's one Korean line in a handled 503 (config/middleware.py), read from an inert
  // document so nothing in the answer runs.
  function unavailableLine(xhr) {
    var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    var line = doc.querySelector("[data-service-unavailable]");
    return line ? line.textContent.replace(/^\s*✖\s*/, "").trim() : "";
  }

  document.addEventListener("htmx:responseError", function (event) {
    var form = itemForm(event.target);
    var xhr = event.detail.xhr;
    var status = xhr.status;
    if (form && status === 503) {
      // The database went away for a moment: nothing was stored and the screen keeps its
      // version, so the same input is saved again after Retry-After (and warned about on
      // leaving until then).
      var seconds = parseInt(xhr.getResponseHeader("Retry-After"), 10) || 5;
      showProblem(form, "저장하지 못했습니다: " + (unavailableLine(xhr) ||
        "서버가 잠시 응답할 수 없습니다.") + " " + seconds + "초 뒤 자동으로 다시 저장합니다.");
      cancelTimer(form);
      timers.set(form, setTimeout(function () {
        timers.delete(form);
        window.htmx.trigger(form, "autosave");
      }, seconds * 1000));
      return;
    }
    if (form && status !== 422 && status !== 409) {
      showProblem(form, "저장하지 못했습니다 (응답 " + status + "). 배정이 바뀌었거나 " +
        "로그인이 만료되었을 수 있습니다. 화면을 새로 고치십시오.");
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    var form = itemForm(event.target);
    if (form) {
      inFlight.delete(form);
      showProblem(form, "네트워크 오류로 저장하지 못했습니다. 연결을 확인한 뒤 다시 입력하거나 저장을 누르십시오.");
    }
  });

  // Conflict: the evaluator chose to keep what this screen holds over the stored value.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-adopt-version]") : null;
    if (!button) { return; }
    var form = itemForm(button);
    if (!form) { return; }
    var version = form.querySelector("input[name=version]");
    version.value = button.dataset.adoptVersion;
    window.htmx.trigger(form, "autosave");
  });

  window.addEventListener("beforeunload", function (event) {
    if (timers.size || inFlight.size) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
