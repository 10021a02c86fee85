// Rubric pages: print button, confirmation of destructive forms, and the item page's
// method-dependent fields. No inline script anywhere (CSP); everything hangs off data-* hooks.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) {
      window.print();
    }
    // An irreversible action: the link opens its confirmation page without JS, and the same
    // form in a modal <dialog> with it (focus moves into the dialog; Esc or 취소 closes it).
    var opener = event.target.closest("a[data-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-dialog"));
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        dialog.showModal();
      }
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // Editor forms save on "change, submit" (htmx). Enter in a field fires both, one after the
  // other, for the same edit: two posts, one of which used to fail on SQLite. A submit whose
  // form data equal what this form last sent is the same edit: it is stopped here (capture
  // phase, before htmx sees it), so one edit is one request; so is Enter with nothing changed.
  // Without JS the form posts plainly.
  var lastSent = new WeakMap();

  function serialise(form) {
    return new URLSearchParams(new FormData(form)).toString();
  }

  // What the server rendered is what is saved: a form (re)loaded by htmx starts from there.
  document.addEventListener("htmx:load", function (event) {
    var root = event.detail && event.detail.elt;
    if (!root || !root.querySelectorAll) {
      return;
    }
    var forms = Array.from(root.querySelectorAll("form[hx-post]"));
    if (root.matches && root.matches("form[hx-post]")) {
      forms.push(root);
    }
    forms.forEach(function (form) {
      lastSent.set(form, serialise(form));
    });
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail && event.detail.elt;
    if (form && form.tagName === "FORM") {
      lastSent.set(form, serialise(form));
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("hx-post")) {
      return;
    }
    var trigger = form.getAttribute("hx-trigger") || "";
    if (trigger.indexOf("change") !== -1 && lastSent.get(form) === serialise(form)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Which parameter fields belong to which scoring method.
  var FIELDS = {
    grade: ["scale"],
    points: ["step"],
    bands: ["unit", "bands"],
    penalty: ["per_case"],
    "default": []
  };
  var ALL = ["scale", "step", "unit", "bands", "per_case"];

  function showMethodFields(form) {
    var select = form.querySelector("select[name=method]");
    if (!select) {
      return;
    }
    var wanted = FIELDS[select.value] || ALL;
    ALL.forEach(function (name) {
      var wrapper = form.querySelector("#div_id_" + name);
      if (wrapper) {
        wrapper.hidden = wanted.indexOf(name) === -1;
      }
    });
  }

  function init() {
    document.querySelectorAll("form[data-scoring-form]").forEach(function (form) {
      showMethodFields(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "method") {
          showMethodFields(form);
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
