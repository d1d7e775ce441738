// The chain graph: one node per link, placed in columns by stage (left to right, upstream
// to downstream) and coloured by the computed status; feedback edges are dashed and
// curved. ECharts is embedded; the data come from the server in data-graph. Clicking a
// node opens the link's page (its side panel of enterprises and figures).
(function () {
  "use strict";
  var el = document.getElementById("chain-graph");
  if (!el || !window.echarts) { return; }
  var g = JSON.parse(el.getAttribute("data-graph"));
  var colours = {gap: "#d64545", weak: "#e8a33d", strong: "#2f9e5b"};
  var names = {};
  g.statuses.forEach(function (s) { names[s.status] = s.label; });
  // Rows within each stage column, so 200 links spread into a readable grid.
  var perStage = {}, rowOf = {};
  g.nodes.forEach(function (n) {
    perStage[n.stage] = (perStage[n.stage] || 0) + 1;
    rowOf[n.id] = perStage[n.stage] - 1;
  });
  var tallest = 1;
  Object.keys(perStage).forEach(function (k) { tallest = Math.max(tallest, perStage[k]); });
  var colW = 180, rowH = 56;
  el.style.height = Math.max(320, Math.min(2400, tallest * rowH + 80)) + "px";
  var esc = echarts.format.encodeHTML;
  var nodes = g.nodes.map(function (n) {
    var offset = (tallest - perStage[n.stage]) * rowH / 2;
    return {id: n.id, name: n.name, x: n.stage * colW, y: offset + rowOf[n.id] * rowH, value: n.text, href: n.href,
      category: n.status, itemStyle: {color: colours[n.status]}};
  });
  var links = g.edges.map(function (e) {
    return {source: e.source, target: e.target,
      lineStyle: e.feedback ? {type: "dashed", curveness: 0.3, color: "#6b7280"} : {curveness: 0, color: "#94a3b8"}};
  });
  var chart = echarts.init(el);
  chart.setOption({
    animation: g.nodes.length < 120,
    tooltip: {formatter: function (p) {
      if (p.dataType !== "node") { return ""; }
      return "<b>" + esc(p.data.name) + "</b><br>" + esc(p.data.value).replace(/\n/g, "<br>");
    }},
    legend: {data: g.statuses.map(function (s) { return {name: s.status, itemStyle: {color: colours[s.status]}}; }),
      formatter: function (k) { return names[k] || k; }, top: 4},
    series: [{type: "graph", layout: "none", roam: true, draggable: false, top: 40, bottom: 20, left: 60, right: 60,
      symbol: "roundRect", symbolSize: [120, 30], edgeSymbol: ["none", "arrow"], edgeSymbolSize: 7,
      categories: g.statuses.map(function (s) { return {name: s.status}; }),
      label: {show: true, color: "#fff", fontSize: 12, width: 112, overflow: "truncate"},
      data: nodes, links: links}]
  });
  chart.on("click", function (p) {
    if (p.dataType === "node" && p.data.href) { window.location.href = p.data.href; }
  });
  window.addEventListener("resize", function () { chart.resize(); });
  chart.on("finished", function () { el.setAttribute("data-rendered", "1"); });
})();
