"""saver.env.example is the one list of settings: it names every setting the app reads.

The names come from ``saver.config.ENVIRONMENT``, the settings read from the
environment; a setting line in the example is ``NAME=value``, commented out
(``#NAME=value``) when it shows the default.
"""
import io
import logging
import re
from pathlib import Path

from dotenv import dotenv_values

from saver import config

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "saver.env.example"
SETTING_LINE = re.compile(r"^#?([A-Z][A-Z0-9_]+)=", re.MULTILINE)


def documented():
    """The setting names of the example's setting lines, in order, repeats kept."""
    return SETTING_LINE.findall(EXAMPLE.read_text(encoding="utf-8"))


def shown_values():
    """The value each setting line shows, commented out or not, as python-dotenv reads it."""
    lines = [line.lstrip("#") for line in EXAMPLE.read_text(encoding="utf-8").splitlines()
             if SETTING_LINE.match(line)]
    return dotenv_values(stream=io.StringIO("\n".join(lines) + "\n"))


def test_every_setting_read_from_the_environment_is_documented():
    assert sorted(set(config.ENVIRONMENT) - set(documented())) == []


def test_every_documented_setting_is_read_from_the_environment():
    assert sorted(set(documented()) - set(config.ENVIRONMENT)) == []


def test_each_setting_is_documented_once():
    names = documented()
    assert sorted({name for name in names if names.count(name) > 1}) == []


def test_the_environment_names_are_the_ones_config_reads():
    every = {name: "1" for name in config.ENVIRONMENT}
    assert len(config.from_environment(every)) == len(config.ENVIRONMENT)
    for name in config.ENVIRONMENT:
        assert config.from_environment({name: "1"}), f"{name} is not read"


def test_python_dotenv_reads_the_example_without_complaint(caplog):
    with caplog.at_level(logging.WARNING, logger="dotenv"):
        settings = dotenv_values(EXAMPLE)
    assert not caplog.records, [record.getMessage() for record in caplog.records]
    # What install.sh fills in; everything else is commented out.
    assert sorted(settings) == ["DATABASE_URL", "SECRET_KEY"]


def test_the_defaults_shown_are_the_defaults():
    def written(value):
        if value is None:
            return ""
        return str(value).lower() if isinstance(value, bool) else str(value)

    shown = shown_values()
    differ = {name: (shown[name], written(config.DEFAULTS[name]))
              for name in shown if name in config.DEFAULTS
              and shown[name] != written(config.DEFAULTS[name])}
    assert differ == {}
