"""Operator commands under ``flask``: each prints what it did and exits non-zero on failure."""
import functools
import signal
import time

import click
import schedule
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from . import pool, reports, texts
from .db import reading
from .errors import SaverError
from .line import events as line_events


def _reported(command):
    """Turn domain and database failures into a one-line error and exit status 1."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except SaverError as exc:
            raise click.ClickException(exc.message) from None
        except SQLAlchemyError as exc:
            raise click.ClickException(f"database error: {str(exc).splitlines()[0]}") from None
    return run


@click.command("seed-codes")
@with_appcontext
@_reported
def seed_codes_command():
    """Put every code not in use into the pool (idempotent)."""
    with click.progressbar(length=pool.space(), label="Seeding codes") as bar:
        added = pool.seed(progress=bar.update)
    click.echo(f"Added {added} codes to the pool.")
    _echo_counts(pool.keep_counts())


@click.command("sweep")
@with_appcontext
@_reported
def sweep_command():
    """End expired texts, return rested codes to the pool and forget old LINE events."""
    click.echo(_sweep())


@click.command("stats")
@with_appcontext
@_reported
def stats_command():
    """Print how many codes are free, live and resting."""
    _echo_counts()


@click.command("purge")
@click.argument("code")
@with_appcontext
@_reported
def purge_command(code):
    """End the text under CODE now; its code rests before it returns to the pool."""
    if not texts.purge(code):
        raise click.ClickException(f"No live text has the code {code!r}.")
    click.echo(f"Purged the text under {code}.")


@click.group("reports", invoke_without_command=True)
@click.pass_context
@with_appcontext
@_reported
def reports_command(context):
    """List the open reports of live texts: code, count, first and last time, reasons."""
    if context.invoked_subcommand is not None:
        return
    found = reports.open_reports()
    if not found:
        click.echo("No open reports.")
    hide_after = current_app.config["SAVER_REPORT_HIDE_AFTER"]
    for item in found:
        hidden = "  (hidden)" if item.count >= hide_after else ""
        click.echo(f"{item.code}  {item.count} report{'s' if item.count != 1 else ''}  "
                   f"first {item.first:%Y-%m-%d %H:%M}  last {item.last:%Y-%m-%d %H:%M} UTC"
                   f"{hidden}")
        for reason in item.reasons:
            click.echo(f"    - {reason}")


@reports_command.command("clear")
@click.argument("code")
@with_appcontext
@_reported
def reports_clear_command(code):
    """Forget the reports of the text under CODE: it is served again."""
    cleared = reports.clear(code)
    if not cleared:
        raise click.ClickException(f"No open report of the code {code!r}.")
    click.echo(f"Cleared {cleared} report{'s' if cleared != 1 else ''} of {code}; "
               "the text is served again.")


@click.command("scheduler")
@click.option("--every", default=60, show_default=True, type=click.IntRange(min=1),
              help="Seconds between sweeps.")
@with_appcontext
@_reported
def scheduler_command(every):
    """Run the sweep every minute until stopped (for hosts without systemd timers)."""
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    schedule.every(every).seconds.do(_sweep_logged)
    click.echo(f"Sweeping every {every} s; stop with SIGTERM or Ctrl-C.")
    _sweep_logged()
    try:
        while not stopping:
            schedule.run_pending()
            time.sleep(min(1, every))
    except KeyboardInterrupt:
        pass
    schedule.clear()
    click.echo("Scheduler stopped.")


def _sweep_logged():
    """One sweep whose failure is reported and retried at the next run."""
    try:
        click.echo(_sweep())
    except SQLAlchemyError as exc:
        click.echo(f"Sweep failed: {str(exc).splitlines()[0]}", err=True)


def _sweep():
    """Sweep texts, codes and LINE events; return what was done as a sentence."""
    ended, released = texts.sweep()
    forgotten = line_events.sweep()
    pool.keep_counts()  # for the health check, which does not count
    return (f"Ended {ended} expired texts; returned {released} rested codes to the pool; "
            f"forgot {forgotten} old LINE events.")


def _echo_counts(counts=None):
    if counts is None:
        with reading() as connection:
            counts = pool.counts(connection)
    total = counts["free"] + counts["live"] + counts["resting"]
    click.echo(f"free {counts['free']}  live {counts['live']}  resting {counts['resting']}  "
               f"total {total} of {pool.space()}")
    if total != pool.space():
        raise click.ClickException("The pool is not whole: run seed-codes.")


def register(app):
    """Add the commands to ``flask``."""
    for command in (seed_codes_command, sweep_command, stats_command, purge_command,
                    reports_command, scheduler_command):
        app.cli.add_command(command)
