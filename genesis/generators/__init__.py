"""Synthesizers: learn a table, generate a synthetic twin in its exact format.

``SyntheticGenerator(method="cart").fit(df).generate(10_000)`` is the one-line entry point;
the synthesizer classes behind it share :class:`~genesis.generators.base.BaseSynthesizer`
and the reversible :class:`~genesis.generators.transformer.TableTransformer`.
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

from genesis.errors import InvalidParameterError, ModelLoadError, NotFittedError
from genesis.generators.base import BaseSynthesizer
from genesis.generators.cart import CARTSynthesizer
from genesis.generators.gaussian_copula import GaussianCopulaSynthesizer
from genesis.generators.neural import CTGANSynthesizer, TVAESynthesizer
from genesis.generators.transformer import TableTransformer
from genesis.schema.types import Schema

#: the synthesis methods :class:`SyntheticGenerator` accepts
METHODS = ("gaussian_copula", "cart", "ctgan", "tvae")
#: every ``method`` value accepted: the concrete methods and ``"auto"`` (AutoML picks one)
ALL_METHODS = ("auto", *METHODS)

_CLASSES: dict[str, type[BaseSynthesizer]] = {
    "gaussian_copula": GaussianCopulaSynthesizer,
    "cart": CARTSynthesizer,
    "ctgan": CTGANSynthesizer,
    "tvae": TVAESynthesizer,
}


def get_synthesizer_class(method: str) -> type[BaseSynthesizer]:
    """The synthesizer class implementing ``method`` (one of :data:`METHODS`)."""
    if method == "auto":  # imported here: genesis.automl builds on this module
        from genesis.automl.search import AutoMLSynthesizer

        return AutoMLSynthesizer
    if not isinstance(method, str) or method not in _CLASSES:
        raise InvalidParameterError(f"unknown method {method!r}; choose one of {list(ALL_METHODS)}")
    return _CLASSES[method]


class SyntheticGenerator:
    """Facade over the synthesizers: pick a method by name, then fit, generate, save, load.

    Args:
        method: one of :data:`METHODS` (default ``"cart"``), or ``"auto"`` to let
            :class:`~genesis.automl.AutoMLSynthesizer` measure them and keep the best
            (its parameters: ``time_budget``, ``scoring``, ``methods`` ...).
        seed: seed of every random operation; same seed, same model and rows.
        **method_params: the chosen synthesizer's parameters (e.g. ``epochs=300`` for
            ``"ctgan"``, ``min_samples_leaf=20`` for ``"cart"``).

    Attributes after :meth:`fit`: ``schema_``, ``fit_seconds_``, ``synthesizer`` (the
    underlying synthesizer) and every fitted attribute of it (``epoch_seconds_`` ...).
    """

    def __init__(self, method: str = "cart", *, seed: int = 0, **method_params: Any) -> None:
        cls = get_synthesizer_class(method)
        accepted = cls._param_names()
        unknown = sorted(set(method_params) - set(accepted))
        if unknown:
            raise InvalidParameterError(
                f"method {method!r} does not take parameter(s) {unknown}; its parameters are {accepted}"
            )
        self.method = method
        self.seed = seed
        self.method_params = dict(method_params)
        self.synthesizer: BaseSynthesizer = cls(seed=seed, **method_params)

    def fit(self, df: pd.DataFrame, schema: Schema | None = None) -> SyntheticGenerator:
        """Learn ``df`` (schema inferred when not given); returns self."""
        self.synthesizer.fit(df, schema)
        return self

    def generate(self, n: int, seed: int | None = None) -> pd.DataFrame:
        """``n`` synthetic rows in the source's exact format (``seed`` None: the constructor's)."""
        return self.synthesizer.generate(n, seed=seed)

    def save(self, path: str | os.PathLike[str]) -> str:
        """Save the fitted model atomically; returns the path written."""
        return self.synthesizer.save(path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SyntheticGenerator:
        """Load a model saved by :meth:`save` (or by any synthesizer's ``save``)."""
        synthesizer = BaseSynthesizer.load(path)
        if synthesizer.method not in ALL_METHODS:
            raise ModelLoadError(
                f"{str(path)!r} holds a model of unknown method {synthesizer.method!r}"
            )
        generator = cls.__new__(cls)
        generator.method = synthesizer.method
        generator.seed = synthesizer.seed
        params = synthesizer.get_params()
        params.pop("seed", None)
        generator.method_params = params
        generator.synthesizer = synthesizer
        return generator

    def get_params(self) -> dict[str, Any]:
        """``method``, ``seed`` and the synthesizer's parameters."""
        return {"method": self.method, **self.synthesizer.get_params()}

    def __getattr__(self, name: str) -> Any:
        # fitted attributes (schema_, fit_seconds_, epoch_seconds_ ...) live on the synthesizer
        if name.endswith("_") and not name.startswith("__") and "synthesizer" in self.__dict__:
            try:
                return getattr(self.__dict__["synthesizer"], name)
            except AttributeError:
                if not hasattr(self.__dict__["synthesizer"], "transformer_"):
                    raise NotFittedError(
                        f"{name} is set by fit(); call fit(df) on this SyntheticGenerator first"
                    ) from None
                raise
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __repr__(self) -> str:
        params = "".join(f", {k}={v!r}" for k, v in self.method_params.items())
        return f"SyntheticGenerator(method={self.method!r}, seed={self.seed!r}{params})"


__all__ = [
    "ALL_METHODS",
    "METHODS",
    "BaseSynthesizer",
    "CARTSynthesizer",
    "CTGANSynthesizer",
    "GaussianCopulaSynthesizer",
    "SyntheticGenerator",
    "TVAESynthesizer",
    "TableTransformer",
    "get_synthesizer_class",
]
