"""extextcloud: move a text between two computers with a 4-letter code."""
import os

from flask import Flask
from flask.sessions import SessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from . import api, commands, config, curl, handlers, legacy, qr, share, texts, web
from .extensions import babel, cors, db, language_tag, limiter, reader_locale
from .headers import register as register_security_headers

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "migrations")


def create_app(test_config=None, cli=True):
    """Build the app: defaults, then the environment, then ``test_config``.

    ``cli=False`` (the WSGI entry point) leaves out the command line and its
    migrations: importing Alembic would make every daemon process bigger for nothing.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.session_interface = NoSessions()
    app.config.from_mapping(config.DEFAULTS)
    app.config.from_mapping(config.from_environment())
    app.config.from_mapping(test_config or {})
    try:
        config.finish(app.config, app.instance_path)
    except config.ConfigError as exc:
        raise SystemExit(f"saver: bad setting: {exc}") from None
    os.makedirs(app.instance_path, exist_ok=True)
    trust_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    handlers.register(app)
    register_security_headers(app)
    if cli:
        register_commands(app)
    return app


class NoSessions(SessionInterface):
    """No cookie sessions: Flask's own built a signer on every request, and none is used."""

    def open_session(self, app, request):
        return None  # Flask puts a NullSession in its place, which refuses writes


def trust_proxies(app):
    """Behind SAVER_PROXY_COUNT proxies, take the client's address from X-Forwarded-For."""
    count = app.config["SAVER_PROXY_COUNT"]
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def register_extensions(app):
    """Bind the database, rate limits, languages and CORS to ``app`` (the CLI adds migrations)."""
    app.json.ensure_ascii = False
    db.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=reader_locale)
    app.jinja_env.globals["language_tag"] = language_tag
    texts.init_app(app)
    register_cors(app)


def register_cors(app):
    """Answer cross-origin requests from the extensions (and the old popup) with CORS headers.

    Only SAVER_CORS_ORIGINS get them, so no other web page can write or read
    through its visitors' browsers. The published v1.2 popup has no host
    permission: its preflight of the old endpoints must pass. Error answers
    get their headers from the same after-request hook (every error has a
    handler here), so flask-cors need not wrap Flask's exception handlers.
    """
    origins = app.config["SAVER_CORS_ORIGINS"]
    api = {"origins": origins, "allow_headers": ["Content-Type", "X-Password", "X-Delete-Token"],
           "expose_headers": ["Location", "Retry-After"], "max_age": 86400}
    old_popup = {"origins": origins, "allow_headers": ["Content-Type"], "max_age": 86400}
    cors.init_app(app, resources={r"/api/*": api, r"/write/": old_popup, r"/load/": old_popup},
                  always_send=False, intercept_exceptions=False)


def register_commands(app):
    """Add our commands and Flask-Migrate's ``flask db`` to the command line."""
    from flask_migrate import Migrate
    Migrate(app, db, directory=MIGRATIONS, render_as_batch=True)
    commands.register(app)


def register_blueprints(app):
    """Mount one blueprint per feature."""
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    app.register_blueprint(legacy.bp)
    app.register_blueprint(web.bp)
    app.register_blueprint(curl.bp)
    app.register_blueprint(qr.bp)
    app.register_blueprint(share.bp)
    if app.config["LINE_ENABLED"]:
        # Imported only when used: the LINE SDK makes start-up slower and every process bigger.
        from .line import webhook
        app.register_blueprint(webhook.bp, url_prefix="/line")
