"""Entry point for Apache's mod_wsgi: load the settings file, build the app.

The settings live in one env file (``SAVER_ENV_FILE``, default
``/etc/saver/saver.env``), the same file the systemd units read.
"""
import os

from dotenv import load_dotenv

from saver import create_app

ENV_FILE = os.environ.get("SAVER_ENV_FILE", "/etc/saver/saver.env")

# open() rather than load_dotenv(path): a missing or unreadable file must stop
# start-up, not silently fall back to defaults (a SQLite file in the code tree).
with open(ENV_FILE, encoding="utf-8") as settings:
    load_dotenv(stream=settings)

application = create_app(cli=False)
