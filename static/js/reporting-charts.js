// Draws the report's charts with Chart.js from the JSON the dashboard embeds (id
// "report-charts"). Every chart has a table of the same numbers beside it, so nothing here is
// the only way to read a number. Suppressed values arrive as null and are left as gaps.
(function () {
  "use strict";
  var source = document.getElementById("report-charts");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var specs = JSON.parse(source.textContent);
  var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var palette = ["#0d6efd", "#d63384", "#198754", "#fd7e14", "#6f42c1", "#20c997"];

  specs.forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas) {
      return;
    }
    var twoAxes = spec.series.length > 1;
    if (spec.horizontal) {
      canvas.parentElement.style.height = Math.max(220, spec.labels.length * 26) + "px";
    }
    var datasets = spec.series.map(function (series, index) {
      var axis = spec.horizontal ? "xAxisID" : "yAxisID";
      var dataset = {
        type: series.kind === "line" ? "line" : "bar",
        label: series.label + (series.percent ? " (%)" : ""),
        data: series.values,
        backgroundColor: palette[index % palette.length],
        borderColor: palette[index % palette.length],
        spanGaps: false
      };
      dataset[axis] = twoAxes && index > 0 ? "second" : (spec.horizontal ? "x" : "y");
      return dataset;
    });
    var valueAxis = spec.horizontal ? "x" : "y";
    var scales = {};
    scales[valueAxis] = { beginAtZero: true };
    if (twoAxes) {
      scales.second = {
        beginAtZero: true,
        position: spec.horizontal ? "top" : "right",
        grid: { drawOnChartArea: false },
        axis: valueAxis
      };
    }
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : {},
        scales: scales,
        plugins: { legend: { display: twoAxes } }
      }
    });
    canvas.dataset.drawn = "true";
  });
})();
