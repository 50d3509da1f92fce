"""QualityDashboard: one self-contained HTML (or PDF) report comparing real and synthetic data."""

from __future__ import annotations

import os
import time
from typing import Any

import pandas as pd

from genesis.dashboard import _sections as sections
from genesis.dashboard.scenarios import check_summaries
from genesis.errors import InvalidDataError, InvalidParameterError
from genesis.jsonsafe import finite
from genesis.schema.types import ColumnKind, Schema
from genesis.validation import require_frame

#: most columns that get a distribution figure of their own (in source order)
MAX_DISTRIBUTION_COLUMNS = 40


def chosen_method(method: Any) -> str | None:
    """The name of the method that generated the rows, from a name or a fitted model.

    A model chosen by AutoML gives its winner (``selected_method_``); ``"auto"`` itself is
    refused: it names how the method was picked, not which one made the rows.
    """
    if method is None:
        return None
    if not isinstance(method, str):
        model = method
        method = None
        for attribute in ("selected_method_", "method"):
            try:
                value = getattr(model, attribute)
            except Exception:  # an unfitted model raises NotFittedError for fitted attributes
                continue
            if isinstance(value, str) and value != "auto":
                method = value
                break
        if method is None:
            raise InvalidParameterError(
                f"cannot tell which method {type(model).__name__} used; pass method= as the "
                "method's name, e.g. method='cart', or a fitted model"
            )
    if not method.strip() or method == "auto":
        raise InvalidParameterError(
            f"method={method!r} does not say which method made the rows; pass the method "
            "AutoML chose (model.selected_method_) or the fitted model itself"
        )
    return method


class QualityDashboard:
    """A report of how a synthetic table compares with the real one, under a "can this be
    shared?" verdict (:func:`genesis.verdict.share_verdict`).

    The report shows real data only as aggregates (shares per bin or label, association
    coefficients, 2-D cell counts with small cells left blank), so it can be shared; the
    opt-in ``show_real_points=True`` adds scatter plots of real rows and says so at the top.

    Args:
        real_data: the real rows (the generator's training data).
        synthetic_data: the synthetic rows, with the same columns.
        name: the report's title (the method is appended when ``method`` is given).
        include_privacy: show the privacy section: the attacks of ``privacy_report`` when given,
            else the copy and distance-to-closest-record figures of the quality evaluation.
        include_ml_utility: show the ML-utility section (needs ``target``).
        target: the column to predict for ML utility (train on synthetic, test on real).
        holdout: real rows the generator never saw; the honest test set for ML utility.
        privacy_report: a privacy audit (``genesis.privacy_attacks`` report or its
            ``to_dict()``), shown in the privacy section and the verdict.
        drift_report: a drift report (``genesis.drift`` report, its ``to_dict()``, or the
            Dagster stage's ``{"source_vs_baseline": ..., "synthetic_vs_real": ...}``).
        quality_report: a :class:`genesis.quality.QualityReport` (or its ``to_dict()``) already
            computed for these tables; computed with :class:`~genesis.quality.QualityEvaluator`
            when not given.
        schema: column kinds; inferred from ``real_data`` when not given.
        seed: seed of the evaluation and of the opt-in scatter-plot samples.
        method: the method that generated the rows (a name, or the fitted model: AutoML
            gives its winner), shown in the title; ``"auto"`` is refused.
        snapshot_id, model_uri, lineage_hash: the version's identifiers, shown in the verdict.
        quality_threshold: the overall score the version must reach to be shareable.
        show_real_points: also draw scatter plots of sampled real rows (the report then
            holds real values and says so on its first screen).
        scenarios: rows generated under named conditions, shown in a Scenarios section:
            a list of summaries, one per scenario, each built with
            :func:`genesis.dashboard.scenario_summary` (figures only: rows asked and
            returned, share meeting the conditions, fidelity of the other columns against
            the real rows that meet them).

    Example:
        >>> QualityDashboard(train, synthetic, target="income").save_report("report.html")
    """

    def __init__(
        self,
        real_data: pd.DataFrame,
        synthetic_data: pd.DataFrame,
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
        method: Any = None,
        snapshot_id: str | int | None = None,
        model_uri: str | None = None,
        lineage_hash: str | None = None,
        quality_threshold: float | None = None,
        show_real_points: bool = False,
        scenarios: list[dict[str, Any]] | None = None,
    ) -> None:
        self.real_data = require_frame(real_data, "real_data")
        self.synthetic_data = require_frame(synthetic_data, "synthetic_data")
        if holdout is not None:
            require_frame(holdout, "holdout")
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
        self.method = method
        self.snapshot_id = snapshot_id
        self.model_uri = model_uri
        self.lineage_hash = lineage_hash
        self.quality_threshold = quality_threshold
        self.show_real_points = show_real_points
        self.scenarios = scenarios
        self._metrics: dict[str, Any] | None = None
        self._figures: dict[str, Any] | None = None
        self._prepared = None
        self._schema: Schema | None = None

    # --- metrics -----------------------------------------------------------------------------

    def _validate(self) -> None:
        for role, df in (("real_data", self.real_data), ("synthetic_data", self.synthetic_data)):
            if df.empty:
                raise InvalidDataError(f"{role} has no rows; pass a table with rows")
        missing = [c for c in self.real_data.columns if c not in self.synthetic_data.columns]
        if missing:
            raise InvalidDataError(
                f"the synthetic table lacks the real table's column(s) {missing}; generate it "
                "from a model fitted on the real table"
            )
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidParameterError("name must be a non-empty string, e.g. 'Adult'")
        if self.target is not None and self.target not in self.real_data.columns:
            raise InvalidParameterError(
                f"target {self.target!r} is not a column of the real table; choose one of "
                f"{list(self.real_data.columns)}"
            )
        threshold = self.quality_threshold
        if threshold is not None and (finite(threshold) is None or not 0 <= threshold <= 1):
            raise InvalidParameterError(
                f"quality_threshold must be a number in [0, 1], got {threshold!r}; e.g. 0.8"
            )
        if not isinstance(self.show_real_points, bool):
            raise InvalidParameterError(
                f"show_real_points must be True or False, got {self.show_real_points!r}"
            )
        check_summaries(self.scenarios)

    def compute_metrics(self) -> dict[str, Any]:
        """Every figure the report shows, as a JSON-safe dict (computed once, then cached).

        Keys: ``name``, ``title``, ``method``, ``n_real``, ``n_synthetic``, ``share`` (the
        "can this be shared?" verdict: :meth:`ShareVerdict.to_dict` plus its display
        ``rows``), ``verdict`` (quality ``level`` good/fair/poor and ``text``), ``quality``
        (the quality report's ``to_dict()``), ``giveaways`` (the columns that give the
        synthetic table away: :func:`~genesis.dashboard._sections.giveaway_section`),
        ``ml_utility`` (dict or None), ``privacy``
        (``summary`` figures and ``attacks`` rows, or None), ``drift`` (``summary``
        figures, one sentence per comparison in ``lines`` and ``columns`` rows, or None),
        ``scenarios`` (the scenario summaries, or None), ``show_real_points``, ``seconds``.
        """
        if self._metrics is not None:
            return self._metrics
        started = time.perf_counter()
        self._validate()
        method = chosen_method(self.method)
        real = self.real_data[list(self.real_data.columns)]
        synthetic = self.synthetic_data[list(self.real_data.columns)]
        if self.schema is not None:
            schema = self.schema
        else:
            from genesis.schema import infer_schema

            schema = infer_schema(real)
        quality = sections.as_dict(self.quality_report, "quality_report")
        privacy_report = sections.as_dict(self.privacy_report, "privacy_report")
        drift_report = sections.as_dict(self.drift_report, "drift_report")
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
        level, text = sections.quality_verdict(finite(quality.get("overall_score")))
        privacy = self._privacy_section(quality, privacy_report) if self.include_privacy else None
        if privacy is not None and privacy.get("passed") is False:
            text += "; the privacy audit did not pass"
        utility = quality.get("ml_utility") or None
        self._metrics = {
            "name": self.name,
            "title": f"{self.name} ({method})" if method else self.name,
            "method": method,
            "n_real": len(real),
            "n_synthetic": len(synthetic),
            "share": self._share(quality, privacy_report, drift_report),
            "verdict": {"level": level, "text": text},
            "quality": quality,
            "giveaways": sections.giveaway_section(quality),
            "ml_utility": utility if self.include_ml_utility else None,
            "privacy": privacy,
            "drift": self._drift_section(drift_report),
            "scenarios": check_summaries(self.scenarios),
            "show_real_points": self.show_real_points,
            "seconds": round(time.perf_counter() - started, 3),
        }
        return self._metrics

    def _share(self, quality, privacy, drift) -> dict[str, Any]:
        from genesis.verdict import share_verdict

        verdict = share_verdict(
            quality,
            privacy if self.include_privacy else None,
            drift,
            quality_threshold=self.quality_threshold,
            snapshot_id=self.snapshot_id,
            model_uri=self.model_uri,
            lineage_hash=self.lineage_hash,
        )
        return {**verdict.to_dict(), "rows": [list(row) for row in verdict.rows()]}

    @staticmethod
    def _privacy_section(quality: dict[str, Any], report: dict[str, Any] | None) -> dict[str, Any]:
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

    @staticmethod
    def _drift_section(report: dict[str, Any] | None) -> dict[str, Any] | None:
        if report is None:
            return None
        return {
            "summary": sections.drift_summary(report),
            "lines": sections.drift_lines(report),
            "columns": sections.drift_rows(report),
            "report": report,
        }

    # --- figures -----------------------------------------------------------------------------

    def generate_plotly_figures(self) -> dict[str, Any]:
        """The report's Plotly figures by key, in display order (computed once, then cached).

        ``scores``, ``column_scores``, ``column_detection`` (when the quality report has
        per-column detection), ``distribution:<column>`` per column,
        ``correlation_real``, ``correlation_synthetic``, ``correlation_difference``,
        ``density:<a>|<b>`` for the strongest numeric pairs (``scatter:<a>|<b>`` as well with
        ``show_real_points``), ``ml_utility``, ``privacy`` and ``drift`` when those sections
        are shown.
        """
        if self._figures is not None:
            return self._figures
        from genesis.dashboard import charts
        from genesis.dashboard import figures as figs

        metrics = self.compute_metrics()
        quality, prepared = metrics["quality"], self._prepared
        out: dict[str, Any] = {
            "scores": charts.scores_figure(quality),
            "column_scores": charts.column_scores_figure(quality),
        }
        if metrics["giveaways"]["measured"]:
            out["column_detection"] = charts.column_detection_figure(
                quality, metrics["giveaways"]["threshold"]
            )
        shown = [c for c in self._schema.columns if c.name in set(prepared.modelled)]
        for column in shown[:MAX_DISTRIBUTION_COLUMNS]:
            out[f"distribution:{column.name}"] = figs.distribution_figure(
                column, self.real_data[column.name], self.synthetic_data[column.name], prepared
            )
        if len(prepared.modelled) >= 2:
            real_assoc, synth_assoc = figs.association_matrices(prepared)
            out["correlation_real"] = figs.heatmap(real_assoc, "Associations in the real data")
            out["correlation_synthetic"] = figs.heatmap(
                synth_assoc, "Associations in the synthetic data"
            )
            out["correlation_difference"] = figs.heatmap(
                synth_assoc - real_assoc, "Difference: synthetic minus real", difference=True
            )
            pairs = figs.strongest_pairs(real_assoc, prepared.numeric)
            times = {c.name for c in self._schema.columns if c.kind is ColumnKind.DATETIME}
            for first, second, r in pairs:
                out[f"density:{first}|{second}"] = figs.density_figure(
                    first, second, prepared, r, times
                )
            if self.show_real_points:
                for first, second, r in pairs:
                    out[f"scatter:{first}|{second}"] = figs.scatter_figure(
                        first, second, prepared, r, self.seed
                    )
        if metrics["ml_utility"]:
            out["ml_utility"] = charts.ml_utility_figure(metrics["ml_utility"])
        if metrics["privacy"] is not None:
            out["privacy"] = charts.privacy_figure(quality, metrics["privacy"].get("report"))
        if metrics["drift"] is not None:
            out["drift"] = charts.drift_figure(metrics["drift"]["report"])
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
    real_data: pd.DataFrame,
    synthetic_data: pd.DataFrame,
    output_path: str | os.PathLike[str] | None = None,
    **options: Any,
) -> str:
    """Build a :class:`QualityDashboard` and return its HTML; also saved to ``output_path``.

    ``options`` are :class:`QualityDashboard`'s keyword arguments (``name``, ``target``,
    ``method``, ``snapshot_id``, ``model_uri``, ``lineage_hash``, ``quality_threshold`` ...).
    """
    dashboard = QualityDashboard(real_data, synthetic_data, **options)
    page = dashboard.generate_html_report()
    if output_path is not None:
        write_text_atomic(output_path, page)
    return page


def write_text_atomic(path: str | os.PathLike[str], text: str) -> str:
    """Write UTF-8 text through a temporary file in the same folder and a rename."""
    from genesis.io import write_bytes_atomic

    return write_bytes_atomic(path, text, what="report")
