"""The validity rules of healthcare tables, checked over every row and enforced on learned
tables.

Tables are recognised by their columns, so a user's own names work: the patients table is
the one named ``patients`` (else the one holding ``birth_date``); every other table with a
``patient_id`` column is a child of it. The rules:

- patients: ``patient_id`` unique and present; ``sex`` F or M; ``birth_date`` present and not
  after ``as_of``; ``death_date`` (when given) between birth and ``as_of``;
- children: every ``patient_id`` names a patient; every date column (``event_date``,
  ``collected_date``, ``start_date``, ``end_date`` or any datetime column) between the
  patient's birth and death (or ``as_of``); ``start_date`` <= ``end_date``; an open
  ``end_date`` only for a living patient;
- codes: ``icd10_code`` and ``indication_code`` have the ICD-10-CM shape, ``loinc_code`` is a
  LOINC code with a valid check digit, ``rxnorm_code`` an RxCUI;
- labs: ``value`` positive and finite, ``ref_low`` <= ``ref_high``, ``abnormal_flag`` L/N/H
  as the value falls below, inside or above the interval.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from genesis.domains import codes

#: days per year in ages (the Gregorian mean year)
YEAR_DAYS = 365.2425
DATE_COLUMNS = ("event_date", "collected_date", "start_date", "end_date")
ICD_COLUMNS = ("icd10_code", "indication_code")
#: (code column, label column) pairs whose label is a function of the code
LABEL_PAIRS = (
    ("icd10_code", "description"),
    ("loinc_code", "test_name"),
    ("loinc_code", "unit"),
    ("rxnorm_code", "drug_name"),
)


def builtin_labels() -> dict[tuple[str, str], dict[str, str]]:
    """The label of each built-in code (ICD-10-CM descriptions, LOINC names and units,
    RxNorm names)."""
    described = [*codes.CHRONIC_CONDITIONS, *codes.ACUTE_CODES]
    return {
        ("icd10_code", "description"): {c.code: c.description for c in described},
        ("loinc_code", "test_name"): {t.loinc: t.name for t in codes.LAB_TESTS},
        ("loinc_code", "unit"): {t.loinc: t.unit for t in codes.LAB_TESTS},
        ("rxnorm_code", "drug_name"): dict(codes.RXNORM_NAMES),
    }


def learned_labels(tables: dict[str, pd.DataFrame]) -> dict[tuple[str, str], dict[str, str]]:
    """The built-in labels, overridden by the most frequent label of each code in ``tables``
    (a user's own naming is kept)."""
    labels = builtin_labels()
    for frame in tables.values():
        for pair in LABEL_PAIRS:
            if set(pair) <= set(frame.columns):
                both = frame[list(pair)].dropna().astype(str)
                if len(both):
                    mode = both.groupby(pair[0])[pair[1]].agg(lambda x: x.value_counts().index[0])
                    labels[pair] = {**labels[pair], **mode.to_dict()}
    return labels


@dataclass(frozen=True)
class HealthcareRules:
    """The rules, relative to the reference date ``as_of`` (nothing may happen after it)."""

    as_of: pd.Timestamp
    seed: int = 0
    #: (code column, label column) -> code -> label (default: :func:`builtin_labels`)
    labels: dict[tuple[str, str], dict[str, str]] = field(default_factory=builtin_labels)

    # -- finding the tables ----------------------------------------------------------------
    @staticmethod
    def patients_table(tables: dict[str, pd.DataFrame]) -> str | None:
        """The name of the patients table, or None."""
        if "patients" in tables:
            return "patients"
        return next((n for n, t in tables.items() if "birth_date" in t.columns), None)

    def children(self, tables: dict[str, pd.DataFrame]) -> list[str]:
        root = self.patients_table(tables)
        return [n for n, t in tables.items() if n != root and "patient_id" in t.columns]

    @staticmethod
    def date_columns(frame: pd.DataFrame) -> list[str]:
        return [
            c
            for c in frame.columns
            if c in DATE_COLUMNS or pd.api.types.is_datetime64_any_dtype(frame[c])
        ]

    def latest_date(self, tables: dict[str, pd.DataFrame]) -> pd.Timestamp | None:
        """The latest date in any date column of ``tables`` (None when there is none)."""
        latest = None
        for frame in tables.values():
            for column in [*self.date_columns(frame), "birth_date", "death_date"]:
                if column in frame.columns:
                    value = _dates(frame[column]).max()
                    if pd.notna(value) and (latest is None or value > latest):
                        latest = value
        return None if latest is None else pd.Timestamp(latest).normalize()

    # -- checking --------------------------------------------------------------------------
    def violations(self, tables: dict[str, pd.DataFrame]) -> list[str]:
        """Every broken rule, one line each with the count of rows breaking it."""
        out: list[str] = []

        def report(table: str, bad: np.ndarray | pd.Series, rule: str) -> None:
            count = int(np.asarray(bad, dtype=bool).sum())
            if count:
                out.append(f"{table}: {count:,} rows with {rule}")

        as_of = self.as_of
        root = self.patients_table(tables)
        life = None
        if root is not None:
            p = tables[root]
            if "patient_id" in p.columns:
                report(root, p["patient_id"].isna(), "a missing patient_id")
                report(root, p["patient_id"].duplicated(keep="first"), "a duplicate patient_id")
            if "sex" in p.columns:
                report(root, ~p["sex"].astype(str).isin(["F", "M"]), "sex other than F/M")
            birth = _dates(p["birth_date"]) if "birth_date" in p.columns else None
            if birth is not None:
                report(root, birth.isna(), "a missing birth_date")
                report(root, birth > as_of, f"birth_date after as_of {as_of.date()}")
            if birth is not None and "death_date" in p.columns:
                death = _dates(p["death_date"])
                report(root, death < birth, "death_date before birth_date")
                report(root, death > as_of, f"death_date after as_of {as_of.date()}")
            if birth is not None and "age" in p.columns:
                expected = self._age(p, birth)
                age = pd.to_numeric(p["age"], errors="coerce")
                report(root, birth.notna() & (age != expected), "an age other than the whole "
                       "years from birth_date to death_date (or as_of)")  # fmt: skip
            life = self._life(p)

        for name in self.children(tables):
            frame = tables[name]
            bounds = None
            if life is not None:
                pos = pd.Index(life.index).get_indexer(frame["patient_id"])
                report(name, pos < 0, "a patient_id that names no patient")
                bounds = (pos >= 0, pos)
            for column in self.date_columns(frame):
                when = _dates(frame[column])
                report(name, when > as_of, f"{column} after as_of {as_of.date()}")
                if bounds is not None:
                    known, pos = bounds
                    birth = life["birth"].to_numpy()[np.where(known, pos, 0)]
                    last = life["last"].to_numpy()[np.where(known, pos, 0)]
                    report(name, known & (when.to_numpy() < birth), f"{column} before birth")
                    report(name, known & (when.to_numpy() > last), f"{column} after death")
            if {"start_date", "end_date"} <= set(frame.columns):
                start, end = _dates(frame["start_date"]), _dates(frame["end_date"])
                report(name, start > end, "start_date after end_date")
                if bounds is not None:
                    known, pos = bounds
                    dead = life["dead"].to_numpy()[np.where(known, pos, 0)]
                    report(name, known & dead & end.isna().to_numpy(), "an open end_date "
                           "for a dead patient")  # fmt: skip
            self._code_violations(name, frame, report)
            for (code, label), (bad, _) in self._label_checks(frame):
                report(name, bad, f"a {label} that is not the one of its {code}")
            self._lab_violations(name, frame, report)
        return out

    @staticmethod
    def _code_violations(name: str, frame: pd.DataFrame, report) -> None:
        for column in ICD_COLUMNS:
            if column in frame.columns:
                report(name, ~codes.valid_icd10cm(frame[column]), f"an invalid ICD-10-CM {column}")
        if "loinc_code" in frame.columns:
            report(name, ~codes.valid_loinc(frame["loinc_code"]), "an invalid LOINC code or "
                   "check digit")  # fmt: skip
        if "rxnorm_code" in frame.columns:
            report(name, ~_valid_rxcui(frame["rxnorm_code"]), "an invalid RxNorm rxnorm_code")

    @staticmethod
    def _lab_violations(name: str, frame: pd.DataFrame, report) -> None:
        if "value" not in frame.columns:
            return
        value = pd.to_numeric(frame["value"], errors="coerce")
        report(name, ~np.isfinite(value.to_numpy(float)) | (value <= 0), "a value not > 0")
        if {"ref_low", "ref_high"} <= set(frame.columns):
            low, high = frame["ref_low"].astype(float), frame["ref_high"].astype(float)
            report(name, low > high, "ref_low above ref_high")
            if "abnormal_flag" in frame.columns:
                expected = _flags(value, low, high)
                report(name, frame["abnormal_flag"].astype(str) != expected, "an abnormal_flag "
                       "that disagrees with value and reference interval")  # fmt: skip

    # -- repairing -------------------------------------------------------------------------
    def repair(self, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        """Copies of ``tables`` that obey every rule."""
        rng = np.random.default_rng([self.seed, 99])
        out = {name: frame.copy() for name, frame in tables.items()}
        as_of = self.as_of
        root = self.patients_table(out)
        if root is not None:
            p = out[root]
            if "patient_id" in p.columns:
                p = p[p["patient_id"].notna() & ~p["patient_id"].duplicated()]
            if "sex" in p.columns:
                p = p.assign(sex=_valid_or_drawn(p["sex"].astype(str), ["F", "M"], rng))
            if "birth_date" in p.columns:
                birth = _dates(p["birth_date"])
                birth = birth.fillna(birth.median() if birth.notna().any() else as_of)
                p = p.assign(birth_date=birth.clip(upper=as_of))
                if "death_date" in p.columns:
                    death = _dates(p["death_date"])
                    p = p.assign(death_date=death.clip(lower=p["birth_date"], upper=as_of))
                if "age" in p.columns:
                    p = p.assign(age=self._age(p, p["birth_date"]).astype(np.int64))
            out[root] = p
            life = self._life(p)
        for name in self.children(out):
            frame = out[name]
            if root is not None and life is not None:
                frame = frame[frame["patient_id"].isin(life.index)]
                pos = pd.Index(life.index).get_indexer(frame["patient_id"])
                birth = pd.Series(life["birth"].to_numpy()[pos], index=frame.index)
                last = pd.Series(life["last"].to_numpy()[pos], index=frame.index)
                dead = life["dead"].to_numpy()[pos]
            else:
                birth = last = None
            for column in self.date_columns(frame):
                when = _dates(frame[column]).clip(upper=as_of)
                if birth is not None:
                    when = when.clip(lower=birth, upper=last)
                frame = frame.assign(**{column: when})
            if {"start_date", "end_date"} <= set(frame.columns):
                start, end = frame["start_date"], frame["end_date"]
                swap = start > end
                frame = frame.assign(
                    start_date=start.where(~swap, end), end_date=end.where(~swap, start)
                )
                if birth is not None:
                    open_dead = dead & frame["end_date"].isna().to_numpy()
                    frame.loc[open_dead, "end_date"] = last[open_dead]
            frame = self._repair_codes(frame, rng)
            for (_, label), (bad, expected) in self._label_checks(frame):
                if bad.any():
                    fixed = frame[label].astype(object).to_numpy().copy()
                    fixed[bad] = expected[bad]
                    dtype = (
                        "category"
                        if isinstance(frame[label].dtype, pd.CategoricalDtype)
                        else object
                    )
                    frame = frame.assign(**{label: pd.Series(fixed, frame.index, dtype=dtype)})
            out[name] = self._repair_labs(frame)
        return out

    def _repair_codes(self, frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        """Invalid codes fixed: check digits recomputed, a code recovered from its label
        (``drug_name`` -> ``rxnorm_code``...) where the label is known, else redrawn from the
        column's valid codes."""
        for column in ICD_COLUMNS:
            if column in frame.columns:
                text = frame[column].astype("string").str.strip().str.upper()
                text, good = self._from_labels(frame, column, text, codes.valid_icd10cm(text))
                frame = frame.assign(**{column: _keep_or_resample(text, good, rng, ["R69"])})
        if "loinc_code" in frame.columns:
            text = frame["loinc_code"].astype("string").str.strip()
            fixable = text.str.fullmatch(r"[0-9]{1,7}(-[0-9])?").fillna(False).to_numpy(bool)
            distinct = text[fixable].unique()
            fixed = {code: codes.with_loinc_check_digit(code) for code in distinct}
            text = text.where(~fixable, text.map(fixed))
            text, fixable = self._from_labels(frame, "loinc_code", text, fixable)
            frame = frame.assign(loinc_code=_keep_or_resample(text, fixable, rng, ["2345-7"]))
        if "rxnorm_code" in frame.columns:
            # a code read or learned as a number (860975.0) is still the code
            text = (
                frame["rxnorm_code"]
                .astype("string")
                .str.strip()
                .str.replace(r"\.0+$", "", regex=True)
            )
            good = text.str.fullmatch(codes.RXCUI_PATTERN.pattern).fillna(False).to_numpy(bool)
            text, good = self._from_labels(frame, "rxnorm_code", text, good)
            frame = frame.assign(
                rxnorm_code=_keep_or_resample(text, good, rng, [codes.MEDICATIONS[0].rxcui])
            )
        return frame

    def _from_labels(
        self, frame: pd.DataFrame, column: str, text: pd.Series, good: np.ndarray
    ) -> tuple[pd.Series, np.ndarray]:
        """``text`` with invalid codes replaced by the code their row's label names."""
        for (code, label), mapping in self.labels.items():
            if code != column or label not in frame.columns or good.all():
                continue
            keys = pd.Series(list(mapping), dtype=object)
            names = pd.Series(list(mapping.values()), dtype=object)
            ok = _VALIDATORS[column](keys) & ~names.duplicated(keep=False).to_numpy()
            reverse = dict(zip(names[ok], keys[ok], strict=True))  # one valid code per label
            found = frame[label].astype(str).map(reverse)
            use = ~good & found.notna().to_numpy()
            if use.any():
                text = text.copy()
                text[use] = found[use].to_numpy()
                good = good | use
        return text, good

    @staticmethod
    def _repair_labs(frame: pd.DataFrame) -> pd.DataFrame:
        if "value" not in frame.columns:
            return frame
        value = pd.to_numeric(frame["value"], errors="coerce")
        positive = value[(value > 0) & np.isfinite(value)]
        floor = float(positive.min()) if len(positive) else 1.0
        value = value.where((value > 0) & np.isfinite(value), floor)
        frame = frame.assign(value=value)
        if {"ref_low", "ref_high"} <= set(frame.columns):
            low, high = frame["ref_low"].astype(float), frame["ref_high"].astype(float)
            frame = frame.assign(ref_low=np.fmin(low, high), ref_high=np.fmax(low, high))
            if "abnormal_flag" in frame.columns:
                flags = _flags(value, frame["ref_low"], frame["ref_high"])
                frame = frame.assign(abnormal_flag=pd.Categorical(flags, ["L", "N", "H"]))
        return frame

    # -- helpers ---------------------------------------------------------------------------
    def _label_checks(self, frame: pd.DataFrame):
        """Per (code, label) pair present: (rows whose label is not their known code's, the
        label each row's code calls for). Works on the distinct codes and labels only."""
        for pair, mapping in self.labels.items():
            if not set(pair) <= set(frame.columns):
                continue
            code_idx, code_uniques = pd.factorize(frame[pair[0]])
            label_idx, label_uniques = pd.factorize(frame[pair[1]])
            label_id = {str(v): i for i, v in enumerate(label_uniques)}
            wanted = [mapping.get(str(c)) for c in code_uniques]
            wanted_id = np.array([-1 if w is None else label_id.get(w, -2) for w in wanted])
            known = np.append(wanted_id != -1, False)[code_idx]
            bad = known & (np.append(wanted_id, -1)[code_idx] != label_idx)
            yield pair, (bad, np.append(np.asarray(wanted, dtype=object), None)[code_idx])

    def _age(self, patients: pd.DataFrame, birth: pd.Series) -> pd.Series:
        """Whole years from birth to death (or ``as_of``), as the generator writes ``age``."""
        if "death_date" in patients.columns:
            end = _dates(patients["death_date"]).fillna(self.as_of).clip(upper=self.as_of)
        else:
            end = pd.Series(self.as_of, index=patients.index)
        days = (end.astype("datetime64[ns]") - birth).dt.days
        return np.floor(days / YEAR_DAYS)

    def _life(self, patients: pd.DataFrame) -> pd.DataFrame | None:
        """Per patient_id: birth, last possible date (death or as_of), whether dead."""
        if not {"patient_id", "birth_date"} <= set(patients.columns):
            return None
        p = patients[patients["patient_id"].notna() & ~patients["patient_id"].duplicated()]
        birth = _dates(p["birth_date"])
        if "death_date" in p.columns:
            death = _dates(p["death_date"])
        else:
            death = pd.Series(pd.NaT, index=p.index, dtype="datetime64[ns]")
        last = death.fillna(self.as_of).clip(upper=self.as_of)
        return pd.DataFrame(
            {"birth": birth.to_numpy(), "last": last.to_numpy(), "dead": death.notna().to_numpy()},
            index=pd.Index(p["patient_id"].to_numpy()),
        )


def _valid_rxcui(values: pd.Series) -> np.ndarray:
    return codes.per_distinct(values, lambda u: [bool(codes.RXCUI_PATTERN.fullmatch(x)) for x in u])


#: the validity check of each code column
_VALIDATORS = {
    "icd10_code": codes.valid_icd10cm,
    "indication_code": codes.valid_icd10cm,
    "loinc_code": codes.valid_loinc,
    "rxnorm_code": _valid_rxcui,
}


def _dates(column: pd.Series) -> pd.Series:
    """A column as datetime64[ns] (strings parsed; unparseable values become NaT)."""
    if pd.api.types.is_datetime64_any_dtype(column):
        out = column
        if getattr(out.dt, "tz", None) is not None:
            out = out.dt.tz_localize(None)
        return out.astype("datetime64[ns]")
    return pd.to_datetime(column, errors="coerce")


def _flags(value: pd.Series, low: pd.Series, high: pd.Series) -> np.ndarray:
    v, lo, hi = (np.asarray(x, dtype=float) for x in (value, low, high))
    return np.where(v < lo, "L", np.where(v > hi, "H", "N"))


def _valid_or_drawn(values: pd.Series, allowed: list[str], rng: np.random.Generator) -> pd.Series:
    good = values.isin(allowed).to_numpy()
    return pd.Series(
        _keep_or_resample(values.astype("string"), good, rng, allowed),
        index=values.index,
    ).astype(str)


def _keep_or_resample(
    values: pd.Series,
    good: np.ndarray,
    rng: np.random.Generator,
    fallback: list[str],
) -> pd.Series:
    """``values`` with each invalid entry replaced by a valid one of the same column (drawn
    at its frequency), or from ``fallback`` when the column has none."""
    if good.all():
        return values
    pool = values[good].to_numpy()
    if pool.size == 0:
        pool = np.asarray(fallback, dtype=object)
    drawn = pool[rng.integers(0, pool.size, int((~good).sum()))]
    out = values.astype(object).to_numpy().copy()
    out[~good] = drawn
    return pd.Series(out, index=values.index, dtype="string")


__all__ = ["DATE_COLUMNS", "YEAR_DAYS", "HealthcareRules"]
