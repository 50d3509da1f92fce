"""Run every attack against one synthetic table: :class:`PrivacyAttackTester`.

Two ways to call it, the reference's and the estimator-style one::

    PrivacyAttackTester(real, synthetic, holdout, sensitive_columns=["income"],
                        quasi_identifiers=["age", "sex"]).run_all_attacks()
    PrivacyAttackTester(["income"], ["age", "sex"]).run_all_attacks(real, synthetic, holdout)

It runs membership inference, attribute inference on each sensitive column and
re-identification on the quasi-identifiers, each with its holdout control, counts copied
training rows against the whole training table (:mod:`genesis.privacy_attacks.copies`), and
summarises DCR/NNDR distances. The :class:`~genesis.privacy_attacks.audit_report.PrivacyAuditReport`'s
overall level is the worst attack's level; the audit passes when that is no worse than
``max_risk_level`` (default MEDIUM: a measurable but small leak is accepted, a sizeable one
is not; see :mod:`genesis.privacy_attacks.risk`) and the copy check finds no excess.

Speed: attacks work on random subsamples of at most a few thousand target rows per side
(``max_rows``); the report's ``details`` records every sample size. The intervals account
for the sample size, so subsampling widens them rather than biasing them. The copy check
hashes every row (no subsample).
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import GenesisWarning, InvalidParameterError
from genesis.privacy_attacks.attribute import AttributeInferenceAttack
from genesis.privacy_attacks.audit_report import (
    REID_MIN_ROWS,
    PrivacyAuditReport,
    rare_value_summary,
)
from genesis.privacy_attacks.base import (
    check_attack_tables,
    check_columns,
    columns_left_out,
    sample_rows,
)
from genesis.privacy_attacks.copies import DEFAULT_ALPHA, check_copies
from genesis.privacy_attacks.distance import distance_metrics
from genesis.privacy_attacks.encoding import TableEncoder
from genesis.privacy_attacks.membership import MembershipInferenceAttack
from genesis.privacy_attacks.reidentification import ReidentificationAttack
from genesis.privacy_attacks.risk import RISK_THRESHOLDS, RiskLevel
from genesis.schema.types import ColumnKind, Schema
from genesis.validation import check_int, check_seed


class PrivacyAttackTester:
    """Runs every privacy attack with its holdout control, and the copy check.

    Args:
        *args: either the column lists ``(sensitive_columns, quasi_identifiers)`` or the
            tables ``(real_data, synthetic_data, holdout_data)`` (the reference's form);
            keywords of the same names work too.
        sensitive_columns: columns an attacker must not infer (attribute inference).
        quasi_identifiers: columns an attacker could know from elsewhere (re-identification).
        real_data, synthetic_data, holdout_data: the tables, when given here
            :meth:`run_all_attacks` takes none.
        known_columns: what the attribute-inference attacker knows; default every other
            column (the worst case).
        max_risk_level: worst overall level that still passes (default ``"MEDIUM"``).
        max_rows: target rows per side and attack (a random subsample beyond it).
        copy_alpha: significance level of the copy check (see
            :mod:`genesis.privacy_attacks.copies`); copies are always counted and reported.
        schema: the tables' schema, to leave regenerated columns (identifiers, text, PII
            replaced by fakes) out of the copy check; inferred from the training rows when None.
        seed: seed of every subsample and attack model.
    """

    def __init__(
        self,
        *args: Any,
        sensitive_columns: list[str] | None = None,
        quasi_identifiers: list[str] | None = None,
        real_data: pd.DataFrame | None = None,
        synthetic_data: pd.DataFrame | None = None,
        holdout_data: pd.DataFrame | None = None,
        known_columns: list[str] | None = None,
        max_risk_level: RiskLevel | str = RiskLevel.MEDIUM,
        max_rows: int = 5_000,
        copy_alpha: float = DEFAULT_ALPHA,
        schema: Schema | None = None,
        seed: int = 0,
    ) -> None:
        tables = {"real_data": real_data, "synthetic_data": synthetic_data}
        tables["holdout_data"] = holdout_data
        columns = {"sensitive_columns": sensitive_columns, "quasi_identifiers": quasi_identifiers}
        if args and all(isinstance(a, pd.DataFrame) for a in args):
            names = list(tables)
            if len(args) > 3:
                raise InvalidParameterError(
                    f"PrivacyAttackTester takes at most 3 tables (real, synthetic, holdout), "
                    f"got {len(args)}"
                )
            for name, table in zip(names, args, strict=False):
                if tables[name] is not None:
                    raise InvalidParameterError(f"{name} is given twice: positionally and by name")
                tables[name] = table
        elif args:
            if any(isinstance(a, pd.DataFrame) for a in args) or len(args) > 2:
                raise InvalidParameterError(
                    "pass either the tables PrivacyAttackTester(real, synthetic, holdout, "
                    "sensitive_columns=..., quasi_identifiers=...) or the columns "
                    "PrivacyAttackTester(sensitive_columns, quasi_identifiers); got "
                    f"{[type(a).__name__ for a in args]}"
                )
            for name, value in zip(columns, args, strict=False):
                if columns[name] is not None:
                    raise InvalidParameterError(f"{name} is given twice: positionally and by name")
                columns[name] = value
        self.sensitive_columns = columns["sensitive_columns"]
        self.quasi_identifiers = columns["quasi_identifiers"]
        self.real_data = tables["real_data"]
        self.synthetic_data = tables["synthetic_data"]
        self.holdout_data = tables["holdout_data"]
        self.known_columns = known_columns
        self.max_risk_level = max_risk_level
        self.max_rows = max_rows
        self.copy_alpha = copy_alpha
        self.schema = schema
        self.seed = seed

    def _tables(self, real, synthetic, holdout):
        given = [t is not None for t in (real, synthetic, holdout)]
        stored = [t is not None for t in (self.real_data, self.synthetic_data, self.holdout_data)]
        if any(given) and any(stored):
            raise InvalidParameterError(
                "the tables were given to PrivacyAttackTester(...) and again to "
                "run_all_attacks(...); pass them in one place"
            )
        if any(stored):
            real, synthetic, holdout = self.real_data, self.synthetic_data, self.holdout_data
        missing = [
            n
            for n, t in zip(
                ("real", "synthetic", "holdout"), (real, synthetic, holdout), strict=True
            )
            if t is None
        ]
        if missing:
            raise InvalidParameterError(
                f"no {', '.join(missing)} table given; pass all three, e.g. "
                "tester.run_all_attacks(train, synthetic, holdout)"
            )
        return real, synthetic, holdout

    def run_all_attacks(
        self,
        real: pd.DataFrame | None = None,
        synthetic: pd.DataFrame | None = None,
        holdout: pd.DataFrame | None = None,
        *,
        model: Any = None,
    ) -> PrivacyAuditReport:
        """Audit ``synthetic`` against its training rows ``real`` with ``holdout`` as control.

        Args:
            real: the rows the generator was trained on (omit when given to the constructor).
            synthetic: the generated rows.
            holdout: real rows from the same source the generator never saw (at least 20).
            model: the fitted generator, to record its differential-privacy budget
                (``privacy_budget_``) and how it replaced rare values in the report; optional.
        """
        real, synthetic, holdout = self._tables(real, synthetic, holdout)
        limit = RiskLevel.parse(self.max_risk_level)
        check_int("max_rows", self.max_rows, 10)
        seed = check_seed(self.seed)
        alpha = self.copy_alpha
        if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 1:
            raise InvalidParameterError(
                f"copy_alpha must be a number in (0, 1), got {alpha!r}; pass e.g. 0.05"
            )
        real, synthetic, holdout, available = check_attack_tables(
            real, synthetic, holdout, min_real=20, min_synthetic=2
        )
        sensitive = check_columns(self.sensitive_columns or [], "sensitive_columns", available)
        quasi = check_columns(self.quasi_identifiers or [], "quasi_identifiers", available)
        known = (
            None
            if self.known_columns is None
            else check_columns(self.known_columns, "known_columns", available)
        )
        if not available:
            raise InvalidParameterError(
                "real, synthetic and holdout share no column; pass tables with the same columns"
            )
        left_out = columns_left_out(available, real=real, synthetic=synthetic, holdout=holdout)
        if left_out:  # never dropped silently: the audit covers only the shared columns
            warnings.warn(
                f"the privacy audit leaves out columns that not every table has: {left_out}; "
                "pass real, synthetic and holdout tables with the same columns to audit them",
                GenesisWarning,
                stacklevel=2,
            )
        timings: dict[str, float] = {}
        start = time.perf_counter()
        encoder = TableEncoder(available).fit(real, synthetic, holdout)
        rng = np.random.default_rng(seed)
        n = min(self.max_rows, len(real), len(holdout))
        timings["encode"] = time.perf_counter() - start

        t = time.perf_counter()
        membership = MembershipInferenceAttack(max_rows=self.max_rows, seed=seed).run(
            real, synthetic, holdout, encoder=encoder
        )
        timings["membership_inference"] = time.perf_counter() - t

        t = time.perf_counter()
        attributes = (
            AttributeInferenceAttack(max_rows=self.max_rows, seed=seed).run(
                real, synthetic, sensitive, known, holdout=holdout, encoder=encoder
            )
            if sensitive
            else {}
        )
        timings["attribute_inference"] = time.perf_counter() - t

        t = time.perf_counter()
        reid = (
            ReidentificationAttack(max_rows=max(self.max_rows, REID_MIN_ROWS), seed=seed).run(
                real, synthetic, quasi, holdout=holdout, encoder=encoder
            )
            if quasi
            else None
        )
        timings["reidentification"] = time.perf_counter() - t

        t = time.perf_counter()
        excluded = self._regenerated(real, available)
        compared = [c for c in available if c not in excluded]
        copies = (
            check_copies(
                real,
                synthetic,
                holdout,
                columns=compared,
                encoder=encoder,
                excluded=excluded,
                alpha=float(alpha),
            )
            if compared
            else None
        )
        timings["copy_check"] = time.perf_counter() - t

        t = time.perf_counter()
        distances = distance_metrics(
            encoder.transform(sample_rows(real, n, rng)),
            encoder.transform(sample_rows(holdout, n, rng)),
            encoder.transform(sample_rows(synthetic, n, rng)),
            seed=seed,
        )
        if copies is not None:
            # against the whole training table, not the subsample the distances use
            distances["synthetic_share_at_distance_zero"] = copies.exact_copies / len(synthetic)
            distances["holdout_share_at_distance_zero"] = copies.natural_exact_rate
        timings["distance_metrics"] = time.perf_counter() - t
        timings["total"] = time.perf_counter() - start

        results = [membership, *attributes.values(), *([reid] if reid else [])]
        overall = max((r.risk_level for r in results), key=lambda lvl: lvl.rank)
        budget = getattr(model, "privacy_budget_", None) if model is not None else None
        return PrivacyAuditReport(
            overall_risk=overall,
            passed=overall <= limit and (copies is None or copies.passed),
            max_risk_level=limit,
            membership_result=membership,
            attribute_results=attributes,
            reidentification_result=reid,
            distance_metrics=distances,
            budget=dict(budget) if budget else None,
            copy_check=copies,
            rare_values=rare_value_summary(model),
            details={
                "rows": {
                    "training": len(real),
                    "holdout": len(holdout),
                    "synthetic": len(synthetic),
                },
                "max_rows_per_side": self.max_rows,
                "subsampled": n < max(len(real), len(holdout)),
                "sensitive_columns": sensitive,
                "quasi_identifiers": quasi,
                "known_columns": known or "every other column",
                "columns_left_out": left_out,
                "thresholds": {lvl.value: b for lvl, b in RISK_THRESHOLDS.items()},
                "level_from": "lower end of the risk's 95% interval",
                "inconclusive": [r.name for r in results if r.inconclusive],
                "seconds": {k: round(v, 3) for k, v in timings.items()},
                "seed": seed,
            },
        )

    def _regenerated(self, real: pd.DataFrame, available: list[str]) -> dict[str, str]:
        """Columns the generator regenerates (left out of the copy check), with the reason."""
        from genesis.quality.pii import is_replaced

        schema = self.schema
        if schema is None:
            from genesis.schema import infer_schema

            schema = infer_schema(real[available], seed=check_seed(self.seed))
        elif not isinstance(schema, Schema):
            raise InvalidParameterError(
                f"schema must be a genesis.schema.Schema or None, got {type(schema).__name__}"
            )
        out = {}
        for name in available:
            if name not in schema:
                continue
            column = schema[name]
            if column.kind is ColumnKind.IDENTIFIER:
                out[name] = "identifier"
            elif is_replaced(column):
                out[name] = "replaced by fakes"
        return out
