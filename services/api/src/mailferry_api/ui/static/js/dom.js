// Building DOM without innerHTML: text is always text, so nothing from the API can inject markup.

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function bar(percent, big = false) {
  const fill = h("span");
  const el = h("div", { class: big ? "bar big" : "bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100" }, fill);
  setBar(el, percent);
  return el;
}

export function setBar(el, percent) {
  const value = Math.max(0, Math.min(100, Number(percent) || 0));
  el.firstChild.style.width = `${value}%`;  // CSSOM, allowed by the CSP (no inline style attribute)
  el.setAttribute("aria-valuenow", value.toFixed(1));
  el.classList.toggle("done", value >= 100);
}

export function badge(value, label) {
  return h("span", { class: `badge ${value || ""}`, dataset: { value: value || "" } }, label ?? value ?? "—");
}

export function toast(message, bad = false) {
  const el = h("div", { class: bad ? "toast bad" : "toast", role: bad ? "alert" : "status" }, message);
  document.getElementById("toasts").append(el);
  setTimeout(() => el.remove(), bad ? 8000 : 4000);
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}
