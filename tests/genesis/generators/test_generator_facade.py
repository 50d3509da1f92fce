"""SyntheticGenerator, METHODS and get_synthesizer_class."""

from __future__ import annotations

import pandas as pd
import pytest

from genesis.errors import InvalidParameterError, ModelLoadError
from genesis.generators import (
    METHODS,
    CARTSynthesizer,
    CTGANSynthesizer,
    GaussianCopulaSynthesizer,
    SyntheticGenerator,
    TVAESynthesizer,
    get_synthesizer_class,
)


def test_methods_and_classes():
    assert METHODS == ("gaussian_copula", "cart", "ctgan", "tvae")
    classes = [get_synthesizer_class(m) for m in METHODS]
    assert classes == [
        GaussianCopulaSynthesizer,
        CARTSynthesizer,
        CTGANSynthesizer,
        TVAESynthesizer,
    ]
    assert [c.method for c in classes] == list(METHODS)


def test_unknown_methods_are_refused_with_the_choices():
    with pytest.raises(InvalidParameterError, match="gaussian_copula") as info:
        SyntheticGenerator("copulagan")
    assert "unknown method" in str(info.value)


def test_auto_delegates_to_automl():
    from genesis.automl import AutoMLSynthesizer

    generator = SyntheticGenerator("auto", seed=2, time_budget=5)
    assert isinstance(generator.synthesizer, AutoMLSynthesizer)
    assert generator.get_params()["time_budget"] == 5


def test_unknown_parameters_are_refused_with_the_accepted_ones():
    with pytest.raises(InvalidParameterError, match="min_samples_leaf"):
        SyntheticGenerator("cart", epochs=10)


def test_default_method_is_cart_and_parameters_pass_through(adult_small):
    generator = SyntheticGenerator(seed=3, min_samples_leaf=20)
    assert generator.method == "cart" and isinstance(generator.synthesizer, CARTSynthesizer)
    assert generator.get_params()["min_samples_leaf"] == 20 and generator.get_params()["seed"] == 3
    assert generator.fit(adult_small) is generator
    assert generator.schema_.names == list(adult_small.columns)
    assert generator.visit_order_[0] == "age"  # fitted attributes of the synthesizer
    assert "min_samples_leaf=20" in repr(generator)
    with pytest.raises(AttributeError):
        _ = generator.no_such_attribute_


def test_loading_a_file_of_another_class_is_refused(adult_small, tmp_path):
    path = tmp_path / "gc.genesis"
    GaussianCopulaSynthesizer().fit(adult_small).save(path)
    with pytest.raises(ModelLoadError, match="SyntheticGenerator.load"):
        CARTSynthesizer.load(path)
    generator = SyntheticGenerator.load(path)
    assert generator.method == "gaussian_copula"
    header = GaussianCopulaSynthesizer.read_header(path)
    assert header["method"] == "gaussian_copula" and "genesis_version" in header
    assert isinstance(generator.generate(5), pd.DataFrame)
