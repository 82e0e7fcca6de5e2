// The recruiter API, as the console calls it: the token from this browser session, problem+json errors.

const TOKEN_KEY = "interview-ai.token";

// The token lives in sessionStorage only: it goes when the tab closes and is never written to disk by us.
export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** An RFC 9457 problem from the API (or a network failure, status 0), with its field errors. */
export class ApiError extends Error {
  constructor(status, problem) {
    const title = problem?.title || (status ? `HTTP ${status}` : "Network error");
    super(problem?.detail || title);
    this.status = status;
    this.title = title;
    this.detail = problem?.detail || "";
    this.type = problem?.type || "";
    this.errors = Array.isArray(problem?.errors) ? problem.errors : [];
  }
}

export const unauthorizedEvents = new EventTarget();

/**
 * Call `method /api/<path>`. `json` sends a JSON body; `body` with `contentType` sends raw bytes.
 * Returns the parsed JSON (null for 204) or throws ApiError.
 */
export async function api(method, path, { json, body, contentType, query, token } = {}) {
  const url = new URL(`/api/${path}`, location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
  }
  const headers = { Accept: "application/json, application/problem+json" };
  const bearer = token ?? session.token;
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (contentType) {
    headers["Content-Type"] = contentType;
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body, cache: "no-store", credentials: "omit" });
  } catch (error) {
    throw new ApiError(0, { title: "Network error", detail: `The server could not be reached (${error.message}).` });
  }
  const type = response.headers.get("content-type") || "";
  const data = response.status === 204 ? null
    : type.includes("json") ? await response.json().catch(() => null) : null;
  if (!response.ok) {
    const problem = data && typeof data === "object" ? data : { title: response.statusText || `HTTP ${response.status}` };
    const error = new ApiError(response.status, problem);
    if (response.status === 401 && token === undefined) unauthorizedEvents.dispatchEvent(new Event("unauthorized"));
    throw error;
  }
  return data;
}

/** Every item of a paginated list, following next_cursor, up to `max` items. */
export async function listAll(path, query = {}, max = 1000) {
  const items = [];
  let cursor;
  do {
    const page = await api("GET", path, { query: { ...query, limit: 200, cursor } });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}

/** One page of a list. */
export function listPage(path, query = {}, cursor) {
  return api("GET", path, { query: { ...query, cursor } });
}

export const ROLE_RANK = { viewer: 1, recruiter: 2, admin: 3 };

/** Job titles and candidate names by id, for pages that list interviews (which carry only ids). */
export async function nameMaps() {
  const [jobs, candidates] = await Promise.all([listAll("jobs"), listAll("candidates")]);
  return {
    jobs: new Map(jobs.map((job) => [job.id, job])),
    candidates: new Map(candidates.map((candidate) => [candidate.id, candidate])),
    jobList: jobs,
  };
}
