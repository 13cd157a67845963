/**
 * The background worker: "Save selection to extextcloud" from any page.
 *
 * The context-menu entry and the keyboard command both save the page's
 * selected text at once, with the server's default expiry, and say the code
 * (or what went wrong) in a notification; the code joins the popup's list of
 * recent codes. Chromium runs this file as the service worker, Firefox as
 * its background script: the same module for both.
 */
import { ApiError, Client, explain } from "./client.js";
import { message, untilText } from "./i18n.js";
import { history } from "./recent.js";
import { ext, safeServerAddress } from "./settings.js";

export const MENU_ID = "save-selection";
export const COMMAND = "save-selection";
const ICON = "icons/icon128.png";

/** Add the context-menu entry; menus outlive the worker, so once per install or update. */
function createMenu() {
  ext.contextMenus.create(
    { id: MENU_ID, title: message("save_selection"), contexts: ["selection"] },
    () => {
      // Read lastError, or the browser logs it as unchecked; say it where a developer looks.
      if (ext.runtime.lastError) console.error("Menu not created:", ext.runtime.lastError.message);
    },
  );
}

/**
 * The selected text of the page this runs in, run inside the page.
 *
 * A selection inside a text field is not part of getSelection() in every
 * browser, so the focused field is asked first. Never a password field.
 */
function pageSelection() {
  const field = document.activeElement;
  if (field && (field.tagName === "TEXTAREA"
                || (field.tagName === "INPUT" && field.type !== "password"))
      && typeof field.selectionStart === "number") {
    return field.value.slice(field.selectionStart, field.selectionEnd);
  }
  return String(globalThis.getSelection() || "");
}

/** Read the selection of `tab` (the frame `frameId` only, or every frame); "" when none. */
async function readSelection(tab, frameId = null) {
  const target = frameId === null ? { tabId: tab.id, allFrames: true }
    : { tabId: tab.id, frameIds: [frameId] };
  const results = await ext.scripting.executeScript({ target, func: pageSelection });
  const found = results.map((result) => result.result).find((text) => text && text.trim());
  return found || "";
}

/** Show a notification; resolve to what it said, with its id. */
async function notify(title, message) {
  const id = await ext.notifications.create({ type: "basic", iconUrl: ICON, title, message });
  return { id, title, message };
}

/** Save `text` and notify the code, or why not; resolve to the notification. */
export async function saveText(text) {
  if (!text || !text.trim()) {
    return notify(message("notify_nothing_title"), message("notify_nothing"));
  }
  let client;
  try {
    client = new Client(await safeServerAddress());
    // No expiresIn: the server's default expiry (1 hour unless its operator changed it).
    const written = await client.write({ text });
    await history.add(written);
    return notify(message("notify_saved_title", written.code),
                  `${written.url}\n${message("expires", untilText(written.expires_at))}`);
  } catch (failure) {
    if (!(failure instanceof ApiError)) throw failure;
    return notify(message("notify_not_saved_title"),
                  explain(failure, { server: client && client.server }));
  }
}

/** The context menu's handler: the clicked frame's selection. */
export async function onMenuClicked(info, tab) {
  if (info.menuItemId !== MENU_ID) return null;
  let text = "";
  try {
    // The page's own selection keeps its line breaks; info.selectionText loses them.
    text = await readSelection(tab, info.frameId ?? 0);
  } catch {
    // A page no extension may script (the browser's own pages, the web store).
  }
  return saveText(text || info.selectionText || "");
}

/** The keyboard command's handler: the selection of the active tab, in any frame. */
export async function onCommand(command, tab) {
  if (command !== COMMAND) return null;
  let text;
  try {
    // Older browsers pass no tab with the command.
    const [active] = tab ? [tab] : await ext.tabs.query({ active: true, currentWindow: true });
    text = await readSelection(active);
  } catch {
    return notify(message("notify_not_saved_title"), message("notify_unreadable"));
  }
  return saveText(text);
}

ext.runtime.onInstalled.addListener(createMenu);
ext.contextMenus.onClicked.addListener(onMenuClicked);
ext.commands.onCommand.addListener(onCommand);
// A module's functions are not globals: the worker's console (and the tests) call them here.
globalThis.extextcloud = { onMenuClicked, onCommand, saveText };
