"""Vectorised check digits agree with python-stdnum on random bodies; repairs recompute them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from stdnum import ean, iban, luhn
from stdnum.us import rtn

from genesis.domains import identifiers as ids


def _strings(digits: np.ndarray) -> list[str]:
    return ["".join(map(str, row)) for row in digits]


def test_luhn_and_gtin_digits_agree_with_stdnum():
    rng = np.random.default_rng(0)
    for width in (12, 14, 15, 18):
        body = rng.integers(0, 10, size=(500, width))
        mine = ids.luhn_check_digit(body)
        assert [int(luhn.calc_check_digit(s)) for s in _strings(body)] == mine.tolist()
    body = rng.integers(0, 10, size=(500, 12))
    assert [int(ean.calc_check_digit(s)) for s in _strings(body)] == ids.gtin_check_digit(
        body
    ).tolist()


def test_generated_identifiers_validate_with_stdnum():
    rng = np.random.default_rng(1)
    cards = ids.card_numbers(np.array(["visa", "mastercard", "amex"] * 2000, dtype=object), rng)
    assert len(set(cards)) == 6000 and all(luhn.is_valid(c) for c in cards)
    banks = ids.ibans(np.array(["DE", "GB", "NL", "US"] * 1000, dtype=object), rng)
    assert sum(b is None for b in banks) == 1000
    assert all(iban.is_valid(b) for b in banks if b is not None)
    assert all(rtn.is_valid(r) for r in ids.routing_numbers(2000, rng))
    gtins = ids.gtin13(3000, rng, ("00", "400", "50"))
    assert len(set(gtins)) == 3000 and all(ean.is_valid(g) for g in gtins)
    with pytest.raises(ValueError, match="unknown card networks"):
        ids.card_numbers(np.array(["diners"], dtype=object), rng)


def test_fixes_recompute_check_digits_and_reject_other_shapes():
    cards = ids.fix_luhn(pd.Series(["4111111111111112", "4111-1111-1111-1110", "12", None]))
    assert cards.iloc[0] == "4111111111111111" and luhn.is_valid(cards.iloc[1])
    assert cards.iloc[2:].isna().all()
    banks = ids.fix_iban(pd.Series(["GB00NWBK60161331926819", "DE00370400440532013000", "FR76"]))
    assert banks.iloc[0] == "GB29NWBK60161331926819" and iban.is_valid(banks.iloc[1])
    assert pd.isna(banks.iloc[2])
    assert ids.fix_gtin13(pd.Series(["4006381333930"])).iloc[0] == "4006381333931"
    assert rtn.is_valid(ids.fix_routing(pd.Series(["011000010"])).iloc[0])
    assert {"USD", "EUR", "GBP", "JPY"} <= ids.ISO_4217 and "ABC" not in ids.ISO_4217


def test_unique_draws_gives_up_on_a_tiny_space():
    rng = np.random.default_rng(0)
    with pytest.raises(RuntimeError, match="too small"):
        ids.unique_draws(lambda k: rng.integers(0, 3, k).astype(object), 10, max_rounds=5)
