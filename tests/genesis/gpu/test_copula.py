"""The torch sampling path of the Gaussian copula against the numpy one.

The two paths draw different normals (torch's generator, numpy's), so their rows differ;
what must agree: the marginal inversion given the same normals (exactly), and the
distribution of what each generates (per-column KS / shares, correlations).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from scipy import stats

from genesis.generators import SyntheticGenerator
from genesis.gpu import BatchedGenerator
from genesis.gpu.copula import TorchCopulaSampler

NUMERIC = ["age", "fnlwgt", "education-num", "capital-gain", "hours-per-week"]
CATEGORICAL = ["workclass", "education", "marital-status", "relationship", "sex", "income"]


def _numpy_normals(synthesizer, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    k = len(synthesizer._columns)
    return rng.standard_normal((n, k), dtype=np.float32) @ synthesizer._cholesky.T


def _decode_both(synthesizer, z: np.ndarray) -> tuple[dict, dict]:
    sampler = TorchCopulaSampler(synthesizer, torch.device("cpu"))
    ours = sampler.finish(sampler.decode(torch.as_tensor(z)).numpy())
    theirs = {c: synthesizer._decode(j, z[:, j]) for j, c in enumerate(synthesizer._columns)}
    return ours, theirs


def test_marginal_inversion_equals_numpy_on_the_same_normals(copula):
    """Codes exactly; values exactly but where torch's float64 ndtr and scipy's differ by
    an ulp that rounds the float32 uniform to its other neighbour (about 1 row in 20,000):
    there the value moves by one float32 step of the uniform along its quantile gap."""
    synthesizer = copula.synthesizer
    z = _numpy_normals(synthesizer, 20_000, seed=1)
    ours, theirs = _decode_both(synthesizer, z)
    assert list(ours) == list(theirs)
    for column in theirs:
        assert ours[column].dtype == theirs[column].dtype, column
        if column in copula.transformer_.n_codes_:
            np.testing.assert_array_equal(ours[column], theirs[column], err_msg=column)
        else:
            assert (ours[column] == theirs[column]).mean() > 0.999, column
            np.testing.assert_allclose(ours[column], theirs[column], rtol=1e-6, err_msg=column)


def test_parametric_and_private_marginals_equal_numpy(adult_2k):
    parametric = SyntheticGenerator("gaussian_copula", marginals="parametric").fit(adult_2k)
    private = SyntheticGenerator("gaussian_copula", epsilon=2.0, delta=1e-6).fit(adult_2k)
    families = set(parametric.synthesizer.marginal_families_.values())
    assert families - {"empirical"}, families  # some columns really are parametric
    for model in (parametric, private):
        synthesizer = model.synthesizer
        z = _numpy_normals(synthesizer, 5_000, seed=2)
        ours, theirs = _decode_both(synthesizer, z)
        for column in theirs:
            np.testing.assert_allclose(ours[column], theirs[column], rtol=1e-9, err_msg=column)


def test_normals_carry_the_fitted_correlation(copula):
    sampler = TorchCopulaSampler(copula.synthesizer, torch.device("cpu"))
    generator = torch.Generator().manual_seed(3)
    z = sampler.normals(50_000, generator).double().numpy()
    observed = np.corrcoef(z, rowvar=False)
    np.testing.assert_allclose(observed, copula.correlation_.to_numpy(), atol=0.02)


def test_generated_distribution_agrees_with_the_numpy_path(copula):
    n = 20_000
    ours = BatchedGenerator(copula, batch_size=4096, device="cpu").generate(n, seed=5)
    theirs = copula.generate(n, seed=5)
    for column in NUMERIC:
        statistic = stats.ks_2samp(ours[column], theirs[column]).statistic
        assert statistic < 0.03, (column, statistic)
    for column in CATEGORICAL:
        shares = pd.concat(
            [
                ours[column].value_counts(normalize=True),
                theirs[column].value_counts(normalize=True),
            ],
            axis=1,
        ).fillna(0)
        tvd = 0.5 * (shares.iloc[:, 0] - shares.iloc[:, 1]).abs().sum()
        assert tvd < 0.03, (column, tvd)
    spearman = ours[NUMERIC].corr("spearman") - theirs[NUMERIC].corr("spearman")
    assert np.abs(spearman.to_numpy()).max() < 0.05
    # a dependence between a number and a label survives too
    gap = (
        ours.groupby("sex")["hours-per-week"].mean()
        - theirs.groupby("sex")["hours-per-week"].mean()
    )
    assert gap.abs().max() < 1.0, gap


def test_rows_differ_from_the_numpy_path_but_repeat_per_seed(copula):
    batched = BatchedGenerator(copula, batch_size=1000, device="cpu")
    first = batched.generate(3000, seed=11)
    pd.testing.assert_frame_equal(first, batched.generate(3000, seed=11))
    assert not first.equals(batched.generate(3000, seed=12))
    assert not first.equals(copula.generate(3000, seed=11))  # another generator: documented


def test_numpy_normals_give_the_models_own_rows_whatever_the_batches(copula, same_model_rows):
    """normals="numpy": the normals model.generate draws, inverted by the torch path; the
    rows are the model's (float32 rounding allowed for; measured identical on Adult)."""
    expected = copula.generate(20_000, seed=4)
    for batch_size in (333, 65_536):
        ours = BatchedGenerator(copula, batch_size, "cpu", normals="numpy").generate(20_000, seed=4)
        same_model_rows(ours, expected)


def test_weather_table_keeps_its_format_and_the_models_rows(weather_df, same_model_rows):
    """Datetimes, mostly-null numbers and point masses come back as model.generate writes
    them (the same inverse_transform; normals="numpy" gives the model's own rows)."""
    from tests.genesis.generators.conftest import assert_same_format

    weather = weather_df.sample(2000, random_state=0).reset_index(drop=True)
    model = SyntheticGenerator("gaussian_copula").fit(weather)
    out = BatchedGenerator(model, 700, "cpu").generate(3000, seed=2)
    assert_same_format(weather, out, model.schema_)
    same = BatchedGenerator(model, 700, "cpu", normals="numpy").generate(3000, seed=2)
    same_model_rows(same, model.generate(3000, seed=2))
