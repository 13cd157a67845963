/** The extension's one setting, the server address, kept in the browser's synced storage. */
import { DEFAULT_SERVER } from "./client.js";

/** The WebExtension API: `browser` in Firefox, `chrome` in Chromium. */
export const ext = globalThis.browser ?? globalThis.chrome;

/** The server address the user chose, or the production server. */
export async function serverAddress() {
  const { server } = await ext.storage.sync.get("server");
  return server || DEFAULT_SERVER;
}

/** Check and store `address`; return it normalised, or throw an Error saying why not. */
export async function saveServerAddress(address) {
  let url;
  try {
    url = new URL(address.trim());
  } catch {
    throw new Error("That is not a web address. Type one such as https://www.extextcloud.com.");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error("The address must start with https:// "
      + "(or http:// for a server on this computer).");
  }
  const normalised = url.origin + url.pathname.replace(/\/+$/, "");
  await ext.storage.sync.set({ server: normalised });
  return normalised;
}
