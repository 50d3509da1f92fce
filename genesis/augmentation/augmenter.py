"""Rebalance a classification table with conditionally generated rows of its minority classes."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from genesis.augmentation.planner import AugmentationPlan, AugmentationPlanner, check_ratio
from genesis.augmentation.validation import AugmentationValidation, validate
from genesis.errors import (
    AugmentationWarning,
    InvalidDataError,
    InvalidParameterError,
    NotFittedError,
)
from genesis.generators.methods import parse_method
from genesis.validation import check_seed


def class_seed(seed: int, position: int) -> int:
    """The seed of the rows generated for the class at ``position`` (largest class first)."""
    return int(np.random.SeedSequence([seed, position]).generate_state(1)[0])


def generate_classes(model: Any, target: str, needed: dict[Any, int], seed: int) -> pd.DataFrame:
    """``needed[c]`` rows of each class ``c`` from one fitted model, each conditioned on its
    class (``target == c``) with its own seed; classes needing 0 rows are skipped."""
    from genesis.generators.conditional import Condition

    parts = [
        model.generate(int(n), seed=class_seed(seed, i), conditions=Condition(target, "eq", cls))
        for i, (cls, n) in enumerate(needed.items())
        if n > 0
    ]
    if not parts:
        return model.generate(1, seed=seed).iloc[:0]
    return pd.concat(parts, ignore_index=True)


class SyntheticAugmenter:
    """Real rows plus synthetic rows of the minority classes, from one model of the table.

    Args:
        method: ``"auto"`` (the :class:`~genesis.augmentation.AugmentationPlanner`'s
            recommendation: ``cart`` for tables of 500 rows or more) or any
            :class:`~genesis.generators.SyntheticGenerator` method.
        seed: seed of the model, the generated rows and the validation split.
        indicator: name of the boolean column marking the synthetic rows.
        test_size: share of the real rows held out when validating.
        classifier_params: parameters of the validation's
            ``HistGradientBoostingClassifier`` (e.g. ``{"max_iter": 50}``).
        **method_params: parameters of the chosen method.

    Attributes after :meth:`fit`: ``plan_``, ``method_``, ``generator_``; after
    :meth:`augment` with ``validate=True``: ``validation_``
    (:class:`~genesis.augmentation.AugmentationValidation`).

    Example::

        augmenter = SyntheticAugmenter(seed=0).fit(df, "income")
        balanced = augmenter.augment(target_ratio=1.0)
        print(augmenter.validation_.to_markdown())
    """

    def __init__(
        self,
        method: str = "auto",
        seed: int = 0,
        *,
        indicator: str = "is_synthetic",
        test_size: float = 0.25,
        classifier_params: dict[str, Any] | None = None,
        **method_params: Any,
    ) -> None:
        self.method = parse_method(method).value
        self.seed = check_seed(seed)
        if not isinstance(indicator, str) or not indicator.strip():
            raise InvalidParameterError(
                f"indicator must be a non-empty column name, got {indicator!r}"
            )
        if isinstance(test_size, bool) or not 0.05 <= float(test_size) <= 0.5:
            raise InvalidParameterError(
                f"test_size must be between 0.05 and 0.5, got {test_size!r}"
            )
        self.indicator = indicator
        self.test_size = float(test_size)
        self.method_params = dict(method_params)
        self.classifier_params = dict(classifier_params or {})
        if self.classifier_params:
            from sklearn.ensemble import HistGradientBoostingClassifier

            unknown = sorted(
                set(self.classifier_params) - set(HistGradientBoostingClassifier().get_params())
            )
            if unknown:
                raise InvalidParameterError(
                    f"classifier_params {unknown} are not HistGradientBoostingClassifier "
                    "parameters; use e.g. max_iter, learning_rate, max_depth"
                )
        self.validation_: AugmentationValidation | None = None

    def fit(self, df: pd.DataFrame, target: str) -> SyntheticAugmenter:
        """Plan (:class:`AugmentationPlan`) and fit one model of the whole table; returns self."""
        from genesis.generators import SyntheticGenerator

        self.plan_: AugmentationPlan = AugmentationPlanner().analyze(df, target)
        if self.indicator in df.columns:
            raise InvalidDataError(
                f"the table already has a column {self.indicator!r}; pass "
                "SyntheticAugmenter(indicator='another_name')"
            )
        self.method_ = self.plan_.recommended_method if self.method == "auto" else self.method
        self.target_ = target
        self.data_ = df
        self.generator_ = SyntheticGenerator(self.method_, seed=self.seed, **self.method_params)
        self.generator_.fit(df)
        return self

    def augment(self, target_ratio: float = 1.0, validate: bool = True) -> pd.DataFrame:
        """The real rows (``indicator`` False) followed by synthetic rows (True) bringing every
        class to ``target_ratio`` × the majority class's rows.

        With ``validate`` the classifier comparison runs as well (:attr:`validation_`) and an
        :class:`~genesis.errors.AugmentationWarning` says when augmentation did not help.
        """
        if not hasattr(self, "generator_"):
            raise NotFittedError("call fit(df, target) before augment()")
        ratio = check_ratio(target_ratio)
        needed = self.plan_.rows_needed(ratio)
        synthetic = generate_classes(self.generator_, self.target_, needed, self.seed)
        real = self.data_.assign(**{self.indicator: False})
        out = pd.concat([real, synthetic.assign(**{self.indicator: True})], ignore_index=True)
        if validate:
            self.validation_ = self._validate(ratio)
            if not self.validation_.helps:
                warnings.warn(
                    "augmentation did not help a gradient-boosting classifier on held-out "
                    f"real rows: {self.validation_.verdict}",
                    AugmentationWarning,
                    stacklevel=2,
                )
        return out

    def _validate(self, ratio: float) -> AugmentationValidation:
        from genesis.generators import SyntheticGenerator

        def synthesize(train: pd.DataFrame, needed: dict[Any, int]) -> pd.DataFrame:
            model = SyntheticGenerator(self.method_, seed=self.seed, **self.method_params)
            return generate_classes(model.fit(train), self.target_, needed, self.seed)

        return validate(
            self.data_,
            self.target_,
            synthesize,
            label=self.method_,
            target_ratio=ratio,
            seed=self.seed,
            test_size=self.test_size,
            classifier_params=self.classifier_params,
        )
