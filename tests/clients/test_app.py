"""The web page as an installable app in Chromium: manifest, service worker, share target."""
import pytest
import requests

from screens import scanned

pytestmark = pytest.mark.timeout(120)

# What the browser does when another app shares to the installed app: a form-encoded POST.
SHARE = """([title, text, url]) => {
  const form = Object.assign(document.createElement("form"), { method: "post", action: "/share" });
  for (const [name, value] of Object.entries({ title, text, url })) {
    form.append(Object.assign(document.createElement("input"), { name, value, type: "hidden" }));
  }
  document.body.append(form);
  form.submit();
}"""


def test_the_page_is_installable_with_a_worker_for_the_whole_site(server, profiles):
    # A profile on disk: Chromium installs no app from an incognito context (new_context).
    context = profiles("app").context
    page = context.new_page()
    page.goto(server.url + "/")
    worker = page.evaluate("""async () => {
      const registration = await navigator.serviceWorker.ready;
      const active = registration.active;  // "ready" may come while it is still activating
      while (active.state !== "activated") {
        await new Promise((done) => active.addEventListener("statechange", done, { once: true }));
      }
      return { scope: registration.scope, state: active.state, url: active.scriptURL };
    }""")
    assert worker == {"scope": server.url + "/", "state": "activated",
                      "url": server.url + "/sw.js"}
    # Chromium's own verdict, as its install button uses it.
    cdp = context.new_cdp_session(page)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"] == server.url + "/manifest.webmanifest"
    assert manifest.get("errors", []) == []
    fetched = requests.get(manifest["url"], timeout=10)
    assert fetched.headers["Content-Type"] == "application/manifest+json"
    assert fetched.json()["share_target"]["action"] == "/share"
    # The worker fetches from the network: a text read through it is the server's answer.
    code = server.write("through the worker")
    assert page.evaluate(f"fetch('/{code}').then((r) => r.text())") == "through the worker"
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_sharing_to_the_app_saves_and_shows_the_code(server, browser, shoot, scheme):
    context = browser.new_context(color_scheme=scheme, viewport={"width": 412, "height": 800})
    page = context.new_page()
    page.goto(server.url + "/")
    with page.expect_navigation():
        page.evaluate(SHARE, ["A recipe", f"flour, eggs ({scheme})", "https://example.com/r"])
    code = page.locator(".written-code").inner_text()
    url = f"{server.url}/{code}"
    assert page.get_by_role("link", name=url).is_visible()
    page.locator(".qr-code").evaluate("img => img.decode()")
    picture = shoot(page, f"share-written-{scheme}")
    assert scanned(picture) == [url]
    assert requests.get(url, timeout=10).text == (
        f"A recipe\nflour, eggs ({scheme})\nhttps://example.com/r")
    context.close()
