"""CART synthesizer in the style of R's synthpop (``syn(method = "cart")``).

Columns are visited in order. The first is drawn from its marginal; each next one from a
decision tree fitted on the real values of the columns before it: a synthetic row falls into
a leaf of that tree, and takes the value of a random *real* row of the same leaf. The leaf
size (``min_samples_leaf``) is the privacy knob: every synthetic value is shared by at least
that many real rows with the same predictors. ``smoothing="density"`` adds synthpop's
Gaussian-kernel jitter to continuous values, bounded by the leaf's value range.

Two bounds keep the fit fast on large tables (both leave tables of up to 20 model columns
and 200,000 rows exactly as synthpop would model them):

* wide tables: each tree splits on at most ``max_predictors`` earlier columns, those that
  share the most information with the column it models (binned mutual information,
  estimated on a sample), so the fit grows linearly in the columns instead of
  quadratically;
* tall tables: each tree's splits are learnt on a seeded sample of ``max_fit_rows`` rows,
  then *every* row is assigned to its leaf, so leaves hold at least ``min_samples_leaf``
  rows of the sample and more of the full table, and the values drawn come from all rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from genesis.errors import InvalidParameterError
from genesis.generators.base import BaseSynthesizer, check_choice, check_int
from genesis.generators.transformer import TableTransformer
from genesis.validation import require_seed

SMOOTHING = ("none", "density")
#: default visit order: discrete columns with more labels than this go last
_HIGH_CARDINALITY = 20
#: smoothing applies to numeric columns with at least this many distinct values
_SMOOTH_MIN_DISTINCT = 30
#: ... and at least this share of distinct values (spiky columns such as hours-per-week keep their spikes)
_SMOOTH_MIN_DISTINCT_SHARE = 0.02
#: bins per column (and most frequent labels kept) when ranking predictors
_MI_BINS = 16
#: rows the predictor ranking is estimated on
_MI_ROWS = 5_000


def sklearn_random_state(seed: int) -> int:
    """A 32-bit ``random_state`` for scikit-learn derived from any non-negative ``seed``.

    scikit-learn refuses seeds of 2**32 and above; numpy's ``SeedSequence`` hashes a seed of
    any size into 32-bit words, deterministically and without collisions between nearby seeds.
    """
    value = require_seed(seed)
    if value is None:
        raise InvalidParameterError(
            "seed must be a non-negative integer, got None; pass e.g. seed=0"
        )
    return int(np.random.SeedSequence(value).generate_state(1, dtype=np.uint32)[0])


def _bin_codes(values: np.ndarray, discrete: bool) -> tuple[np.ndarray, int]:
    """``values`` as bin codes in ``[0, _MI_BINS)`` and the number of bins used.

    Discrete codes keep their ``_MI_BINS - 1`` most frequent labels and pool the rest;
    numbers are cut at their quantiles (ties collapse bins, so spikes stay whole).
    """
    if discrete:
        codes = np.unique(values, return_inverse=True)[1]
        counts = np.bincount(codes)
        mapping = np.full(counts.size, _MI_BINS - 1, dtype=np.int64)
        kept = np.argsort(-counts, kind="stable")[: _MI_BINS - 1]
        mapping[kept] = np.arange(kept.size)
        binned = mapping[codes]
    else:
        edges = np.unique(np.quantile(values, np.linspace(0, 1, _MI_BINS + 1)[1:-1]))
        binned = np.searchsorted(edges, values, side="right")
    return binned, int(np.unique(binned).size)


class _PredictorRanking:
    """Ranks earlier columns by binned mutual information with the column being modelled."""

    def __init__(self, features: np.ndarray, discrete: np.ndarray, rng: np.random.Generator):
        if len(features) > _MI_ROWS:
            features = features[np.sort(rng.choice(len(features), _MI_ROWS, replace=False))]
        binned = [_bin_codes(features[:, j], bool(discrete[j])) for j in range(features.shape[1])]
        self.codes = np.stack([b for b, _ in binned], axis=1)
        self.n_bins = np.array([k for _, k in binned])

    def scores(self, j: int) -> np.ndarray:
        """Mutual information (nats, less the plug-in estimate's bias) of columns ``< j`` with ``j``."""
        m, size = len(self.codes), _MI_BINS * _MI_BINS
        cells = self.codes[:, :j] * _MI_BINS + self.codes[:, j : j + 1] + np.arange(j) * size
        joint = np.bincount(cells.ravel(), minlength=j * size).reshape(j, _MI_BINS, _MI_BINS) / m
        independent = joint.sum(axis=2)[:, :, None] * joint.sum(axis=1)[:, None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(joint > 0, joint * np.log(joint / independent), 0.0)
        bias = (self.n_bins[:j] - 1) * (self.n_bins[j] - 1) / (2 * m)
        return terms.sum(axis=(1, 2)) - bias


class _Leaves:
    """The real values of one column, grouped by the tree leaf their row falls in."""

    def __init__(self, leaves: np.ndarray, values: np.ndarray, n_nodes: int, smooth: bool) -> None:
        order = np.argsort(leaves, kind="stable")
        self.values = values[order]
        self.counts = np.bincount(leaves, minlength=n_nodes)
        self.starts = np.cumsum(self.counts) - self.counts
        self.bandwidth = None
        if smooth:
            self._fit_bandwidth(leaves[order])

    def _fit_bandwidth(self, sorted_leaves: np.ndarray) -> None:
        groups = pd.Series(self.values).groupby(sorted_leaves, sort=True)
        stats = groups.agg(["std", "min", "max", "count"])
        iqr = groups.quantile(0.75) - groups.quantile(0.25)
        spread = np.fmin(stats["std"].to_numpy(), iqr.to_numpy() / 1.34)
        spread = np.where(spread > 0, spread, stats["std"].to_numpy())
        # Silverman's rule (R's bw.nrd0), as synthpop's smoothing uses
        bandwidth = 0.9 * np.nan_to_num(spread) * stats["count"].to_numpy() ** -0.2
        n_nodes = self.counts.size
        self.bandwidth = np.zeros(n_nodes)
        self.low = np.zeros(n_nodes)
        self.high = np.zeros(n_nodes)
        index = stats.index.to_numpy()
        self.bandwidth[index] = bandwidth
        self.low[index] = stats["min"].to_numpy()
        self.high[index] = stats["max"].to_numpy()

    def draw(self, leaves: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        counts = self.counts[leaves]
        picks = self.starts[leaves] + (rng.random(leaves.size) * counts).astype(np.int64)
        values = self.values[picks]
        if self.bandwidth is not None:
            values = values + rng.standard_normal(leaves.size) * self.bandwidth[leaves]
            values = np.clip(values, self.low[leaves], self.high[leaves])
        return values


class CARTSynthesizer(BaseSynthesizer):
    """Sequential decision trees that sample real values from leaves (synthpop's CART).

    Args:
        min_samples_leaf: fewest real rows in a tree leaf; larger leaves give more privacy
            (fewer exact copies of real rows) at some cost in fidelity. The default, 10, is
            where Adult's membership-inference advantage falls from 0.17 (leaf 5) to 0.10
            with the same quality score (0.990) and TSTR AUC (0.916).
        max_depth: depth limit of each tree (None: grow until leaves reach
            ``min_samples_leaf``).
        visit_order: source column names in the order to synthesise them; columns left out
            follow in the default order. Default: source order, with categorical columns of
            more than 20 labels moved to the end (fewest labels first).
        smoothing: ``"none"``, or ``"density"`` to add Gaussian-kernel jitter (Silverman
            bandwidth of the leaf, clipped to the leaf's range) to numeric columns with at
            least 30 distinct values, so fewer synthetic rows copy a real one exactly.
        max_predictors: most earlier columns one tree splits on (None: all of them, as
            synthpop does). Beyond it, the columns with the highest binned mutual information
            with the modelled column are kept, and always the other model columns of the same
            source column (its missing-value indicator).
        max_fit_rows: most rows a tree's splits are learnt on (None: all). Larger tables learn
            the splits on a seeded sample of this size and then assign every row to its leaf.
        max_categories: see :class:`~genesis.generators.base.BaseSynthesizer`.
        seed: seed of the trees' tie-breaking, the row sample and sampling; any non-negative
            integer (scikit-learn receives a 32-bit state derived from it).

    After fit: ``visit_order_`` (model columns in visit order), ``trees_`` (the fitted
    scikit-learn tree per model column; None for the first), ``predictors_`` (the model
    columns each tree splits on; empty for the first) and ``fit_rows_`` (rows the splits
    were learnt on).
    """

    method = "cart"

    def __init__(
        self,
        *,
        min_samples_leaf: int = 10,
        max_depth: int | None = None,
        visit_order: Sequence[str] | None = None,
        smoothing: str = "density",
        max_predictors: int | None = 20,
        max_fit_rows: int | None = 200_000,
        max_categories: int = 100,
        seed: int = 0,
    ) -> None:
        super().__init__(max_categories=max_categories, seed=seed)
        self.min_samples_leaf = min_samples_leaf
        self.max_depth = max_depth
        self.visit_order = visit_order
        self.smoothing = smoothing
        self.max_predictors = max_predictors
        self.max_fit_rows = max_fit_rows

    def _validate_params(self) -> None:
        super()._validate_params()
        check_int("min_samples_leaf", self.min_samples_leaf, 1)
        check_int("max_depth", self.max_depth, 1, allow_none=True)
        check_choice("smoothing", self.smoothing, SMOOTHING)
        check_int("max_predictors", self.max_predictors, 1, allow_none=True)
        # a sample smaller than two leaves could not split at all
        check_int(
            "max_fit_rows", self.max_fit_rows, 2 * int(self.min_samples_leaf), allow_none=True
        )
        if self.visit_order is not None and (
            isinstance(self.visit_order, str)
            or not all(isinstance(c, str) for c in self.visit_order)
        ):
            raise InvalidParameterError(
                f"visit_order must be a list of column names, got {self.visit_order!r}; "
                "pass e.g. visit_order=['age', 'income']"
            )

    def _source_order(self, transformer: TableTransformer) -> list[str]:
        modelled = transformer.modelled_columns_
        roles, n_codes = transformer.roles_, transformer.n_codes_

        def high(column: str) -> bool:
            return roles.get(column) == "discrete" and n_codes[column] > _HIGH_CARDINALITY

        default = [c for c in modelled if not high(c)] + sorted(
            filter(high, modelled), key=n_codes.get
        )
        if self.visit_order is None:
            return default
        requested = list(self.visit_order)
        unknown = [c for c in requested if c not in transformer.columns_]
        if unknown:
            raise InvalidParameterError(
                f"visit_order names columns not in the table: {unknown}; the columns are {transformer.columns_}"
            )
        if len(set(requested)) != len(requested):
            raise InvalidParameterError(
                f"visit_order lists a column twice: {requested}; name each column once"
            )
        chosen = [c for c in requested if c in modelled]
        return chosen + [c for c in default if c not in chosen]

    def _fit(self, frame: pd.DataFrame, transformer: TableTransformer) -> None:
        from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

        order = [
            m
            for source in self._source_order(transformer)
            for m in transformer.source_columns_[source]
        ]
        features = frame[order].to_numpy(dtype=np.float32)
        discrete = np.array([c in transformer.n_codes_ for c in order])
        source_of = {m: s for s, ms in transformer.source_columns_.items() for m in ms}
        sample_seed, ranking_seed = np.random.SeedSequence(int(self.seed)).spawn(2)
        random_state = sklearn_random_state(self.seed)
        n = len(features)
        fit_rows = None
        if self.max_fit_rows is not None and n > self.max_fit_rows:
            rng = np.random.default_rng(sample_seed)
            fit_rows = np.sort(rng.choice(n, int(self.max_fit_rows), replace=False))
        fit_features = features if fit_rows is None else features[fit_rows]
        cap = self.max_predictors
        ranking = None
        if cap is not None and len(order) - 1 > cap:
            ranking = _PredictorRanking(fit_features, discrete, np.random.default_rng(ranking_seed))

        self.visit_order_ = order
        self.fit_rows_ = len(fit_features)
        self._first_values = frame[order[0]].to_numpy()
        self.trees_: list = [None]
        self.predictors_: list[list[str]] = [[]]
        self._predictors: list[np.ndarray | None] = [None]
        self._leaves: list[_Leaves | None] = [None]
        for j in range(1, len(order)):
            column = order[j]
            is_discrete = bool(discrete[j])
            target = frame[column].to_numpy()
            if ranking is None or j <= cap:
                predictors = np.arange(j)
            else:
                siblings = [i for i in range(j) if source_of[order[i]] == source_of[column]]
                scores = ranking.scores(j)
                scores[siblings] = np.inf
                predictors = np.sort(np.argsort(-scores, kind="stable")[:cap])
            params = dict(
                min_samples_leaf=int(self.min_samples_leaf),
                max_depth=self.max_depth,
                random_state=random_state,
            )
            tree = (
                DecisionTreeClassifier(**params) if is_discrete else DecisionTreeRegressor(**params)
            )
            x = features[:, predictors]
            if fit_rows is None:
                tree.fit(x, target)
            else:
                tree.fit(fit_features[:, predictors], target[fit_rows])
            smooth = (
                self.smoothing == "density"
                and not is_discrete
                and np.unique(target).size
                >= max(_SMOOTH_MIN_DISTINCT, _SMOOTH_MIN_DISTINCT_SHARE * target.size)
            )
            self.trees_.append(tree)
            self.predictors_.append([order[i] for i in predictors])
            self._predictors.append(predictors)
            # every row, not only the sample, is assigned to its leaf and can be drawn
            self._leaves.append(_Leaves(tree.apply(x), target, tree.tree_.node_count, smooth))

    def _generate(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        synthetic = np.empty((n, len(self.visit_order_)), dtype=np.float32)
        values = {}
        first = self._first_values[rng.integers(0, self._first_values.size, size=n)]
        values[self.visit_order_[0]] = first
        synthetic[:, 0] = first
        # models saved before predictors were capped split on every earlier column
        predictors = getattr(self, "_predictors", [None] * len(self.visit_order_))
        for j in range(1, len(self.visit_order_)):
            columns = np.arange(j) if predictors[j] is None else predictors[j]
            leaves = self.trees_[j].apply(synthetic[:, columns])
            drawn = self._leaves[j].draw(leaves, rng)
            values[self.visit_order_[j]] = drawn
            synthetic[:, j] = drawn
        return pd.DataFrame(values, index=pd.RangeIndex(n))
