// English and Brazilian Portuguese. The language follows the browser until the user picks one.

const SUPPORTED = ["en", "pt-BR"];
const KEY = "mailferry.lang";
let strings = {};
let fallback = {};
export let lang = "en";

export function pick(preferred, saved) {
  if (saved && SUPPORTED.includes(saved)) return saved;
  for (const tag of preferred || []) {
    const exact = SUPPORTED.find((s) => s.toLowerCase() === tag.toLowerCase());
    if (exact) return exact;
    const base = tag.split("-")[0].toLowerCase();
    const near = SUPPORTED.find((s) => s.split("-")[0].toLowerCase() === base);
    if (near) return near;
  }
  return "en";
}

async function load(code) {
  const response = await fetch(`/ui/i18n/${code}.json`, { credentials: "same-origin" });
  return response.json();
}

export async function init() {
  fallback = await load("en");
  await use(pick(navigator.languages, localStorage.getItem(KEY)), false);
}

export async function use(code, persist = true) {
  lang = SUPPORTED.includes(code) ? code : "en";
  strings = lang === "en" ? fallback : await load(lang);
  document.documentElement.lang = lang;
  if (persist) localStorage.setItem(KEY, lang);
}

export function t(key, vars = {}) {
  const text = strings[key] ?? fallback[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (vars[name] ?? `{${name}}`));
}

export function has(key) { return key in strings || key in fallback; }
