"""Security headers on every answer of the app, whatever server runs it.

Under gunicorn (the Procfile) or ``flask run`` nothing else adds them, so the
app sets them itself. Apache adds only HSTS (it owns TLS) and, with the same
values, these headers on the few files it serves itself
(``apache/saver.conf.template``; a deploy test keeps the two the same).
"""

# The page and the reveal form must not be framed (clickjacking the password
# form), must not leak a code in a Referer, and load nothing from elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' data:; object-src 'none'; "
                                "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def add_security_headers(response):
    """Set each security header once, replacing any copy a view set."""
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response


def register(app):
    """Add the security headers to every answer, error answers included."""
    app.after_request(add_security_headers)
