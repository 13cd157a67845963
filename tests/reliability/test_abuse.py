"""Brute force and enumeration: lockout shared by app processes, limits shared by daemons."""
import threading
from urllib.parse import quote

import redis
import requests

from deploy_support import DEBIAN_MPM
from support import apache_session, daemon_pids, report, scale
from test_outages import prepare

ATTEMPTS = 3


def test_password_lockout_holds_across_app_processes(app_servers, tmp_path):
    url = f"sqlite:///{tmp_path / 'saver.db'}"
    prepare(url)
    settings = {"DATABASE_URL": url, "SAVER_LOCKOUT_ATTEMPTS": ATTEMPTS,
                "SAVER_LOCKOUT_SECONDS": 600}
    first, second = app_servers(**settings), app_servers(**settings)
    code = requests.post(f"{first.url}/api/v1/texts",
                         json={"text": "locked away", "password": "right"}).json()["code"]
    guesses = scale(20, 200)
    statuses = []
    for guess in range(guesses):
        server = (first, second)[guess % 2]  # the guesser spreads over both processes
        statuses.append(requests.get(f"{server.url}/api/v1/texts/{code}",
                                     headers={"X-Password": quote(f"guess{guess}")}))
    right = [requests.get(f"{s.url}/api/v1/texts/{code}", headers={"X-Password": "right"})
             for s in (first, second)]
    codes = [r.status_code for r in statuses]
    report("brute force lockout", processes=2, attempts_allowed=ATTEMPTS, guesses=guesses,
           wrong_password_answers=codes.count(403), locked_answers=codes.count(423),
           right_password_while_locked=[r.status_code for r in right],
           retry_after=statuses[-1].headers.get("Retry-After"))
    assert codes == [403] * ATTEMPTS + [423] * (guesses - ATTEMPTS)
    assert all(0 < int(r.headers["Retry-After"]) <= 600 for r in statuses[ATTEMPTS:])
    assert [r.status_code for r in right] == [423, 423]  # even the owner waits


def test_walking_the_code_space_hits_the_miss_limit(app_servers, tmp_path):
    url = f"sqlite:///{tmp_path / 'saver.db'}"
    prepare(url)
    server = app_servers(DATABASE_URL=url, RATELIMIT_ENABLED="true",
                         SAVER_LIMIT_MISS="10/minute;100/hour")
    session = requests.Session()
    walked = scale(60, 600)
    statuses = [session.get(f"{server.url}/api/v1/texts/zz{a}{b}").status_code
                for a in "abcdefghij" for b in "abcdefghijklmnopqrstuvwxyz"][:walked]
    first_429 = statuses.index(429)
    report("enumeration one client", codes_walked=walked, misses_answered=first_429,
           limited=statuses.count(429))
    assert first_429 == 10 and set(statuses[first_429:]) == {429}


def test_limits_hold_across_mod_wsgi_daemons_with_redis(site_maker, private_redis):
    """Both daemon processes count misses in one Redis; the limit is overshot only by
    requests already in flight when it was reached (the miss is known after the lookup)."""
    # Workers for every walker: a small server short of idle workers closes
    # kept-alive connections, and a walker's next request on one fails.
    apache = site_maker(mpm=DEBIAN_MPM, RATELIMIT_ENABLED="true",
                        RATELIMIT_STORAGE_URI=private_redis.url, SAVER_LIMIT_MISS="10/minute")
    walkers = 16
    session, base = apache_session(apache, connections=walkers)
    statuses, lock = [], threading.Lock()

    def walk(letter):
        for second in "abcdefgh":
            status = session.get(f"{base}/api/v1/texts/zy{letter}{second}").status_code
            with lock:
                statuses.append(status)

    threads = [threading.Thread(target=walk, args=(c,)) for c in "abcdefghijklmnop"[:walkers]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store = redis.Redis.from_url(private_redis.url)
    counted = sum(int(store.get(key) or 0) for key in store.scan_iter("*/miss/*"))  # per client
    daemons = len(daemon_pids(apache))
    answered = sum(s != 429 for s in statuses)
    report("enumeration across daemons (Redis)", daemons=daemons, walkers=walkers,
           requests=len(statuses), misses_answered=answered, limit=10,
           overshoot=answered - 10, limited=statuses.count(429),
           misses_counted_in_redis=counted)
    assert daemons == 2
    assert len(statuses) == walkers * 8  # every walker's every request was answered
    assert set(statuses) <= {404, 429}
    assert counted == answered  # one shared count, not one per process
    assert 10 <= answered <= 10 + walkers - 1
