// The dashboards' charts (issue 15, point 6), drawn with Apache ECharts from the page's JSON block
// (#dashboard-charts: labels in the reader's language, numbers and the link behind each number, built by
// service/web/dashboard_charts.py). A click on a bar, a point or a funnel stage opens its list; the same
// numbers and links are in the page's tables for keyboards, screen readers and browsers without scripts.
// When every chart has been drawn, <body data-charts-ready="true"> tells the browser tests so.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-charts");
  if (!source || !window.echarts) {
    return;
  }
  var spec = JSON.parse(source.textContent);
  // Colours at 3:1 or more against white; the decal patterns (aria.decal) keep series apart without colour.
  var palette = ["#1864ab", "#2b8a3e", "#e8590c", "#c92a2a", "#5f3dc4", "#0b7285", "#862e9c", "#5c940d", "#495057"];
  var charts = [];
  var MANY_CATEGORIES = 12; // more bars than a phone's width shows side by side with readable labels
  var ROW_HEIGHT = 26; // px per category when they are drawn as rows
  var pending = 0;

  function valueLabel(params) {
    var value = params.value;
    return value ? String(value) : "";
  }

  function barOption(chart) {
    var category = {
      type: "category",
      data: chart.categories,
      inverse: Boolean(chart.horizontal), // the first category on top, as in the table
      axisLabel: { interval: 0, hideOverlap: true, rotate: chart.horizontal || chart.categories.length < 5 ? 0 : 30 },
    };
    var value = { type: "value", minInterval: 1 };
    return {
      xAxis: chart.horizontal ? value : category,
      yAxis: chart.horizontal ? category : value,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      series: chart.series.map(function (series) {
        return {
          type: "bar",
          name: series.name,
          stack: chart.stacked ? "total" : undefined,
          data: series.data,
          cursor: "pointer",
          barMaxWidth: 48,
          label: { show: true, position: chart.stacked ? "inside" : "top", formatter: valueLabel },
          emphasis: { focus: "series" },
        };
      }),
    };
  }

  function lineOption(chart) {
    return {
      xAxis: { type: "category", data: chart.categories, boundaryGap: false },
      yAxis: { type: "value", minInterval: 1 },
      tooltip: { trigger: "axis", confine: true },
      series: chart.series.map(function (series, index) {
        return {
          type: "line",
          name: series.name,
          data: series.data,
          cursor: "pointer",
          symbol: ["circle", "rect", "triangle", "diamond", "pin"][index % 5],
          symbolSize: 9,
        };
      }),
    };
  }

  function funnelOption(chart) {
    return {
      tooltip: { trigger: "item", formatter: "{b}{colon}{c}".replace("{colon}", spec.lang === "en" ? ": " : "："), confine: true },
      series: chart.series.map(function (series) {
        return {
          type: "funnel",
          name: series.name,
          data: series.data,
          sort: "none",
          minSize: "12%",
          left: "5%",
          width: "90%",
          top: 40,
          bottom: 10,
          cursor: "pointer",
          label: { show: true, position: "inside", formatter: "{b} {c}", color: "#fff", textBorderColor: "#212529", textBorderWidth: 2 },
        };
      }),
    };
  }

  function draw(chart) {
    var element = document.getElementById(chart.id);
    if (!element) {
      return;
    }
    if (chart.kind !== "line" && chart.kind !== "funnel" && chart.categories.length > MANY_CATEGORIES) {
      // A town's 46 villages side by side are slivers with labels on top of each other (worst on a
      // phone): one row per village instead, the chart as tall as its rows.
      chart.horizontal = true;
      element.style.height = chart.categories.length * ROW_HEIGHT + 90 + "px";
    }
    var instance = window.echarts.init(element, null, { renderer: "svg", locale: spec.lang === "en" ? "EN" : "ZH" });
    var build = chart.kind === "line" ? lineOption : chart.kind === "funnel" ? funnelOption : barOption;
    var option = build(chart);
    option.color = palette;
    option.animation = false;
    option.aria = { enabled: true, decal: { show: true } };
    option.legend = { type: "scroll", top: 0 };
    option.grid = { left: 8, right: 16, bottom: 8, top: 44, containLabel: true };
    pending += 1;
    instance.on("finished", function () {
      if (element.dataset.ready !== "true") {
        element.dataset.ready = "true";
        pending -= 1;
        if (pending === 0) {
          document.body.dataset.chartsReady = "true";
        }
      }
    });
    instance.on("click", function (params) {
      var url = params.data && params.data.url;
      if (url) {
        window.location.assign(url);
      }
    });
    instance.setOption(option);
    charts.push(instance);
  }

  spec.charts.forEach(draw);
  window.addEventListener("resize", function () {
    charts.forEach(function (instance) {
      instance.resize();
    });
  });
})();
