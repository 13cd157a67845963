"""The LINE bot against a fake LINE API on loopback, with bodies signed as LINE signs them."""
import base64
import hashlib
import hmac
import json
import logging
import re
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from fake_line import FakeLine
from saver import pool, texts
from saver.line import events as line_events
from saver.line import sender as line_sender
from saver.db import reading
from saver.extensions import db
from saver.line import languages as line_languages
from saver.line.replies import parse, pieces, units
from saver.models import LineEvent, Text

SECRET = "test-channel-secret"
TOKEN = "test-channel-access-token"


@pytest.fixture
def line_api():
    """A fake LINE API; it keeps answering until the test ends."""
    fake = FakeLine(TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def settings(settings, line_api, request):
    """The shared test settings with LINE on, pointed at the fake.

    A test changes settings before the app is made by parametrizing this
    fixture indirectly with a mapping of the changes.
    """
    settings.update(LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=TOKEN,
                    LINE_API_HOST=line_api.url)
    settings.update(getattr(request, "param", {}))
    return settings


def changed(**changes):
    """Parametrize a test with settings changed before its app is made."""
    return pytest.mark.parametrize("settings", [changes], indirect=True,
                                   ids=[",".join(changes)])


@pytest.fixture
def send(line_api, client):
    """Post signed events to the webhook and return the response."""
    def post(*events):
        return client.post("/line/callback", data=body_of(events),
                           headers={"X-Line-Signature": signature(body_of(events))})
    return post


def body_of(events):
    return json.dumps({"destination": "Ubot", "events": list(events)}).encode()


def signature(body, secret=SECRET):
    """Sign ``body`` the way LINE does: base64 of HMAC-SHA256 with the channel secret."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def event(message, user="Ualice", event_id=None, redelivery=False, kind="message", sent=None):
    """A webhook event as LINE sends it; ``message`` is a text or a message object.

    ``sent`` is when the event happened (a UTC datetime); by default, now.
    """
    if isinstance(message, str):
        message = {"type": "text", "id": "1", "quoteToken": "q", "text": message}
    sent = sent or datetime.now(timezone.utc)
    found = {"type": kind, "mode": "active", "timestamp": int(sent.timestamp() * 1000),
             "source": {"type": "user", "userId": user},
             "webhookEventId": event_id or uuid.uuid4().hex[:26].upper(),
             "deliveryContext": {"isRedelivery": redelivery},
             "replyToken": uuid.uuid4().hex}
    if kind == "message":
        found["message"] = message
    return found


def ask(send, line_api, message, **kwargs):
    """Send one message and return the texts of the bot's reply."""
    sent = event(message, **kwargs)
    assert send(sent).status_code == 200
    return line_api.reply_to(sent["replyToken"])


def saved_code(reply):
    return re.search(r"Your code is ([A-Za-z]{4})\.", reply[0]).group(1)


def write(client, text, **fields):
    answer = client.post("/api/v1/texts", json={"text": text, **fields})
    assert answer.status_code == 201, answer.json
    return answer.json["code"]


def count(app, model_or_kind):
    with app.app_context():
        if model_or_kind == "live":
            with reading() as connection:
                found = pool.counts(connection)["live"]
        else:
            found = db.session.scalar(select(func.count()).select_from(model_or_kind))
        db.session.rollback()
    return found


def test_a_text_is_saved_and_the_reply_gives_code_expiry_and_url(send, line_api, client):
    reply = ask(send, line_api, "meet at 7, gate B")
    assert len(reply) == 1
    code = saved_code(reply)
    assert "It expires in 1 hour (" in reply[0] and " UTC)" in reply[0]
    assert f"https://saver.test/{code}" in reply[0]
    assert client.get(f"/api/v1/texts/{code}").json["text"] == "meet at 7, gate B"
    assert line_api.replies[0]["headers"]["Authorization"] == f"Bearer {TOKEN}"


def test_a_code_loads_its_text(send, line_api, client):
    code = write(client, "first line\nsecond line 🎉")
    assert ask(send, line_api, code) == ["first line\nsecond line 🎉"]
    assert ask(send, line_api, f"  {code}\n") == ["first line\nsecond line 🎉"]


def test_password_protected_text(send, line_api, client):
    code = write(client, "the secret", password="sesame")
    assert "has a password" in ask(send, line_api, code)[0]
    assert ask(send, line_api, f"{code} wrong") == ["The password does not match."]
    assert ask(send, line_api, f"{code} sesame") == ["the secret"]
    assert ask(send, line_api, f"{code}\u3000sesame") == ["the secret"]  # full-width space


@changed(SAVER_LOCKOUT_ATTEMPTS=2, SAVER_LOCKOUT_SECONDS=900)
def test_wrong_passwords_lock_the_code(send, line_api, client):
    code = write(client, "the secret", password="pw")
    ask(send, line_api, f"{code} a")
    ask(send, line_api, f"{code} b")
    assert ask(send, line_api, f"{code} pw") == [
        f"Too many wrong passwords: the code {code} is locked for 15 minutes."]


def test_unknown_and_expired_codes_answer_a_sentence(app, send, line_api, client):
    assert ask(send, line_api, "aaZZ")[0].startswith("No text has the code aaZZ.")
    code = write(client, "gone soon")
    with app.app_context():
        texts.purge(code)
    assert ask(send, line_api, code) == [
        "The text with this code has expired, was deleted, or was erased after too many "
        "wrong passwords."]


def test_a_mistyped_code_and_password_are_never_saved(app, send, line_api, client):
    """A code that holds nothing, with its password: saved, anyone could read the password."""
    reply = ask(send, line_api, "qqqq MyBankPin-4711")
    assert reply == ["No text has the code qqqq, and I saved nothing: a 4-letter word and one "
                     "more word is read as a code and a password. To save it as a text, send: "
                     "save: qqqq MyBankPin-4711"]
    assert count(app, "live") == 0
    assert ask(send, line_api, "good")[0].startswith("No text has the code good.")
    assert count(app, "live") == 0


def test_save_colon_keeps_a_text_that_reads_as_a_code(send, line_api, client):
    reply = ask(send, line_api, "Save:  good night ")
    assert client.get(f"/api/v1/texts/{saved_code(reply)}").json["text"] == "good night"
    assert "begin it with save: (save: good night)" in ask(send, line_api, "help")[0]


def test_burn_after_reading_says_it_is_erased(send, line_api, client):
    code = write(client, "read once", max_views=1)
    assert ask(send, line_api, code) == [
        "read once", "That was its last reading: the text is now erased."]
    assert "expired" in ask(send, line_api, code)[0]


@pytest.mark.parametrize("message", ["help", "HELP", " Help ", "?", "ヘルプ"])
def test_help_explains_usage(send, line_api, message):
    reply = ask(send, line_api, message)
    assert len(reply) == 1 and "4-letter code" in reply[0] and "https://saver.test/" in reply[0]


def test_stickers_and_new_friends_get_the_usage(send, line_api, app):
    sticker = {"type": "sticker", "id": "2", "quoteToken": "q", "packageId": "1",
               "stickerId": "1", "stickerResourceType": "STATIC"}
    assert "4-letter code" in ask(send, line_api, sticker)[0]
    follow = event("", kind="follow")
    follow["follow"] = {"isUnblocked": False}
    assert send(follow).status_code == 200
    assert "4-letter code" in line_api.reply_to(follow["replyToken"])[0]
    assert count(app, "live") == 0


def test_a_long_text_is_split_into_messages(send, line_api, client):
    text = "".join(f"line {n:05d}\n" for n in range(1200))  # 13,200 units
    reply = ask(send, line_api, write(client, text))
    assert len(reply) == 3 and "".join(reply) == text
    assert all(units(message) <= 5000 and message.endswith("\n") for message in reply)


def test_a_text_longer_than_one_reply_points_to_the_web_page(send, line_api, client):
    text = "x" * 30000
    code = write(client, text)
    reply = ask(send, line_api, code)
    assert len(reply) == 5 and "".join(reply[:4]) == text[:20000]
    assert reply[4] == f"The text is too long for LINE: read all of it at https://saver.test/{code}"
    assert not line_api.rejected


def test_a_long_protected_or_erased_text_says_where_the_rest_is(send, line_api, client):
    protected = write(client, "y" * 26000, password="pw")
    assert ask(send, line_api, f"{protected} pw")[4] == (
        "The text is too long for LINE: read all of it on https://saver.test/ "
        "with its code and password.")
    burned = write(client, "z" * 26000, max_views=1)
    assert ask(send, line_api, burned)[4] == (
        "That was its last reading: the text is now erased.\n"
        "The text is too long for LINE: only its beginning could be shown.")


def test_emoji_count_two_utf16_units(send, line_api, client):
    text = "😀" * 2600  # 2,600 characters, 5,200 UTF-16 units
    reply = ask(send, line_api, write(client, text))
    assert [len(message) for message in reply] == [2500, 100]
    assert not line_api.rejected


def test_a_redelivered_event_is_not_saved_twice(app, send, line_api):
    first = event("save this only once", event_id="01HREDELIVERY00000000000000")
    assert send(first).status_code == 200
    again = dict(first, deliveryContext={"isRedelivery": True}, replyToken="another-token")
    assert send(again).status_code == 200
    assert saved_code(line_api.reply_to(first["replyToken"]))
    assert count(app, "live") == 1 and count(app, LineEvent) == 1
    with pytest.raises(AssertionError, match="no reply"):
        line_api.reply_to("another-token", timeout=0.2)


def test_the_sweep_forgets_event_ids_only_after_they_are_kept(app, send, line_api, runner):
    assert send(event("kept a while", event_id="01HKEPT00000000000000000000")).status_code == 200
    assert "forgot 0 old LINE events" in runner.invoke(args=["sweep"]).output
    later = datetime.now(timezone.utc) + line_events.KEEP + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert "forgot 1 old LINE events" in runner.invoke(args=["sweep"]).output
    assert count(app, LineEvent) == 0


def count_texts(app):
    with app.app_context():
        found = db.session.scalar(select(func.count()).select_from(Text))
        db.session.rollback()
    return found


def test_ids_are_kept_longer_than_any_event_is_accepted():
    """A replay inside the accepted age finds its id, whichever way the clocks are off."""
    assert line_events.KEEP >= line_events.MAX_AGE + 2 * line_events.CLOCK_SKEW


@pytest.mark.parametrize("age, handled", [
    (timedelta(0), True),
    (-line_events.CLOCK_SKEW, True),  # our clock a little behind LINE's
    (line_events.MAX_AGE, True),  # a late redelivery
    (line_events.MAX_AGE + line_events.CLOCK_SKEW + timedelta(minutes=1), False),
    (timedelta(days=400), False),
], ids=["fresh", "ahead", "late-redelivery", "just-too-old", "a-year-old"])
def test_an_event_is_handled_only_while_fresh(app, send, line_api, caplog, age, handled):
    caplog.set_level(logging.INFO)
    sent = event("a text sent a while ago", sent=datetime.now(timezone.utc) - age)
    assert send(sent).status_code == 200
    if handled:
        assert saved_code(line_api.reply_to(sent["replyToken"]))
        assert count_texts(app) == 1 and count(app, LineEvent) == 1
    else:
        with pytest.raises(AssertionError, match="no reply"):
            line_api.reply_to(sent["replyToken"], timeout=0.2)
        assert count_texts(app) == 0 and count(app, LineEvent) == 0
        assert any(record.levelno == logging.INFO and sent["webhookEventId"] in record.getMessage()
                   and "too old: ignored" in record.getMessage() for record in caplog.records)


def test_a_replayed_old_body_saves_nothing_and_sends_no_reply(app, line_api, client, runner):
    """A captured, validly signed body is played again once its id is forgotten: nothing happens."""
    sent = event("meet me at the gate", event_id="01HREPLAY000000000000000000")
    body = body_of([sent])
    headers = {"X-Line-Signature": signature(body)}
    assert client.post("/line/callback", data=body, headers=headers).status_code == 200
    assert saved_code(line_api.reply_to(sent["replyToken"]))
    later = datetime.now(timezone.utc) + line_events.KEEP + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert "forgot 1 old LINE events" in runner.invoke(args=["sweep"]).output
        before = count_texts(app)
        replayed = client.post("/line/callback", data=body, headers=headers)
        assert replayed.status_code == 200
        assert count_texts(app) == before  # nothing saved
    assert count(app, LineEvent) == 0  # not even its id came back
    time.sleep(0.2)  # the sender would have replied by now
    assert len(line_api.replies) == 1  # the first delivery's reply only


def test_racing_deliveries_of_one_event_save_once(app, line_api, client):
    sent = event("raced", event_id="01HRACE0000000000000000000")
    body = body_of([sent])
    statuses = []

    def deliver():
        statuses.append(client.post("/line/callback", data=body,
                                    headers={"X-Line-Signature": signature(body)}).status_code)
    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4
    assert count(app, "live") == 1 and count(app, LineEvent) == 1


@pytest.mark.parametrize("headers_for", [
    lambda body: {},
    lambda body: {"X-Line-Signature": ""},
    lambda body: {"X-Line-Signature": "bm90IGl0"},
    lambda body: {"X-Line-Signature": signature(b"another body")},
    lambda body: {"X-Line-Signature": signature(body, "another-secret")},
], ids=["missing", "empty", "garbage", "other-body", "other-secret"])
def test_a_missing_or_wrong_signature_is_refused_and_nothing_is_stored(app, line_api, client,
                                                                       headers_for):
    body = body_of([event("sneaky text here")])
    answer = client.post("/line/callback", data=body, headers=headers_for(body))
    assert answer.status_code == 400 and answer.json["error"] == "bad_request"
    assert count(app, "live") == 0 and count(app, LineEvent) == 0 and not line_api.replies


def test_a_signed_body_that_is_not_a_webhook_is_refused(line_api, client):
    body = b"not json"
    answer = client.post("/line/callback", data=body, headers={"X-Line-Signature": signature(body)})
    assert answer.status_code == 400


def test_the_verification_call_answers_200(app, send, line_api):
    assert send().status_code == 200
    assert count(app, LineEvent) == 0 and not line_api.replies


@changed(LINE_CHANNEL_SECRET=None, LINE_CHANNEL_ACCESS_TOKEN=None)
def test_without_line_settings_the_endpoint_is_404_and_the_rest_works(client):
    body = body_of([event("hello")])
    answer = client.post("/line/callback", data=body, headers={"X-Line-Signature": signature(body)})
    assert answer.status_code == 404 and answer.json["error"] == "not_found"
    assert client.post("/api/v1/texts", json={"text": "still fine"}).status_code == 201


def wait_for_log(caplog, needle, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(needle in record.getMessage() for record in caplog.records):
            return
        time.sleep(0.02)
    raise AssertionError(f"no log line with {needle!r}")


def test_a_line_api_answering_500_is_logged_and_the_text_kept(app, send, line_api, caplog):
    line_api.mode = "error"
    assert send(event("kept in any case")).status_code == 200
    wait_for_log(caplog, "LINE reply failed: HTTP 500")
    assert count(app, "live") == 1


def test_a_line_api_that_never_answers_does_not_slow_the_webhook(send, line_api, caplog,
                                                                 monkeypatch):
    monkeypatch.setattr(line_sender, "REPLY_TIMEOUT", (1.0, 0.3))
    monkeypatch.setattr(line_languages, "PROFILE_TIMEOUT", (1.0, 0.3))
    line_api.mode = "hang"
    started = time.monotonic()
    for n in range(6):  # more than the sender pool's threads
        assert send(event(f"a text to keep, number {n}")).status_code == 200
    assert time.monotonic() - started < 1.0  # six webhooks, each well under 0.2 s
    wait_for_log(caplog, "LINE reply failed")
    assert any("timed out" in record.getMessage() for record in caplog.records)


def test_a_reply_queued_too_long_is_dropped(send, line_api, caplog, monkeypatch):
    monkeypatch.setattr(line_sender, "REPLY_TOKEN_LIFETIME", -1.0)
    assert send(event("late")).status_code == 200
    wait_for_log(caplog, "LINE reply dropped")
    assert not line_api.replies


@changed(RATELIMIT_ENABLED=True, SAVER_LIMIT_WRITE="2/minute")
def test_rate_limits_count_each_line_user(send, line_api):
    alice, bob = f"U{uuid.uuid4().hex}", f"U{uuid.uuid4().hex}"
    for n in range(2):
        saved_code(ask(send, line_api, f"my text {n}", user=alice))
    assert ask(send, line_api, "one too many", user=alice)[0].startswith(
        "You are sending too many messages: try again in ")
    saved_code(ask(send, line_api, "bob can save", user=bob))


@changed(RATELIMIT_ENABLED=True, SAVER_LIMIT_WRITE_GLOBAL="3/minute")
def test_line_writes_count_in_the_budget_of_the_whole_service(send, line_api, client):
    for n in range(2):
        saved_code(ask(send, line_api, f"my text {n}", user=f"U{uuid.uuid4().hex}"))
    assert client.post("/api/v1/texts", json={"text": "third"}).status_code == 201
    assert ask(send, line_api, "the fourth", user=f"U{uuid.uuid4().hex}")[0].startswith(
        "extextcloud is busy right now: try again in ")


@changed(RATELIMIT_ENABLED=True, SAVER_LIMIT_MISS="2/minute")
def test_misses_are_limited_per_user(send, line_api):
    walker = f"U{uuid.uuid4().hex}"
    for code in ("aaZX", "aaZY"):
        assert ask(send, line_api, code, user=walker)[0].startswith("No text has")
    assert ask(send, line_api, "aaZZ", user=walker)[0].startswith("You are sending too many")


@pytest.mark.parametrize("message, kind, code, password", [
    ("abcd", "load", "abcd", None),
    ("abcd pass", "load", "abcd", "pass"),
    ("abcd\u3000pass ", "load", "abcd", "pass"),
    ("meet at 7", "save", None, None),
    ("abcd\npassword", "save", None, None),
    ("abcde", "save", None, None),
    ("help me", "load", "help", "me"),
    ("ab1d", "save", None, None),
])
def test_parse(message, kind, code, password):
    command = parse(message)
    assert (command.kind, command.code, command.password) == (kind, code, password)


@pytest.mark.parametrize("text", [
    "x" + "👨‍👩‍👧" * 2000,  # joined family emoji: never cut inside one
    "x" + "🇯🇵" * 3000,  # flags are pairs of code points
    "e\u0301" * 6000,  # an accent stays with its letter
])
def test_pieces_never_cut_what_reads_as_one_character(text):
    found = list(pieces(text))
    assert "".join(found) == text
    assert all(units(piece) <= 5000 for piece in found)
    for piece in found[1:]:
        assert piece[0] not in "\u200d\u0301" and piece[:2] in ("👨\u200d", "🇯🇵", "e\u0301")


# What each language's replies begin with, to recognise them by.
SAVED = {"en": "Saved. Your code is ", "ko": "저장했습니다. 코드는 ",
         "ja": "保存しました。コードは ", "zh_Hant_TW": "已儲存。您的代碼是 "}


@pytest.mark.parametrize("language, locale", [
    ("en", "en"), ("ko", "ko"), ("ja", "ja"), ("zh-TW", "zh_Hant_TW"), ("zh-Hant", "zh_Hant_TW"),
    ("fr", "en"), ("zh-Hans", "en"), (None, "en"),  # None: no language in the profile
])
def test_the_bot_answers_in_the_language_of_the_users_line_profile(send, line_api, client,
                                                                   language, locale):
    user = f"U{uuid.uuid4().hex}"
    line_api.languages[user] = language
    reply = ask(send, line_api, "meet at the station", user=user)
    assert reply[0].startswith(SAVED[locale]) and " UTC" in reply[0]
    code = re.search(r"[A-Za-z]{4}", reply[0][len(SAVED[locale]):]).group(0)
    assert client.get(f"/api/v1/texts/{code}").json["text"] == "meet at the station"
    assert line_api.profile_lookups == [user]


# The help word, then what the help and each reply say: no text, no text with a
# word after it, a password needed, a wrong password, the last reading, expired.
SAYS = {
    "ko": ("도움말", ["1시간 동안 보관하고", "웹 페이지: https://saver.test/"], [
        "코드 qqqq의 텍스트가 없습니다.", "저장하려면 이렇게 보내 주세요: save: qqqq word",
        "비밀번호가 있는 텍스트입니다.", "비밀번호가 일치하지 않습니다.",
        "이번이 마지막 읽기였습니다.", "만료되었거나 삭제되었거나"]),
    "ja": ("ヘルプ", ["1 時間保管して", "ウェブページ: https://saver.test/"], [
        "コード qqqq のテキストはありません。", "次のように送ってください: save: qqqq word",
        "パスワード付きのテキストです。", "パスワードが違います。",
        "これが最後の閲覧でした。", "期限切れか削除済みです。"]),
    "zh-TW": ("說明", ["我會保存 1 小時", "網頁：https://saver.test/"], [
        "沒有代碼為 qqqq 的文字。", "請傳送：save: qqqq word",
        "這段文字有密碼", "密碼不正確。",
        "這是最後一次閱讀", "已過期、已刪除"]),
}


@pytest.mark.parametrize("language", SAYS)
def test_help_and_every_reply_are_translated(send, line_api, client, language):
    help_word, helps, says = SAYS[language]
    user = f"U{uuid.uuid4().hex}"
    line_api.languages[user] = language
    helped = ask(send, line_api, help_word, user=user)
    assert len(helped) == 1 and all(part in helped[0] for part in helps), helped
    protected = write(client, "the secret", password="pw")
    burned = write(client, "once", max_views=1)
    replies = [ask(send, line_api, message, user=user) for message in (
        "qqqq", "qqqq word", protected, f"{protected} wrong", burned, burned)]
    assert replies[4][0] == "once"
    for reply, said in zip(replies, says):
        assert said in reply[-1], reply


@pytest.mark.parametrize("profile_mode", ["error", "missing", "hang"])
def test_a_profile_that_cannot_be_had_gets_english_at_once(send, line_api, caplog, monkeypatch,
                                                           profile_mode):
    monkeypatch.setattr(line_languages, "PROFILE_TIMEOUT", (1.0, 0.3))
    line_api.profile_mode = profile_mode
    user = f"U{uuid.uuid4().hex}"
    line_api.languages[user] = "ja"
    started = time.monotonic()
    sent = event("a text to keep", user=user)
    assert send(sent).status_code == 200
    assert time.monotonic() - started < 0.5  # the webhook never waits for the profile
    assert line_api.reply_to(sent["replyToken"])[0].startswith(SAVED["en"])
    wait_for_log(caplog, "LINE profile not read")


def test_a_users_language_is_kept_a_day(send, line_api):
    user = f"U{uuid.uuid4().hex}"
    line_api.languages[user] = "ko"
    assert ask(send, line_api, "first", user=user)[0].startswith(SAVED["ko"])
    assert ask(send, line_api, "second", user=user)[0].startswith(SAVED["ko"])
    assert line_api.profile_lookups == [user]  # the second message did not ask again
    line_api.languages[user] = "ja"  # the user changed LINE's language
    later = datetime.now(timezone.utc) + timedelta(seconds=line_languages.KEEP + 60)
    with time_machine.travel(later, tick=True):
        assert ask(send, line_api, "a day later", user=user, sent=later)[0].startswith(
            SAVED["ja"])
    assert line_api.profile_lookups == [user, user]


def test_a_failed_lookup_is_tried_again_and_a_missing_profile_is_not(send, line_api):
    failing, stranger = f"U{uuid.uuid4().hex}", f"U{uuid.uuid4().hex}"
    line_api.profile_mode = "error"
    ask(send, line_api, "one", user=failing)
    line_api.profile_mode = "missing"
    ask(send, line_api, "one", user=stranger)
    line_api.profile_mode = "ok"
    line_api.languages.update({failing: "ko", stranger: "ko"})
    assert ask(send, line_api, "two", user=failing)[0].startswith(SAVED["ko"])
    assert ask(send, line_api, "two", user=stranger)[0].startswith(SAVED["en"])
    assert line_api.profile_lookups == [failing, stranger, failing]


def test_a_group_without_a_user_gets_english_without_a_lookup(send, line_api):
    sent = event("from a group")
    sent["source"] = {"type": "group", "groupId": f"C{uuid.uuid4().hex}"}
    assert send(sent).status_code == 200
    assert line_api.reply_to(sent["replyToken"])[0].startswith(SAVED["en"])
    assert line_api.profile_lookups == []
