/**
 * The one client of the extextcloud API and the Write/Load screens built on it.
 *
 * Shared as one file, never copied: the extension popup loads it as
 * `client.js`, the web page as `/static/client.js` (Flask in development,
 * Apache in production serve this very file). The screens live here too,
 * since this is the only file both can load: the popup and the page are thin
 * shells that call `mountScreens` with their own server and history. Every
 * sentence comes from i18n.js, in the reader's language.
 */
import { amount, message, number, parts, soon, untilText } from "./i18n.js";

export const DEFAULT_SERVER = "https://www.extextcloud.com";
const MAX_TEXT_BYTES = 102400;
const EXPIRY_CHOICES = [
  { seconds: 600, value: 10, unit: "minute" },
  { seconds: 3600, value: 1, unit: "hour" },
  { seconds: 86400, value: 1, unit: "day" },
  { seconds: 7 * 86400, value: 1, unit: "week" },
  { seconds: 30 * 86400, value: 30, unit: "day" },
];
const DEFAULT_EXPIRY = 3600;
const CODE_PATTERN = /^[a-zA-Z]{4}$/;
const HISTORY_SIZE = 10;
const MAX_REASON_CHARS = 200; // the server's limit on a report's reason

/** A failure the user should read: an API error, or the server out of reach. */
export class ApiError extends Error {
  constructor(status, error, message, retryAfter = null) {
    super(message);
    this.status = status;
    this.error = error;
    this.retryAfter = retryAfter;
  }
}

/** Talks to one extextcloud server. */
export class Client {
  constructor(server) {
    this.server = server.replace(/\/+$/, "");
  }

  /** Store a text; resolve to {code, expires_at, delete_token, url}. */
  write({ text, expiresIn, password, burn }) {
    return this.request("/api/v1/texts", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        text, expires_in: expiresIn, password: password || null, max_views: burn ? 1 : null,
      }),
    });
  }

  /** Read a text; resolve to {code, text, created_at, expires_at, views_left}. */
  read(code, password) {
    // Browsers send only Latin-1 header values; the server percent-decodes.
    const headers = password ? { "X-Password": encodeURIComponent(password) } : {};
    return this.request(`/api/v1/texts/${encodeURIComponent(code)}`, { headers });
  }

  /** Report a text to the site's operator, saying what is wrong; resolve to {code, reported}. */
  report(code, reason) {
    return this.request(`/api/v1/texts/${encodeURIComponent(code)}/report`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ reason }),
    });
  }

  /** The address of the server's QR code of a code's URL (an SVG drawn by the server). */
  qrAddress(code) {
    return `${this.server}/qr/${encodeURIComponent(code)}.svg`;
  }

  async request(path, options) {
    let response;
    try {
      response = await fetch(this.server + path, { ...options, cache: "no-store" });
    } catch {
      throw new ApiError(0, "unreachable", "The server could not be reached.");
    }
    const body = await response.json().catch(() => ({}));
    if (response.ok) return body;
    const retryAfter = Number.parseInt(response.headers.get("Retry-After"), 10);
    throw new ApiError(response.status, body.error || "http_error", body.message || "",
                       Number.isNaN(retryAfter) ? null : retryAfter);
  }
}

/**
 * Say in a plain sentence, in the reader's language, what went wrong and what to do about it.
 *
 * By the API's `error` code: its `message` is English and for programs.
 */
export function explain(failure, { code = "", server = "" } = {}) {
  const wait = failure.retryAfter ? soon(failure.retryAfter) : message("wait_a_while");
  const sentences = {
    unreachable: () => message("error_unreachable", new URL(server).host),
    password_required: () => message("error_password_required"),
    wrong_password: () => message("error_wrong_password"),
    not_found: () => message("error_not_found", code),
    expired: () => message("error_expired", code),
    erased: () => message("error_erased", code),
    reported: () => message("error_reported", code),
    locked: () => message("error_locked", code, wait),
    rate_limited: () => message("error_rate_limited", wait),
    busy: () => message("error_busy", wait),
    too_large: () => message("error_too_large"),
    pool_exhausted: () => message("error_pool_exhausted"),
    database_unavailable: () => message("error_database_unavailable"),
    // The server's sentence is the only place that names the field; it stays English.
    invalid_input: () => message("error_invalid_input", failure.message),
    // Raised before sending (the extension's settings): the message says why, translated.
    refused_server: () => failure.message,
  };
  const sentence = sentences[failure.error];
  return sentence ? sentence() : message("error_http", failure.status);
}

/** The size of a text as the server counts it: UTF-8 bytes. */
function byteLength(text) {
  return new TextEncoder().encode(text).length;
}

/** A history of the codes this browser wrote, kept in a `load()`/`save(list)` store. */
export class History {
  constructor(store) {
    this.store = store;
  }

  /** The codes not yet expired, newest first. */
  async list(now = Date.now()) {
    const entries = (await this.store.load()) || [];
    return entries.filter((entry) => new Date(entry.expires_at).getTime() > now);
  }

  async add(written) {
    const kept = (await this.list()).filter((entry) => entry.code !== written.code);
    const entry = { code: written.code, expires_at: written.expires_at };
    await this.store.save([entry, ...kept].slice(0, HISTORY_SIZE));
  }
}

/** Build an element: h("p", {className: "x", attrs: {role: "alert"}}, "text", child). */
function h(tag, { attrs = {}, dataset = {}, ...properties } = {}, ...children) {
  const element = Object.assign(document.createElement(tag), properties);
  Object.assign(element.dataset, dataset);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
  element.append(...children.filter((child) => child !== null && child !== undefined));
  return element;
}

function field(id, label, control, hint = null) {
  control.id = id;
  const parts = [h("label", { htmlFor: id }, label), control];
  if (hint) {
    hint.id = `${id}-hint`;
    control.setAttribute("aria-describedby", hint.id);
    parts.push(hint);
  }
  return h("div", { className: "field" }, ...parts);
}

/** Copy `text` and confirm on `button`; the confirmation is spoken by its live region. */
async function copy(text, button, status) {
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = message("copied");
    button.textContent = message("copied_button");
  } catch {
    status.textContent = message("copy_failed");
  }
}

/**
 * Render the Write and Load tabs and the list of recent codes into `root`.
 *
 * `connect()` resolves to a Client (the popup reads its server from storage
 * each time); `history` is a History; `autofocus` puts the cursor in the text;
 * `report` is a code whose report form opens at once in the Load tab (the
 * page at /<code> links to the web page with it).
 */
export function mountScreens(root, { connect, history, autofocus = false, report = null }) {
  adoptStyle();
  const tabs = h("div", { className: "tabs",
                          attrs: { role: "tablist", "aria-label": message("tabs_label") } });
  const panels = [writePanel(connect, history), loadPanel(connect)];
  const buttons = panels.map((panel, index) => h("button", {
    type: "button", id: `tab-${panel.dataset.name}`, className: "tab",
    attrs: { role: "tab", "aria-controls": panel.id, "aria-selected": String(index === 0) },
    tabIndex: index === 0 ? 0 : -1,
  }, panel.dataset.title));
  const select = (index, focus) => {
    buttons.forEach((button, at) => {
      button.setAttribute("aria-selected", String(at === index));
      button.tabIndex = at === index ? 0 : -1;
      panels[at].hidden = at !== index;
    });
    if (focus) buttons[index].focus();
  };
  buttons.forEach((button, index) => {
    panels[index].setAttribute("aria-labelledby", button.id);
    button.addEventListener("click", () => select(index, false));
    // Arrow keys move between tabs, as the ARIA tabs pattern expects.
    button.addEventListener("keydown", (event) => {
      const last = buttons.length - 1;
      const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: last };
      if (event.key in moves) {
        event.preventDefault();
        select((moves[event.key] + buttons.length) % buttons.length, true);
      }
    });
  });
  tabs.append(...buttons);
  root.append(tabs, ...panels);
  if (report && CODE_PATTERN.test(report)) {
    select(1, false);
    panels[1].openReport(report);
  } else {
    select(0, false);
    if (autofocus) root.querySelector("textarea").focus();
  }
}

/** Give the document the look of the screens (colours, fields, buttons). */
export function adoptStyle() {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(SCREEN_STYLE);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

function panel(name, title) {
  return h("section", {
    id: `panel-${name}`, className: "panel", attrs: { role: "tabpanel" },
    dataset: { name, title },
  });
}

/** A status line that screen readers announce; errors as alerts. */
function statusLine() {
  const line = h("p", { className: "status", attrs: { role: "status" } });
  line.show = (message, isError = false) => {
    line.textContent = message;
    line.classList.toggle("error", isError);
    line.setAttribute("role", isError ? "alert" : "status");
  };
  return line;
}

function writePanel(connect, history) {
  const section = panel("write", message("tab_write"));
  const text = h("textarea", { name: "text", rows: 6, required: true,
                               placeholder: message("write_placeholder") });
  const counter = h("p", { className: "counter" });
  const expiry = h("select", { name: "expires_in" }, ...EXPIRY_CHOICES.map(
    // defaultSelected, so "Write another" (a form reset) comes back to the default.
    (choice) => h("option",
                  { value: choice.seconds, defaultSelected: choice.seconds === DEFAULT_EXPIRY },
                  amount(choice.value, choice.unit))));
  const password = h("input", { type: "password", name: "password", autocomplete: "new-password" });
  const burn = h("input", { type: "checkbox", name: "burn", id: "write-burn" });
  const submit = h("button", { type: "submit", className: "primary" }, message("write_submit"));
  const status = statusLine();
  const form = h("form", { className: "form", noValidate: true },
    field("write-text", message("write_text"), text, counter),
    h("div", { className: "row" },
      field("write-expiry", message("write_expiry"), expiry),
      field("write-password", message("write_password"), password)),
    h("div", { className: "check" }, burn,
      h("label", { htmlFor: "write-burn" }, message("write_burn"))),
    submit, status);
  const result = h("div", { className: "result", hidden: true });
  const recent = h("ul", { className: "recent-list" });
  const recentBox = h("section",
    { className: "recent", attrs: { "aria-labelledby": "recent-title" } },
    h("h2", { id: "recent-title" }, message("recent_title")), recent);

  const countBytes = () => {
    const size = byteLength(text.value);
    counter.textContent = message("byte_count", number(size), number(MAX_TEXT_BYTES));
    counter.classList.toggle("over", size > MAX_TEXT_BYTES);
    return size;
  };
  const showRecent = async () => {
    const entries = await history.list();
    recentBox.hidden = entries.length === 0;
    recent.replaceChildren(...entries.map((entry) => h("li", {},
      h("span", { className: "recent-code" }, entry.code),
      h("span", { className: "recent-expiry" },
        message("recent_expires", untilText(entry.expires_at))))));
  };
  text.addEventListener("input", countBytes);
  // Ctrl+Enter sends from inside the text, since Enter there is a new line.
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const size = countBytes();
    const problem = size === 0 ? message("write_empty")
      : size > MAX_TEXT_BYTES ? message("write_too_large", number(size), number(MAX_TEXT_BYTES))
        : "";
    text.setAttribute("aria-invalid", String(Boolean(problem)));
    if (problem) {
      status.show(problem, true);
      text.focus();
      return;
    }
    submit.disabled = true;
    status.show(message("saving"));
    let client;
    try {
      client = await connect();
      const written = await client.write({ text: text.value, expiresIn: Number(expiry.value),
                                           password: password.value, burn: burn.checked });
      await history.add(written);
      status.show("");
      form.hidden = true;
      showWritten(result, written, client.qrAddress(written.code), burn.checked, () => {
        form.reset();
        countBytes();
        result.hidden = true;
        form.hidden = false;
        text.focus();
      });
      showRecent();
    } catch (failure) {
      if (!(failure instanceof ApiError)) throw failure;
      status.show(explain(failure, { server: client && client.server }), true);
    } finally {
      submit.disabled = false;
    }
  });
  countBytes();
  showRecent();
  section.append(form, result, recentBox);
  return section;
}

function showWritten(result, written, qrAddress, burned, again) {
  const copyStatus = h("p", { className: "status", attrs: { role: "status" } });
  const copyButton = h("button", { type: "button", className: "primary" }, message("copy_code"));
  copyButton.addEventListener("click", () => copy(written.code, copyButton, copyStatus));
  const anotherButton = h("button", { type: "button" }, message("write_another"));
  anotherButton.addEventListener("click", again);
  result.replaceChildren(
    h("h2", {}, message("your_code")),
    h("p", { className: "code" }, written.code),
    h("div", { className: "actions" }, copyButton, anotherButton),
    copyStatus,
    h("p", { className: "meta" }, message("expires", untilText(written.expires_at))),
    burned ? h("p", { className: "meta" }, message("read_once")) : null,
    qrFigure(written.url, qrAddress));
  result.hidden = false;
  copyButton.focus();
}

/**
 * The QR code of a text's URL with the URL as its caption: a phone's camera opens it.
 *
 * The server draws it (dark modules on a white tile, dark mode or not). A
 * server too old to draw one loses only the picture, never the link.
 */
function qrFigure(url, address) {
  const picture = h("img", { src: address, className: "qr-code", width: 200, height: 200,
                             alt: message("qr_alt", url) });
  const tile = h("div", { className: "qr-tile" }, picture);
  picture.addEventListener("error", () => { tile.hidden = true; });
  return h("figure", { className: "qr" }, tile,
    h("figcaption", { className: "meta" }, ...parts("qr_caption",
      h("a", { href: url, target: "_blank", rel: "noreferrer" }, url))));
}

function loadPanel(connect) {
  const section = panel("load", message("tab_load"));
  const code = h("input", { type: "text", name: "code", required: true, maxLength: 4,
                            autocomplete: "off", spellcheck: false, className: "code-input",
                            attrs: { autocapitalize: "off", pattern: "[a-zA-Z]{4}" } });
  const hint = h("p", { className: "hint" }, message("load_code_hint"));
  const password = h("input", { type: "password", name: "password", autocomplete: "off" });
  const submit = h("button", { type: "submit", className: "primary" }, message("load_submit"));
  const status = statusLine();
  const form = h("form", { className: "form", noValidate: true },
    h("div", { className: "row" }, field("load-code", message("load_code"), code, hint),
      field("load-password", message("load_password"), password)),
    submit, status);
  const result = h("div", { className: "result", hidden: true });
  const reportBox = h("div", { className: "report-box", hidden: true });
  // Open the report form for `reported`; closing it gives the focus back to `opener`.
  const openReport = (reported, opener = null) => {
    const close = () => {
      reportBox.hidden = true;
      reportBox.replaceChildren();
      (opener || code).focus();
    };
    code.value = code.value || reported;
    reportBox.replaceChildren(reportForm(connect, reported, close));
    reportBox.hidden = false;
    reportBox.querySelector("input").focus();
  };
  section.openReport = openReport;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    reportBox.hidden = true;
    const wanted = code.value.trim();
    const valid = CODE_PATTERN.test(wanted);
    code.setAttribute("aria-invalid", String(!valid));
    if (!valid) {
      status.show(message("load_invalid_code"), true);
      code.focus();
      return;
    }
    submit.disabled = true;
    result.hidden = true;
    status.show(message("loading"));
    let client;
    try {
      client = await connect();
      showLoaded(result, await client.read(wanted, password.value), openReport);
      status.show("");
    } catch (failure) {
      if (!(failure instanceof ApiError)) throw failure;
      status.show(explain(failure, { code: wanted, server: client && client.server }), true);
      (failure.error === "password_required" || failure.error === "wrong_password"
        ? password : code).focus();
    } finally {
      submit.disabled = false;
    }
  });
  section.append(form, result, reportBox);
  return section;
}

function showLoaded(result, loaded, openReport) {
  const text = h("textarea", { readOnly: true, rows: 6, value: loaded.text });
  const copyStatus = h("p", { className: "status", attrs: { role: "status" } });
  const copyButton = h("button", { type: "button", className: "primary" }, message("copy_text"));
  copyButton.addEventListener("click", () => copy(loaded.text, copyButton, copyStatus));
  const reportButton = h("button", { type: "button", className: "link" },
                         message("report_button"));
  reportButton.addEventListener("click", () => openReport(loaded.code, reportButton));
  const views = loaded.views_left === null ? null
    : loaded.views_left === 0 ? message("views_last")
      : message("views_left", number(loaded.views_left));
  result.replaceChildren(
    h("h2", {}, ...parts("loaded_heading", h("span", { className: "code-inline" }, loaded.code))),
    field("loaded-text", message("loaded_text"), text),
    h("div", { className: "actions" }, copyButton),
    copyStatus,
    h("p", { className: "meta" }, message("expires", untilText(loaded.expires_at))),
    views && h("p", { className: "meta" }, views),
    h("p", { className: "meta" }, ...parts("report_prompt", reportButton)));
  result.hidden = false;
  text.focus();
}

/** The form that tells the site's operator what is wrong with the text `code`. */
function reportForm(connect, code, close) {
  const reason = h("input", { type: "text", name: "reason", required: true,
                              maxLength: MAX_REASON_CHARS, autocomplete: "off" });
  const hint = h("p", { className: "hint" },
                 message("report_reason_hint", number(MAX_REASON_CHARS)));
  const reasonField = field("report-reason", message("report_reason"), reason, hint);
  const submit = h("button", { type: "submit", className: "primary" }, message("report_send"));
  const cancel = h("button", { type: "button" }, message("report_cancel"));
  cancel.addEventListener("click", close);
  const actions = h("div", { className: "actions" }, submit, cancel);
  const status = statusLine();
  const form = h("form", { className: "form", noValidate: true },
    h("h2", {}, ...parts("report_heading", h("span", { className: "code-inline" }, code))),
    reasonField, actions, status);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const said = reason.value.trim();
    reason.setAttribute("aria-invalid", String(!said));
    if (!said) {
      status.show(message("report_empty"), true);
      reason.focus();
      return;
    }
    submit.disabled = true;
    status.show(message("sending"));
    let client;
    try {
      client = await connect();
      await client.report(code, said);
      // The same live region says thank you, so screen readers announce it.
      reasonField.hidden = true;
      actions.hidden = true;
      status.show(message("report_thanks"));
    } catch (failure) {
      if (!(failure instanceof ApiError)) throw failure;
      status.show(explain(failure, { code, server: client && client.server }), true);
      reason.focus();
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

// The look of the screens lives here with them, so the popup and the page
// cannot drift apart; each shell styles only its own frame.
const SCREEN_STYLE = `
:root { --accent: #1d4ed8; --focus: #f59e0b; --danger: #b91c1c; --danger-soft: #fef2f2;
  --line: #cbd5e1; --muted: #475569; --soft: #eff6ff; --field: #fff; --page: #f8fafc;
  --ink: #0f172a; --on-accent: #fff; color-scheme: light dark; }
@media (prefers-color-scheme: dark) {
  :root { --accent: #60a5fa; --danger: #fca5a5; --danger-soft: #3b1111; --line: #334155;
    --muted: #94a3b8; --soft: #172554; --field: #0f172a; --page: #020617; --ink: #e2e8f0;
    --on-accent: #020617; }
}
body { background: var(--page); color: var(--ink);
  font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
.tabs { display: flex; gap: .25rem; border-bottom: 2px solid var(--line); margin-bottom: 1rem; }
.tab { flex: 1; border: 0; border-radius: .5rem .5rem 0 0; background: transparent;
  color: var(--muted); font: inherit; font-weight: 600; padding: .6rem; cursor: pointer;
  margin-bottom: -2px; border-bottom: 3px solid transparent; }
.tab[aria-selected="true"] { color: var(--accent); border-bottom-color: var(--accent); }
.tab:hover { background: var(--soft); }
.form, .result { display: flex; flex-direction: column; gap: .75rem; }
.field { display: flex; flex-direction: column; gap: .3rem; flex: 1; min-width: 0; }
.row { display: flex; gap: .75rem; flex-wrap: wrap; }
.row .field { min-width: 9rem; }
label { font-weight: 600; font-size: .9rem; }
input, select, textarea { font: inherit; color: inherit; background: var(--field);
  padding: .5rem .6rem; border: 1px solid var(--line); border-radius: .4rem; width: 100%;
  box-sizing: border-box; }
input, select { height: 2.6rem; }
textarea { resize: vertical; min-height: 6rem; }
.check { display: flex; gap: .5rem; align-items: center; }
.check input { width: 1.1rem; height: 1.1rem; margin: 0; flex: none; }
.check label { font-weight: 400; }
button { font: inherit; padding: .55rem 1rem; border-radius: .4rem; border: 1px solid var(--line);
  background: var(--field); color: inherit; cursor: pointer; }
button.primary { background: var(--accent); border-color: var(--accent); color: var(--on-accent);
  font-weight: 600; }
button:disabled { opacity: .6; cursor: progress; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.counter, .hint, .meta { margin: 0; color: var(--muted); font-size: .85rem; }
.counter.over { color: var(--danger); font-weight: 600; }
[aria-invalid="true"] { border-color: var(--danger); }
.status { margin: 0; min-height: 1.2em; font-size: .9rem; }
.status.error { color: var(--danger); background: var(--danger-soft); padding: .5rem .6rem;
  border-radius: .4rem; }
.status:empty { display: none; }
#panel-load .result, .report-box { margin-top: 1rem; padding-top: 1rem;
  border-top: 1px solid var(--line); }
button.link { padding: 0; border: 0; background: none; color: var(--accent); font-size: inherit;
  text-decoration: underline; }
.result h2, .report-box h2, .recent h2 { margin: 0; font-size: 1rem; }
.code { margin: 0; font: 700 3.2rem/1.1 ui-monospace, "DejaVu Sans Mono", monospace;
  letter-spacing: .35em; color: var(--accent); text-align: center; padding: .5rem 0 .5rem .35em;
  background: var(--soft); border-radius: .5rem; }
/* A code in a sentence: l and I, O and 0 must not look alike. */
.code-inline { font-family: ui-monospace, "DejaVu Sans Mono", monospace; letter-spacing: .1em; }
.code-input { font-family: ui-monospace, "DejaVu Sans Mono", monospace; letter-spacing: .2em; }
.actions { display: flex; gap: .5rem; flex-wrap: wrap; }
.meta a { color: var(--accent); word-break: break-all; }
/* A QR code scans only as dark modules on a light ground: the tile stays white in dark mode.
   12.5rem is about 5 cm on a laptop screen, enough for a phone at arm's length. */
.qr { margin: 0; display: flex; flex-direction: column; align-items: center; gap: .5rem; }
.qr-tile { background: #fff; padding: .5rem; border-radius: .5rem; line-height: 0;
  border: 1px solid var(--line); }
.qr-code { width: 12.5rem; height: 12.5rem; image-rendering: pixelated; }
.qr figcaption { text-align: center; }
.recent { margin-top: 1.25rem; }
.recent-list { list-style: none; margin: .5rem 0 0; padding: 0; }
.recent-list li { display: flex; justify-content: space-between; gap: .5rem; padding: .35rem 0;
  border-top: 1px solid var(--line); font-size: .9rem; }
.recent-code { font: 700 1rem ui-monospace, "DejaVu Sans Mono", monospace; letter-spacing: .15em; }
.recent-expiry { color: var(--muted); }
[hidden] { display: none !important; }
`;
