// API tokens (admins only): mint one (its secret is shown once), list, revoke.

import { api } from "./api.js";
import { badge, button, confirmButton, emptyState, formatDateTime, h, pageHeader, put, table } from "./dom.js";
import { checkbox, errorBox, field, submitting, valueOf } from "./forms.js";

export async function renderTokens(view, ctx) {
  if (!ctx.can("admin")) {
    put(view, pageHeader("Tokens"), errorBox({ title: "Only admins manage API tokens." }));
    return;
  }
  const revealed = h("div", { "aria-live": "polite" });
  const list = h("div");
  const showRevoked = checkbox({ label: "Show revoked tokens", name: "include_revoked" });
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "mint-title" },
    h("h2", { id: "mint-title" }, "New token"),
    h("div", { class: "field-row" },
      field({ label: "Label", name: "label", required: true, hint: "Who or what uses it, e.g. “Dana (recruiting)”.",
        attrs: { maxlength: 100, autocomplete: "off" } }),
      field({ label: "Role", name: "role", value: "recruiter", options: [
        ["viewer", "Viewer: reads everything"], ["recruiter", "Recruiter: reads and writes data"],
        ["admin", "Admin: everything, and tokens"]] })),
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "button primary" }, "Create token")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const created = await submitting(form, () => api("POST", "tokens", { json: { label: valueOf(form, "label"), role: valueOf(form, "role") } }));
    if (!created) return;
    form.querySelector("[data-field=label]").value = "";
    const secret = h("input", { id: "new-token-secret", type: "text", readonly: true, value: created.token, class: "secret",
      "aria-describedby": "new-token-note" });
    revealed.replaceChildren(h("div", { class: "card reveal" },
      h("h2", {}, `Token for “${created.label}” (${created.role})`),
      h("label", { for: "new-token-secret" }, "Secret"),
      h("div", { class: "secret-row" }, secret, button("Copy", async () => {
        try {
          await navigator.clipboard.writeText(created.token);
          ctx.announce("Token copied to the clipboard.");
        } catch {
          secret.select();
          ctx.announce("Select the text and copy it.");
        }
      })),
      h("p", { class: "note", id: "new-token-note" }, "Copy it now: it is shown only once and only its hash is stored."),
      button("Done", () => revealed.replaceChildren())));
    secret.focus();
    secret.select();
    ctx.announce(`Token for ${created.label} created.`);
    await load();
  });

  async function load() {
    try {
      const tokens = (await api("GET", "tokens", { query: { include_revoked: valueOf(showRevoked, "include_revoked") } })).items;
      list.replaceChildren(tokens.length ? table([
        { label: "Label", cell: (t) => t.label },
        { label: "Role", cell: (t) => badge(t.role) },
        { label: "Created", cell: (t) => `${formatDateTime(t.created_at)}${t.created_by ? ` by ${t.created_by}` : ""}` },
        { label: "Last used", cell: (t) => formatDateTime(t.last_used_at) },
        { label: "State", cell: (t) => (t.revoked_at ? `Revoked ${formatDateTime(t.revoked_at)}`
          : confirmButton("Revoke", `Revoke “${t.label}”`, async () => {
            try {
              await api("DELETE", `tokens/${t.id}`);
              ctx.announce(`Token ${t.label} revoked.`);
              await load();
            } catch (error) {
              list.prepend(errorBox(error, "Could not revoke the token"));
            }
          })) },
      ], tokens, "API tokens") : emptyState("No tokens yet (the ADMIN_TOKEN setting is not listed)."));
    } catch (error) {
      list.replaceChildren(errorBox(error, "Could not load tokens"));
    }
  }
  showRevoked.querySelector("input").addEventListener("change", load);
  put(view, pageHeader("API tokens"),
    h("p", { class: "muted" }, "Tokens sign in to this console and call the API. Roles: viewer < recruiter < admin."),
    revealed, form, h("section", { class: "card" }, h("h2", {}, "Tokens"), showRevoked, list));
  await load();
}
