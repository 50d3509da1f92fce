"""One foreign key between two tables: ``child[child_key]`` refers to ``parent[parent_key]``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from genesis.errors import RelationalSchemaError


def _columns(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    try:
        columns = tuple(value)
    except TypeError:
        columns = ()
    if not columns or not all(isinstance(c, str) and c for c in columns):
        raise RelationalSchemaError(
            f"{what} must be a column name or a list of column names, got {value!r}; "
            "pass e.g. 'tailnum' or ['origin', 'year', 'month', 'day', 'hour']"
        )
    if len(set(columns)) != len(columns):
        raise RelationalSchemaError(f"{what} names a column twice: {list(columns)}")
    return columns


@dataclass(frozen=True)
class Relationship:
    """A foreign key: every non-null ``child_key`` of a ``child`` row names one ``parent`` row
    by its ``parent_key`` (one column or several, in the same order on both sides).

    ``Relationship("planes", "tailnum", "flights", "tailnum")``;
    ``Relationship("weather", ("origin", "year", "month", "day", "hour"), "flights",
    ("origin", "year", "month", "day", "hour"))``. A column name or a list is accepted and
    stored as a tuple.
    """

    parent: str
    parent_key: tuple[str, ...]
    child: str
    child_key: tuple[str, ...]

    def __post_init__(self) -> None:
        for name in ("parent", "child"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise RelationalSchemaError(
                    f"{name} must be a table name (a non-empty string), got {value!r}"
                )
        parent_key = _columns(self.parent_key, f"parent_key of {self.parent}")
        child_key = _columns(self.child_key, f"child_key of {self.child}")
        if len(parent_key) != len(child_key):
            raise RelationalSchemaError(
                f"{self.child}{list(child_key)} -> {self.parent}{list(parent_key)}: the child "
                f"key has {len(child_key)} column(s) and the parent key {len(parent_key)}; "
                "name the same number of columns on both sides, in matching order"
            )
        object.__setattr__(self, "parent_key", parent_key)
        object.__setattr__(self, "child_key", child_key)

    @property
    def parent_columns(self) -> tuple[str, ...]:
        """The parent's key columns."""
        return self.parent_key

    @property
    def child_columns(self) -> tuple[str, ...]:
        """The child's foreign-key columns (in the parent key's order)."""
        return self.child_key

    @property
    def is_self_reference(self) -> bool:
        """A table referring to itself (an employee's manager)."""
        return self.parent == self.child

    @property
    def name(self) -> str:
        """A short readable name: ``flights.tailnum->planes``."""
        return f"{self.child}.{'+'.join(self.child_key)}->{self.parent}"

    def to_dict(self) -> dict[str, Any]:
        """``{"parent": .., "parent_key": [..], "child": .., "child_key": [..]}``."""
        return {
            "parent": self.parent,
            "parent_key": list(self.parent_key),
            "child": self.child,
            "child_key": list(self.child_key),
        }

    @classmethod
    def from_dict(cls, data: Any) -> Relationship:
        """The relationship :meth:`to_dict` wrote (keys may be a name or a list)."""
        if not isinstance(data, dict):
            raise RelationalSchemaError(
                f"a relationship must be a mapping with parent, parent_key, child, child_key; "
                f"got {data!r}"
            )
        missing = [k for k in ("parent", "parent_key", "child", "child_key") if k not in data]
        extra = sorted(set(data) - {"parent", "parent_key", "child", "child_key"})
        if missing or extra:
            raise RelationalSchemaError(
                f"relationship {data!r}: missing {missing}, unknown {extra}; write e.g. "
                "{parent: planes, parent_key: tailnum, child: flights, child_key: tailnum}"
            )
        return cls(data["parent"], data["parent_key"], data["child"], data["child_key"])

    def __str__(self) -> str:
        return (
            f"{self.child}({', '.join(self.child_key)}) -> "
            f"{self.parent}({', '.join(self.parent_key)})"
        )


__all__ = ["Relationship"]
