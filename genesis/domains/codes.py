"""Reference data and code checks of the healthcare domain: population structure, mortality,
ICD-10-CM diagnoses with prevalence by age, LOINC laboratory tests with reference intervals,
RxNorm medications, and the format and check-digit rules of those code systems.

Every table names its source. Figures are rounded published values, good enough to make
synthetic cohorts look like a real population (not for clinical or actuarial use).
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
import pandas as pd

# --- population ------------------------------------------------------------------------------

#: US resident population by five-year age group and sex, millions (U.S. Census Bureau,
#: 2020 Census Demographic and Housing Characteristics File, table P12 "Sex by Age",
#: approximate: rounded to 0.01 million and transcribed without network access, so re-check
#: against P12 before quoting exact figures): (first age, last age, male, female).
CENSUS_2020_AGE_SEX: tuple[tuple[int, int, float, float], ...] = (
    (0, 4, 9.73, 9.31),
    (5, 9, 10.25, 9.80),
    (10, 14, 10.82, 10.36),
    (15, 19, 11.03, 10.55),
    (20, 24, 10.98, 10.50),
    (25, 29, 11.32, 10.98),
    (30, 34, 11.25, 11.08),
    (35, 39, 10.87, 10.81),
    (40, 44, 10.17, 10.20),
    (45, 49, 9.83, 9.98),
    (50, 54, 10.15, 10.41),
    (55, 59, 10.62, 11.11),
    (60, 64, 10.13, 10.89),
    (65, 69, 8.55, 9.47),
    (70, 74, 6.88, 7.83),
    (75, 79, 4.63, 5.59),
    (80, 84, 2.84, 3.70),
    (85, 100, 2.35, 4.04),
)

#: probability of dying within one year at exact age x, both sexes (NCHS, United States Life
#: Tables 2019, National Vital Statistics Reports vol. 70 no. 19, table 1 column q(x),
#: rounded); interpolated log-linearly between the ages listed.
LIFE_TABLE_2019_QX: tuple[tuple[int, float], ...] = (
    (0, 0.00558),
    (1, 0.00037),
    (5, 0.00012),
    (10, 0.00010),
    (15, 0.00033),
    (20, 0.00090),
    (25, 0.00115),
    (30, 0.00140),
    (35, 0.00170),
    (40, 0.00215),
    (45, 0.00300),
    (50, 0.00440),
    (55, 0.00680),
    (60, 0.00980),
    (65, 0.01370),
    (70, 0.02050),
    (75, 0.03250),
    (80, 0.05300),
    (85, 0.08900),
    (90, 0.15000),
    (95, 0.24500),
    (100, 0.36000),
)
#: male and female death rates relative to both sexes (the same life tables: male q(x) runs
#: about 1.4-1.8 x female over adult ages)
MORTALITY_SEX_RATIO = {"M": 1.2, "F": 0.83}

#: ABO/Rh blood types in the US population (American Red Cross, "Blood Types" facts page)
BLOOD_TYPES: dict[str, float] = {
    "O+": 0.374, "A+": 0.357, "B+": 0.085, "AB+": 0.034,
    "O-": 0.066, "A-": 0.063, "B-": 0.015, "AB-": 0.006,
}  # fmt: skip


def death_probability(age: np.ndarray, sex_is_male: np.ndarray) -> np.ndarray:
    """One-year death probability at ``age`` (years, float) for each person (vectorised)."""
    ages, qx = np.array(LIFE_TABLE_2019_QX).T
    q = np.exp(np.interp(np.clip(age, 0, 100), ages, np.log(qx)))
    ratio = np.where(sex_is_male, MORTALITY_SEX_RATIO["M"], MORTALITY_SEX_RATIO["F"])
    return np.minimum(q * ratio, 1.0)


# --- diagnoses (ICD-10-CM) -------------------------------------------------------------------

#: the age bands prevalences are given for: 0-17, 18-44, 45-64, 65+
AGE_BANDS = (0, 18, 45, 65)


class Condition(NamedTuple):
    code: str  # ICD-10-CM (FY2024 code set)
    description: str
    prevalence: tuple[float, float, float, float]  # by AGE_BANDS
    female_ratio: float  # prevalence in women / both sexes (men get 2 - ratio)
    source: str


#: chronic conditions patients carry, with prevalence rising with age
CHRONIC_CONDITIONS: tuple[Condition, ...] = (
    Condition("I10", "Essential (primary) hypertension", (0.01, 0.15, 0.45, 0.68), 0.95,
              "NCHS Data Brief 364 (NHANES 2017-2018), diagnosed share"),
    Condition("E78.5", "Hyperlipidemia, unspecified", (0.01, 0.10, 0.33, 0.45), 0.95,
              "CDC, High Cholesterol Facts (NHANES 2015-2018)"),
    Condition("E11.9", "Type 2 diabetes mellitus without complications",
              (0.002, 0.03, 0.138, 0.214), 0.9,
              "CDC National Diabetes Statistics Report 2020, diagnosed diabetes by age"),
    Condition("E66.9", "Obesity, unspecified", (0.19, 0.40, 0.44, 0.42), 1.0,
              "CDC NHANES 2017-March 2020 obesity prevalence by age"),
    Condition("J45.909", "Unspecified asthma, uncomplicated", (0.07, 0.08, 0.085, 0.075), 1.2,
              "CDC National Health Interview Survey 2019, current asthma"),
    Condition("J44.9", "Chronic obstructive pulmonary disease, unspecified",
              (0.0, 0.02, 0.07, 0.11), 1.1, "CDC BRFSS 2018, COPD by age"),
    Condition("N18.9", "Chronic kidney disease, unspecified", (0.002, 0.06, 0.12, 0.38), 1.1,
              "CDC Chronic Kidney Disease Surveillance System (NHANES 2015-2018)"),
    Condition("I25.10",
              "Atherosclerotic heart disease of native coronary artery without angina pectoris",
              (0.0, 0.01, 0.06, 0.17), 0.7, "CDC NHIS 2019, coronary heart disease by age"),
    Condition("I48.91", "Unspecified atrial fibrillation", (0.0, 0.002, 0.015, 0.09), 0.85,
              "AHA Heart Disease and Stroke Statistics 2022, AF prevalence by age"),
    Condition("I50.9", "Heart failure, unspecified", (0.0, 0.002, 0.015, 0.06), 0.9,
              "AHA Heart Disease and Stroke Statistics 2022, HF prevalence by age"),
    Condition("F32.9", "Major depressive disorder, single episode, unspecified",
              (0.04, 0.10, 0.08, 0.05), 1.35, "SAMHSA NSDUH 2020, past-year major depression"),
    Condition("F41.9", "Anxiety disorder, unspecified", (0.05, 0.09, 0.07, 0.05), 1.4,
              "NIMH, any anxiety disorder past-year prevalence (NCS-R)"),
    Condition("E03.9", "Hypothyroidism, unspecified", (0.002, 0.03, 0.06, 0.10), 1.6,
              "NHANES III (Hollowell 2002), hypothyroidism by age and sex"),
    Condition("K21.9", "Gastro-esophageal reflux disease without esophagitis",
              (0.01, 0.10, 0.18, 0.22), 1.1, "El-Serag 2014 systematic review (US GERD 18-28%)"),
    Condition("M17.9", "Osteoarthritis of knee, unspecified", (0.0, 0.01, 0.08, 0.15), 1.3,
              "CDC, Osteoarthritis (symptomatic knee OA by age)"),
    Condition("D64.9", "Anemia, unspecified", (0.02, 0.04, 0.04, 0.10), 1.5,
              "Le 2016, anemia prevalence in the US (NHANES 2003-2012)"),
)  # fmt: skip


class AcuteCode(NamedTuple):
    code: str
    description: str
    weight: tuple[float, float, float, float]  # relative frequency by AGE_BANDS


#: acute and preventive encounter diagnoses (relative frequency by age band; ranking after
#: CDC NAMCS 2018 "primary diagnosis group" tables)
ACUTE_CODES: tuple[AcuteCode, ...] = (
    AcuteCode("Z00.00", "Encounter for general adult medical examination without abnormal "
              "findings", (0.0, 0.20, 0.20, 0.18)),
    AcuteCode("Z00.129", "Encounter for routine child health examination without abnormal "
              "findings", (0.30, 0.0, 0.0, 0.0)),
    AcuteCode("Z23", "Encounter for immunization", (0.12, 0.05, 0.06, 0.08)),
    AcuteCode("J06.9", "Acute upper respiratory infection, unspecified", (0.14, 0.10, 0.08, 0.06)),
    AcuteCode("J02.9", "Acute pharyngitis, unspecified", (0.08, 0.05, 0.03, 0.02)),
    AcuteCode("H66.90", "Otitis media, unspecified, unspecified ear", (0.10, 0.01, 0.01, 0.01)),
    AcuteCode("U07.1", "COVID-19", (0.04, 0.06, 0.06, 0.07)),
    AcuteCode("N39.0", "Urinary tract infection, site not specified", (0.02, 0.06, 0.06, 0.09)),
    AcuteCode("M54.50", "Low back pain, unspecified", (0.01, 0.10, 0.12, 0.10)),
    AcuteCode("R51.9", "Headache, unspecified", (0.03, 0.06, 0.04, 0.02)),
    AcuteCode("R10.9", "Unspecified abdominal pain", (0.05, 0.07, 0.05, 0.04)),
    AcuteCode("R05.9", "Cough, unspecified", (0.06, 0.05, 0.05, 0.05)),
    AcuteCode("S93.401A", "Sprain of unspecified ligament of right ankle, initial encounter",
              (0.03, 0.04, 0.02, 0.01)),
    AcuteCode("J18.9", "Pneumonia, unspecified organism", (0.01, 0.01, 0.03, 0.07)),
    AcuteCode("R07.9", "Chest pain, unspecified", (0.0, 0.04, 0.06, 0.06)),
    AcuteCode("L03.90", "Cellulitis, unspecified", (0.01, 0.03, 0.04, 0.05)),
)  # fmt: skip

#: ICD-10-CM code shape: a letter, a digit, a digit or letter, then optionally a dot and one to
#: four characters (CMS/NCHS ICD-10-CM Official Guidelines, section I.A "Conventions")
ICD10CM_PATTERN = re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?$")


def per_distinct(values: pd.Series, check) -> np.ndarray:
    """``check`` (a list of distinct non-missing strings -> booleans) applied to every value
    through its distinct values (codes repeat: millions of rows, dozens of codes); missing
    values are False."""
    index, uniques = pd.factorize(values, use_na_sentinel=True)
    ok = np.asarray(check([str(u) for u in uniques]), dtype=bool)
    return np.append(ok, False)[index]  # the sentinel -1 picks the appended False


def valid_icd10cm(codes: pd.Series) -> np.ndarray:
    """Whether each code has the ICD-10-CM shape (missing codes are invalid)."""
    return per_distinct(codes, lambda u: [bool(ICD10CM_PATTERN.fullmatch(x)) for x in u])


# --- laboratory tests (LOINC) ----------------------------------------------------------------


class LabTest(NamedTuple):
    loinc: str
    name: str  # LOINC long common name
    unit: str  # UCUM
    male: tuple[float, float]  # reference interval (low, high)
    female: tuple[float, float]
    decimals: int
    lognormal: bool  # right-skewed analytes are drawn on the log scale


#: reference intervals: Mayo Clinic Laboratories test catalog (adult values) and, for lipids,
#: the NCEP ATP III desirable ranges; a healthy person's value falls inside ~95% of the time
#: (a reference interval is the central 95% of healthy people, CLSI EP28-A3c).
LAB_TESTS: tuple[LabTest, ...] = (
    LabTest("2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL",
            (70, 99), (70, 99), 0, True),
    LabTest("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%",
            (4.0, 5.6), (4.0, 5.6), 1, True),
    LabTest("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL",
            (13.2, 16.6), (11.6, 15.0), 1, False),
    LabTest("6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL",
            (3.4, 9.6), (3.4, 9.6), 1, True),
    LabTest("777-3", "Platelets [#/volume] in Blood by Automated count", "10*3/uL",
            (135, 317), (157, 371), 0, False),
    LabTest("2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L",
            (135, 145), (135, 145), 0, False),
    LabTest("2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L",
            (3.6, 5.2), (3.6, 5.2), 1, False),
    LabTest("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL",
            (0.74, 1.35), (0.59, 1.04), 2, True),
    LabTest("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL",
            (125, 199), (125, 199), 0, True),
    LabTest("2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma", "mg/dL",
            (40, 80), (50, 90), 0, False),
    LabTest("13457-7", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation",
            "mg/dL", (50, 129), (50, 129), 0, True),
    LabTest("2571-8", "Triglyceride [Mass/volume] in Serum or Plasma", "mg/dL",
            (40, 149), (40, 149), 0, True),
    LabTest("1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
            "U/L", (7, 55), (7, 45), 0, True),
    LabTest("3016-3", "Thyrotropin [Units/volume] in Serum or Plasma", "m[IU]/L",
            (0.3, 4.2), (0.3, 4.2), 2, True),
)  # fmt: skip
LAB_BY_CODE = {t.loinc: t for t in LAB_TESTS}

#: panels a clinician orders together (what one blood draw yields)
LAB_PANELS: dict[str, tuple[str, ...]] = {
    "basic_metabolic": ("2345-7", "2951-2", "2823-3", "2160-0"),
    "complete_blood_count": ("718-7", "6690-2", "777-3"),
    "lipid": ("2093-3", "2085-9", "13457-7", "2571-8"),
    "hba1c": ("4548-4",),
    "thyroid": ("3016-3",),
    "liver": ("1742-6",),
}

#: how a diagnosis moves a lab value: (ICD-10 code, LOINC) -> (shift of the mean in healthy
#: standard deviations, factor on the spread). Directions follow the clinical definitions
#: (ADA: diabetes is HbA1c >= 6.5%; KDIGO: CKD raises creatinine; WHO: anaemia is low
#: haemoglobin); sizes chosen so diagnosed patients are mostly out of range.
LAB_EFFECTS: dict[tuple[str, str], tuple[float, float]] = {
    ("E11.9", "2345-7"): (4.5, 2.5),
    ("E11.9", "4548-4"): (5.0, 2.0),
    ("E11.9", "2571-8"): (1.0, 1.2),
    ("N18.9", "2160-0"): (3.0, 1.8),
    ("N18.9", "2823-3"): (0.8, 1.2),
    ("N18.9", "718-7"): (-1.0, 1.1),
    ("E78.5", "2093-3"): (2.5, 1.3),
    ("E78.5", "13457-7"): (2.5, 1.3),
    ("E78.5", "2571-8"): (1.5, 1.3),
    ("E78.5", "2085-9"): (-0.5, 1.0),
    ("D64.9", "718-7"): (-3.5, 1.3),
    ("E03.9", "3016-3"): (2.5, 1.6),
    ("I50.9", "2951-2"): (-1.0, 1.3),
    ("I50.9", "2160-0"): (1.0, 1.2),
    ("E66.9", "2571-8"): (1.0, 1.1),
    ("E66.9", "1742-6"): (1.0, 1.2),
    ("E66.9", "2345-7"): (0.5, 1.1),
}

#: a LOINC code: one to seven digits, a hyphen, the check digit
LOINC_PATTERN = re.compile(r"^[0-9]{1,7}-[0-9]$")


def loinc_check_digit(number: str) -> int:
    """The check digit of a LOINC code's number part (``"2345"`` -> 7).

    LOINC uses the mod-10 algorithm (LOINC Users' Guide, appendix "Calculating Mod 10 Check
    Digits"): from the right, double every other digit starting with the rightmost, add the
    digits of the products and the undoubled digits, and take what brings the sum to a
    multiple of ten.
    """
    if not number.isdigit():
        raise ValueError(f"a LOINC number is digits only, got {number!r}")
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char) * (2 if position % 2 == 0 else 1)
        total += digit // 10 + digit % 10
    return (10 - total % 10) % 10


def valid_loinc(codes: pd.Series) -> np.ndarray:
    """Whether each code is a LOINC code with a correct check digit (vectorised over the
    distinct codes; missing codes are invalid)."""

    def check(distinct: list[str]) -> list[bool]:
        return [
            bool(LOINC_PATTERN.fullmatch(c)) and loinc_check_digit(c[:-2]) == int(c[-1])
            for c in distinct
        ]

    return per_distinct(codes, check)


def with_loinc_check_digit(code: str) -> str:
    """``code`` with its check digit recomputed (``"2345-1"`` -> ``"2345-7"``); a code without
    a hyphen is taken as the number part."""
    number = code.split("-", 1)[0]
    return f"{number}-{loinc_check_digit(number)}"


# --- medications (RxNorm) --------------------------------------------------------------------


class Medication(NamedTuple):
    rxcui: str  # RxNorm concept unique identifier of the clinical drug (SCD)
    name: str  # RxNorm SCD name
    indication: str  # ICD-10-CM code it treats
    treated_share: float  # share of patients with the indication on it
    chronic: bool  # taken long term (else a course of days)


#: first-line drugs per diagnosis (treated shares approximate, after the guideline-uptake
#: figures of NHANES prescription-medication files). RxCUIs of the clinical drugs (SCD term
#: type). No RxNorm release was reachable offline; checked instead against public code that
#: carries RxCUI-name pairs (2026-12-02): 860975 and 745679 match the names Synthea
#: (synthetichealth/synthea) gives them (860975 is the 24-hour extended-release tablet, not
#: the plain 500 mg one; 745679 the 200-actuation inhaler); 314076, 197361, 310798, 312940,
#: 617310, 198053, 308191, 198440 and 1364445 match the names several independent projects
#: give them; 966222, 197417, 243670, 310325 and 311995 were found nowhere offline. Verify
#: against RxNav (rxnav.nlm.nih.gov) before clinical use.
MEDICATIONS: tuple[Medication, ...] = (
    Medication(
        "860975",
        "24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet",
        "E11.9",
        0.75,
        True,
    ),
    Medication("314076", "lisinopril 10 MG Oral Tablet", "I10", 0.45, True),
    Medication("197361", "amlodipine 5 MG Oral Tablet", "I10", 0.30, True),
    Medication("310798", "hydrochlorothiazide 25 MG Oral Tablet", "I10", 0.20, True),
    Medication("617310", "atorvastatin 20 MG Oral Tablet", "E78.5", 0.60, True),
    Medication(
        "745679", "200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler", "J45.909", 0.80, True
    ),
    Medication(
        "745679", "200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler", "J44.9", 0.70, True
    ),
    Medication("966222", "levothyroxine sodium 0.05 MG Oral Tablet", "E03.9", 0.85, True),
    Medication("312940", "sertraline 50 MG Oral Tablet", "F32.9", 0.55, True),
    Medication("312940", "sertraline 50 MG Oral Tablet", "F41.9", 0.35, True),
    Medication("198053", "omeprazole 20 MG Delayed Release Oral Capsule", "K21.9", 0.50, True),
    Medication("1364445", "apixaban 5 MG Oral Tablet", "I48.91", 0.60, True),
    Medication("197417", "furosemide 40 MG Oral Tablet", "I50.9", 0.65, True),
    Medication("243670", "aspirin 81 MG Oral Tablet", "I25.10", 0.60, True),
    Medication("310325", "ferrous sulfate 325 MG Oral Tablet", "D64.9", 0.50, False),
    Medication("198440", "acetaminophen 500 MG Oral Tablet", "M17.9", 0.50, False),
    Medication("308191", "amoxicillin 500 MG Oral Capsule", "J02.9", 0.60, False),
    Medication("308191", "amoxicillin 500 MG Oral Capsule", "H66.90", 0.70, False),
    Medication("311995", "nitrofurantoin 100 MG Oral Capsule", "N39.0", 0.70, False),
)
RXNORM_NAMES = {m.rxcui: m.name for m in MEDICATIONS}
#: an RxCUI is a positive integer written in decimal digits
RXCUI_PATTERN = re.compile(r"^[1-9][0-9]{0,7}$")

__all__ = [
    "ACUTE_CODES",
    "AGE_BANDS",
    "BLOOD_TYPES",
    "CENSUS_2020_AGE_SEX",
    "CHRONIC_CONDITIONS",
    "LAB_BY_CODE",
    "LAB_EFFECTS",
    "LAB_PANELS",
    "LAB_TESTS",
    "LIFE_TABLE_2019_QX",
    "MEDICATIONS",
    "RXNORM_NAMES",
    "death_probability",
    "loinc_check_digit",
    "valid_icd10cm",
    "valid_loinc",
    "with_loinc_check_digit",
]
