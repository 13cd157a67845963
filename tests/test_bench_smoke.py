"""The stack benchmark (bench/stack.py) in its smoke mode, so it cannot rot.

One second per scenario at one concurrency on both databases: it checks that
the harness still starts the production site, drives every scenario and
checks the pool, not how fast anything is (this machine is shared).
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

SCENARIOS = {"bare WSGI", "hello-world Flask", "hello-world Flask, after",
             "404 GET /api/v1/texts/<code>",
             "GET /api/v1/texts/<code>", "GET /api/v1/texts/<code> +password",
             "GET /<code> raw", "POST /load/ (old)", "POST /api/v1/texts", "POST /write/ (old)",
             "wrong-password flood", "GET /api/v1/texts/<code> in flood",
             "floor: GET /api/v1/texts/<code>", "floor: POST /api/v1/texts"}


def test_smoke_run_measures_every_scenario(tmp_path):
    output = tmp_path / "results.json"
    run = subprocess.run([sys.executable, str(REPO / "bench/stack.py"), "--smoke",
                          "--databases", "sqlite,postgresql", "--output", str(output)],
                         capture_output=True, text=True, timeout=400)
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads(output.read_text())
    for row in results["rows"]:
        assert row["requests"] > 0, row
        assert row["unexpected"] == 0, row  # 2xx, but 404 for misses, 403/423 for the flood
        assert row["share_of_ceiling"] > 0
    # After bare WSGI, each database's rows between its ceiling's runs before and after.
    each = len(SCENARIOS) - 1
    for start, kind in ((1, "sqlite"), (1 + each, "postgresql")):
        rows = results["rows"][start:start + each]
        assert {row["scenario"] for row in rows} == SCENARIOS - {"bare WSGI"}
        assert {row["stack"] for row in rows} == {"hello", kind}
        miss = next(row for row in rows if row["scenario"] == "404 GET /api/v1/texts/<code>")
        assert miss["statuses"] == {"404": miss["requests"]}
        # The ceiling is the mean of its runs before and after the service's.
        assert rows[0]["share_of_ceiling"] + rows[-1]["share_of_ceiling"] == pytest.approx(2)
        assert results["conservation"][kind]["ok"], results["conservation"]
    assert set(results["daemon_memory_mb"]) == {"bare", "hello/sqlite", "sqlite",
                                                "hello/postgresql", "postgresql"}
    for memory in results["daemon_memory_mb"].values():
        assert len(memory["rss"]) == len(memory["peak"]) == 2
        assert all(0 < rss <= peak for rss, peak in zip(memory["rss"], memory["peak"]))
    assert "non-2xx" in run.stdout and "req/s" in run.stdout
    chart = output.with_suffix(".svg").read_text()
    assert chart.startswith("<?xml") and "<svg" in chart


def test_writers_benchmark_runs_every_layout_and_keeps_the_pool():
    run = subprocess.run([sys.executable, str(REPO / "bench/writers.py"), "--seconds", "0.5",
                          "--layouts", "1x1,2x2"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    rows = {line.split()[0]: line.split() for line in run.stdout.splitlines()[1:3]}
    assert set(rows) == {"1x1", "2x2"}
    assert all(float(row[1]) > 0 and row[-1] == "0" for row in rows.values()), run.stdout
    assert "pool conserved" in run.stdout
