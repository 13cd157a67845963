"""Steps on the shared Write/Load screens, the same in the popup and on the page.

Kept out of conftest.py so test modules can import it: every conftest.py
is a module named ``conftest``.
"""
import json
import re
import shutil
import subprocess
from pathlib import Path

EXTENSION = Path(__file__).resolve().parents[2] / "extension"
POPUP_SIZE = {"width": 392, "height": 600}
PHONE_SIZE = {"width": 375, "height": 740}


def write(page, text, password="", expiry=None, burn=False):
    """Fill the Write tab and send it."""
    page.get_by_role("tab", name="Write").click()
    page.get_by_label("Text", exact=True).fill(text)
    if expiry:
        page.get_by_label("Expires after").select_option(label=expiry)
    page.get_by_label("Password (optional)").fill(password)
    page.get_by_label("Burn after reading").set_checked(burn)
    page.get_by_role("button", name="Save and get a code").click()


def written_code(page):
    """Return the big code shown after a write."""
    code = page.locator(".code").inner_text(timeout=10_000)
    assert re.fullmatch(r"[a-zA-Z]{4}", code)
    return code


def scanned(picture):
    """Return what the QR codes in the PNG file ``picture`` say, decoded by Debian's zbarimg."""
    zbarimg = shutil.which("zbarimg")
    assert zbarimg, "zbarimg is missing: apt-get install zbar-tools (scripts/dev-deps)"
    found = subprocess.run([zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable",
                            str(picture)], capture_output=True, text=True, timeout=30)
    assert found.returncode in (0, 4), found.stderr  # 4: no code in the picture
    return found.stdout.splitlines()


def load(page, code, password=""):
    """Fill the Load tab and send it."""
    page.get_by_role("tab", name="Load").click()
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_label("Password (if any)").fill(password)
    page.get_by_role("button", name="Load the text").click()


def loaded_text(page):
    return page.get_by_label("The text").input_value(timeout=10_000)


def report(page, reason):
    """Open the report form of the text shown, fill in ``reason`` and send it."""
    page.get_by_role("button", name="Report this text").click()
    page.get_by_label("What is wrong with this text?").fill(reason)
    page.get_by_role("button", name="Send").click()


THANKS = "Thank you. The site's operator will look at it."


def thanked(page):
    """Wait for the thank-you of a report that the server took."""
    page.get_by_role("status").filter(has_text=THANKS).wait_for(timeout=10_000)
    return True


def reported_sentence(code):
    return (f"Readers reported the text {code}, so it is not shown until the site's operator "
            "has looked at it.")


def focused(locator):
    return locator.evaluate("element => element === document.activeElement")


def alert(page):
    """Return the error sentence the screen shows."""
    return page.get_by_role("alert").inner_text(timeout=10_000)


def fits_width(page):
    """True when nothing sticks out sideways (no horizontal scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


UNLABELLED = """() => [...document.querySelectorAll("input, select, textarea, button")]
  .filter((control) => !control.closest("[hidden]"))
  .filter((control) => control.tagName === "BUTTON"
    ? !control.textContent.trim() && !control.getAttribute("aria-label")
    : control.labels.length === 0 && !control.getAttribute("aria-label"))
  .map((control) => control.outerHTML)"""


def unlabelled(page):
    """Return the visible controls that have no label or name (should be none)."""
    return page.evaluate(UNLABELLED)


LANGUAGES = ["en", "ko", "ja", "zh-TW"]


def says(language):
    """Return ``say(key, **placeholders)``: the extension's message ``key`` in ``language``."""
    folder = language.replace("-", "_")
    messages = json.loads((EXTENSION / "_locales" / folder / "messages.json").read_text("utf-8"))

    def say(key, **placeholders):
        text = messages[key]["message"]
        for name, value in placeholders.items():
            text = text.replace(f"${name.upper()}$", str(value))
        assert "$" not in text, f"{key}: a placeholder is missing in {text!r}"
        return text
    return say
