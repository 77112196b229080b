import { lang } from "./i18n.js";

export const number = (n) => (n === null || n === undefined ? "—" : new Intl.NumberFormat(lang).format(n));
export const percent = (p) => (p === null || p === undefined ? "—" : `${new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(p)} %`);
export const when = (iso) => (iso ? new Intl.DateTimeFormat(lang, { dateStyle: "short", timeStyle: "medium" }).format(new Date(iso)) : "—");

export function duration(seconds) {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) return "—";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h ? `${h} h ${m} min` : m ? `${m} min ${r} s` : `${r} s`;
}

export function bytes(n) {
  if (n === null || n === undefined) return "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(v)} ${units[i]}`;
}
