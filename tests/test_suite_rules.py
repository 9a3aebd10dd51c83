"""Rules the test suite keeps so that it passes on a machine whose cores are busy elsewhere."""

import re
from pathlib import Path

from hypothesis import settings

TESTS = Path(__file__).parent
SLEEP = re.compile(r"\btime\.sleep\(|\bfrom time import\b.*\bsleep\b")


def test_no_test_waits_by_sleeping():
    # Wait on an event, a queue, a process's output or tests.support.waiting.wait_until instead.
    found = [f"{path.relative_to(TESTS)}:{number}" for path in sorted(TESTS.rglob("*.py"))
             for number, line in enumerate(path.read_text().splitlines(), 1) if SLEEP.search(line)]
    assert found == []


def test_hypothesis_examples_have_no_wall_clock_deadline():
    assert settings.default.deadline is None
    assert settings(max_examples=5).deadline is None  # what a test's own @settings inherits
