"""HealthcareGenerator: valid codes, temporal rules and keys over every row, calibration to
the named sources, seeds, rule checking and repair, fit on a user's tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.domains import DOMAINS, HealthcareGenerator, codes
from genesis.errors import InvalidDataError, InvalidParameterError

AS_OF = pd.Timestamp("2024-12-31")
BANDS = [0, 18, 45, 65, 200]


@pytest.fixture(scope="module")
def gen() -> HealthcareGenerator:
    return HealthcareGenerator(seed=7)


@pytest.fixture(scope="module")
def tables(gen) -> dict[str, pd.DataFrame]:
    return gen.generate_default(4_000)


def _band(age: pd.Series) -> pd.Series:
    return pd.cut(age, BANDS, right=False, labels=["0-17", "18-44", "45-64", "65+"])


# --- codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    ["2345-7", "718-7", "4548-4", "2160-0", "13457-7", "2093-3", "2085-9", "2571-8", "777-3",
     "6690-2", "2951-2", "2823-3", "8480-6", "29463-7", "8867-4", "1742-6", "3016-3"],
)  # fmt: skip
def test_loinc_check_digit_matches_published_codes(code):
    number, digit = code.split("-")
    assert codes.loinc_check_digit(number) == int(digit)


def test_valid_loinc_rejects_wrong_check_digits_and_shapes():
    series = pd.Series(["2345-7", "2345-6", "718-8", "2345", "abc-1", None, "12345678-9"])
    assert codes.valid_loinc(series).tolist() == [True] + [False] * 6
    assert codes.with_loinc_check_digit("2345-1") == "2345-7"
    with pytest.raises(ValueError, match="digits only"):
        codes.loinc_check_digit("23a5")


def test_icd10cm_shape():
    good = ["E11.9", "I10", "S93.401A", "U07.1", "Z00.129", "J45.909"]
    bad = ["11.9", "E1", "E11.", "e11.9", "E11.12345", "E119X.1", "E11.9\n", "", None]
    assert codes.valid_icd10cm(pd.Series(good)).all()
    assert not codes.valid_icd10cm(pd.Series(bad, dtype=object)).any()


def test_every_code_valid_over_all_rows(tables):
    events, labs, meds = tables["clinical_events"], tables["lab_results"], tables["medications"]
    assert codes.valid_icd10cm(events["icd10_code"]).all()
    known = {c.code for c in codes.CHRONIC_CONDITIONS} | {a.code for a in codes.ACUTE_CODES}
    assert set(events["icd10_code"].astype(str)) <= known
    assert codes.valid_loinc(labs["loinc_code"]).all()
    assert set(labs["loinc_code"].astype(str)) == set(codes.LAB_BY_CODE)
    name_of = labs["loinc_code"].astype(str).map({k: t.name for k, t in codes.LAB_BY_CODE.items()})
    assert (name_of == labs["test_name"].astype(str)).all()
    unit_of = labs["loinc_code"].astype(str).map({k: t.unit for k, t in codes.LAB_BY_CODE.items()})
    assert (unit_of == labs["unit"].astype(str)).all()
    assert (meds["rxnorm_code"].astype(str).map(codes.RXNORM_NAMES) == meds["drug_name"]).all()
    assert codes.valid_icd10cm(meds["indication_code"]).all()


# --- keys and time -------------------------------------------------------------------------


def test_keys_link(tables):
    patients = tables["patients"]
    assert patients["patient_id"].is_unique
    for name, key in (("clinical_events", "event_id"), ("lab_results", "lab_id"),
                      ("medications", "medication_id")):  # fmt: skip
        child = tables[name]
        assert child[key].is_unique and len(child) > len(patients)
        assert child["patient_id"].isin(patients["patient_id"]).all(), name


def test_every_temporal_rule_holds_over_all_rows(tables):
    p = tables["patients"].set_index("patient_id")
    assert (p["birth_date"] <= AS_OF).all()
    dead = p["death_date"].notna()
    assert 0 < dead.mean() < 0.15
    assert (p.loc[dead, "death_date"] >= p.loc[dead, "birth_date"]).all()
    assert (p.loc[dead, "death_date"] <= AS_OF).all()
    last = p["death_date"].fillna(AS_OF)
    for name, column in (("clinical_events", "event_date"), ("lab_results", "collected_date"),
                         ("medications", "start_date"), ("medications", "end_date")):  # fmt: skip
        child = tables[name]
        when = child[column]
        birth = p["birth_date"].reindex(child["patient_id"]).to_numpy()
        end = last.reindex(child["patient_id"]).to_numpy()
        known = when.notna().to_numpy()
        assert (when.to_numpy()[known] >= birth[known]).all(), (name, column)
        assert (when.to_numpy()[known] <= end[known]).all(), (name, column)
    meds = tables["medications"]
    closed = meds["end_date"].notna()
    assert (meds.loc[closed, "start_date"] <= meds.loc[closed, "end_date"]).all()
    open_dead = ~closed & dead.reindex(meds["patient_id"]).to_numpy()
    assert not open_dead.any()
    assert closed.any() and (~closed).any()


def test_generated_tables_have_no_violations(gen, tables):
    assert gen.violations(tables) == []


# --- calibration ---------------------------------------------------------------------------


def test_age_and_sex_follow_the_census_pyramid(gen):
    cohort = gen.generate_patient_cohort(60_000)
    alive = cohort[cohort["death_date"].isna()]
    bins = np.array(codes.CENSUS_2020_AGE_SEX)
    expected = (bins[:, 2] + bins[:, 3]) / (bins[:, 2] + bins[:, 3]).sum()
    edges = [*bins[:, 0], 200]
    observed = pd.cut(cohort["age"] + 0, edges, right=False).value_counts(normalize=True)
    # deaths in the window make the dead younger at death than they would be now: compare the
    # living (most of the cohort) and the whole cohort loosely
    living = pd.cut(alive["age"], edges, right=False).value_counts(normalize=True).sort_index()
    assert np.abs(living.to_numpy() - expected).max() < 0.01
    assert np.abs(observed.sort_index().to_numpy() - expected).max() < 0.015
    female = (bins[:, 3].sum()) / bins[:, 2:].sum()
    assert abs((cohort["sex"] == "F").mean() - female) < 0.01


def test_deaths_rise_with_age(gen):
    cohort = gen.generate_patient_cohort(60_000)
    dead = cohort["death_date"].notna()
    age_now = ((AS_OF - cohort["birth_date"]).dt.days / 365.2425).astype(int)
    by_band = dead.groupby(_band(age_now), observed=True).mean()
    assert by_band["0-17"] < by_band["18-44"] < by_band["45-64"] < by_band["65+"]
    assert 0.01 < dead.mean() < 0.08  # US crude death rate ~0.87%/year over 5 years


def test_condition_prevalence_rises_with_age_as_published(gen):
    cohort = gen.generate_patient_cohort(40_000)
    has = gen.patient_conditions(cohort)
    prevalence = has.groupby(_band(cohort["age"]), observed=True).mean()
    for condition in codes.CHRONIC_CONDITIONS:
        published = np.array(condition.prevalence)
        got = prevalence[condition.code].to_numpy()
        assert np.abs(got - published).max() < 0.03, condition.code
    for code in ("E11.9", "I10", "N18.9", "I25.10"):
        assert prevalence[code].is_monotonic_increasing, code
    # comorbidities cluster: diabetics have hypertension more often than others
    assert has.loc[has["E11.9"], "I10"].mean() > has.loc[~has["E11.9"], "I10"].mean() + 0.1


def test_abnormal_shares(gen, tables):
    patients, labs = tables["patients"], tables["lab_results"]
    has = gen.patient_conditions(patients).set_index(patients["patient_id"])
    healthy = has.index[~has.any(axis=1)]
    normal_labs = labs[labs["patient_id"].isin(healthy)]
    # a reference interval is the central 95% of healthy people
    share = (normal_labs["abnormal_flag"] != "N").mean()
    assert 0.02 < share < 0.09
    a1c = labs[labs["loinc_code"] == "4548-4"]
    diabetic = a1c["patient_id"].isin(has.index[has["E11.9"]])
    assert (a1c.loc[diabetic, "abnormal_flag"] == "H").mean() > 0.7
    assert (a1c.loc[diabetic, "value"] >= 6.5).mean() > 0.5  # the ADA diagnostic threshold
    assert (a1c.loc[~diabetic, "abnormal_flag"] != "N").mean() < 0.12
    creat = labs[labs["loinc_code"] == "2160-0"]
    ckd = creat["patient_id"].isin(has.index[has["N18.9"]])
    assert creat.loc[ckd, "value"].median() > creat.loc[~ckd, "value"].median() * 1.3
    hb = labs[labs["loinc_code"] == "718-7"].merge(patients[["patient_id", "sex"]])
    assert hb.loc[hb["sex"] == "M", "value"].mean() > hb.loc[hb["sex"] == "F", "value"].mean()


def test_counts_per_patient_rise_with_age(tables):
    patients = tables["patients"].set_index("patient_id")
    band = _band(patients["age"])
    for name in ("clinical_events", "lab_results", "medications"):
        counts = tables[name]["patient_id"].value_counts().reindex(patients.index, fill_value=0)
        mean = counts.groupby(band, observed=True).mean()
        assert mean["18-44"] < mean["45-64"] < mean["65+"], (name, mean.to_dict())


def test_medications_follow_diagnoses(tables):
    events, meds = tables["clinical_events"], tables["medications"]
    diagnosed = set(zip(events["patient_id"], events["icd10_code"].astype(str), strict=True))
    pairs = zip(meds["patient_id"], meds["indication_code"].astype(str), strict=True)
    assert all(pair in diagnosed for pair in pairs)
    indication = {m.rxcui: set() for m in codes.MEDICATIONS}
    for m in codes.MEDICATIONS:
        indication[m.rxcui].add(m.indication)
    ok = [i in indication[r] for r, i in zip(meds["rxnorm_code"].astype(str),
                                              meds["indication_code"].astype(str), strict=True)]  # fmt: skip
    assert all(ok)
    metformin = meds[meds["drug_name"].str.contains("metformin")]
    assert len(metformin) and (metformin["indication_code"] == "E11.9").all()


# --- seeds and separate calls --------------------------------------------------------------


def test_same_seed_same_tables_other_seed_other_tables():
    first = HealthcareGenerator(seed=3).generate_default(500)
    again = HealthcareGenerator(seed=3).generate_default(500)
    other = HealthcareGenerator(seed=4).generate_default(500)
    for name in first:
        pd.testing.assert_frame_equal(first[name], again[name])
    assert not first["patients"]["birth_date"].equals(other["patients"]["birth_date"])


def test_separate_calls_on_the_users_patients_agree():
    patients = pd.DataFrame(
        {
            "patient_id": ["a1", "b2", "c3", "d4"] * 50,
            "sex": ["F", "M"] * 100,
            "birth_date": pd.to_datetime(
                ["1950-05-01", "1980-02-03", "2010-07-07", "1940-01-01"] * 50
            ),
        }
    )
    patients["patient_id"] = patients["patient_id"] + pd.Series(range(200)).astype(str)
    gen = HealthcareGenerator(seed=1)
    events = gen.generate_clinical_events(patients)
    labs = gen.generate_lab_results(patients)
    meds = gen.generate_medications(patients)
    assert events["patient_id"].isin(patients["patient_id"]).all()
    pd.testing.assert_frame_equal(meds, gen.generate_medications(patients, events))
    tables = {"patients": patients, "clinical_events": events, "lab_results": labs,
              "medications": meds}  # fmt: skip
    assert gen.violations(tables) == []
    diabetic = events.loc[events["icd10_code"] == "E11.9", "patient_id"].unique()
    a1c = labs[(labs["loinc_code"] == "4548-4") & labs["patient_id"].isin(diabetic)]
    assert len(a1c) and a1c["value"].median() > 6.0


def test_registered_as_a_domain():
    assert DOMAINS["healthcare"] is HealthcareGenerator
    assert set(HealthcareGenerator.tables) == {
        "patients", "clinical_events", "lab_results", "medications",
    }  # fmt: skip


# --- rules: violations and repair ----------------------------------------------------------


def _broken(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    out = {k: v.copy() for k, v in tables.items()}
    p = out["patients"]
    p["sex"] = p["sex"].astype(str)
    p.loc[p.index[:3], "sex"] = "X"
    dead = p.index[p["death_date"].notna()][:2]
    p.loc[dead, "death_date"] = p.loc[dead, "birth_date"] - pd.Timedelta(days=10)
    p.loc[p.index[10:14], "age"] = 130
    e = out["clinical_events"]
    e["icd10_code"] = e["icd10_code"].astype(str)
    e.loc[e.index[:5], "icd10_code"] = "not-a-code"
    e.loc[e.index[5:9], "event_date"] = pd.Timestamp("1800-01-01")
    e.loc[e.index[9:11], "event_date"] = AS_OF + pd.Timedelta(days=400)
    e.loc[e.index[11], "patient_id"] = -1
    labs = out["lab_results"]
    labs["loinc_code"] = labs["loinc_code"].astype(str)
    labs.loc[labs.index[:4], "loinc_code"] = "2345-1"
    labs["abnormal_flag"] = labs["abnormal_flag"].astype(str)
    labs.loc[labs.index[4:8], "abnormal_flag"] = "H"
    labs.loc[labs.index[4:8], "value"] = labs.loc[labs.index[4:8], "ref_low"]
    labs.loc[labs.index[8], "value"] = -3.0
    labs["unit"] = labs["unit"].astype(str)
    labs.loc[labs.index[10:16], "unit"] = "furlongs"
    m = out["medications"]
    closed = m.index[m["end_date"].notna()][:3]
    m.loc[closed, "start_date"] = m.loc[closed, "end_date"] + pd.Timedelta(days=30)
    m["rxnorm_code"] = m["rxnorm_code"].astype(str)
    m.loc[m.index[-1], "rxnorm_code"] = "RX-1"
    return out


def test_violations_name_each_broken_rule(gen, tables):
    found = "\n".join(gen.violations(_broken(tables)))
    for rule in ("patients: 3 rows with sex other than F/M", "death_date before birth_date",
                 "an age other than the whole years from birth_date",
                 "clinical_events: 5 rows with an invalid ICD-10-CM icd10_code",
                 "event_date before birth", "event_date after as_of 2024-12-31",
                 "clinical_events: 1 rows with a patient_id that names no patient",
                 "lab_results: 4 rows with an invalid LOINC code",
                 "abnormal_flag that disagrees", "a value not > 0",
                 "medications: 3 rows with start_date after end_date",
                 "an invalid RxNorm rxnorm_code",
                 "lab_results: 6 rows with a unit that is not the one of its loinc_code"):  # fmt: skip
        assert rule in found, (rule, found)


def test_repair_makes_every_rule_hold(gen, tables):
    broken = _broken(tables)
    repaired = gen.repair(broken)
    assert gen.violations(repaired) == []
    labs = repaired["lab_results"]
    assert (labs["loinc_code"].iloc[:4] == "2345-7").all()  # check digit recomputed
    # a broken code comes back from its label (RX-1 from its drug_name), not redrawn
    meds, original = repaired["medications"], tables["medications"]
    assert meds["rxnorm_code"].astype(str).tolist() == original["rxnorm_code"].astype(str).tolist()
    assert "furlongs" not in set(labs["unit"])
    expected_unit = labs["loinc_code"].map({k: t.unit for k, t in codes.LAB_BY_CODE.items()})
    assert (labs["unit"] == expected_unit).all()
    assert len(repaired["clinical_events"]) == len(tables["clinical_events"]) - 1  # the orphan
    untouched = tables["lab_results"].iloc[20:]
    assert (labs["value"].iloc[20:].to_numpy() == untouched["value"].to_numpy()).all()


def test_labels_follow_the_users_naming_once_fitted():
    from genesis.domains.healthcare_rules import HealthcareRules, learned_labels

    labs = pd.DataFrame(
        {"patient_id": [1, 1, 2], "loinc_code": ["2345-7", "2345-7", "718-7"],
         "test_name": ["Glucose", "Glucose", "Hgb"], "unit": ["mg/dL", "mg/dL", "g/dL"]}
    )  # fmt: skip
    labels = learned_labels({"labs": labs})
    assert labels[("loinc_code", "test_name")]["2345-7"] == "Glucose"
    assert labels[("loinc_code", "test_name")]["4548-4"].startswith("Hemoglobin A1c")
    rules = HealthcareRules(as_of=AS_OF, labels=labels)
    assert rules.violations({"labs": labs}) == []
    renamed = labs.assign(test_name=["Glucose", "Sugar", "Hgb"])
    assert rules.violations({"labs": renamed}) == [
        "labs: 1 rows with a test_name that is not the one of its loinc_code"
    ]
    assert rules.repair({"labs": renamed})["labs"]["test_name"].tolist() == [
        "Glucose", "Glucose", "Hgb",
    ]  # fmt: skip


# --- bad inputs ----------------------------------------------------------------------------


def test_bad_inputs(gen):
    with pytest.raises(InvalidParameterError, match="n_patients"):
        gen.generate_patient_cohort(0)
    with pytest.raises(InvalidParameterError, match="as_of"):
        HealthcareGenerator(as_of="2999-01-01")
    with pytest.raises(InvalidParameterError, match="as_of"):
        HealthcareGenerator(as_of="not a date")
    with pytest.raises(InvalidParameterError, match="years"):
        HealthcareGenerator(years=0)
    with pytest.raises(InvalidDataError, match="birth_date"):
        gen.generate_lab_results(pd.DataFrame({"patient_id": [1], "sex": ["F"]}))
    with pytest.raises(InvalidDataError, match="unique"):
        gen.generate_clinical_events(
            pd.DataFrame(
                {
                    "patient_id": [1, 1],
                    "sex": ["F", "M"],
                    "birth_date": pd.to_datetime(["1970-01-01"] * 2),
                }
            )  # fmt: skip
        )
    with pytest.raises(InvalidDataError, match="events name patient_ids"):
        patients = gen.generate_patient_cohort(10)
        events = gen.generate_clinical_events(patients).assign(patient_id=999)
        gen.generate_medications(patients, events)
    with pytest.raises(InvalidParameterError, match="n_samples"):
        gen.generate(0)


# --- fit on a user's tables ----------------------------------------------------------------


def test_fit_on_user_tables_then_generate_keeps_the_rules():
    source = HealthcareGenerator(seed=5).generate_default(300)
    patients = source["patients"][["patient_id", "sex", "birth_date", "death_date"]]
    labs = source["lab_results"][
        ["lab_id", "patient_id", "collected_date", "loinc_code", "value", "ref_low",
         "ref_high", "abnormal_flag"]
    ].iloc[:3_000]  # fmt: skip
    labs = labs[labs["patient_id"].isin(patients["patient_id"])]
    gen = HealthcareGenerator(seed=2).fit({"patients": patients, "labs": labs})
    assert gen.is_fitted and "fitted" in repr(gen)
    out = gen.generate(200)
    assert set(out) == {"patients", "labs"}
    assert len(out["patients"]) == 200
    assert list(out["labs"].columns) == list(labs.columns)
    assert gen.violations(out) == []
    # the learned rows alone break rules (labs before birth, flags off): repair is what holds
    assert gen.violations(gen.synthesizer_.generate(scale={"patients": 200}))
    assert out["labs"]["patient_id"].isin(out["patients"]["patient_id"]).all()
    assert codes.valid_loinc(out["labs"]["loinc_code"]).all()


def test_fit_on_patients_and_medications_keeps_codes_and_names_paired():
    source = HealthcareGenerator(seed=5).generate_default(300)
    user = {"patients": source["patients"], "medications": source["medications"]}
    gen = HealthcareGenerator(seed=2).fit(user)
    out = gen.generate(300)
    assert gen.violations(out) == []
    meds = out["medications"]
    assert (meds["rxnorm_code"].astype(str).map(codes.RXNORM_NAMES) == meds["drug_name"]).all()
    assert meds["drug_name"].nunique() >= 8  # codes recovered from names, not one fallback
    closed = meds["end_date"].notna()
    assert (meds.loc[closed, "start_date"] <= meds.loc[closed, "end_date"]).all()


def test_fitted_model_itself_draws_the_rxnorm_codes():
    # regression: rxnorm_code, a pandas Categorical of number-like labels ("311995"), was
    # inferred INTEGER; CART's numbers cast back to the string categories came out all
    # empty and only repair (codes recovered from drug names) hid it
    source = HealthcareGenerator(seed=5).generate_default(300)
    user = {"patients": source["patients"], "medications": source["medications"]}
    gen = HealthcareGenerator(seed=2).fit(user)
    raw = gen.synthesizer_.generate(scale={"patients": 300})["medications"]
    assert raw["rxnorm_code"].notna().all()
    assert raw["rxnorm_code"].astype(str).isin(codes.RXNORM_NAMES).all()


def test_rxcuis_checked_offline_carry_their_rxnorm_names():
    # 860975 is the extended-release metformin tablet and 745679 the 200-actuation albuterol
    # inhaler (the names Synthea gives these RxCUIs); the plain names were wrong
    assert codes.RXNORM_NAMES["860975"] == (
        "24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet"
    )
    assert codes.RXNORM_NAMES["745679"].startswith("200 ACTUAT albuterol 0.09 MG/ACTUAT")
    assert codes.RXNORM_NAMES["314076"] == "lisinopril 10 MG Oral Tablet"
    assert all(codes.RXCUI_PATTERN.match(code) for code in codes.RXNORM_NAMES)
