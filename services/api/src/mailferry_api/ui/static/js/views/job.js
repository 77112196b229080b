// The job page: progress with rate and ETA, phases, the gate and its checks, actions that fit the
// caller's role and the job's phase, and the mailbox table (server-side paging, sort, filters).

import { ApiError, get, post } from "../api.js";
import { badge, bar, debounce, h, replace, setBar, toast } from "../dom.js";
import { explain } from "../errors.js";
import { duration, number, percent, when } from "../format.js";
import { t } from "../i18n.js";
import { follow } from "../live.js";
import { PHASES, STATUSES, pager, select, sortHeader } from "./common.js";

const LIMIT = 50;
const BEFORE_DNS = ["discovered", "preflight", "initial_sync", "delta_sync", "cutover_ready"];
const DELTA = ["initial_sync", "delta_sync", "cutover_ready"];
const FINAL = ["dns_cutover", "final_sync", "verified"];

export function actionsFor(ctx, job, summary) {
  const phase = job.phase, write = ctx.can("write"), open = phase !== "closed";
  const failed = summary?.by_status?.error || 0;
  return [
    write && BEFORE_DNS.includes(phase) && "preflight",
    write && BEFORE_DNS.includes(phase) && "sync_initial",
    write && DELTA.includes(phase) && "sync_delta",
    write && FINAL.includes(phase) && "sync_final",
    write && open && "verify",
    write && open && failed > 0 && "retry_failed",
    write && phase === "failed" && "retry_phase",
    ctx.can("approve_gate") && job.gate === "warning" && BEFORE_DNS.includes(phase) && "approve",
    ctx.can("override_gate") && job.gate !== "ready_for_dns" && BEFORE_DNS.includes(phase) && "override",
    ctx.can("approve_gate") && phase === "verified" && "close",
  ].filter(Boolean);
}

export async function render(main, ctx, jobId) {
  const state = { status: "", error_class: "", q: "", sort: "row", order: "asc", page: 0 };
  const selected = new Set();
  const rows = new Map();
  const emails = new Map(); // of every mailbox shown, for messages about a selection across pages
  const live = { totals: null };
  const el = {
    head: h("div", { class: "page-head" }), progress: h("section", { class: "panel", id: "progress" }),
    phases: h("section", { class: "panel", id: "phases" }), gate: h("section", { class: "panel", id: "gate" }),
    filters: h("div", { class: "filters" }), bulk: h("div", { class: "bulk", id: "bulk", hidden: true }),
    body: h("tbody"), head_row: h("tr"), foot: h("div"), errorClasses: [],
  };
  let job = null, report = null;

  async function loadJob() {
    [job, report] = await Promise.all([get(`/jobs/${jobId}`), get(`/jobs/${jobId}/report`, { sections: "summary,gate,timeline" })]);
    drawHead(); drawProgress(); drawPhases(); drawGate(); drawFilters();
  }

  async function loadPage() {
    const query = { ...state, limit: LIMIT, offset: state.page * LIMIT };
    delete query.page;
    const data = await get(`/jobs/${jobId}/mailboxes`, query);
    rows.clear();
    replace(el.body, data.items.length ? data.items.map(row) : h("tr", {}, h("td", { colspan: 9, class: "muted" }, t("job.no_mailboxes"))));
    replace(el.foot, pager(state.page, data.total, LIMIT, (p) => { state.page = p; loadPage(); }));
    drawTableHead(); drawBulk();
  }

  function drawHead() {
    const actions = actionsFor(ctx, job, report.summary);
    replace(el.head,
      h("div", {}, h("h1", {}, job.domain),
        h("p", { class: "sub row" }, badge(job.phase, t(`phase.${job.phase}`)), badge(job.gate, t(`gate.${job.gate}`)),
          job.ticket_id ? `${t("job.ticket")} ${job.ticket_id}` : null, h("span", { class: "small" }, `${t("job.created_by")} ${job.created_by}`))),
      h("div", { class: "actions", id: "actions" }, actions.map((a) => h("button", {
        class: a === "override" ? "btn warn" : a === "close" ? "btn ghost" : a === "approve" ? "btn" : "btn ghost",
        type: "button", dataset: { action: a }, onclick: () => act(a),
      }, t(`action.${a}`))),
      h("a", { class: "btn ghost", href: `/api/v1/migration/jobs/${jobId}/report?format=pdf`, id: "report-pdf", download: "" }, t("job.report_pdf"))));
  }

  function drawProgress() {
    const totals = live.totals;
    const running = totals && totals.active > 0;
    const value = running ? totals.percent : Number(job.sync_percent);
    const big = bar(value, true);
    big.id = "overall";
    const s = report.summary;
    replace(el.progress, h("h2", {}, t("job.progress")),
      h("div", { class: "progress-cell" }, big, h("span", { class: "pct", id: "overall-pct" }, percent(value))),
      h("div", { class: "stats" },
        stat(t("job.rate"), running ? `${number(Math.round(totals.rate_messages))} ${t("job.msgs_per_s")}` : "—", "rate"),
        stat(t("job.eta"), running ? duration(totals.eta_seconds) : "—", "eta"),
        stat(t("job.messages"), `${number(job.messages_dest)} / ${number(job.messages_source)}`),
        STATUSES.map((st) => stat(t(`status.${st}`), number(s.by_status[st] || 0), `count-${st}`))));
  }

  function drawPhases() {
    const entered = {};
    for (const step of report.timeline || []) entered[step.to_phase] = step.at;
    const at = PHASES.indexOf(job.phase);
    replace(el.phases, h("h2", {}, t("job.phases")), job.phase === "failed" ? h("p", { class: "error-text" }, t("job.failed_phase", { phase: t(`phase.${job.phase_before_failure}`) })) : null,
      h("ol", { class: "timeline" }, PHASES.map((p, i) => h("li", { class: i < at ? "done" : i === at ? "current" : null, "aria-current": i === at ? "step" : null },
        t(`phase.${p}`), entered[p] ? h("time", { datetime: entered[p] }, when(entered[p])) : null))));
  }

  function drawGate() {
    const g = report.gate;
    replace(el.gate, h("h2", { class: "row" }, t("job.gate"), badge(g.state, t(`gate.${g.state}`))),
      g.approved_by ? h("p", { class: "small" }, t("job.approved", { by: g.approved_by, at: when(g.approved_at) })) : null,
      g.checks.length ? h("ul", { class: "checks", id: "checks" }, g.checks.map((c) => h("li", { dataset: { check: c.name } },
        h("strong", {}, t(`check.${c.name}`)), badge(c.status, t(`check_status.${c.status}`)), h("span", {}, c.message))))
        : h("p", { class: "muted" }, t("job.no_checks")));
  }

  function drawFilters() {
    el.errorClasses = Object.keys(report.summary.by_error_class);
    const search = h("input", { id: "search", type: "search", placeholder: t("job.search"), value: state.q, "aria-label": t("job.search"),
      oninput: debounce((e) => { state.q = e.target.value.trim(); state.page = 0; loadPage(); }, 250) });
    replace(el.filters,
      select("filter-status", t("job.status"), [["", t("common.any")], ...STATUSES.map((s) => [s, t(`status.${s}`)])], state.status,
        (e) => { state.status = e.target.value; state.page = 0; loadPage(); }),
      select("filter-error", t("job.error_class"), [["", t("common.any")], ...el.errorClasses.map((c) => [c, c])], state.error_class,
        (e) => { state.error_class = e.target.value; state.page = 0; loadPage(); }),
      h("label", { class: "field" }, t("job.search"), search));
  }

  function drawTableHead() {
    const onsort = (key) => { state.order = state.sort === key && state.order === "asc" ? "desc" : "asc"; state.sort = key; state.page = 0; loadPage(); };
    const all = h("input", { type: "checkbox", id: "select-page", "aria-label": t("job.select_page"),
      checked: rows.size > 0 && [...rows.keys()].every((id) => selected.has(id)),
      onchange: (e) => { for (const [id, r] of rows) { r.box.checked = e.target.checked; toggle(id, e.target.checked); } } });
    replace(el.head_row, ctx.can("write") ? h("th", {}, all) : null,
      sortHeader("#", "row", state, onsort, "num"), sortHeader(t("mb.source"), "email", state, onsort),
      h("th", { class: "hide-sm" }, t("mb.target")), sortHeader(t("job.status"), "status", state, onsort),
      sortHeader(t("jobs.progress"), "sync_percent", state, onsort), h("th", {}, t("job.error_class")),
      h("th", { class: "num hide-sm" }, t("job.messages")), sortHeader(t("job.updated"), "updated_at", state, onsort, "hide-sm"));
  }

  function row(m) {
    const progress = bar(m.sync_percent);
    const pct = h("span", { class: "pct" }, percent(Number(m.sync_percent)));
    const box = ctx.can("write") ? h("input", { type: "checkbox", checked: selected.has(m.id), "aria-label": m.source_email, onchange: (e) => toggle(m.id, e.target.checked) }) : null;
    rows.set(m.id, { bar: progress, pct, box });
    emails.set(m.id, m.source_email);
    const why = explain(m.last_error_class);
    return h("tr", { dataset: { mailbox: m.id } }, box ? h("td", {}, box) : null,
      h("td", { class: "num col-row" }, m.row ?? ""), h("td", { class: "col-email" }, h("a", { href: `#/mailboxes/${m.id}` }, m.source_email)),
      h("td", { class: "hide-sm small" }, m.target_email), h("td", { class: "col-status" }, badge(m.status, t(`status.${m.status}`))),
      h("td", {}, h("div", { class: "progress-cell" }, progress, pct)),
      h("td", {}, m.last_error_class ? h("span", { class: "badge error", title: why ? `${why.what} ${why.todo}` : "" }, m.last_error_class) : ""),
      h("td", { class: "num hide-sm" }, `${number(m.messages_dest)} / ${number(m.messages_source)}`),
      h("td", { class: "hide-sm small" }, when(m.updated_at)));
  }

  function toggle(id, on) { if (on) selected.add(id); else selected.delete(id); drawBulk(); }

  function drawBulk() {
    el.bulk.hidden = !ctx.can("write") || selected.size === 0;
    const ids = () => [...selected];
    const run = (fn) => async () => { try { await fn(); toast(t("job.requested")); selected.clear(); loadPage(); } catch (err) { toast(err.message, true); } };
    replace(el.bulk, h("strong", {}, t("job.selected", { count: selected.size })),
      DELTA.includes(job?.phase) || BEFORE_DNS.includes(job?.phase) ? h("button", { class: "btn small", type: "button", id: "bulk-initial", onclick: run(() => post(`/jobs/${jobId}/sync`, { mode: "initial", mailbox_ids: ids() })) }, t("action.sync_initial")) : null,
      DELTA.includes(job?.phase) ? h("button", { class: "btn small", type: "button", id: "bulk-delta", onclick: run(() => post(`/jobs/${jobId}/sync`, { mode: "delta", mailbox_ids: ids() })) }, t("action.sync_delta")) : null,
      h("button", { class: "btn small ghost", type: "button", id: "bulk-retry", onclick: run(() => retryEach(ids())) }, t("action.retry")),
      h("button", { class: "btn small ghost", type: "button", onclick: () => { selected.clear(); for (const r of rows.values()) if (r.box) r.box.checked = false; drawBulk(); } }, t("common.clear")));
  }

  // One request per mailbox: a refusal (no failed run, say) must not hide the others' success.
  // The refused ones stay selected, so that retrying again never repeats an accepted retry.
  async function retryEach(mailboxIds) {
    const results = await Promise.allSettled(mailboxIds.map((id) => post(`/mailboxes/${id}/retry`)));
    const refused = mailboxIds.filter((_, i) => results[i].status === "rejected");
    if (!refused.length) return;
    const why = `${emails.get(refused[0]) ?? refused[0]}: ${results[mailboxIds.indexOf(refused[0])].reason.message}`;
    selected.clear();
    for (const id of refused) selected.add(id);
    drawBulk();
    loadPage();
    throw new Error(t("job.retry_partly", { done: mailboxIds.length - refused.length, refused: refused.length, reason: why }));
  }

  async function act(action) {
    const requests = {
      preflight: () => post(`/jobs/${jobId}/preflight`),
      sync_initial: () => post(`/jobs/${jobId}/sync`, { mode: "initial" }),
      sync_delta: () => post(`/jobs/${jobId}/sync`, { mode: "delta" }),
      sync_final: () => post(`/jobs/${jobId}/sync`, { mode: "final" }),
      verify: () => post(`/jobs/${jobId}/verify`),
      retry_failed: () => post(`/jobs/${jobId}/retry-failed`),
      retry_phase: () => post(`/jobs/${jobId}/retry-phase`, { reason: "" }),
      approve: () => post(`/jobs/${jobId}/approve-gate`, { evaluation_id: job.last_evaluation_id, comment: "" }),
      override: () => ask(t("action.override"), t("job.override_reason")).then((reason) => reason && post(`/jobs/${jobId}/override-gate`, { reason, evaluation_id: job.last_evaluation_id })),
      close: () => ask(t("action.close"), t("job.close_reason")).then((reason) => reason !== null && post(`/jobs/${jobId}/close`, { reason })),
    };
    try {
      const done = await requests[action]();
      if (done) toast(t("job.requested"));
    } catch (err) { toast(err instanceof ApiError ? `${err.message}` : String(err), true); }
  }

  replace(main, el.head, h("div", { class: "grid" }, el.progress, el.gate), el.phases,
    h("section", { class: "panel", id: "mailboxes-panel" }, h("h2", {}, t("job.mailboxes")), el.filters, el.bulk,
      h("div", { class: "table-wrap" }, h("table", { id: "mailboxes" }, h("thead", {}, el.head_row), el.body)), el.foot));
  await Promise.all([loadJob(), loadPage()]);

  follow(`/api/v1/migration/live/jobs/${jobId}`, {
    ready: (r) => { live.totals = r.totals; applyProgress(r.progress); loadJob(); loadPage(); },
    update: (u) => {
      if (u.totals) live.totals = u.totals;
      applyProgress(u.progress);
      if (u.changed.length) { loadJob(); loadPage(); } else if (u.totals && job) drawLiveTotals();
    },
  });

  function applyProgress(items) {
    for (const p of items || []) {
      const r = rows.get(p.mailbox_id);
      if (r) { setBar(r.bar, p.percent); r.pct.textContent = percent(p.percent); }
    }
  }

  function drawLiveTotals() {
    const totals = live.totals;
    if (!totals || totals.active === 0) return;
    setBar(document.getElementById("overall"), totals.percent);
    document.getElementById("overall-pct").textContent = percent(totals.percent);
    document.getElementById("rate").textContent = `${number(Math.round(totals.rate_messages))} ${t("job.msgs_per_s")}`;
    document.getElementById("eta").textContent = duration(totals.eta_seconds);
  }
}

function stat(label, value, id) {
  return h("div", {}, h("span", { class: "muted small" }, label), h("b", { id }, value));
}

function ask(title, label) {
  return new Promise((resolve) => {
    const reason = h("textarea", { id: "reason", required: true });
    const dialog = h("dialog", { id: "ask" });
    const close = (value) => { dialog.close(); dialog.remove(); resolve(value); };
    dialog.append(h("form", { method: "dialog", onsubmit: (e) => { e.preventDefault(); close(reason.value.trim()); } },
      h("h2", {}, title), h("label", { class: "field" }, label, reason),
      h("div", { class: "actions" }, h("button", { class: "btn", type: "submit" }, t("common.confirm")),
        h("button", { class: "btn ghost", type: "button", onclick: () => close(null) }, t("common.cancel")))));
    document.body.append(dialog);
    dialog.showModal();
  });
}
