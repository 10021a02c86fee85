// Evidence uploads: drag-and-drop and per-file progress (XHR upload events). Progressive
// enhancement only: every form here also works as a plain multipart form without JS.
(function () {
  "use strict";

  function formatBytes(n) {
    if (n >= 1024 * 1024) { return (n / (1024 * 1024)).toFixed(1) + " MB"; }
    if (n >= 1024) { return (n / 1024).toFixed(1) + " KB"; }
    return n + " B";
  }

  // The same rule as the server's sizes_apart(): rounded sizes unless the rounding would
  // make them look equal, then exact bytes (never "50.0 MB exceeds 50.0 MB").
  function sizesApart(size, limit) {
    var a = formatBytes(size), b = formatBytes(limit);
    if (a !== b) { return [a, b]; }
    var bytes = gettext("%(n)s바이트");
    return [interpolate(bytes, { n: size.toLocaleString("en-US") }),
      interpolate(bytes, { n: limit.toLocaleString("en-US") }) + " = " + b];
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function showErrors(box, messages) {
    var alert = el("div", "alert alert-danger mt-2 mb-0");
    alert.setAttribute("role", "alert");
    var list = el("ul", "mb-0");
    messages.forEach(function (m) { list.appendChild(el("li", "", m)); });
    alert.appendChild(list);
    box.appendChild(alert);
  }

  function uploadOne(form, file, box) {
    return new Promise(function (resolve) {
      var row = el("div", "upload-row small mt-1");
      var label = el("span", "me-2", file.name + " (" + formatBytes(file.size) + ")");
      var bar = el("progress", "evidence-progress upload-progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", interpolate(gettext("%(name)s 올리는 중"), { name: file.name }));
      var state = el("span", "ms-2", gettext("대기 중"));
      row.appendChild(label);
      row.appendChild(bar);
      row.appendChild(state);
      box.appendChild(row);

      var limit = parseInt(form.dataset.maxBytes || "0", 10);
      if (limit && file.size > limit) {
        state.textContent = gettext("✖ 거절");
        var shown = sizesApart(file.size, limit);
        showErrors(box, [interpolate(gettext(
          "'%(name)s': 파일 크기(%(size)s)가 파일당 한도(%(limit)s)를 넘습니다. 올리지 않았습니다."
        ), { name: file.name, size: shown[0], limit: shown[1] })]);
        resolve(false);
        return;
      }
      if (file.size === 0) {
        state.textContent = gettext("✖ 거절");
        showErrors(box, [interpolate(gettext("'%(name)s': 빈 파일(0바이트)입니다. 올리지 않았습니다."),
          { name: file.name })]);
        resolve(false);
        return;
      }

      var data = new FormData();
      data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      var replaces = form.querySelector("[name=replaces]");
      if (replaces) { data.append("replaces", replaces.value); }
      data.append("files", file, file.name);

      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((e.loaded / e.total) * 100);
          state.textContent = bar.value + "%";
        }
      });
      xhr.upload.addEventListener("load", function () { state.textContent = gettext("확인 중…"); });
      xhr.addEventListener("load", function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
        if (body && body.ok) {
          bar.value = 100;
          state.textContent = "✔ " + body.message;
          var list = document.getElementById("evidence-files");
          if (list && body.files_html) {
            list.outerHTML = body.files_html;
            enhanceAll();
          }
          resolve(true);
        } else {
          state.textContent = gettext("✖ 거절");
          bar.classList.add("upload-refused");
          if (body && body.errors) {
            showErrors(box, body.errors);
          } else if (xhr.status === 404) {
            showErrors(box, [gettext("대상을 찾을 수 없습니다. 화면을 새로 고치십시오.")]);
          } else {
            showErrors(box, [interpolate(gettext(
              "올리지 못했습니다 (응답 %(status)s). 로그인이 만료되었을 수 있습니다. 화면을 새로 고친 뒤 다시 시도하십시오."),
              { status: xhr.status })]);
          }
          resolve(false);
        }
      });
      xhr.addEventListener("error", function () {
        state.textContent = gettext("✖ 실패");
        showErrors(box, [interpolate(gettext("'%(name)s': 네트워크 오류로 올리지 못했습니다. 다시 시도하십시오."),
          { name: file.name })]);
        resolve(false);
      });
      xhr.send(data);
    });
  }

  function uploadAll(form, files) {
    var box = form.querySelector("[data-upload-status]");
    if (!box || !files.length) { return; }
    box.textContent = "";
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    var chain = Promise.resolve();
    Array.prototype.forEach.call(files, function (file) {
      chain = chain.then(function () { return uploadOne(form, file, box); });
    });
    chain.then(function () {
      if (button) { button.disabled = false; }
      var input = form.querySelector("input[type=file]");
      if (input) { input.value = ""; }
    });
  }

  function enhance(form) {
    if (form.dataset.enhanced) { return; }
    form.dataset.enhanced = "1";
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[type=file]");
      if (!input || !input.files.length || !window.FormData) { return; }
      event.preventDefault();
      uploadAll(form, input.files);
    });
    if (form.hasAttribute("data-dropzone")) {
      ["dragenter", "dragover"].forEach(function (name) {
        form.addEventListener(name, function (event) {
          event.preventDefault();
          form.classList.add("dropzone-active");
        });
      });
      ["dragleave", "drop"].forEach(function (name) {
        form.addEventListener(name, function (event) {
          event.preventDefault();
          form.classList.remove("dropzone-active");
        });
      });
      form.addEventListener("drop", function (event) {
        if (event.dataTransfer && event.dataTransfer.files.length) {
          uploadAll(form, event.dataTransfer.files);
        }
      });
    }
  }

  function enhanceAll() {
    document.querySelectorAll("form[data-evidence-upload]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhanceAll);
  } else {
    enhanceAll();
  }
})();
