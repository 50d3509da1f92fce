"""Re-identification: singling out and linkage on quasi-identifiers (Article 29 WP, 05/2014).

Three attacks, each run on training rows (attack) and on as many holdout rows (control),
each a proportion with a Wilson interval and a risk ``(attack - control) / (1 - control)``:

- **exact match**: the whole record (every shared column) appears verbatim in the synthetic
  data. A hashed join (:func:`pandas.util.hash_pandas_object` + :func:`numpy.isin`).
- **singling out**: the record is the only one of its table with its quasi-identifier
  combination, and exactly one synthetic row has that combination, so the synthetic row is a
  predicate that isolates the person. Group sizes by ``value_counts`` on row hashes. The
  target and control tables have the same number of rows, as uniqueness depends on size.
  Quasi-identifiers are compared exactly: coarsen continuous ones first (e.g. age bands).
- **linkage**: the attacker holds two halves of a record, the quasi-identifiers and the
  other columns, and links them through the synthetic data: the record's nearest synthetic
  rows on each half (``n_neighbors`` of them, scikit-learn ``NearestNeighbors``) share a row.

The attack's risk is the largest of the three; every one is in ``details``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genesis.errors import InvalidParameterError
from genesis.privacy_attacks.base import (
    PrivacyAttack,
    ReidentificationResult,
    check_attack_tables,
    check_columns,
    sample_rows,
)
from genesis.privacy_attacks.encoding import TableEncoder
from genesis.privacy_attacks.risk import RiskLevel, risk_with_interval
from genesis.validation import check_int, check_seed

SUB_ATTACKS = ("exact_match", "singling_out", "linkage")

_PLAIN = {
    "exact_match": "whole records copied verbatim into the synthetic data",
    "singling_out": "people isolated by a unique synthetic quasi-identifier combination",
    "linkage": "records whose two halves are linked through the same synthetic row",
}


class ReidentificationAttack(PrivacyAttack):
    """Singling out and linkage on quasi-identifiers, vectorised.

    Args:
        max_rows: target rows per side (training, holdout).
        n_neighbors: synthetic neighbours per half in the linkage attack.
        seed: seed of the subsamples.
    """

    name = "reidentification"

    def __init__(self, *, max_rows: int = 10_000, n_neighbors: int = 1, seed: int = 0) -> None:
        self.max_rows = max_rows
        self.n_neighbors = n_neighbors
        self.seed = seed

    def run(
        self,
        real: pd.DataFrame,
        synthetic: pd.DataFrame,
        quasi_ids: list[str],
        *,
        holdout: pd.DataFrame,
        encoder: TableEncoder | None = None,
    ) -> ReidentificationResult:
        """Attack training rows ``real`` through ``synthetic``; ``holdout`` is the control.

        Args:
            real: the generator's training rows.
            synthetic: the generated rows.
            quasi_ids: the columns an attacker could know from elsewhere (age, sex, zip ...).
            holdout: real rows the generator never saw.
            encoder: a :class:`TableEncoder` fitted on all three tables (fitted when None).
        """
        check_int("max_rows", self.max_rows, 10)
        check_int("n_neighbors", self.n_neighbors, 1)
        seed = check_seed(self.seed)
        real, synthetic, holdout, available = check_attack_tables(real, synthetic, holdout)
        quasi_ids = check_columns(quasi_ids, "quasi_identifiers", available)
        if not quasi_ids:
            raise InvalidParameterError(
                "no quasi-identifier given; pass the columns an attacker could know, "
                "e.g. quasi_ids=['age', 'sex', 'zip']"
            )
        rng = np.random.default_rng(seed)
        n = min(self.max_rows, len(real), len(holdout))
        targets = sample_rows(real, n, rng)
        controls = sample_rows(holdout, n, rng)
        if encoder is None:
            encoder = TableEncoder(available).fit(real, synthetic, holdout)
        rest = [c for c in available if c not in quasi_ids]

        sub: dict[str, dict] = {}
        keys_syn = encoder.row_keys(synthetic)
        sub["exact_match"] = self._rates(
            np.isin(encoder.row_keys(targets), keys_syn),
            np.isin(encoder.row_keys(controls), keys_syn),
        )
        qi_syn = pd.Series(encoder.row_keys(synthetic, quasi_ids)).value_counts()
        singled = qi_syn.index[qi_syn.to_numpy() == 1].to_numpy()

        def singled_out(table: pd.DataFrame) -> np.ndarray:
            keys = encoder.row_keys(table, quasi_ids)
            counts = pd.Series(keys).map(pd.Series(keys).value_counts()).to_numpy()
            return (counts == 1) & np.isin(keys, singled)

        sub["singling_out"] = self._rates(singled_out(targets), singled_out(controls))
        if rest:
            sub["linkage"] = self._rates(
                *self._linkage(encoder, synthetic, targets, controls, quasi_ids, rest)
            )
        worst = max(sub, key=lambda k: sub[k]["risk"] if np.isfinite(sub[k]["risk"]) else -np.inf)
        figures = sub[worst]
        details = {
            "sub_attacks": sub,
            "worst": worst,
            "quasi_identifiers": quasi_ids,
            "unique_qi_share_training": float(
                np.mean(
                    pd.Series(encoder.row_keys(targets, quasi_ids))
                    .duplicated(keep=False)
                    .to_numpy()
                    == 0
                )
            ),
            "n_targets": n,
            "n_synthetic": len(synthetic),
            "subsampled": n < max(len(real), len(holdout)),
        }
        result = ReidentificationResult.from_risk(
            self.name,
            figures["attack_rate"],
            figures["risk"],
            figures["risk_ci"],
            control=figures["control_rate"],
            details=details,
        )
        result.interpretation = (
            f"Using the quasi-identifiers {', '.join(quasi_ids)}, the strongest attack is "
            f"{worst.replace('_', ' ')} ({_PLAIN[worst]}): it succeeds for "
            f"{figures['attack_rate']:.1%} of training rows against {figures['control_rate']:.1%} "
            "of unseen rows. "
            + (
                "No more people are re-identifiable than if they had not been in the data."
                if result.risk_level is RiskLevel.LOW
                else "Training records are re-identified more often than unseen ones."
            )
        )
        return result

    @staticmethod
    def _rates(attack: np.ndarray, control: np.ndarray) -> dict:
        return risk_with_interval(int(attack.sum()), len(attack), int(control.sum()), len(control))

    def _linkage(self, encoder, synthetic, targets, controls, quasi_ids, rest):
        from sklearn.neighbors import NearestNeighbors

        k = min(self.n_neighbors, len(synthetic))
        halves = []
        for columns in (quasi_ids, rest):
            index = NearestNeighbors(n_neighbors=k, algorithm="brute").fit(
                encoder.transform(synthetic, columns)
            )
            halves.append(
                [
                    index.kneighbors(encoder.transform(t, columns), return_distance=False)
                    for t in (targets, controls)
                ]
            )
        (qa, qc), (ra, rc) = halves
        linked = [
            (q[:, :, None] == r[:, None, :]).any(axis=(1, 2)) for q, r in ((qa, ra), (qc, rc))
        ]
        return linked[0], linked[1]
