/**
 * The words of the screens in the reader's language, and times and numbers in its style.
 *
 * One source of messages: the extension's `_locales/<language>/messages.json`. In the
 * extension the browser picks the language and its i18n API reads them; the
 * web page has no such API, so it fetches the same files (served under
 * /static/_locales/) with `useLanguage` and fills in placeholders the way the
 * browser does. Dates, durations and numbers come from Intl, in the language
 * the messages are in, so a sentence never mixes two languages.
 */

/** The languages there are messages for, as BCP 47 tags; the first is the fallback. */
export const LANGUAGES = ["en", "ko", "ja", "zh-TW"];

// `browser` in Firefox, `chrome` in Chromium; a web page has neither's i18n.
const platform = (globalThis.browser ?? globalThis.chrome)?.i18n;
// Private-use characters mark where elements go in a sentence (see `parts`): U+E000, U+E001…
const SLOTS = /([\uE000-\uE0FF])/;
let catalog = null;

/** Load the messages of `language` (one of LANGUAGES): the web page's way to choose. */
export async function useLanguage(language) {
  // Chromium names the folders with an underscore: zh_TW.
  const url = new URL(`_locales/${language.replace("-", "_")}/messages.json`, import.meta.url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`No messages for ${language}: HTTP ${response.status}`);
  catalog = await response.json();
}

/** The message `key` with its placeholders filled by `substitutions`, as chrome.i18n does. */
export function message(key, ...substitutions) {
  const texts = substitutions.map(String);
  if (!catalog) return platform.getMessage(key, texts);
  const entry = catalog[key];
  if (!entry) return "";
  const fill = (content) => content.replace(/\$(\d)/g, (_, index) => texts[index - 1] ?? "");
  return entry.message.replace(/\$(\w+)\$/g, (_, name) => fill(
    entry.placeholders[name.toLowerCase()].content));
}

/**
 * The message `key` as a list of strings and `elements`, each element where its placeholder is.
 *
 * For sentences that hold a link, a button or a code: the word order differs
 * between languages, so an element cannot simply go first or last.
 */
export function parts(key, ...elements) {
  // One mark per element, since a translation may put them in another order.
  const marks = elements.map((_, index) => String.fromCharCode(0xE000 + index));
  return message(key, ...marks).split(SLOTS)
    .map((piece) => (marks.includes(piece) ? elements[marks.indexOf(piece)] : piece))
    .filter((part) => part !== "");
}

/** Fill every `[data-message]` element with its message, and set the page's language. */
export function translate() {
  for (const element of document.querySelectorAll("[data-message]")) {
    // Child elements (code samples) keep their place in the sentence: $1, $2…
    element.replaceChildren(...parts(element.dataset.message, ...element.children));
  }
  // The right glyphs for Han characters depend on it (Japanese and Chinese differ).
  document.documentElement.lang = language();
}

/** The BCP 47 tag of the language the messages are in. */
export function language() {
  return message("language_tag");
}

/** Say a number as the reader writes it: 102,400. */
export function number(value) {
  return new Intl.NumberFormat(language()).format(value);
}

/** Say an amount of a unit: "10 minutes", "1 week". */
export function amount(value, unit) {
  return new Intl.NumberFormat(language(), { style: "unit", unit, unitDisplay: "long" })
    .format(value);
}

/** Say how soon `seconds` from now is, roughly: "in 45 seconds", "in 1 hour", "in 3 days". */
export function soon(seconds) {
  // Whole minutes, rounded up, so 3599 s reads "in 1 hour", not "in 60 minutes".
  const rounded = seconds < 60 ? Math.ceil(seconds) : Math.ceil(seconds / 60) * 60;
  const units = [[86400, "day"], [3600, "hour"], [60, "minute"], [1, "second"]];
  const [size, unit] = units.find(([unitSize]) => rounded >= unitSize) || units[3];
  return new Intl.RelativeTimeFormat(language(), { numeric: "always" })
    .format(Math.max(1, Math.round(rounded / size)), unit);
}

/** Say when an ISO time comes: "14:05 (in 1 hour)", or "ended". */
export function untilText(iso, now = Date.now()) {
  const moment = new Date(iso);
  const left = (moment.getTime() - now) / 1000;
  if (left <= 0) return message("until_ended");
  const sameDay = new Date(now).toDateString() === moment.toDateString();
  const when = new Intl.DateTimeFormat(language(), sameDay
    ? { hour: "2-digit", minute: "2-digit" } : { dateStyle: "medium", timeStyle: "short" });
  return message("until_time", when.format(moment), soon(left));
}
