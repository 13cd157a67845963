/** The extension popup: the shared screens, talking to the server set in the options. */
import { Client, mountScreens } from "./client.js";
import { message, translate } from "./i18n.js";
import { history } from "./recent.js";
import { ext, refusal, safeServerAddress, serverAddress } from "./settings.js";

translate();
mountScreens(document.getElementById("app"), {
  connect: async () => new Client(await safeServerAddress()),
  history,
  autofocus: true, // open the popup, paste, Ctrl+Enter
});

serverAddress().then((address) => {
  const line = document.getElementById("server");
  const problem = refusal(address);
  // A setting saved by an older version may be refused now: say so before any write.
  const host = new URL(address).host;
  line.textContent = problem ? message("popup_server_refused", host)
    : message("popup_server", host);
  line.classList.toggle("refused", Boolean(problem));
  if (problem) line.setAttribute("role", "alert");
});
document.getElementById("options").addEventListener("click", () => ext.runtime.openOptionsPage());
