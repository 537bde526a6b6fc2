// A background import's page: its bars follow the worker (a poll of the job's progress every second); when the
// job reaches a state with something new to show (the preview, the result), the page is loaded again.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("import-job");
  if (!box || box.dataset.finished === "1") return;
  var counters = ["rows_read", "rows_checked", "rows_written"];
  function show(data) {
    document.getElementById("job-state").textContent = data.state_label;
    var note = document.getElementById("job-wait-note");
    if (note && data.total) note.hidden = true;
    counters.forEach(function (name) {
      var bar = document.getElementById("bar-" + name), text = document.getElementById("text-" + name);
      if (bar) bar.value = data.percent[name];
      if (text) text.textContent = data[name] + " / " + (data.total || "—") + " 行";
    });
  }
  function poll() {
    fetch(box.dataset.progressUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return setTimeout(poll, 3000);
        show(data);
        if (data.state !== box.dataset.state && (data.finished || data.state === "checked")) {
          window.location.reload();
        } else {
          setTimeout(poll, 1000);
        }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  if (box.dataset.state !== "checked") poll();  // a preview waits for the user, not for the worker
});
