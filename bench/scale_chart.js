// Draws the growth curves of bench/city.py's results as an SVG with the vendored ECharts
// (server-side rendering, no browser, no npm install):
//
//     node bench/scale_chart.js [docs/scale-results.json] [docs/scale.svg]
//
// Left: each hot path's median server time (ms) against the residents, both axes logarithmic, so
// a flat curve is horizontal and one that grows with the district rises at the slope of the grey
// "∝ residents" line. Right: the district's daily snapshot (s) and gate scans per second, real
// endpoint and bare view.
"use strict";
const fs = require("fs");
const path = require("path");
const root = path.resolve(__dirname, "..");
const echarts = require(path.join(root, "tongzhou/core/static/vendor/echarts/echarts.min.js"));

const input = process.argv[2] || path.join(root, "docs/scale-results.json");
const output = process.argv[3] || path.join(root, "docs/scale.svg");
const report = JSON.parse(fs.readFileSync(input, "utf8"));
const sizes = report.sizes;
const at = (size) => report.results[String(size)];
const fmt = (n) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);

const series = report.paths.map((p) => ({
  name: p.label,
  type: "line",
  xAxisIndex: 0,
  yAxisIndex: 0,
  symbolSize: 6,
  data: sizes.map((s) => [s, Math.round(at(s).pages[p.key].median_ms * 10) / 10]),
}));
// A reference line growing in proportion to the residents, from the slowest page at the smallest size.
const top = Math.max(...report.paths.map((p) => at(sizes[0]).pages[p.key].median_ms));
series.push({
  name: "∝ residents (reference)",
  type: "line",
  xAxisIndex: 0,
  yAxisIndex: 0,
  symbol: "none",
  lineStyle: { type: "dashed", color: "#999" },
  itemStyle: { color: "#999" },
  data: sizes.map((s) => [s, Math.round((top * s) / sizes[0])]),
});
series.push({
  name: "daily snapshot, district (s)",
  type: "line",
  xAxisIndex: 1,
  yAxisIndex: 1,
  symbolSize: 6,
  data: sizes.map((s) => [s, Math.round(at(s).snapshot_district_s * 10) / 10]),
});
if (sizes.every((s) => at(s).gates)) {
  for (const [key, name] of [
    ["real_rps", "gate scans/s, real endpoint"],
    ["bare_rps", "gate scans/s, bare view"],
  ]) {
    series.push({
      name,
      type: "line",
      xAxisIndex: 2,
      yAxisIndex: 2,
      symbolSize: 6,
      data: sizes.map((s) => [s, Math.round(at(s).gates[key])]),
    });
  }
}

const width = 1100;
const height = 640;
const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
const logX = (gridIndex, name) => ({
  type: "log",
  gridIndex,
  name,
  nameLocation: "middle",
  nameGap: 26,
  min: sizes[0] / 1.5,
  max: sizes[sizes.length - 1] * 1.5,
  axisLabel: { formatter: (v) => (sizes.includes(v) || [1e4, 1e5, 1e6, 1e7].includes(v) ? fmt(v) : "") },
});
chart.setOption({
  animation: false,
  backgroundColor: "#fff",
  // One colour a series (ECharts' default palette has nine and would repeat them).
  color: [
    "#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4",
    "#ea7ccc", "#2f4554", "#c23531", "#999999", "#d48265", "#61a0a8", "#6e7074",
  ],
  title: [
    { text: "Hot paths: median server time (ms), log–log", left: 40, top: 6, textStyle: { fontSize: 14 } },
    { text: "District snapshot (s)", left: 720, top: 6, textStyle: { fontSize: 14 } },
    { text: "Gate scans per second", left: 720, top: 236, textStyle: { fontSize: 14 } },
  ],
  legend: { bottom: 0, left: 10, right: 10, textStyle: { fontSize: 11 }, itemWidth: 18 },
  grid: [
    { left: 60, top: 40, width: 600, height: 380 },
    { left: 760, top: 40, width: 300, height: 150 },
    { left: 760, top: 270, width: 300, height: 150 },
  ],
  xAxis: [logX(0, "residents"), logX(1, "residents"), logX(2, "residents")],
  yAxis: [
    { type: "log", gridIndex: 0 },
    { type: "value", gridIndex: 1, min: 0 },
    { type: "value", gridIndex: 2, min: 0 },
  ],
  series,
});
fs.writeFileSync(output, chart.renderToSVGString() + "\n");
chart.dispose();
console.log(`written to ${output}`);
process.exit(0);
