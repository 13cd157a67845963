"""The web page at / and reading at /<code>, in Chromium without the extension."""
import re

import pytest
import requests

from screens import (EXTENSION, PHONE_SIZE, alert, fits_width, focused, load, loaded_text,
                     report, reported_sentence, thanked, unlabelled, write, written_code)

pytestmark = pytest.mark.timeout(120)
DESKTOP_SIZE = {"width": 1024, "height": 768}


@pytest.fixture(scope="module")
def computers(browser):
    """Two browser contexts that share nothing: a desktop and a phone."""
    desktop = browser.new_context(viewport=DESKTOP_SIZE)
    phone = browser.new_context(viewport=PHONE_SIZE, is_mobile=True, has_touch=True)
    yield desktop, phone
    desktop.close()
    phone.close()


def front_page(context, server):
    """Open the page at / in ``context`` for one test, and close it afterwards."""
    page = context.new_page()
    page.goto(server.url + "/")
    yield page
    page.close()


@pytest.fixture
def desktop(computers, server):
    yield from front_page(computers[0], server)


@pytest.fixture
def phone(computers, server):
    yield from front_page(computers[1], server)


def test_page_uses_the_extension_client(server):
    """The page loads the one client module and its messages, byte for byte the extension's."""
    for name in ("client.js", "i18n.js"):
        answer = requests.get(f"{server.url}/static/{name}", timeout=10)
        assert answer.status_code == 200
        assert answer.headers["Content-Type"].startswith("text/javascript")
        assert answer.content == (EXTENSION / name).read_bytes()
    for folder in ("en", "ko", "ja", "zh_TW"):
        answer = requests.get(f"{server.url}/static/_locales/{folder}/messages.json", timeout=10)
        assert answer.headers["Content-Type"] == "application/json"
        assert answer.content == (EXTENSION / "_locales" / folder / "messages.json").read_bytes()
    assert requests.get(f"{server.url}/static/_locales/fr/messages.json",
                        timeout=10).status_code == 404
    icon = requests.get(server.url + "/favicon.ico", timeout=10)
    assert (icon.status_code, icon.headers["Content-Type"]) == (200, "image/png")


def test_the_page_shows_the_curl_lines_for_this_site(server, desktop, phone):
    lines = desktop.locator(".terminal").inner_text().splitlines()
    assert lines == [f"curl --data-binary @notes.txt {server.url}/",
                     f"echo hello | curl --data-binary @- {server.url}/",
                     f"curl -T notes.txt {server.url}/", f"curl -F file=@notes.txt {server.url}/",
                     f"curl {server.url}/CODE"]
    assert fits_width(phone)


def test_write_on_desktop_and_load_on_phone(server, desktop, phone, shoot):
    shoot(desktop, "page-write")
    write(desktop, "from the desktop\nto the phone", expiry="1 week")
    code = written_code(desktop)
    assert desktop.get_by_role("link", name=f"{server.url}/{code}").is_visible()
    shoot(desktop, "page-written")

    assert fits_width(phone)
    assert unlabelled(phone) == []
    shoot(phone, "page-phone")
    load(phone, code)
    assert loaded_text(phone) == "from the desktop\nto the phone"
    assert fits_width(phone)
    shoot(phone, "page-phone-loaded")


def test_password_on_the_page(desktop, phone, shoot):
    write(desktop, "protected words", password="s3cret ü")
    code = written_code(desktop)
    load(phone, code)
    assert "protected by a password" in alert(phone)
    load(phone, code, "nope")
    assert alert(phone) == "That password is wrong. Check it and try again."
    shoot(phone, "page-wrong-password")
    load(phone, code, "s3cret ü")
    assert loaded_text(phone) == "protected words"


def test_burned_expired_and_rate_limited_on_the_page(server, desktop, phone, shoot):
    write(desktop, "once only", burn=True)
    code = written_code(desktop)
    load(phone, code)
    assert loaded_text(phone) == "once only"
    load(phone, code)
    assert alert(phone).startswith(f"The text {code} is gone")
    shoot(phone, "page-burned")

    old = server.write("old news", expires_in=600)
    server.outlive(3600)
    load(phone, old)
    assert alert(phone).startswith(f"The text {old} is gone: it expired")

    with server.limit("SAVER_LIMIT_WRITE", "1/hour"):
        desktop.get_by_role("button", name="Write another").click()
        write(desktop, "one")
        written_code(desktop)
        desktop.get_by_role("button", name="Write another").click()
        write(desktop, "two")
        assert alert(desktop).startswith("Too many requests from this computer.")
    shoot(desktop, "page-rate-limited")


def test_reading_at_the_code_url(server, computers, shoot):
    """/<code>: raw text, a click for a burn-after-reading text, a form for a password."""
    page = computers[1].new_page()
    plain = server.write("just the text")
    assert page.goto(f"{server.url}/{plain}").headers["content-type"].startswith("text/plain")
    assert page.inner_text("body") == "just the text"

    burn = server.write("burn this", max_views=1)
    page.goto(f"{server.url}/{burn}")
    assert page.get_by_text("Reading it here uses up one view.").is_visible()
    shoot(page, "reveal-click")
    page.get_by_role("button", name="Show the text").click()
    assert page.inner_text("body") == "burn this"
    assert page.goto(f"{server.url}/{burn}").status == 410

    locked = server.write("behind a password", password="open sesame")
    answer = requests.get(f"{server.url}/{locked}", timeout=10)  # curl-like: JSON
    assert (answer.status_code, answer.json()["error"]) == (401, "password_required")
    assert page.goto(f"{server.url}/{locked}").status == 401
    page.get_by_label("Password").fill("wrong")
    page.get_by_label("Password").press("Enter")
    assert page.get_by_role("alert").inner_text() == "The password does not match."
    assert unlabelled(page) == []
    shoot(page, "reveal-wrong-password")
    page.get_by_label("Password").fill("open sesame")
    page.get_by_role("button", name="Show the text").click()
    assert page.inner_text("body") == "behind a password"
    page.close()


def test_report_from_the_page(server, desktop, phone, shoot):
    """Reported from the page; after three readers the page says why the text is not shown."""
    code = server.write("Cheap watches, click here: http://example.invalid/")
    load(desktop, code)
    loaded_text(desktop)
    desktop.get_by_role("button", name="Report this text").click()
    assert focused(desktop.get_by_label("What is wrong with this text?"))
    assert unlabelled(desktop) == []
    shoot(desktop, "page-report-form")
    desktop.get_by_role("button", name="Send").click()
    assert alert(desktop) == "Say in a few words what is wrong with this text."
    desktop.get_by_label("What is wrong with this text?").fill("spam")
    desktop.get_by_role("button", name="Send").click()
    assert thanked(desktop)
    shoot(desktop, "page-report-thanks")
    assert server.reports(code).reasons == ["spam"]

    server.report_from("192.0.2.10", code, "advertising")
    server.report_from("2001:db8:7::1", code, "a link to a fake shop")
    assert server.reports(code).count == 3
    load(phone, code)
    assert alert(phone) == reported_sentence(code)
    assert fits_width(phone)
    shoot(phone, "page-reported")
    load(desktop, code)
    assert alert(desktop) == reported_sentence(code)


def test_report_form_on_a_phone_and_in_dark_mode(server, phone, shoot):
    code = server.write("a text to report in the dark")
    phone.emulate_media(color_scheme="dark")
    load(phone, code)
    loaded_text(phone)
    phone.get_by_role("button", name="Report this text").click()
    assert fits_width(phone)
    shoot(phone, "page-report-form-phone-dark")
    report(phone, "testing the dark colours")
    assert thanked(phone)
    shoot(phone, "page-report-thanks-phone-dark")


def test_the_reveal_page_links_to_the_report_form(server, computers, shoot):
    """The page at /<code> sends a reader to the web page's report form for that code."""
    page = computers[0].new_page()
    code = server.write("read once, then report", max_views=1)
    page.goto(f"{server.url}/{code}")
    shoot(page, "reveal-with-report-link")
    page.get_by_role("link", name="Report this text").click()
    page.wait_for_url(f"{server.url}/?report={code}")
    assert page.get_by_role("tab", name="Load").get_attribute("aria-selected") == "true"
    assert page.get_by_role("heading", name=f"Report the text {code}").is_visible()
    assert page.get_by_label("Code", exact=True).input_value() == code
    reason = page.get_by_label("What is wrong with this text?")
    assert focused(reason)
    shoot(page, "page-report-from-reveal")
    reason.fill("it asks for my password")
    page.get_by_role("button", name="Send").click()
    assert thanked(page)
    assert server.reports(code).reasons == ["it asks for my password"]

    page.goto(f"{server.url}/{code}")  # reporting used no view
    page.get_by_role("button", name="Show the text").click()
    assert page.inner_text("body") == "read once, then report"

    locked = server.write("behind a password", password="pw")
    page.goto(f"{server.url}/{locked}")
    assert page.get_by_role("link", name="Report this text").get_attribute("href") == (
        f"/?report={locked}")

    burned = server.write("gone before the click", max_views=1)
    page.goto(f"{server.url}/{burned}")
    requests.get(f"{server.url}/api/v1/texts/{burned}", timeout=10)  # another reader's view
    page.get_by_role("button", name="Show the text").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_role("link", name="Report this text").count() == 0  # nothing to report

    page.goto(f"{server.url}/?report=ab1")  # not a code: the page as usual
    assert page.get_by_role("tab", name="Write").get_attribute("aria-selected") == "true"
    assert page.get_by_role("heading", name=re.compile("Report")).count() == 0
    page.close()


def test_busy_on_the_page(server, desktop, shoot):
    with server.limit("SAVER_LIMIT_WRITE_GLOBAL", "2/day"):
        write(desktop, "one")
        written_code(desktop)
        desktop.get_by_role("button", name="Write another").click()
        write(desktop, "two")
        written_code(desktop)
        desktop.get_by_role("button", name="Write another").click()
        write(desktop, "three")
        assert alert(desktop).startswith("The server is busy with too many requests from "
                                         "everyone right now. Please try again in ")
    shoot(desktop, "page-busy")
