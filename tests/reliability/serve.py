"""Serve the app from the environment's settings on 127.0.0.1:PORT (werkzeug, threaded).

Usage: serve.py PORT. The reliability tests start it as a separate app
process: a second host, or an instance whose database goes away.
"""
import logging
import sys

from werkzeug.serving import run_simple

from saver import create_app

if __name__ == "__main__":
    # Warnings (database outage, limiter fallback) go to stderr, which the test reads.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    run_simple("127.0.0.1", int(sys.argv[1]), create_app(), threaded=True)
