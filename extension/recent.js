/** The codes this browser wrote, shared by the popup and the background worker. */
import { History } from "./client.js";
import { ext } from "./settings.js";

// Local, not synced: a code matters on the computer that wrote it.
export const history = new History({
  load: async () => (await ext.storage.local.get("history")).history,
  save: (entries) => ext.storage.local.set({ history: entries }),
});
