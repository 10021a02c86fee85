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
    if (out) { out.textContent = gettext("계산 중…"); }
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
    setState(form, gettext("입력 중… (잠시 후 자동 저장)"));
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
      setState(form, gettext("저장 중…"));
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = itemForm(event.target);
    if (!form) { return; }
    inFlight.delete(form);
    if (!event.detail.successful) {
      // Refused (422), overtaken (409) or not answered: nothing was computed for this entry.
      var out = document.getElementById("points-" + form.dataset.sheetItem);
      if (out && out.textContent === gettext("계산 중…")) { out.textContent = gettext("— (저장되지 않음)"); }
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
    state.id = "save-error-" + form.dataset.sheetItem;
    status.appendChild(input);
    status.appendChild(state);
    tieError(form);
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
      showProblem(form, gettext("로그인이 만료되어 저장하지 못했습니다. 다시 로그인한 뒤 입력하십시오."));
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
      showProblem(form, interpolate(
        gettext("저장하지 못했습니다: %(reason)s %(seconds)s초 뒤 자동으로 다시 저장합니다."),
        { reason: unavailableLine(xhr) || gettext("서버가 잠시 응답할 수 없습니다."), seconds: seconds }));
      cancelTimer(form);
      timers.set(form, setTimeout(function () {
        timers.delete(form);
        window.htmx.trigger(form, "autosave");
      }, seconds * 1000));
      return;
    }
    if (form && status === 422) {
      // Refused input: app.js has put the server's status fragment in place (htmx does not
      // swap 4xx answers itself, so no afterSwap comes); tie it to the field.
      tieError(form);
      return;
    }
    if (form && status !== 422 && status !== 409) {
      showProblem(form, interpolate(gettext(
        "저장하지 못했습니다 (응답 %(status)s). 배정이 바뀌었거나 로그인이 만료되었을 수 있습니다. 화면을 새로 고치십시오."),
        { status: status }));
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    var form = itemForm(event.target);
    if (form) {
      inFlight.delete(form);
      showProblem(form, gettext(
        "네트워크 오류로 저장하지 못했습니다. 연결을 확인한 뒤 다시 입력하거나 저장을 누르십시오."));
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
    // The button goes away with the conflict box when the save answers: the focus goes back
    // to the field first, so it is not lost to the page (issue 17).
    var fields = errorFields(form);
    var field = fields.filter(function (f) { return f.checked; })[0] || fields[0];
    if (field) { field.focus(); }
    window.htmx.trigger(form, "autosave");
  });

  // --- errors tied to their fields, focus after a swap (issue 17; ADR 021) ---------------
  // The field in error is the one whose change sent the save (its entry otherwise): it gets
  // aria-invalid="true" and the error line's id in its aria-describedby, and keeps the focus
  // (or gets it back when the save was sent with the 저장 button). A later save that succeeds
  // clears both. The status line itself is a polite live region, so "저장됨" is announced.
  function entryFields(form) {
    return Array.prototype.slice.call(
      form.querySelectorAll("input[name=grade], input[name=value], input[name=count]"));
  }

  function errorFields(form) {
    var last = form.dataset.lastField && document.getElementById(form.dataset.lastField);
    if (last && last.type === "radio") { return entryFields(form); }
    return last ? [last] : entryFields(form);
  }

  function describedBy(field, id, add) {
    var ids = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) {
      return x && x !== id;
    });
    if (add) { ids.push(id); }
    if (ids.length) { field.setAttribute("aria-describedby", ids.join(" ")); }
    else { field.removeAttribute("aria-describedby"); }
  }

  function clearError(form) {
    var id = "save-error-" + form.dataset.sheetItem;
    form.querySelectorAll("[aria-invalid]").forEach(function (field) {
      field.removeAttribute("aria-invalid");
      describedBy(field, id, false);
    });
  }

  function tieError(form) {
    var id = "save-error-" + form.dataset.sheetItem;
    clearError(form);
    if (!document.getElementById(id)) { return; }
    var fields = errorFields(form);
    fields.forEach(function (field) {
      field.setAttribute("aria-invalid", "true");
      describedBy(field, id, true);
    });
    var active = document.activeElement;
    var typing = active && active !== form && active.matches &&
      active.matches("input:not([type=hidden]), textarea, select") && !form.contains(active);
    if (fields.length && !typing && !(form.contains(active) && fields.indexOf(active) !== -1)) {
      // Not typing elsewhere: the focus goes to the field to correct (a grade: the checked one).
      var target = fields.filter(function (f) { return f.checked; })[0] || fields[0];
      target.focus();
    }
  }

  document.addEventListener("input", function (event) {
    var form = itemForm(event.target);
    if (form && event.target.id) { form.dataset.lastField = event.target.id; }
  }, true);

  document.addEventListener("htmx:afterSwap", function (event) {
    var form = itemForm(event.target);
    if (!form) { return; }
    if (form.querySelector("[data-testid=save-error]")) { tieError(form); }
    else if (form.querySelector("[data-testid=saved]")) { clearError(form); }
  });

  // --- the item index as a side panel below 1400 px (page.html) --------------------------
  var panel = document.getElementById("sheet-index-panel");
  if (panel) {
    panel.addEventListener("show.bs.offcanvas", function () {
      // Items completed since the page loaded: the state badges are kept by the saves.
      panel.querySelectorAll("[data-index-item]").forEach(function (link) {
        var state = document.getElementById("state-" + link.dataset.indexItem);
        var mark = link.querySelector(".index-done");
        if (state && mark) { mark.hidden = !state.classList.contains("text-bg-success"); }
      });
    });
    panel.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[data-index-item]") : null;
      if (!link || !window.bootstrap) { return; }
      event.preventDefault();
      var item = document.getElementById("item-" + link.dataset.indexItem);
      panel.addEventListener("hidden.bs.offcanvas", function () {
        // After Bootstrap gave the focus back to the toggle: the item takes it and comes
        // into view below the sticky summary (scroll-margin-top).
        history.replaceState(null, "", "#item-" + link.dataset.indexItem);
        item.scrollIntoView({ block: "start" });
        item.focus({ preventScroll: true });
      }, { once: true });
      window.bootstrap.Offcanvas.getOrCreateInstance(panel).hide();
    });
  }

  window.addEventListener("beforeunload", function (event) {
    if (timers.size || inFlight.size) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
