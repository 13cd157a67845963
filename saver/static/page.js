/** The web page: the shared screens, talking to the server that served the page. */
import { Client, History, mountScreens } from "./client.js";
import { translate, useLanguage } from "./i18n.js";
import { chosenLanguage, offerLanguages } from "./language.js";

const KEY = "extextcloud.history";

// localStorage throws when the browser blocks site storage: then keep no history.
const history = new History({
  load: async () => {
    try {
      return JSON.parse(localStorage.getItem(KEY) || "[]");
    } catch {
      return [];
    }
  },
  save: async (entries) => {
    try {
      localStorage.setItem(KEY, JSON.stringify(entries));
    } catch {
      // Nothing to do: the list is a convenience.
    }
  },
});

await useLanguage(chosenLanguage());
translate();
offerLanguages(document.getElementById("language"));
mountScreens(document.getElementById("app"), {
  connect: async () => new Client(window.location.origin),
  history,
  // The page at /<code> sends a reader here to report its text: /?report=CODE.
  report: new URLSearchParams(window.location.search).get("report"),
});
for (const origin of document.querySelectorAll(".origin")) {
  origin.textContent = window.location.origin;
}

// The worker makes the page an installable app with a share target (/share).
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
    // Not installable then (a private window, say); the page works the same.
  });
}
