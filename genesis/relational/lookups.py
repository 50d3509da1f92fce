"""Which root tables look like public lookups of named organisations or places.

``RelationalSynthesizer(reference_tables="auto")`` copies these tables whole instead of
synthesizing them. A table qualifies only on positive evidence that its rows are public
entities rather than people:

* it is a root table that other tables refer to (a dimension: airlines, airports);
* no column is personal data by :func:`genesis.schema.infer_schema` (no person name, email,
  phone, date of birth, national id, card, IBAN or IP address);
* one of its text columns other than the key is a near-unique label (distinct in at least
  :data:`LABEL_DISTINCT_SHARE` of the rows: the entity's name) whose values are mostly
  organisation or place names (:func:`genesis.schema.semantic.names_organisations`:
  "United Air Lines Inc.", "Los Angeles Intl").

Why it is not the default: copying hands out real rows, and Genesis shares no real row
unless told to. A small table of people (patients, employees) fails the tests above (its
names are person names, or it has no name column at all), but a table of companies with
confidential figures (a bank's business customers and their revenue) passes them: whether
such a table is public only its owner knows. ``"auto"`` is that owner's opt-in.
"""

from __future__ import annotations

import pandas as pd

from genesis.schema import infer_schema
from genesis.schema.semantic import names_organisations

#: share of distinct values a column needs to be a table's entity name
LABEL_DISTINCT_SHARE = 0.9
#: rows of a table the name test reads
_SAMPLE_ROWS = 5_000


def public_lookups(tables: dict[str, pd.DataFrame], schema) -> list[str]:
    """The root tables of ``schema`` that look like public lookups of named organisations
    or places (see the module docstring), in the schema's table order."""
    parents = {r.parent for r in schema.relationships}
    found = []
    for table in schema.roots():
        if table not in parents or table not in tables:
            continue
        df = tables[table]
        if len(df) == 0 or any(c.pii for c in infer_schema(df)):
            continue
        key = set(schema.primary_keys.get(table) or ())
        key |= {c for r in schema.children_of(table) for c in r.parent_key}
        for column in df.columns:
            if column in key or not _is_entity_name(df[column]):
                continue
            found.append(table)
            break
    return found


def _is_entity_name(values: pd.Series) -> bool:
    values = values.dropna()
    if values.empty or pd.api.types.is_numeric_dtype(values.dtype):
        return False
    strings = values.astype(str).str.strip()
    if strings.nunique() < LABEL_DISTINCT_SHARE * len(strings):
        return False
    sample = strings.sample(n=min(len(strings), _SAMPLE_ROWS), random_state=0)
    return names_organisations(sample)


__all__ = ["LABEL_DISTINCT_SHARE", "public_lookups"]
