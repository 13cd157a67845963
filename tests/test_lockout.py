"""The password lockout: attempts taken before the hash, doubling locks, erasing at the end."""
import threading
from collections import Counter
from datetime import datetime, timezone

import pytest
import time_machine

START = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def protected(client, password="right"):
    response = client.post("/api/v1/texts", json={"text": "hello", "password": password,
                                                  "expires_in": 30 * 86400})
    assert response.status_code == 201, response.json
    return response.json


def guess(client, code, password):
    return client.get(f"/api/v1/texts/{code}", headers={"X-Password": password})


def test_parallel_guesses_are_checked_at_most_attempts_times(app, client):
    """Twelve guesses at once: five are checked, whatever their timing; seven are refused."""
    app.config.update(SAVER_SCRYPT_N=2**12)  # a hash slow enough for the guesses to overlap
    code = protected(client)["code"]
    answers = []
    start = threading.Barrier(12)

    def guesser():
        start.wait()
        answers.append(guess(app.test_client(), code, "wrong").status_code)
    threads = [threading.Thread(target=guesser) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(answers) == {403: 5, 423: 7}


def test_a_right_password_gives_the_attempts_back(app, client):
    code = protected(client)["code"]
    for _ in range(3):
        for _ in range(4):
            assert guess(client, code, "wrong").status_code == 403
        assert guess(client, code, "right").status_code == 200
    assert guess(client, code, "wrong").status_code == 403  # still not locked


def test_each_lock_lasts_twice_the_last(app, client, clock):
    app.config.update(SAVER_LOCKOUT_ATTEMPTS=2, SAVER_LOCKOUT_SECONDS=600)
    code = protected(client)["code"]
    for lock in (600, 1200, 2400):
        assert [guess(client, code, "wrong").status_code for _ in range(2)] == [403, 403]
        locked = guess(client, code, "right")
        assert locked.status_code == 423 and int(locked.headers["Retry-After"]) == lock
        clock.shift(lock)
    assert guess(client, code, "right").json["text"] == "hello"


def test_too_many_wrong_passwords_in_all_erase_the_text(app, client, clock, conserved):
    app.config.update(SAVER_LOCKOUT_ATTEMPTS=2, SAVER_LOCKOUT_SECONDS=60,
                      SAVER_LOCKOUT_MAX_FAILURES=5)
    code = protected(client)["code"]
    statuses = []
    while len(statuses) < 5:
        answer = guess(client, code, "wrong")
        if answer.status_code == 423:
            clock.shift(int(answer.headers["Retry-After"]))
            continue
        statuses.append(answer.status_code)
    assert statuses == [403] * 4 + [410]
    assert answer.json["error"] == "erased"
    after = guess(client, code, "right")
    assert after.status_code == 410 and after.json["error"] == "expired"
    assert "erased after too many wrong passwords" in after.json["message"]
    assert conserved()["resting"] == 1 and conserved()["live"] == 0


def test_the_delete_token_works_while_the_code_is_locked(app, client, conserved):
    app.config.update(SAVER_LOCKOUT_ATTEMPTS=1)
    written = protected(client)
    assert guess(client, written["code"], "wrong").status_code == 403
    assert guess(client, written["code"], "right").status_code == 423
    deleted = client.delete(f"/api/v1/texts/{written['code']}",
                            headers={"X-Delete-Token": written["delete_token"]})
    assert deleted.status_code == 204
    assert conserved()["live"] == 0
