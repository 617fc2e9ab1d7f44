// Portal statistics chart: received vs resolved (on time / late, stacked) per month, drawn from
// the JSON data block the page carries (no inline script; Chart.js is vendored).
(function () {
  var canvas = document.getElementById("portal-stats-chart");
  var source = document.getElementById("portal-stats-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") { return; }
  var d = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: { labels: d.labels, datasets: d.datasets },
    options: {
      maintainAspectRatio: false, animation: false,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: "bottom" } }
    }
  });
})();
