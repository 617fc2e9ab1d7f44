// Draws the dashboard charts from the JSON data blocks the page carries (no inline scripts).
(function () {
  function doughnut(canvasId, dataId) {
    var canvas = document.getElementById(canvasId);
    var source = document.getElementById(dataId);
    if (!canvas || !source || typeof Chart === "undefined") { return; }
    var d = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "doughnut",
      data: { labels: d.labels, datasets: [{ data: d.data, backgroundColor: d.colors }] },
      options: { plugins: { legend: { position: "bottom" } }, maintainAspectRatio: false, animation: false }
    });
  }
  doughnut("bridge-chart", "bridge-chart-data");
})();
