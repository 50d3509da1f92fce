"""The share verdict: one summary for the UI and the dashboard."""

from genesis.verdict import share_verdict

PRIVACY = {
    "overall_risk": "LOW",
    "passed": True,
    "max_risk_level": "MEDIUM",
    "membership_result": {
        "name": "membership_inference",
        "risk_level": "LOW",
        "upper_level": "HIGH",
        "inconclusive": True,
    },
    "attribute_results": {
        "income": {"name": "attribute:income", "upper_level": "LOW", "inconclusive": False}
    },
    "reidentification_result": None,
}
DRIFT = {"source_vs_baseline": {"share": 0.1, "drift_share": 0.5, "dataset_drift": False}}


def test_inconclusive_privacy_is_named_in_the_headline():
    verdict = share_verdict({"overall_score": 0.98, "quality_score": 0.97}, PRIVACY, DRIFT,
                            quality_threshold=0.6, snapshot_id=123)  # fmt: skip
    assert verdict.shareable is True
    assert "LOW — inconclusive: up to HIGH cannot be ruled out (membership_inference)" in (
        verdict.headline
    )
    assert ("Snapshot id", "123") in verdict.rows()
    assert "overall 0.980" in verdict.to_markdown()


def test_missing_stage_is_undecided_and_failure_wins():
    assert share_verdict({"overall_score": 0.9}, quality_threshold=0.6).shareable is None
    failed = share_verdict({"overall_score": 0.3}, PRIVACY, DRIFT, quality_threshold=0.6)
    assert failed.shareable is False
    assert failed.to_dict()["quality"]["passed"] is False


def test_drift_verdict_reads_a_plain_drift_report():
    verdict = share_verdict(None, None, {"share": 0.75, "drift_share": 0.5, "dataset_drift": True,
                                         "drifted_columns": ["age"]})  # fmt: skip
    assert verdict.drift.drifted is True and verdict.shareable is False
    assert "75% of columns drifted (threshold 50%): age" in verdict.drift.text


def test_copied_rows_are_named_in_the_privacy_verdict():
    report = {**PRIVACY, "passed": False, "failed_checks": ["copies"],
              "copy_check": {"near_copies": 10}}  # fmt: skip
    verdict = share_verdict({"overall_score": 0.98}, report, DRIFT, quality_threshold=0.6)
    assert verdict.shareable is False
    assert "FAILED: 10 synthetic rows copy training rows" in verdict.privacy.text
