"""The GenerationMethod enum and the method registry (issue 11 §4, §3 import cycle)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import genesis
from genesis.errors import InvalidParameterError
from genesis.generators import (
    ALL_METHODS,
    METHODS,
    CARTSynthesizer,
    GenerationMethod,
    SyntheticGenerator,
    get_synthesizer_class,
)


def test_members_are_the_method_names():
    assert [m.value for m in GenerationMethod] == [*METHODS, "auto"]
    assert set(ALL_METHODS) == {m.value for m in GenerationMethod}
    assert GenerationMethod.CART == "cart" and str(GenerationMethod.TVAE) == "tvae"
    assert genesis.GenerationMethod is GenerationMethod


def test_the_enum_and_its_names_select_the_same_class():
    assert get_synthesizer_class(GenerationMethod.CART) is get_synthesizer_class("cart")
    assert get_synthesizer_class("cart") is CARTSynthesizer
    model = SyntheticGenerator(GenerationMethod.GAUSSIAN_COPULA)
    assert model.method == "gaussian_copula" and type(model.method) is str
    assert get_synthesizer_class("auto").__name__ == "AutoMLSynthesizer"


@pytest.mark.parametrize("bad", ["gan", "", None, ["cart"], 3])
def test_unknown_methods_are_refused(bad):
    with pytest.raises(InvalidParameterError, match="unknown method"):
        SyntheticGenerator(bad)


def test_generators_never_import_automl():
    code = (
        "import sys, genesis.generators as g; g.SyntheticGenerator('cart'); "
        "print('genesis.automl' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
