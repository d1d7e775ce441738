// RCA against density for one region's industries, like the Atlas and Metroverse
// growth-opportunity charts: to the right are industries close to what the region already
// does; above the line RCA = 1 are those it already has an advantage in.
(function () {
  "use strict";
  var el = document.getElementById("rel-chart");
  if (!el || !window.echarts) { return; }
  var d = JSON.parse(el.getAttribute("data-chart"));
  var esc = echarts.format.encodeHTML;
  function series(has, name, colour) {
    return {name: name, type: "scatter", symbolSize: 10, itemStyle: {color: colour},
      data: d.points.filter(function (p) { return p.has === has; }).map(function (p) {
        return {value: [p.density, p.rca], name: p.name, pci: p.pci};
      })};
  }
  var chart = echarts.init(el);
  chart.setOption({
    legend: {top: 4},
    tooltip: {formatter: function (p) {
      return "<b>" + esc(p.data.name) + "</b><br>" + esc(d.x) + ": " + p.value[0].toFixed(3) + "<br>" + esc(d.y) + ": " +
        p.value[1].toFixed(3) + "<br>PCI: " + p.data.pci.toFixed(2);
    }},
    xAxis: {name: d.x, type: "value", min: 0, max: 1},
    yAxis: {name: d.y, type: "value"},
    series: [series(true, d.has, "#2f9e5b"), series(false, d.lacks, "#e8a33d")]
  });
  chart.on("finished", function () { el.setAttribute("data-rendered", "1"); });
  window.addEventListener("resize", function () { chart.resize(); });
})();
