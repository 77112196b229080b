import { get } from "../api.js";
import { badge, bar, h, replace, setBar } from "../dom.js";
import { number, when } from "../format.js";
import { t } from "../i18n.js";
import { follow } from "../live.js";
import { GATES, PHASES, pager, select } from "./common.js";

const LIMIT = 25;

export async function render(main, ctx) {
  const state = { phase: "", gate: "", domain: "", page: 0 };
  const body = h("tbody");
  const foot = h("div");
  const bars = new Map();

  async function load() {
    const query = { phase: state.phase, gate: state.gate, domain: state.domain, limit: LIMIT, offset: state.page * LIMIT };
    const data = await get("/jobs", query);
    bars.clear();
    replace(body, data.items.length ? data.items.map(row) : h("tr", {}, h("td", { colspan: 7, class: "muted" }, t("jobs.none"))));
    replace(foot, pager(state.page, data.total, LIMIT, (p) => { state.page = p; load(); }));
  }

  function row(job) {
    const progress = bar(job.sync_percent);
    bars.set(job.id, progress);
    return h("tr", { dataset: { job: job.id } },
      h("td", {}, h("a", { href: `#/jobs/${job.id}` }, job.domain), job.ticket_id ? h("div", { class: "muted small" }, job.ticket_id) : null),
      h("td", {}, badge(job.phase, t(`phase.${job.phase}`))),
      h("td", {}, badge(job.gate, t(`gate.${job.gate}`))),
      h("td", {}, h("div", { class: "progress-cell" }, progress, h("span", { class: "pct" }, `${Math.round(job.sync_percent)} %`))),
      h("td", { class: "num" }, number(job.mailbox_count)),
      h("td", { class: "num hide-sm" }, `${number(job.messages_dest)} / ${number(job.messages_source)}`),
      h("td", { class: "hide-sm small" }, when(job.created_at)));
  }

  const filters = h("form", { class: "filters", onsubmit: (e) => { e.preventDefault(); state.domain = domain.value.trim(); state.page = 0; load(); } },
    select("filter-phase", t("jobs.phase"), [["", t("common.any")], ...PHASES.map((p) => [p, t(`phase.${p}`)]), ["failed", t("phase.failed")]], "",
      (e) => { state.phase = e.target.value; state.page = 0; load(); }),
    select("filter-gate", t("jobs.gate"), [["", t("common.any")], ...GATES.map((g) => [g, t(`gate.${g}`)])], "",
      (e) => { state.gate = e.target.value; state.page = 0; load(); }),
    h("label", { class: "field" }, t("jobs.domain"), domainInput()),
    h("button", { class: "btn ghost", type: "submit" }, t("common.filter")));
  const domain = filters.querySelector("#filter-domain");

  replace(main,
    h("div", { class: "page-head" }, h("div", {}, h("h1", {}, t("jobs.title")), h("p", { class: "sub" }, t("jobs.intro"))),
      ctx.can("write") ? h("a", { class: "btn", href: "#/jobs/new" }, t("nav.new")) : null),
    h("section", { class: "panel" }, filters,
      h("div", { class: "table-wrap" }, h("table", { id: "jobs" },
        h("thead", {}, h("tr", {}, ["jobs.domain", "jobs.phase", "jobs.gate", "jobs.progress", "jobs.mailboxes", "jobs.messages", "jobs.created"]
          .map((k, i) => h("th", { scope: "col", class: i >= 5 ? "hide-sm" : i === 4 ? "num" : null }, t(k))))),
        body)), foot));
  await load();

  follow(`/api/v1/migration/live/jobs`, {
    ready: () => load(),
    update: (u) => {
      for (const [job, totals] of Object.entries(u.progress || {})) {
        const el = bars.get(job);
        if (el && totals.active) { setBar(el, totals.percent); el.nextSibling.textContent = `${Math.round(totals.percent)} %`; }
      }
      if (u.changed?.length) load();
    },
  });
}

function domainInput() {
  return h("input", { id: "filter-domain", name: "domain", type: "search", placeholder: "example.com" });
}
