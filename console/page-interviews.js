// Interviews: the list (refreshing) and one interview, live: status, progress, answers with struggling flags,
// the SMS conversation with delivery statuses, the score with its evidence, and the recruiter's actions.

import { api, listPage, nameMaps } from "./api.js";
import {
  badge, button, confirmButton, details, emptyState, formatDateTime, formatTime, h, humanize, pageHeader, put, table,
} from "./dom.js";
import { errorBox, field, submitting, valueOf } from "./forms.js";

const STATUSES = ["scheduled", "in_progress", "paused", "completed", "expired", "cancelled", "opted_out", "failed"];
const ACTIVE = new Set(["scheduled", "in_progress", "paused"]);
const LIST_REFRESH_MS = 5000;
const LIVE_REFRESH_MS = 2000;
const SETTLED_REFRESH_MS = 15000;

function progressBar(progress) {
  const label = `${progress.answered} of ${progress.total} answered`;
  return h("span", { class: "progress" },
    h("progress", { max: progress.total || 1, value: progress.answered, "aria-label": label }),
    h("span", { class: "progress-label" }, label));
}

export async function renderInterviews(view, ctx) {
  const names = await nameMaps();
  const statusFilter = field({ label: "Status", name: "status", value: ctx.query.get("status") || "",
    options: [["", "Any status"], ...STATUSES.map((s) => [s, humanize(s)])] });
  const jobFilter = field({ label: "Job", name: "job_id", value: ctx.query.get("job") || "",
    options: [["", "All jobs"], ...names.jobList.map((job) => [job.id, job.title])] });
  const toolbar = h("div", { class: "toolbar" }, statusFilter, jobFilter);
  const list = h("div");
  const more = h("button", { type: "button", class: "button", hidden: true }, "Show more");
  put(view, 
    pageHeader("Interviews"),
    h("p", { class: "muted" }, ctx.can("recruiter")
      ? "Start an interview from a candidate's page. This list refreshes by itself."
      : "This list refreshes by itself."),
    toolbar, list, more);
  let pages = 1;
  let timer = null;
  let lastKey = "";
  async function load() {
    clearTimeout(timer);
    try {
      const query = { status: valueOf(toolbar, "status"), job_id: valueOf(toolbar, "job_id") };
      let items = [];
      let cursor;
      for (let page = 0; page < pages; page += 1) {
        const result = await listPage("interviews", query, cursor);
        items = items.concat(result.items);
        cursor = result.next_cursor;
        if (!cursor) break;
      }
      const key = JSON.stringify([items, cursor]);
      if (key !== lastKey) {
        lastKey = key;
        list.replaceChildren(items.length ? table([
          { label: "Candidate", cell: (i) => h("a", { href: `#/interviews/${i.id}` }, names.candidates.get(i.candidate_id)?.name || "Candidate") },
          { label: "Job", cell: (i) => names.jobs.get(i.job_id)?.title || "—" },
          { label: "Status", cell: (i) => badge(i.status) },
          { label: "Progress", cell: (i) => progressBar(i.progress) },
          { label: "Score", cell: (i) => badge(i.score_status, i.score_status === "none" ? "—" : humanize(i.score_status)) },
          { label: "Scheduled", cell: (i) => formatDateTime(i.scheduled_at) },
          { label: "Ended", cell: (i) => formatDateTime(i.ended_at) },
        ], items, "Interviews") : emptyState(query.status || query.job_id ? "No interview matches these filters."
          : "No interviews yet. Open a candidate to start one.", ctx.can("recruiter") ? h("a", { href: "#/candidates" }, "Go to candidates") : null));
        more.hidden = !cursor;
      }
    } catch (error) {
      list.replaceChildren(errorBox(error, "Could not load interviews"));
      lastKey = "";
    }
    if (view.isConnected) timer = setTimeout(load, LIST_REFRESH_MS);
  }
  more.addEventListener("click", () => { pages += 1; load(); });
  for (const select of toolbar.querySelectorAll("select")) select.addEventListener("change", () => { pages = 1; load(); });
  await load();
  return () => clearTimeout(timer);
}

export async function renderInterview(view, ctx, interviewId) {
  let interview = await api("GET", `interviews/${interviewId}`);
  const [candidate, job] = await Promise.all([
    api("GET", `candidates/${interview.candidate_id}`).catch(() => null),
    api("GET", `jobs/${interview.job_id}`).catch(() => null),
  ]);
  const questionText = new Map((job?.questions || []).map((q) => [q.position, q.text]));
  for (const answer of interview.answers) questionText.set(answer.question_position, answer.question);
  const title = `Interview: ${candidate?.name || "candidate"}`;

  const overview = h("section", { class: "card overview", "aria-labelledby": "overview-title" });
  const actions = h("section", { class: "card actions-card", "aria-labelledby": "actions-title" });
  const answers = h("section", { class: "card", "aria-labelledby": "answers-title" });
  const score = h("section", { class: "card score", "aria-labelledby": "score-title" });
  const conversation = h("section", { class: "card", "aria-labelledby": "conversation-title" });
  const live = h("p", { class: "visually-hidden", "aria-live": "polite" });
  put(view, 
    h("p", { class: "breadcrumb" }, h("a", { href: "#/interviews" }, "Interviews")),
    pageHeader(title),
    live,
    h("div", { class: "grid-2" }, overview, ctx.can("recruiter") ? actions : null),
    score, answers, conversation);

  const drawn = {};
  const redraw = (section, key, draw) => {
    const json = JSON.stringify(key);
    if (drawn[section.className + section.getAttribute("aria-labelledby")] === json) return;
    drawn[section.className + section.getAttribute("aria-labelledby")] = json;
    section.replaceChildren();
    put(section, draw());
  };

  function drawAll(messages, messagesError) {
    redraw(overview, [interview.status, interview.progress, interview.started_at, interview.ended_at,
      interview.resume_at, interview.reminders_sent, interview.reschedule_count, interview.flags, interview.end_reason],
    () => overviewParts(interview, candidate, job));
    if (ctx.can("recruiter")) {
      redraw(actions, [interview.status, interview.score_status], () => actionParts(ctx, interview, (updated) => {
        interview = updated;
        drawAll(lastMessages, lastMessagesError);
        schedule(LIVE_REFRESH_MS);
      }));
    }
    redraw(score, [interview.score_status, interview.score_error, interview.score], () => scoreParts(interview, questionText));
    redraw(answers, interview.answers, () => answerParts(interview));
    redraw(conversation, [messages, messagesError?.message], () => conversationParts(messages, messagesError));
  }

  let lastMessages = [];
  let lastMessagesError = null;
  let lastStatus = interview.status;
  let lastScoreStatus = interview.score_status;
  let timer = null;
  function schedule(ms) {
    clearTimeout(timer);
    if (view.isConnected) timer = setTimeout(poll, ms);
  }
  async function loadMessages() {
    try {
      lastMessages = (await api("GET", `interviews/${interviewId}/messages`)).items;
      lastMessagesError = null;
    } catch (error) {
      lastMessagesError = error;
    }
  }
  async function poll() {
    try {
      interview = await api("GET", `interviews/${interviewId}`);
      await loadMessages();
      if (!view.isConnected) return;
      if (interview.status !== lastStatus) live.textContent = `Interview status: ${humanize(interview.status)}.`;
      if (interview.score_status !== lastScoreStatus && interview.score) {
        live.textContent = `Scored: Job Fit Score ${interview.score.job_fit_score} of 100.`;
      }
      lastStatus = interview.status;
      lastScoreStatus = interview.score_status;
      drawAll(lastMessages, lastMessagesError);
    } catch (error) {
      if (error.status === 401) return;
      live.textContent = `Could not refresh: ${error.detail || error.title}`;
    }
    const settled = !ACTIVE.has(interview.status) && interview.score_status !== "pending"
      && !(interview.status === "completed" && interview.score_status === "none");
    schedule(settled ? SETTLED_REFRESH_MS : LIVE_REFRESH_MS);
  }
  await loadMessages();
  drawAll(lastMessages, lastMessagesError);
  schedule(LIVE_REFRESH_MS);
  return () => clearTimeout(timer);
}

function overviewParts(interview, candidate, job) {
  const current = interview.progress.current_question;
  return [
    h("h2", { id: "overview-title" }, "Status"),
    h("p", { class: "status-line" }, badge(interview.status), " ", progressBar(interview.progress),
      ACTIVE.has(interview.status) ? h("span", { class: "live-dot", title: "Updates live" }, "Live") : null),
    details([
      ["Candidate", candidate ? h("a", { href: `#/candidates/${candidate.id}` }, candidate.name) : "—"],
      ["Job", job ? h("a", { href: `#/jobs/${job.id}` }, job.title) : "—"],
      current ? ["Waiting for", `an answer to question ${current}`] : null,
      ["Scheduled", formatDateTime(interview.scheduled_at)],
      ["Started", formatDateTime(interview.started_at)],
      interview.completed_at ? ["Completed", formatDateTime(interview.completed_at)] : null,
      interview.ended_at && !interview.completed_at ? ["Ended", formatDateTime(interview.ended_at)] : null,
      interview.resume_at ? ["Continues", formatDateTime(interview.resume_at)] : null,
      ["Reminders sent", String(interview.reminders_sent)],
      ["Reschedules", String(interview.reschedule_count)],
      interview.flags.length ? ["Flags", h("span", {}, interview.flags.map((flag) => badge("paused", humanize(flag))))] : null,
      interview.end_reason ? ["End reason", humanize(interview.end_reason)] : null,
    ]),
  ];
}

function actionParts(ctx, interview, onUpdated) {
  const parts = [h("h2", { id: "actions-title" }, "Actions")];
  const problem = h("div");
  parts.push(problem);
  const run = async (work, message) => {
    problem.replaceChildren();
    try {
      const updated = await work();
      ctx.announce(message);
      onUpdated(updated);
    } catch (error) {
      problem.replaceChildren(errorBox(error));
    }
  };
  if (ACTIVE.has(interview.status)) {
    const form = h("form", { class: "reschedule", novalidate: true },
      field({ label: "Continue at (your local time)", name: "start_at", type: "datetime-local", required: true,
        hint: "The interview pauses and continues then (at most 30 days ahead)." }),
      h("button", { type: "submit", class: "button" }, "Reschedule"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = valueOf(form, "start_at");
      const startAt = value ? new Date(value).toISOString() : "";
      const updated = await submitting(form, () => api("POST", `interviews/${interview.id}/reschedule`, { json: { start_at: startAt || null } }));
      if (updated) {
        ctx.announce(`Interview rescheduled to ${formatDateTime(startAt)}.`);
        onUpdated(updated);
      }
    });
    parts.push(form, h("p", {}, confirmButton("Cancel interview", "Cancel it", () =>
      run(() => api("POST", `interviews/${interview.id}/cancel`), "Interview cancelled."))));
  }
  if (interview.status === "completed") {
    parts.push(h("p", {}, button(interview.score ? "Rescore" : "Score now", (event) => {
      event.currentTarget.disabled = true;
      return run(() => api("POST", `interviews/${interview.id}/score`), "Scoring requested; the new score is kept beside the old.");
    }, "", { disabled: interview.score_status === "pending" })),
    h("p", { class: "hint" }, "A rescore asks the scorer again; earlier scores are kept."));
  }
  if (parts.length === 2) parts.push(h("p", { class: "muted" }, "Nothing to do: the interview has ended."));
  return parts;
}

function scoreParts(interview, questionText) {
  const parts = [h("h2", { id: "score-title" }, "Job Fit Score")];
  const result = interview.score;
  if (interview.score_status === "pending") parts.push(h("p", { class: "note", role: "status" }, "Scoring… the score appears here when it is ready."));
  if (interview.score_status === "failed") {
    parts.push(errorBox({ title: "Scoring failed", detail: interview.score_error || "" }));
  }
  if (!result) {
    if (interview.score_status !== "pending" && interview.score_status !== "failed") {
      parts.push(h("p", { class: "muted" }, interview.status === "completed"
        ? "Not scored yet." : "The interview is scored when it completes."));
    }
    return parts;
  }
  parts.push(
    h("div", { class: "score-head" },
      h("p", { class: "score-number", "data-score": String(result.job_fit_score) },
        h("span", { class: "big" }, String(result.job_fit_score)), h("span", { class: "of" }, " / 100")),
      h("div", {},
        h("p", {}, "Recommendation: ", badge(result.recommendation)),
        h("p", { class: "muted small" },
          `Scored ${formatDateTime(result.scored_at)} by ${result.scorer}${result.model ? ` (${result.model})` : ""}`,
          result.scorer === "local" ? " — the rule-based stand-in, not an AI model" : "",
          result.request_number > 1 ? `, scoring #${result.request_number}` : ""))),
    result.summary ? h("p", { class: "summary" }, result.summary) : null,
    h("div", { class: "grid-2" },
      h("div", {}, h("h3", {}, "Strengths"), result.strengths.length
        ? h("ul", {}, result.strengths.map((item) => h("li", {}, item))) : h("p", { class: "muted" }, "None noted.")),
      h("div", {}, h("h3", {}, "Concerns"), result.concerns.length
        ? h("ul", {}, result.concerns.map((item) => h("li", {}, item))) : h("p", { class: "muted" }, "None noted."))),
    h("h3", {}, "Per question"),
    h("ol", { class: "question-scores" }, result.questions.map((q) => h("li", {},
      h("p", { class: "question-text" }, `Q${q.question_position}. ${questionText.get(q.question_position) || ""}`),
      h("p", { class: "meter-line" },
        h("meter", { min: 0, max: 10, low: 4, high: 7, optimum: 10, value: q.score, "aria-label": `Score ${q.score} of 10` }),
        ` ${q.score} / 10`),
      q.evidence ? h("blockquote", { class: "evidence" }, h("span", { class: "visually-hidden" }, "Evidence: "), q.evidence)
        : h("p", { class: "muted small" }, "No evidence quoted."),
      q.rationale ? h("p", { class: "rationale" }, q.rationale) : null))));
  return parts;
}

function answerParts(interview) {
  const parts = [h("h2", { id: "answers-title" }, `Answers (${interview.answers.length} of ${interview.progress.total})`)];
  if (!interview.answers.length) {
    parts.push(h("p", { class: "muted" }, ACTIVE.has(interview.status) ? "No answers yet. They appear here as they arrive." : "No answers."));
    return parts;
  }
  parts.push(h("ol", { class: "answers" }, interview.answers.map((answer) => h("li", { class: answer.struggling ? "struggling" : "" },
    h("p", { class: "question-text" }, `Q${answer.question_position}. ${answer.question}`),
    h("p", { class: "answer-text" }, answer.text),
    h("p", { class: "muted small" }, `Received ${formatDateTime(answer.received_at)} `,
      answer.struggling ? badge("paused", "Struggling") : null)))));
  return parts;
}

function conversationParts(messages, error) {
  const parts = [h("h2", { id: "conversation-title" }, "SMS conversation")];
  if (error) parts.push(errorBox(error, "Could not load the messages"));
  if (!messages.length) {
    if (!error) parts.push(h("p", { class: "muted" }, "No messages yet."));
    return parts;
  }
  parts.push(h("ol", { class: "thread" }, messages.map((message) => h("li", { class: `bubble ${message.direction}` },
    h("span", { class: "visually-hidden" }, message.direction === "in" ? "Candidate: " : "Sent: "),
    h("p", { class: "bubble-text" }, message.body),
    h("p", { class: "bubble-meta" },
      `${formatTime(message.created_at)} · `,
      badge(message.status),
      message.error_code ? ` error ${message.error_code}` : "",
      message.kind ? ` · ${humanize(message.kind)}` : "")))));
  return parts;
}
