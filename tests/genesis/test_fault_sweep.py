"""The fault sweep (issue 12): every bad or unusual input through the library and the CLI.

Each case is a file on disk. The library path reads it, infers its schema, fits the default
generator (CART), generates rows, evaluates them against the input and writes them as
Parquet; the CLI path runs ``genesis generate`` and ``genesis evaluate`` on the same file.
Each case expects either

- a clean result, checked for silent corruption (values in range, types kept, names kept)
  on the rows as written and read back, or
- a refusal: a :class:`~genesis.errors.GenesisError` (CLI: status 1 or 2 and one
  ``error:`` line) whose message names the problem and, after a ``;``, the fix.

Never a raw traceback, never an exception of another type.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import Result
from typer.testing import CliRunner

from genesis.cli import app
from genesis.errors import GenesisError

ROWS = 200  # input rows of the ordinary cases
SYNTHETIC = 150  # rows generated
SEED = 0


@dataclass(frozen=True)
class Case:
    """One input: how to write it, and what must come out of it.

    ``check(real, synthetic, written)`` judges a clean result (``written`` is the Parquet
    file of the synthetic rows); ``refusal`` holds lower-case words the error message must
    contain. A case with both accepts either outcome (the issue allows both).
    """

    write: Callable[[Path], Path]
    check: Callable[[pd.DataFrame, pd.DataFrame, Path], None] | None = None
    refusal: tuple[str, ...] = field(default_factory=tuple)


def _base(n: int = ROWS, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {"age": rng.integers(18, 90, n), "city": rng.choice(["Lyon", "Nice", "Metz"], n)}
    )


def _csv(frame: pd.DataFrame, name: str = "table.csv") -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        frame.to_csv(folder / name, index=False)
        return folder / name

    return write


def _text(text: str | bytes, name: str) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        data = text.encode("utf-8") if isinstance(text, str) else text
        (folder / name).write_bytes(data)
        return folder / name

    return write


def _parquet(table: Callable[[], pa.Table]) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        pq.write_table(table(), folder / "table.parquet")
        return folder / "table.parquet"

    return write


def _arrow(extra: dict[str, pa.Array]) -> Callable[[], pa.Table]:
    def build() -> pa.Table:
        base = pa.Table.from_pandas(_base(), preserve_index=False)
        for name, values in extra.items():
            base = base.append_column(name, values)
        return base

    return build


# --- clean-result checks ------------------------------------------------------------------


def _same_columns(real: pd.DataFrame, synthetic: pd.DataFrame, written: Path) -> None:
    assert list(synthetic.columns) == list(real.columns)
    assert len(synthetic) == SYNTHETIC
    assert pq.read_schema(written).names == list(real.columns)


def _in_range(column: str, kind: str) -> Callable[[pd.DataFrame, pd.DataFrame, Path], None]:
    """Values of ``column`` keep their numpy dtype kind and stay inside the real range."""

    def check(real: pd.DataFrame, synthetic: pd.DataFrame, written: Path) -> None:
        _same_columns(real, synthetic, written)
        values = synthetic[column]
        assert values.dtype.kind == kind, values.dtype
        assert values.notna().all()
        # compare as Python ints: a float round trip would hide an off-by-2**63 wrap
        low, high = int(real[column].min()), int(real[column].max())
        outside = [int(v) for v in values if not low <= int(v) <= high]
        assert outside == [], f"{len(outside)} values outside [{low}, {high}]: {outside[:3]}"

    return check


def _all_null(real: pd.DataFrame, synthetic: pd.DataFrame, written: Path) -> None:
    _same_columns(real, synthetic, written)
    assert synthetic["nothing"].isna().all()
    assert synthetic["age"].between(18, 89).all()


def _constant(real: pd.DataFrame, synthetic: pd.DataFrame, written: Path) -> None:
    _same_columns(real, synthetic, written)
    assert (synthetic["country"] == "FR").all()
    assert (synthetic["version"] == 7).all()


def _many_categories(real: pd.DataFrame, synthetic: pd.DataFrame, written: Path) -> None:
    _same_columns(real, synthetic, written)
    assert synthetic["customer"].notna().all()
    assert synthetic["amount"].between(real["amount"].min(), real["amount"].max()).all()


def _mixed(real: pd.DataFrame, synthetic: pd.DataFrame, written: Path) -> None:
    _same_columns(real, synthetic, written)
    seen = {str(v) for v in real["code"].dropna()}
    assert {str(v) for v in synthetic["code"].dropna()} <= seen


def _unicode(real: pd.DataFrame, synthetic: pd.DataFrame, written: Path) -> None:
    _same_columns(real, synthetic, written)
    assert set(synthetic["名前"].dropna()) <= {"あ", "い"}


def _infinities(real: pd.DataFrame, synthetic: pd.DataFrame, written: Path) -> None:
    _same_columns(real, synthetic, written)
    values = synthetic["ratio"]
    assert values.notna().all(), "infinities became NaN"
    assert (values == np.inf).any() and (values == -np.inf).any(), "point masses at ±inf lost"
    finite = values[np.isfinite(values)]
    assert finite.between(-10, 10).all()


def _arrow_type(column: str, expected: pa.DataType):
    def check(real: pd.DataFrame, synthetic: pd.DataFrame, written: Path) -> None:
        _same_columns(real, synthetic, written)
        assert pq.read_schema(written).field(column).type == expected
        back = pq.read_table(written).column(column).to_pandas()
        source = real[column]
        if pd.api.types.is_datetime64_any_dtype(source):  # date32 reads back as datetime.date
            back = pd.to_datetime(back)
        assert back.notna().all()
        assert back.min() >= source.min() and back.max() <= source.max()

    return check


def _arrow_types(real: pd.DataFrame, synthetic: pd.DataFrame, written: Path) -> None:
    _same_columns(real, synthetic, written)
    schema = pq.read_schema(written)
    assert schema.field("price").type == pa.decimal128(10, 2)
    assert schema.field("opens").type == pa.time64("us")
    assert schema.field("member").type == pa.bool_()


def _utc_instants(column: str, offsets: set[str] | None = None):
    """Timestamps written as text keep their instants in range (and, when given, the
    offsets they were written with)."""

    def check(real: pd.DataFrame, synthetic: pd.DataFrame, written: Path) -> None:
        _same_columns(real, synthetic, written)
        source = pd.to_datetime(real[column].astype(str), utc=True, format="ISO8601")
        back = synthetic[column]
        instants = pd.to_datetime(back.astype(str), utc=True, format="ISO8601")
        assert instants.notna().all()
        assert instants.min() >= source.min() and instants.max() <= source.max()
        if offsets is not None:
            assert {str(v)[-6:] for v in back} <= offsets, back.head().tolist()

    return check


def _far_dates(real: pd.DataFrame, synthetic: pd.DataFrame, written: Path) -> None:
    """Dates past pandas' nanosecond range (2262) come back as the dates they were."""
    _same_columns(real, synthetic, written)
    source = [date.fromisoformat(str(v)[:10]) for v in real["due"]]
    back = [date.fromisoformat(str(v)[:10]) for v in synthetic["due"]]
    assert min(source) <= min(back) and max(back) <= max(source)


def _iso(stamps: pd.DatetimeIndex, offsets: list[str]) -> list[str]:
    return [
        f"{stamp.strftime('%Y-%m-%dT%H:%M:%S')}{offsets[i % len(offsets)]}"
        for i, stamp in enumerate(stamps)
    ]


def _stamps(n: int = ROWS) -> pd.DatetimeIndex:
    return pd.date_range("2024-01-01", periods=n, freq="7h")


def _many_categories_table() -> pd.DataFrame:
    n = 50_000
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "customer": [f"C{i:06d}" for i in rng.permutation(n)],
            "segment": rng.choice(["retail", "pro", "public"], n),
            "amount": rng.gamma(2.0, 50.0, n).round(2),
        }
    )


CASES: dict[str, Case] = {
    "empty_file": Case(_text(b"", "empty.csv"), refusal=("empty",)),
    "header_only": Case(_text("age,city\n", "header.csv"), refusal=("no rows",)),
    "one_row": Case(_csv(_base(1)), refusal=("row",)),
    "all_null_column": Case(_csv(_base().assign(nothing=np.nan)), check=_all_null),
    "constant_columns": Case(_csv(_base().assign(country="FR", version=7)), check=_constant),
    "50k_categories": Case(_csv(_many_categories_table()), check=_many_categories),
    "mixed_types": Case(
        _text(
            "\n".join(
                json.dumps({"age": 20 + i % 50, "code": [1, "A7", 2.5, None, "x"][i % 5]})
                for i in range(ROWS)
            ),
            "mixed.jsonl",
        ),
        check=_mixed,
    ),
    "unicode_names": Case(
        _csv(_base().assign(**{"名前": ["あ", "い"] * (ROWS // 2), "naïve 😀": 1.5})),
        check=_unicode,
    ),
    "empty_column_name": Case(
        _text("age,,city\n" + "".join(f"{20 + i % 50},{i},Lyon\n" for i in range(ROWS)), "e.csv"),
        refusal=("name",),
    ),
    "duplicate_names": Case(
        _text("age,city,age\n" + "30,Lyon,31\n" * 20, "dup.csv"), refusal=("duplicate",)
    ),
    "corrupt_parquet": Case(
        _text(b"PAR1" + bytes(range(256)) * 4 + b"PAR1", "broken.parquet"),
        refusal=("parquet",),
    ),
    "infinities": Case(
        _parquet(
            _arrow(
                {
                    "ratio": pa.array(
                        np.where(
                            np.arange(ROWS) % 10 == 0,
                            np.inf,
                            np.where(
                                np.arange(ROWS) % 10 == 1,
                                -np.inf,
                                np.random.default_rng(2).normal(0, 2, ROWS).clip(-9, 9),
                            ),
                        )
                    )
                }
            )
        ),
        check=_infinities,
        refusal=("inf",),
    ),
    "int64_near_2**63": Case(
        _parquet(
            _arrow(
                {
                    "id": pa.array(
                        np.int64(2**63 - 1) - np.random.default_rng(3).integers(0, 1000, ROWS)
                    )
                }
            )
        ),
        check=_in_range("id", "i"),
    ),
    "uint64_near_2**64": Case(
        _parquet(
            _arrow(
                {
                    "id": pa.array(
                        np.uint64(2**64 - 1)
                        - np.random.default_rng(4).integers(0, 1000, ROWS).astype(np.uint64)
                    )
                }
            )
        ),
        check=_in_range("id", "u"),
    ),
    "arrow_date32": Case(
        _parquet(_arrow({"day": pa.array(_stamps().date, type=pa.date32())})),
        check=_arrow_type("day", pa.date32()),
    ),
    "arrow_timestamp_tz": Case(
        _parquet(_arrow({"at": pa.array(_stamps(), type=pa.timestamp("us", tz="Europe/Paris"))})),
        check=_arrow_type("at", pa.timestamp("us", tz="Europe/Paris")),
    ),
    "arrow_decimal_time_bool": Case(
        _parquet(
            _arrow(
                {
                    "price": pa.array(
                        [Decimal(f"{i % 97}.25") for i in range(ROWS)],
                        type=pa.decimal128(10, 2),
                    ),
                    "opens": pa.array(_stamps().time, type=pa.time64("us")),
                    "member": pa.array([i % 3 == 0 for i in range(ROWS)]),
                }
            )
        ),
        check=_arrow_types,
    ),
    "dates_after_2262": Case(
        _csv(_base().assign(due=[f"{2300 + i % 90}-0{1 + i % 9}-15" for i in range(ROWS)])),
        check=_far_dates,
        refusal=("2262",),
    ),
    "mixed_utc_offsets": Case(
        _csv(_base().assign(at=_iso(_stamps(), ["+01:00", "+05:30", "-08:00", "Z"]))),
        check=_utc_instants("at"),
    ),
    "fixed_offset_+05:30": Case(
        _csv(_base().assign(at=_iso(_stamps(), ["+05:30"]))),
        check=_utc_instants("at", offsets={"+05:30"}),
    ),
}


def _assert_refusal(case: Case, message: str) -> None:
    text = message.lower()
    missing = [word for word in case.refusal if word not in text]
    assert missing == [], f"the message does not name the problem ({missing}): {message}"
    assert ";" in message, f"the message gives no fix: {message}"


def _invoke(args: list) -> Result:
    """``genesis ARGS`` in-process; an exception escaping the CLI fails the test."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}: {result.output}")
    assert "Traceback" not in result.output
    return result


def _library(source: Path, out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    from genesis import QualityEvaluator, SyntheticGenerator, infer_schema, read_table
    from genesis.io import write_table

    real = read_table(source)
    infer_schema(real)
    model = SyntheticGenerator("cart", seed=SEED).fit(real)
    synthetic = model.generate(SYNTHETIC, seed=SEED)
    QualityEvaluator(real, synthetic).evaluate()
    write_table(synthetic, out, schema=model.schema_)  # the source's Arrow types back
    return real, read_table(out)


@pytest.mark.parametrize("name", list(CASES))
def test_library(name, tmp_path):
    case = CASES[name]
    source = case.write(tmp_path)
    out = tmp_path / "synthetic.parquet"
    try:
        real, synthetic = _library(source, out)
    except GenesisError as exc:
        assert case.refusal, f"{name} should run cleanly, but: {exc!r}"
        _assert_refusal(case, str(exc))
        return
    assert case.check is not None, f"{name} should be refused, but it ran"
    case.check(real, synthetic, out)


@pytest.mark.parametrize("name", list(CASES))
def test_cli(name, tmp_path):
    from genesis.io import read_table

    case = CASES[name]
    source = case.write(tmp_path)
    out = tmp_path / "synthetic.parquet"
    result = _invoke(["generate", source, "-n", SYNTHETIC, "-o", out, "--seed", SEED])
    if result.exit_code == 0:
        result = _invoke(["evaluate", source, out, "--json"])
    if result.exit_code != 0:
        assert result.exit_code in (1, 2), f"{name}: status {result.exit_code}: {result.output}"
        assert case.refusal, f"{name} should run cleanly, but: {result.output}"
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1, result.stderr
        _assert_refusal(case, errors[0])
        return
    assert case.check is not None, f"{name} should be refused, but it ran"
    assert 0 <= json.loads(result.stdout)["overall_score"] <= 1
    case.check(read_table(source), read_table(out), out)
