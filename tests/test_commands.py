"""The operator commands, run through ``flask`` as an operator would."""
import os
import signal
import subprocess
import sys
import time

from saver import texts

FLASK = os.path.join(os.path.dirname(sys.executable), "flask")


def test_seed_codes_is_idempotent_and_shows_progress(runner):
    result = runner.invoke(args=["seed-codes"])
    assert result.exit_code == 0
    assert "Seeding codes" in result.output and "Added 0 codes" in result.output
    assert "free 2704  live 0  resting 0  total 2704 of 2704" in result.output


def test_stats_reports_the_counts(app, runner):
    with app.app_context():
        texts.write("one")
    result = runner.invoke(args=["stats"])
    assert result.exit_code == 0
    assert "free 2703  live 1  resting 0  total 2704 of 2704" in result.output


def test_stats_fails_when_the_pool_is_not_whole(app, runner):
    from saver.extensions import db
    with app.app_context():
        db.session.execute(db.text("DELETE FROM free_codes"))
        db.session.commit()
    result = runner.invoke(args=["stats"])
    assert result.exit_code == 1 and "run seed-codes" in result.output


def test_sweep_prints_what_it_did(runner):
    result = runner.invoke(args=["sweep"])
    assert result.exit_code == 0
    assert result.output.strip() == ("Ended 0 expired texts; returned 0 rested codes to the pool; "
                                     "forgot 0 old LINE events.")


def run_flask(args, database_url, **kwargs):
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([FLASK, "--app", "saver", *args], env=env, capture_output=True,
                          text=True, timeout=120, **kwargs)


def test_commands_fail_cleanly_when_the_database_is_down(tmp_path):
    down = "postgresql://postgres@127.0.0.1:1/none"  # nothing listens on port 1
    for args in (["sweep"], ["stats"], ["seed-codes"], ["purge", "abcd"]):
        result = run_flask(args, down)
        assert result.returncode == 1, (args, result.stderr)
        assert "Traceback" not in result.stderr
        assert "Error: database error:" in result.stderr


def test_scheduler_sweeps_and_stops_on_sigterm(app, database_url):
    env = {**os.environ, "DATABASE_URL": database_url}
    process = subprocess.Popen([FLASK, "--app", "saver", "scheduler", "--every", "1"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sweeps, deadline = 0, time.monotonic() + 60
    try:
        while sweeps < 2 and time.monotonic() < deadline:
            sweeps += process.stdout.readline().startswith("Ended 0 expired texts")
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert sweeps == 2
    assert process.returncode == 0, err
    assert out.strip().endswith("Scheduler stopped.")
