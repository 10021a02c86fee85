// Rubric pages: print button, confirmation of destructive forms, and the item page's
// method-dependent fields. No inline script anywhere (CSP); everything hangs off data-* hooks.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) {
      window.print();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

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
