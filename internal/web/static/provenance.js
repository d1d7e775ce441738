// The provenance graph: lots, the transformations between them, the mines the material was
// commissioned at and the mining-quota grants of those mines' enterprises. The server lays
// the nodes out in columns (col: material flows left to right; row: place in the column),
// so thousands of nodes draw without a force layout; labels and animation are dropped on
// large graphs, and the chart can be zoomed and panned. Clicking a node opens its page.
(function () {
  "use strict";
  var el = document.getElementById("prov-graph");
  if (!el || !window.echarts) { return; }
  var g = JSON.parse(el.getAttribute("data-graph"));
  var colours = {lot: "#2f6fb3", event: "#e8a33d", mine: "#8a5a2b", grant: "#2f9e5b"};
  var symbols = {lot: "circle", event: "diamond", mine: "rect", grant: "roundRect"};
  var big = g.nodes.length > 300;
  // Columns are centred on one another, so a column of 400 ores fans into one of 20.
  var tallest = 1, perCol = {};
  g.nodes.forEach(function (n) {
    tallest = Math.max(tallest, n.row + 1);
    perCol[n.col] = Math.max(perCol[n.col] || 0, n.row + 1);
  });
  var colW = 160, rowH = big ? 14 : 48;
  el.style.height = Math.max(360, Math.min(1600, tallest * rowH + 80)) + "px";
  var esc = echarts.format.encodeHTML;
  var kinds = ["lot", "event", "mine", "grant"];
  var nodes = g.nodes.map(function (n) {
    return {id: n.id, name: n.name, x: n.col * colW, y: (tallest - perCol[n.col]) * rowH / 2 + n.row * rowH, value: n.text || n.name, href: n.href,
      category: kinds.indexOf(n.kind), symbol: symbols[n.kind], symbolSize: n.id === g.start ? 22 : (big ? 6 : 14),
      itemStyle: n.id === g.start ? {borderColor: "#d64545", borderWidth: 3} : undefined};
  });
  var chart = echarts.init(el);
  chart.on("finished", function () { el.setAttribute("data-rendered", "1"); });
  chart.setOption({
    animation: !big,
    tooltip: {formatter: function (p) {
      if (p.dataType !== "node") { return ""; }
      return "<b>" + esc(g.kinds[kinds[p.data.category]]) + "</b><br>" + esc(String(p.data.value));
    }},
    legend: {top: 4, data: kinds.map(function (k) { return g.kinds[k]; })},
    series: [{type: "graph", layout: "none", roam: true, draggable: false, top: 40, bottom: 20, left: 40, right: 40,
      edgeSymbol: ["none", "arrow"], edgeSymbolSize: big ? 3 : 6,
      categories: kinds.map(function (k) { return {name: g.kinds[k], itemStyle: {color: colours[k]}, symbol: symbols[k]}; }),
      label: {show: !big, position: "bottom", fontSize: 11, width: 140, overflow: "truncate"},
      lineStyle: {color: "#94a3b8", opacity: big ? 0.5 : 0.9},
      emphasis: {focus: "adjacency"},
      data: nodes, links: g.edges}]
  });
  chart.on("click", function (p) {
    if (p.dataType === "node" && p.data.href) { window.location.href = p.data.href; }
  });
  window.addEventListener("resize", function () { chart.resize(); });
  el.setAttribute("data-nodes", String(g.nodes.length));
})();
