// Pieces shared by several pages.

import { h } from "../dom.js";
import { number } from "../format.js";
import { t } from "../i18n.js";

export const PHASES = ["discovered", "preflight", "initial_sync", "delta_sync", "cutover_ready",
  "dns_cutover", "final_sync", "verified", "closed"];
export const GATES = ["blocked", "warning", "ready_for_dns"];
export const STATUSES = ["pending", "syncing", "ok", "error", "quarantine"];

export function select(id, label, options, value, onchange) {
  const el = h("select", { id, name: id, onchange },
    options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
  return h("label", { class: "field" }, label, el);
}

export function pager(page, total, limit, onpage) {
  const pages = Math.max(1, Math.ceil(total / limit));
  return h("div", { class: "pager" },
    h("span", { class: "muted small" }, t("common.page", { page: number(page + 1), pages: number(pages), total: number(total) })),
    h("button", { class: "btn ghost small", type: "button", disabled: page === 0, onclick: () => onpage(page - 1) }, t("common.prev")),
    h("button", { class: "btn ghost small", type: "button", disabled: page + 1 >= pages, onclick: () => onpage(page + 1) }, t("common.next")));
}

export function sortHeader(label, key, state, onsort, cls) {
  const sort = state.sort === key ? (state.order === "asc" ? "ascending" : "descending") : "none";
  return h("th", { "aria-sort": sort, class: cls, scope: "col" },
    h("button", { class: "sort", type: "button", dataset: { sort: key }, onclick: () => onsort(key) }, label));
}

export function field(label, input, hint) {
  return h("label", { class: "field" }, label, input, hint ? h("span", { class: "hint" }, hint) : null);
}
