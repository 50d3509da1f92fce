"""The support of a numeric column: the set of values it really takes.

Real columns rarely fill the real line. Amounts are zero for most rows, a sentinel such as
``99999`` marks "unknown", wind speeds sit on a grid left by a unit conversion (knots to
miles per hour), loan amounts are mostly whole thousands, and a clock time stored as the
integer ``517`` means 05:17, so ``561`` is not a value at all. A synthesizer that draws
between those values produces rows a classifier spots at once. :func:`detect_support`
finds, per column:

* ``encoding``: a composite integer encoding, ``"hhmm"`` (clock times; the model sees
  minutes since midnight and writes valid times back);
* ``point_masses``: values holding at least ``point_mass_share`` of the rows (zeros, round
  numbers) and sentinels (an extreme value far from the rest, or all nines), generated at
  their real rates and never jittered;
* ``step`` and ``origin``: a lattice ``origin + k * step`` every value lies on (integers,
  multiples of 10 degrees, a 0.5 grid, a converted unit), found with a tolerance for the
  rounding of the stored decimals; generated values are snapped back to it;
* ``round_step`` and ``round_share``: a coarser grid (powers of ten) that holds far more
  of the other values than chance would (``78%`` of loan amounts on whole thousands);
* ``continuous``: whether most values are rare (held by fewer than ``RARE_VALUE_ROWS``
  rows); only there does smoothing make sense.

Everything is in the column's own units except ``step``/``origin`` of an ``hhmm`` column,
which are in minutes since midnight. The result is recorded in
:attr:`genesis.schema.ColumnSchema.support` and shown by ``genesis discover``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from genesis.errors import SchemaError

#: default share of rows a value must hold to be a point mass
POINT_MASS_SHARE = 0.02
#: at most this many point masses per column (the most frequent)
MAX_POINT_MASSES = 10
#: columns with at most this many distinct values are discrete already: no point masses
_MIN_DISTINCT_FOR_MASSES = 20
#: a point mass holds this many times the mean count of its neighbouring values ...
_SPIKE_LIFT = 3.0
#: ... this many on each side
_NEIGHBOURS = 2
#: a sentinel holds at least this share of rows ...
_SENTINEL_SHARE = 0.001
#: ... and lies this far beyond the other values, as a share of their range
_SENTINEL_GAP = 0.5
#: a value held by fewer rows than this is rare (identifying, and smoothed by CART)
RARE_VALUE_ROWS = 5
#: a round grid must hold this share of the other values ...
_ROUND_MIN_SHARE = 0.3
#: ... and this many times the share chance would put there
_ROUND_MIN_LIFT = 4.0
#: an HHMM column takes at least this many distinct values (few values prove nothing)
_HHMM_MIN_DISTINCT = 60

ENCODINGS = ("hhmm",)


@dataclass
class Support:
    """Where a numeric column's values lie (see the module docstring).

    Attributes:
        encoding: ``"hhmm"`` for clock times stored as integers, else None.
        point_masses: values generated at their real rates, most frequent first.
        point_mass_shares: the share of non-missing rows each holds.
        step, origin: the lattice ``origin + k * step`` (minutes for ``hhmm``); None when
            the values follow no grid coarser than their decimals.
        round_step, round_share: a coarser grid holding ``round_share`` of the values that
            are not point masses; None and 0 when there is none.
        continuous: most values are rare, so the column is smoothed, not copied.
    """

    encoding: str | None = None
    point_masses: list[float] = field(default_factory=list)
    point_mass_shares: list[float] = field(default_factory=list)
    step: float | None = None
    origin: float | None = None
    round_step: float | None = None
    round_share: float = 0.0
    continuous: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-safe dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | Support | None) -> Support | None:
        """Rebuild from :meth:`to_dict` output (a Support or None passes through)."""
        if data is None or isinstance(data, Support):
            return data
        if not isinstance(data, dict):
            raise SchemaError(f"support must be a mapping, got {type(data).__name__}")
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise SchemaError(
                f"unknown support field(s) {sorted(unknown)}; allowed fields are "
                f"{sorted(cls.__dataclass_fields__)}"
            )
        support = cls(**data)
        if support.encoding is not None and support.encoding not in ENCODINGS:
            raise SchemaError(
                f"unknown support encoding {support.encoding!r}; use one of {list(ENCODINGS)} "
                "or null"
            )
        if support.step is not None and not support.step > 0:
            raise SchemaError(f"support step must be positive, got {support.step!r}")
        if len(support.point_masses) != len(support.point_mass_shares):
            raise SchemaError("support point_masses and point_mass_shares differ in length")
        return support

    def describe(self) -> str:
        """One line for people: ``"HHMM clock time; grid 1; point masses 0 (86%)"``."""
        parts = []
        if self.encoding == "hhmm":
            parts.append("HHMM clock time")
        if self.point_masses:
            masses = ", ".join(
                f"{_number(v)} ({s:.0%})"
                for v, s in zip(self.point_masses, self.point_mass_shares, strict=True)
            )
            parts.append(f"point masses {masses}")
        if self.step is not None:
            unit = " min" if self.encoding == "hhmm" else ""
            parts.append(f"grid {_number(self.step)}{unit}")
        if self.round_step is not None:
            parts.append(f"{self.round_share:.0%} on multiples of {_number(self.round_step)}")
        parts.append("continuous" if self.continuous else "discrete values")
        return "; ".join(parts)


def _number(value: float) -> str:
    return f"{value:.6g}"


# --- clock times ----------------------------------------------------------------------------


def hhmm_to_minutes(values: np.ndarray) -> np.ndarray:
    """``517 -> 317.0`` (minutes since midnight); ``2400`` is 1440, the end of the day."""
    values = np.asarray(values, dtype=np.float64)
    return np.floor(values / 100) * 60 + np.mod(values, 100)


def minutes_to_hhmm(minutes: np.ndarray) -> np.ndarray:
    """Whole minutes since midnight back to HHMM integers (as floats): ``317 -> 517``."""
    minutes = np.round(np.asarray(minutes, dtype=np.float64))
    return np.floor(minutes / 60) * 100 + np.mod(minutes, 60)


def _is_hhmm(distinct: np.ndarray) -> bool:
    if distinct.size < _HHMM_MIN_DISTINCT or distinct.min() < 0 or distinct.max() > 2400:
        return False
    if not np.all(distinct == np.round(distinct)):
        return False
    minutes, hours = np.mod(distinct, 100), np.floor(distinct / 100)
    # a random integer column over 0-2400 has 40% of its values at minutes 60-99; with at
    # least 60 distinct values and none there, the column is a clock. A column of minutes
    # alone (0-59) or of hours is not a composite.
    return bool(
        np.all(minutes < 60)
        and np.unique(hours).size >= 3
        and np.unique(minutes).size >= 10
        and np.all((hours < 24) | (distinct == 2400))
    )


# --- lattices -------------------------------------------------------------------------------


def _tolerance(decimals: int | None, scale: float) -> float:
    # half a unit of the last stored decimal: rounding noise, never a neighbouring value
    unit = 10.0 ** -(decimals if decimals is not None else 6)
    return max(0.5 * unit, 1e-9 * max(1.0, scale))


def _lattice(distinct: np.ndarray, decimals: int | None) -> tuple[float, float] | None:
    """``(step, origin)`` of the coarsest grid all distinct values lie on, or None."""
    if distinct.size < 3:
        return None
    origin = float(distinct[0])
    offsets = distinct - origin
    tol = _tolerance(decimals, float(np.abs(distinct).max()))
    if decimals is not None and decimals <= 9:
        # exact in scaled integers: the greatest common divisor of the offsets
        scaled = np.round(offsets * 10.0**decimals)
        exact = np.all(np.abs(scaled - offsets * 10.0**decimals) < 1e-6 * np.maximum(1, scaled))
        if exact and scaled.max() < 2**62:
            step = int(np.gcd.reduce(scaled.astype(np.int64)))
            if step > 1 or decimals == 0:
                return step / 10.0**decimals, origin
    # a grid with rounding noise (a converted unit stored to a few decimals): the smallest
    # gap is one step or a multiple of it; fit the step on every value and check them all
    gaps = np.diff(distinct)
    smallest = float(gaps.min())
    if smallest <= 2 * tol:
        return None
    k = np.round(offsets / smallest)
    step = float(np.dot(k, offsets) / np.dot(k, k))
    residual = np.abs(offsets - k * step)
    if residual.max() <= 2 * tol + 1e-12:
        return step, origin
    return None


def snap_to_lattice(x: np.ndarray, step: float, origin: float) -> np.ndarray:
    """The lattice point ``origin + k * step`` nearest each value."""
    return origin + np.round((x - origin) / step) * step


def _round_grid(
    values: np.ndarray, step: float | None, decimals: int | None
) -> tuple[float, float] | None:
    """``(round_step, share)`` of the coarsest power of ten holding far more values than chance."""
    if values.size < 20 or np.unique(values).size <= _MIN_DISTINCT_FOR_MASSES:
        return None
    base = step if step is not None else 10.0 ** -(decimals if decimals is not None else 6)
    spread = float(values.max() - values.min())
    best = None
    grid = 10.0 ** np.ceil(np.log10(base * 1.5))
    while grid <= spread / 2:
        tol = _tolerance(decimals, grid)
        on_grid = np.abs(values - np.round(values / grid) * grid) <= tol
        share = float(on_grid.mean())
        chance = min(1.0, base / grid)
        if share >= _ROUND_MIN_SHARE and share >= _ROUND_MIN_LIFT * chance:
            best = (float(grid), share)
        grid *= 10
    return best


def on_round_grid(x: np.ndarray, round_step: float, decimals: int | None) -> np.ndarray:
    """Which values are multiples of ``round_step`` (within the stored decimals)."""
    tol = _tolerance(decimals, round_step)
    return np.abs(x - np.round(x / round_step) * round_step) <= tol


# --- point masses ---------------------------------------------------------------------------


def _point_masses(
    distinct: np.ndarray, counts: np.ndarray, n: int, share: float, max_masses: int
) -> list[int]:
    """Positions in ``distinct`` of the point masses, most frequent first."""
    if distinct.size <= _MIN_DISTINCT_FOR_MASSES:
        return []
    # a spike: frequent, and far above the values next to it (an evenly spread column of
    # ages has frequent values but no spikes)
    padded = np.pad(counts.astype(np.float64), _NEIGHBOURS, constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * _NEIGHBOURS + 1)
    neighbours = np.delete(windows, _NEIGHBOURS, axis=1)
    local = np.nan_to_num(np.nanmean(neighbours, axis=1), nan=0.0)
    spikes = (counts >= share * n) & (counts >= _SPIKE_LIFT * local)
    chosen = set(np.flatnonzero(spikes).tolist())
    # sentinels: an extreme value held by enough rows, far from the others or all nines
    rest_range = float(distinct[-2] - distinct[1]) if distinct.size > 3 else 0.0
    for position, neighbour in ((distinct.size - 1, distinct.size - 2), (0, 1)):
        if counts[position] < max(2, _SENTINEL_SHARE * n):
            continue
        value = float(distinct[position])
        gap = abs(value - float(distinct[neighbour]))
        nines = value == int(value) and set(str(abs(int(value)))) == {"9"} and abs(value) >= 99
        if nines or (rest_range > 0 and gap >= _SENTINEL_GAP * rest_range):
            chosen.add(position)
    ranked = sorted(chosen, key=lambda p: (-counts[p], distinct[p]))[:max_masses]
    # keep some rows that are not point masses, else the column is simply discrete
    if n - counts[ranked].sum() < max(10, 0.01 * n):
        return []
    return ranked


# --- detection ------------------------------------------------------------------------------


def detect_support(
    values: np.ndarray,
    *,
    decimals: int | None = None,
    point_mass_share: float = POINT_MASS_SHARE,
    max_point_masses: int = MAX_POINT_MASSES,
) -> Support:
    """The :class:`Support` of a numeric column from its finite, non-missing ``values``.

    Args:
        values: the column's values (missing and infinite values removed by the caller).
        decimals: the decimal places the values are stored with (0 for integers), which
            sets the tolerance of grid checks; None when unknown.
        point_mass_share: the share of rows a value needs to be a point mass.
        max_point_masses: most point masses kept (the most frequent).
    """
    x = np.asarray(values, dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return Support()
    distinct, counts = np.unique(x, return_counts=True)
    encoding = "hhmm" if _is_hhmm(distinct) else None
    positions = _point_masses(distinct, counts, x.size, point_mass_share, max_point_masses)
    masses = distinct[positions]
    shares = counts[positions] / x.size
    model_distinct = distinct if encoding is None else np.unique(hhmm_to_minutes(distinct))
    lattice = _lattice(model_distinct, 0 if encoding else decimals)
    step, origin = lattice if lattice is not None else (None, None)
    regular = ~np.isin(x, masses)
    model_regular = x[regular] if encoding is None else hhmm_to_minutes(x[regular])
    rounding = None if encoding else _round_grid(model_regular, step, decimals)
    rare_rows = counts[counts < RARE_VALUE_ROWS].sum()
    return Support(
        encoding=encoding,
        point_masses=[float(v) for v in masses],
        point_mass_shares=[round(float(s), 6) for s in shares],
        step=step,
        origin=origin,
        round_step=rounding[0] if rounding else None,
        round_share=round(rounding[1], 6) if rounding else 0.0,
        continuous=bool(rare_rows >= 0.5 * x.size),
    )


def off_support(
    values: np.ndarray,
    support: Support,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    decimals: int | None = None,
) -> np.ndarray:
    """Which finite ``values`` are not values the column can take (the check behind tests).

    A value is on the support when it lies within ``[minimum, maximum]``, is a valid clock
    time for an ``hhmm`` column, lies on the lattice, and has no more than ``decimals``
    places. Missing and infinite values are not judged here (False).
    """
    x = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(x)
    bad = np.zeros(x.shape, dtype=bool)
    v = np.where(finite, x, 0.0)
    scale = float(np.abs(v).max(initial=1.0))
    tol = _tolerance(decimals, scale)
    if minimum is not None:
        bad |= v < minimum - tol
    if maximum is not None:
        bad |= v > maximum + tol
    model = v
    if support.encoding == "hhmm":
        bad |= (np.mod(v, 100) >= 60) | (v != np.round(v)) | (v < 0) | (v > 2400)
        model = hhmm_to_minutes(v)
    if support.step is not None:
        origin = support.origin or 0.0
        tol_grid = _tolerance(0 if support.encoding else decimals, scale)
        bad |= np.abs(model - snap_to_lattice(model, support.step, origin)) > 2 * tol_grid + 1e-9
    if decimals is not None:
        scaled = v * 10.0**decimals
        bad |= np.abs(scaled - np.round(scaled)) > 1e-6 * np.maximum(1.0, np.abs(scaled) * 1e-9)
    return bad & finite


__all__ = [
    "MAX_POINT_MASSES",
    "POINT_MASS_SHARE",
    "RARE_VALUE_ROWS",
    "Support",
    "detect_support",
    "hhmm_to_minutes",
    "minutes_to_hhmm",
    "off_support",
    "on_round_grid",
    "snap_to_lattice",
]
