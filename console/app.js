// The console's shell: sign-in, navigation, and a small hash router (#/jobs/<id>) that renders one page.

import { api, ApiError, ROLE_RANK, session, unauthorizedEvents } from "./api.js";
import { badge, h, put } from "./dom.js";
import { errorBox } from "./forms.js";
import { renderDashboard } from "./page-dashboard.js";
import { renderJob, renderJobForm, renderJobs } from "./page-jobs.js";
import { renderCandidate, renderCandidates } from "./page-candidates.js";
import { renderInterview, renderInterviews } from "./page-interviews.js";
import { renderTokens } from "./page-tokens.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const who = document.getElementById("who");
const statusRegion = document.getElementById("status");

const NAV_ITEMS = [
  ["#/dashboard", "Dashboard", "viewer"],
  ["#/jobs", "Jobs", "viewer"],
  ["#/candidates", "Candidates", "viewer"],
  ["#/interviews", "Interviews", "viewer"],
  ["#/tokens", "Tokens", "admin"],
];

const ROUTES = [
  [/^#\/dashboard$/, renderDashboard],
  [/^#\/jobs$/, renderJobs],
  [/^#\/jobs\/new$/, (view, ctx) => renderJobForm(view, ctx, null)],
  [/^#\/jobs\/([0-9a-f-]{36})\/edit$/, renderJobForm],
  [/^#\/jobs\/([0-9a-f-]{36})$/, renderJob],
  [/^#\/candidates$/, renderCandidates],
  [/^#\/candidates\/([0-9a-f-]{36})$/, renderCandidate],
  [/^#\/interviews$/, renderInterviews],
  [/^#\/interviews\/([0-9a-f-]{36})$/, renderInterview],
  [/^#\/tokens$/, renderTokens],
];

let announceTimer;
let announcedAt = 0;
let routesSinceAnnouncement = 0;
const ctx = {
  me: null,
  query: new URLSearchParams(),
  /** Whether the signed-in token's role is at least `role`: write controls exist only when it is. */
  can(role) {
    return Boolean(ctx.me) && ROLE_RANK[ctx.me.role] >= ROLE_RANK[role];
  },
  /** Say something to screen readers and show it briefly in the status bar. */
  announce(message) {
    statusRegion.textContent = message;
    statusRegion.classList.add("visible");
    announcedAt = Date.now();
    routesSinceAnnouncement = 0;
    clearTimeout(announceTimer);
    announceTimer = setTimeout(() => statusRegion.classList.remove("visible"), 6000);
  },
  navigate(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
};

let cleanup = null;

async function route() {
  if (!ctx.me) return;
  if (typeof cleanup === "function") cleanup();
  cleanup = null;
  // A message said just before this navigation (e.g. "Job created") stays; an older one would cover the page.
  routesSinceAnnouncement += 1;
  if (routesSinceAnnouncement > 1 || Date.now() - announcedAt > 1500) statusRegion.classList.remove("visible");
  const fullHash = location.hash && location.hash !== "#" ? location.hash : "#/dashboard";
  const [hash, search] = fullHash.split("?");
  ctx.query = new URLSearchParams(search || "");
  for (const link of nav.querySelectorAll("a")) {
    const active = hash === link.getAttribute("href") || hash.startsWith(`${link.getAttribute("href")}/`);
    if (active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const view = h("div", { class: "view" });
  main.replaceChildren(view);
  const match = ROUTES.map(([pattern, render]) => [hash.match(pattern), render]).find(([found]) => found);
  if (!match) {
    put(view, h("h1", { tabindex: "-1", class: "page-title" }, "Page not found"),
      h("p", {}, "There is no such page. ", h("a", { href: "#/dashboard" }, "Go to the dashboard.")));
    focusHeading(view);
    return;
  }
  const [found, render] = match;
  try {
    const result = await render(view, ctx, ...found.slice(1));
    if (typeof result === "function") {
      if (view.isConnected) cleanup = result;
      else result(); // the user moved on while the page loaded
    }
  } catch (error) {
    if (!view.isConnected) return;
    if (error instanceof ApiError && error.status === 401) return; // the sign-in page is already showing
    view.replaceChildren(h("h1", { tabindex: "-1", class: "page-title" }, "Could not load this page"),
      errorBox(error), h("p", {}, h("a", { href: "#/dashboard" }, "Back to the dashboard")));
  }
  if (view.isConnected) focusHeading(view);
}

function focusHeading(view) {
  // Moves keyboard and screen reader focus to the new page, as a full page load would.
  if (document.activeElement && document.activeElement !== document.body && main.contains(document.activeElement)) return;
  view.querySelector("h1")?.focus({ preventScroll: true });
}

function renderShell() {
  nav.replaceChildren(...NAV_ITEMS.filter(([, , role]) => ctx.can(role))
    .map(([href, label]) => h("a", { href }, label)));
  nav.hidden = false;
  who.replaceChildren(
    h("span", { class: "who-label", title: "The signed-in token" }, ctx.me.label),
    badge(ctx.me.role),
    h("button", { type: "button", class: "button small", onclick: signOut }, "Sign out"));
  who.hidden = false;
}

function renderSignIn(message) {
  if (typeof cleanup === "function") cleanup();
  cleanup = null;
  ctx.me = null;
  nav.hidden = true;
  who.hidden = true;
  nav.replaceChildren();
  who.replaceChildren();
  const input = h("input", { id: "token", name: "token", type: "password", autocomplete: "off", required: true,
    spellcheck: "false", "aria-describedby": "token-hint" });
  const problem = h("div", { class: "sign-in-problem" });
  const form = h("form", { class: "card sign-in", "aria-labelledby": "sign-in-title" },
    h("h1", { id: "sign-in-title", tabindex: "-1", class: "page-title" }, "Sign in"),
    problem,
    h("div", { class: "field" },
      h("label", { for: "token" }, "API token"),
      input,
      h("p", { class: "hint", id: "token-hint" },
        "An admin gives you a token (or run: python -m shared.auth create-token). It is kept in this tab's ",
        "session storage only, and forgotten when you sign out or close the tab.")),
    h("button", { type: "submit", class: "button primary" }, "Sign in"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    const token = input.value.trim();
    if (!token) return;
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const me = await api("GET", "me", { token });
      session.token = token;
      await start(me);
    } catch (error) {
      problem.replaceChildren(errorBox(error, error.status === 401 ? "This token was refused" : "Could not sign in"));
      input.focus();
    } finally {
      submit.disabled = false;
    }
  });
  main.replaceChildren(h("div", { class: "view" }, form));
  if (message) problem.replaceChildren(errorBox({ title: message }));
  form.querySelector("h1").focus();
}

async function start(me) {
  ctx.me = me;
  renderShell();
  if (!location.hash || location.hash === "#" || location.hash === "#/sign-in") location.hash = "#/dashboard";
  else await route();
}

function signOut() {
  session.token = null;
  renderSignIn();
  ctx.announce("Signed out.");
  history.replaceState(null, "", "#/sign-in");
}

unauthorizedEvents.addEventListener("unauthorized", () => {
  if (!ctx.me) return;
  session.token = null;
  renderSignIn("The token is no longer accepted (it may have been revoked). Sign in again.");
});

window.addEventListener("hashchange", () => {
  if (location.hash.startsWith("#/")) route();
});

document.getElementById("skip-link").addEventListener("click", (event) => {
  event.preventDefault();
  (main.querySelector("h1") || main).focus();
});

async function boot() {
  const token = session.token;
  if (!token) {
    renderSignIn();
    return;
  }
  try {
    await start(await api("GET", "me", { token }));
  } catch (error) {
    if (error.status === 401) session.token = null;
    renderSignIn(error.status === 401 ? "The saved token is no longer accepted. Sign in again." : `Could not reach the API: ${error.detail || error.title}`);
  }
}

boot();
