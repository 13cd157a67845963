"""A fake LINE Messaging API on 127.0.0.1 that records reply requests and answers profiles.

It checks what the real API checks on a reply (bearer token, at most 5
messages, non-empty texts of at most 5,000 UTF-16 units) and can be told to
fail with 500 or to hang without answering, like a LINE API having a bad day.
A user's profile says the language set in ``languages`` ("en" unless set;
None leaves it out, as for a user who has not agreed to LINE's privacy
policy); ``profile_mode`` makes the profile alone fail.
"""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPLY_PATH = "/v2/bot/message/reply"
PROFILE_PATH = "/v2/bot/profile/"


class FakeLine:
    """A running fake; ``mode`` is "ok", "error" (HTTP 500) or "hang".

    ``profile_mode`` is "ok", "error" (HTTP 500), "missing" (HTTP 404, not a
    friend) or "hang"; ``profile_lookups`` lists the users looked up, in order.
    """

    def __init__(self, token):
        self.token = token
        self.mode = "ok"
        self.profile_mode = "ok"
        self.languages = {}
        self.profile_lookups = []
        self.replies = []
        self.rejected = []
        self._changed = threading.Condition()
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def url(self):
        host, port = self._server.server_address
        return f"http://{host}:{port}"

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._released.set()  # let hanging requests go before the server stops
        self._server.shutdown()
        self._server.server_close()

    def reply_to(self, token, timeout=5.0):
        """Return the texts of the reply that used ``token``; fail after ``timeout``."""
        def found():
            return next((reply for reply in self.replies
                         if reply["body"]["replyToken"] == token), None)
        with self._changed:
            if not self._changed.wait_for(found, timeout):
                raise AssertionError(f"no reply with token {token} in {timeout} s")
            return [message["text"] for message in found()["body"]["messages"]]

    def record(self, headers, body):
        """Check one reply like LINE does; return (status, answer)."""
        problems = _problems(body)
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"message": "Authentication failed."}
        with self._changed:
            (self.rejected if problems else self.replies).append(
                {"headers": dict(headers), "body": body})
            self._changed.notify_all()
        if problems:
            return 400, {"message": "The request body has errors", "details": problems}
        return 200, {"sentMessages": [{"id": str(n), "quoteToken": f"q{n}"}
                                      for n, _ in enumerate(body["messages"])]}

    def profile(self, headers, user_id):
        """Answer a profile lookup like LINE does; return (status, answer)."""
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"message": "Authentication failed."}
        self.profile_lookups.append(user_id)
        if self.profile_mode == "error":
            return 500, {"message": "Internal server error"}
        if self.profile_mode == "missing":
            return 404, {"message": "Not found"}
        answer = {"displayName": "A user", "userId": user_id,
                  "pictureUrl": "https://profile.line-scdn.net/abc"}
        language = self.languages.get(user_id, "en")
        if language is not None:
            answer["language"] = language
        return 200, answer

    def hang(self):
        """Hold a request open until the fake stops."""
        self._released.wait()


def _problems(body):
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
        return [{"message": "Size must be between 1 and 5", "property": "messages"}]
    problems = []
    for index, message in enumerate(messages):
        text = message.get("text", "")
        if not text or len(text.encode("utf-16-le")) // 2 > 5000:
            problems.append({"message": "Length must be between 1 and 5000",
                             "property": f"messages[{index}].text"})
    if not body.get("replyToken"):
        problems.append({"message": "Must not be empty", "property": "replyToken"})
    return problems


def _handler_for(fake):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if "hang" in (fake.mode, fake.profile_mode):
                fake.hang()
                return
            if self.path.startswith(PROFILE_PATH):
                self.answer(*fake.profile(self.headers, self.path[len(PROFILE_PATH):]))
            else:
                self.answer(404, {"message": "Not found"})

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            if fake.mode == "hang":
                fake.hang()
                return
            if self.path != REPLY_PATH:
                status, answer = 404, {"message": "Not found"}
            elif fake.mode == "error":
                status, answer = 500, {"message": "Internal server error"}
            else:
                status, answer = fake.record(self.headers, body)
            self.answer(status, answer)

        def answer(self, status, answer):
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass  # keep pytest's output clean

    return Handler
