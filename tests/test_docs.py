"""The README stays short, and its links lead somewhere."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
README_MOST_LINES = 250


def test_readme_is_short():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MOST_LINES, (
        f"README.md has {len(lines)} lines; move the detail into docs/")


def test_readme_links_to_files_that_exist():
    targets = re.findall(r"\]\(([^)#\s]+)[^)]*\)", README.read_text(encoding="utf-8"))
    local = [target for target in targets if "://" not in target]
    assert local, "README.md links into docs/"
    assert [target for target in local if not (ROOT / target).exists()] == []
