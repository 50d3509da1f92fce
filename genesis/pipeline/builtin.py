"""The built-in nodes: source, transform, synthesize, evaluate and sink.

Each returns a dict: ``"output"`` holds the table passed on (the sink returns where it
wrote), other keys hold what else the step produced (the fitted model, the reports).
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd

from genesis.errors import GenesisError, PipelineDefinitionError
from genesis.pipeline.nodes import PipelineNode, frame_of
from genesis.pipeline.transforms import operation


class SourceNode(PipelineNode):
    """Read a table: a path or URL through :func:`genesis.io.read_table`, or a DataFrame.

    Args:
        name: the node's name.
        path: a local path, fsspec URL or SQL URL (what ``read_table`` reads).
        frame: a DataFrame to start from instead of ``path``.
        format, query, storage_options, read_options: passed to ``read_table``.

    Returns ``{"output": table}``.
    """

    node_type = "source"

    def __init__(
        self,
        name: str,
        path: str | os.PathLike[str] | None = None,
        *,
        frame: pd.DataFrame | None = None,
        format: str | None = None,
        query: str | None = None,
        storage_options: dict[str, Any] | None = None,
        read_options: dict[str, Any] | None = None,
        inputs: Iterable[str] | str | None = None,
        seed: int | None = None,
    ) -> None:
        super().__init__(name, inputs, seed=seed)
        if (path is None) == (frame is None):
            raise PipelineDefinitionError(
                f"source node {name!r} takes exactly one of path= (a file or URL) or frame= "
                "(a DataFrame)"
            )
        if frame is not None and not isinstance(frame, pd.DataFrame):
            raise PipelineDefinitionError(
                f"source node {name!r}: frame must be a DataFrame, got {type(frame).__name__}"
            )
        self.path = None if path is None else os.fspath(path)
        self.frame = frame
        self.params = {
            "path": self.path,
            "format": format,
            "query": query,
            "storage_options": storage_options,
            "read_options": dict(read_options or {}),
        }

    def execute(self, inputs: dict) -> dict:
        if self.frame is not None:
            return {"output": self.frame.copy()}
        from genesis.io import read_table

        p = self.params
        table = read_table(
            self.path,
            p["format"],
            query=p["query"],
            storage_options=p["storage_options"],
            **p["read_options"],
        )
        return {"output": table}


class TransformNode(PipelineNode):
    """Change a table: a callable, or a named operation of :mod:`genesis.pipeline.transforms`.

    Args:
        name: the node's name.
        fn: ``fn(table) -> table`` with one input, ``fn({name: table, ...}) -> table`` with
            several.
        op: instead of ``fn``: ``select``/``drop`` (``columns=``), ``filter``
            (``conditions=``, a ConditionSet or its dict form), ``rename`` (``columns=
            {"old": "new"}``), ``sample`` (``n=`` or ``frac=``, seeded by the node's seed),
            ``dropna``, and for several inputs ``concat`` or ``merge`` (``on=``, ``how=``).
        inputs: the input nodes (the builder's default: the previous node).
        **params: the operation's parameters.

    Returns ``{"output": table}``.
    """

    node_type = "transform"

    def __init__(
        self,
        name: str,
        fn: Callable[[Any], pd.DataFrame] | None = None,
        *,
        op: str | None = None,
        inputs: Iterable[str] | str | None = None,
        seed: int | None = None,
        **params: Any,
    ) -> None:
        super().__init__(name, inputs, seed=seed)
        if (fn is None) == (op is None):
            raise PipelineDefinitionError(
                f"transform node {name!r} takes exactly one of fn= (a callable) or op= "
                "(select, drop, filter, rename, sample, dropna, concat, merge)"
            )
        if fn is not None and not callable(fn):
            raise PipelineDefinitionError(
                f"transform node {name!r}: fn must be callable, got {type(fn).__name__}"
            )
        if fn is not None and params:
            raise PipelineDefinitionError(
                f"transform node {name!r}: parameters {sorted(params)} are for op=; a callable "
                "takes only the tables (bind parameters with functools.partial)"
            )
        if op is not None:  # an unknown op or parameter: an error now, not at run time
            function, _ = operation(op)
            accepted = [
                k for k in inspect.signature(function).parameters if k not in ("frames", "seed")
            ]
            unknown = sorted(set(params) - set(accepted))
            if unknown:
                raise PipelineDefinitionError(
                    f"transform node {name!r}: op {op!r} takes {accepted}, not {unknown}"
                )
        self.fn = fn
        self.op = op
        self.params = {"op": op, "fn": fn, **params}

    def execute(self, inputs: dict) -> dict:
        frames = {up: frame_of(inputs[up], "output", up, self.name) for up in self.inputs}
        if self.fn is not None:
            argument = next(iter(frames.values())) if len(frames) == 1 else frames
            table = self.fn(argument)
            if not isinstance(table, pd.DataFrame):
                raise PipelineDefinitionError(
                    f"transform node {self.name!r}: its function returned "
                    f"{type(table).__name__}; return a DataFrame"
                )
            return {"output": table}
        function, seeded = operation(self.op)
        options = {k: v for k, v in self.params.items() if k not in ("op", "fn")}
        if seeded:
            options["seed"] = self.seed
        try:
            return {"output": function(frames, **options)}
        except TypeError as exc:
            raise PipelineDefinitionError(
                f"transform node {self.name!r}: op {self.op!r} does not take {sorted(options)} "
                f"({exc}); see genesis.pipeline.transforms.{function.__name__}"
            ) from None


class SynthesizeNode(PipelineNode):
    """Fit ``SyntheticGenerator(method, seed=node seed, **method_params)`` on the input table
    and generate ``n`` rows (default: as many as the input), optionally under ``conditions``.

    Returns ``{"output": synthetic table, "model": the fitted SyntheticGenerator}``.
    """

    node_type = "synthesize"

    def __init__(
        self,
        name: str,
        method: str = "cart",
        *,
        n: int | None = None,
        conditions: Any = None,
        method_params: Mapping[str, Any] | None = None,
        inputs: Iterable[str] | str | None = None,
        seed: int | None = None,
    ) -> None:
        super().__init__(name, inputs, seed=seed)
        from genesis.generators import SyntheticGenerator

        params = dict(method_params or {})
        try:  # the constructor checks the method's name and parameters; it fits nothing
            SyntheticGenerator(method, seed=0, **params)
        except GenesisError as exc:
            raise PipelineDefinitionError(f"synthesize node {name!r}: {exc}") from None
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 0):
            raise PipelineDefinitionError(
                f"synthesize node {name!r}: n must be an integer >= 0 (rows), got {n!r}"
            )
        self.params = {"method": method, "n": n, "conditions": conditions, "method_params": params}

    def execute(self, inputs: dict) -> dict:
        from genesis.generators import SyntheticGenerator

        real = self.input_frame(inputs)
        p = self.params
        model = SyntheticGenerator(p["method"], seed=self.seed, **p["method_params"]).fit(real)
        n = len(real) if p["n"] is None else p["n"]
        synthetic = model.generate(n, conditions=p["conditions"])
        return {"output": synthetic, "model": model}


class EvaluateNode(PipelineNode):
    """Score the synthetic table with :class:`~genesis.quality.QualityEvaluator` and, with
    ``privacy=True``, audit it with :class:`~genesis.privacy_attacks.PrivacyAttackTester`.

    Args:
        name: the node's name.
        real: the node whose ``"output"`` is the real table the generator was trained on.
        inputs: the node holding the synthetic table (the builder's default: the previous
            node); ``real`` and ``holdout`` are added to the node's inputs.
        holdout: a node whose ``"output"`` holds real rows the generator never saw (needed by
            the privacy audit, optional for quality).
        target: column for the ML-utility test.
        privacy: run the privacy audit too (needs ``holdout``).
        sensitive_columns, quasi_identifiers: for the audit.
        threshold: the quality threshold of the share verdict (``overall_score``).
        max_rows: subsample each table to this many rows before scoring.

    Returns ``{"output": synthetic table (passed on), "quality": QualityReport.to_dict(),
    "privacy": PrivacyAuditReport.to_dict() or None, "verdict": the share verdict's line}``.
    """

    node_type = "evaluate"

    def __init__(
        self,
        name: str,
        real: str | None = None,
        *,
        inputs: Iterable[str] | str | None = None,
        holdout: str | None = None,
        target: str | None = None,
        privacy: bool = False,
        sensitive_columns: list[str] | None = None,
        quasi_identifiers: list[str] | None = None,
        threshold: float | None = None,
        max_rows: int | None = None,
        seed: int | None = None,
    ) -> None:
        super().__init__(name, inputs, seed=seed)
        if not isinstance(real, str):
            raise PipelineDefinitionError(
                f"evaluate node {name!r} needs real= naming the node whose output is the real "
                "table the generator was trained on (e.g. real='load')"
            )
        if privacy and holdout is None:
            raise PipelineDefinitionError(
                f"evaluate node {name!r}: the privacy audit compares attacks on training rows "
                "with rows the model never saw; give holdout= (a node of unseen real rows)"
            )
        if len(self.inputs) != 1:
            raise PipelineDefinitionError(
                f"evaluate node {name!r} scores one synthetic table; give one input "
                f"(got {self.inputs}); the real table goes in real="
            )
        self.synthetic = self.inputs[0]
        self.inputs = list(dict.fromkeys([self.synthetic, real, *([holdout] if holdout else [])]))
        self.params = {
            "real": real,
            "holdout": holdout,
            "target": target,
            "privacy": bool(privacy),
            "sensitive_columns": list(sensitive_columns or []),
            "quasi_identifiers": list(quasi_identifiers or []),
            "threshold": threshold,
            "max_rows": max_rows,
        }

    def execute(self, inputs: dict) -> dict:
        from genesis.quality import QualityEvaluator
        from genesis.verdict import share_verdict

        p = self.params
        synthetic = frame_of(inputs[self.synthetic], "output", self.synthetic, self.name)
        real = frame_of(inputs[p["real"]], "output", p["real"], self.name)
        holdout = None
        if p["holdout"]:
            holdout = frame_of(inputs[p["holdout"]], "output", p["holdout"], self.name)
        quality = QualityEvaluator(
            real,
            synthetic,
            target=p["target"],
            holdout=holdout,
            seed=self.seed,
            max_rows=p["max_rows"],
        ).evaluate()
        privacy = None
        if p["privacy"]:
            from genesis.privacy_attacks import PrivacyAttackTester

            model = inputs[self.synthetic].get("model")
            privacy = (
                PrivacyAttackTester(
                    sensitive_columns=p["sensitive_columns"],
                    quasi_identifiers=p["quasi_identifiers"],
                    seed=self.seed,
                )
                .run_all_attacks(real, synthetic, holdout, model=model)
                .to_dict()
            )
        report = quality.to_dict()
        verdict = share_verdict(report, privacy, quality_threshold=p["threshold"])
        return {
            "output": synthetic,
            "quality": report,
            "privacy": privacy,
            "verdict": verdict.headline,
        }


class SinkNode(PipelineNode):
    """Write the input's table atomically with :func:`genesis.io.write_table`.

    Args:
        name: the node's name.
        path: a local path or fsspec URL; the format follows the extension unless ``format``.
        key: which entry of the input's result to write (default ``"output"``).
        storage_options: fsspec options for remote targets.

    Returns ``{"output": path written, "rows": rows written}``.
    """

    node_type = "sink"

    def __init__(
        self,
        name: str,
        path: str | os.PathLike[str] | None = None,
        *,
        format: str | None = None,
        key: str = "output",
        storage_options: dict[str, Any] | None = None,
        inputs: Iterable[str] | str | None = None,
        seed: int | None = None,
    ) -> None:
        super().__init__(name, inputs, seed=seed)
        if path is None:
            raise PipelineDefinitionError(f"sink node {name!r} needs path= (a file or URL)")
        self.path = os.fspath(path)
        self.params = {
            "path": self.path,
            "format": format,
            "key": key,
            "storage_options": storage_options,
        }

    def execute(self, inputs: dict) -> dict:
        from genesis.io import write_table

        p = self.params
        if len(inputs) != 1:
            raise PipelineDefinitionError(
                f"sink node {self.name!r} writes one table and got inputs {sorted(inputs)}"
            )
        ((upstream, result),) = inputs.items()
        table = frame_of(result, p["key"], upstream, self.name)
        written = write_table(table, self.path, p["format"], storage_options=p["storage_options"])
        return {"output": written, "rows": len(table)}
