// The header's 工作年度 switches on choosing a year; the page's policy allows no inline handler.
document.addEventListener("DOMContentLoaded", function () {
  var select = document.getElementById("working-year");
  if (select) select.addEventListener("change", function () { select.form.submit(); });
});
