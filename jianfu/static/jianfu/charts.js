/* Draws every <figure data-chart> (jianfu/core/templates/core/_chart.html) with the vendored ECharts:
   the option comes from the figure's own application/json script, the SVG renderer keeps screenshots
   and printouts sharp, and nothing is fetched. Runs on page load and after every htmx swap. */
(function () {
  "use strict";
  if (window.jianfuCharts) return; // loaded twice: the first copy already listens

  var charts = [];

  // Half-ems a label takes (a CJK character two); jianfu/core/charts.py guesses the same way.
  function width(text) {
    var n = 0;
    for (var i = 0; i < text.length; i++) n += text.charCodeAt(i) > 0x2e7f ? 2 : 1;
    return n + 2;
  }

  // Every category label is drawn (interval 0, nothing hidden), so on a narrow canvas the labels of a
  // vertical chart are turned until they no longer overlap; the server's angle is the least.
  function fit(chart) {
    var axes = chart.getOption().xAxis || [];
    if (!chart.jianfuRotate) chart.jianfuRotate = axes.map(function (axis) { return (axis.axisLabel || {}).rotate || 0; });
    var room = chart.getWidth() - 48;
    var changed = false;
    var turned = axes.map(function (axis, i) {
      var label = axis.axisLabel || {};
      if (axis.type !== "category" || label.interval !== 0 || axis.position === "top") return {};
      var need = (axis.data || []).reduce(function (sum, c) { return sum + width(String(c.value || c)); }, 0) * 6;
      var rotate = need <= room ? 0 : need <= 2 * room ? 30 : need <= 4 * room ? 45 : 90;
      rotate = Math.max(rotate, chart.jianfuRotate[i]);
      if (rotate !== (label.rotate || 0)) changed = true;
      return { axisLabel: { rotate: rotate } };
    });
    if (changed) chart.setOption({ xAxis: turned });
  }

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
      fit(chart);
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
      charts.forEach(function (chart) { chart.resize(); fit(chart); });
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
