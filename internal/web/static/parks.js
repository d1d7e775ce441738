// The layout map: each county that holds a park or belongs to a wing or plate of the
// layout, shaded by its number of parks, with the parks and zones in the tooltip. The map
// and ECharts are embedded assets; the data come from the page in a data- attribute.
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var el = document.getElementById("park-map");
  if (!el) { return; }
  var esc = echarts.format.encodeHTML;
  var m = JSON.parse(el.getAttribute("data-map"));
  var chart = echarts.init(el);
  var max = 1;
  m.data.forEach(function (d) { if (d.value > max) { max = d.value; } });
  chart.setOption({
    tooltip: {trigger: "item", formatter: function (p) {
      var d = p.data, out = [esc(p.name)];
      if (!d) { out.push(esc(m.labels.none)); return out.join("<br>"); }
      out.push(esc(m.labels.parks) + "：" + (d.parks && d.parks.length ? d.parks.map(esc).join("、") : "—"));
      if (d.zones && d.zones.length) { out.push(esc(m.labels.zones) + "：" + d.zones.map(esc).join("、")); }
      return out.join("<br>");
    }},
    visualMap: {min: 0, max: max, calculable: false, left: 8, bottom: 8, text: [m.labels.parks, ""],
      inRange: {color: ["#e6f0e0", "#2f6b2f"]}},
    series: [{type: "map", map: m.map, nameMap: m.nameMap, data: m.data, roam: false,
      layoutCenter: ["50%", "50%"], layoutSize: "95%",
      label: {show: true, fontSize: 10, color: "#1f2937"},
      itemStyle: {areaColor: "#eef1f5", borderColor: "#8a94a6"},
      emphasis: {itemStyle: {areaColor: "#ffd666"}, label: {color: "#1f2937"}}}]
  });
  window.addEventListener("resize", function () { chart.resize(); });
  el.setAttribute("data-rendered", "1");
})();
