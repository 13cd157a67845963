"""The Flask extensions, created unbound and bound to an app in the factory."""
import functools
import ipaddress

from babel import Locale, UnknownLocaleError
from flask import current_app, request
from flask_babel import Babel, get_locale
from flask_cors import CORS
from flask_limiter import Limiter
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData

# Named constraints let migrations alter tables on SQLite too.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Every statement commits on its own unless saver.db.writing() begins a
# transaction itself: a read then costs no BEGIN and COMMIT round trips, and
# its connection no isolation level to set and reset. A database error never
# carries the statement's values (texts, hashes) into a log.
db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION),
                engine_options={"isolation_level": "AUTOCOMMIT", "hide_parameters": True})
cors = CORS()


def client_key():
    """Who a client is, for its rate limits: its IPv4 address, or its IPv6 network.

    One customer of a host gets a whole /64 (2**64 addresses): counted by
    address, a client would have as many limits as it likes. The network's
    length is SAVER_IPV6_PREFIX.
    """
    return _client(request.remote_addr or "127.0.0.1", current_app.config["SAVER_IPV6_PREFIX"])


@functools.lru_cache(maxsize=4096)  # each limit of a request asks; clients come back
def _client(address, prefix):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # not an address (a unix socket): one client
        return address
    if ip.version == 4:
        return address
    if ip.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is the IPv4 client 192.0.2.1
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((ip, prefix), strict=False))


# Its settings are the app's RATELIMIT_* (see config.py); the limits are in limits.py.
limiter = Limiter(client_key)


# The languages we speak, by Babel's names. A reader's tag is served by one of
# the same language and script: en-GB by en, zh-HK (Hant) by Traditional
# Chinese, zh-CN (Hans) by none, as the page and the extension choose.
SPOKEN = {name: Locale.parse(name) for name in ("en", "ko", "ja", "zh_Hant_TW")}
DEFAULT_LANGUAGE = "en"


def best_language(accepted):
    """Return Babel's name of the language that best fits ``accepted`` (a LanguageAccept).

    English when none fits: a tag we do not speak, a malformed header, none at all.
    """
    return next((spoken for spoken in (_serving(tag) for tag, quality in accepted if quality > 0)
                 if spoken), DEFAULT_LANGUAGE)


@functools.lru_cache(maxsize=1024)
def _serving(tag):
    try:
        asked = Locale.parse(tag, sep="-")
    except (ValueError, UnknownLocaleError):  # "*", or no language we know of
        return None
    return next((name for name, ours in SPOKEN.items()
                 if (ours.language, ours.script) == (asked.language, asked.script)), None)


def reader_locale():
    """Flask-Babel's locale selector: the reader's language, from Accept-Language.

    Flask-Babel asks only when a text is translated or formatted, once per
    request: the API's JSON answers never parse the header.
    """
    return best_language(request.accept_languages)


def language_tag():
    """The page's language as an HTML ``lang`` value (BCP 47): "en", "zh-Hant-TW"."""
    return str(get_locale()).replace("_", "-")


# Pages find their catalogs in saver/translations (compiled by pybabel, see the Makefile).
babel = Babel()
