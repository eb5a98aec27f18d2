/* Overview map 总览地图: county boundaries (GeoJSON registered in ECharts) and national air stations. */
(function () {
  "use strict";
  var holder = document.getElementById("overview-map");
  var source = document.getElementById("overview-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  echarts.registerMap(data.map_name, data.boundaries);
  var pm25 = function (s) { return s.values["PM2.5"]; };
  var stations = data.stations.filter(function (s) { return s.lon !== null && s.lat !== null; });
  var chart = echarts.init(holder, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    tooltip: {
      trigger: "item",
      formatter: function (p) {
        if (p.seriesType !== "scatter") { return p.name; }
        var s = p.data.station;
        var lines = [s.name + "（" + s.code + "）" + (s.is_control_site ? " 对照点" : "")];
        data.parameters.forEach(function (q) {
          var v = s.values[q.label];
          lines.push(q.label + "：" + (v === null ? "—" : v) + " " + (q.unit || ""));
        });
        lines.push(s.time_local ? "时间：" + s.time_local : "无数据");
        return lines.join("<br>");
      }
    },
    geo: {
      map: data.map_name,
      roam: true,
      label: { show: true, fontSize: 11, color: "#35524a" },
      itemStyle: { areaColor: "#eef5f1", borderColor: "#6f9a8d", borderWidth: 1 },
      emphasis: { itemStyle: { areaColor: "#d7ebe1" }, label: { color: "#1d3b33" } }
    },
    series: [{
      name: "国控站点",
      type: "scatter",
      coordinateSystem: "geo",
      symbolSize: 12,
      label: { show: true, position: "right", fontSize: 11, formatter: function (p) { return p.data.station.name; } },
      labelLayout: { hideOverlap: true },
      itemStyle: { color: function (p) { return p.data.station.is_control_site ? "#7a869a" : "#d9480f"; },
                   borderColor: "#fff", borderWidth: 1 },
      data: stations.map(function (s) {
        return { name: s.name, value: [s.lon, s.lat, pm25(s)], station: s };
      })
    }]
  });
  holder.dataset.stationCount = String(stations.length);
  holder.dataset.ready = "true";
  window.addEventListener("resize", function () { chart.resize(); });
  window.ecoloopOverviewChart = chart;
})();
