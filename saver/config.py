"""Settings: defaults, then the environment, each checked once at start-up.

A bad value raises ``ConfigError`` naming the variable and what it expects;
the factory turns it into a one-line exit instead of a traceback.
"""
import os
import re
import secrets

from limits import parse_many

DEFAULTS = {
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_ENABLED": True,
    # A Redis that takes connections but never answers must not hold requests.
    "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    # While Redis is down, each process counts in its own memory.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    # A store that fails after a request was let in must not fail the answer.
    "RATELIMIT_SWALLOW_ERRORS": True,
    "RATELIMIT_KEY_PREFIX": "saver",
    "SAVER_LIMIT_WRITE": "20/minute;500/day",
    "SAVER_LIMIT_READ": "120/minute",
    "SAVER_LIMIT_MISS": "10/minute;100/hour",
    # Budgets of the whole service, every client together (saver.env.example says why).
    "SAVER_LIMIT_MISS_GLOBAL": "120/minute;5000/hour",
    "SAVER_LIMIT_WRITE_GLOBAL": "1000/minute;1000000/day",
    "SAVER_IPV6_PREFIX": 64,
    "SAVER_LIMIT_REPORT": "5/hour;20/day",
    "SAVER_REPORT_HIDE_AFTER": 3,
    "SAVER_LOCKOUT_MAX_FAILURES": 50,
    "SAVER_CORS_ORIGINS": "chrome-extension://*,moz-extension://*",
    "SAVER_MAX_TEXT_BYTES": 102400,
    "SAVER_CODE_COOLDOWN": 86400,
    "SAVER_DEFAULT_EXPIRES_IN": 3600,
    "SAVER_MAX_EXPIRES_IN": 30 * 86400,
    "SAVER_LOCKOUT_ATTEMPTS": 5,
    "SAVER_LOCKOUT_SECONDS": 900,
    "SAVER_SWEEP_BATCH": 5000,
    # Proxies in front of the app whose X-Forwarded-For to trust (0 under
    # Apache; 1 behind a PaaS router) so each client gets its own rate limits.
    "SAVER_PROXY_COUNT": 0,
    # scrypt cost: 2**14 (16 MiB of memory) is the usual interactive choice.
    "SAVER_SCRYPT_N": 2**14,
    # Only tests shrink the code space; production always uses all codes.
    "SAVER_CODE_SPACE": None,
    "LINE_CHANNEL_SECRET": None,
    "LINE_CHANNEL_ACCESS_TOKEN": None,
    "LINE_API_HOST": "https://api.line.me",
}

_INTEGERS = {
    "SAVER_MAX_TEXT_BYTES": 1,
    "SAVER_CODE_COOLDOWN": 0,
    "SAVER_DEFAULT_EXPIRES_IN": 60,
    "SAVER_MAX_EXPIRES_IN": 60,
    "SAVER_LOCKOUT_ATTEMPTS": 1,
    "SAVER_LOCKOUT_SECONDS": 1,
    "SAVER_SWEEP_BATCH": 1,
    "SAVER_PROXY_COUNT": 0,
    "SAVER_SCRYPT_N": 2,
    "SAVER_IPV6_PREFIX": 1,
    "SAVER_REPORT_HIDE_AFTER": 1,
    "SAVER_LOCKOUT_MAX_FAILURES": 1,
}
_LIMITS = ("SAVER_LIMIT_WRITE", "SAVER_LIMIT_READ", "SAVER_LIMIT_MISS",
           "SAVER_LIMIT_MISS_GLOBAL", "SAVER_LIMIT_WRITE_GLOBAL", "SAVER_LIMIT_REPORT")
_STRINGS = (
    "SECRET_KEY", "RATELIMIT_STORAGE_URI", *_LIMITS, "SAVER_CORS_ORIGINS",
    "LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "LINE_API_HOST",
)
_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True,
             "0": False, "false": False, "no": False, "off": False}
_DRIVERS = {
    "sqlite": "sqlite",
    "postgres": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
}


# Every setting read from the environment (saver.env.example documents each).
ENVIRONMENT = ("DATABASE_URL", "RATELIMIT_ENABLED", *_STRINGS, *_INTEGERS)


class ConfigError(Exception):
    """A setting has a value the service cannot use."""


def from_environment(environ=os.environ):
    """Return the settings found in ``environ``, not yet checked."""
    found = {name: environ[name] for name in ENVIRONMENT if name in environ}
    if "DATABASE_URL" in found:
        found["SQLALCHEMY_DATABASE_URI"] = found.pop("DATABASE_URL")
    return found


def finish(config, instance_path):
    """Check and normalise ``config`` in place; raise ConfigError on a bad value."""
    for name, minimum in _INTEGERS.items():
        config[name] = _integer(name, config[name], minimum)
    if config["SAVER_CODE_SPACE"] is not None:
        from .codes import SPACE
        config["SAVER_CODE_SPACE"] = _integer("SAVER_CODE_SPACE", config["SAVER_CODE_SPACE"], 1)
        if config["SAVER_CODE_SPACE"] > SPACE:
            raise ConfigError(f"SAVER_CODE_SPACE: expected at most {SPACE}")
    if not config["SAVER_DEFAULT_EXPIRES_IN"] <= config["SAVER_MAX_EXPIRES_IN"]:
        raise ConfigError("SAVER_DEFAULT_EXPIRES_IN: expected at most SAVER_MAX_EXPIRES_IN")
    enabled = config["RATELIMIT_ENABLED"]
    if isinstance(enabled, str):
        if enabled.strip().lower() not in _BOOLEANS:
            raise ConfigError("RATELIMIT_ENABLED: expected true or false")
        config["RATELIMIT_ENABLED"] = _BOOLEANS[enabled.strip().lower()]
    if config["SAVER_IPV6_PREFIX"] > 128:
        raise ConfigError("SAVER_IPV6_PREFIX: expected a prefix length of at most 128")
    for name in _LIMITS:
        try:
            parse_many(config[name])
        except ValueError:
            raise ConfigError(f"{name}: expected limits such as '20/minute;500/day'") from None
    if not re.match(r"(memory|redis|rediss|redis\+sentinel|redis\+cluster)://",
                    config["RATELIMIT_STORAGE_URI"]):
        raise ConfigError("RATELIMIT_STORAGE_URI: expected memory:// or redis://host:port")
    config["SAVER_CORS_ORIGINS"] = _origins(config["SAVER_CORS_ORIGINS"])
    config["SQLALCHEMY_DATABASE_URI"] = _database_url(
        config.get("SQLALCHEMY_DATABASE_URI")
        or "sqlite:///" + os.path.join(instance_path, "saver.db"))
    if not config.get("SECRET_KEY"):
        # Nothing signed outlives a process (no sessions), so a random key is safe.
        config["SECRET_KEY"] = secrets.token_hex(32)
    config["LINE_ENABLED"] = bool(config["LINE_CHANNEL_SECRET"]
                                  and config["LINE_CHANNEL_ACCESS_TOKEN"])
    # Room for JSON escapes (up to 6 bytes per byte of text) and the other fields;
    # the exact limit on the text itself is checked after parsing.
    config["MAX_CONTENT_LENGTH"] = 6 * config["SAVER_MAX_TEXT_BYTES"] + 16384


def _integer(name, value, minimum):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}: expected a whole number, got {value!r}") from None
    if number < minimum:
        raise ConfigError(f"{name}: expected a number of at least {minimum}, got {number}")
    return number


def _origins(value):
    """Turn 'chrome-extension://*, https://a.example' into Flask-CORS origins."""
    origins = []
    for origin in re.split(r"[,\s]+", value.strip()):
        if origin:
            origins.append(re.compile(re.escape(origin).replace(r"\*", "[^/]*") + "$")
                           if "*" in origin else origin)
    return origins


def _database_url(url):
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in _DRIVERS:
        raise ConfigError("DATABASE_URL: expected sqlite:///PATH or postgresql://USER@HOST/DB, "
                          f"got scheme {scheme!r}")
    return f"{_DRIVERS[scheme]}://{rest}"
