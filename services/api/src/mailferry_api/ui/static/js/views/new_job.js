// Create a job in three steps: the job (JobCreated), the mailbox list (previewed with every
// row-level error before anything is imported), then a preflight to test the connections.

import { ApiError, get, post, request } from "../api.js";
import { badge, h, replace, toast } from "../dom.js";
import { explain } from "../errors.js";
import { t } from "../i18n.js";
import { follow } from "../live.js";
import { field } from "./common.js";

const input = (id, props = {}) => h("input", { id, name: id, ...props });

function server(prefix, legend, required) {
  return h("fieldset", { id: `${prefix}-server` }, h("legend", {}, legend),
    h("div", { class: "form-grid" },
      field(t("new.host"), input(`${prefix}-host`, { required, placeholder: "imap.example.com" })),
      field(t("new.port"), input(`${prefix}-port`, { type: "number", min: 1, max: 65535, value: 993 })),
      field(t("new.security"), h("select", { id: `${prefix}-security` }, ["ssl", "starttls", "none"].map((v) => h("option", { value: v }, v)))),
      field(t("new.label"), input(`${prefix}-label`)),
      h("label", { class: "row small" }, input(`${prefix}-verify`, { type: "checkbox", checked: true }), t("new.verify_tls"))));
}

function serverValue(form, prefix) {
  const host = form.querySelector(`#${prefix}-host`).value.trim();
  if (!host) return null;
  return {
    host, port: Number(form.querySelector(`#${prefix}-port`).value || 993),
    security: form.querySelector(`#${prefix}-security`).value,
    verify_tls: form.querySelector(`#${prefix}-verify`).checked,
    label: form.querySelector(`#${prefix}-label`).value.trim(),
  };
}

export function parseFolderMap(text) {
  const map = {};
  for (const [i, line] of text.split("\n").entries()) {
    if (!line.trim()) continue;
    const parts = line.split(/=>|=/);
    if (parts.length !== 2 || !parts[0].trim() || !parts[1].trim()) throw new Error(t("new.folder_map_line", { line: i + 1 }));
    map[parts[0].trim()] = parts[1].trim();
  }
  return map;
}

function jobBody(form) {
  const value = (id) => form.querySelector(`#${id}`).value.trim();
  return {
    domain: value("domain"), ticket_id: value("ticket") || null,
    source: serverValue(form, "src"), destination: serverValue(form, "dst"),
    engine: value("engine"),
    concurrency_limit: Number(value("concurrency")), per_host_limit: Number(value("per-host")),
    options: { folder_map: parseFolderMap(value("folder-map")), exclude_folders: value("excludes").split("\n").map((s) => s.trim()).filter(Boolean) },
  };
}

function errorList(err) {
  const rows = Array.isArray(err.details) ? err.details : [];
  return h("div", { class: "error-text", role: "alert" }, h("p", {}, err.message),
    rows.length ? h("ul", {}, rows.map((d) => h("li", {}, `${(d.loc || []).join(".")}: ${d.msg}`))) : null);
}

export async function render(main) {
  const step2 = h("section", { class: "panel", id: "step-mailboxes", hidden: true });
  const step3 = h("section", { class: "panel", id: "step-preflight", hidden: true });
  const message = h("div");
  const form = h("form", { id: "job-form", onsubmit: async (e) => {
    e.preventDefault();
    replace(message);
    try {
      const created = await post("/jobs", jobBody(form));
      form.querySelectorAll("input, select, textarea, button").forEach((el) => { el.disabled = true; });
      replace(message, h("p", { class: "small" }, t("new.created"), " ", h("a", { href: `#/jobs/${created.job_id}` }, created.job_id)));
      mailboxStep(step2, step3, created.job_id);
    } catch (err) { replace(message, err instanceof ApiError ? errorList(err) : h("p", { class: "error-text", role: "alert" }, err.message)); }
  } },
    h("fieldset", {}, h("legend", {}, t("new.job")), h("div", { class: "form-grid" },
      field(t("new.domain"), input("domain", { required: true, placeholder: "example.com" })),
      field(t("new.ticket"), input("ticket")))),
    server("src", t("new.source"), false), server("dst", t("new.destination"), true),
    h("fieldset", {}, h("legend", {}, t("new.engine_limits")), h("div", { class: "form-grid" },
      field(t("new.engine"), h("select", { id: "engine" }, ["auto", "native", "imapsync"].map((v) => h("option", { value: v }, t(`engine.${v}`))))),
      field(t("new.concurrency"), input("concurrency", { type: "number", min: 1, max: 1000, value: 4 }), t("new.concurrency_hint")),
      field(t("new.per_host"), input("per-host", { type: "number", min: 1, max: 1000, value: 2 }), t("new.per_host_hint")))),
    h("fieldset", {}, h("legend", {}, t("new.folders")), h("div", { class: "form-grid" },
      field(t("new.folder_map"), h("textarea", { id: "folder-map", placeholder: "Sent Items = Sent" }), t("new.folder_map_hint")),
      field(t("new.excludes"), h("textarea", { id: "excludes", placeholder: "Junk E-mail" }), t("new.excludes_hint")))),
    message, h("button", { class: "btn", type: "submit", id: "create-job" }, t("new.create")));
  replace(main, h("div", { class: "page-head" }, h("div", {}, h("h1", {}, t("new.title")), h("p", { class: "sub" }, t("new.intro")))),
    h("section", { class: "panel", id: "step-job" }, h("h2", {}, `1. ${t("new.step_job")}`), form), step2, step3);
}

function mailboxStep(panel, next, jobId) {
  panel.hidden = false;
  const file = h("input", { id: "csv", type: "file", accept: ".csv,text/csv" });
  const preview = h("div", { id: "preview" });
  const importButton = h("button", { class: "btn", type: "button", id: "import", disabled: true }, t("new.import"));
  let chosen = null;
  file.addEventListener("change", async () => {
    chosen = file.files[0];
    importButton.disabled = true;
    if (!chosen) return;
    const result = await upload(jobId, chosen, true).catch((err) => ({ error: err }));
    showPreview(preview, result);
    importButton.disabled = !(result && result.valid);
  });
  importButton.addEventListener("click", async () => {
    importButton.disabled = true;
    try {
      const done = await upload(jobId, chosen, false);
      replace(preview, h("p", { class: "badge ok", id: "imported" }, t("new.imported", { count: done.count })));
      file.disabled = true;
      preflightStep(next, jobId);
    } catch (err) { showPreview(preview, { error: err }); }
  });
  replace(panel, h("h2", {}, `2. ${t("new.step_mailboxes")}`), h("p", { class: "sub" }, t("new.csv_intro")),
    field(t("new.csv"), file, t("new.csv_hint")), preview, h("div", { class: "actions" }, importButton));
}

async function upload(jobId, file, dryRun) {
  const body = new FormData();
  body.append("file", file);
  return request("POST", `/jobs/${jobId}/mailboxes`, { body, query: dryRun ? { dry_run: "true" } : {} });
}

function showPreview(el, result) {
  if (result.error) {
    const errors = result.error.details?.errors || [];
    replace(el, h("p", { class: "error-text", role: "alert" }, result.error.message), errorTable(errors));
    return;
  }
  const summary = result.valid
    ? h("p", { class: "badge ok", id: "preview-ok" }, t("new.preview_ok", { count: result.count }))
    : h("p", { class: "error-text", role: "alert", id: "preview-errors" }, t("new.preview_errors", { count: result.total_errors }));
  const bad = new Set(result.errors.map((e) => e.line));
  replace(el, summary, errorTable(result.errors),
    result.warnings.map((w) => h("p", { class: "muted small" }, w)),
    h("div", { class: "table-wrap" }, h("table", { id: "preview-rows" },
      h("thead", {}, h("tr", {}, [t("new.line"), t("mb.source"), t("mb.target"), t("new.passwords")].map((x) => h("th", {}, x)))),
      h("tbody", {}, result.rows.slice(0, 50).map((r) => h("tr", { class: bad.has(r.line) ? "line-error" : null },
        h("td", {}, r.line), h("td", {}, r.source_email), h("td", {}, r.target_email),
        h("td", {}, `${r.has_source_password ? "✓" : "—"} / ${r.has_target_password ? "✓" : "—"}`)))))));
}

function errorTable(errors) {
  if (!errors.length) return null;
  return h("table", { id: "row-errors" },
    h("thead", {}, h("tr", {}, [t("new.line"), t("new.field"), t("new.problem")].map((x) => h("th", {}, x)))),
    h("tbody", {}, errors.map((e) => h("tr", { class: "line-error" }, h("td", {}, e.line ?? "—"), h("td", {}, e.field ?? "—"), h("td", {}, e.message)))));
}

function preflightStep(panel, jobId) {
  panel.hidden = false;
  const results = h("ul", { id: "preflight-results", class: "checks" });
  const button = h("button", { class: "btn", type: "button", id: "test-connection" }, t("new.test_connection"));
  const refresh = async () => {
    const page = await get(`/jobs/${jobId}/mailboxes`, { limit: 50 });
    replace(results, page.items.map((m) => {
      const status = m.last_run_type === "preflight" ? m.last_run_status : "pending";
      const why = explain(m.last_error_class);
      return h("li", {}, h("span", {}, m.source_email), badge(status, t(`run.${status}`)), h("span", { class: "small" }, why ? `${why.what} ${why.todo}` : ""));
    }));
  };
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await post(`/jobs/${jobId}/preflight`);
      follow(`/api/v1/migration/live/jobs/${jobId}`, { ready: refresh, update: (u) => { if (u.changed.length) refresh(); } });
    } catch (err) { toast(err.message, true); button.disabled = false; }
  });
  replace(panel, h("h2", {}, `3. ${t("new.step_preflight")}`), h("p", { class: "sub" }, t("new.preflight_intro")),
    h("div", { class: "actions" }, button, h("a", { class: "btn ghost", href: `#/jobs/${jobId}`, id: "open-job" }, t("new.open_job"))), results);
}
