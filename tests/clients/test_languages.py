"""The page and the popup in English, Korean, Japanese and Traditional Chinese.

The page takes the browser's language (``navigator.languages``, which
Playwright's ``locale`` sets with Accept-Language), the popup the browser's
own (``--lang``). Every screen is saved per language for a person to look at.
"""
import pytest

from screens import LANGUAGES, POPUP_SIZE, alert, fits_width, says, unlabelled, written_code
from test_translations import SAYS

pytestmark = pytest.mark.timeout(120)
DESKTOP_SIZE = {"width": 1024, "height": 768}
# Intl's words for a time to come, in the page's own language.
SOON = "([language, count, unit]) => new Intl.RelativeTimeFormat(language).format(count, unit)"


def write(page, say, text, burn=False):
    page.get_by_role("tab", name=say("tab_write")).click()
    page.get_by_label(say("write_text"), exact=True).fill(text)
    page.get_by_label(say("write_burn")).set_checked(burn)
    page.get_by_role("button", name=say("write_submit")).click()


def load(page, say, code, password=""):
    page.get_by_role("tab", name=say("tab_load")).click()
    page.get_by_label(say("load_code"), exact=True).fill(code)
    page.get_by_label(say("load_password")).fill(password)
    page.get_by_role("button", name=say("load_submit")).click()


def says_it(page, sentence):
    """Wait until the screen's alert says ``sentence`` (an earlier alert may still show)."""
    page.get_by_role("alert").filter(has_text=sentence).wait_for(timeout=10_000)


def speaks(page, language):
    """The screen is in ``language``: its tag, tabs and labels, and nothing left untranslated."""
    say = says(language)
    page.get_by_role("tab", name=say("tab_write")).wait_for()  # the messages came
    assert page.locator("html").get_attribute("lang") == language
    assert page.get_by_role("tab", name=say("tab_load")).is_visible()
    assert page.get_by_label(say("write_expiry")).is_visible()
    assert unlabelled(page) == []
    assert fits_width(page)


def walk_the_screens(page, server, language, shoot, name):
    """Write, read, report and fail in ``language``, with a picture of each screen."""
    say = says(language)
    shoot(page, f"{name}-write")
    write(page, say, "東京 → 서울 → 臺北", burn=True)
    code = written_code(page)
    in_an_hour = page.evaluate(SOON, [language, 1, "hour"])
    assert in_an_hour in page.locator(".result .meta").first.inner_text()
    assert page.get_by_text(say("read_once")).is_visible()
    assert fits_width(page)
    shoot(page, f"{name}-written")

    load(page, say, code)
    assert page.get_by_label(say("loaded_text")).input_value(timeout=10_000) == "東京 → 서울 → 臺北"
    assert page.get_by_text(say("views_last")).is_visible()
    page.get_by_role("button", name=say("report_button")).click()
    assert page.get_by_label(say("report_reason")).is_visible()
    page.get_by_role("button", name=say("report_send")).click()
    assert alert(page) == say("report_empty")
    assert fits_width(page)
    shoot(page, f"{name}-report")

    load(page, say, code)
    says_it(page, say("error_expired", code=code))
    shoot(page, f"{name}-gone")
    # Wrong passwords until the code locks: a 423 with Retry-After, said with Intl's words.
    locked = server.write("behind a password", password="right")
    for password in ("wrong", "wrong", "wrong", "right"):
        load(page, say, locked, password)  # each click waits for the answer before
    in_15_minutes = page.evaluate(SOON, [language, 15, "minute"])
    says_it(page, say("error_locked", code=locked, when=in_15_minutes))
    shoot(page, f"{name}-locked")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_speaks_the_browsers_language(server, browser, shoot, language):
    context = browser.new_context(locale=language, viewport=DESKTOP_SIZE)
    page = context.new_page()
    page.goto(server.url + "/")
    say = says(language)
    page.get_by_role("tab", name=say("tab_write")).wait_for()  # the messages came
    assert page.title() == say("page_title")
    assert page.get_by_text(say("page_lead")).is_visible()
    assert page.get_by_label(say("page_language")).input_value() == language
    speaks(page, language)
    walk_the_screens(page, server, language, shoot, f"page-{language}")
    context.close()


@pytest.mark.parametrize("browser_language, language", [
    ("zh-HK", "zh-TW"),  # Traditional Chinese too
    ("en-GB", "en"),
    ("fr-FR", "en"),  # none of ours: English
    ("ko-KR", "ko"),
])
def test_the_page_picks_the_nearest_language(server, browser, browser_language, language):
    context = browser.new_context(locale=browser_language)
    page = context.new_page()
    page.goto(server.url + "/")
    page.get_by_role("tab", name=says(language)("tab_write")).wait_for()
    assert page.locator("html").get_attribute("lang") == language
    context.close()


def test_the_switcher_changes_the_language_and_is_remembered(server, browser, shoot):
    context = browser.new_context(locale="en-US", viewport=DESKTOP_SIZE)
    page = context.new_page()
    page.goto(server.url + "/?report=abcd")
    switcher = page.get_by_label("Language")
    assert switcher.locator("option").all_inner_texts() == [
        "English", "한국어", "日本語", "中文（台灣）"]  # each language named in itself
    with page.expect_navigation():
        switcher.select_option("ja")
    say = says("ja")
    page.get_by_role("heading", name=say("report_heading", code="abcd")).wait_for()
    assert page.get_by_label(say("page_language")).input_value() == "ja"
    shoot(page, "page-switched-to-ja")
    page.reload()
    page.get_by_role("heading", name=say("report_heading", code="abcd")).wait_for()
    assert page.locator("html").get_attribute("lang") == "ja"
    other = context.new_page()  # the same browser, later
    other.goto(server.url + "/")
    speaks(other, "ja")
    with other.expect_navigation():
        other.get_by_label(say("page_language")).select_option("en")
    speaks(other, "en")
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_popup_speaks_the_browsers_language(server, profiles, shoot, language):
    profile = profiles(f"in-{language}", language)
    say = says(language)
    popup = profile.open("popup.html")
    assert popup.get_by_role("button", name=say("popup_settings")).is_visible()
    assert popup.locator("#server").inner_text() == say(
        "popup_server", host=server.url.split("//")[1])
    speaks(popup, language)
    walk_the_screens(popup, server, language, shoot, f"popup-{language}")

    options = profile.open("options.html")
    assert options.title() == say("options_title")
    options.get_by_label(say("options_server")).fill("http://example.org")
    options.get_by_role("button", name=say("options_save"), exact=True).click()
    assert alert(options) == say("server_http_refused", host="example.org")
    assert unlabelled(options) == []
    shoot(options, f"options-{language}")

    # The background worker's notification, when nothing is selected.
    worker = next(found for found in profile.context.service_workers
                  if found.url.startswith(profile.base))
    said = worker.evaluate("globalThis.extextcloud.saveText('')")
    assert (said["title"], said["message"]) == (say("notify_nothing_title"),
                                                say("notify_nothing"))
    assert POPUP_SIZE["width"] >= popup.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("language", ["en", "ko", "ja", "zh-TW"])
def test_the_reveal_page_in_each_language(browser, server, shoot, language):
    """The server's own page follows Accept-Language (Playwright's locale sets it): look at it."""
    lang, protected, _, wrong = SAYS[language]
    code = server.write("secret", password="pw")
    context = browser.new_context(locale=language, viewport={"width": 480, "height": 560})
    try:
        tab = context.new_page()
        tab.goto(f"{server.url}/{code}")
        assert protected in tab.inner_text("main")
        tab.get_by_role("textbox").fill("not the password")
        tab.get_by_role("button").click()
        assert tab.get_by_role("alert").inner_text() == wrong
        assert tab.evaluate("document.documentElement.lang") == lang
        shoot(tab, f"reveal-{language}")
    finally:
        context.close()
