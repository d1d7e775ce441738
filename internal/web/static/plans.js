// Charts of the dashboard (the county map) and of a target page (plan versus actual).
// ECharts and the Ganzhou map are embedded assets: nothing is fetched from the network.
// The data come from the server in a data- attribute as JSON; a county without a figure
// has no data item, so the map leaves it grey and says 无数据 instead of drawing a zero.
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var esc = echarts.format.encodeHTML;

  function num(v, decimals) {
    if (v === null || v === undefined || isNaN(v)) { return ""; }
    return Number(v).toLocaleString(document.documentElement.lang || "zh-CN",
      {minimumFractionDigits: 0, maximumFractionDigits: decimals});
  }

  function resizing(chart) {
    window.addEventListener("resize", function () { chart.resize(); });
  }

  var mapEl = document.getElementById("county-map");
  if (mapEl) {
    var m = JSON.parse(mapEl.getAttribute("data-map"));
    var chart = echarts.init(mapEl);
    var values = m.data.map(function (d) { return d.value; });
    var option = {
      tooltip: {trigger: "item", formatter: function (p) {
        return esc(p.name) + "<br>" + esc(p.data ? p.data.text : m.noData);
      }},
      series: [{type: "map", map: m.map, nameMap: m.nameMap, data: m.data, roam: false,
        layoutCenter: ["50%", "50%"], layoutSize: "95%",
        label: {show: true, fontSize: 10, color: "#1f2937"},
        itemStyle: {areaColor: "#eef1f5", borderColor: "#8a94a6"},
        emphasis: {itemStyle: {areaColor: "#ffd666"}, label: {color: "#1f2937"}}}]
    };
    if (values.length) {
      var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
      option.visualMap = {min: lo, max: hi > lo ? hi : lo + 1, calculable: true, left: 8, bottom: 8,
        text: [m.unit, ""], inRange: {color: ["#d6e4f5", "#1d4f91"]}};
    }
    chart.setOption(option);
    resizing(chart);
    mapEl.setAttribute("data-rendered", "1");
  }

  var tEl = document.getElementById("target-chart");
  if (tEl) {
    var c = JSON.parse(tEl.getAttribute("data-chart"));
    var tc = echarts.init(tEl);
    var L = c.labels;
    tc.setOption({
      tooltip: {trigger: "axis", formatter: function (ps) {
        var i = ps[0].dataIndex, out = [esc(String(c.years[i]))];
        function line(label, v) { if (v !== null && v !== undefined) { out.push(esc(label) + "：" + num(v, c.decimals) + " " + esc(c.unit)); } }
        line(L.actual, c.actual[i]);
        line(L.path, c.path[i]);
        line(L.forecast, c.forecast[i]);
        if (c.bandLo[i] !== null) {
          out.push(esc(L.band) + "：" + num(c.bandLo[i], c.decimals) + " – " + num(c.bandLo[i] + c.bandSpan[i], c.decimals));
        }
        return out.join("<br>");
      }},
      legend: {data: [L.actual, L.path, L.forecast, L.band], top: 0},
      grid: {left: 64, right: 24, top: 40, bottom: 32},
      xAxis: {type: "category", data: c.years.map(String), boundaryGap: false},
      yAxis: {type: "value", name: c.unit, scale: false},
      series: [
        {name: L.band + " lo", type: "line", data: c.bandLo, stack: "band", symbol: "none",
          lineStyle: {opacity: 0}, silent: true},
        {name: L.band, type: "line", data: c.bandSpan, stack: "band", symbol: "none",
          lineStyle: {opacity: 0}, areaStyle: {color: "rgba(29,79,145,0.15)"}, color: "rgba(29,79,145,0.35)", silent: true},
        {name: L.path, type: "line", data: c.path, connectNulls: true, color: "#b42318",
          lineStyle: {type: "dashed"},
          markLine: {symbol: "none", data: [{yAxis: c.target}], label: {position: "insideEndTop", formatter: L.target + " " + num(c.target, c.decimals) + " " + c.unit},
            lineStyle: {color: "#b42318", type: "dotted"}}},
        {name: L.actual, type: "line", data: c.actual, connectNulls: true, symbolSize: 8, color: "#1d4f91"},
        {name: L.forecast, type: "line", data: c.forecast, symbol: "none", color: "#1d4f91", lineStyle: {type: "dotted"}}
      ]
    });
    resizing(tc);
    tEl.setAttribute("data-rendered", "1");
  }
})();
