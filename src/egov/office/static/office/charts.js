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

// Stacked horizontal bars (statistics: early / on time / late per agency).
(function () {
  var canvas = document.getElementById("stats-chart");
  var source = document.getElementById("stats-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") { return; }
  var d = JSON.parse(source.textContent);
  canvas.parentNode.style.height = Math.max(160, 28 * d.labels.length + 60) + "px";
  new Chart(canvas, {
    type: "bar",
    data: { labels: d.labels, datasets: d.datasets },
    options: {
      indexAxis: "y", maintainAspectRatio: false, animation: false,
      scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true } },
      plugins: { legend: { position: "bottom" } }
    }
  });
})();
