/* Online submission: per-paper uploads with a progress bar (XMLHttpRequest upload progress),
   a postal address shown only when the result goes by post, and submit buttons that cannot be
   pressed twice. Without this script the same forms work: the files go with "Lưu nháp". */
(function () {
  "use strict";
  var i18n = (document.getElementById("online-i18n") || { dataset: {} }).dataset;

  function csrf(form) {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function sizeLabel(bytes) {
    if (bytes >= 1048576) { return (bytes / 1048576).toFixed(1).replace(".", ",") + " MB"; }
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function uploadOne(box, file, form) {
    var progressBox = box.querySelector("[data-progress]");
    var errors = box.querySelector("[data-errors]");
    var item = document.createElement("div");
    item.className = "egov-progress-item";
    var label = document.createElement("span");
    label.textContent = (i18n.uploading || "…") + ": " + file.name;
    var bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    bar.setAttribute("aria-label", label.textContent);
    item.appendChild(label); item.appendChild(bar);
    progressBox.appendChild(item);

    var data = new FormData();
    data.append("file", file);
    data.append("csrfmiddlewaretoken", csrf(form));
    var xhr = new XMLHttpRequest();
    xhr.open("POST", box.dataset.url);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) { bar.value = Math.round(e.loaded * 100 / e.total); }
    });
    xhr.addEventListener("load", function () {
      var answer = null;
      try { answer = JSON.parse(xhr.responseText); } catch (err) { answer = null; }
      progressBox.removeChild(item);
      if (xhr.status === 200 && answer && answer.ok) {
        addFile(box, answer.file);
      } else {
        var msgs = (answer && answer.errors) || [i18n.failed];
        var div = document.createElement("div");
        div.textContent = file.name + ": " + msgs.join(" ");
        errors.appendChild(div);
      }
    });
    xhr.addEventListener("error", function () {
      progressBox.removeChild(item);
      var div = document.createElement("div");
      div.textContent = file.name + ": " + (i18n.failed || "");
      errors.appendChild(div);
    });
    xhr.send(data);
  }

  function addFile(box, file) {
    var list = box.querySelector("[data-files]");
    var li = document.createElement("li");
    li.className = "egov-file";
    var icon = document.createElement("i");
    icon.className = "bi bi-file-earmark-check text-success";
    icon.setAttribute("aria-hidden", "true");
    var name = document.createElement("span");
    name.textContent = " " + file.original_name + " ";
    var size = document.createElement("span");
    size.className = "text-muted";
    size.textContent = "(" + sizeLabel(file.size) + ")";
    var remove = document.createElement("button");
    remove.type = "submit"; remove.name = "remove";
    remove.value = box.dataset.order + ":" + file.name;
    remove.className = "btn btn-link btn-sm text-danger p-0 ms-1";
    remove.textContent = i18n.remove || "×";
    remove.setAttribute("aria-label", (i18n.removeLabel || "") + " " + file.original_name);
    li.appendChild(icon); li.appendChild(name); li.appendChild(size); li.appendChild(remove);
    list.appendChild(li);
  }

  document.querySelectorAll("[data-uploader]").forEach(function (box) {
    var input = box.querySelector("input[type=file]");
    if (!input || !window.FormData || !box.dataset.url) { return; }
    input.addEventListener("change", function () {
      var form = input.form;
      box.querySelector("[data-errors]").textContent = "";
      Array.prototype.forEach.call(input.files, function (file) { uploadOne(box, file, form); });
      input.value = "";  // uploaded already: not sent again with the form
    });
  });

  // the postal address only matters when the result goes by post
  document.querySelectorAll("[data-online-draft]").forEach(function (form) {
    var postal = form.querySelector("[data-postal]");
    if (!postal) { return; }
    var radios = form.querySelectorAll("input[name=return_method]");
    function sync() {
      var chosen = form.querySelector("input[name=return_method]:checked");
      postal.hidden = !(chosen && chosen.value === "post");
    }
    radios.forEach(function (r) { r.addEventListener("change", sync); });
    sync();
  });

  // one click submits once (the server is idempotent anyway)
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (form.dataset.sent) { e.preventDefault(); return; }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.disabled = true;
        b.setAttribute("aria-busy", "true");
        if (i18n.sending) { b.textContent = i18n.sending; }
      });
    });
  });
})();
