/* Draws every <figure data-chart> (jianfu/core/templates/core/_chart.html) with the vendored ECharts:
   the option comes from the figure's own application/json script, the SVG renderer keeps screenshots
   and printouts sharp, and nothing is fetched. Runs on page load and after every htmx swap. */
(function () {
  "use strict";
  if (window.jianfuCharts) return; // loaded twice: the first copy already listens

  var charts = [];

  function forget() {
    charts = charts.filter(function (chart) {
      if (chart.isDisposed()) return false;
      if (document.documentElement.contains(chart.getDom())) return true;
      chart.dispose(); // swapped out by htmx
      return false;
    });
  }

  function draw() {
    if (!window.echarts) return;
    forget();
    document.querySelectorAll("[data-chart]").forEach(function (figure) {
      if (figure.hasAttribute("data-chart-ready")) return;
      var canvas = figure.querySelector("[data-chart-canvas]");
      var data = figure.querySelector('script[type="application/json"]');
      if (!canvas || !data) return;
      figure.setAttribute("data-chart-ready", "");
      var chart = window.echarts.init(canvas, null, { renderer: "svg" });
      chart.setOption(JSON.parse(data.textContent));
      charts.push(chart);
    });
  }

  var pending = false;
  function resize() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      forget();
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
  document.addEventListener("htmx:afterSwap", draw);
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  window.jianfuCharts = { draw: draw, resize: resize };
})();
