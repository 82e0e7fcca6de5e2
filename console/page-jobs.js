// Jobs: the list, one job with its questions and interview settings, and the form that creates or edits one.

import { api, listAll } from "./api.js";
import {
  badge, confirmButton, details, emptyState, formatDateTime, h, humanize, linkButton, pageHeader, put, table, uid,
} from "./dom.js";
import { checkbox, errorBox, field, numberOrNull, submitting, valueOf } from "./forms.js";

const JOB_STATUSES = [["open", "Open"], ["draft", "Draft"], ["closed", "Closed"]];
const SETTING_DEFAULTS = {
  greeting_enabled: true, answer_timeout_minutes: 240, reminder_count: 1, reminder_interval_minutes: 240,
  struggle_threshold: 2, struggle_policy: "reschedule", reschedule_delay_minutes: null, max_reschedules: 1,
  quiet_hours_start: "21:00", quiet_hours_end: "08:00", timezone: "America/New_York",
};

export async function renderJobs(view, ctx) {
  const statusFilter = field({ label: "Status", name: "status", options: [["", "Any status"], ...JOB_STATUSES] });
  const list = h("div", { "aria-live": "polite" });
  put(view, 
    pageHeader("Jobs", ctx.can("recruiter") ? linkButton("#/jobs/new", "New job", "primary") : null),
    h("div", { class: "toolbar" }, statusFilter),
    list);
  async function load() {
    const status = statusFilter.querySelector("select").value;
    try {
      const jobs = await listAll("jobs", { status });
      list.replaceChildren(jobs.length ? table([
        { label: "Title", cell: (job) => h("a", { href: `#/jobs/${job.id}` }, job.title) },
        { label: "Status", cell: (job) => badge(job.status) },
        { label: "Questions", cell: (job) => String(job.question_count) },
        { label: "Created", cell: (job) => formatDateTime(job.created_at) },
        { label: "Updated", cell: (job) => formatDateTime(job.updated_at) },
      ], jobs, "Jobs") : emptyState(
        status ? `No ${status} jobs.` : "No jobs yet. A job holds the questions the SMS interview asks.",
        ctx.can("recruiter") ? linkButton("#/jobs/new", "Create the first job", "primary") : null));
    } catch (error) {
      list.replaceChildren(errorBox(error, "Could not load jobs"));
    }
  }
  statusFilter.querySelector("select").addEventListener("change", load);
  await load();
}

export async function renderJob(view, ctx, jobId) {
  const job = await api("GET", `jobs/${jobId}`);
  const settings = job.interview_settings;
  const actions = [];
  if (ctx.can("recruiter")) {
    actions.push(linkButton(`#/jobs/${job.id}/edit`, "Edit job", "primary"));
    actions.push(confirmButton("Delete job", "Delete this job", async () => {
      try {
        await api("DELETE", `jobs/${job.id}`);
        ctx.announce(`Job “${job.title}” deleted.`);
        ctx.navigate("#/jobs");
      } catch (error) {
        problem.replaceChildren(errorBox(error, "Could not delete the job"));
      }
    }));
  }
  const problem = h("div");
  put(view, 
    h("p", { class: "breadcrumb" }, h("a", { href: "#/jobs" }, "Jobs")),
    pageHeader(job.title, ...actions),
    problem,
    h("div", { class: "grid-2" },
      h("section", { class: "card" }, h("h2", {}, "About the job"),
        details([
          ["Status", badge(job.status)],
          ["Description", job.description ? h("p", { class: "prewrap" }, job.description) : "—"],
          ["Requirements", job.requirements.length ? h("ul", {}, job.requirements.map((r) => h("li", {}, r))) : "—"],
          ["Created", formatDateTime(job.created_at)],
          ["Updated", formatDateTime(job.updated_at)],
        ]),
        h("p", {}, h("a", { href: `#/candidates?job=${job.id}` }, "Candidates for this job"), " · ",
          h("a", { href: `#/interviews?job=${job.id}` }, "Interviews for this job"))),
      h("section", { class: "card" }, h("h2", {}, "Interview settings"),
        details([
          ["Greeting", settings.greeting_enabled ? "Sent first" : "Off"],
          ["Answer timeout", `${settings.answer_timeout_minutes} min`],
          ["Reminders", `${settings.reminder_count}, every ${settings.reminder_interval_minutes} min`],
          ["Struggling", `after ${settings.struggle_threshold} in a row: ${humanize(settings.struggle_policy)}`],
          ["Reschedule pause", settings.reschedule_delay_minutes ? `${settings.reschedule_delay_minutes} min` : "Next day, 10:00 local"],
          ["Max reschedules", String(settings.max_reschedules)],
          ["Quiet hours", `${settings.quiet_hours_start}–${settings.quiet_hours_end} (candidate's local time)`],
          ["Time zone", settings.timezone],
        ]))),
    h("section", { class: "card" }, h("h2", {}, `Questions (${job.questions.length})`),
      h("ol", { class: "question-list" }, job.questions.map((q) => h("li", {},
        h("p", { class: "question-text" }, q.text),
        q.knockout ? h("p", {}, badge("failed", "Knockout"), ` expected: ${q.expected_answer}`) : null,
        q.ideal_answer ? h("p", { class: "muted" }, `Ideal answer: ${q.ideal_answer}`) : null)))));
}

/** The create (jobId null) or edit form. */
export async function renderJobForm(view, ctx, jobId) {
  if (!ctx.can("recruiter")) {
    put(view, pageHeader("Not allowed"), errorBox({ title: "Your token's role can only read jobs." }));
    return;
  }
  const job = jobId ? await api("GET", `jobs/${jobId}`) : null;
  const settings = { ...SETTING_DEFAULTS, ...(job?.interview_settings || {}) };
  const questions = h("ol", { class: "question-editors" });
  const form = h("form", { class: "job-form", novalidate: true });
  const addQuestion = (question) => {
    questions.append(questionEditor(question || {}, renumber));
    renumber();
  };
  function renumber() {
    [...questions.children].forEach((item, index) => {
      item.dataset.group = `questions.${index}`;
      item.querySelector("legend").textContent = `Question ${index + 1}`;
      for (const control of item.querySelectorAll("[data-name]")) control.dataset.field = `questions.${index}.${control.dataset.name}`;
      item.querySelector(".move-up").disabled = index === 0;
      item.querySelector(".move-down").disabled = index === questions.children.length - 1;
      item.querySelector(".remove").disabled = questions.children.length === 1;
    });
  }
  (job?.questions?.length ? job.questions : [{}]).forEach(addQuestion);

  const timezones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  const timezoneList = h("datalist", { id: uid("tz") }, timezones.map((tz) => h("option", { value: tz })));
  put(form, 
    h("fieldset", { class: "card" }, h("legend", {}, "Job"),
      field({ label: "Title", name: "title", value: job?.title, required: true, attrs: { maxlength: 200 } }),
      field({ label: "Description", name: "description", type: "textarea", value: job?.description, rows: 4, wide: true,
        hint: "What the role is about. The scorer reads it." }),
      field({ label: "Requirements", name: "requirements", type: "textarea", rows: 4, wide: true,
        value: (job?.requirements || []).join("\n"), hint: "One per line." }),
      field({ label: "Status", name: "status", options: JOB_STATUSES, value: job?.status || "open",
        hint: "Interviews can start only for open jobs." })),
    h("fieldset", { class: "card", "data-group": "questions" }, h("legend", {}, "Questions"),
      h("p", { class: "hint" }, "Asked one at a time by SMS, in this order."),
      h("p", { class: "group-error", role: "alert" }),
      questions,
      h("button", { type: "button", class: "button", onclick: () => {
        addQuestion({});
        questions.lastElementChild.querySelector("textarea").focus();
      } }, "Add question")),
    h("fieldset", { class: "card settings", "data-group": "interview_settings" }, h("legend", {}, "Interview settings"),
      h("p", { class: "group-error", role: "alert" }),
      checkbox({ label: "Send a greeting first (who is texting, why, how long, how to opt out)",
        name: "interview_settings.greeting_enabled", checked: settings.greeting_enabled }),
      h("div", { class: "field-row" },
        field({ label: "Answer timeout (minutes)", name: "interview_settings.answer_timeout_minutes", type: "number",
          value: settings.answer_timeout_minutes, attrs: { min: 1, max: 10080 } }),
        field({ label: "Reminders per question", name: "interview_settings.reminder_count", type: "number",
          value: settings.reminder_count, attrs: { min: 0, max: 5 } }),
        field({ label: "Minutes between reminders", name: "interview_settings.reminder_interval_minutes", type: "number",
          value: settings.reminder_interval_minutes, attrs: { min: 1, max: 10080 } })),
      h("div", { class: "field-row" },
        field({ label: "Struggling answers in a row", name: "interview_settings.struggle_threshold", type: "number",
          value: settings.struggle_threshold, attrs: { min: 1, max: 10 } }),
        field({ label: "Then", name: "interview_settings.struggle_policy", value: settings.struggle_policy,
          options: [["reschedule", "Pause and reschedule"], ["continue", "Continue (flag only)"]] }),
        field({ label: "Pause length (minutes)", name: "interview_settings.reschedule_delay_minutes", type: "number",
          value: settings.reschedule_delay_minutes ?? "", attrs: { min: 1, max: 20160 },
          hint: "Empty: the next day at 10:00 local." }),
        field({ label: "Max reschedules", name: "interview_settings.max_reschedules", type: "number",
          value: settings.max_reschedules, attrs: { min: 0, max: 5 } })),
      h("div", { class: "field-row" },
        field({ label: "Quiet hours start", name: "interview_settings.quiet_hours_start", type: "time",
          value: settings.quiet_hours_start, hint: "No SMS from this local time…" }),
        field({ label: "Quiet hours end", name: "interview_settings.quiet_hours_end", type: "time",
          value: settings.quiet_hours_end, hint: "…until this one." }),
        field({ label: "Time zone", name: "interview_settings.timezone", value: settings.timezone,
          attrs: { list: timezoneList.id, autocomplete: "off" },
          hint: "When the phone number does not fix one." }),
        timezoneList)),
    h("div", { class: "form-actions" },
      h("button", { type: "submit", class: "button primary" }, job ? "Save changes" : "Create job"),
      linkButton(job ? `#/jobs/${job.id}` : "#/jobs", "Cancel")));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = jobBody(form, questions);
    const saved = await submitting(form, () => (job ? api("PATCH", `jobs/${job.id}`, { json: body }) : api("POST", "jobs", { json: body })));
    if (saved) {
      ctx.announce(job ? `Job “${saved.title}” saved.` : `Job “${saved.title}” created.`);
      ctx.navigate(`#/jobs/${saved.id}`);
    }
  });
  put(view, 
    h("p", { class: "breadcrumb" }, h("a", { href: "#/jobs" }, "Jobs"), job ? [" / ", h("a", { href: `#/jobs/${job.id}` }, job.title)] : null),
    pageHeader(job ? `Edit “${job.title}”` : "New job"),
    form);
}

function questionEditor(question, renumber) {
  const item = h("li", { class: "question-editor" });
  if (question.id) item.dataset.questionId = question.id;
  const knockout = checkbox({ label: "Knockout: a wrong answer ends the interview", name: "knockout", checked: question.knockout });
  const expected = field({ label: "Expected answer", name: "expected_answer", value: question.expected_answer,
    hint: 'yes, no, >=N, <=N or a word', attrs: { maxlength: 200 } });
  expected.hidden = !question.knockout;
  const knockoutBox = knockout.querySelector("input");
  knockoutBox.addEventListener("change", () => { expected.hidden = !knockoutBox.checked; });
  const text = field({ label: "Question", name: "text", type: "textarea", value: question.text, required: true, rows: 2,
    attrs: { maxlength: 298 }, hint: "At most 298 characters (two SMS parts)." });
  const ideal = field({ label: "Ideal answer", name: "ideal_answer", type: "textarea", value: question.ideal_answer, rows: 2,
    hint: "Optional: what a strong answer covers (for the scorer)." });
  for (const block of [text, ideal, knockout, expected]) {
    const control = block.querySelector("input, textarea, select");
    control.dataset.name = control.name;
  }
  const move = (direction) => {
    const sibling = direction < 0 ? item.previousElementSibling : item.nextElementSibling;
    if (!sibling) return;
    if (direction < 0) sibling.before(item);
    else sibling.after(item);
    renumber();
    item.querySelector(direction < 0 ? ".move-up" : ".move-down").focus();
  };
  put(item, h("fieldset", {},
    h("legend", {}, "Question"),
    h("p", { class: "group-error", role: "alert" }),
    text, ideal, knockout, expected,
    h("div", { class: "question-actions" },
      h("button", { type: "button", class: "button small move-up", onclick: () => move(-1) }, "Move up"),
      h("button", { type: "button", class: "button small move-down", onclick: () => move(1) }, "Move down"),
      h("button", { type: "button", class: "button small danger remove", onclick: () => {
        const next = item.nextElementSibling || item.previousElementSibling;
        item.remove();
        renumber();
        next?.querySelector("textarea")?.focus();
      } }, "Remove"))));
  return item;
}

function jobBody(form, questions) {
  const settings = {};
  for (const name of Object.keys(SETTING_DEFAULTS)) {
    const value = valueOf(form, `interview_settings.${name}`);
    if (value === undefined) continue;
    settings[name] = typeof SETTING_DEFAULTS[name] === "number" || name === "reschedule_delay_minutes"
      ? numberOrNull(value) : value;
  }
  return {
    title: valueOf(form, "title"),
    description: valueOf(form, "description"),
    requirements: valueOf(form, "requirements").split("\n").map((line) => line.trim()).filter(Boolean),
    status: valueOf(form, "status"),
    interview_settings: settings,
    questions: [...questions.children].map((item, index) => {
      const knockout = valueOf(item, `questions.${index}.knockout`);
      return {
        ...(item.dataset.questionId ? { id: item.dataset.questionId } : {}),
        text: valueOf(item, `questions.${index}.text`),
        ideal_answer: valueOf(item, `questions.${index}.ideal_answer`) || null,
        knockout,
        expected_answer: knockout ? valueOf(item, `questions.${index}.expected_answer`) || null : null,
      };
    }),
  };
}
