// The official's home: each chapter's appropriation, reserved, committed and liquidated (Chart.js,
// served locally). The table below the chart has the same figures to the cent; the chart is a picture.
(function () {
  var canvas = document.getElementById("chapter-use-chart");
  var source = document.getElementById("chapter-use-data");
  if (!canvas || !source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var lang = document.documentElement.lang || "it";
  var euro = new Intl.NumberFormat(lang, { style: "currency", currency: "EUR" });
  var compact = new Intl.NumberFormat(lang, { style: "currency", currency: "EUR", notation: "compact" });
  // Colours apart for common colour blindness, each with at least 3:1 against white.
  var colours = ["#5c6f82", "#0066cc", "#995c00", "#008055"];
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.datasets.map(function (d, i) {
        return { label: d.label, data: d.data.map(Number), backgroundColor: colours[i % colours.length] };
      })
    },
    options: {
      indexAxis: "y",
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: { x: { ticks: { callback: function (v) { return compact.format(v); } } } },
      plugins: { tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + euro.format(c.parsed.x); } } } }
    }
  });
})();
