"""The lock files pin what setup.cfg asks for, and the VM's pins are the tests' pins."""
import configparser
import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]


def pins(name):
    text = (REPO / name).read_text()
    return {canonicalize_name(package): version
            for package, version in re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)", text, re.M)}


def requirements(*extras):
    setup = configparser.ConfigParser()
    setup.read(REPO / "setup.cfg")
    lines = setup["options"]["install_requires"].splitlines()
    for extra in extras:
        lines += setup["options.extras_require"][extra].splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]


def test_each_lock_satisfies_setup_cfg():
    for lock, extras in (("requirements.lock", ("postgres", "redis")),
                         ("requirements-dev.lock", ("postgres", "redis", "test", "bench"))):
        pinned = pins(lock)
        for requirement in requirements(*extras):
            version = pinned.get(canonicalize_name(requirement.name))
            assert version is not None, f"{lock} pins no {requirement.name}"
            assert requirement.specifier.contains(version, prereleases=True), (
                f"{lock}: {requirement.name}=={version} is not {requirement.specifier}")


def test_the_vm_runs_the_versions_the_tests_ran():
    app, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {name: dev.get(name) for name in app} == app
