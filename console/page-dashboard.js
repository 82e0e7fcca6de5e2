// The dashboard: pipeline figures from GET /api/dashboard (defined in docs/dashboard.md), drawn as charts.
// A server without that endpoint gets the same figures computed here from the interviews themselves.

import { api, ApiError, listAll } from "./api.js";
import { barChart, columnChart, lineChart } from "./charts.js";
import {
  badge, emptyState, formatDuration, formatNumber, formatPercent, h, linkButton, loading, pageHeader, put, table,
} from "./dom.js";
import { errorBox, field } from "./forms.js";

const STATUSES = [
  ["scheduled", "Scheduled", "info"], ["in_progress", "In progress", "active"], ["paused", "Paused", "warn"],
  ["completed", "Completed", "ok"], ["expired", "Expired", "muted"], ["cancelled", "Cancelled", "muted"],
  ["opted_out", "Opted out", "warn"], ["failed", "Failed", "bad"],
];
const REFRESH_MS = 15000;

export async function renderDashboard(view, ctx) {
  const jobs = await listAll("jobs").catch(() => []);
  const jobFilter = field({ label: "Job", name: "job_id", options: [["", "All jobs"], ...jobs.map((j) => [j.id, j.title])] });
  const content = h("div", { class: "dashboard-content", "aria-live": "polite", "aria-busy": "true" }, loading("Loading figures"));
  const updated = h("p", { class: "muted small updated" });
  const refresh = h("button", { type: "button", class: "button" }, "Refresh");
  put(view, 
    pageHeader("Dashboard", refresh),
    h("div", { class: "toolbar" }, jobFilter, updated),
    content);

  let timer = null;
  let lastKey = "";
  async function load() {
    clearTimeout(timer);
    content.setAttribute("aria-busy", "true");
    const jobId = jobFilter.querySelector("select").value;
    try {
      const { figures, computed } = await fetchFigures(jobId);
      // Redraw only when a figure changed, so a periodic refresh does not take the keyboard focus away.
      const key = JSON.stringify([jobId, computed, { ...figures, generated_at: null }]);
      if (key !== lastKey) {
        lastKey = key;
        content.replaceChildren(...renderFigures(figures, computed, ctx));
      }
      updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      lastKey = "";
      content.replaceChildren(errorBox(error, "Could not load the dashboard"));
    } finally {
      content.setAttribute("aria-busy", "false");
    }
    if (view.isConnected) timer = setTimeout(load, REFRESH_MS);
  }
  refresh.addEventListener("click", async () => { await load(); ctx.announce("Dashboard refreshed."); });
  jobFilter.querySelector("select").addEventListener("change", load);
  await load();
  return () => clearTimeout(timer);
}

async function fetchFigures(jobId) {
  try {
    return { figures: await api("GET", "dashboard", { query: { job_id: jobId } }), computed: false };
  } catch (error) {
    // A 404 that is not the API's own "no such job" means this server has no dashboard endpoint yet.
    if (error instanceof ApiError && error.status === 404 && !error.type.endsWith("/not-found")) {
      return { figures: await computeFigures(jobId), computed: true };
    }
    throw error;
  }
}

function renderFigures(d, computed, ctx) {
  const byStatus = d.interviews_by_status || {};
  const funnel = d.funnel || {};
  const invited = funnel.invited ?? Object.values(byStatus).reduce((a, b) => a + (b || 0), 0);
  const parts = [];
  if (computed) {
    parts.push(h("p", { class: "note" },
      "This server has no dashboard endpoint, so these figures were computed in the browser from the ",
      "interviews (up to the 300 newest)."));
  }
  parts.push(h("section", { class: "kpis", "aria-label": "Key figures" },
    kpi("Interviews", formatNumber(invited), "invited", "kpi-invited"),
    kpi("Active now", formatNumber(d.active_sessions), "in progress or paused", "kpi-active"),
    kpi("Completed", formatNumber(byStatus.completed), `${formatPercent(d.completion_rate)} of started`, "kpi-completed"),
    kpi("Average Job Fit", d.average_job_fit_score == null ? "—" : formatNumber(d.average_job_fit_score, 1),
      `${formatNumber(funnel.scored)} scored`, "kpi-score"),
    kpi("Median time to complete", formatDuration(d.median_time_to_complete_seconds), "started to completed", "kpi-median"),
    kpi("Advance", formatNumber(funnel.recommended_to_advance), "recommended", "kpi-advance")));
  if (!invited) {
    parts.push(emptyState("No interviews yet. Charts appear here once candidates are invited.",
      ctx.can("recruiter") ? linkButton("#/jobs/new", "Create a job") : null,
      ctx.can("recruiter") ? linkButton("#/candidates", "Add a candidate") : null));
    return parts;
  }
  parts.push(h("div", { class: "chart-grid" },
    barChart("Interviews by status", STATUSES.map(([key, label, tone]) => ({ label, value: byStatus[key] ?? 0, tone }))),
    barChart("Funnel", [
      { label: "Invited", value: funnel.invited ?? 0, tone: "info" },
      { label: "Started", value: funnel.started ?? 0, tone: "active" },
      { label: "Completed", value: funnel.completed ?? 0, tone: "ok" },
      { label: "Scored", value: funnel.scored ?? 0, tone: "ok" },
      { label: "Advance", value: funnel.recommended_to_advance ?? 0, tone: "ok" },
    ]),
    columnChart("Job Fit Score distribution", (d.score_histogram || []).map((bucket) => ({
      label: `${bucket.min}-${bucket.max}`, shortLabel: String(bucket.min), value: bucket.count,
    })), { tone: "ok" }),
    lineChart("Last 30 days", (d.daily || []).map((day) => day.date), [
      { name: "Invited", tone: "info", values: (d.daily || []).map((day) => day.invited) },
      { name: "Started", tone: "active", values: (d.daily || []).map((day) => day.started) },
      { name: "Completed", tone: "ok", values: (d.daily || []).map((day) => day.completed) },
    ])));
  parts.push(h("section", { class: "card rates", "aria-label": "Rates" },
    h("h2", {}, "Rates"),
    h("dl", { class: "rate-list" },
      rate("Completion", d.completion_rate, "completed ÷ started"),
      rate("Struggling", d.struggling_rate, "reached the struggle threshold ÷ started"),
      rate("Rescheduled", d.reschedule_rate, "rescheduled at least once ÷ started"),
      rate("Opted out", d.opt_out_rate, "texted STOP ÷ invited"),
      rate("Expired", d.expiry_rate, "no answer after reminders ÷ started"),
      h("div", {}, h("dt", {}, "Knocked out"), h("dd", {}, formatNumber(d.knocked_out)),
        h("dd", { class: "muted small" }, "ended by a knockout answer")))));
  const jobRows = d.jobs || [];
  parts.push(h("section", { class: "card" }, h("h2", {}, "By job"),
    jobRows.length ? table([
      { label: "Job", cell: (r) => h("a", { href: `#/jobs/${r.job_id}` }, r.title) },
      { label: "Status", cell: (r) => badge(r.job_status) },
      { label: "Invited", cell: (r) => formatNumber(r.invited) },
      { label: "Started", cell: (r) => formatNumber(r.started) },
      { label: "Completed", cell: (r) => formatNumber(r.completed) },
      { label: "Scored", cell: (r) => formatNumber(r.scored) },
      { label: "Advance", cell: (r) => formatNumber(r.recommended_to_advance) },
      { label: "Completion", cell: (r) => formatPercent(r.completion_rate) },
      { label: "Avg score", cell: (r) => (r.average_job_fit_score == null ? "—" : formatNumber(r.average_job_fit_score, 1)) },
    ], jobRows, "Figures by job") : h("p", { class: "muted" }, "No job has interviews yet.")));
  return parts;
}

function kpi(label, value, note, id) {
  return h("div", { class: "kpi card", "data-kpi": id },
    h("p", { class: "kpi-label" }, label),
    h("p", { class: "kpi-value" }, value),
    h("p", { class: "kpi-note" }, note));
}

function rate(label, value, definition) {
  return h("div", {}, h("dt", {}, label), h("dd", {}, formatPercent(value)), h("dd", { class: "muted small" }, definition));
}

// --- the same figures, computed from the interviews (for servers without GET /api/dashboard) ---------------

const ACTIVE = new Set(["in_progress", "paused"]);

async function computeFigures(jobId) {
  const [summaries, jobs] = await Promise.all([
    listAll("interviews", { job_id: jobId }, 300),
    listAll("jobs"),
  ]);
  const detailed = await mapLimited(summaries, 6, (summary) => api("GET", `interviews/${summary.id}`));
  const byStatus = Object.fromEntries(STATUSES.map(([key]) => [key, 0]));
  const histogram = Array.from({ length: 10 }, (_, i) => ({ min: i * 10, max: i === 9 ? 100 : i * 10 + 9, count: 0 }));
  const perJob = new Map();
  const durations = [];
  const totals = { invited: 0, started: 0, completed: 0, scored: 0, advance: 0, struggled: 0, rescheduled: 0,
    expired: 0, optedOut: 0, knockedOut: 0, scoreSum: 0 };
  for (const interview of detailed) {
    byStatus[interview.status] = (byStatus[interview.status] || 0) + 1;
    const job = perJob.get(interview.job_id) || { invited: 0, started: 0, completed: 0, scored: 0, advance: 0, scoreSum: 0 };
    perJob.set(interview.job_id, job);
    totals.invited += 1; job.invited += 1;
    if (interview.started_at) { totals.started += 1; job.started += 1; }
    if (interview.status === "completed") {
      totals.completed += 1; job.completed += 1;
      if (interview.started_at && interview.completed_at) {
        durations.push((new Date(interview.completed_at) - new Date(interview.started_at)) / 1000);
      }
    }
    if (interview.struggled) totals.struggled += 1;
    if (interview.reschedule_count > 0) totals.rescheduled += 1;
    if (interview.status === "expired") totals.expired += 1;
    if (interview.status === "opted_out") totals.optedOut += 1;
    if (interview.knocked_out && interview.status === "completed") totals.knockedOut += 1;
    if (interview.score) {
      const score = interview.score.job_fit_score;
      totals.scored += 1; job.scored += 1;
      totals.scoreSum += score; job.scoreSum += score;
      histogram[Math.min(9, Math.floor(score / 10))].count += 1;
      if (interview.score.recommendation === "advance") { totals.advance += 1; job.advance += 1; }
    }
  }
  const ratio = (a, b) => (b ? Math.round((a / b) * 10000) / 10000 : null);
  const titles = new Map(jobs.map((job) => [job.id, job]));
  durations.sort((a, b) => a - b);
  const middle = durations.length >> 1;
  const median = !durations.length ? null
    : durations.length % 2 ? durations[middle] : (durations[middle - 1] + durations[middle]) / 2;
  return {
    interviews_by_status: byStatus,
    active_sessions: detailed.filter((i) => ACTIVE.has(i.status)).length,
    completion_rate: ratio(totals.completed, totals.started),
    average_job_fit_score: totals.scored ? Math.round((totals.scoreSum / totals.scored) * 100) / 100 : null,
    score_histogram: histogram,
    struggling_rate: ratio(totals.struggled, totals.started),
    reschedule_rate: ratio(totals.rescheduled, totals.started),
    opt_out_rate: ratio(totals.optedOut, totals.invited),
    expiry_rate: ratio(totals.expired, totals.started),
    knocked_out: totals.knockedOut,
    median_time_to_complete_seconds: median,
    funnel: { invited: totals.invited, started: totals.started, completed: totals.completed, scored: totals.scored,
      recommended_to_advance: totals.advance },
    jobs: [...perJob.entries()].map(([id, job]) => ({
      job_id: id, title: titles.get(id)?.title ?? "(deleted job)", job_status: titles.get(id)?.status ?? "closed",
      invited: job.invited, started: job.started, completed: job.completed, scored: job.scored,
      recommended_to_advance: job.advance, completion_rate: ratio(job.completed, job.started),
      average_job_fit_score: job.scored ? Math.round((job.scoreSum / job.scored) * 100) / 100 : null,
    })).sort((a, b) => b.invited - a.invited || a.title.localeCompare(b.title)),
    daily: lastThirtyDays(detailed),
  };
}

function lastThirtyDays(interviews) {
  const days = [];
  const today = new Date();
  for (let back = 29; back >= 0; back -= 1) {
    const day = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - back));
    days.push({ date: day.toISOString().slice(0, 10), invited: 0, started: 0, completed: 0 });
  }
  const index = new Map(days.map((day) => [day.date, day]));
  for (const interview of interviews) {
    for (const [key, field] of [["created_at", "invited"], ["started_at", "started"], ["completed_at", "completed"]]) {
      const day = interview[key] && index.get(new Date(interview[key]).toISOString().slice(0, 10));
      if (day) day[field] += 1;
    }
  }
  return days;
}

async function mapLimited(items, limit, work) {
  const results = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
