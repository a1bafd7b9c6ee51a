// Planned vs spent per partner (Chart.js, served locally). The table below the chart has the same figures.
(function () {
  var canvas = document.getElementById("budget-chart");
  var source = document.getElementById("budget-data");
  if (!canvas || !source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var lang = document.documentElement.lang || "it";
  var planned = data.planned_label;
  var spent = data.actual_label;
  var euro = new Intl.NumberFormat(lang, { style: "currency", currency: "EUR" });
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: planned, data: data.planned, backgroundColor: "#0066cc" },
        { label: spent, data: data.actual, backgroundColor: "#995c00" }
      ]
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: { y: { ticks: { callback: function (v) { return euro.format(v); } } } },
      plugins: { tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + euro.format(c.parsed.y); } } } }
    }
  });
})();
