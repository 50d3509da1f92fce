"""Healthcare: patients, their clinical events, lab results and medications.

Out of the box the tables come from published figures (see :mod:`genesis.domains.codes` for
every source): ages and sexes follow the 2020 US Census pyramid, deaths the NCHS life tables,
chronic diagnoses their age-specific prevalences (clustered: a patient with one is likelier to
have another), visit and lab-order rates rise with age and with the number of conditions, lab
values are drawn around sex-specific reference intervals and shifted by the patient's
diagnoses (HbA1c above 6.5% for most diabetics), and medications follow the diagnoses
(metformin for type 2 diabetes). Codes are valid by construction (ICD-10-CM shape, LOINC
check digits, RxNorm identifiers) and every date lies between the patient's birth and death
(or the reference date ``as_of``).

A patient's chronic conditions are a deterministic function of the seed, the patient's id,
age and sex, so ``generate_clinical_events``, ``generate_lab_results`` and
``generate_medications`` called separately on the same patients agree with each other.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy.special import ndtri

from genesis.domains import codes
from genesis.domains.base import DomainGenerator
from genesis.domains.healthcare_rules import (
    YEAR_DAYS,
    HealthcareRules,
    builtin_labels,
    learned_labels,
)
from genesis.errors import InvalidDataError, InvalidParameterError
from genesis.validation import require_frame, require_int

DAY = np.timedelta64(1, "D")

#: office visits per person per year by age band 0-17, 18-44, 45-64, 65+ (CDC NCHS, National
#: Ambulatory Medical Care Survey 2016 national summary tables, rounded), and the extra
#: visits a year each chronic condition brings
VISITS_PER_YEAR = (2.3, 1.9, 3.4, 5.6)
VISITS_PER_CONDITION = 0.6
#: share of encounters that are emergency / inpatient by age band (CDC NHAMCS 2019 and HCUP
#: National Inpatient Sample 2019 rates relative to office visits, rounded)
EMERGENCY_SHARE = (0.12, 0.12, 0.09, 0.10)
INPATIENT_SHARE = (0.02, 0.03, 0.05, 0.09)
#: blood draws per person per year by age band, and the extra draws per chronic condition
LAB_ORDERS_PER_YEAR = (0.2, 0.5, 1.0, 1.8)
LAB_ORDERS_PER_CONDITION = 0.4
#: share of the between-patient component in a lab value's variance (intra-individual
#: variation is roughly as large as the between-person one for most analytes:
#: Ricos et al. 1999, biological-variation database)
BETWEEN_PATIENT_SHARE = 0.6
#: correlation of the latent frailty behind chronic conditions (comorbidity clustering)
COMORBIDITY_RHO = 0.5
#: mean years a chronic drug is taken before it is stopped or switched
MEAN_YEARS_ON_DRUG = 4.0
ACUTE_COURSE_DAYS = (5, 14)


def _band(age: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.array(codes.AGE_BANDS[1:]), age, side="right")


def _categorical(index: np.ndarray, labels: list[str]) -> pd.Categorical:
    """``labels[index]`` as a categorical (labels may repeat: one category each)."""
    categories, inverse = np.unique(np.asarray(labels, dtype=object), return_inverse=True)
    return pd.Categorical.from_codes(inverse[index], categories=categories)


def _by_patient_then_day(patient: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The stable order by patient, then day (one int64 argsort: faster than lexsort)."""
    if patient.size == 0:
        return np.arange(0)
    offset = (day - day.min()) // DAY
    return np.argsort(patient.astype(np.int64) * (int(offset.max()) + 1) + offset, kind="stable")


def _hash_uniform(keys: np.ndarray, seed: int, stream: int, columns: int) -> np.ndarray:
    """Uniforms in (0, 1), one row per key and ``columns`` per row, from a splitmix64 hash of
    (seed, stream, key, column): the same patient gets the same draws in every call."""
    base = keys.astype(np.uint64)[:, None]
    col = np.arange(columns, dtype=np.uint64)[None, :]
    with np.errstate(over="ignore"):
        x = base * np.uint64(0x9E3779B97F4A7C15) + col * np.uint64(0xD1B54A32D192ED03)
        x = x + np.uint64((seed * 1_000_003 + stream) & 0xFFFFFFFFFFFFFFFF)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return ((x >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53


class HealthcareGenerator(DomainGenerator):
    """Linked patients, clinical events, lab results and medications.

    Args:
        seed: seed of every random draw (same seed, same tables).
        as_of: the reference date: nothing happens after it, living patients' ages are
            taken on it.
        years: how many years before ``as_of`` events, labs and medications cover.
        method, **method_params: the single-table method :meth:`fit` uses.
    """

    domain: ClassVar[str] = "healthcare"
    tables: ClassVar[dict[str, str]] = {
        "patients": "one row per patient; key patient_id (int); sex (F/M), birth_date, "
        "death_date (NaT when alive on as_of), age (years on as_of or at death), blood_type",
        "clinical_events": "one row per diagnosis recorded at an encounter; key event_id; "
        "patient_id -> patients; event_date, encounter_type (outpatient/emergency/inpatient), "
        "icd10_code (ICD-10-CM), description",
        "lab_results": "one row per lab test; key lab_id; patient_id -> patients; "
        "collected_date, loinc_code (LOINC, check digit valid), test_name, value, unit, "
        "ref_low, ref_high (sex-specific reference interval), abnormal_flag (L/N/H)",
        "medications": "one row per prescription; key medication_id; patient_id -> patients; "
        "rxnorm_code (RxCUI), drug_name, indication_code (ICD-10-CM), start_date, end_date "
        "(NaT while still taken on as_of)",
    }
    root: ClassVar[str | None] = "patients"

    def __init__(
        self,
        seed: int = 0,
        method: str = "cart",
        as_of: str | pd.Timestamp = "2024-12-31",
        years: int = 5,
        **method_params: Any,
    ) -> None:
        super().__init__(seed=seed, method=method, **method_params)
        try:
            stamp = pd.Timestamp(as_of)
        except (TypeError, ValueError):
            raise InvalidParameterError(
                f"as_of must be a date such as '2024-12-31', got {as_of!r}"
            ) from None
        if pd.isna(stamp) or stamp > pd.Timestamp.now().normalize() + pd.Timedelta(days=1):
            raise InvalidParameterError(
                f"as_of must be a past date (nothing may happen in the future), got {as_of!r}"
            )
        self.as_of = stamp.normalize()
        self.years = require_int(years, "years", 1)

    # -- rules -----------------------------------------------------------------------------
    @property
    def rules(self) -> HealthcareRules:
        """The validity rules (codes, check digits, dates within each patient's life)."""
        return HealthcareRules(
            as_of=getattr(self, "as_of_", self.as_of),
            seed=self.seed,
            labels=getattr(self, "labels_", None) or builtin_labels(),
        )

    def violations(self, tables: dict[str, pd.DataFrame]) -> list[str]:
        """Every broken rule over all rows (see :class:`HealthcareRules`); empty when valid."""
        return self.rules.violations(tables)

    def repair(self, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        """``tables`` made to obey the rules (dates moved into each patient's life, check
        digits recomputed, flags recomputed, orphans dropped)."""
        return self.rules.repair(tables)

    def fit(self, data: Any, relationships: Any = None) -> HealthcareGenerator:
        """Learn the user's tables; the rules then take the latest date in them as ``as_of``
        when it is later than the configured one, and each code's label (description, test
        name, unit, drug name) as the user's tables name it."""
        super().fit(data, relationships)
        tables = self._as_tables(data)
        self.labels_ = learned_labels(tables)
        latest = self.rules.latest_date(tables)
        self.as_of_ = max(self.as_of, latest) if latest is not None else self.as_of
        return self

    # -- defaults --------------------------------------------------------------------------
    def generate_default(self, n_samples: int) -> dict[str, pd.DataFrame]:
        """``n_samples`` patients with their clinical events, lab results and medications."""
        patients = self.generate_patient_cohort(n_samples)
        events = self.generate_clinical_events(patients)
        return {
            "patients": patients,
            "clinical_events": events,
            "lab_results": self.generate_lab_results(patients),
            "medications": self.generate_medications(patients, events),
        }

    def generate_patient_cohort(self, n_patients: int = 1_000) -> pd.DataFrame:
        """``n_patients`` patients (default 1,000): age and sex from the 2020 Census pyramid,
        deaths over the ``years`` before ``as_of`` from the NCHS life tables, blood types from
        Red Cross shares."""
        n = require_int(n_patients, "n_patients", 1)
        rng = np.random.default_rng([self.seed, 1])
        bins = np.array(codes.CENSUS_2020_AGE_SEX, dtype=float)
        weights = np.concatenate([bins[:, 2], bins[:, 3]])
        cell = rng.choice(weights.size, size=n, p=weights / weights.sum())
        male = cell < len(bins)
        row = bins[cell % len(bins)]
        width = row[:, 1] - row[:, 0] + 1
        age_now = row[:, 0] + rng.random(n) * width
        top = row[:, 0] >= 85  # the open bin thins out: exponential tail, mean 6 years
        age_now[top] = 85 + np.minimum(rng.exponential(6.0, top.sum()), 19.9)
        as_of = np.datetime64(self.as_of.date(), "D")
        birth = as_of - np.round(age_now * YEAR_DAYS).astype(np.int64) * DAY

        death = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
        alive = np.ones(n, dtype=bool)
        for k in range(self.years):  # a loop over years, vectorised over patients
            start = as_of - np.int64(round((self.years - k) * YEAR_DAYS)) * DAY
            age_mid = age_now - (self.years - k) + 0.5
            at_risk = alive & (age_mid > 0)
            dies = at_risk & (rng.random(n) < codes.death_probability(age_mid, male))
            day = start + (rng.random(n) * YEAR_DAYS).astype(np.int64) * DAY
            day = np.minimum(np.maximum(day, birth), as_of)
            death[dies] = day[dies]
            alive &= ~dies
        end = np.where(alive, as_of, death)
        blood = np.array(list(codes.BLOOD_TYPES))
        p_blood = np.array(list(codes.BLOOD_TYPES.values()))
        frame = pd.DataFrame(
            {
                "patient_id": np.arange(1, n + 1, dtype=np.int64),
                "sex": pd.Categorical(np.where(male, "M", "F"), categories=["F", "M"]),
                "birth_date": birth.astype("datetime64[ns]"),
                "death_date": death.astype("datetime64[ns]"),
                "age": ((end - birth) / DAY / YEAR_DAYS).astype(np.int64),
                "blood_type": pd.Categorical(
                    blood[rng.choice(blood.size, n, p=p_blood / p_blood.sum())],
                    categories=list(blood),
                ),
            }
        )
        return frame

    def patient_conditions(self, patients: pd.DataFrame) -> pd.DataFrame:
        """The chronic conditions of each patient: a boolean frame, one column per ICD-10-CM
        code of :data:`~genesis.domains.codes.CHRONIC_CONDITIONS`, indexed like
        ``patients``. Prevalence follows each condition's age band and sex; a shared latent
        frailty (correlation ``COMORBIDITY_RHO``) clusters them."""
        info = self._patient_info(patients)
        table = codes.CHRONIC_CONDITIONS
        prevalence = np.array([c.prevalence for c in table])[:, info["band"]].T
        ratio = np.array([c.female_ratio for c in table])[None, :]
        prevalence = prevalence * np.where(info["male"][:, None], 2.0 - ratio, ratio)
        prevalence = np.clip(prevalence, 0.0, 0.95)
        draws = _hash_uniform(info["key"], self.seed, 11, len(table) + 1)
        frailty = ndtri(draws[:, :1])
        latent = COMORBIDITY_RHO * frailty + np.sqrt(1 - COMORBIDITY_RHO**2) * ndtri(draws[:, 1:])
        has = latent < ndtri(np.maximum(prevalence, 1e-12))
        has &= prevalence > 0
        return pd.DataFrame(has, index=patients.index, columns=[c.code for c in table])

    def generate_clinical_events(
        self, patients: pd.DataFrame | None = None, n_patients: int = 1_000
    ) -> pd.DataFrame:
        """Diagnoses recorded at encounters over the ``years`` before ``as_of`` (each chronic
        condition at least once, plus visits at age-specific rates with an acute, preventive
        or chronic diagnosis), for ``patients`` (a cohort of ``n_patients`` when None)."""
        patients = self._patients_or_cohort(patients, n_patients)
        info = self._patient_info(patients)
        conditions = self.patient_conditions(patients).to_numpy()
        rng = np.random.default_rng([self.seed, 2])
        n_cond = conditions.sum(axis=1)
        exposure = info["exposure_days"] / YEAR_DAYS
        rate = np.array(VISITS_PER_YEAR)[info["band"]] + VISITS_PER_CONDITION * n_cond
        frailty = rng.gamma(2.0, 0.5, len(patients))  # over-dispersed visit counts
        n_visits = rng.poisson(rate * exposure * frailty)
        seen = info["exposure_days"] > 0

        # one recorded diagnosis per chronic condition of each patient seen in the window
        chronic_codes = np.array([c.code for c in codes.CHRONIC_CONDITIONS], dtype=object)
        cp, cc = np.nonzero(conditions & seen[:, None])
        # visits: a chronic diagnosis with probability n/(n+1.5), else an acute one
        vp = np.repeat(np.arange(len(patients)), n_visits)
        v_chronic = rng.random(vp.size) < n_cond[vp] / (n_cond[vp] + 1.5)
        chronic_visit = np.flatnonzero(v_chronic)
        pick = np.floor(rng.random(chronic_visit.size) * n_cond[vp[chronic_visit]])
        which = np.zeros(vp.size, dtype=np.int64)
        ranks = np.cumsum(conditions[vp[chronic_visit]], axis=1, dtype=np.int8)
        which[chronic_visit] = (ranks > pick[:, None]).argmax(axis=1)
        acute = codes.ACUTE_CODES
        acute_w = np.array([a.weight for a in acute])  # codes x bands
        acute_cdf = np.cumsum(acute_w / acute_w.sum(axis=0), axis=0).T  # bands x codes
        u = rng.random(vp.size)
        acute_pick = (acute_cdf[info["band"][vp]] < u[:, None]).sum(axis=1)
        acute_pick = np.minimum(acute_pick, len(acute) - 1)

        all_codes = np.concatenate([chronic_codes, np.array([a.code for a in acute], object)])
        descriptions = [c.description for c in codes.CHRONIC_CONDITIONS] + [
            a.description for a in acute
        ]
        code_index = np.concatenate(
            [cc, np.where(v_chronic, which, len(chronic_codes) + acute_pick)]
        )
        patient_index = np.concatenate([cp, vp])
        band = info["band"][patient_index]
        r = rng.random(patient_index.size)
        kind = np.where(
            r < np.array(INPATIENT_SHARE)[band],
            2,
            np.where(r < np.array(INPATIENT_SHARE)[band] + np.array(EMERGENCY_SHARE)[band], 1, 0),
        )
        dates = self._dates_in_window(info, patient_index, rng)
        order = _by_patient_then_day(patient_index, dates)
        patient_index, code_index, kind, dates = (
            patient_index[order], code_index[order], kind[order], dates[order],
        )  # fmt: skip
        return pd.DataFrame(
            {
                "event_id": np.arange(1, order.size + 1, dtype=np.int64),
                "patient_id": info["ids"][patient_index],
                "event_date": dates.astype("datetime64[ns]"),
                "encounter_type": _categorical(kind, ["outpatient", "emergency", "inpatient"]),
                "icd10_code": _categorical(code_index, list(all_codes)),
                "description": _categorical(code_index, descriptions),
            }
        )

    def generate_lab_results(
        self, patients: pd.DataFrame | None = None, n_patients: int = 1_000
    ) -> pd.DataFrame:
        """Lab tests from blood draws over the ``years`` before ``as_of``: panels chosen by
        the patient's conditions (HbA1c for diabetics, lipids for hyperlipidaemia...), values
        around the sex-specific reference interval, shifted by diagnoses, with a per-patient
        component; ``abnormal_flag`` says where each value falls."""
        patients = self._patients_or_cohort(patients, n_patients)
        info = self._patient_info(patients)
        conditions = self.patient_conditions(patients)
        has = conditions.to_numpy()
        rng = np.random.default_rng([self.seed, 3])
        n_cond = has.sum(axis=1)
        rate = np.array(LAB_ORDERS_PER_YEAR)[info["band"]] + LAB_ORDERS_PER_CONDITION * n_cond
        n_orders = rng.poisson(rate * info["exposure_days"] / YEAR_DAYS)
        op = np.repeat(np.arange(len(patients)), n_orders)
        order_dates = self._dates_in_window(info, op, rng)
        # draws in time order per patient: the tests below then come out sorted
        order_dates = order_dates[_by_patient_then_day(op, order_dates)]

        # which panels each draw includes
        def flag(code: str) -> np.ndarray:
            return conditions[code].to_numpy()[op]

        adult = info["band"][op] > 0
        cardio = flag("E78.5") | flag("I25.10") | flag("E11.9")
        p_panel = {
            "basic_metabolic": np.full(op.size, 0.55) + 0.3 * (flag("N18.9") | flag("I50.9")),
            "complete_blood_count": np.full(op.size, 0.55) + 0.35 * flag("D64.9"),
            "lipid": np.where(cardio, 0.7, np.where(adult, 0.2, 0.02)),
            "hba1c": np.where(flag("E11.9"), 0.9, np.where(adult, 0.1, 0.01)),
            "thyroid": np.where(flag("E03.9"), 0.8, 0.05),
            "liver": np.where(flag("E66.9"), 0.3, 0.12),
        }
        names = list(codes.LAB_PANELS)
        chosen = np.column_stack([rng.random(op.size) < np.minimum(p_panel[p], 1) for p in names])
        chosen[~chosen.any(axis=1), 0] = True  # a draw is at least a basic panel
        test_codes = [t.loinc for t in codes.LAB_TESTS]
        panel_tests = np.zeros((len(names), len(test_codes)), dtype=bool)
        for i, name in enumerate(names):
            for code in codes.LAB_PANELS[name]:
                panel_tests[i, test_codes.index(code)] = True
        tests = chosen.astype(np.int64) @ panel_tests.astype(np.int64) > 0  # draws x tests
        draw, test = np.nonzero(tests)
        patient_index = op[draw]

        # values: healthy centre and spread by sex, shifted by the patient's diagnoses
        male = info["male"][patient_index]
        bounds = np.array([(*t.female, *t.male) for t in codes.LAB_TESTS], dtype=float)
        lo = np.where(male, bounds[test, 2], bounds[test, 0])
        hi = np.where(male, bounds[test, 3], bounds[test, 1])
        logn = np.array([t.lognormal for t in codes.LAB_TESTS])[test]
        a, b = np.where(logn, np.log(lo), lo), np.where(logn, np.log(hi), hi)
        centre, spread = (a + b) / 2, (b - a) / 3.92
        shift, factor = self._lab_effects(has)
        person = _hash_uniform(info["key"], self.seed, 13, len(test_codes))
        person_z = ndtri(person)[patient_index, test]
        z = np.sqrt(BETWEEN_PATIENT_SHARE) * person_z + np.sqrt(
            1 - BETWEEN_PATIENT_SHARE
        ) * rng.standard_normal(test.size)
        z = shift[patient_index, test] + factor[patient_index, test] * z
        value = centre + spread * z
        value = np.where(logn, np.exp(value), value)
        decimals = np.array([t.decimals for t in codes.LAB_TESTS])[test]
        scale = 10.0**decimals
        value = np.maximum(np.round(value * scale) / scale, 1 / scale)
        abnormal = np.where(value < lo, 0, np.where(value > hi, 2, 1))

        dates = order_dates[draw]
        return pd.DataFrame(
            {
                "lab_id": np.arange(1, test.size + 1, dtype=np.int64),
                "patient_id": info["ids"][patient_index],
                "collected_date": dates.astype("datetime64[ns]"),
                "loinc_code": _categorical(test, test_codes),
                "test_name": _categorical(test, [t.name for t in codes.LAB_TESTS]),
                "value": value,
                "unit": _categorical(test, [t.unit for t in codes.LAB_TESTS]),
                "ref_low": lo.astype(float),
                "ref_high": hi.astype(float),
                "abnormal_flag": _categorical(abnormal, ["L", "N", "H"]),
            }
        )

    def generate_medications(
        self,
        patients: pd.DataFrame | None = None,
        events: pd.DataFrame | None = None,
        n_patients: int = 1_000,
    ) -> pd.DataFrame:
        """Prescriptions consistent with the diagnoses: long-term drugs for chronic
        conditions (started on or after the condition is first recorded in the window), short
        courses for acute diagnoses in ``events`` (generated from ``patients`` when None)."""
        patients = self._patients_or_cohort(patients, n_patients)
        if events is None:
            events = self.generate_clinical_events(patients)
        require_frame(events, "events")
        info = self._patient_info(patients)
        rng = np.random.default_rng([self.seed, 4])
        position = pd.Index(info["ids"]).get_indexer(events["patient_id"])
        if (position < 0).any():
            raise InvalidDataError(
                "events name patient_ids missing from patients; pass the events generated "
                "for these patients"
            )
        event_code = events["icd10_code"].astype(str).to_numpy()
        event_day = events["event_date"].to_numpy().astype("datetime64[D]")
        meds = codes.MEDICATIONS
        parts = []
        for m_index, med in enumerate(meds):  # a loop over ~20 drugs, vectorised over events
            rows = np.flatnonzero(event_code == med.indication)
            if med.chronic:  # one prescription per patient, from their first such record
                first = pd.Series(event_day[rows]).groupby(position[rows]).min()
                p_idx, start = first.index.to_numpy(), first.to_numpy().astype("datetime64[D]")
            else:
                p_idx, start = position[rows], event_day[rows]
            take = rng.random(p_idx.size) < med.treated_share
            p_idx, start = p_idx[take], start[take]
            if med.chronic:
                days = rng.exponential(MEAN_YEARS_ON_DRUG * YEAR_DAYS, p_idx.size)
            else:
                days = rng.integers(ACUTE_COURSE_DAYS[0], ACUTE_COURSE_DAYS[1] + 1, p_idx.size)
            end = start + days.astype(np.int64) * DAY
            last = info["end"][p_idx]
            stopped = end <= last
            dead = ~np.isnat(info["death"][p_idx])
            end = np.where(stopped, end, np.where(dead, last, np.datetime64("NaT")))
            parts.append((p_idx, np.full(p_idx.size, m_index), start, end))
        p_idx, m_idx, start, end = (np.concatenate(x) for x in zip(*parts, strict=True))
        order = np.lexsort((m_idx, start, p_idx))
        p_idx, m_idx, start, end = p_idx[order], m_idx[order], start[order], end[order]
        return pd.DataFrame(
            {
                "medication_id": np.arange(1, p_idx.size + 1, dtype=np.int64),
                "patient_id": info["ids"][p_idx],
                "rxnorm_code": _categorical(m_idx, [m.rxcui for m in meds]),
                "drug_name": _categorical(m_idx, [m.name for m in meds]),
                "indication_code": _categorical(m_idx, [m.indication for m in meds]),
                "start_date": start.astype("datetime64[ns]"),
                "end_date": end.astype("datetime64[ns]"),
            }
        )

    # -- helpers ---------------------------------------------------------------------------
    def _patients_or_cohort(self, patients: pd.DataFrame | None, n: int) -> pd.DataFrame:
        if patients is None:
            return self.generate_patient_cohort(n)
        require_frame(patients, "patients", min_rows=1)
        missing = [c for c in ("patient_id", "sex", "birth_date") if c not in patients.columns]
        if missing:
            raise InvalidDataError(
                f"patients lacks the columns {missing}; it needs patient_id, sex (F/M) and "
                "birth_date (death_date optional), as generate_patient_cohort returns"
            )
        if patients["patient_id"].isna().any() or patients["patient_id"].duplicated().any():
            raise InvalidDataError("patients.patient_id must be unique and never missing")
        return patients

    def _patient_info(self, patients: pd.DataFrame) -> dict[str, np.ndarray]:
        """Per patient: ids, hash keys, sex, birth/death/window dates, age band."""
        as_of = np.datetime64(self.as_of.date(), "D")
        birth = pd.to_datetime(patients["birth_date"]).to_numpy().astype("datetime64[D]")
        if "death_date" in patients.columns:
            death = pd.to_datetime(patients["death_date"]).to_numpy().astype("datetime64[D]")
        else:
            death = np.full(len(patients), np.datetime64("NaT"), dtype="datetime64[D]")
        if np.isnat(birth).any():
            raise InvalidDataError("patients.birth_date must never be missing")
        end = np.where(np.isnat(death), as_of, np.minimum(death, as_of))
        window_start = as_of - np.int64(round(self.years * YEAR_DAYS)) * DAY
        start = np.maximum(birth, window_start)
        age = (end - birth) / DAY / YEAR_DAYS
        ids = patients["patient_id"].to_numpy()
        return {
            "ids": ids,
            "key": pd.util.hash_array(np.asarray(ids)),
            "male": codes.per_distinct(
                patients["sex"], lambda u: [x.strip().upper().startswith("M") for x in u]
            ),
            "birth": birth,
            "death": death,
            "start": start,
            "end": end,
            "exposure_days": np.maximum((end - start) / DAY, 0).astype(np.int64),
            "band": _band(np.maximum(age, 0)),
        }

    @staticmethod
    def _dates_in_window(info: dict, index: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        span = info["exposure_days"][index] + 1
        offset = np.floor(rng.random(index.size) * span).astype(np.int64)
        return info["start"][index] + offset * DAY

    @staticmethod
    def _lab_effects(has: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per patient and test: the mean shift (healthy SDs) and the spread factor."""
        cond = [c.code for c in codes.CHRONIC_CONDITIONS]
        tests = [t.loinc for t in codes.LAB_TESTS]
        shift = np.zeros((len(cond), len(tests)))
        log_factor = np.zeros((len(cond), len(tests)))
        for (icd, loinc), (s, f) in codes.LAB_EFFECTS.items():
            shift[cond.index(icd), tests.index(loinc)] = s
            log_factor[cond.index(icd), tests.index(loinc)] = np.log(f)
        h = has.astype(float)
        return h @ shift, np.exp(h @ log_factor)


__all__ = ["HealthcareGenerator"]
