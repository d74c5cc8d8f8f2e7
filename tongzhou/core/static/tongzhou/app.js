// Charts: any element with data-chart="ID" draws the ECharts option stored in the JSON script #ID.
// The page's CSP allows no inline script, so options travel as json_script data.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof echarts === "undefined") return;
  document.querySelectorAll("[data-chart]").forEach((el) => {
    const data = document.getElementById(el.dataset.chart);
    if (!data) return;
    const chart = echarts.init(el);
    chart.setOption(JSON.parse(data.textContent));
    window.addEventListener("resize", () => chart.resize());
  });
});
