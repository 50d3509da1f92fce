"""The support round under differential privacy (``SecureAggregator(epsilon=...)``).

Without DP the support round shares every site's exact label sets and numeric minimum and
maximum, which one row can change: a leak outside the stated budget. With ``epsilon`` set,
the round spends a stated share of the run's budget (``support_share``, 25% by default) and
releases only:

* **Labels** (an unknown domain): each site counts its labels and releases those whose
  Gaussian-noised count clears a threshold ``tau``: the stability-based (propose-test-
  release) set union, whose privacy is OpenDP's map of ``make_gaussian_threshold`` at the
  same scale and threshold (Rogers 2023). A label held by
  few rows is never released; rows whose label was not released by any site are encoded as
  ``__other__`` (:data:`~genesis.generators.encoding.OTHER_LABEL`), a public placeholder.
* **Numbers and datetimes** (a public domain): each site counts its values in fixed,
  data-independent bins (signed log10 bins, :data:`BINS_PER_DECADE` per decade from
  ``1e-6`` to ``1e15``, an exact-zero bin; 30-day bins for datetimes from 1900 to 2100), its
  missing values, and each value's decimals (datetimes: its time unit), and adds Gaussian
  noise to every count (the Gaussian mechanism). The aggregator sums the sites' noisy
  histograms and keeps the bins above ``KAPPA`` standard deviations of the summed noise
  (post-processing, no budget): the range is the outermost kept bins' edges, never a
  site's exact minimum or maximum; the agreed sketch is the kept bins' noisy mass.

Sensitivity (one row added or removed at one site, the neighbouring relation of the whole
federation): a row changes one label count per label column and, per numeric column, one
value-or-missing bin and one decimals bin, each by 1: ``l0 = c_labels + 2 c_numeric`` counts,
``l2 = sqrt(l0)``, ``linf = 1``. Accounting (zCDP, conservative: every count is treated as a
key that may appear): the round gets ``rho_S`` (``support_share`` of the run's rho, see
:mod:`genesis.federated.accounting`), so ``sigma = sqrt(l0 / (2 rho_S))``, and the threshold
``tau = 1 + sigma * Phi^-1(1 - delta_t / l0)`` releases a key absent from a neighbour with
probability below ``delta_t`` (``support_share`` of the run's delta). OpenDP's privacy map of
``make_gaussian_threshold`` at that ``d_in`` checks both (``rho_S``, ``delta_t``). Each site's
round is DP in its own rows and the sites hold disjoint rows, so the round as a whole spends
``(rho_S, delta_t)``; the run adds the statistics rounds' rho and converts the sum to
(epsilon, delta): what each site's ledger is charged. The noise is drawn from the site's
private seed (as in the statistics rounds), so seeded simulations repeat exactly.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from genesis.federated.accounting import opendp_prelude
from genesis.generators.encoding import _DATETIME_UNITS_NS, OTHER_LABEL

#: signed log10 bins per decade of a numeric column's public histogram
BINS_PER_DECADE = 10
#: the public bins cover magnitudes 10**LOG_MIN .. 10**LOG_MAX (beyond: the end bins)
LOG_MIN, LOG_MAX = -6, 15
_HALF = BINS_PER_DECADE * (LOG_MAX - LOG_MIN)
#: datetime bins: 30 days wide, 1900-01-01 .. 2100-01-01
_DAY_NS = 86_400 * 10**9
DATETIME_BIN_NS = 30 * _DAY_NS
_DT_START = int(pd.Timestamp("1900-01-01").value)
_DT_BINS = int((pd.Timestamp("2100-01-01").value - _DT_START) // DATETIME_BIN_NS) + 1
#: decimals 0..MAX_DECIMALS, and one bucket for "more"
MAX_DECIMALS = 6
#: a bin of the summed histogram is kept above KAPPA standard deviations of its noise
#: (about 3e-7 false bins per empty bin)
KAPPA = 5.0


def _threshold_measurement(sigma: float, tau: float):
    dp = opendp_prelude()
    domain = dp.map_domain(dp.atom_domain(T=str), dp.atom_domain(T=float, nan=False))
    metric = dp.l02inf_distance(dp.absolute_distance(T=float))
    return dp.m.make_gaussian_threshold(domain, metric, scale=float(sigma), threshold=float(tau))


def threshold_for(sigma: float, delta: float, l0: int) -> float:
    """``tau``: each of ``l0`` keys absent from a neighbour is released with probability
    below ``delta / l0`` (all of them: below ``delta``)."""
    from scipy.stats import norm

    return 1.0 + float(sigma) * float(norm.isf(0.99 * delta / l0))


def support_cost(sigma: float, tau: float, l0: int) -> tuple[float, float]:
    """``(rho, delta)`` of one site's support release (approximate zCDP), by OpenDP's
    privacy map of ``make_gaussian_threshold`` for ``l0`` counts changed by one row."""
    rho, delta = _threshold_measurement(sigma, tau).map((int(l0), math.sqrt(l0), 1.0))
    return float(rho), float(delta)


@lru_cache(maxsize=64)
def calibrate_support(rho: float, delta: float, l0: int) -> tuple[float, float]:
    """``(sigma, tau)`` of a support release spending ``rho`` (zCDP) and ``delta`` (the
    threshold's) for ``l0`` counts changed by one row: ``rho = l0 / (2 sigma**2)``."""
    sigma = math.sqrt(l0 / (2.0 * float(rho)))
    return sigma, threshold_for(sigma, float(delta), l0)


# -- the public bins -----------------------------------------------------------------------
def value_bins(x: np.ndarray, kind: str) -> np.ndarray:
    """The public bin of every (finite) value."""
    if kind == "datetime":
        return np.clip((x - _DT_START) // DATETIME_BIN_NS, 0, _DT_BINS - 1).astype(np.int64)
    magnitude = np.abs(x)
    tiny = magnitude < 10.0**LOG_MIN
    with np.errstate(divide="ignore"):
        k = np.floor((np.log10(np.where(tiny, 1.0, magnitude)) - LOG_MIN) * BINS_PER_DECADE)
    k = np.clip(k, 0, _HALF - 1).astype(np.int64)
    return np.where(tiny, _HALF, np.where(x > 0, _HALF + 1 + k, _HALF - 1 - k))


def bin_edges(kind: str) -> tuple[np.ndarray, np.ndarray]:
    """``(lower, upper)`` edges of every public bin (the zero bin is the atom ``[0, 0]``)."""
    if kind == "datetime":
        lower = _DT_START + np.arange(_DT_BINS, dtype=np.float64) * DATETIME_BIN_NS
        return lower, lower + DATETIME_BIN_NS
    k = np.arange(_HALF, dtype=np.float64)
    lo = 10.0 ** (LOG_MIN + k / BINS_PER_DECADE)
    hi = 10.0 ** (LOG_MIN + (k + 1) / BINS_PER_DECADE)
    lower = np.concatenate([-hi[::-1], [0.0], lo])
    upper = np.concatenate([-lo[::-1], [0.0], hi])
    return lower, upper


def _n_bins(kind: str) -> int:
    return _DT_BINS if kind == "datetime" else 2 * _HALF + 1


def _n_extra(kind: str) -> int:
    return len(_DATETIME_UNITS_NS) if kind == "datetime" else MAX_DECIMALS + 2


def _row_decimals(x: np.ndarray) -> np.ndarray:
    """Each value's fewest decimals (MAX_DECIMALS + 1: more than MAX_DECIMALS)."""
    out = np.full(x.size, MAX_DECIMALS + 1, dtype=np.int64)
    tol = 1e-12 * np.maximum(1.0, np.abs(x))
    for d in range(MAX_DECIMALS, -1, -1):
        out[np.abs(np.round(x, d) - x) <= tol] = d
    return out


def _row_units(ns: np.ndarray) -> np.ndarray:
    """Index in ``_DATETIME_UNITS_NS`` of each timestamp's coarsest unit."""
    ns = ns.astype(np.int64)
    out = np.full(ns.size, len(_DATETIME_UNITS_NS) - 1, dtype=np.int64)
    for i in range(len(_DATETIME_UNITS_NS) - 1, -1, -1):
        out[ns % _DATETIME_UNITS_NS[i] == 0] = i
    return out


def numeric_histogram(present: np.ndarray, n_missing: int, kind: str) -> np.ndarray:
    """Counts of one column (``present``: its non-missing values; datetimes as int64 ns):
    public value bins, then missing, then decimals (datetimes: time units)."""
    bins = np.bincount(value_bins(present.astype(np.float64), kind), minlength=_n_bins(kind))
    extra = _row_units(present) if kind == "datetime" else _row_decimals(present)
    return np.concatenate([bins, [n_missing], np.bincount(extra, minlength=_n_extra(kind))]).astype(
        np.float64
    )


# -- the site's release --------------------------------------------------------------------
def dp_site_support(
    frame: pd.DataFrame,
    site: str,
    plan: dict[str, Any],
    site_column: str,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """One site's DP support message (see the module docstring); ``plan["dp"]`` holds the
    round's ``rho`` and threshold ``delta``; ``rng`` (from the site's private seed, as the
    statistics rounds' noise) draws the noise, so a seeded simulation repeats exactly."""
    from genesis.federated.support import _is_numeric

    budget = plan["dp"]
    names = [c for c in frame.columns if c != site_column]
    numeric = [c for c in names if _is_numeric(frame[c])]
    labels = [c for c in names if c not in numeric]
    l0 = max(len(labels) + 2 * len(numeric), 1)
    sigma, tau = calibrate_support(float(budget["rho"]), float(budget["delta"]), l0)
    columns: dict[str, dict[str, Any]] = {}
    # labels: one OpenDP threshold release over every label column's counts
    keyed: dict[str, float] = {}
    label_values: dict[str, list] = {}
    for name in labels:
        s = frame[name]
        table = s.astype(object).where(s.notna(), None).value_counts(dropna=False, sort=False)
        label_values[name] = list(table.index)
        for i, count in enumerate(table.to_numpy()):
            keyed[f"{name}\x1f{i}"] = float(count)
    # the threshold mechanism whose privacy map OpenDP gives (support_cost)
    noisy_counts = np.asarray(list(keyed.values())) + rng.normal(0.0, sigma, len(keyed))
    released = {k: v for k, v in zip(keyed, noisy_counts, strict=True) if v > tau}
    for name in labels:
        kept = {
            int(k.split("\x1f")[1]): v for k, v in released.items() if k.split("\x1f")[0] == name
        }
        order = sorted(kept)
        columns[name] = {
            "type": "labels",
            "dtype": str(frame[name].dtype),
            "labels": [label_values[name][i] for i in order],
            "counts": [max(float(kept[i]), 1.0) for i in order],
            "other": True,
        }
    # numbers and datetimes: one OpenDP Gaussian release over the public histograms
    if numeric:
        parts, kinds = [], {}
        for name in numeric:
            s = frame[name]
            is_dt = pd.api.types.is_datetime64_any_dtype(s)
            kinds[name] = "datetime" if is_dt else "numeric"
            if is_dt:
                present = s.dropna().astype("datetime64[ns]").astype(np.int64).to_numpy()
            else:
                x = s.to_numpy(np.float64, na_value=np.nan)
                present = x[np.isfinite(x)]
            parts.append(numeric_histogram(present, len(s) - present.size, kinds[name]))
        counts = np.concatenate(parts)
        noisy = counts + rng.normal(0.0, sigma, counts.size)  # the Gaussian mechanism
        for name, piece in zip(
            numeric, np.split(noisy, np.cumsum([p.size for p in parts])[:-1]), strict=True
        ):
            columns[name] = {"type": kinds[name], "dtype": str(frame[name].dtype), "dp_hist": piece}
    columns[site_column] = {
        "type": "labels",
        "dtype": str(frame[site_column].dtype),
        "labels": [site],  # public: the site's own name
        "counts": [1.0],
    }
    rho, delta = support_cost(sigma, tau, l0)
    return {
        "phase": "support",
        "site": site,
        "n": None,
        "columns": {c: columns[c] for c in frame.columns},
        "dp": {
            "rho": rho,
            "delta": delta,
            "sigma": sigma,
            "threshold": tau,
            "l0": l0,
        },
    }


# -- the aggregator's agreement ------------------------------------------------------------
def agree_numeric(parts: list[dict[str, Any]], sigmas: list[float], kind: str, dtype: str) -> dict:
    """The agreed spec of a numeric or datetime column from the sites' noisy histograms."""
    total = np.sum([np.asarray(p["dp_hist"], float) for p in parts], axis=0)
    cut = KAPPA * math.sqrt(sum(s * s for s in sigmas))
    n_bins = _n_bins(kind)
    values, missing, extra = total[:n_bins], total[n_bins], total[n_bins + 1 :]
    keep = values > cut
    if not keep.any():  # post-processing: the most populated bin stands for the column
        keep[int(np.argmax(values))] = True
    lower, upper = bin_edges(kind)
    lo, hi, mass = lower[keep], upper[keep], np.clip(values[keep], 1e-9, None)
    grid = np.unique(np.concatenate([lo, hi]))
    width = hi - lo
    atom = width == 0
    safe = np.where(atom, 1.0, width)
    frac = np.clip((grid[:, None] - lo[None, :]) / safe[None, :], 0.0, 1.0)
    right = np.where(atom[None, :], grid[:, None] >= lo[None, :], frac) @ mass
    left = np.where(atom[None, :], grid[:, None] > lo[None, :], frac) @ mass
    present = mass.sum()
    cleared = np.flatnonzero(extra > cut)
    if kind == "datetime":
        unit = int(cleared.max()) if cleared.size else int(np.argmax(extra))
        decimals, step = None, int(_DATETIME_UNITS_NS[unit])
    else:
        d = int(cleared.max()) if cleared.size else int(np.argmax(extra))
        decimals, step = (None if d > MAX_DECIMALS else d), None
    missing = float(missing) if missing > cut else 0.0
    return {
        "type": kind,
        "dtype": dtype,
        "grid": grid.tolist(),
        "left": (left / present).tolist(),
        "right": (right / present).tolist(),
        "decimals": decimals,
        "step": step,
        "missing_share": missing / (missing + present),
    }


def other_labels(labels: list, counts: list) -> tuple[list, list]:
    """The agreed labels of a DP label column with the public placeholder appended."""
    if OTHER_LABEL in labels:
        return labels, counts
    return [*labels, OTHER_LABEL], [*counts, 1.0]
