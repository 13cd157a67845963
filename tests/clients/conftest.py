"""Fixtures for the browser tests: a live server on loopback and Chromium driven by Playwright.

The server is the real app in a thread (werkzeug's ``make_server`` on
127.0.0.1) on a SQLite file; the browser is Debian's Chromium, never a
downloaded one. Screenshots go to ``test-artifacts/screenshots/`` so a
person can look at every screen after the run.
"""
import contextlib
import hashlib
import os
from datetime import timedelta

import pytest
from playwright.sync_api import sync_playwright

from saver import create_app, pool, reports, texts
from saver.extensions import db
from saver.models import utcnow
from screens import EXTENSION, POPUP_SIZE
import services
from services import TEST_SETTINGS

SCREENSHOTS = EXTENSION.parent / "test-artifacts" / "screenshots"
CHROMIUMS = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
# The flags that keep a headless Chromium quiet and off the network.
CHROMIUM_ARGS = ["--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
# Rate limits on but generous: a test shrinks one for a while (LiveServer.limit).
SETTINGS = {
    **TEST_SETTINGS,
    "SERVER_NAME": None,  # links to the live server's own address
    "RATELIMIT_ENABLED": True,
    "SAVER_LIMIT_WRITE": "1000/minute",
    "SAVER_LIMIT_READ": "1000/minute",
    "SAVER_LIMIT_MISS": "1000/minute",
    "SAVER_LIMIT_REPORT": "1000/minute",
    "SAVER_LOCKOUT_ATTEMPTS": 3,
}


class LiveServer(services.LiveServer):
    """The app on 127.0.0.1, with what the browser tests do to it behind the browser's back."""

    def write(self, body, **options):
        """Store a text directly through the domain, as another client would."""
        with self.app.app_context():
            return texts.write(body, **options).code

    def report_from(self, address, code, reason="spam"):
        """Report a text as the reader at ``address`` (every browser here is 127.0.0.1)."""
        answer = self.app.test_client().post(f"/api/v1/texts/{code}/report",
                                             json={"reason": reason},
                                             environ_base={"REMOTE_ADDR": address})
        assert answer.status_code == 200, answer.json

    def reports(self, code):
        """Return the server's record of the reports of ``code`` (``reports.Reported``), or None."""
        with self.app.app_context():
            return next((made for made in reports.open_reports() if made.code == code), None)

    def outlive(self, seconds):
        """Run the app's own sweep as if ``seconds`` had passed: expired texts end."""
        with self.app.app_context():
            texts.sweep(now=utcnow() + timedelta(seconds=seconds))

    @contextlib.contextmanager
    def limit(self, name, value):
        """Apply a rate limit for a while (each request reads the limits from the config)."""
        saved = self.app.config[name]
        self.app.config[name] = value
        try:
            yield
        finally:
            self.app.config[name] = saved


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A live server on a fresh SQLite database with a seeded pool."""
    database = tmp_path_factory.mktemp("live") / "saver.db"
    app = create_app({**SETTINGS, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    with app.app_context():
        db.create_all()
        pool.seed()
    live = LiveServer(app)
    yield live
    live.stop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def chromium():
    """The path of Debian's Chromium; the tests need it and download none."""
    found = next((path for path in CHROMIUMS if os.access(path, os.X_OK)), None)
    if found is None:
        pytest.fail("Chromium is not installed: apt-get install chromium "
                    f"(looked for {', '.join(CHROMIUMS)})")
    return found


@pytest.fixture(scope="session")
def playwright():
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def shoot():
    """Return ``shoot(page, name)``: save a screenshot of the whole page for people to see.

    It returns the picture's path, for a test that reads the picture (a QR code).
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path
    return take


def extension_id(directory):
    """Chromium's id of an unpacked extension: a hash of its absolute path, in a..p."""
    digest = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:32]
    return "".join(chr(ord("a") + int(digit, 16)) for digit in digest)


class Profile:
    """One browser profile with the extension loaded: one user's computer."""

    def __init__(self, context):
        self.context = context
        self.base = f"chrome-extension://{extension_id(EXTENSION)}"

    def open(self, page_name):
        page = self.context.new_page()
        page.set_viewport_size(POPUP_SIZE)
        page.goto(f"{self.base}/{page_name}")
        return page

    def use_server(self, url):
        """Point the extension at ``url`` through its options page, in any language."""
        page = self.open("options.html")
        page.locator("#server").fill(url)
        page.locator("#form [type=submit]").click()
        page.locator("#status", has_text=url).wait_for()
        page.close()


@pytest.fixture(scope="module")
def profiles(playwright, chromium, tmp_path_factory, server):
    """Return ``profile(name, language)``: a Chromium profile of its own, set to ``server``.

    ``language`` is the browser's own language (``--lang``), which picks the
    extension's messages; English when not given.
    """
    made = {}

    def profile(name, language="en"):
        if name not in made:
            context = playwright.chromium.launch_persistent_context(
                tmp_path_factory.mktemp(f"profile-{name}"), headless=True,
                executable_path=chromium,
                args=[f"--disable-extensions-except={EXTENSION}",
                      f"--load-extension={EXTENSION}", f"--lang={language}", *CHROMIUM_ARGS])
            made[name] = Profile(context)
            made[name].use_server(server.url)
        return made[name]
    yield profile
    for made_profile in made.values():
        made_profile.context.close()


@pytest.fixture(scope="module")
def browser(playwright, chromium):
    """A plain Chromium without the extension: a computer where it is not installed."""
    launched = playwright.chromium.launch(headless=True, executable_path=chromium,
                                          args=CHROMIUM_ARGS)
    yield launched
    launched.close()
