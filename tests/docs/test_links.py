"""README.md and docs/: every relative link and every backticked repository path points at something that
exists, and the README stays short enough to read in one go."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "terraform" / "README.md",
         *sorted((ROOT / "terraform" / "modules").glob("*/README.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
# `thumbrouter/router/config.py`-style mentions of files and folders of this repository
# (a file with an extension or a folder ending in "/"; `thumbrouter/ThumbnailsCreated` is a metric, not a path)
PATH = re.compile(r"`((?:thumbrouter|lambda|router|terraform|tests|bench|docs|tools)/[A-Za-z0-9_./-]*(?:\.[a-z]+|/))`")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_and_named_path_exists(page):
    text = page.read_text()
    links = [target for target in LINK.findall(text) if "://" not in target]
    missing = [t for t in links if not (page.parent / t).exists()]
    missing += [p for p in PATH.findall(text) if not (ROOT / p.rstrip(".")).exists()]
    assert not missing, f"{page.relative_to(ROOT)} names what does not exist: {missing}"


def test_the_readme_fits_in_a_head():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 130
