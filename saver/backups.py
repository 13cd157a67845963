"""Backups without text bodies: scripts/saverctl's helper, run as the service user.

    backup FOLDER STAMP   write FOLDER/saver-STAMP.*, print its path
    restore FILE          replace the database with FILE

A backup keeps the schema, the pool, the resting codes and the seen LINE
events. The codes of the texts live at backup time are put to rest in it,
until the text would have expired plus SAVER_CODE_COOLDOWN (from the backup
time for a text already past its expiry), so a restore keeps conservation
and answers 410 for them, never the text, and no next writer gets such a
code while its old holder may still try it. Reports belong to texts: none
are kept.

The database URL and its password come from the app's own settings, in this
process; child programs get the password through PGPASSWORD, never on their
command line (where /proc shows it to every local user).
"""
import gzip
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from .models import utcnow

# What SQLAlchemy's SQLite DateTime writes and compares as text.
SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"
EMPTIED = ("texts", "reports")


def fail(message):
    print(f"saverctl: {message}", file=sys.stderr)
    sys.exit(2)


def settings():
    """The database URL (driver mapping included) and the cool-down, as the app sees them."""
    from saver import create_app
    config = create_app().config
    return config["SQLALCHEMY_DATABASE_URI"], int(config["SAVER_CODE_COOLDOWN"])


def resting_until(cooldown, now):
    """Return f(expires_at) -> when a live text's code may go back to the pool."""
    def until(expires_at):
        ends = max(datetime.fromisoformat(expires_at), now)
        return (ends + timedelta(seconds=cooldown)).strftime(SQLITE_TIME)
    return until


def sqlite_backup(live, target, cooldown):
    """Write a new SQLite file at ``target`` from ``live`` without any text body.

    The tables are created empty from the live schema and filled from one read
    transaction (a consistent snapshot, WAL included); texts and reports are
    never copied, so no body ever reaches the new file, not even a free page.
    """
    copy = sqlite3.connect(target, isolation_level=None)
    try:
        copy.execute("PRAGMA busy_timeout=10000")
        copy.execute("ATTACH DATABASE ? AS live", (live,))
        copy.create_function("rest_until", 1, resting_until(cooldown, utcnow()),
                             deterministic=True)
        copy.execute("BEGIN")
        schema = copy.execute(
            "SELECT type, name, sql FROM live.sqlite_master "
            "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
            "ORDER BY type = 'table' DESC, rowid").fetchall()
        tables = [name for kind, name, _ in schema if kind == "table"]
        for kind, name, sql in schema:
            if kind == "table":
                copy.execute(sql)
        for name in tables:
            if name not in EMPTIED:
                quoted = '"' + name.replace('"', '""') + '"'
                copy.execute(f"INSERT INTO main.{quoted} SELECT * FROM live.{quoted}")
        copy.execute("INSERT INTO main.resting_codes (code, until) "
                     "SELECT code, rest_until(expires_at) FROM live.texts")
        for kind, name, sql in schema:
            if kind != "table":
                copy.execute(sql)
        copy.execute("COMMIT")
        copy.execute("DETACH DATABASE live")
    finally:
        copy.close()


def sqlite_scrub(path, cooldown):
    """Put the texts of an older backup to rest and VACUUM their bodies out of the file."""
    database = sqlite3.connect(path, isolation_level=None)
    try:
        if not database.execute("SELECT 1 FROM texts LIMIT 1").fetchall():
            return
        database.create_function("rest_until", 1, resting_until(cooldown, utcnow()))
        database.execute("BEGIN")
        database.execute("INSERT INTO resting_codes (code, until) "
                         "SELECT code, rest_until(expires_at) FROM texts")
        database.execute("DELETE FROM texts")
        database.execute("DELETE FROM reports")
        database.execute("COMMIT")
        database.execute("VACUUM")
    finally:
        database.close()


def sqlite_copy(source, target):
    """Copy ``source`` over ``target`` page by page under SQLite's lock."""
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as destination:
        origin.execute("PRAGMA busy_timeout=10000")
        destination.execute("PRAGMA busy_timeout=10000")
        origin.backup(destination)
    origin.close()
    destination.close()


def gzip_file(source, target):
    # The pool is random numbers: higher levels save ~5 % for twice the time.
    with open(source, "rb") as raw, gzip.open(target, "wb", compresslevel=1) as packed:
        shutil.copyfileobj(raw, packed, 1 << 20)


def postgres_connection(url):
    """Return (libpq URI without the password, the password or None)."""
    from sqlalchemy.engine import make_url
    parsed = make_url(url)
    public = parsed.set(drivername="postgresql")._replace(password=None)
    return public.render_as_string(hide_password=False), parsed.password


def postgres_env(password):
    env = dict(os.environ)
    if password is not None:
        env["PGPASSWORD"] = password
    return env


def postgres_backup(url, target, cooldown):
    """Write a gzipped SQL dump without text bodies to ``target``.

    pg_dump leaves out the data of texts and reports; the live codes are
    added as resting rows from the same snapshot, so the pool, the resting
    codes and the texts' codes add up exactly.
    """
    import psycopg
    dsn, password = postgres_connection(url)
    with psycopg.connect(dsn, password=password) as connection:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        snapshot, schema = connection.execute(
            "SELECT pg_export_snapshot(), quote_ident(current_schema())").fetchone()
        with gzip.open(target, "wb", compresslevel=1) as packed:
            dump = subprocess.Popen(
                ["pg_dump", "--format=plain", "--clean", "--if-exists", "--no-owner",
                 "--no-privileges", f"--snapshot={snapshot}",
                 "--exclude-table-data=texts", "--exclude-table-data=reports",
                 f"--dbname={dsn}"], stdout=subprocess.PIPE, env=postgres_env(password))
            shutil.copyfileobj(dump.stdout, packed, 1 << 20)
            if dump.wait() != 0:
                fail(f"pg_dump exited {dump.returncode}")
            packed.write(f"\nCOPY {schema}.resting_codes (code, until) FROM stdin;\n".encode())
            rest = (f"COPY (SELECT code, GREATEST(expires_at, now() AT TIME ZONE 'UTC')"
                    f" + make_interval(secs => {cooldown}) FROM {schema}.texts) TO STDOUT")
            with connection.cursor().copy(rest) as rows:
                for block in rows:
                    packed.write(block)
            packed.write(b"\\.\n")


def postgres_restore(url, path, cooldown):
    """Restore a dump in one transaction; texts of an older full dump are put to rest."""
    dsn, password = postgres_connection(url)
    env = postgres_env(password)
    scrub = ("INSERT INTO resting_codes (code, until) SELECT code, GREATEST(expires_at, "
             f"now() AT TIME ZONE 'UTC') + make_interval(secs => {cooldown}) FROM texts; "
             "DELETE FROM texts; DELETE FROM reports;")
    if path.endswith(".pgdump"):  # made before backups left the bodies out
        source = subprocess.Popen(["pg_restore", "--clean", "--if-exists", "--no-owner",
                                   "--file=-", path], stdout=subprocess.PIPE, env=env)
    else:
        source = subprocess.Popen(["gzip", "-dc", "--", path], stdout=subprocess.PIPE, env=env)
    # search_path is restored from the connection's default after the dump empties it.
    restore = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", "-",
         "-c", "RESET search_path", "-c", scrub, f"--dbname={dsn}"],
        stdin=source.stdout, stdout=subprocess.DEVNULL, env=env)
    source.stdout.close()
    if source.wait() != 0 or restore.returncode != 0:
        fail(f"restoring {path} failed; the database is unchanged")


def backup(folder, stamp):
    url, cooldown = settings()
    folder = Path(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_uid == os.geteuid():
        folder.chmod(0o700)
    elif folder.stat().st_mode & 0o077:
        fail(f"{folder} is open to other users; make it mode 0700")
    if url.startswith("sqlite:///"):
        target = folder / f"saver-{stamp}.sqlite3.gz"
    elif url.startswith("postgresql"):
        target = folder / f"saver-{stamp}.sql.gz"
    else:
        fail(f"cannot back up a database at {url.split(':', 1)[0]}:")
    if target.exists():
        fail(f"{target} exists already")
    # Partial files start with a dot: pruning and restore never take them for backups.
    partial = folder / f".{target.name}.partial"
    scratch = folder / f".saver-{stamp}.sqlite3.partial"
    try:
        if url.startswith("sqlite:///"):
            scratch.unlink(missing_ok=True)
            sqlite_backup(url.removeprefix("sqlite:///"), str(scratch), cooldown)
            gzip_file(scratch, partial)
        else:
            postgres_backup(url, partial, cooldown)
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
        scratch.unlink(missing_ok=True)
    print(target)


def restore(path):
    url, cooldown = settings()
    if url.startswith("sqlite:///") and path.endswith(".sqlite3.gz"):
        with tempfile.TemporaryDirectory(prefix="saver-restore-") as scratch_dir:
            scratch = os.path.join(scratch_dir, "saver.db")
            with gzip.open(path, "rb") as packed, open(scratch, "wb") as raw:
                shutil.copyfileobj(packed, raw, 1 << 20)
            sqlite_scrub(scratch, cooldown)
            sqlite_copy(scratch, url.removeprefix("sqlite:///"))
    elif url.startswith("postgresql") and path.endswith((".sql.gz", ".pgdump")):
        postgres_restore(url, path, cooldown)
    else:
        fail(f"'{path}' does not look like a backup of the database at "
             f"{url.split(':', 1)[0]}:")


def main(args):
    os.umask(0o077)  # backups and their scratch files: mode 0600
    if len(args) == 3 and args[0] == "backup":
        backup(args[1], args[2])
    elif len(args) == 2 and args[0] == "restore":
        restore(args[1])
    else:
        fail("usage: backup FOLDER STAMP | restore FILE")


if __name__ == "__main__":
    main(sys.argv[1:])
