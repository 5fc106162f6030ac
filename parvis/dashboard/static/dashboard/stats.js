/* The statistics page's charts: the figures come from data.json (the same query string as the page) and are
   drawn with the vendored uPlot. Static file: the CSP forbids inline scripts. The tables under the charts hold
   the same figures, so the page says everything without JavaScript and to screen readers (the charts are
   role="img" with a label pointing to the table). */
(function () {
  "use strict";
  const root = document.getElementById("dash-stats");
  const labelsElement = document.getElementById("dash-stats-labels");
  if (!root || !labelsElement || typeof uPlot === "undefined") return;
  const text = JSON.parse(labelsElement.textContent);
  const COLORS = ["#0b57d0", "#188038", "#b06000", "#b3261e", "#7b1fa2"];
  const HEIGHT = 240;
  const charts = [];

  // The days are UTC days: show them as such whatever the reader's time zone.
  const utc = (seconds) => uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC");
  const widthOf = (element) => Math.max(280, element.clientWidth);
  const shown = (value, unit) => (value === null || value === undefined ? "—" : `${value}${unit || ""}`);
  // Counts, shares and waits read from zero; uPlot would otherwise start the axis near the smallest value.
  const fromZero = (chart, min, max) => uPlot.rangeNum(0, max > 0 ? max : 1, 0.1, true);
  const DAY = 86400;
  const isoDay = (seconds) => new Date(seconds * 1000).toISOString().slice(0, 10);

  function place(name, options, data) {
    const element = root.querySelector(`[data-chart="${name}"]`);
    if (!element) return;
    const chart = new uPlot({ width: widthOf(element), height: HEIGHT, ...options }, data, element);
    element.dataset.points = String(data[0].length);
    charts.push([chart, element]);
  }

  function timeChart(name, days, series, axisLabel, unit) {
    place(
      name,
      {
        tzDate: utc,
        // Room on the right for the last day's date, which is centred on the plot's edge.
        padding: [12, 44, 0, 0],
        scales: { x: { time: true }, y: { range: fromZero } },
        // Whole days only (the series have one point per day), written as ISO dates like the tables.
        axes: [
          { space: 80, incrs: [DAY, 2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY], values: (chart, splits) => splits.map(isoDay) },
          { label: axisLabel },
        ],
        series: [
          { label: text.day, value: "{YYYY}-{MM}-{DD}" },
          ...series.map((line, at) => ({
            label: line.label,
            stroke: COLORS[at % COLORS.length],
            width: 2,
            spanGaps: false,
            points: { show: true, size: 5 },
            value: (chart, value) => shown(value, unit),
          })),
        ],
      },
      [days, ...series.map((line) => line.values)],
    );
  }

  // Grouped bars: each series gets its slice of the category's column (uPlot's bar paths with explicit offsets).
  function barChart(name, names, series, axisLabel, rowLabel) {
    const positions = names.map((_, at) => at);
    const slice = 0.8 / series.length;
    place(
      name,
      {
        scales: { x: { time: false, range: [-0.5, names.length - 0.5] }, y: { range: fromZero } },
        axes: [
          { splits: () => positions, values: (chart, splits) => splits.map((at) => names[at] || ""), grid: { show: false } },
          { label: axisLabel },
        ],
        series: [
          { label: rowLabel, value: (chart, at) => (at === null ? "—" : names[at] || "") },
          ...series.map((bars, index) => ({
            label: bars.label,
            stroke: COLORS[index % COLORS.length],
            fill: COLORS[index % COLORS.length],
            width: 0,
            points: { show: false },
            paths: uPlot.paths.bars({
              disp: {
                x0: { unit: 1, values: () => positions.map((at) => at - 0.4 + index * slice) },
                size: { unit: 1, values: () => [slice] },
              },
            }),
          })),
        ],
      },
      [positions, ...series.map((bars) => bars.values)],
    );
  }

  function draw(data) {
    const days = data.days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000);
    timeChart(
      "daily",
      days,
      [
        { label: text.received, values: data.received },
        { label: text.published, values: data.published },
      ],
      text.comments,
    );
    timeChart(
      "shares",
      days,
      [
        { label: text.held, values: data.held_share },
        { label: text.rejected, values: data.rejected_share },
        { label: text.spam, values: data.spam_share },
      ],
      text.percent,
      " %",
    );
    timeChart("wait", days, [{ label: text.wait, values: data.median_wait_minutes }], text.minutes);
    if (data.categories.length) {
      barChart(
        "categories",
        data.categories.map((row) => row.label),
        [
          { label: text.automatic, values: data.categories.map((row) => row.automatic) },
          { label: text.moderator, values: data.categories.map((row) => row.moderator) },
        ],
        text.count,
        text.category,
      );
    }
    if (data.languages.length) {
      const rows = data.languages;
      barChart(
        "languages",
        rows.map((row) => row.language || text.undetected),
        ["publish", "hold", "reject", "spam"].map((action) => ({
          label: text[action],
          values: rows.map((row) => row[action]),
        })),
        text.count,
        text.language,
      );
    }
    root.dataset.drawn = "true";
  }

  window.addEventListener("resize", () => {
    for (const [chart, element] of charts) chart.setSize({ width: widthOf(element), height: HEIGHT });
  });

  fetch(root.dataset.source, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((answer) => {
      if (!answer.ok) throw new Error(`statistics: ${answer.status}`);
      return answer.json();
    })
    .then(draw)
    .catch((error) => {
      root.dataset.drawn = "failed";
      const note = document.createElement("p");
      note.className = "dash-error";
      note.textContent = String(error.message || error);
      root.prepend(note);
    });
})();
