"""Write texts from several threads until killed, printing each acknowledged one.

Usage: writer.py THREADS. The settings come from the environment. A line
``code<TAB>body`` is printed only after ``texts.write`` returned, that is
after its transaction committed: the crash test's list of promises.
"""
import sys
import threading
import uuid

from saver import create_app, texts

_print_lock = threading.Lock()


def write_forever(app):
    with app.app_context():
        while True:
            body = f"acknowledged {uuid.uuid4()}"
            code = texts.write(body).code
            with _print_lock:
                print(f"{code}\t{body}", flush=True)


if __name__ == "__main__":
    app = create_app()
    for _ in range(int(sys.argv[1])):
        threading.Thread(target=write_forever, args=(app,), daemon=True).start()
    threading.Event().wait()
