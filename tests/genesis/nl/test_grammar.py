"""genesis.nl.grammar: numbers with units, number words, phrases."""

from __future__ import annotations

import pytest

from genesis.nl.grammar import parse_number, parse_number_words, parse_prompt


@pytest.mark.parametrize(
    ("text", "value", "money", "percent"),
    [
        ("10k", 10_000, False, False),
        ("1.5M", 1_500_000, False, False),
        ("$50,000", 50_000, True, False),
        ("$50k", 50_000, True, False),
        ("50%", 50, False, True),
        ("2bn", 2_000_000_000, False, False),
        ("3 thousand", 3_000, False, False),
    ],
)
def test_numbers_with_units(text, value, money, percent):
    q = parse_number(text)
    assert (q.value, q.money, q.percent) == (value, money, percent)


@pytest.mark.parametrize(
    ("text", "value"),
    [("a thousand", 1000), ("twenty", 20), ("twenty-five", 25), ("two hundred and fifty", 250),
     ("a dozen", 12), ("twelve hundred", 1200), ("three million", 3_000_000)],
)  # fmt: skip
def test_number_words(text, value):
    assert parse_number_words(text) == value


def test_phrases():
    kinds = [(p.kind, p.op) for p in parse_prompt("500 women over 50, not in CA or NY")]
    assert kinds == [
        ("number", None),
        ("word", None),
        ("comparison", "gt"),
        ("sep", None),
        ("negation", None),
        ("member", None),
        ("word", None),
        ("or", None),
        ("word", None),
    ]
    ranges = [p for p in parse_prompt("aged 18-25 or between $30k and $40k") if p.kind == "range"]
    assert [[q.value for q in p.quantities] for p in ranges] == [[18, 25], [30_000, 40_000]]
    (decade,) = [p for p in parse_prompt("in their late 30s") if p.kind == "decade"]
    assert [q.value for q in decade.quantities] == [36, 39]
    # "and under" before a number is a conjunction plus a comparison, not "<= 50"
    ops = [p.op for p in parse_prompt("over 50 and under 60") if p.kind == "comparison"]
    assert ops == ["gt", "lt"]
    suffixed = [p.op for p in parse_prompt("21 and over, 65 or younger") if p.kind == "comparison"]
    assert suffixed == ["gte", "lte"]
