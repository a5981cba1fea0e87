"""How `make test` shares two processes (tests/conftest.py): a test marked `quiet` runs while no
other test does, and the others do run side by side. Checked on a small suite of tests that
write down when they ran, under pytest-xdist with two workers and this project's conftest."""

from __future__ import annotations

import json
from pathlib import Path

pytest_plugins = ["pytester"]

CONFTEST = Path(__file__).with_name("conftest.py")

# Each test notes its start and end; the sleep keeps a test running long enough that a test
# of the other worker would overlap it if nothing stopped it.
TIMED = """
import json, os, time
import pytest

def timed(name):
    start = time.monotonic()
    time.sleep(0.6)
    with open({log!r}, "a") as f:
        f.write(json.dumps([name, start, time.monotonic()]) + "\\n")
"""


def test_a_quiet_test_runs_alone_and_the_others_side_by_side(pytester):
    log = pytester.path / "ran.jsonl"
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    head = TIMED.format(log=str(log))
    pytester.makepyfile(
        test_many=head + "".join(f"\ndef test_many_{i}():\n    timed('many_{i}')\n" for i in range(4)),
        test_some=head + "".join(f"\ndef test_some_{i}():\n    timed('some_{i}')\n" for i in range(3)),
        test_quiet=head
        + "\n@pytest.mark.quiet\ndef test_measures():\n    timed('quiet')\n"
        + "\ndef test_after():\n    timed('after')\n",
    )
    result = pytester.runpytest_subprocess("-n", "2", "--dist", "loadfile", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=9)

    spans = {name: (start, end) for name, start, end in map(json.loads, log.read_text().splitlines())}

    def overlap(a, b):
        return spans[a][0] < spans[b][1] and spans[b][0] < spans[a][1]

    others = [name for name in spans if name != "quiet"]
    assert not [name for name in others if overlap("quiet", name)], spans
    assert any(overlap(a, b) for a in others for b in others if a < b), "the two workers never ran at once"
