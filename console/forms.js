// Form fields with labels, hints and error slots, and problem+json errors shown where they belong.

import { h, uid } from "./dom.js";

/**
 * A labelled input. `name` is the API's field path (e.g. "questions.0.text"): a 422 naming that field
 * shows its message under this input.
 */
export function field({ label, name, type = "text", value, required, hint, options, rows, attrs = {}, wide }) {
  const id = uid("f");
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const common = {
    id, name, required, "data-field": name,
    "aria-describedby": [hintId, errorId].filter(Boolean).join(" "),
    ...attrs,
  };
  let control;
  if (options) {
    control = h("select", common, options.map(([optionValue, optionLabel]) =>
      h("option", { value: optionValue, selected: String(optionValue) === String(value ?? "") }, optionLabel)));
  } else if (type === "textarea") {
    control = h("textarea", { ...common, rows: rows || 3 });
    control.value = value ?? "";
  } else {
    control = h("input", { ...common, type });
    control.value = value ?? "";
  }
  return h("div", { class: `field${wide ? " wide" : ""}` },
    h("label", { for: id }, label, required ? h("span", { class: "required", "aria-hidden": "true" }, " *") : null),
    control,
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    h("p", { class: "field-error", id: errorId }));
}

export function checkbox({ label, name, checked, hint }) {
  const id = uid("c");
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  return h("div", { class: "field checkbox" },
    h("input", { type: "checkbox", id, name, checked: Boolean(checked), "data-field": name,
      "aria-describedby": [hintId, errorId].filter(Boolean).join(" ") }),
    h("label", { for: id }, label),
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    h("p", { class: "field-error", id: errorId }));
}

/** The value of the control named `name` inside `root`. */
export function valueOf(root, name) {
  const control = root.querySelector(`[data-field="${CSS.escape(name)}"]`);
  if (!control) return undefined;
  if (control.type === "checkbox") return control.checked;
  return control.value.trim();
}

export function numberOrNull(text) {
  if (text === undefined || text === null || String(text).trim() === "") return null;
  const number = Number(text);
  return Number.isFinite(number) ? number : text; // a non-number goes to the API, which names the field
}

/** A block for errors that belong to no field: role=alert, so screen readers read it at once. */
export function errorBox(error, context) {
  const title = error?.title || "Something went wrong";
  const detail = error?.detail || error?.message || "";
  return h("div", { class: "error-box", role: "alert" },
    h("strong", {}, context ? `${context}: ${title}` : title),
    detail && detail !== title ? h("p", {}, detail) : null);
}

export function clearProblem(form) {
  form.querySelector(":scope > .form-problem")?.remove();
  for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
  for (const slot of form.querySelectorAll(".field-error, .group-error")) slot.textContent = "";
}

/**
 * Show an ApiError on `form`: each field error under its control (or the nearest enclosing group that
 * names a prefix of the field), the rest in a summary at the top. Focus goes to the first problem.
 */
export function showProblem(form, error) {
  clearProblem(form);
  const unplaced = [];
  let firstInvalid = null;
  for (const item of error.errors || []) {
    const target = findFieldTarget(form, item.field);
    if (!target) {
      unplaced.push(item);
      continue;
    }
    if (target.matches("input, select, textarea")) {
      target.setAttribute("aria-invalid", "true");
      const slot = target.closest(".field")?.querySelector(".field-error");
      if (slot) slot.textContent = appendMessage(slot.textContent, item.message);
    } else {
      const slot = target.querySelector(".group-error");
      if (!slot) {
        unplaced.push(item);
        continue;
      }
      slot.textContent = appendMessage(slot.textContent, item.message);
    }
    firstInvalid ||= target.matches("input, select, textarea") ? target : target.querySelector("input, textarea, select");
  }
  const summary = h("div", { class: "form-problem error-box", role: "alert", tabindex: "-1" },
    h("strong", {}, error.title || "The request failed"),
    error.detail ? h("p", {}, error.detail) : null,
    unplaced.length ? h("ul", {}, unplaced.map((item) => h("li", {}, `${item.field}: ${item.message}`))) : null);
  form.prepend(summary);
  (firstInvalid || summary).focus();
}

function appendMessage(existing, message) {
  return existing ? `${existing} ${message}` : message;
}

function findFieldTarget(form, fieldPath) {
  const parts = String(fieldPath || "").split(".");
  while (parts.length) {
    const name = parts.join(".");
    const found = form.querySelector(`[data-field="${CSS.escape(name)}"], [data-group="${CSS.escape(name)}"]`);
    if (found) return found;
    parts.pop();
  }
  return null;
}

/** Disable a form's submit button while `work` runs; show problems on the form. Returns work's result. */
export async function submitting(form, work) {
  const submit = form.querySelector('[type="submit"]');
  if (submit) submit.disabled = true;
  clearProblem(form);
  try {
    return await work();
  } catch (error) {
    showProblem(form, error);
    return undefined;
  } finally {
    if (submit) submit.disabled = false;
  }
}
