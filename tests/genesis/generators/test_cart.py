"""CART synthesizer: fidelity, privacy knob, visit order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

from genesis.errors import InvalidParameterError
from genesis.generators import CARTSynthesizer


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


def test_default_visit_order_puts_high_cardinality_last(cart_adult):
    order = cart_adult.visit_order_
    assert order[-1] == "native-country"
    assert order[0] == "age"
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
    ],
)
def test_bad_parameters(params, match, adult_split):
    with pytest.raises(InvalidParameterError, match=match):
        CARTSynthesizer(**params).fit(adult_split[0].iloc[:200])
