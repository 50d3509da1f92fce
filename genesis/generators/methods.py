"""The synthesis methods by name: the :class:`GenerationMethod` enum and its implementations.

Implementations are named by import path and loaded on first use, so this package never
imports :mod:`genesis.automl` (which builds on it): the ``auto`` method is found the same way
as every other.
"""

from __future__ import annotations

import importlib
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from genesis.errors import InvalidParameterError

if TYPE_CHECKING:  # pragma: no cover
    from genesis.generators.base import BaseSynthesizer


class GenerationMethod(StrEnum):
    """A synthesis method. Members are strings: ``GenerationMethod.CART == "cart"``."""

    GAUSSIAN_COPULA = "gaussian_copula"
    CART = "cart"
    CTGAN = "ctgan"
    TVAE = "tvae"
    AUTO = "auto"


#: the concrete synthesis methods :class:`~genesis.generators.SyntheticGenerator` accepts
METHODS: tuple[str, ...] = ("gaussian_copula", "cart", "ctgan", "tvae")
#: every ``method`` value accepted: the concrete methods and ``"auto"`` (AutoML picks one)
ALL_METHODS: tuple[str, ...] = ("auto", *METHODS)

_IMPLEMENTATIONS = {
    GenerationMethod.GAUSSIAN_COPULA: "genesis.generators.gaussian_copula:GaussianCopulaSynthesizer",
    GenerationMethod.CART: "genesis.generators.cart:CARTSynthesizer",
    GenerationMethod.CTGAN: "genesis.generators.neural:CTGANSynthesizer",
    GenerationMethod.TVAE: "genesis.generators.neural:TVAESynthesizer",
    GenerationMethod.AUTO: "genesis.automl.synthesizer:AutoMLSynthesizer",
}


def parse_method(method: Any) -> GenerationMethod:
    """``method`` (a :class:`GenerationMethod` or its string value) as the enum member."""
    try:
        return GenerationMethod(method)
    except (ValueError, TypeError):
        raise InvalidParameterError(
            f"unknown method {method!r}; choose one of {list(ALL_METHODS)}"
        ) from None


def get_synthesizer_class(method: str | GenerationMethod) -> type[BaseSynthesizer]:
    """The synthesizer class implementing ``method`` (one of :data:`ALL_METHODS`)."""
    module, _, name = _IMPLEMENTATIONS[parse_method(method)].partition(":")
    return getattr(importlib.import_module(module), name)


__all__ = ["ALL_METHODS", "METHODS", "GenerationMethod", "get_synthesizer_class", "parse_method"]
