// Error classes explained in plain words, with what to do (texts in the i18n files).

import { t, has } from "./i18n.js";

export function explain(errorClass) {
  if (!errorClass) return null;
  const known = has(`err.${errorClass}.what`) ? errorClass : "internal";
  return { what: t(`err.${known}.what`), todo: t(`err.${known}.todo`) };
}
