/** The extension's one setting, the server address, kept in the browser's synced storage. */
import { ApiError, DEFAULT_SERVER } from "./client.js";
import { message } from "./i18n.js";

/** The WebExtension API: `browser` in Firefox, `chrome` in Chromium. */
export const ext = globalThis.browser ?? globalThis.chrome;

// Plain http:// is allowed for this computer only: nothing it sends leaves the machine.
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** The server address the user chose, or the production server. */
export async function serverAddress() {
  const { server } = await ext.storage.sync.get("server");
  return server || DEFAULT_SERVER;
}

/**
 * Say why the server at `address` must not be used, or return "" when it may.
 *
 * An address stored by an older version may be one that is refused now, so
 * the popup asks this before every request, not only the options page.
 */
export function refusal(address) {
  let url;
  try {
    url = new URL(address.trim());
  } catch {
    return message("server_not_address");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return message("server_bad_scheme");
  }
  if (url.protocol === "http:" && !LOOPBACK_HOSTS.has(url.hostname)) {
    return message("server_http_refused", url.host);
  }
  return "";
}

/** The server address to send to; throws an ApiError saying why when it must not be used. */
export async function safeServerAddress() {
  const address = await serverAddress();
  const problem = refusal(address);
  if (problem) throw new ApiError(0, "refused_server", problem);
  return address;
}

/** Check and store `address`; return it normalised, or throw an Error saying why not. */
export async function saveServerAddress(address) {
  const problem = refusal(address);
  if (problem) throw new Error(problem);
  const url = new URL(address.trim());
  const normalised = url.origin + url.pathname.replace(/\/+$/, "");
  await ext.storage.sync.set({ server: normalised });
  return normalised;
}
