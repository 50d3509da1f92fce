"""QualityDashboard: one self-contained HTML (or PDF) report comparing real and synthetic data."""

from __future__ import annotations

import html
import os
import time
from typing import Any

import pandas as pd

from genesis.dashboard import _sections as sections
from genesis.errors import InvalidDataError, InvalidParameterError
from genesis.schema.types import Schema

#: most columns that get a distribution figure of their own (in source order)
MAX_DISTRIBUTION_COLUMNS = 40


class QualityDashboard:
    """A report of how a synthetic table compares with the real one: scores, figures, verdicts.

    Args:
        real: the real rows (the generator's training data).
        synthetic: the synthetic rows, with the same columns.
        name: the report's title.
        include_privacy: show the privacy section: the attacks of ``privacy_report`` when given,
            else the copy and distance-to-closest-record figures of the quality evaluation.
        include_ml_utility: show the ML-utility section (needs ``target``).
        target: the column to predict for ML utility (train on synthetic, test on real).
        holdout: real rows the generator never saw; the honest test set for ML utility.
        privacy_report: a privacy audit (``genesis.privacy_attacks`` report or its
            ``to_dict()``), shown in the privacy section.
        drift_report: a drift report (``genesis.drift`` report or its ``to_dict()``), shown as
            a table.
        quality_report: a :class:`genesis.quality.QualityReport` (or its ``to_dict()``) already
            computed for these tables; computed with :class:`~genesis.quality.QualityEvaluator`
            when not given.
        schema: column kinds; inferred from ``real`` when not given.
        seed: seed of the evaluation and of the scatter-plot samples.

    Example:
        >>> QualityDashboard(train, synthetic, target="income").save_report("report.html")
    """

    def __init__(
        self,
        real: pd.DataFrame,
        synthetic: pd.DataFrame,
        name: str = "Quality Report",
        include_privacy: bool = True,
        include_ml_utility: bool = True,
        target: str | None = None,
        holdout: pd.DataFrame | None = None,
        privacy_report: Any = None,
        drift_report: Any = None,
        *,
        quality_report: Any = None,
        schema: Schema | None = None,
        seed: int = 0,
    ) -> None:
        self.real = real
        self.synthetic = synthetic
        self.name = name
        self.include_privacy = include_privacy
        self.include_ml_utility = include_ml_utility
        self.target = target
        self.holdout = holdout
        self.privacy_report = privacy_report
        self.drift_report = drift_report
        self.quality_report = quality_report
        self.schema = schema
        self.seed = seed
        self._metrics: dict[str, Any] | None = None
        self._figures: dict[str, Any] | None = None
        self._prepared = None
        self._schema: Schema | None = None

    # --- metrics -----------------------------------------------------------------------------

    def _validate(self) -> None:
        for role, df in (("real", self.real), ("synthetic", self.synthetic)):
            if not isinstance(df, pd.DataFrame):
                raise InvalidDataError(
                    f"QualityDashboard needs the {role} table as a pandas DataFrame, got "
                    f"{type(df).__name__}; read it with genesis.read_table first"
                )
            if df.empty:
                raise InvalidDataError(f"the {role} table has no rows; pass a table with rows")
        missing = [c for c in self.real.columns if c not in self.synthetic.columns]
        if missing:
            raise InvalidDataError(
                f"the synthetic table lacks the real table's column(s) {missing}; generate it "
                "from a model fitted on the real table"
            )
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidParameterError("name must be a non-empty string, e.g. 'Adult: CART'")
        if self.target is not None and self.target not in self.real.columns:
            raise InvalidParameterError(
                f"target {self.target!r} is not a column of the real table; choose one of "
                f"{list(self.real.columns)}"
            )

    def compute_metrics(self) -> dict[str, Any]:
        """Every figure the report shows, as a JSON-safe dict (computed once, then cached).

        Keys: ``name``, ``n_real``, ``n_synthetic``, ``verdict`` (``level`` good/fair/poor and
        ``text``), ``quality`` (the quality report's ``to_dict()``), ``ml_utility`` (dict or
        None), ``privacy`` (``summary`` figures and ``attacks`` rows, or None), ``drift``
        (``summary`` and ``columns`` rows, or None), ``seconds``.
        """
        if self._metrics is not None:
            return self._metrics
        started = time.perf_counter()
        self._validate()
        real = self.real[list(self.real.columns)]
        synthetic = self.synthetic[list(self.real.columns)]
        if self.schema is not None:
            schema = self.schema
        else:
            from genesis.schema import infer_schema

            schema = infer_schema(real)
        quality = sections.as_dict(self.quality_report, "quality_report")
        if quality is None:
            from genesis.quality import QualityEvaluator

            quality = (
                QualityEvaluator(
                    real,
                    synthetic,
                    target=self.target if self.include_ml_utility else None,
                    holdout=self.holdout,
                    schema=schema,
                    seed=self.seed,
                )
                .evaluate()
                .to_dict()
            )
        from genesis.quality._prepare import prepare_tables

        self._schema = schema
        self._prepared = prepare_tables({"real": real, "synthetic": synthetic}, schema)
        overall = sections.number(quality.get("overall_score"))
        level, text = sections.quality_verdict(overall)
        privacy = self._privacy_section(quality) if self.include_privacy else None
        if privacy is not None and privacy.get("passed") is False:
            text += "; the privacy audit did not pass"
        utility = quality.get("ml_utility") or None
        self._metrics = {
            "name": self.name,
            "n_real": len(real),
            "n_synthetic": len(synthetic),
            "verdict": {"level": level, "text": text},
            "quality": quality,
            "ml_utility": utility if self.include_ml_utility else None,
            "privacy": privacy,
            "drift": self._drift_section(),
            "seconds": round(time.perf_counter() - started, 3),
        }
        return self._metrics

    def _privacy_section(self, quality: dict[str, Any]) -> dict[str, Any]:
        report = sections.as_dict(self.privacy_report, "privacy_report")
        summary = {
            key: quality.get(key)
            for key in ("exact_copy_share", "dcr_synthetic", "dcr_holdout", "dcr_ratio")
        }
        section: dict[str, Any] = {"summary": summary, "attacks": [], "passed": None}
        if report is not None:
            section["summary"] = {**summary, **sections.privacy_summary(report)}
            section["attacks"] = sections.attack_rows(report)
            passed = report.get("passed")
            section["passed"] = passed if isinstance(passed, bool) else None
            section["overall_risk"] = report.get("overall_risk")
            section["report"] = report
        return section

    def _drift_section(self) -> dict[str, Any] | None:
        report = sections.as_dict(self.drift_report, "drift_report")
        if report is None:
            return None
        return {
            "summary": sections.drift_summary(report),
            "columns": sections.drift_rows(report),
            "report": report,
        }

    # --- figures -----------------------------------------------------------------------------

    def generate_plotly_figures(self) -> dict[str, Any]:
        """The report's Plotly figures by key, in display order (computed once, then cached).

        ``scores``, ``column_scores``, ``distribution:<column>`` per column,
        ``correlation_real``, ``correlation_synthetic``, ``correlation_difference``,
        ``scatter:<a>|<b>`` for the strongest numeric pairs, ``ml_utility``, ``privacy`` and
        ``drift`` when those sections are shown.
        """
        if self._figures is not None:
            return self._figures
        from genesis.dashboard import figures as figs

        metrics = self.compute_metrics()
        quality, prepared = metrics["quality"], self._prepared
        out: dict[str, Any] = {
            "scores": figs.scores_figure(quality),
            "column_scores": figs.column_scores_figure(quality),
        }
        shown = [c for c in self._schema.columns if c.name in set(prepared.modelled)]
        for column in shown[:MAX_DISTRIBUTION_COLUMNS]:
            out[f"distribution:{column.name}"] = figs.distribution_figure(
                column, self.real[column.name], self.synthetic[column.name], prepared
            )
        if len(prepared.modelled) >= 2:
            real_assoc, synth_assoc = figs.association_matrices(prepared)
            out["correlation_real"] = figs.heatmap(real_assoc, "Associations in the real data")
            out["correlation_synthetic"] = figs.heatmap(
                synth_assoc, "Associations in the synthetic data"
            )
            out["correlation_difference"] = figs.heatmap(
                (synth_assoc - real_assoc).abs(),
                "Absolute difference (synthetic vs real)",
                difference=True,
            )
            for first, second, r in figs.strongest_pairs(real_assoc, prepared.numeric):
                out[f"scatter:{first}|{second}"] = figs.scatter_figure(
                    first, second, prepared, r, self.seed
                )
        if metrics["ml_utility"]:
            out["ml_utility"] = figs.ml_utility_figure(metrics["ml_utility"])
        if metrics["privacy"] is not None:
            out["privacy"] = figs.privacy_figure(quality, metrics["privacy"].get("report"))
        if metrics["drift"] is not None:
            out["drift"] = figs.drift_figure(metrics["drift"]["report"])
        self._figures = out
        return out

    # --- output ------------------------------------------------------------------------------

    def generate_html_report(self) -> str:
        """The whole report as one self-contained HTML page (Plotly's JavaScript inlined once;
        it opens offline and makes no network request)."""
        from genesis.dashboard._html import render

        return render(self.compute_metrics(), self.generate_plotly_figures())

    def save_report(self, path: str | os.PathLike[str]) -> str:
        """Write the HTML report atomically; returns the path written."""
        return write_text_atomic(path, self.generate_html_report())

    def save_pdf(self, path: str | os.PathLike[str]) -> str:
        """Render the report to PDF with headless Chromium; returns the path written.

        Needs the ``playwright`` package and a Chromium binary (``/usr/bin/chromium``, or the
        one named by ``GENESIS_CHROMIUM``).
        """
        from genesis.dashboard._pdf import html_to_pdf

        return html_to_pdf(self.generate_html_report(), path)


def create_dashboard(
    real: pd.DataFrame, synthetic: pd.DataFrame, output_path: str | os.PathLike[str] | None = None
) -> str:
    """Build a :class:`QualityDashboard` and return its HTML; also saved to ``output_path``."""
    dashboard = QualityDashboard(real, synthetic)
    page = dashboard.generate_html_report()
    if output_path is not None:
        write_text_atomic(output_path, page)
    return page


def write_text_atomic(path: str | os.PathLike[str], text: str) -> str:
    """Write UTF-8 text through a temporary file in the same folder and a rename."""
    from genesis.io import write_bytes_atomic

    return write_bytes_atomic(path, text, what="report")


def escape(value: Any) -> str:
    """HTML-escaped text of any value."""
    return html.escape(str(value))
