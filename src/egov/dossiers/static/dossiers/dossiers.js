// One-stop pages (no inline scripts: the CSP allows only files from this site).
(function () {
  "use strict";

  // A form marked data-once is sent once: a second click or Enter does nothing.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-once]")) { return; }
    if (form.dataset.sent === "1") { event.preventDefault(); return; }
    form.dataset.sent = "1";
    // Disable after the browser read the clicked button's name and value.
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
  // Coming back with the Back button: the page may come from the cache with buttons disabled.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.dataset.sent = "";
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
    });
  });

  // Intake: a person gives a citizen ID number, an organisation a tax code.
  function showApplicantFields() {
    var checked = document.querySelector("input[name=applicant_kind]:checked");
    if (!checked) { return; }
    document.querySelectorAll("[data-applicant-kind]").forEach(function (el) {
      el.hidden = el.getAttribute("data-applicant-kind") !== checked.value;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("input[name=applicant_kind]")) { showApplicantFields(); }
    // Choosing a scan for a paper ticks the paper.
    var scan = event.target.closest("tr") && event.target.matches("input[type=file]") ? event.target : null;
    if (scan && scan.files && scan.files.length) {
      var box = scan.closest("tr").querySelector("input[type=checkbox][name=papers]");
      if (box) { box.checked = true; }
    }
  });
  showApplicantFields();

  // After a failed submit, bring the error summary into view for screen readers too.
  var errors = document.getElementById("intake-errors");
  if (errors) { errors.focus(); }
})();
