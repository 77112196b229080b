import { ApiError, request } from "../api.js";
import { h, replace } from "../dom.js";
import { t } from "../i18n.js";

export async function render(main, ctx) {
  const email = h("input", { id: "email", name: "email", type: "email", autocomplete: "username", required: true });
  const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const error = h("p", { class: "error-text", role: "alert" });
  const submit = h("button", { class: "btn", type: "submit" }, t("login.submit"));
  const form = h("form", { onsubmit: async (e) => {
    e.preventDefault();
    submit.disabled = true;
    error.textContent = "";
    try {
      await request("POST", "/api/v1/auth/login", { json: { email: email.value, password: password.value } });
      await ctx.onLogin();
    } catch (err) {
      error.textContent = err instanceof ApiError && err.status === 401 ? t("login.wrong") : err.message;
    } finally { submit.disabled = false; }
  } },
    h("label", { class: "field" }, t("login.email"), email),
    h("label", { class: "field" }, t("login.password"), password),
    error, submit);
  replace(main, h("section", { class: "panel login" }, h("h1", {}, t("login.title")), h("p", { class: "sub" }, t("login.intro")), form));
  email.focus();
}
