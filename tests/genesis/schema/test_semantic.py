"""genesis.schema.semantic: each semantic type, found and not over-found, and PII flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.schema import ColumnKind, SemanticType, infer_schema
from genesis.schema.checksums import card_number_valid, iban_valid, luhn_valid
from genesis.schema.semantic import detect_semantic_type, name_words, organisation_share

S = SemanticType
N = 200


def _luhn_complete(prefix: str) -> str:
    """Append the Luhn check digit to ``prefix``."""
    digits = [int(d) for d in prefix][::-1]
    total = sum(d if i % 2 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits))
    return prefix + str((10 - total % 10) % 10)


@pytest.fixture(scope="module")
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


@pytest.fixture(scope="module")
def cards(rng: np.random.Generator) -> list[str]:
    return [_luhn_complete("4" + "".join(map(str, rng.integers(0, 10, 14)))) for _ in range(N)]


def _semantic(name: str, values) -> tuple[SemanticType | None, bool]:
    column = infer_schema(pd.DataFrame({name: values}))[name]
    return column.semantic_type, column.pii


def test_name_words() -> None:
    assert name_words("customerEmail_2") == ["customer", "email", "2"]
    assert name_words("IPAddress") == ["ip", "address"]
    assert name_words("date-of-birth") == ["date", "of", "birth"]


def test_card_numbers_and_ibans_through_stdnum(cards: list[str]) -> None:
    assert card_number_valid(
        pd.Series(["4111111111111111", "4111111111111112", "79927398713", "4111 1111 1111 1111"])
    ).tolist() == [
        True,
        False,
        False,  # valid Luhn, but only 11 digits
        True,
    ]
    assert luhn_valid(["79927398713", "79927398710", "abc", ""]).tolist() == [
        True,
        False,
        False,
        False,
    ]
    assert card_number_valid(pd.Series(cards)).all()
    assert iban_valid(
        ["GB82WEST12345698765432", "GB82 WEST 1234 5698 7654 32", "GB82WEST1234"]
    ).tolist() == [
        True,
        True,
        False,
    ]


def test_iban_column_is_detected_as_pii() -> None:
    from stdnum import iban

    rng = np.random.default_rng(1)
    values = []
    for _ in range(N):
        bban = "WEST" + "".join(map(str, rng.integers(0, 10, 14)))
        values.append("GB" + iban.calc_check_digits("GB00" + bban) + bban)
    assert _semantic("account", values) == (SemanticType.IBAN, True)
    broken = [v[:-1] + str((int(v[-1]) + 1) % 10) for v in values]  # check digits now wrong
    assert _semantic("account", broken)[0] is not SemanticType.IBAN


def test_email(rng: np.random.Generator) -> None:
    values = [f"user{i}.x@example{i % 5}.org" for i in range(N)]
    assert _semantic("contact", values) == (S.EMAIL, True)
    assert _semantic("email", ["not an email"] * N)[0] is None


def test_phone() -> None:
    values = [f"+1 555-{i:03d}-{(i * 37) % 10000:04d}" for i in range(N)]
    assert _semantic("contact_number", values) == (S.PHONE, True)
    assert _semantic("telephone", [f"555{i:07d}" for i in range(N)])[0] is S.PHONE
    # ten-digit numbers without separators or a name hint are just numbers
    assert _semantic("reading", [f"555{i:07d}" for i in range(N)])[0] is None


def test_postal_code_keeps_leading_zeros() -> None:
    values = ["02134", "00501", "10001", "94105", "60601"] * 40
    semantic, pii = _semantic("zip", values)
    assert (semantic, pii) == (S.POSTAL_CODE, False)
    column = infer_schema(pd.DataFrame({"zip": values}))["zip"]
    assert column.kind is ColumnKind.CATEGORICAL and column.categories[:2] == ["02134", "00501"]
    assert _semantic("postcode", ["SW1A 1AA", "EC1A 1BB", "W1A 0AX"] * 10)[0] is S.POSTAL_CODE
    assert _semantic("zip_code", [2134, 501, 10001] * 10)[0] is S.POSTAL_CODE
    # five-digit numbers without a hint are not postal codes
    assert _semantic("quantity", values)[0] is None


def test_person_name() -> None:
    values = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"] * 50
    assert _semantic("full_name", values) == (S.PERSON_NAME, True)
    assert _semantic("customerName", values)[0] is S.PERSON_NAME
    assert _semantic("last_name", ["Smith", "O'Neil", "Jones"] * 10)[0] is S.PERSON_NAME
    # a product name is not a person's, whatever its values look like
    assert _semantic("product_name", values)[0] is None
    # a name hint with lower-case codes is not a person name
    assert _semantic("name", ["abc-1", "xyz-2"] * 10)[0] is None


def test_organisation_and_place_names_are_not_person_names() -> None:
    airlines = [
        "United Air Lines Inc.",
        "American Airlines Inc.",
        "JetBlue Airways",
        "Delta Air Lines Inc.",
        "Virgin America",
        "Southwest Airlines Co.",
    ] * 5
    places = [
        "La Guardia",
        "Los Angeles Intl",
        "Moton Field Municipal Airport",
        "Schaumburg Regional",
        "Penn Station",
        "Jefferson County Intl",
    ] * 5
    companies = ["Acme Corp", "Globex LLC", "Initech Ltd", "Umbrella Holdings", "Wayne"] * 6
    for values in (airlines, places, companies):
        assert organisation_share(pd.Series(values)) >= 0.5
        semantic, pii = _semantic("name", values)
        assert semantic is not S.PERSON_NAME and not pii
        assert _semantic("customer_name", values)[0] is not S.PERSON_NAME
    column = infer_schema(pd.DataFrame({"name": places}))["name"]
    assert column.kind is ColumnKind.CATEGORICAL and not column.pii  # modelled, not faked


def test_person_names_stay_person_names_across_cultures() -> None:
    # surnames that are also place or trade words (Field, Lane, Church, Park) do not flip a
    # column: it takes half of the values carrying such a word
    values = [
        "Sally Field",
        "Penny Lane",
        "Charlotte Church",
        "Park Ji-sung",
        "Ada Lovelace",
        "Wang Fang",
        "Aiyana Begay",
        "Oluwaseun Adeyemi",
        "Zeynep Kaya",
        "Nguyen Van An",
    ]
    assert organisation_share(pd.Series(values)) < 0.5
    assert _semantic("name", values * 3) == (S.PERSON_NAME, True)
    from faker import Faker

    for locale in ("en_US", "de_DE", "es_ES", "fr_FR", "it_IT", "nl_NL", "pl_PL"):
        fake = Faker(locale)
        fake.seed_instance(0)
        names = [f"{fake.first_name()} {fake.last_name()}" for _ in range(400)]
        assert organisation_share(pd.Series(names)) < 0.1, locale
        assert _semantic("full_name", names)[0] is S.PERSON_NAME, locale


def test_organisation_share_bad_and_empty_inputs() -> None:
    assert organisation_share(pd.Series([], dtype=object)) == 0.0
    assert organisation_share(pd.Series(["", "123", "---"])) == 0.0
    # weighted by rows: one frequent organisation among rare people names
    assert organisation_share(pd.Series(["Acme Inc"] * 8 + ["Ada Lovelace", "Alan Turing"])) == 0.8


def test_date_of_birth() -> None:
    values = pd.Series(pd.date_range("1950-01-01", periods=N, freq="97D")).dt.strftime("%Y-%m-%d")
    assert _semantic("date_of_birth", values) == (S.DATE_OF_BIRTH, True)
    assert _semantic("DOB", values)[0] is S.DATE_OF_BIRTH
    assert _semantic("created_at", values)[0] is None


def test_national_id() -> None:
    values = [f"{100 + i:03d}-{10 + i % 80:02d}-{1000 + i:04d}" for i in range(N)]
    assert _semantic("whatever", values) == (S.NATIONAL_ID, True)
    assert _semantic("passport", [f"X{i:08d}" for i in range(N)])[0] is S.NATIONAL_ID
    # 000-xx-xxxx is not a valid SSN
    assert _semantic("whatever", [f"000-12-{i:04d}" for i in range(N)])[0] is None


def test_credit_card(cards: list[str], rng: np.random.Generator) -> None:
    assert _semantic("payment_info", cards) == (S.CREDIT_CARD, True)
    spaced = [" ".join(c[i : i + 4] for i in range(0, 16, 4)) for c in cards]
    assert _semantic("x", spaced)[0] is S.CREDIT_CARD
    assert _semantic("x", [int(c) for c in cards])[0] is S.CREDIT_CARD
    # 16-digit numbers failing the Luhn check are not card numbers
    failing = [c[:-1] + str((int(c[-1]) + 1) % 10) for c in cards]
    assert _semantic("x", failing)[0] is None
    assert _semantic("x", [int(c) for c in failing])[0] is None


def test_ip_address() -> None:
    v4 = [f"10.{i % 256}.{(i * 7) % 256}.{(i * 13) % 255 + 1}" for i in range(N)]
    assert _semantic("source", v4) == (S.IP_ADDRESS, True)
    v6 = [f"2001:db8::{i:x}" for i in range(N)] + [
        "fe80::1",
        "::1",
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
    ]
    assert _semantic("addr", v6)[0] is S.IP_ADDRESS
    # octets above 255 are not IPv4
    assert _semantic("source", [f"300.{i % 256}.1.{i % 200}" for i in range(N)])[0] is None


def test_url() -> None:
    values = [f"https://example.com/page/{i}?q={i}" for i in range(N)]
    assert _semantic("link", values) == (S.URL, False)
    assert _semantic("link", ["example page"] * N)[0] is None


def test_latitude_longitude(rng: np.random.Generator) -> None:
    lat = rng.uniform(-80, 80, N)
    lon = rng.uniform(-170, 170, N)
    df = pd.DataFrame({"lat": lat, "Longitude": lon, "pickup_latitude": lat, "lng": lon})
    schema = infer_schema(df)
    assert schema["lat"].semantic_type is S.LATITUDE
    assert schema["pickup_latitude"].semantic_type is S.LATITUDE
    assert schema["Longitude"].semantic_type is S.LONGITUDE
    assert schema["lng"].semantic_type is S.LONGITUDE
    assert not schema["lat"].pii
    # out of range: a "latitude" of 150 is not one
    assert _semantic("lat", rng.uniform(100, 150, N))[0] is None


def test_money(rng: np.random.Generator) -> None:
    assert _semantic("salary", rng.normal(50_000, 9_000, N).round(2)) == (S.MONEY, False)
    assert _semantic("total_price", rng.integers(1, 500, N))[0] is S.MONEY
    formatted = [f"${v:,.2f}" for v in rng.uniform(1, 5000, N)]
    assert _semantic("value", formatted)[0] is S.MONEY
    # Adult's income is a two-label categorical: a name hint does not make it money
    assert _semantic("income", ["<=50K", ">50K"] * 50)[0] is None
    assert _semantic("temperature", rng.normal(20, 5, N))[0] is None


def test_adult_and_weather_have_no_semantic_types(
    adult_df: pd.DataFrame, weather_df: pd.DataFrame
) -> None:
    for df in (adult_df.iloc[:2000], weather_df.iloc[:2000]):
        assert {c.name: c.semantic_type for c in infer_schema(df) if c.semantic_type} == {}


def test_detect_semantic_type_directly() -> None:
    assert detect_semantic_type("email", pd.Series(["a@b.co"]), ColumnKind.CATEGORICAL) is S.EMAIL
    assert detect_semantic_type("flag", pd.Series([True, False]), ColumnKind.BOOLEAN) is None
    assert detect_semantic_type("x", pd.Series([], dtype=object), ColumnKind.CATEGORICAL) is None
