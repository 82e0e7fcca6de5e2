// Candidates: search and list, create, and one candidate with their resume, interviews and "start interview".

import { api, listAll, listPage } from "./api.js";
import {
  badge, confirmButton, details, emptyState, formatBytes, formatDateTime, h, humanize, pageHeader, put, table,
} from "./dom.js";
import { checkbox, clearProblem, errorBox, field, showProblem, submitting, valueOf } from "./forms.js";

export async function renderCandidates(view, ctx) {
  const jobs = await listAll("jobs");
  const jobTitles = new Map(jobs.map((job) => [job.id, job.title]));
  const search = field({ label: "Search", name: "q", type: "search", value: ctx.query.get("q") || "",
    attrs: { placeholder: "Name, email or phone" } });
  const jobFilter = field({ label: "Job", name: "job_id", value: ctx.query.get("job") || "",
    options: [["", "All jobs"], ...jobs.map((job) => [job.id, job.title])] });
  const list = h("div", { "aria-live": "polite" });
  const more = h("button", { type: "button", class: "button", hidden: true }, "Show more");
  const createSection = ctx.can("recruiter") ? candidateForm(ctx, jobs, null) : null;
  const toolbar = h("form", { class: "toolbar", role: "search", onsubmit: (event) => { event.preventDefault(); load(); } },
    search, jobFilter, h("button", { type: "submit", class: "button" }, "Search"));
  put(view, 
    pageHeader("Candidates", ctx.can("recruiter")
      ? h("a", { class: "button primary", href: "#new-candidate", onclick: (event) => {
        event.preventDefault();
        createSection.querySelector("input").focus();
        createSection.scrollIntoView({ block: "start" });
      } }, "New candidate") : null),
    toolbar, list, more, createSection);

  let cursor = null;
  let rows = [];
  const columns = [
    { label: "Name", cell: (c) => h("a", { href: `#/candidates/${c.id}` }, c.name) },
    { label: "Phone", cell: (c) => c.phone },
    { label: "Email", cell: (c) => c.email || "—" },
    { label: "Job", cell: (c) => (c.job_id ? jobTitles.get(c.job_id) || "—" : "—") },
    { label: "SMS consent", cell: (c) => (c.opted_out ? badge("opted_out", "Opted out") : c.sms_consent ? "Yes" : "No") },
    { label: "Resume", cell: (c) => (c.resume ? c.resume.file_name : "—") },
    { label: "Added", cell: (c) => formatDateTime(c.created_at) },
  ];
  function draw() {
    const filtered = valueOf(toolbar, "q") || valueOf(toolbar, "job_id");
    list.replaceChildren(rows.length ? table(columns, rows, "Candidates") : emptyState(
      filtered ? "No candidate matches." : "No candidates yet.",
      !filtered && ctx.can("recruiter") ? "Add one with the form below." : null));
    more.hidden = !cursor;
  }
  async function load(append = false) {
    try {
      const page = await listPage("candidates", { q: valueOf(toolbar, "q"), job_id: valueOf(toolbar, "job_id") }, append ? cursor : undefined);
      rows = append ? [...rows, ...page.items] : page.items;
      cursor = page.next_cursor;
      draw();
    } catch (error) {
      list.replaceChildren(errorBox(error, "Could not load candidates"));
    }
  }
  more.addEventListener("click", () => load(true));
  jobFilter.querySelector("select").addEventListener("change", () => load());
  await load();
}

/** The create (candidate null) or edit form, in a card. */
function candidateForm(ctx, jobs, candidate) {
  const form = h("form", { class: "card", id: candidate ? "edit-candidate" : "new-candidate", novalidate: true },
    h("h2", {}, candidate ? "Edit candidate" : "New candidate"),
    h("div", { class: "field-row" },
      field({ label: "Name", name: "name", required: true, value: candidate?.name, attrs: { maxlength: 200, autocomplete: "off" } }),
      field({ label: "Mobile phone", name: "phone", type: "tel", required: true, value: candidate?.phone,
        hint: "E.164 (+14155550100) or national format.", attrs: { autocomplete: "off" } }),
      field({ label: "Email", name: "email", type: "email", value: candidate?.email, attrs: { autocomplete: "off" } }),
      field({ label: "Applied for", name: "job_id", value: candidate?.job_id || "",
        options: [["", "No job"], ...jobs.map((job) => [job.id, job.title])] })),
    checkbox({ label: "The candidate agreed to be interviewed by SMS", name: "sms_consent",
      checked: candidate?.sms_consent, hint: "Without consent no interview can start." }),
    h("div", { class: "form-actions" },
      h("button", { type: "submit", class: "button primary" }, candidate ? "Save candidate" : "Add candidate")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {
      name: valueOf(form, "name"), phone: valueOf(form, "phone"), email: valueOf(form, "email") || null,
      job_id: valueOf(form, "job_id") || null, sms_consent: valueOf(form, "sms_consent"),
    };
    const saved = await submitting(form, () => (candidate
      ? api("PATCH", `candidates/${candidate.id}`, { json: body })
      : api("POST", "candidates", { json: body })));
    if (saved) {
      ctx.announce(candidate ? `Candidate ${saved.name} saved.` : `Candidate ${saved.name} added.`);
      ctx.navigate(`#/candidates/${saved.id}`);
    }
  });
  return form;
}

export async function renderCandidate(view, ctx, candidateId) {
  const [candidate, jobs, interviews] = await Promise.all([
    api("GET", `candidates/${candidateId}`),
    listAll("jobs"),
    listAll("interviews", { candidate_id: candidateId }),
  ]);
  const jobTitles = new Map(jobs.map((job) => [job.id, job.title]));
  const problem = h("div");
  const actions = ctx.can("recruiter") ? [confirmButton("Delete candidate", "Delete with all their data", async () => {
    try {
      await api("DELETE", `candidates/${candidate.id}`);
      ctx.announce(`Candidate ${candidate.name} and their data deleted.`);
      ctx.navigate("#/candidates");
    } catch (error) {
      problem.replaceChildren(errorBox(error, "Could not delete the candidate"));
    }
  })] : [];
  put(view, 
    h("p", { class: "breadcrumb" }, h("a", { href: "#/candidates" }, "Candidates")),
    pageHeader(candidate.name, ...actions),
    problem,
    h("div", { class: "grid-2" },
      h("section", { class: "card" }, h("h2", {}, "Contact"),
        details([
          ["Phone", candidate.phone],
          ["Email", candidate.email || "—"],
          ["Applied for", candidate.job_id ? h("a", { href: `#/jobs/${candidate.job_id}` }, jobTitles.get(candidate.job_id) || "a job") : "—"],
          ["SMS consent", candidate.sms_consent ? `Yes, since ${formatDateTime(candidate.consent_at)}` : "No"],
          candidate.opted_out ? ["Opted out", `Texted STOP on ${formatDateTime(candidate.opted_out_at)}`] : null,
          ["Added", formatDateTime(candidate.created_at)],
        ])),
      resumeSection(ctx, candidate)),
    ctx.can("recruiter") ? startInterviewSection(ctx, candidate, jobs) : null,
    h("section", { class: "card" }, h("h2", {}, "Interviews"),
      interviews.length ? table([
        { label: "Job", cell: (i) => jobTitles.get(i.job_id) || "—" },
        { label: "Status", cell: (i) => h("a", { href: `#/interviews/${i.id}` }, badge(i.status)) },
        { label: "Progress", cell: (i) => `${i.progress.answered} of ${i.progress.total}` },
        { label: "Score", cell: (i) => humanize(i.score_status) },
        { label: "Created", cell: (i) => h("a", { href: `#/interviews/${i.id}` }, formatDateTime(i.created_at)) },
      ], interviews, "Interviews of this candidate") : h("p", { class: "muted" }, "No interviews yet.")),
    ctx.can("recruiter") ? candidateForm(ctx, jobs, candidate) : null);
}

function resumeSection(ctx, candidate) {
  const section = h("section", { class: "card resume" }, h("h2", {}, "Resume"));
  const info = candidate.resume;
  const problem = h("div");
  if (info) {
    put(section, details([
      ["File", info.file_name],
      ["Size", `${formatBytes(info.size_bytes)}${info.pages ? `, ${info.pages} page${info.pages === 1 ? "" : "s"}` : ""}`],
      ["Text for scoring", info.text_status === "ok" ? "Extracted"
        : h("span", {}, badge("failed", humanize(info.text_status)), info.text_reason ? ` ${info.text_reason}` : "")],
      ["Uploaded", formatDateTime(info.uploaded_at)],
    ]), h("p", {}, h("button", { type: "button", class: "button", onclick: async () => {
      problem.replaceChildren();
      try {
        const link = await api("GET", `candidates/${candidate.id}/resume`, { query: { download: "link" } });
        window.open(link.url, "_blank", "noopener");
      } catch (error) {
        problem.replaceChildren(errorBox(error, "Could not open the resume"));
      }
    } }, "Open resume"),
    ctx.can("recruiter") ? [" ", confirmButton("Delete resume", "Delete the file", async () => {
      try {
        await api("DELETE", `candidates/${candidate.id}/resume`);
        ctx.announce("Resume deleted.");
        ctx.navigate(`#/candidates/${candidate.id}`);
      } catch (error) {
        problem.replaceChildren(errorBox(error, "Could not delete the resume"));
      }
    })] : null));
  } else {
    put(section, h("p", { class: "muted" }, "No resume uploaded."));
  }
  put(section, problem);
  if (ctx.can("recruiter")) {
    const form = h("form", { class: "upload", novalidate: true },
      field({ label: info ? "Replace with (PDF or DOCX)" : "Upload a resume (PDF or DOCX)", name: "file", type: "file",
        attrs: { accept: ".pdf,.docx,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document" } }),
      h("button", { type: "submit", class: "button primary" }, "Upload resume"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const file = form.querySelector("input[type=file]").files[0];
      if (!file) {
        showProblem(form, { title: "Choose a file first", errors: [{ field: "file", message: "No file chosen." }] });
        return;
      }
      clearProblem(form);
      const data = new FormData();
      data.append("file", file, file.name);
      const uploaded = await submitting(form, () => api("PUT", `candidates/${candidate.id}/resume`, { body: data }));
      if (uploaded) {
        ctx.announce(`Resume ${uploaded.file_name} uploaded${uploaded.text_status === "ok" ? "" : `; text ${uploaded.text_status}`}.`);
        ctx.navigate(`#/candidates/${candidate.id}`);
      }
    });
    put(section, form);
  }
  return section;
}

function startInterviewSection(ctx, candidate, jobs) {
  const openJobs = jobs.filter((job) => job.status === "open");
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "start-title" },
    h("h2", { id: "start-title" }, "Start an SMS interview"));
  if (!openJobs.length) {
    put(form, emptyState("There is no open job to interview for.", h("a", { href: "#/jobs/new" }, "Create a job")));
    return form;
  }
  const blocked = candidate.opted_out ? "The candidate texted STOP: no interview can start until they text START."
    : !candidate.sms_consent ? "The candidate has not consented to SMS: edit the candidate first." : null;
  put(form, 
    blocked ? h("p", { class: "note" }, blocked) : null,
    h("div", { class: "field-row" },
      field({ label: "Job", name: "job_id", value: candidate.job_id || openJobs[0].id,
        options: openJobs.map((job) => [job.id, job.title]) }),
      field({ label: "Start at (your local time)", name: "start_at", type: "datetime-local",
        hint: "Empty: now. Quiet hours still apply in the candidate's time zone." })),
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "button primary" }, "Start interview")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const startAt = valueOf(form, "start_at");
    const body = { candidate_id: candidate.id, job_id: valueOf(form, "job_id") };
    if (startAt) body.start_at = new Date(startAt).toISOString();
    const created = await submitting(form, () => api("POST", "interviews", { json: body }));
    if (created) {
      ctx.announce("Interview started.");
      ctx.navigate(`#/interviews/${created.id}`);
    }
  });
  return form;
}
