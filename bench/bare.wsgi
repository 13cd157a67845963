"""The physical limit of the stack: a WSGI callable with no framework at all."""

BODY = b'{"status":"ok"}\n'
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    """Answer the same small fixed JSON body as bench/hello.wsgi, on any path."""
    start_response("200 OK", HEADERS)
    return [BODY]
