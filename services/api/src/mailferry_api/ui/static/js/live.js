// Live updates over server-sent events. The browser reconnects by itself after a network error;
// when the server refused the stream (closed state), we open a new one after a growing delay.
// Every (re)connection starts with a "ready" event: the page re-reads what it shows.

import { get } from "./api.js";
import { t } from "./i18n.js";

let current = null;

function status(state) {
  const el = document.getElementById("live-status");
  el.dataset.state = state;
  el.textContent = state === "off" ? "" : t(`live.${state}`);
}

export function follow(url, { ready, update }) {
  stop();
  const handle = { closed: false, source: null, delay: 1000, timer: null };
  const open = () => {
    if (handle.closed) return;
    const source = (handle.source = new EventSource(url, { withCredentials: true }));
    source.addEventListener("ready", (e) => { handle.delay = 1000; status("live"); ready(JSON.parse(e.data)); });
    source.addEventListener("update", (e) => update(JSON.parse(e.data)));
    source.addEventListener("error", () => {
      status("reconnecting");
      if (source.readyState === EventSource.CLOSED && !handle.closed) {
        // Refused, not a network error: an expired session sends the page to the login form.
        get("/me").catch(() => {});
        handle.timer = setTimeout(open, handle.delay);
        handle.delay = Math.min(handle.delay * 2, 30000);
      }
    });
  };
  open();
  current = handle;
  return handle;
}

export function stop() {
  if (!current) return;
  current.closed = true;
  clearTimeout(current.timer);
  current.source?.close();
  current = null;
  status("off");
}
