// The API client: same origin, the session cookie does the authentication.

export const API = "/api/v1/migration";

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error || "http_error";
    this.details = body?.details;
  }
}

let onUnauthenticated = () => {};
export function whenUnauthenticated(fn) { onUnauthenticated = fn; }

export async function request(method, path, { json, body, query, headers } = {}) {
  const url = new URL(path.startsWith("/api/") ? path : API + path, location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v);
  }
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json", ...headers } };
  if (json !== undefined) { init.body = JSON.stringify(json); init.headers["Content-Type"] = "application/json"; }
  else if (body !== undefined) init.body = body;
  const response = await fetch(url, init);
  if (response.status === 204) return null;
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json() : await response.text();
  if (response.status === 401 && !path.endsWith("/auth/login")) onUnauthenticated();
  if (!response.ok) throw new ApiError(response.status, typeof data === "object" ? data : { message: data });
  return data;
}

export const get = (path, query) => request("GET", path, { query });
export const post = (path, json, query) => request("POST", path, { json, query });
