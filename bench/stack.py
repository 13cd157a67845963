"""Benchmark the production stack: our Apache site, mod_wsgi daemon, HTTPS, loopback.

    .venv/bin/python bench/stack.py                 # full run, ~10 minutes
    .venv/bin/python bench/stack.py --smoke         # 35-60 s: SQLite, 1 s per scenario

Renders apache/saver.conf.template into a throw-away Apache exactly as the
deployment tests do (tests/deploy/deploy_support.py), seeds a full code pool,
raises the rate limits (so every answer is a 2xx, while the limiter still
runs) and drives each scenario with wrk on keep-alive HTTPS connections. The
same site with bench/hello.wsgi (a hello-world Flask app) in place of
saver.wsgi is the ceiling every figure is divided by; bench/bare.wsgi (no
framework) is the stack's physical limit, and bench/floor.wsgi (Flask and
the database's driver alone, on the service's database) shows how close to
its floor the service's loads and writes come. Prints one table, writes it
to bench/results.json and draws it (bench/chart.py) in docs/benchmarks.svg.
Needs root (the daemon runs as www-data), apache2,
libapache2-mod-wsgi-py3 and wrk; PostgreSQL and Redis on 127.0.0.1.
"""
import argparse
import contextlib
import json
import os
import random
import re
import shutil
import ssl
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.client import HTTPSConnection
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "tests/deploy")]
from chart import DEFAULT_CHART, draw  # noqa: E402
from deploy_support import (DEBIAN_MPM, VENV, Apache, CertificateAuthority,  # noqa: E402
                            give_to_daemon_user, run, shared_tempdir)
from saver.codes import SPACE, to_code  # noqa: E402
from services import postgres_schema  # noqa: E402

POSTGRES = os.environ.get("SAVER_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
# Not the tests' Redis database (15), so neither run sees the other's counters.
REDIS = os.environ.get("SAVER_BENCH_REDIS", "redis://127.0.0.1:6379/14")
DOMAIN = "saver.test"
HOST = f"www.{DOMAIN}"
PASSWORD = "correct horse"
TEXT = ("All work and no play makes Jack a dull boy. " * 24)[:1024]  # 1 KiB
RAISED = "1000000/second"  # limits stay on (their cost is measured) but never bite
LUA = BENCH / "scenario.lua"


@dataclass(frozen=True)
class Scenario:
    """One kind of request, as bench/scenario.lua sends it."""

    name: str
    # Which goal applies: ceiling, miss, load, raw, password, write, flood, beside, floor (none).
    group: str
    kind: str  # get | post | code_get | code_post (see scenario.lua)
    path: str
    expected: tuple = (200,)
    body: str = None  # the JSON body, or its template with @CODE@
    codes: str = None  # which codes it uses: open, protected, missing, bait
    password: str = None


HELLO = Scenario("hello-world Flask", "ceiling", "get", "/hello")
HELLO_AFTER = Scenario("hello-world Flask, after", "ceiling", "get", "/hello")
BARE = Scenario("bare WSGI", "ceiling", "get", "/hello")
# Lookups of missing codes first: no write has happened yet that could take one.
SCENARIOS = (
    Scenario("404 GET /api/v1/texts/<code>", "miss", "code_get", "/api/v1/texts/",
             expected=(404,), codes="missing"),
    Scenario("GET /api/v1/texts/<code>", "load", "code_get", "/api/v1/texts/", codes="open"),
    Scenario("GET /<code> raw", "raw", "code_get", "/", codes="open"),
    Scenario("POST /load/ (old)", "load", "code_post", "/load/", codes="open",
             body=json.dumps({"ldcode": "@CODE@", "ldpassword": ""})),
    Scenario("GET /api/v1/texts/<code> +password", "password", "code_get", "/api/v1/texts/",
             codes="protected", password=PASSWORD),
    Scenario("POST /api/v1/texts", "write", "post", "/api/v1/texts", expected=(201,),
             body=json.dumps({"text": TEXT})),
    Scenario("POST /write/ (old)", "write", "post", "/write/",
             body=json.dumps({"wrtext": TEXT, "wrpassword": "", "wrdelete_at": "1h"})),
)
# bench/floor.wsgi on the service's database: the same loads and writes with
# nothing but Flask and the driver (no goals; it shows what is left to gain).
FLOOR = (Scenario("floor: GET /api/v1/texts/<code>", "floor", "code_get", "/api/v1/texts/",
                  codes="open"),
         Scenario("floor: POST /api/v1/texts", "floor", "post", "/api/v1/texts",
                  expected=(201,), body=json.dumps({"text": TEXT})))
# Wrong passwords on a few protected texts of their own: each costs an scrypt
# until the lockout answers 423 without one. Run beside as many connections of
# BESIDE_FLOOD readers, whose fair share is then half their throughput alone.
FLOOD = Scenario("wrong-password flood", "flood", "code_get", "/api/v1/texts/",
                 expected=(403, 423), codes="bait", password="not the password")
BESIDE_FLOOD = Scenario("GET /api/v1/texts/<code> in flood", "beside", "code_get",
                        "/api/v1/texts/", codes="open")
BESIDE_FLOOD_GOAL = 0.40  # of the readers' own throughput without the flood
# Goals: share of the ceiling's requests/s per database and group, and an RSS cap.
SHARE_GOALS = {"sqlite": {"load": 0.50, "raw": 0.50, "write": 0.30},
               "postgresql": {"load": 0.35, "raw": 0.35, "write": 0.20}}
RSS_GOAL_MB = 80


# --- servers -----------------------------------------------------------------------------

class Site:
    """Our site template in a throw-away Apache, serving ``wsgi`` as its app.

    The template names ``APP_DIR/saver.wsgi``; for the ceilings APP_DIR is a
    folder holding the ceiling's script under that name, so every other line
    of the site (TLS, headers, WSGIDaemonProcess) is the production one.
    """

    def __init__(self, ca, wsgi=None, env_file=None):
        self.root = shared_tempdir("saver-bench-apache-")
        app_dir = REPO
        if wsgi is not None:
            app_dir = self.root / "app"
            app_dir.mkdir(mode=0o755)
            shutil.copyfile(wsgi, app_dir / "saver.wsgi")
        if env_file is None:
            env_file = self.root / "unused.env"
            env_file.write_text("")
        webroot = self.root / "webroot"
        webroot.mkdir()
        cert_dir = ca.issue(self.root / "cert", DOMAIN, HOST)
        self.ca = ca
        # A cheap request every app answers quickly once it is idle (404 or 200).
        self.probe = "/hello" if wsgi is not None else "/api/v1/texts/aaaa"
        # Sized as on a VM: the tests' small server would halve the ceiling at 64 connections.
        self.apache = Apache(self.root, DOMAIN, app_dir, env_file, cert_dir, webroot,
                             mpm=DEBIAN_MPM)

    def __enter__(self):
        self.apache.start()
        try:
            answer = self.request("GET", self.probe)[0]
        except OSError as exc:
            answer = exc
        if not isinstance(answer, int) or answer >= 500:
            log = self.apache.error_log()[-2000:]
            self.__exit__()
            raise SystemExit(f"stack.py: the site answers {answer}; Apache's log ends:\n{log}")
        return self

    def __exit__(self, *exc):
        try:
            self.apache.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    @property
    def port(self):
        return self.apache.https_port

    def daemons(self):
        """PIDs of this server's mod_wsgi daemon processes."""
        ps = run(["ps", "-eo", "pid=,ppid=,args="]).stdout
        master = self.apache.master_pid()
        return [int(pid) for pid, ppid, args in
                (line.split(None, 2) for line in ps.splitlines())
                if int(ppid) == master and args.split()[0] == "(wsgi:saver)"]

    def daemon_memory_mb(self):
        """Each daemon's resident memory now and at its peak (VmRSS, VmHWM), in MB.

        Waits until the daemons are idle first: a password check in flight holds
        scrypt's 16 MB, which the peak shows.
        """
        settle(self)
        sizes = {"rss": [], "peak": []}
        for pid in self.daemons():
            status = Path(f"/proc/{pid}/status").read_text()
            for name, field in (("rss", "VmRSS"), ("peak", "VmHWM")):
                kb = re.search(rf"{field}:\s+(\d+) kB", status).group(1)
                sizes[name].append(int(kb) / 1024)
        return sizes

    def request(self, method, path, body=None, headers=(), timeout=30):
        """One HTTPS request checked against the test CA; return (status, body)."""
        context = ssl.create_default_context(cafile=str(self.ca.pem))
        context.check_hostname = False  # dialled by address; the chain is still checked
        connection = HTTPSConnection("127.0.0.1", self.port, context=context, timeout=timeout)
        try:
            connection.request(method, path, body=body,
                               headers={"Host": HOST, "Content-Type": "application/json",
                                        **dict(headers)})
            answer = connection.getresponse()
            return answer.status, answer.read()
        finally:
            connection.close()


class Database:
    """A fresh database with the whole pool seeded: a SQLite file or a PostgreSQL schema."""

    def __init__(self, kind):
        self.kind = kind
        self.folder = shared_tempdir("saver-bench-data-")
        self.url = f"sqlite:///{self.folder / 'saver.db'}"  # or a schema, on entering
        self.schema = contextlib.ExitStack()

    def __enter__(self):
        if self.kind == "postgresql":
            self.url = self.schema.enter_context(postgres_schema("bench_", POSTGRES))
        self.flask("db", "upgrade")
        self.flask("seed-codes")
        if self.kind == "sqlite":
            give_to_daemon_user(self.folder, *self.folder.iterdir())
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.folder, ignore_errors=True)
        self.schema.close()

    def flask(self, *args, check=True):
        env = {"DATABASE_URL": self.url, "PATH": "/usr/bin:/bin"}
        return run([str(VENV / "bin/flask"), "--app", "saver", *args], env=env, cwd=REPO,
                   check=check)

    def env_file(self, limits="raised"):
        """Write the site's settings: this database, and the limits.

        ``raised``: every limit counted but never reached, in Redis beside
        PostgreSQL, in each daemon's memory beside SQLite. ``memory``: the
        same, in memory on both. ``off``: RATELIMIT_ENABLED=false.
        """
        settings = {"DATABASE_URL": self.url, "SECRET_KEY": "bench-only",
                    "SAVER_LIMIT_WRITE": RAISED, "SAVER_LIMIT_READ": RAISED,
                    "SAVER_LIMIT_MISS": RAISED, "SAVER_LIMIT_WRITE_GLOBAL": RAISED,
                    "SAVER_LIMIT_MISS_GLOBAL": RAISED}
        if self.kind == "postgresql" and limits == "raised":
            settings["RATELIMIT_STORAGE_URI"] = REDIS
        if limits == "off":
            settings["RATELIMIT_ENABLED"] = "false"
        path = self.folder / "saver.env"
        path.write_text("".join(f"{name}={value}\n" for name, value in settings.items()))
        return path

    def conservation(self):
        """Run ``flask stats``; return its line and whether the pool adds up."""
        result = self.flask("stats", check=False)
        return {"stats": (result.stdout + result.stderr).strip(), "ok": result.returncode == 0}


# --- load --------------------------------------------------------------------------------

def write_codes(site, count, password=None):
    """Store ``count`` texts through the site; return their codes."""
    body = {"text": TEXT, "expires_in": 86400}
    if password:
        body["password"] = password

    def one(_):
        status, answer = site.request("POST", "/api/v1/texts", json.dumps(body))
        if status != 201:
            raise SystemExit(f"stack.py: writing a text answered {status}: {answer[:200]!r}")
        return json.loads(answer)["code"]

    with ThreadPoolExecutor(8) as workers:
        return list(workers.map(one, range(count)))


def missing_codes(count, taken):
    """``count`` codes that hold no text (the pool hands them out only later)."""
    found = set()
    while len(found) < count:
        code = to_code(random.randrange(SPACE))
        if code not in taken:
            found.add(code)
    return sorted(found)


def start_wrk(site, scenario, connections, seconds, files):
    """Start wrk for ``seconds``; ``wrk_figures`` waits for it and reads its figures."""
    env = {**os.environ, "BENCH_SCENARIO": scenario.kind, "BENCH_PATH": scenario.path,
           "BENCH_HOST": HOST}
    if scenario.body:
        env["BENCH_BODY"] = str(files.body(scenario.body))
    if scenario.codes:
        env["BENCH_CODES"] = str(files.codes[scenario.codes])
    if scenario.password:
        env["BENCH_PASSWORD"] = scenario.password
    path = scenario.path if scenario.kind in ("get", "post") else "/"
    return subprocess.Popen(["wrk", "-t", str(min(2, connections)), "-c", str(connections),
                             "-d", f"{seconds}s", "--timeout", "10s", "-s", str(LUA),
                             f"https://127.0.0.1:{site.port}{path}"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wrk_figures(scenario, process):
    """Wait for a wrk run; return requests/s, latencies in ms and status counts."""
    output, _ = process.communicate()
    lines = [line for line in output.splitlines() if line.startswith("BENCH_JSON ")]
    if process.returncode != 0 or not lines:
        raise SystemExit(f"stack.py: wrk failed ({scenario.name}):\n{output}")
    line = lines[0]
    figures = json.loads(line[len("BENCH_JSON "):])
    statuses = {int(status): count for status, count in figures["statuses"].items()}
    return {"requests_per_s": figures["requests"] / (figures["duration_us"] / 1e6),
            "requests": figures["requests"],
            "p50_ms": figures["p50_us"] / 1000, "p99_ms": figures["p99_us"] / 1000,
            "max_ms": figures["max_us"] / 1000, "statuses": statuses,
            "socket_errors": figures["socket_errors"],
            "non_2xx": sum(n for s, n in statuses.items() if not 200 <= s < 300),
            "unexpected": sum(n for s, n in statuses.items() if s not in scenario.expected)}


def wrk(site, scenario, connections, seconds, files):
    """Run wrk for ``seconds`` and return its figures."""
    return wrk_figures(scenario, start_wrk(site, scenario, connections, seconds, files))


class Files:
    """The request bodies and code lists wrk reads, in one temporary folder."""

    def __init__(self):
        self.folder = shared_tempdir("saver-bench-wrk-")
        self.codes = {}
        self._bodies = {}

    def body(self, text):
        if text not in self._bodies:
            self._bodies[text] = self.folder / f"body{len(self._bodies)}.json"
            self._bodies[text].write_text(text)
        return self._bodies[text]

    def set_codes(self, name, codes):
        self.codes[name] = self.folder / f"{name}.codes"
        self.codes[name].write_text("\n".join(codes) + "\n")


def measure(site, scenario, options, files, label):
    """Warm up, then measure ``scenario`` at each concurrency; return the rows."""
    rows = []
    for connections in options.concurrency:
        if options.warmup:
            wrk(site, scenario, connections, options.warmup, files)
        settle(site)
        rows.append(row(label, scenario, connections,
                        wrk(site, scenario, connections, options.seconds, files)))
    return rows


def settle(site, seconds=60):
    """Wait until the daemons have worked off what a run left queued.

    mod_wsgi goes on with requests whose client has gone (up to its
    queue-timeout), so after a run of slow password checks the next run
    would otherwise start against a backlog.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            site.request("GET", site.probe, timeout=5)
        except OSError:
            continue  # still busy: try again
        if time.monotonic() - started < 0.05:
            return
        time.sleep(0.5)


def row(label, scenario, connections, figures):
    """One line of the results; shown on stderr as it comes."""
    print(f"  {label:10} {scenario.name:36} c={connections:<3} "
          f"{figures['requests_per_s']:8.0f} req/s  p99 {figures['p99_ms']:7.1f} ms",
          file=sys.stderr, flush=True)
    return {"stack": label, "scenario": scenario.name, "group": scenario.group,
            "concurrency": connections, "expected": list(scenario.expected), **figures}


def beside_flood(site, options, files, label):
    """Readers while as many connections flood wrong passwords in; return both rows."""
    connections = min(options.concurrency)
    settle(site)
    flood = start_wrk(site, FLOOD, connections, options.seconds + 1, files)
    time.sleep(0.5)  # the flood is under way before the readers start
    readers = wrk(site, BESIDE_FLOOD, connections, options.seconds, files)
    return [row(label, FLOOD, connections, wrk_figures(FLOOD, flood)),
            row(label, BESIDE_FLOOD, connections, readers)]


def ceiling(ca, wsgi, scenario, label, options, files):
    """Measure one ceiling app under the production site; return rows and daemon memory."""
    with Site(ca, BENCH / wsgi) as site:
        rows = measure(site, scenario, options, files, label)
        return rows, site.daemon_memory_mb()


def service(ca, kind, options, files):
    """Measure every scenario against the service on database ``kind``, then the floor."""
    print(f"seeding the full pool on {kind}", file=sys.stderr, flush=True)
    rows = []
    with Database(kind) as database:
        env_file = database.env_file(options.limits)
        with Site(ca, env_file=env_file) as site:
            open_codes = write_codes(site, options.codes)
            protected = write_codes(site, max(4, options.codes // 8), PASSWORD)
            files.set_codes("open", open_codes)
            files.set_codes("protected", protected)
            bait = write_codes(site, 8, PASSWORD)
            files.set_codes("bait", bait)
            files.set_codes("missing",
                            missing_codes(options.codes, {*open_codes, *protected, *bait}))
            for scenario in SCENARIOS:
                rows += measure(site, scenario, options, files, kind)
            rows += beside_flood(site, options, files, kind)
            memory = site.daemon_memory_mb()
        with Site(ca, BENCH / "floor.wsgi", env_file=env_file) as floor:
            for scenario in FLOOR:
                rows += measure(floor, scenario, options, files, kind)
        return rows, memory, database.conservation()


# --- report ------------------------------------------------------------------------------

def mean_ceilings(rows):
    """The ceiling at each concurrency: the mean of its measurements before and after."""
    ceilings = {}
    for connections in {row["concurrency"] for row in rows}:
        runs = [row for row in rows if row["concurrency"] == connections]
        ceilings[connections] = {name: sum(row[name] for row in runs) / len(runs)
                                 for name in ("requests_per_s", "p50_ms", "p99_ms")}
    return ceilings


def with_ratios(rows, ceilings):
    """Add each figure as a ratio of the ceiling at the same concurrency."""
    for row in rows:
        top = ceilings[row["concurrency"]]
        row["share_of_ceiling"] = row["requests_per_s"] / top["requests_per_s"]
        row["p50_x_ceiling"] = row["p50_ms"] / top["p50_ms"]
        row["p99_x_ceiling"] = row["p99_ms"] / top["p99_ms"]
    return rows


def goals(results):
    """Check the issue's goals; return a list of (goal, met) pairs."""
    checks = []
    alone = {(row["stack"], row["concurrency"]): row for row in results["rows"]
             if row["scenario"] == "GET /api/v1/texts/<code>"}
    for row in results["rows"]:
        if row["group"] in ("ceiling", "floor"):
            continue
        where = f"{row['stack']} {row['scenario']} c={row['concurrency']}"
        share = SHARE_GOALS[row["stack"]].get(row["group"])
        if share is not None:
            checks.append((f"{where}: ≥ {share:.0%} of ceiling "
                           f"({row['share_of_ceiling']:.0%})", row["share_of_ceiling"] >= share))
        if row["group"] == "beside":
            kept = row["requests_per_s"] / alone[row["stack"], row["concurrency"]]["requests_per_s"]
            checks.append((f"{where}: readers keep ≥ {BESIDE_FLOOD_GOAL:.0%} of their "
                           f"throughput alone ({kept:.0%})", kept >= BESIDE_FLOOD_GOAL))
        if row["unexpected"]:
            checks.append((f"{where}: {row['unexpected']} answers of an unexpected status",
                           False))
    for stack, memory in results["daemon_memory_mb"].items():
        sizes = memory["rss"]
        checks.append((f"{stack} daemons ≤ {RSS_GOAL_MB} MB RSS "
                       f"({', '.join(f'{s:.0f}' for s in sizes)})",
                       all(s <= RSS_GOAL_MB for s in sizes)))
    for stack, check in results["conservation"].items():
        checks.append((f"{stack} pool conserved after the writes: {check['stats']}",
                       check["ok"]))
    return checks


def table(results):
    """The results as one text table, then the goals."""
    lines = [f"{'stack':10} {'scenario':36} {'conc':>4} {'req/s':>8} {'%ceil':>6} "
             f"{'p50 ms':>8} {'×ceil':>6} {'p99 ms':>8} {'×ceil':>6} {'non-2xx':>8} "
             f"{'sock err':>8}"]
    for row in results["rows"]:
        lines.append(
            f"{row['stack']:10} {row['scenario']:36} {row['concurrency']:>4} "
            f"{row['requests_per_s']:>8.0f} {row['share_of_ceiling']:>6.0%} "
            f"{row['p50_ms']:>8.1f} {row['p50_x_ceiling']:>6.1f} "
            f"{row['p99_ms']:>8.1f} {row['p99_x_ceiling']:>6.1f} {row['non_2xx']:>8} "
            f"{row['socket_errors']:>8}"
            + ("" if row["expected"][0] < 300 else
               " (expected: " + ", ".join(f"{n} × {s}" for s, n in row["statuses"].items()) + ")"))
    lines.append("")
    for name, label in (("rss", "daemon RSS after the run"), ("peak", "daemon RSS at its peak")):
        lines.append(f"{label} (MB): " + "; ".join(
            f"{stack} {', '.join(f'{s:.0f}' for s in memory[name])}"
            for stack, memory in results["daemon_memory_mb"].items()))
    lines.append(f"load average before / after: {results['load_before']} / "
                 f"{results['load_after']}")
    lines.append("")
    lines += [f"[{'ok' if met else 'MISSED'}] {goal}" for goal, met in results["goals"]]
    return "\n".join(lines)


def load_average():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases",
                        help="comma-separated: sqlite, postgresql (default both; "
                             "with --smoke, sqlite)")
    parser.add_argument("--concurrency", default="8,64",
                        help="comma-separated open connections (default 8,64)")
    parser.add_argument("--seconds", type=int, default=10, help="per measurement (default 10)")
    parser.add_argument("--warmup", type=int, default=2,
                        help="seconds of unmeasured load before each (default 2)")
    parser.add_argument("--codes", type=int, default=512,
                        help="texts written to read back (default 512)")
    parser.add_argument("--output", default=str(BENCH / "results.json"))
    parser.add_argument("--chart", help="where to draw the chart (default docs/benchmarks.svg; "
                                        "with --smoke, beside --output)")
    parser.add_argument("--limits", choices=("raised", "memory", "off"), default="raised",
                        help="raised: counted, never reached, in Redis beside PostgreSQL "
                             "(default); memory: counted in each daemon's memory; off: not "
                             "counted. The last two show what the limits and Redis cost")
    parser.add_argument("--smoke", action="store_true",
                        help="quick check: concurrency 8, 1 s each, no warm-up")
    options = parser.parse_args(argv)
    if options.smoke:
        options.databases, options.concurrency = options.databases or "sqlite", "8"
        options.seconds, options.warmup, options.codes = 1, 0, 32
    options.databases = (options.databases or "sqlite,postgresql").split(",")
    if not set(options.databases) <= {"sqlite", "postgresql"}:
        parser.error("--databases takes sqlite and/or postgresql")
    try:
        options.concurrency = [int(c) for c in options.concurrency.split(",")]
    except ValueError:
        parser.error("--concurrency takes whole numbers such as 8,64")
    if os.geteuid() != 0:
        parser.error("run as root: the daemon runs as www-data and needs its files")
    for program in ("wrk", "apache2"):
        if shutil.which(program) is None and not Path("/usr/sbin", program).exists():
            parser.error(f"{program} is not installed")

    results = {"concurrency": options.concurrency, "seconds": options.seconds,
               "limits": options.limits,
               "warmup": options.warmup, "load_before": load_average(), "rows": [],
               "daemon_memory_mb": {}, "conservation": {}}
    files = Files()
    ca = CertificateAuthority(files.folder)
    try:
        bare, results["daemon_memory_mb"]["bare"] = ceiling(
            ca, "bare.wsgi", BARE, "bare", options, files)
        for kind in options.databases:
            # The ceiling is measured right before and right after each database:
            # the machine's speed drifts, and the two show by how much.
            hello, results["daemon_memory_mb"][f"hello/{kind}"] = ceiling(
                ca, "hello.wsgi", HELLO, "hello", options, files)
            rows, results["daemon_memory_mb"][kind], results["conservation"][kind] = service(
                ca, kind, options, files)
            hello_after, _ = ceiling(ca, "hello.wsgi", HELLO_AFTER, "hello", options, files)
            ceilings = mean_ceilings(hello + hello_after)
            results["rows"] += with_ratios(hello + rows + hello_after, ceilings)
            if kind == options.databases[0]:
                results["rows"][:0] = with_ratios(bare, ceilings)
    finally:
        shutil.rmtree(files.folder, ignore_errors=True)
    results["load_after"] = load_average()
    results["goals"] = goals(results)
    Path(options.output).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    chart = (Path(options.chart) if options.chart else
             Path(options.output).with_suffix(".svg") if options.smoke else DEFAULT_CHART)
    draw(results, chart, SHARE_GOALS)
    print(table(results))
    print(f"\nchart: {chart}")
    return 0 if all(check["ok"] for check in results["conservation"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
