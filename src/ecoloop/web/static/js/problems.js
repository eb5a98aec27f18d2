/* Problems pages: the public report map (tap to pin, or use the phone's location) and the officer inbox map. */
(function () {
  "use strict";
  function boundsOf(fc) {
    var minx = 180, miny = 90, maxx = -180, maxy = -90;
    fc.features.forEach(function (f) {
      JSON.stringify(f.geometry.coordinates).replace(/\[(-?[\d.]+),(-?[\d.]+)\]/g, function (_, x, y) {
        x = +x; y = +y; minx = Math.min(minx, x); maxx = Math.max(maxx, x); miny = Math.min(miny, y); maxy = Math.max(maxy, y);
      });
    });
    return [minx, miny, maxx, maxy];
  }
  var submit = document.getElementById("report-submit");
  var form = document.getElementById("report-form");
  if (form && submit) {
    form.addEventListener("submit", function () {
      // one submission per click; the server also ignores a repeated submission_id
      setTimeout(function () { submit.disabled = true; submit.textContent = "正在提交…"; }, 0);
    });
  }
  var holder = document.getElementById("report-map");
  if (holder && typeof echarts !== "undefined") {
    var fc = JSON.parse(document.getElementById("report-map-data").textContent);
    var lon = document.getElementById("lon"), lat = document.getElementById("lat"), picked = document.getElementById("picked");
    echarts.registerMap("jincheng-report", fc);
    var chart = echarts.init(holder);
    var pin = lon.value ? [[+lon.value, +lat.value]] : [];
    var draw = function () {
      chart.setOption({ animation: false,
        geo: { map: "jincheng-report", roam: true, label: { show: true, fontSize: 10 },
               itemStyle: { areaColor: "#eef5f1", borderColor: "#6f9a8d" } },
        series: [{ type: "scatter", coordinateSystem: "geo", symbol: "pin", symbolSize: 30,
                   itemStyle: { color: "#d9480f" }, data: pin }] });
    };
    draw();
    var setPoint = function (x, y) {
      lon.value = x.toFixed(6); lat.value = y.toFixed(6); pin = [[x, y]];
      picked.textContent = "已选：" + lon.value + ", " + lat.value; draw();
    };
    chart.getZr().on("click", function (e) {
      var p = chart.convertFromPixel("geo", [e.offsetX, e.offsetY]);
      if (p) { setPoint(p[0], p[1]); }
    });
    var me = document.getElementById("locate-me");
    if (me) {
      me.addEventListener("click", function () {
        if (!navigator.geolocation) { picked.textContent = "此设备不支持定位，请在地图上点选"; return; }
        navigator.geolocation.getCurrentPosition(function (pos) { setPoint(pos.coords.longitude, pos.coords.latitude); },
          function () { picked.textContent = "定位失败，请在地图上点选或填写地址"; });
      });
    }
    holder.dataset.ready = "true";
    window.ecoloopReportMap = { chart: chart, setPoint: setPoint, bounds: boundsOf(fc) };
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var inbox = document.getElementById("problems-map");
  if (inbox && typeof echarts !== "undefined") {
    var data = JSON.parse(document.getElementById("problems-map-data").textContent);
    echarts.registerMap("jincheng-problems", data.boundaries);
    var c2 = echarts.init(inbox);
    c2.setOption({ animation: false,
      tooltip: { trigger: "item", formatter: function (p) { return p.data && p.data.title ? p.data.name + "<br>" + p.data.title + "<br>" + p.data.status : p.name; } },
      geo: { map: "jincheng-problems", roam: true, label: { show: true, fontSize: 10 },
             itemStyle: { areaColor: "#eef5f1", borderColor: "#6f9a8d" } },
      series: [{ type: "scatter", coordinateSystem: "geo", symbolSize: 9,
                 itemStyle: { color: function (p) { return p.data.overdue ? "#b42318" : "#1f6f5c"; } },
                 data: data.points }] });
    c2.on("click", function (p) { if (p.data && p.data.url) { window.location.href = p.data.url; } });
    inbox.dataset.ready = "true";
    window.addEventListener("resize", function () { c2.resize(); });
  }
})();
