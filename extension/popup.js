/** The extension popup: the shared screens, talking to the server set in the options. */
import { Client, History, mountScreens } from "./client.js";
import { ext, serverAddress } from "./settings.js";

const history = new History({
  load: async () => (await ext.storage.local.get("history")).history,
  save: (entries) => ext.storage.local.set({ history: entries }),
});

mountScreens(document.getElementById("app"), {
  connect: async () => new Client(await serverAddress()),
  history,
  autofocus: true, // open the popup, paste, Ctrl+Enter
});

serverAddress().then((address) => {
  document.getElementById("server").textContent = `Server: ${new URL(address).host}`;
});
document.getElementById("options").addEventListener("click", () => ext.runtime.openOptionsPage());
