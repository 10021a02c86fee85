// Score sheet (evaluation/templates/evaluation/sheet): live points per item, debounced
// autosave of typed input, the conflict's "keep mine" button, and a warning before leaving
// with unsaved input. htmx sends every save: each item form has
// hx-trigger="change, submit, autosave", so all saves of one item come from the form element
// and htmx queues them one after the other (each carries the version the previous one got).
// Points shown here are a preview only; the server computes them (Decimal) on every save.
(function () {
  "use strict";

  var DELAY_MS = 1000;
  var timers = new Map(); // form -> pending autosave timeout
  var inFlight = new Set();

  // --- exact decimal arithmetic on strings (BigInt), no floats -------------------------------
  function parseDec(text) {
    // The server's rule (evaluation/numbers.py): "." is the only decimal separator, "," only
    // separates thousands (1,200), no exponents. "13,5" is not 135: it is no number at all.
    var t = String(text === undefined || text === null ? "" : text).trim();
    if (!/^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/.test(t)) { return null; }
    t = t.replace(/,/g, "");
    var negative = t.charAt(0) === "-";
    t = t.replace(/^[-+]/, "");
    var parts = t.split(".");
    var frac = parts[1] || "";
    var digits = (parts[0] || "0") + frac;
    var n = BigInt(digits);
    return { n: negative ? -n : n, s: frac.length };
  }

  function scaled(a, s) {
    return a.n * (BigInt(10) ** BigInt(s - a.s));
  }

  function cmp(a, b) {
    var s = Math.max(a.s, b.s);
    var x = scaled(a, s), y = scaled(b, s);
    return x < y ? -1 : (x > y ? 1 : 0);
  }

  function fmtDec(a) {
    var negative = a.n < 0;
    var digits = (negative ? -a.n : a.n).toString();
    if (a.s > 0) {
      while (digits.length <= a.s) { digits = "0" + digits; }
      digits = digits.slice(0, digits.length - a.s) + "." + digits.slice(digits.length - a.s);
      digits = digits.replace(/0+$/, "").replace(/\.$/, "");
    }
    if (digits === "0") { negative = false; }
    return (negative ? "-" : "") + digits;
  }

  // --- live points ---------------------------------------------------------------------------
  function livePoints(form) {
    var method = form.dataset.method;
    var max = parseDec(form.dataset.points);
    if (method === "grade") {
      var checked = form.querySelector("input[name=grade]:checked");
      return checked ? { text: checked.dataset.points } : null;
    }
    var input = form.querySelector("input[name=value], input[name=count]");
    if (!input || input.value.trim() === "") { return null; }
    var v = parseDec(input.value);
    if (method === "penalty") {
      if (!/^\d+$/.test(input.value.trim())) { return { error: "0 이상의 정수" }; }
      if (v.n === BigInt(0)) { return { text: "0" }; }
      var per = parseDec(form.dataset.perCase);
      var product = { n: per.n * v.n, s: per.s };
      return { text: fmtDec(cmp(product, max) < 0 ? max : product) };
    }
    if (v === null) { return { error: "숫자가 아님" }; }
    if (method === "bands") {
      var best = null;
      (form.dataset.bands || "").split(";").forEach(function (pair) {
        var bits = pair.split(":");
        var min = parseDec(bits[0]);
        if (min !== null && cmp(min, v) <= 0 && (best === null || cmp(min, best.min) > 0)) {
          best = { min: min, points: bits[1] };
        }
      });
      return { text: best ? best.points : "0" };
    }
    // points: 0..max, a multiple of step
    var step = parseDec(form.dataset.step || "1");
    var zero = { n: BigInt(0), s: 0 };
    var s = Math.max(v.s, step.s);
    if (cmp(v, zero) < 0 || cmp(v, max) > 0 || scaled(v, s) % scaled(step, s) !== BigInt(0)) {
      return { error: "0~" + fmtDec(max) + "점, " + fmtDec(step) + "점 단위" };
    }
    return { text: fmtDec(v) };
  }

  function renderPoints(form) {
    var out = document.getElementById("points-" + form.dataset.sheetItem);
    if (!out) { return; }
    var result = livePoints(form);
    if (result === null) { out.textContent = "—"; }
    else if (result.error) { out.textContent = "⚠ " + result.error; }
    else { out.textContent = result.text + "점"; }
  }

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

  document.addEventListener("input", function (event) {
    var form = itemForm(event.target);
    if (!form) { return; }
    renderPoints(form);
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
    renderPoints(form);
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
    if (form) { inFlight.delete(form); }
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
