"""The pages the server renders speak the reader's language, by Accept-Language.

English, Korean, Japanese and Traditional Chinese; English for any other
language and for a header that cannot be read. The API stays English. The
catalogs are complete, compile, and hold every message the code says.
"""
import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale, get_babel

from saver.wording import duration

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "saver" / "translations"
CATALOGS = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))

# What each language's pages say, to recognise them by: (HTML lang, the password form's
# sentence, the button of a view-limited text, the wrong-password sentence).
SAYS = {
    "en": ("en", "This text is protected by a password.", "Show the text",
           "The password does not match."),
    "ko": ("ko", "비밀번호로 보호된 텍스트입니다.", "텍스트 보기", "비밀번호가 일치하지 않습니다."),
    "ja": ("ja", "このテキストはパスワードで保護されています。", "テキストを表示",
           "パスワードが違います。"),
    "zh-TW": ("zh-Hant-TW", "這段文字受密碼保護", "顯示文字", "密碼不正確。"),
}
# Accept-Language as browsers send it, and the language each should get.
HEADERS = [
    ("en-US,en;q=0.9", "en"),
    ("ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7", "ko"),
    ("ja,en-US;q=0.9,en;q=0.8", "ja"),
    ("zh-TW,zh;q=0.9,en-US;q=0.8,en;q=0.7", "zh-TW"),
    ("zh-HK,zh;q=0.9", "zh-TW"),
    ("zh-Hant", "zh-TW"),
    ("fr-FR,fr;q=0.9", "en"),
    ("zh-CN,zh;q=0.9", "en"),  # Simplified Chinese: none of ours, as on the page
    ("zh-CN,zh;q=0.9,ja;q=0.8", "ja"),
    ("fr;q=1.0, ja;q=0.5, ko;q=0.8", "ko"),  # the highest q we speak
    ("ja;q=0, ko;q=0.1", "ko"),  # q=0 means "not this one"
    ("de, *;q=0.5", "en"),
]
HOSTILE = [
    "", "*", ";;;,,,", "q=abc", "ja;q=abc", "ja;q=1.5", "ja;q=-1", "en;q=0",
    "\u00ff\u00fe", "x" * 8000, ",".join(["ko;q=0.5"] * 2000), "zh-" + "a" * 300,
    "ja;q=0.5;q=0.9", "\t ja \t", "ko\\", "ja\"", "ja, ko; q = 0.8",
]


def protected_code(client):
    return client.post("/api/v1/texts", json={"text": "secret", "password": "pw"}).json["code"]


def page(client, path, language, method="get", **kwargs):
    headers = {"Accept": "text/html"}
    if language is not None:
        headers["Accept-Language"] = language
    return getattr(client, method)(path, headers=headers, **kwargs)


def html_lang(answer):
    return re.search(r'<html lang="([^"]+)">', answer.text).group(1)


@pytest.mark.parametrize("header, language", HEADERS)
def test_the_password_form_speaks_the_readers_language(client, header, language):
    lang, protected, _, wrong = SAYS[language]
    code = protected_code(client)
    form = page(client, f"/{code}", header)
    assert form.status_code == 401 and form.mimetype == "text/html"
    assert html_lang(form) == lang and protected in form.text
    assert form.headers["Vary"] == "Accept-Language"
    refused = page(client, f"/{code}", header, method="post", data={"password": "nope"})
    assert refused.status_code == 403 and wrong in refused.text
    assert page(client, f"/{code}", header, method="post", data={"password": "pw"}).text == "secret"


@pytest.mark.parametrize("language", SAYS)
def test_the_reveal_page_of_a_view_limited_text(client, language):
    lang, _, button, _ = SAYS[language]
    code = client.post("/api/v1/texts", json={"text": "once", "max_views": 1}).json["code"]
    reveal = page(client, f"/{code}", language)
    assert reveal.status_code == 200 and html_lang(reveal) == lang
    assert f"<button type=\"submit\">{button}</button>" in reveal.text
    assert f'href="/?report={code}"' in reveal.text  # the link survives every translation
    assert page(client, f"/{code}", language, method="post").text == "once"
    gone = page(client, f"/{code}", language, method="post")
    assert gone.status_code == 410 and "<form" not in gone.text


@pytest.mark.parametrize("language, says", [
    ("en", "Too many wrong passwords: this code is locked for a while. Try again in 15 minutes."),
    ("ko", "잠시 잠겼습니다. 15분 후에 다시 시도하세요."),
    ("ja", "しばらくロックされています。15 分後にもう一度お試しください。"),
    ("zh-TW", "暫時被鎖定。請在 15 分鐘後再試一次。"),
])
def test_a_locked_code_says_when_to_try_again_in_words(short_lockout, client, language, says):
    code = protected_code(client)
    page(client, f"/{code}", language, method="post", data={"password": "wrong"})
    locked = page(client, f"/{code}", language, method="post", data={"password": "pw"})
    assert locked.status_code == 423 and says in locked.text, re.findall(r"alert.>.*", locked.text)


@pytest.fixture
def short_lockout(settings):
    settings.update(SAVER_LOCKOUT_ATTEMPTS=1, SAVER_LOCKOUT_SECONDS=900)
    return settings


@pytest.mark.parametrize("language, expires", [
    ("en", r"It expires in 1 hour, at \w{3} \d+, \d{4}, \d+:\d\d:\d\d\s[AP]M UTC\."),
    ("ko", r"1시간 후\(\d{4}\. \d+\. \d+\. (오전|오후) \d+:\d\d:\d\d UTC\)에 만료됩니다\."),
    ("ja", r"1 時間後（\d{4}/\d\d/\d\d \d+:\d\d:\d\d UTC）に期限が切れます。"),
    ("zh-TW", r"將在 1 小時後（\d{4}年\d+月\d+日 \S+\d+:\d\d:\d\d UTC）到期。"),
])
def test_the_share_page_says_the_expiry_in_the_readers_words(client, language, expires):
    shared = page(client, "/share", language, method="post", data={"text": "from my phone"})
    assert shared.status_code == 200 and shared.headers["Vary"] == "Accept-Language"
    assert html_lang(shared) == SAYS[language][0]
    assert re.search(expires, shared.text), shared.text


@pytest.mark.parametrize("language, says", [
    ("en", "Nothing was shared: share a text or a link."),
    ("ko", "공유된 내용이 없습니다."),
    ("ja", "共有された内容がありません。"),
    ("zh-TW", "沒有收到分享的內容"),
])
def test_the_share_pages_error_is_translated(client, language, says):
    refused = page(client, "/share", language, method="post", data={"text": " "})
    assert refused.status_code == 400 and says in refused.text


@pytest.mark.parametrize("header", HOSTILE)
def test_a_malformed_accept_language_gets_english_never_a_500(client, header):
    code = protected_code(client)
    form = client.get(f"/{code}", headers={"Accept": "text/html", "Accept-Language": header})
    assert form.status_code == 401
    assert html_lang(form) in {lang for lang, *_ in SAYS.values()}


def test_the_api_stays_english_and_never_asks_the_language(app, client):
    asked = []
    babel = get_babel(app)
    choose = babel.locale_selector
    babel.locale_selector = lambda: asked.append(1) or choose()
    headers = {"Accept-Language": "ko"}
    code = client.post("/api/v1/texts", json={"text": "hi", "password": "pw"},
                       headers=headers).json["code"]
    answer = client.get(f"/api/v1/texts/{code}", headers=headers)
    assert answer.status_code == 401
    assert answer.json == {"error": "password_required",
                           "message": "This text is protected: send its password."}
    assert "Vary" not in answer.headers or "Accept-Language" not in answer.headers["Vary"]
    assert client.get(f"/{code}", headers={**headers, "X-Password": "pw"}).text == "hi"
    assert asked == []
    assert "비밀번호" in page(client, f"/{code}", "ko").text
    assert asked == [1]  # once per page, however many sentences it has


@pytest.mark.parametrize("catalog", CATALOGS, ids=[path.parts[-3] for path in CATALOGS])
def test_every_message_is_translated_and_compiles(catalog):
    with catalog.open("rb") as po:
        messages = read_po(po, abort_invalid=True)
    assert messages.fuzzy is False
    assert not messages.obsolete, "remove the obsolete (#~) messages"
    for message in messages:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{catalog}: {message.id!r} is not translated"
        assert "fuzzy" not in message.flags, f"{catalog}: {message.id!r} is fuzzy"
    assert [error for _, errors in messages.check() for error in errors] == []
    write_mo(io.BytesIO(), messages)


def test_the_catalogs_hold_every_message_of_the_code_and_no_other():
    """Catch a sentence added to the code without `make translations` (or left after removal)."""
    method_map, options_map = parse_mapping_cfg(io.StringIO((ROOT / "babel.cfg").read_text()))
    extracted = {message for _, _, message, *_ in extract_from_dir(
        ROOT, method_map, options_map, keywords={**DEFAULT_KEYWORDS, "_l": None})}
    extracted = {message[0] if isinstance(message, tuple) else message for message in extracted}
    assert len(CATALOGS) == 3
    for catalog in CATALOGS:
        with catalog.open("rb") as po:
            ids = {message.id[0] if isinstance(message.id, tuple) else message.id
                   for message in read_po(po) if message.id}
        assert sorted(extracted - ids) == [] and sorted(ids - extracted) == [], catalog


@pytest.mark.parametrize("locale, said", [
    ("en", ["59 seconds", "1 minute", "1 hour", "1 hour, 30 minutes", "1 day, 1 hour",
            "30 days", "23 hours, 59 minutes"]),
    ("ko", ["59초", "1분", "1시간", "1시간 30분", "1일 1시간", "30일", "23시간 59분"]),
    ("ja", ["59 秒", "1 分", "1 時間", "1 時間 30 分", "1 日 1 時間", "30 日", "23 時間 59 分"]),
    ("zh_Hant_TW", ["59 秒", "1 分鐘", "1 小時", "1 小時 30 分鐘", "1 天 1 小時", "30 天",
                    "23 小時 59 分鐘"]),
])
def test_durations_in_words_never_round_up(app, locale, said):
    with app.app_context(), force_locale(locale):
        assert [duration(s) for s in (59, 60, 3600, 5400, 90061, 30 * 86400, 86399)] == said
