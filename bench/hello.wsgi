"""The ceiling of the stack: a hello-world Flask app with one route.

bench/stack.py runs it in place of saver.wsgi under the same Apache site and
``WSGIDaemonProcess`` settings; the service's figures are ratios to this one.
"""
from flask import Flask

application = Flask(__name__)


@application.get("/hello")
def hello():
    """Answer a small fixed JSON body."""
    return {"status": "ok"}
