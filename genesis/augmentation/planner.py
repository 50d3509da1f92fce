"""How imbalanced a classification table is, and how much synthetic data would rebalance it."""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from genesis.errors import InvalidDataError, InvalidParameterError
from genesis.validation import validate_frame

#: a class with fewer rows than this is too small for any model to learn its shape
MIN_CLASS_ROWS = 30
#: a target with more distinct values than this is not a set of classes
MAX_CLASSES = 50
#: a numeric target with more distinct values than this looks like a regression target
MAX_NUMERIC_CLASSES = 20
#: tables with at least this many rows get ``cart``; smaller ones ``gaussian_copula``
CART_MIN_ROWS = 500
#: below this imbalance ratio (majority / minority) the classes count as balanced
BALANCED_RATIO = 1.5


@dataclass
class AugmentationPlan:
    """What :meth:`AugmentationPlanner.analyze` found.

    Attributes:
        target: the class column.
        class_counts: rows per class, largest first (missing targets not counted).
        imbalance_ratio: rows of the largest class / rows of the smallest.
        recommended_method: the synthesis method to augment with.
        reason: why that method.
        warnings: problems to look at before augmenting.
        missing_target: rows whose target is missing (kept as they are, never generated).
    """

    target: str
    class_counts: dict[Any, int]
    imbalance_ratio: float
    recommended_method: str
    reason: str
    warnings: list[str] = field(default_factory=list)
    missing_target: int = 0

    @property
    def majority_class(self) -> Any:
        """The class with the most rows."""
        return next(iter(self.class_counts))

    @property
    def minority_class(self) -> Any:
        """The class with the fewest rows."""
        return list(self.class_counts)[-1]

    def rows_needed(self, target_ratio: float = 1.0) -> dict[Any, int]:
        """Synthetic rows each class needs to hold ``target_ratio`` × the majority's rows.

        Classes already at or above that size need 0. ``target_ratio`` is in (0, 1]: 1.0
        balances the classes, 0.5 brings every class to half the majority.
        """
        ratio = check_ratio(target_ratio)
        goal = math.ceil(ratio * self.class_counts[self.majority_class])
        return {cls: max(0, goal - count) for cls, count in self.class_counts.items()}

    def summary(self) -> str:
        """A few lines for a terminal or a log."""
        counts = ", ".join(f"{cls!r}: {n:,}" for cls, n in self.class_counts.items())
        lines = [
            f"target {self.target!r}: {counts} (imbalance ratio {self.imbalance_ratio:.1f})",
            f"recommended method: {self.recommended_method} ({self.reason})",
        ]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def check_ratio(target_ratio: Any) -> float:
    """``target_ratio`` as a float in (0, 1], or a clear error."""
    if isinstance(target_ratio, bool) or not isinstance(target_ratio, int | float):
        raise InvalidParameterError(
            f"target_ratio must be a number in (0, 1], got {target_ratio!r}; "
            "1.0 balances the classes"
        )
    if not 0 < target_ratio <= 1 or math.isnan(target_ratio):
        raise InvalidParameterError(
            f"target_ratio must be in (0, 1], got {target_ratio}; 1.0 brings every class to "
            "the majority's size, 0.5 to half of it"
        )
    return float(target_ratio)


def class_counts(df: Any, target: Any) -> pd.Series:
    """Rows per class of ``df[target]``, largest first, after checking the target is one."""
    df = validate_frame(df)
    if not isinstance(target, str) or target not in df.columns:
        close = difflib.get_close_matches(str(target), [str(c) for c in df.columns], n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise InvalidParameterError(
            f"target column {target!r} is not in the table{hint} (columns: "
            f"{', '.join(map(str, list(df.columns)[:20]))})"
        )
    column = df[target]
    counts = column.value_counts(dropna=True, sort=False)
    # largest first; ties stay in the order first seen, so plans are reproducible
    counts = counts.sort_values(ascending=False, kind="stable")
    if len(counts) < 2:
        seen = f"only {counts.index[0]!r}" if len(counts) else "no values"
        raise InvalidDataError(
            f"target column {target!r} holds {seen}; augmentation rebalances classes, so the "
            "target needs at least two classes"
        )
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    if numeric and len(counts) > MAX_NUMERIC_CLASSES:
        raise InvalidDataError(
            f"target column {target!r} is numeric with {len(counts):,} distinct values: a "
            "quantity, not classes; bin it into classes first (e.g. pd.cut) or pick a "
            "categorical target"
        )
    if len(counts) > MAX_CLASSES:
        raise InvalidDataError(
            f"target column {target!r} has {len(counts):,} distinct values (at most "
            f"{MAX_CLASSES} classes); pick a target with fewer classes or group rare ones"
        )
    return counts.astype(int)


class AugmentationPlanner:
    """Analyses class imbalance before augmenting (see :class:`AugmentationPlan`)."""

    def analyze(self, df: pd.DataFrame, target: str) -> AugmentationPlan:
        """The plan for rebalancing ``df`` on the class column ``target``.

        Raises:
            InvalidParameterError: ``target`` is not a column (the message names the closest).
            InvalidDataError: the target has one class, or is a quantity with many values.
        """
        counts = class_counts(df, target)
        missing = int(df[target].isna().sum())
        rows = int(counts.sum())
        if rows >= CART_MIN_ROWS:
            method = "cart"
            reason = (
                f"{rows:,} labelled rows are enough for CART, whose trees keep the "
                "interactions between the class and the other columns that a classifier uses"
            )
        else:
            method = "gaussian_copula"
            reason = (
                f"only {rows:,} labelled rows (fewer than {CART_MIN_ROWS}): CART's trees "
                "would echo the few rows of each class; a Gaussian copula smooths them"
            )
        warnings = [
            f"class {cls!r} has {n} rows: too few to learn from (under {MIN_CLASS_ROWS}); "
            "its synthetic rows can only echo these few; collect more or merge it with a "
            "similar class"
            for cls, n in counts.items()
            if n < MIN_CLASS_ROWS
        ]
        ratio = float(counts.iloc[0] / counts.iloc[-1])
        if ratio < BALANCED_RATIO:
            warnings.append(
                f"the classes are nearly balanced (ratio {ratio:.2f}); augmentation is "
                "unlikely to help a classifier"
            )
        if missing:
            warnings.append(
                f"{missing:,} rows have no {target!r} value: they are kept but no class "
                "counts them and none are generated"
            )
        return AugmentationPlan(
            target=target,
            class_counts={cls: int(n) for cls, n in counts.items()},
            imbalance_ratio=ratio,
            recommended_method=method,
            reason=reason,
            warnings=warnings,
            missing_target=missing,
        )
