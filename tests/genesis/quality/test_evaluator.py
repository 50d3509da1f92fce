"""QualityEvaluator end to end: perfect twins, determinism, left-out columns, bad inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.errors import InvalidDataError, InvalidParameterError, SchemaError
from genesis.quality import QualityEvaluator, QualityReport
from genesis.schema import infer_schema
from genesis.schema.types import ColumnKind


def test_identical_tables_score_perfectly(identical_report: QualityReport) -> None:
    report = identical_report
    assert report.column_shapes == pytest.approx(1.0)
    assert report.column_pair_trends == pytest.approx(1.0)
    assert report.quality_score == pytest.approx(1.0)
    assert report.missing_similarity == pytest.approx(1.0)
    assert abs(report.detection_auc - 0.5) < 0.05
    assert report.detection_score > 0.9
    assert report.exact_copy_share == 1.0
    assert report.dcr_synthetic == 0.0
    assert report.dcr_ratio == 0.0
    assert np.allclose(report.column_details["score"], 1.0)
    assert set(report.column_details["metric"]) == {"KSComplement", "TVComplement"}


def test_same_seed_same_report_and_max_rows(adult_split) -> None:
    train, holdout = adult_split
    synthetic = holdout.sample(frac=1.0, random_state=2)

    def figures(**kwargs) -> dict:
        data = QualityEvaluator(train, synthetic, target="income", **kwargs).evaluate().to_dict()
        data.pop("seconds")
        return data

    assert figures(seed=5) == figures(seed=5)
    small = QualityEvaluator(train, synthetic, holdout=holdout, max_rows=500).evaluate()
    assert (small.n_real, small.n_synthetic, small.n_holdout) == (500, 500, 500)


def test_identifier_and_text_columns_are_left_out(adult_split) -> None:
    train, _ = adult_split
    real = train.assign(row_id=np.arange(len(train)))
    synthetic = train.assign(row_id=np.arange(len(train)) + 10_000_000)
    schema = infer_schema(real)
    assert schema["row_id"].kind is ColumnKind.IDENTIFIER
    report = QualityEvaluator(real, synthetic, schema=schema).evaluate()
    details = report.column_details.set_index("column")
    assert details.at["row_id", "metric"] is None
    assert "row_id" not in set(report.pair_details["column_1"]) | set(
        report.pair_details["column_2"]
    )
    assert report.exact_copy_share == 1.0


def test_bad_inputs_raise_errors_that_name_the_fix(adult_split) -> None:
    train, _ = adult_split
    with pytest.raises(InvalidDataError, match="real must be a pandas DataFrame"):
        QualityEvaluator(train.to_dict(), train).evaluate()
    with pytest.raises(InvalidDataError, match="synthetic has no rows"):
        QualityEvaluator(train, train.iloc[:0]).evaluate()
    with pytest.raises(InvalidDataError, match="has no columns"):
        QualityEvaluator(pd.DataFrame(index=range(3)), train).evaluate()
    with pytest.raises(InvalidDataError, match=r"missing \['income'\], extra \['label'\]"):
        QualityEvaluator(train, train.rename(columns={"income": "label"})).evaluate()
    with pytest.raises(InvalidDataError, match="holdout does not have the columns"):
        QualityEvaluator(train, train, holdout=train.drop(columns="age")).evaluate()
    with pytest.raises(InvalidParameterError, match="target 'salary' is not a column"):
        QualityEvaluator(train, train, target="salary").evaluate()
    with pytest.raises(InvalidParameterError, match="seed must be an integer"):
        QualityEvaluator(train, train, seed="x").evaluate()
    with pytest.raises(InvalidParameterError, match="max_rows must be an integer"):
        QualityEvaluator(train, train, max_rows=0).evaluate()
    with pytest.raises(InvalidParameterError, match="real_association_threshold"):
        QualityEvaluator(train, train, real_association_threshold=1.5).evaluate()
    with pytest.raises(SchemaError, match=r"columns missing from the schema \['income'\]"):
        QualityEvaluator(train, train, schema=infer_schema(train.drop(columns="income"))).evaluate()
    with pytest.raises(InvalidParameterError, match="schema must be a genesis.schema.Schema"):
        QualityEvaluator(train, train, schema={"columns": []}).evaluate()
    ids = train.assign(row_id=np.arange(len(train)))
    with pytest.raises(InvalidParameterError, match="identifier column, which cannot be predicted"):
        QualityEvaluator(ids, ids, target="row_id").evaluate()
