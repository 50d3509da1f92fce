"""CART synthesizer: fidelity, privacy knob, visit order, seeds, and the bounds that keep
wide and tall tables fast (predictor cap, splits learnt on a row sample)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

from genesis.errors import InvalidParameterError
from genesis.generators import CARTSynthesizer
from genesis.generators.cart import sklearn_random_state


def _column_similarity(real: pd.DataFrame, synthetic: pd.DataFrame) -> dict[str, float]:
    """1 - KS statistic for numbers, 1 - total variation distance for labels."""
    scores = {}
    for column in real.columns:
        if pd.api.types.is_numeric_dtype(real[column]):
            scores[column] = (
                1 - ks_2samp(real[column].dropna(), synthetic[column].dropna()).statistic
            )
        else:
            p = real[column].value_counts(normalize=True)
            q = synthetic[column].value_counts(normalize=True)
            scores[column] = 1 - 0.5 * p.subtract(q, fill_value=0).abs().sum()
    return scores


def _exact_copy_share(synthetic: pd.DataFrame, real: pd.DataFrame) -> float:
    return len(synthetic.merge(real.drop_duplicates(), how="inner", on=list(real.columns))) / len(
        synthetic
    )


@pytest.fixture(scope="module")
def adult_split(adult_df):
    shuffled = adult_df.sample(frac=1.0, random_state=0).reset_index(drop=True)
    return shuffled.iloc[:6000].reset_index(drop=True), shuffled.iloc[6000:8000].reset_index(
        drop=True
    )


@pytest.fixture(scope="module")
def cart_adult(adult_split):
    train, _ = adult_split
    return CARTSynthesizer(seed=0).fit(train)


def test_column_shapes_are_close(cart_adult, adult_split):
    train, _ = adult_split
    scores = _column_similarity(train, cart_adult.generate(len(train)))
    assert np.mean(list(scores.values())) > 0.97, scores
    assert min(scores.values()) > 0.93, scores


def test_pairwise_dependence_is_kept(cart_adult, adult_split):
    train, _ = adult_split
    synthetic = cart_adult.generate(len(train))
    real_ct = pd.crosstab(train["education"], train["income"], normalize=True)
    fake_ct = pd.crosstab(synthetic["education"], synthetic["income"], normalize=True)
    assert 0.5 * real_ct.subtract(fake_ct, fill_value=0).abs().sum().sum() < 0.06
    assert (
        abs(
            train["age"].corr(train["hours-per-week"])
            - synthetic["age"].corr(synthetic["hours-per-week"])
        )
        < 0.06
    )


def test_synthetic_data_trains_a_useful_model(cart_adult, adult_split):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score

    train, test = adult_split

    def auc(frame: pd.DataFrame) -> float:
        features = frame.drop(columns="income")
        test_features = test.drop(columns="income")
        for column in features.select_dtypes(include="object").columns:
            features[column] = features[column].astype("category")
            test_features[column] = pd.Categorical(
                test_features[column], categories=features[column].cat.categories
            )
        model = HistGradientBoostingClassifier(
            categorical_features="from_dtype", random_state=0, max_iter=100
        )
        model.fit(features, frame["income"] == ">50K")
        return roc_auc_score(test["income"] == ">50K", model.predict_proba(test_features)[:, 1])

    assert auc(cart_adult.generate(len(train))) > auc(train) - 0.04


def test_few_synthetic_rows_copy_a_real_row(cart_adult, adult_split):
    train, _ = adult_split
    share = _exact_copy_share(cart_adult.generate(len(train)), train)
    assert share < 0.005
    unsmoothed = CARTSynthesizer(smoothing="none", min_samples_leaf=1, seed=0).fit(train)
    assert _exact_copy_share(unsmoothed.generate(len(train)), train) > share  # the knobs matter


def test_default_visit_order_is_the_source_order(cart_adult):
    order = cart_adult.visit_order_
    assert order == cart_adult.transformer_.model_columns_
    assert order[0] == "age" and order[-1] == "income"
    assert cart_adult.trees_[0] is None and len(cart_adult.trees_) == len(order)


def test_custom_visit_order(adult_split):
    train, _ = adult_split
    model = CARTSynthesizer(visit_order=["income", "sex"]).fit(train.iloc[:1000])
    assert model.visit_order_[:2] == ["income", "sex"]
    assert sorted(model.visit_order_) == sorted(model.transformer_.model_columns_)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"min_samples_leaf": 0}, "min_samples_leaf"),
        ({"max_depth": 0}, "max_depth"),
        ({"smoothing": "kde"}, "smoothing"),
        ({"visit_order": "age"}, "visit_order"),
        ({"visit_order": ["age", "nope"]}, "not in the table"),
        ({"visit_order": ["age", "age"]}, "twice"),
        ({"max_predictors": 0}, "max_predictors"),
        ({"max_predictors": 2.5}, "max_predictors"),
        ({"max_fit_rows": 19}, "max_fit_rows"),
        ({"n_jobs": 0}, "n_jobs"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.0}, "seed"),
        ({"seed": True}, "seed"),
    ],
)
def test_bad_parameters(params, match, adult_split):
    with pytest.raises(InvalidParameterError, match=match):
        CARTSynthesizer(**params).fit(adult_split[0].iloc[:200])


# --- seeds ---------------------------------------------------------------------------------------


def test_seeds_beyond_32_bits_fit_and_repeat(adult_split):
    train = adult_split[0].iloc[:800]
    first = CARTSynthesizer(seed=2**40).fit(train).generate(300)
    again = CARTSynthesizer(seed=2**40).fit(train).generate(300)
    pd.testing.assert_frame_equal(first, again)
    other = CARTSynthesizer(seed=2**40 + 1).fit(train).generate(300)
    assert not first.equals(other)
    huge = CARTSynthesizer(seed=10**30).fit(train).generate(10, seed=2**64 + 5)
    assert len(huge) == 10


def test_sklearn_state_is_32_bit_and_does_not_wrap():
    states = [sklearn_random_state(s) for s in (0, 1, 2**32 - 1, 2**32, 2**40, 2**40 + 2**32)]
    assert all(0 <= s < 2**32 and isinstance(s, int) for s in states)
    assert len(set(states)) == len(states)  # 2**32 and 0 would collide under a modulo
    assert sklearn_random_state(2**40) == sklearn_random_state(2**40)
    with pytest.raises(InvalidParameterError, match="seed"):
        sklearn_random_state(-3)
    with pytest.raises(InvalidParameterError, match="seed"):
        sklearn_random_state(None)


def test_cli_generate_accepts_a_seed_beyond_32_bits(adult_split, tmp_path):
    from typer.testing import CliRunner

    from genesis.cli import app

    real = tmp_path / "real.csv"
    adult_split[0].iloc[:400].to_csv(real, index=False)
    outputs = []
    for name in ("a.csv", "b.csv"):
        result = CliRunner().invoke(
            app,
            ["generate", str(real), "-n", "50", "-o", str(tmp_path / name), "--seed", str(2**40)],
        )
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
        outputs.append(pd.read_csv(tmp_path / name))
    pd.testing.assert_frame_equal(*outputs)


# --- wide tables: predictor cap --------------------------------------------------------------------


def _wide_table(rows: int, columns: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    latent = rng.standard_normal((rows, 3))
    data = {}
    for k in range(columns):
        x = latent @ rng.standard_normal(3) + 0.5 * rng.standard_normal(rows)
        if k % 4 == 3:
            data[f"c{k}"] = np.array(list("ABCD"))[
                np.searchsorted(np.quantile(x, [0.25, 0.5, 0.75]), x)
            ]
        else:
            data[f"x{k}"] = np.round(x, 2)
    return pd.DataFrame(data)


def test_each_tree_splits_on_at_most_max_predictors_columns():
    wide = _wide_table(500, 200)
    model = CARTSynthesizer(seed=0).fit(wide)
    assert model.max_predictors == 20
    assert len(model.predictors_) == len(model.visit_order_) == 200
    for j, (column, predictors, tree) in enumerate(
        zip(model.visit_order_, model.predictors_, model.trees_, strict=True)
    ):
        if j == 0:
            assert predictors == [] and tree is None
            continue
        assert 1 <= len(predictors) <= 20
        assert tree.n_features_in_ == len(predictors)
        earlier = model.visit_order_[:j]
        assert set(predictors) <= set(earlier) and column not in predictors
        assert predictors == [c for c in earlier if c in predictors]  # kept in visit order
    assert model.generate(100).shape == (100, 200)


def test_the_cap_keeps_the_most_informative_columns_and_the_null_indicator():
    rng = np.random.default_rng(1)
    rows = 1500
    noise = {f"n{k}": rng.standard_normal(rows) for k in range(30)}
    frame = pd.DataFrame(noise)
    frame["label"] = np.where(frame["n7"] > 0.3, "high", "low")
    target = 3 * frame["n12"] + 0.1 * rng.standard_normal(rows)
    target[rng.random(rows) < 0.2] = np.nan
    frame["y"] = target
    model = CARTSynthesizer(max_predictors=4, seed=0).fit(frame)
    chosen = dict(zip(model.visit_order_, model.predictors_, strict=True))
    assert "n7" in chosen["label"]
    assert "n12" in chosen["y"] and "y__null" in chosen["y"]
    assert all(len(p) <= 4 for p in chosen.values())
    synthetic = model.generate(rows)
    assert abs(synthetic["y"].corr(synthetic["n12"]) - frame["y"].corr(frame["n12"])) < 0.05
    assert abs(synthetic["y"].isna().mean() - 0.2) < 0.04


def test_a_binding_cap_keeps_adult_fidelity(adult_split, cart_adult):
    train, _ = adult_split
    capped = CARTSynthesizer(max_predictors=5, seed=0).fit(train)
    assert max(len(p) for p in capped.predictors_) == 5
    synthetic = capped.generate(len(train))
    scores = _column_similarity(train, synthetic)
    assert np.mean(list(scores.values())) > 0.97, scores
    real_ct = pd.crosstab(train["education"], train["income"], normalize=True)
    fake_ct = pd.crosstab(synthetic["education"], synthetic["income"], normalize=True)
    assert 0.5 * real_ct.subtract(fake_ct, fill_value=0).abs().sum().sum() < 0.06
    assert _exact_copy_share(synthetic, train) < 0.005


def test_adult_below_the_bounds_is_modelled_on_every_column_and_row(cart_adult, adult_split):
    assert cart_adult.fit_rows_ == len(adult_split[0])
    for j, predictors in enumerate(cart_adult.predictors_):
        assert predictors == cart_adult.visit_order_[:j]


def test_models_saved_before_the_cap_still_generate(adult_split):
    model = CARTSynthesizer(seed=0).fit(adult_split[0].iloc[:600])
    expected = model.generate(200)
    del model._predictors, model._owners  # the attributes older saved models lack
    pd.testing.assert_frame_equal(model.generate(200), expected)


# --- tall tables: splits learnt on a sample, leaves filled from every row ----------------------------


def test_splits_learnt_on_a_sample_assign_every_row_to_a_large_enough_leaf(adult_split):
    train, _ = adult_split
    model = CARTSynthesizer(max_fit_rows=1500, min_samples_leaf=10, seed=0).fit(train)
    assert model.fit_rows_ == 1500
    for tree, leaves in zip(model.trees_[1:], model._leaves[1:], strict=True):
        # the sample grows leaves as fine as the whole table would (10 rows x 1500 / 6000)
        assert tree.min_samples_leaf == 2
        is_leaf = tree.tree_.children_left == -1
        assert tree.tree_.n_node_samples[is_leaf].sum() == 1500
        assert leaves.counts.sum() == len(train)  # every row can be drawn, not only the sample
        drawn_from = leaves.counts[leaves.counts > 0]
        assert drawn_from.min() >= 10  # the privacy floor holds in the rows actually assigned
    synthetic = model.generate(500)
    assert synthetic.shape == (500, train.shape[1])


def test_leaf_owners_undo_splits_that_leave_too_few_rows():
    from sklearn.tree import DecisionTreeRegressor

    from genesis.generators.cart import leaf_owners

    x = np.arange(8, dtype=float).reshape(-1, 1)
    tree = DecisionTreeRegressor(random_state=0).fit(x, x.ravel())  # one leaf per row
    t = tree.tree_
    rows = np.repeat(x, [1, 1, 5, 5, 6, 6, 6, 6], axis=0)  # the full table: rows 0 and 1 rare
    leaves = tree.apply(rows)
    owners = leaf_owners(tree, leaves, 5)
    assigned = np.bincount(owners[leaves], minlength=t.node_count)
    assert assigned[assigned > 0].min() >= 5
    assert assigned.sum() == len(rows)
    # the rare rows 0 and 1 share a node with others; the plentiful rows 4..7 keep their leaves
    assert owners[leaves[0]] == owners[leaves[1]] == owners[leaves[2]]
    assert len({owners[leaf] for leaf in tree.apply(x[4:])}) == 4
    assert (
        leaf_owners(tree, tree.apply(x), 1)
        == np.where(t.children_left == -1, np.arange(t.node_count), -1)
    ).all()
    # a table smaller than the floor draws everything from the root
    assert set(leaf_owners(tree, tree.apply(x), 100)[tree.apply(x)]) == {0}


def test_threads_do_not_change_the_model(adult_split):
    train = adult_split[0].iloc[:1500]
    one = CARTSynthesizer(n_jobs=1, max_fit_rows=1000, seed=4).fit(train).generate(400)
    two = CARTSynthesizer(n_jobs=3, max_fit_rows=1000, seed=4).fit(train).generate(400)
    pd.testing.assert_frame_equal(one, two)


def test_a_sampled_fit_keeps_fidelity_and_privacy(adult_split):
    train, _ = adult_split
    sampled = CARTSynthesizer(max_fit_rows=2000, seed=0).fit(train)
    synthetic = sampled.generate(len(train))
    scores = _column_similarity(train, synthetic)
    assert np.mean(list(scores.values())) > 0.97, scores
    assert min(scores.values()) > 0.93, scores
    assert (
        abs(
            train["age"].corr(train["hours-per-week"])
            - synthetic["age"].corr(synthetic["hours-per-week"])
        )
        < 0.06
    )
    assert _exact_copy_share(synthetic, train) < 0.005


def test_the_row_sample_follows_the_seed(adult_split):
    train = adult_split[0].iloc[:1200]
    a = CARTSynthesizer(max_fit_rows=400, seed=3).fit(train).generate(200)
    b = CARTSynthesizer(max_fit_rows=400, seed=3).fit(train).generate(200)
    pd.testing.assert_frame_equal(a, b)


def test_the_first_column_keeps_its_real_shares():
    """The first column is drawn among the real values without replacement within each pass:
    16 distinct labels drawn 16 times give each label once (with replacement about 10 would
    show up), 40 draws give each label 2 or 3 times, and the seed still moves the rows."""
    labels = [f"Carrier {chr(65 + i)} Inc." for i in range(16)]
    table = pd.DataFrame({"name": labels, "fleet": np.arange(16) * 10})
    model = CARTSynthesizer(seed=0).fit(table)
    assert model.visit_order_[0] == "name"
    once = model.generate(16, seed=1)["name"]
    assert sorted(once) == sorted(labels)
    counts = model.generate(40, seed=2)["name"].value_counts()
    assert counts.index.size == 16 and set(counts) <= {2, 3}
    assert list(model.generate(16, seed=3)["name"]) != list(once)
