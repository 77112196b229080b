// The mailbox page: status and live progress, the error in plain words, per-folder
// verification with deficits highlighted, the runs, and the log (tail, follow, search, download).

import { API, ApiError, get } from "../api.js";
import { badge, bar, debounce, h, replace, setBar } from "../dom.js";
import { explain } from "../errors.js";
import { bytes, duration, number, percent, when } from "../format.js";
import { t } from "../i18n.js";
import { follow } from "../live.js";

const TAIL = 500;

export async function render(main, ctx, mailboxId) {
  let m = await get(`/mailboxes/${mailboxId}`);
  const head = h("div", { class: "page-head" });
  const overview = h("section", { class: "panel", id: "overview" });
  const verification = h("section", { class: "panel", id: "verification" });
  const runs = h("section", { class: "panel", id: "runs" });
  const log = logViewer(mailboxId);

  async function reload() {
    m = await get(`/mailboxes/${mailboxId}`);
    drawHead(); drawOverview(); drawVerification(); await drawRuns();
  }
  function drawHead() {
    replace(head, h("div", {}, h("p", { class: "sub" }, h("a", { href: `#/jobs/${m.job_id}` }, t("mb.back"))),
      h("h1", {}, m.source_email), h("p", { class: "sub row" }, "→ ", m.target_email, badge(m.status, t(`status.${m.status}`)))));
  }
  const progress = bar(m.sync_percent, true);
  const pct = h("span", { class: "pct", id: "mailbox-pct" }, percent(Number(m.sync_percent)));
  function drawOverview() {
    setBar(progress, m.sync_percent);
    pct.textContent = percent(Number(m.sync_percent));
    const why = explain(m.last_error_class);
    replace(overview, h("h2", {}, t("mb.overview")), h("div", { class: "progress-cell" }, progress, pct),
      why ? h("div", { class: "explain", id: "explain", role: "note" }, h("p", {}, h("strong", {}, m.last_error_class), ": ", why.what),
        h("p", {}, h("strong", {}, t("mb.todo")), " ", why.todo), m.last_error_message ? h("p", { class: "small mono" }, m.last_error_message) : null) : null,
      h("dl", { class: "facts" },
        h("dt", {}, t("mb.source_type")), h("dd", {}, m.source_type),
        h("dt", {}, t("mb.login")), h("dd", {}, `${m.source_user} → ${m.target_user}`),
        h("dt", {}, t("job.messages")), h("dd", {}, `${number(m.messages_dest)} / ${number(m.messages_source)}`),
        h("dt", {}, t("mb.size")), h("dd", {}, `${bytes(m.bytes_dest)} / ${bytes(m.bytes_source)}`),
        h("dt", {}, t("mb.last_run")), h("dd", {}, m.last_run_type ? `${t(`runtype.${m.last_run_type}`)}: ${t(`run.${m.last_run_status}`)}` : "—"),
        h("dt", {}, t("mb.verified_at")), h("dd", {}, when(m.verified_at)),
        m.dead_letter ? [h("dt", {}, t("mb.dead_letter")), h("dd", { class: "error-text" }, m.dead_letter.reason)] : null));
  }
  function drawVerification() {
    const folders = m.verification?.folders || [];
    replace(verification, h("h2", {}, t("mb.verification")), folders.length ? h("div", { class: "table-wrap" }, h("table", { id: "folders" },
      h("thead", {}, h("tr", {}, [t("mb.folder"), t("mb.from"), t("mb.at_source"), t("mb.at_destination"), t("mb.missing")].map((x, i) => h("th", { class: i >= 2 ? "num" : null }, x)))),
      h("tbody", {}, folders.map((f) => {
        const missing = f.source_messages - f.destination_messages;
        return h("tr", { class: missing > 0 ? "deficit" : null }, h("td", {}, f.destination_folder), h("td", { class: "small" }, f.source_folders.join(", ")),
          h("td", { class: "num" }, number(f.source_messages)), h("td", { class: "num" }, number(f.destination_messages)), h("td", { class: "num" }, missing > 0 ? number(missing) : "0"));
      })))) : h("p", { class: "muted" }, t("mb.not_verified")));
  }
  async function drawRuns() {
    const page = await get(`/mailboxes/${mailboxId}/runs`, { limit: 50 });
    replace(runs, h("h2", {}, t("mb.runs")), page.items.length ? h("div", { class: "table-wrap" }, h("table", { id: "runs-table" },
      h("thead", {}, h("tr", {}, [t("mb.run"), t("job.status"), t("mb.tool"), t("mb.started"), t("mb.duration"), t("mb.transferred"), t("mb.skipped"), t("mb.errors"), t("mb.by")].map((x) => h("th", {}, x)))),
      h("tbody", {}, page.items.map((r) => h("tr", {},
        h("td", {}, t(`runtype.${r.run_type}`)), h("td", {}, badge(r.status, t(`run.${r.status}`)), r.error_class ? h("div", { class: "small error-text" }, r.error_class) : null),
        h("td", {}, r.tool || "—"), h("td", { class: "small" }, when(r.started_at || r.queued_at)), h("td", {}, duration(r.duration_seconds)),
        h("td", { class: "num" }, number(r.stats?.transferred)), h("td", { class: "num" }, number(r.stats?.skipped)), h("td", { class: "num" }, number(r.stats?.errors)),
        h("td", { class: "small" }, r.triggered_by || "—")))))) : h("p", { class: "muted" }, t("mb.no_runs")));
    await log.load(page.items[0]?.id);
  }

  replace(main, head, h("div", { class: "grid" }, overview, verification), runs, log.panel);
  drawHead(); drawOverview(); drawVerification(); await drawRuns();

  follow(`${API}/live/jobs/${m.job_id}`, {
    ready: () => reload(),
    update: (u) => {
      const mine = (u.progress || []).filter((p) => p.mailbox_id === mailboxId).pop();
      if (mine) { setBar(progress, mine.percent); pct.textContent = percent(mine.percent); }
      if (u.changed.length) reload();
    },
  });
  return () => log.stop();
}

function logViewer(mailboxId) {
  const pre = h("pre", { class: "log", id: "log", tabindex: "0", "aria-label": t("mb.log") });
  const search = h("input", { type: "search", id: "log-search", placeholder: t("mb.log_search"), "aria-label": t("mb.log_search") });
  const followBox = h("input", { type: "checkbox", id: "log-follow" });
  const state = { lines: [], source: null, run: null };
  const download = h("a", { class: "btn ghost small", id: "log-download", href: "#", download: "" }, t("mb.download"));
  const info = h("span", { class: "muted small", id: "log-info" });

  function draw() {
    const needle = search.value.trim().toLowerCase();
    const shown = needle ? state.lines.filter((l) => l.toLowerCase().includes(needle)) : state.lines;
    replace(pre, shown.map((line) => highlighted(line, needle)));
    info.textContent = needle ? t("mb.log_matches", { count: shown.length, total: state.lines.length }) : t("mb.log_lines", { count: state.lines.length });
    if (followBox.checked && !needle) pre.scrollTop = pre.scrollHeight;
  }
  search.addEventListener("input", debounce(draw, 150));
  followBox.addEventListener("change", () => (followBox.checked ? start() : stop()));

  function start() {
    stop();
    const query = new URLSearchParams({ follow: "true", lines: String(TAIL) });
    if (state.run) query.set("run_id", state.run);
    state.lines = [];
    const source = (state.source = new EventSource(`${API}/mailboxes/${mailboxId}/logs?${query}`, { withCredentials: true }));
    source.addEventListener("lines", (e) => { state.lines.push(...e.data.split("\n")); draw(); });
    source.addEventListener("end", () => { source.close(); followBox.checked = false; info.textContent += ` · ${t("mb.log_end")}`; });
  }
  function stop() { state.source?.close(); state.source = null; }

  async function load(run) {
    state.run = run || null;
    download.href = `${API}/mailboxes/${mailboxId}/logs?download=true${run ? `&run_id=${run}` : ""}`;
    download.hidden = !run;
    if (!run) { state.lines = []; replace(pre, t("mb.no_log")); return; }
    if (state.source) return;
    try {
      const tail = await get(`/mailboxes/${mailboxId}/logs`, { lines: TAIL, run_id: run });
      state.lines = tail.lines;
      draw();
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) replace(pre, t("mb.no_log")); else throw err;
    }
  }

  const panel = h("section", { class: "panel", id: "log-panel" }, h("h2", {}, t("mb.log")),
    h("div", { class: "row" }, search, h("label", { class: "row small" }, followBox, t("mb.follow")), info, h("span", { class: "spacer" }), download), pre);
  return { panel, load, stop };
}

function highlighted(line, needle) {
  const div = document.createElement("div");
  if (!needle) { div.textContent = line; return div; }
  const lower = line.toLowerCase();
  let at = 0;
  for (let i = lower.indexOf(needle); i !== -1; i = lower.indexOf(needle, at)) {
    div.append(line.slice(at, i), h("mark", {}, line.slice(i, i + needle.length)));
    at = i + needle.length;
  }
  div.append(line.slice(at));
  return div;
}
