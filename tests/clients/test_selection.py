"""Save the selected text of any page: the context-menu entry and the keyboard command.

The browser's own menu and shortcuts cannot be used headless, so the tests
call the very functions the ``contextMenus.onClicked`` and
``commands.onCommand`` listeners call, inside the extension's service worker,
with a real tab whose text is selected.

Headless, no user gesture grants ``activeTab``; the page is therefore opened
at the production host, which the extension holds a host permission for,
and Playwright hands that request to the live server: a page the server
served, at an address the extension may read.
"""
import re
import socket

import pytest

from screens import POPUP_SIZE

pytestmark = pytest.mark.timeout(120)

SITE = "https://www.extextcloud.com"
SAVED = re.compile(r"Saved: ([a-zA-Z]{4})")
# Run in the worker: the active tab, then the handler the listener calls.
ON_COMMAND = """async () => {
  const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
  return globalThis.extextcloud.onCommand("save-selection", tab);
}"""
ON_MENU = """async (selectionText) => {
  const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
  return globalThis.extextcloud.onMenuClicked(
    { menuItemId: "save-selection", frameId: 0, selectionText }, tab);
}"""
NOTIFICATIONS = "async () => Object.keys(await chrome.notifications.getAll())"


def worker(profile):
    """The extension's service worker in ``profile`` (started at load, or waited for)."""
    context = profile.context
    workers = [found for found in context.service_workers if found.url.startswith(profile.base)]
    return workers[0] if workers else context.wait_for_event("serviceworker")


def page_with_selection(profile, server, body):
    """Open a text the live server serves, at the production host, with all of it selected."""
    code = server.write(body)
    profile.context.route(f"{SITE}/**", lambda route: route.fulfill(
        response=route.fetch(url=route.request.url.replace(SITE, server.url))))
    page = profile.context.new_page()
    page.goto(f"{SITE}/{code}")
    page.bring_to_front()
    page.evaluate("getSelection().selectAllChildren(document.body)")
    return page


def stored(server, code):
    answer = server.app.test_client().get(f"/api/v1/texts/{code}")
    assert answer.status_code == 200, answer.json
    return answer.json["text"]


def shown(worker_, notification):
    """True when the notification the handler reports is open in the browser."""
    return notification["id"] in worker_.evaluate(NOTIFICATIONS)


def test_menu_entry_is_created(profiles):
    """The entry exists: updating it works, as updating an unknown entry does not."""
    sw = worker(profiles("sel"))
    assert sw.evaluate("""() => chrome.contextMenus.update("save-selection", {})
                          .then(() => "ok", (error) => error.message)""") == "ok"
    assert "nothing" in sw.evaluate("""() => chrome.contextMenus.update("nothing", {})
                                       .then(() => "ok", (error) => error.message)""")


def test_command_saves_the_selection(server, profiles, shoot):
    """The keyboard command saves the selection, line breaks kept, and notifies the code."""
    profile = profiles("sel")
    text = "Meeting notes\nsecond line – Grüße"
    page = page_with_selection(profile, server, text)
    sw = worker(profile)
    notification = sw.evaluate(ON_COMMAND)
    code = SAVED.fullmatch(notification["title"]).group(1)
    assert stored(server, code) == text
    assert re.fullmatch(rf"{re.escape(server.url)}/{code}\nExpires .* \(in 1 hour\)\.",
                        notification["message"]), notification["message"]
    assert shown(sw, notification)
    page.close()

    popup = profile.open("popup.html")
    popup.set_viewport_size(POPUP_SIZE)
    assert popup.locator(".recent-code", has_text=code).is_visible()
    shoot(popup, "popup-recent-after-selection")


def test_menu_saves_the_selection(server, profiles):
    profile = profiles("sel")
    page = page_with_selection(profile, server, "from the context menu")
    sw = worker(profile)
    notification = sw.evaluate(ON_MENU, "from the context menu")
    code = SAVED.fullmatch(notification["title"]).group(1)
    assert stored(server, code) == "from the context menu"
    assert shown(sw, notification)
    page.close()


def test_menu_on_a_page_it_may_not_read_uses_the_menus_text(server, profiles):
    """Without access to the page (no gesture here), the text the menu passes is saved."""
    profile = profiles("sel")
    page = profile.context.new_page()
    page.goto(f"{server.url}/")
    page.bring_to_front()
    notification = worker(profile).evaluate(ON_MENU, "the menu's own copy")
    code = SAVED.fullmatch(notification["title"]).group(1)
    assert stored(server, code) == "the menu's own copy"
    page.close()


def test_empty_selection_says_so(server, profiles):
    profile = profiles("sel")
    page = page_with_selection(profile, server, "nothing chosen")
    page.evaluate("getSelection().removeAllRanges()")
    sw = worker(profile)
    notification = sw.evaluate(ON_COMMAND)
    assert notification["title"] == "Nothing selected"
    assert notification["message"] == "Select some text on the page first, then save it again."
    assert shown(sw, notification)
    page.close()


def test_rate_limited_is_said_in_a_notification(server, profiles):
    profile = profiles("sel")
    page = page_with_selection(profile, server, "one of two")
    sw = worker(profile)
    with server.limit("SAVER_LIMIT_WRITE", "1/hour"):
        assert SAVED.fullmatch(sw.evaluate(ON_COMMAND)["title"])
        notification = sw.evaluate(ON_COMMAND)
    assert notification["title"] == "Not saved"
    assert re.fullmatch(r"Too many requests from this computer\. Please wait and try again "
                        r"in 1 hour\.", notification["message"]), notification["message"]
    assert shown(sw, notification)
    page.close()


def test_unreachable_server_is_said_in_a_notification(server, profiles):
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    profile = profiles("sel-nowhere")
    profile.use_server(f"http://127.0.0.1:{port}")
    page = page_with_selection(profile, server, "nowhere to go")
    notification = worker(profile).evaluate(ON_COMMAND)
    assert notification == {**notification, "title": "Not saved", "message": (
        f"The server at 127.0.0.1:{port} can't be reached. "
        "Check your internet connection and try again.")}
    page.close()


def test_selection_inside_a_text_field(server, profiles):
    """Text selected in a field (here the web page's own textarea) is what is saved."""
    profile = profiles("sel")
    page = page_with_selection(profile, server, "unused")
    page.goto(f"{SITE}/")
    field = page.get_by_label("Text", exact=True)
    field.fill("keep THIS part only")
    field.evaluate("area => { area.focus(); area.setSelectionRange(5, 14); }")
    notification = worker(profile).evaluate(ON_COMMAND)
    assert stored(server, SAVED.fullmatch(notification["title"]).group(1)) == "THIS part"
    page.close()


def test_the_command_has_its_shortcut(profiles):
    """Chromium took the suggested key (it drops one that clashes with another extension).

    Its description is the context menu's entry: one action, one name.
    """
    commands = worker(profiles("sel")).evaluate("() => chrome.commands.getAll()")
    assert {"name": "save-selection", "shortcut": "Alt+Shift+S",
            "description": "Save selection to extextcloud"} in commands
