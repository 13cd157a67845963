/**
 * The web page's language: the one the reader picked on the page, else the
 * first of the browser's languages (navigator.languages) that we have messages for.
 */
import { LANGUAGES, language } from "./i18n.js";

const KEY = "extextcloud.language";

/** Our language that serves `wanted` (a BCP 47 tag), or undefined: zh-HK reads zh-TW, not en. */
function serving(wanted) {
  try {
    // Same language and script: en-GB takes en, zh-Hant-HK takes zh-TW, zh-CN none of ours.
    const { language: asked, script } = new Intl.Locale(wanted).maximize();
    return LANGUAGES.find((ours) => {
      const offered = new Intl.Locale(ours).maximize();
      return offered.language === asked && offered.script === script;
    });
  } catch {
    return undefined; // not a language tag
  }
}

/** The language to show the page in. */
export function chosenLanguage() {
  let picked = null;
  try {
    picked = localStorage.getItem(KEY);
  } catch {
    // The browser blocks site storage: the browser's languages decide.
  }
  return [picked, ...navigator.languages].filter(Boolean).map(serving).find(Boolean)
    || LANGUAGES[0];
}

/** Fill `select` with our languages, each named in itself; picking one keeps it and reloads. */
export function offerLanguages(select) {
  select.replaceChildren(...LANGUAGES.map((tag) => new Option(
    new Intl.DisplayNames([tag], { type: "language" }).of(tag), tag, false, tag === language())));
  select.addEventListener("change", () => {
    try {
      localStorage.setItem(KEY, select.value);
    } catch {
      return; // the browser blocks site storage: the browser's languages keep deciding
    }
    // Reloading redraws every sentence, the title included, through the one start-up path.
    window.location.reload();
  });
}
