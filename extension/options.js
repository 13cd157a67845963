/** The options page: choose the server the popup talks to. */
import { DEFAULT_SERVER, adoptStyle } from "./client.js";
import { message, translate } from "./i18n.js";
import { refusal, saveServerAddress, serverAddress } from "./settings.js";

translate();
adoptStyle();
const form = document.getElementById("form");
const input = document.getElementById("server");
const status = document.getElementById("status");

document.getElementById("server-hint").textContent =
  message("options_server_hint", DEFAULT_SERVER);

function show(message, isError) {
  status.textContent = message;
  status.classList.toggle("error", isError);
  status.setAttribute("role", isError ? "alert" : "status");
  input.setAttribute("aria-invalid", String(isError));
}

async function save(address) {
  try {
    input.value = await saveServerAddress(address);
    show(message("options_saved", input.value), false);
  } catch (failure) {
    show(failure.message, true);
    input.focus();
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  save(input.value);
});
document.getElementById("reset").addEventListener("click", () => save(DEFAULT_SERVER));
// Storage answers after the page shows: keep whatever was typed meanwhile.
serverAddress().then((address) => {
  if (input.value) return;
  input.value = address;
  // A setting saved by an older version may be refused now: say why at once.
  const problem = refusal(address);
  if (problem) show(message("options_refused", problem), true);
});
