"""The extension popup in Chromium against a live server: one profile writes, another reads."""
import json
import re
import socket
import subprocess

import pytest

from screens import (EXTENSION, alert, fits_width, focused, load, loaded_text, report,
                     reported_sentence, thanked, unlabelled, write, written_code)

pytestmark = pytest.mark.timeout(120)


def test_write_in_one_profile_and_load_in_another(server, profiles, shoot):
    """A text moves between two browsers that share nothing; the code is copied in one click."""
    writer = profiles("a").open("popup.html")
    writer.context.grant_permissions(["clipboard-read", "clipboard-write"])
    text = "Grüße aus Köln – Привет – Γειά σου 🚀\nsecond line"
    writer.get_by_label("Text", exact=True).fill(text)
    assert writer.get_by_text(f"{len(text.encode())} of 102,400 bytes").is_visible()
    assert fits_width(writer)
    assert unlabelled(writer) == []
    shoot(writer, "popup-write")
    write(writer, text, expiry="1 day")
    code = written_code(writer)
    copy_button = writer.get_by_role("button", name="Copy code")
    assert copy_button.evaluate("button => button === document.activeElement")
    copy_button.click()
    writer.get_by_text("Copied to the clipboard.").wait_for()
    assert writer.evaluate("navigator.clipboard.readText()") == code
    assert writer.get_by_text(re.compile(r"Expires .*\(in (1 day|24 hours)\)")).is_visible()
    shoot(writer, "popup-written")

    reader = profiles("b").open("popup.html")
    load(reader, code)
    assert loaded_text(reader) == text
    shoot(reader, "popup-loaded")
    assert reader.locator(".recent").is_hidden()  # the reader wrote nothing

    writer.reload()
    assert writer.locator(".recent-code", has_text=code).is_visible()
    shoot(writer, "popup-recent")


def test_password(server, profiles, shoot):
    """A protected text needs its password, non-Latin-1 letters included."""
    writer = profiles("a").open("popup.html")
    write(writer, "the secret plan", password="пароль")
    code = written_code(writer)

    reader = profiles("b").open("popup.html")
    load(reader, code)
    assert "protected by a password" in alert(reader)
    load(reader, code, "wrong")
    assert alert(reader) == "That password is wrong. Check it and try again."
    assert unlabelled(reader) == []
    assert reader.get_by_label("Password (if any)").evaluate(
        "field => field === document.activeElement")
    shoot(reader, "popup-wrong-password")
    load(reader, code, "пароль")
    assert loaded_text(reader) == "the secret plan"


def test_locked_after_wrong_passwords(server, profiles, shoot):
    code = server.write("locked text", password="right")
    reader = profiles("b").open("popup.html")
    for _ in range(3):  # SAVER_LOCKOUT_ATTEMPTS
        load(reader, code, "wrong")
        assert "wrong" in alert(reader)
    load(reader, code, "right")
    assert re.match(rf"Too many wrong passwords were tried for {code}, so it is locked\. "
                    r"Try again in 15 minutes\.", alert(reader))
    shoot(reader, "popup-locked")


def test_burn_after_reading(server, profiles, shoot):
    writer = profiles("a").open("popup.html")
    write(writer, "read me once", burn=True)
    code = written_code(writer)
    assert writer.get_by_text("It can be read once.").is_visible()

    reader = profiles("b").open("popup.html")
    load(reader, code)
    assert loaded_text(reader) == "read me once"
    assert reader.get_by_text("This was its last view").is_visible()
    load(reader, code)
    assert alert(reader) == (f"The text {code} is gone: it expired, was deleted, "
                             "was burned after reading, or was erased after too many "
                             "wrong passwords.")
    shoot(reader, "popup-burned")


def test_expired_and_unknown(server, profiles, shoot):
    code = server.write("short-lived", expires_in=600)
    server.outlive(3600)
    reader = profiles("b").open("popup.html")
    load(reader, code)
    assert alert(reader).startswith(f"The text {code} is gone: it expired")
    shoot(reader, "popup-expired")
    load(reader, "ZZZZ")
    assert alert(reader).startswith("No text has the code ZZZZ.")
    load(reader, "ab1")
    assert alert(reader) == "A code is 4 letters, a to z or A to Z."


def test_rate_limited(server, profiles, shoot):
    writer = profiles("a").open("popup.html")
    with server.limit("SAVER_LIMIT_WRITE", "1/hour"):
        write(writer, "first")
        written_code(writer)
        writer.get_by_role("button", name="Write another").click()
        assert writer.get_by_label("Expires after").input_value() == "3600"  # the default again
        write(writer, "second")
        assert re.fullmatch(r"Too many requests from this computer\. Please wait and try again "
                            r"in 1 hour\.", alert(writer))
    shoot(writer, "popup-rate-limited")


def test_busy(server, profiles, shoot):
    """The budget of the whole service is used up: the popup says so, not "this computer"."""
    writer = profiles("a").open("popup.html")
    with server.limit("SAVER_LIMIT_WRITE_GLOBAL", "1/day"):
        write(writer, "first of the day")
        written_code(writer)
        writer.get_by_role("button", name="Write another").click()
        write(writer, "one too many")
        assert re.fullmatch(r"The server is busy with too many requests from everyone right now\. "
                            r"Please try again in (1 day|2[34] hours)\.", alert(writer))
    shoot(writer, "popup-busy")


def test_report_from_the_popup(server, profiles, shoot):
    """A reader reports a text; after three readers it is withheld, and the popup says why."""
    code = server.write("You won a prize! Send your bank password to claim it.")
    reader = profiles("b").open("popup.html")
    load(reader, code)
    assert loaded_text(reader).startswith("You won a prize!")
    reader.get_by_role("button", name="Report this text").click()
    reason = reader.get_by_label("What is wrong with this text?")
    assert focused(reason)
    assert reason.get_attribute("maxlength") == "200"
    assert reader.get_by_role("heading", name=f"Report the text {code}").is_visible()
    assert fits_width(reader)
    assert unlabelled(reader) == []
    shoot(reader, "popup-report-form")

    reader.get_by_role("button", name="Send").click()  # nothing said yet
    assert alert(reader) == "Say in a few words what is wrong with this text."
    assert focused(reason)
    assert server.reports(code) is None
    shoot(reader, "popup-report-empty")
    reason.fill("a phishing scam")
    reader.get_by_role("button", name="Send").click()
    assert thanked(reader)
    assert reason.is_hidden()
    shoot(reader, "popup-report-thanks")
    recorded = server.reports(code)
    assert (recorded.count, recorded.reasons) == (1, ["a phishing scam"])

    load(reader, code)  # two readers so far: still shown
    assert loaded_text(reader).startswith("You won a prize!")
    report(reader, "the same reader again")
    assert thanked(reader)
    assert server.reports(code).count == 1  # one browser counts once
    server.report_from("192.0.2.1", code)
    server.report_from("198.51.100.7", code)
    load(reader, code)
    assert alert(reader) == reported_sentence(code)
    shoot(reader, "popup-reported")
    other = profiles("a").open("popup.html")
    load(other, code)
    assert alert(other) == reported_sentence(code)


def test_report_refused_with_a_sentence(server, profiles):
    """A report of a text that ended in the meantime says what happened."""
    code = server.write("short-lived", expires_in=600)
    reader = profiles("b").open("popup.html")
    load(reader, code)
    loaded_text(reader)
    server.outlive(3600)
    report(reader, "spam")
    assert alert(reader).startswith(f"The text {code} is gone: it expired")
    reader.get_by_role("button", name="Cancel").click()
    assert reader.get_by_label("What is wrong with this text?").count() == 0
    assert focused(reader.get_by_role("button", name="Report this text"))


def test_server_unreachable_and_options(server, profiles, shoot):
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    profile = profiles("c")
    options = profile.open("options.html")
    options.get_by_label("Server address").fill("ftp://example")
    options.get_by_role("button", name="Save").click()
    assert alert(options).startswith("The address must start with https://")
    assert unlabelled(options) == []
    shoot(options, "options-invalid")
    profile.use_server(f"http://127.0.0.1:{port}")
    popup = profile.open("popup.html")
    assert popup.get_by_text(f"Server: 127.0.0.1:{port}").is_visible()
    write(popup, "nowhere to go")
    assert alert(popup) == (f"The server at 127.0.0.1:{port} can't be reached. "
                            "Check your internet connection and try again.")
    shoot(popup, "popup-unreachable")
    options = profile.open("options.html")
    options.get_by_role("button", name="Use the default server").click()
    options.get_by_text("Saved: the popup now uses https://www.extextcloud.com.").wait_for()
    shoot(options, "options")


def test_keyboard_only(profiles):
    """Every step works from the keyboard: fields by Tab, tabs by arrows, buttons by Enter."""
    popup = profiles("a").open("popup.html")
    keyboard = popup.keyboard
    keyboard.type("typed, not clicked")  # the popup opens with the cursor in the text
    keyboard.press("Control+Enter")
    code = written_code(popup)
    keyboard.press("Enter")  # the Copy button has the focus
    popup.get_by_text("Copied to the clipboard.").wait_for()
    keyboard.press("Shift+Tab")
    keyboard.press("ArrowRight")
    assert popup.get_by_role("tab", name="Load").get_attribute("aria-selected") == "true"
    keyboard.press("Tab")
    keyboard.type(code)
    keyboard.press("Enter")
    assert loaded_text(popup) == "typed, not clicked"


def test_too_large_is_stopped_before_sending(server, profiles):
    popup = profiles("a").open("popup.html")
    popup.get_by_label("Text", exact=True).fill("é" * 51_201)
    assert popup.locator(".counter.over").inner_text() == "102,402 of 102,400 bytes"
    popup.get_by_role("button", name="Save and get a code").click()
    assert alert(popup) == "The text is 102,402 bytes; the limit is 102,400 bytes."


def test_web_ext_lint_finds_no_errors():
    """Mozilla's linter accepts the extension as it is, with no build step."""
    linted = subprocess.run(["npx", "--yes", "web-ext@8", "lint", "--output=json",
                             f"--source-dir={EXTENSION}"],
                            capture_output=True, text=True, timeout=110, check=False)
    assert "{" in linted.stdout, f"web-ext did not run (it needs the npm registry): {linted.stderr}"
    report = json.loads(linted.stdout[linted.stdout.index("{"):])
    assert report["errors"] == [], report["errors"]
    # The one warning left: addons-linter flags background.service_worker even next to
    # background.scripts (Firefox ignores it; Chromium needs it to start the worker).
    assert [warning["message"] for warning in report["warnings"]] == [
        '"/background/service_worker" is not supported.'], report["warnings"]


def refused_sentence(host):
    return (f"http://{host} would send your texts and passwords unencrypted; use https:// "
            "instead. Plain http:// is only for a server on this computer (localhost, "
            "127.0.0.1 or [::1]).")


def saved(page, url):
    """Type ``url`` on the options page, save it and return what the page says."""
    page.get_by_label("Server address").fill(url)
    page.get_by_role("button", name="Save").click()
    return page.locator("#status").filter(has_text=re.compile(".")).inner_text(timeout=10_000)


def test_options_refuse_http_except_for_this_computer(server, profiles, shoot):
    """Plain http:// only to loopback: anything else would carry texts and passwords in clear."""
    profile = profiles("d")
    port = server.url.rsplit(":", 1)[1]
    options = profile.open("options.html")
    assert saved(options, "http://example.org") == refused_sentence("example.org")
    assert options.get_by_role("alert").inner_text() == refused_sentence("example.org")
    assert options.get_by_label("Server address").get_attribute("aria-invalid") == "true"
    shoot(options, "options-http-refused")
    assert saved(options, "http://example.org:8080/") == refused_sentence("example.org:8080")
    stored = options.evaluate("chrome.storage.sync.get('server')")
    assert stored == {"server": server.url}  # the refused addresses were not stored
    for url in ("https://example.org", f"http://127.0.0.1:{port}", f"http://localhost:{port}",
                f"http://[::1]:{port}", "http://localhost"):
        assert saved(options, url) == f"Saved: the popup now uses {url}."
        assert options.evaluate("chrome.storage.sync.get('server')") == {"server": url}
    profile.use_server(server.url)


def test_a_stored_http_server_from_before_is_refused_and_sent_nothing(server, profiles, shoot):
    """An older version stored http://example.org: the popup says why and sends nothing there."""
    profile = profiles("d")
    asked = []
    profile.context.route("http://example.org/**", lambda route: (asked.append(route.request.url),
                                                                  route.abort()))
    options = profile.open("options.html")
    options.evaluate("chrome.storage.sync.set({server: 'http://example.org'})")
    options.reload()
    assert alert(options) == ("The popup sends nothing to this server. "
                              + refused_sentence("example.org"))
    popup = profile.open("popup.html")
    assert popup.locator("#server").inner_text() == (
        "Server example.org refused: it is not encrypted. Choose an https:// server in the "
        "settings.")
    write(popup, "a secret for nobody")
    assert popup.locator("#panel-write .status.error").inner_text() == (
        refused_sentence("example.org"))
    shoot(popup, "popup-http-server-refused")
    load(popup, "abcd", "password")
    assert popup.locator("#panel-load .status.error").inner_text() == (
        refused_sentence("example.org"))
    assert asked == []
    profile.use_server(server.url)
