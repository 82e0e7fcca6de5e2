// Building the page. Every piece of data reaches the DOM as a text node or an attribute value, never as
// markup: candidates' answers, names and messages are shown exactly as typed, whatever they contain.

const SVG_NS = "http://www.w3.org/2000/svg";

function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function apply(element, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) {
      if (typeof value !== "function") throw new Error(`${name} must be a function`);
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "text") {
      element.textContent = String(value);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (name === "value" || name === "checked" || name === "disabled" || name === "selected") {
      element[name] = value;
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
}

/** h("p", {class: "x"}, "text", child) creates an element; strings become text nodes. */
export function h(tag, attrs, ...children) {
  const element = document.createElement(tag);
  apply(element, attrs);
  append(element, children);
  return element;
}

/** The same for SVG elements (charts). */
export function s(tag, attrs, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  apply(element, attrs);
  append(element, children);
  return element;
}

/** parent.append(...), except that null, undefined and false add nothing (append would add "null"). */
export function put(parent, ...children) {
  append(parent, children);
  return parent;
}

let uniqueCounter = 0;
export function uid(prefix = "id") {
  uniqueCounter += 1;
  return `${prefix}-${uniqueCounter}`;
}

// --- formatting ----------------------------------------------------------------------------------------------

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });

export function formatDateTime(value) {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : dateTime.format(date);
}

export function formatTime(value) {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : timeOnly.format(date);
}

export function formatPercent(rate) {
  return rate === null || rate === undefined ? "—" : `${Math.round(rate * 1000) / 10}%`;
}

export function formatNumber(value, digits = 0) {
  if (value === null || value === undefined) return "—";
  return Number(value).toLocaleString(undefined, { maximumFractionDigits: digits });
}

export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.round(seconds / 360) / 10} h`;
  return `${Math.round(seconds / 8640) / 10} d`;
}

export function humanize(value) {
  return String(value ?? "").replaceAll("_", " ");
}

export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 102.4) / 10} KB`;
  return `${Math.round(bytes / 104857.6) / 10} MB`;
}

// --- small components ----------------------------------------------------------------------------------------

const STATUS_TONES = {
  scheduled: "info", in_progress: "active", paused: "warn", completed: "ok", expired: "muted",
  cancelled: "muted", opted_out: "warn", failed: "bad", open: "ok", draft: "muted", closed: "muted",
  scored: "ok", pending: "active", none: "muted", delivered: "ok", sent: "info", queued: "muted",
  accepted: "muted", sending: "muted", received: "info", undelivered: "bad", read: "ok",
  advance: "ok", hold: "warn", reject: "bad", admin: "bad", recruiter: "info", viewer: "muted",
};

export function badge(value, label) {
  const tone = STATUS_TONES[value] || "muted";
  return h("span", { class: `badge badge-${tone}` }, label ?? humanize(value));
}

/** A heading for a page, focusable so that navigation can move the keyboard focus to it. */
export function pageHeader(title, ...actions) {
  return h("div", { class: "page-header" },
    h("h1", { tabindex: "-1", class: "page-title" }, title),
    actions.length ? h("div", { class: "actions" }, actions) : null);
}

export function emptyState(message, ...actions) {
  return h("div", { class: "empty" }, h("p", {}, message), actions.length ? h("p", {}, actions) : null);
}

export function loading(what = "Loading") {
  return h("p", { class: "loading", role: "status" }, `${what}…`);
}

/** A link styled as a button (for navigation), or a real button (for actions). */
export function linkButton(href, label, extraClass = "") {
  return h("a", { class: `button ${extraClass}`.trim(), href }, label);
}

export function button(label, onClick, extraClass = "", attrs = {}) {
  return h("button", { type: "button", class: `button ${extraClass}`.trim(), onclick: onClick, ...attrs }, label);
}

/** A button that asks "Are you sure?" in place (no native dialog), then runs `action`. */
export function confirmButton(label, confirmLabel, action, extraClass = "danger") {
  const wrapper = h("span", { class: "confirm" });
  const start = button(label, () => {
    wrapper.replaceChildren(
      h("span", { class: "confirm-question" }, "Sure?"),
      button(confirmLabel, async (event) => {
        event.currentTarget.disabled = true;
        try {
          await action();
        } finally {
          if (wrapper.isConnected) reset();
        }
      }, extraClass),
      button("Keep", () => { reset(); start.focus(); }),
    );
    wrapper.querySelector("button").focus();
  }, extraClass);
  function reset() { wrapper.replaceChildren(start); }
  reset();
  return wrapper;
}

/** A description list from [term, value] pairs; values may be nodes or strings. */
export function details(pairs) {
  return h("dl", { class: "details" },
    pairs.filter(Boolean).map(([term, value]) => [h("dt", {}, term), h("dd", {}, value ?? "—")]));
}

/** A table whose cells also carry their column name, so that narrow screens can show rows as cards. */
export function table(columns, rows, caption) {
  return h("div", { class: "table-wrap" },
    h("table", { class: "data" },
      caption ? h("caption", { class: "visually-hidden" }, caption) : null,
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c.label)))),
      h("tbody", {}, rows.map((row) => h("tr", {},
        columns.map((c) => h("td", { "data-label": c.label }, c.cell(row))))))));
}
