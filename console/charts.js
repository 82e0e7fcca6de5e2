// Charts drawn as inline SVG at the width they get (redrawn when it changes), so that text stays legible
// on a phone and a laptop alike. Colours come from CSS classes; each chart has a text equivalent.

import { h, s } from "./dom.js";

/**
 * A <figure> holding a chart that `draw(width)` builds; `summary` is the text a screen reader gets.
 * The figure redraws itself whenever its width changes.
 */
function responsiveFigure(title, summary, draw, legend) {
  const holder = h("div", { class: "chart-canvas" });
  const figure = h("figure", { class: "chart card" },
    h("figcaption", {}, title), legend || null, holder);
  let lastWidth = 0;
  const redraw = () => {
    const width = Math.max(240, Math.floor(holder.clientWidth || 320));
    if (width === lastWidth) return;
    lastWidth = width;
    const svg = draw(width);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", summary);
    holder.replaceChildren(svg);
  };
  new ResizeObserver(redraw).observe(holder);
  queueMicrotask(redraw);
  return figure;
}

/** Horizontal bars: one row per item ({label, value, tone}); the value is printed after the bar. */
export function barChart(title, items, { format = String } = {}) {
  const summary = `${title}: ${items.map((i) => `${i.label} ${format(i.value)}`).join(", ")}`;
  return responsiveFigure(title, summary, (width) => {
    const rowHeight = 28;
    const labelWidth = Math.min(140, Math.round(width * 0.38));
    const valueWidth = 56;
    const barSpace = Math.max(40, width - labelWidth - valueWidth - 8);
    const max = Math.max(1, ...items.map((i) => i.value || 0));
    const height = items.length * rowHeight + 4;
    return s("svg", { width, height, viewBox: `0 0 ${width} ${height}`, class: "bar-chart" },
      items.map((item, index) => {
        const y = index * rowHeight + 2;
        const barWidth = item.value ? Math.max(2, (item.value / max) * barSpace) : 0;
        return s("g", {},
          s("title", {}, `${item.label}: ${format(item.value)}`),
          s("text", { x: labelWidth - 8, y: y + rowHeight / 2, class: "chart-label", "text-anchor": "end",
            "dominant-baseline": "middle" }, item.label),
          s("rect", { x: labelWidth, y: y + 5, width: barSpace, height: rowHeight - 10, rx: 3, class: "chart-track" }),
          s("rect", { x: labelWidth, y: y + 5, width: barWidth, height: rowHeight - 10, rx: 3,
            class: `chart-bar tone-${item.tone || "info"}` }),
          s("text", { x: labelWidth + barWidth + 6, y: y + rowHeight / 2, class: "chart-value",
            "dominant-baseline": "middle" }, format(item.value)));
      }));
  });
}

/** Vertical columns with a label under each ({label, value}), e.g. the score histogram. */
export function columnChart(title, items, { tone = "info" } = {}) {
  const summary = `${title}: ${items.map((i) => `${i.label}: ${i.value}`).join(", ")}`;
  return responsiveFigure(title, summary, (width) => {
    const height = 180;
    const top = 18;
    const bottom = 26;
    const plot = height - top - bottom;
    const max = Math.max(1, ...items.map((i) => i.value || 0));
    const slot = width / Math.max(1, items.length);
    const showEvery = slot < 34 ? 2 : 1;
    return s("svg", { width, height, viewBox: `0 0 ${width} ${height}`, class: "column-chart" },
      s("line", { x1: 0, x2: width, y1: top + plot, y2: top + plot, class: "chart-axis" }),
      items.map((item, index) => {
        const barHeight = item.value ? Math.max(2, (item.value / max) * plot) : 0;
        const x = index * slot + slot * 0.15;
        return s("g", {},
          s("title", {}, `${item.label}: ${item.value}`),
          s("rect", { x, y: top + plot - barHeight, width: slot * 0.7, height: barHeight, rx: 2,
            class: `chart-bar tone-${tone}` }),
          item.value ? s("text", { x: x + slot * 0.35, y: top + plot - barHeight - 4, class: "chart-value",
            "text-anchor": "middle" }, String(item.value)) : null,
          index % showEvery === 0 ? s("text", { x: x + slot * 0.35, y: height - 8, class: "chart-label small",
            "text-anchor": "middle" }, item.shortLabel ?? item.label) : null);
      }));
  });
}

/** Lines over days: `labels` are dates (YYYY-MM-DD), `series` [{name, tone, values}]. */
export function lineChart(title, labels, series) {
  const totals = series.map((line) => `${line.name} ${line.values.reduce((a, b) => a + b, 0)}`);
  const summary = `${title}, ${labels[0] || ""} to ${labels[labels.length - 1] || ""}: totals ${totals.join(", ")}`;
  const legend = h("ul", { class: "legend" }, series.map((line) =>
    h("li", {}, h("span", { class: `swatch tone-${line.tone}`, "aria-hidden": "true" }), line.name)));
  return responsiveFigure(title, summary, (width) => {
    const height = 200;
    const left = 30;
    const right = 14;
    const top = 12;
    const bottom = 26;
    const plotWidth = width - left - right;
    const plotHeight = height - top - bottom;
    const max = Math.max(1, ...series.flatMap((line) => line.values));
    const ticks = max <= 4 ? Array.from({ length: max + 1 }, (_, i) => i) : [0, Math.round(max / 2), max];
    const x = (index) => left + (labels.length <= 1 ? plotWidth / 2 : (index / (labels.length - 1)) * plotWidth);
    const y = (value) => top + plotHeight - (value / max) * plotHeight;
    const labelEvery = Math.ceil(labels.length / Math.max(2, Math.floor(plotWidth / 70)));
    return s("svg", { width, height, viewBox: `0 0 ${width} ${height}`, class: "line-chart" },
      ticks.map((tick) => s("g", {},
        s("line", { x1: left, x2: width - right, y1: y(tick), y2: y(tick), class: "chart-grid" }),
        s("text", { x: left - 6, y: y(tick), class: "chart-label small", "text-anchor": "end",
          "dominant-baseline": "middle" }, String(tick)))),
      labels.map((label, index) => (index % labelEvery === 0 || index === labels.length - 1)
        && (labels.length - 1 - index >= labelEvery / 2 || index === labels.length - 1)
        ? s("text", { x: x(index), y: height - 8, class: "chart-label small",
          "text-anchor": index === labels.length - 1 ? "end" : index === 0 ? "start" : "middle" }, shortDate(label))
        : null),
      series.map((line) => s("g", { class: `series tone-${line.tone}` },
        s("polyline", { points: line.values.map((value, index) => `${x(index)},${y(value)}`).join(" "),
          class: "chart-line" }),
        line.values.map((value, index) => value ? s("circle", { cx: x(index), cy: y(value), r: 3, class: "chart-dot" },
          s("title", {}, `${labels[index]}: ${value} ${line.name.toLowerCase()}`)) : null))));
  }, legend);
}

const dayFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" });

function shortDate(isoDate) {
  const date = new Date(`${isoDate}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? String(isoDate) : dayFormat.format(date);
}
