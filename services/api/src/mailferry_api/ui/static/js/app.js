// Bootstrap and hash routing: #/jobs, #/jobs/new, #/jobs/<id>, #/mailboxes/<id>, #/audit, #/login.

import { get, request, whenUnauthenticated } from "./api.js";
import { h, replace } from "./dom.js";
import * as i18n from "./i18n.js";
import { t } from "./i18n.js";
import { stop as stopLive } from "./live.js";
import * as audit from "./views/audit.js";
import * as job from "./views/job.js";
import * as jobs from "./views/jobs.js";
import * as login from "./views/login.js";
import * as mailbox from "./views/mailbox.js";
import * as newJob from "./views/new_job.js";

const routes = [
  [/^#\/login$/, login, false],
  [/^#\/jobs\/new$/, newJob, true],
  [/^#\/jobs\/([0-9a-f-]{36})$/, job, true],
  [/^#\/mailboxes\/([0-9a-f-]{36})$/, mailbox, true],
  [/^#\/audit$/, audit, true],
  [/^#\/jobs$/, jobs, true],
];

const ctx = {
  me: null,
  can(permission) { return Boolean(this.me?.permissions.includes(permission)); },
  go(hash) { if (location.hash === hash) route(); else location.hash = hash; },
};

async function loadMe() {
  try { ctx.me = await get("/me"); } catch { ctx.me = null; }
}

function renderChrome() {
  const nav = document.getElementById("nav");
  const here = location.hash.split("/").slice(0, 2).join("/");
  const link = (hash, key) => h("a", { href: hash, "aria-current": here === hash ? "page" : null }, t(key));
  replace(nav, ctx.me ? [link("#/jobs", "nav.jobs"), ctx.can("write") ? link("#/jobs/new", "nav.new") : null,
    ctx.can("read_audit") ? link("#/audit", "nav.audit") : null] : []);
  document.getElementById("who").textContent = ctx.me ? `${ctx.me.user} · ${t(`role.${ctx.me.role}`)}` : "";
  const logout = document.getElementById("logout");
  logout.hidden = !ctx.me;
  logout.textContent = t("nav.logout");
}

let cleanup = null;

async function route() {
  const hash = location.hash || "#/jobs";
  const [pattern, view, needsLogin] = routes.find(([re]) => re.test(hash)) || routes[routes.length - 1];
  if (needsLogin && !ctx.me) { ctx.go("#/login"); return; }
  if (typeof cleanup === "function") cleanup();
  stopLive();
  renderChrome();
  const main = document.getElementById("main");
  const params = hash.match(pattern)?.slice(1) || [];
  replace(main, h("p", { class: "loading" }, t("common.loading")));
  try {
    cleanup = await view.render(main, ctx, ...params);
  } catch (err) {
    replace(main, h("div", { class: "panel" }, h("h1", {}, t("common.error")), h("p", { class: "error-text" }, err.message)));
  }
  document.title = `${main.querySelector("h1")?.textContent || ""} · mailferry`;
}

async function start() {
  await i18n.init();
  const select = document.getElementById("lang");
  select.value = i18n.lang;
  select.addEventListener("change", async () => { await i18n.use(select.value); route(); });
  document.getElementById("logout").addEventListener("click", async () => {
    try { await request("POST", "/api/v1/auth/logout"); } catch { /* the session may be gone already */ }
    ctx.me = null;
    ctx.go("#/login");
  });
  whenUnauthenticated(() => { ctx.me = null; if (location.hash !== "#/login") ctx.go("#/login"); });
  ctx.onLogin = async () => { await loadMe(); ctx.go("#/jobs"); };
  await loadMe();
  window.addEventListener("hashchange", route);
  route();
}

start();
