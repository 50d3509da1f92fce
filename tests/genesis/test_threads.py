"""genesis.threads: the one rule for thread pools on small machines (issue 11 §3)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from genesis import threads


@pytest.mark.parametrize(("cores", "expected"), [(1, 1), (2, 1), (4, 1), (5, None), (64, None)])
def test_one_thread_on_small_machines(monkeypatch, cores, expected):
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert threads.small_machine_threads() == expected
    from genesis.generators.neural import default_torch_threads

    assert default_torch_threads() == expected


def test_the_rule_lives_in_one_place():
    root = Path(threads.__file__).resolve().parents[1]
    rule = re.compile(r"cpu_count\(\)[^\n]*<=\s*\d")
    holders = [
        p.relative_to(root).as_posix()
        for package in ("genesis", "genesis_assets", "genesis_resources")
        for p in (root / package).rglob("*.py")
        if rule.search(p.read_text(encoding="utf-8"))
    ]
    assert holders == []  # genesis/threads.py compares with a named constant
