"""The QR code of a written text's URL: a phone's camera reads it off the screen.

The screenshots of the written screen are decoded by zbarimg, as a camera
would: the code must scan on the light and on the dark look.
"""
import pytest
import requests

from screens import POPUP_SIZE, scanned, write, written_code

pytestmark = pytest.mark.timeout(120)


def assert_scans_to_the_text(picture, page, server, code, text):
    """The picture holds one QR code: the URL shown under it, which answers the text."""
    url = f"{server.url}/{code}"
    assert scanned(picture) == [url]
    assert page.locator(".qr figcaption a").inner_text() == url
    assert page.get_by_role("img", name=f"QR code of {url}").is_visible()
    answer = requests.get(url, timeout=10)
    assert (answer.status_code, answer.text) == (200, text)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_page_shows_a_qr_code_of_the_url(server, browser, shoot, scheme):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, color_scheme=scheme)
    page = context.new_page()
    page.goto(server.url + "/")
    text = f"to the phone, {scheme}"
    write(page, text)
    code = written_code(page)
    page.locator(".qr-code").evaluate("img => img.decode()")
    picture = shoot(page, f"page-written-qr-{scheme}")
    assert_scans_to_the_text(picture, page, server, code, text)
    # Several centimetres on the screen: at 96 CSS pixels an inch, 200 px is 5.3 cm.
    box = page.locator(".qr-code").bounding_box()
    assert box["width"] >= 190 and box["height"] >= 190
    # The tile around the code stays white in dark mode too.
    tile = page.locator(".qr-tile").evaluate("tile => getComputedStyle(tile).backgroundColor")
    assert tile == "rgb(255, 255, 255)"
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_popup_shows_a_qr_code_of_the_url(server, profiles, shoot, scheme):
    popup = profiles("qr").open("popup.html")
    popup.emulate_media(color_scheme=scheme)
    text = f"from the popup, {scheme}"
    write(popup, text)
    code = written_code(popup)
    popup.locator(".qr-code").evaluate("img => img.decode()")
    picture = shoot(popup, f"popup-written-qr-{scheme}")
    assert_scans_to_the_text(picture, popup, server, code, text)
    assert popup.evaluate("document.documentElement.scrollWidth") <= POPUP_SIZE["width"]
    popup.close()


def test_drawing_a_qr_code_is_neither_a_read_nor_a_miss(server):
    """Only this site's URL for a code is drawn, and drawing one looks nothing up."""
    with server.limit("SAVER_LIMIT_MISS", "1/minute"), server.limit("SAVER_LIMIT_READ", "1/minute"):
        for code in ("abcd", "ZZZZ", "qrqr"):
            answer = requests.get(f"{server.url}/qr/{code}.svg", timeout=10)
            assert answer.status_code == 200
            assert answer.headers["Content-Type"].startswith("image/svg+xml")
            assert f"<title>{server.url}/{code}</title>" in answer.text
    for bad in ("abc", "abcde", "ab1d"):
        assert requests.get(f"{server.url}/qr/{bad}.svg", timeout=10).status_code == 404
    assert requests.get(f"{server.url}/qr/abcd.svg?url=https://evil.example/",
                        timeout=10).text.count("evil") == 0
