// The audit trail: who did what, when, from which address; filters and a CSV export.

import { API, get } from "../api.js";
import { h, replace } from "../dom.js";
import { when } from "../format.js";
import { t } from "../i18n.js";
import { field, pager } from "./common.js";

const LIMIT = 50;

export async function render(main, ctx) {
  if (!ctx.can("read_audit")) {
    replace(main, h("section", { class: "panel" }, h("h1", {}, t("audit.title")), h("p", {}, t("audit.forbidden"))));
    return;
  }
  const state = { job_id: "", user: "", action: "", page: 0 };
  const body = h("tbody");
  const foot = h("div");
  const csv = h("a", { class: "btn ghost", id: "audit-csv", download: "" }, t("audit.csv"));
  const inputs = {
    job_id: h("input", { id: "audit-job", placeholder: "00000000-…" }),
    user: h("input", { id: "audit-user", placeholder: "tech@example.com" }),
    action: h("input", { id: "audit-action", placeholder: "GateApproved" }),
  };

  async function load() {
    const filters = { job_id: state.job_id, user: state.user, action: state.action };
    const data = await get("/audit", { ...filters, limit: LIMIT, offset: state.page * LIMIT });
    const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
    csv.href = `${API}/audit.csv${query.size ? `?${query}` : ""}`;
    replace(body, data.items.map((e) => h("tr", {},
      h("td", { class: "small" }, when(e.occurred_at)), h("td", {}, e.actor.user), h("td", {}, e.actor.role ? t(`role.${e.actor.role}`) : "—"),
      h("td", { class: "mono small" }, e.actor.ip || "—"), h("td", {}, e.event_type), h("td", {}, e.summary),
      h("td", { class: "small" }, e.job_id ? h("a", { href: `#/jobs/${e.job_id}` }, e.job_id.slice(0, 8)) : "—"))));
    replace(foot, pager(state.page, data.total, LIMIT, (p) => { state.page = p; load(); }));
  }

  const form = h("form", { class: "filters", onsubmit: (e) => {
    e.preventDefault();
    for (const [k, el] of Object.entries(inputs)) state[k] = el.value.trim();
    state.page = 0;
    load();
  } }, field(t("audit.job"), inputs.job_id), field(t("audit.user"), inputs.user), field(t("audit.action"), inputs.action),
    h("button", { class: "btn ghost", type: "submit" }, t("common.filter")), h("span", { class: "spacer" }), csv);
  replace(main, h("div", { class: "page-head" }, h("div", {}, h("h1", {}, t("audit.title")), h("p", { class: "sub" }, t("audit.intro")))),
    h("section", { class: "panel" }, form, h("div", { class: "table-wrap" }, h("table", { id: "audit" },
      h("thead", {}, h("tr", {}, ["audit.when", "audit.who", "audit.role", "audit.ip", "audit.action", "audit.what", "audit.job"].map((k) => h("th", {}, t(k))))), body)), foot));
  await load();
}
