"""Synthetic augmentation: rebalance a classification table with conditionally generated rows
of its minority classes, and measure on held-out real rows whether that helps a classifier.

Example::

    from genesis.augmentation import AugmentationPlanner, SyntheticAugmenter

    plan = AugmentationPlanner().analyze(df, "income")
    print(plan.summary(), plan.rows_needed(1.0))
    augmenter = SyntheticAugmenter(method="auto", seed=0).fit(df, "income")
    balanced = augmenter.augment(target_ratio=1.0, validate=True)
    print(augmenter.validation_.to_markdown())
"""

from genesis.augmentation.augmenter import SyntheticAugmenter
from genesis.augmentation.planner import AugmentationPlan, AugmentationPlanner
from genesis.augmentation.validation import AugmentationValidation

__all__ = [
    "AugmentationPlan",
    "AugmentationPlanner",
    "AugmentationValidation",
    "SyntheticAugmenter",
]
