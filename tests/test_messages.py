"""The extension's messages, the one source of the popup's and the web page's words."""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "extension" / "_locales"
LANGUAGES = ["en", "ko", "ja", "zh_TW"]
# Where messages are used: by key in the scripts, in the pages and in the manifest.
USES = [r"""\b(?:message|parts)\(\s*"(\w+)\"""", r'data-message="(\w+)"', r"__MSG_(\w+)__"]
SOURCES = [*ROOT.glob("extension/*.js"), *ROOT.glob("extension/*.html"),
           ROOT / "extension/manifest.json", *ROOT.glob("saver/static/*.js"),
           ROOT / "saver/static/index.html"]


def contents(entry):
    """Each placeholder's name and what fills it ($1, $2…)."""
    return {name: spec["content"] for name, spec in entry.get("placeholders", {}).items()}


def messages(language):
    return json.loads((LOCALES / language / "messages.json").read_text(encoding="utf-8"))


def test_the_folders_are_the_languages():
    assert sorted(folder.name for folder in LOCALES.iterdir()) == sorted(LANGUAGES)
    manifest = json.loads((ROOT / "extension/manifest.json").read_text(encoding="utf-8"))
    assert manifest["default_locale"] == "en"


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_every_language_has_the_keys_and_placeholders_of_english(language):
    english, translated = messages("en"), messages(language)
    assert sorted(translated) == sorted(english)
    for key, entry in translated.items():
        assert entry["message"].strip(), f"{language}: {key} is empty"
        assert contents(entry) == contents(english[key]), f"{language}: {key}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_placeholder_used_is_defined_and_every_one_defined_is_used(language):
    """Chromium refuses to load an extension whose message names an undefined placeholder."""
    for key, entry in messages(language).items():
        used = {name.lower() for name in re.findall(r"\$(\w+)\$", entry["message"])}
        assert used == set(entry.get("placeholders", {})), f"{language}: {key}"


def test_the_messages_are_the_ones_the_code_uses():
    """No sentence in the code without a message, and no message nobody shows."""
    used = {key for source in SOURCES for pattern in USES
            for key in re.findall(pattern, source.read_text(encoding="utf-8"))}
    assert sorted(used - set(messages("en"))) == [], "used but not in messages.json"
    assert sorted(set(messages("en")) - used) == [], "in messages.json but not used"
