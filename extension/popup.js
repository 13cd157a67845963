/** The extension popup: the shared screens, talking to the server set in the options. */
import { Client, mountScreens } from "./client.js";
import { history } from "./recent.js";
import { ext, refusal, safeServerAddress, serverAddress } from "./settings.js";

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
  line.textContent = problem
    ? `Server ${host} refused: it is not encrypted. Choose an https:// server in the settings.`
    : `Server: ${host}`;
  line.classList.toggle("refused", Boolean(problem));
  if (problem) line.setAttribute("role", "alert");
});
document.getElementById("options").addEventListener("click", () => ext.runtime.openOptionsPage());
