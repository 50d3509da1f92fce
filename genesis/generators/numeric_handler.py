"""Numeric columns (integers and floats, native or stored as text) in the model frame.

Integers beyond float64's exact range (|x| > 2**53, e.g. int64 and uint64 keys near their
limits) are modelled as their offset from the column's minimum and rebuilt in the integer
domain, so no value ever passes through a float that rounds it past the dtype's range.
Infinities are point masses: like a missing-value token they get a code of their own in the
indicator column and come back at their real rate.

Every column follows its :class:`~genesis.schema.support.Support` (from the schema, or
detected when the schema has none): clock times stored as HHMM integers are modelled as
minutes since midnight and written back valid; point masses (zeros, sentinels, spikes) and
values on a round grid get codes of their own in the state column, so they come back at
their real rates and exactly; generated values are snapped back onto the column's lattice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genesis.generators.column_handlers import _ColumnHandler
from genesis.generators.encoding import (
    NULL_SUFFIX,
    _is_integer_dtype,
    _is_number,
    _is_numpy_integer,
    _MissingLabels,
    _observed_decimals,
)
from genesis.schema.support import (
    Support,
    detect_support,
    hhmm_to_minutes,
    minutes_to_hhmm,
    on_round_grid,
    snap_to_lattice,
)
from genesis.schema.types import ColumnKind

#: integers up to this magnitude are exact in float64
_EXACT_FLOAT_INTEGER = 2**53
#: the largest float64 below 2**64 (float(2**64 - 1) rounds up to 2**64, past uint64)
_BELOW_2_64 = float(np.nextafter(np.float64(2.0**64), 0.0))


def _integer_array(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The exact values of an integer column as int64/uint64 (0 where missing) and the mask."""
    missing = s.isna().to_numpy()
    dtype = np.dtype(s.dtype.numpy_dtype) if hasattr(s.dtype, "numpy_dtype") else s.dtype
    if missing.any():
        return s.to_numpy(dtype=dtype, na_value=0), missing
    return s.to_numpy(dtype=dtype), missing


class _NumericHandler(_ColumnHandler):
    """Continuous and integer columns: a float model column plus a state column.

    The state column ``<col>__null`` holds 0 for an ordinary value, then one code per
    missing reason (NaN, a token, +inf or -inf), one per point mass of the support, and one
    for "on the round grid". Missing rows get a random observed value in the float column
    (so its marginal is the non-missing one); point-mass and round rows keep their value.
    """

    def fit(self, s, rng):
        values, missing = self._parse(s)
        observed = values[~missing]
        self.integer = self.schema.kind is ColumnKind.INTEGER or _is_integer_dtype(self.dtype)
        if self.integer:
            self.decimals = 0
        elif self.schema.decimals is not None:
            self.decimals = int(self.schema.decimals)
        else:
            self.decimals = _observed_decimals(observed)
        lo, hi = float(observed.min()), float(observed.max())
        self.minimum = (
            min(lo, float(self.schema.minimum)) if _is_number(self.schema.minimum) else lo
        )
        self.maximum = (
            max(hi, float(self.schema.maximum)) if _is_number(self.schema.maximum) else hi
        )
        # exact integer range: the model column holds value - offset (see the module docstring)
        self.offset = None
        if _is_integer_dtype(self.dtype) and max(abs(lo), abs(hi)) > _EXACT_FLOAT_INTEGER:
            exact, _ = _integer_array(s)
            present = exact[~missing]
            self.offset = present.min()
            self.span = int(present.max()) - int(self.offset)
            self.minimum, self.maximum = 0.0, float(self.span)
        self._fit_support(observed)
        self.missing = _MissingLabels()
        self.missing.fit(s, missing)
        # the float each missing reason writes back in a numeric dtype (NaN, +inf, -inf)
        self.missing_floats = None
        if self.missing.has_missing:
            labels = pd.to_numeric(self.missing.labels, errors="coerce")
            self.missing_floats = labels.to_numpy(dtype=np.float64, na_value=np.nan)
        self._fit_output_format(s, missing)
        self.null_column = self.name + NULL_SUFFIX
        self.model_columns = [self.name]
        self.roles = {self.name: "integer" if self.integer else "continuous"}
        n_states = self.missing.n_codes + self.atoms.size + (self.round_step is not None)
        if n_states > 1:
            self.model_columns = [self.null_column, self.name]
            self.roles[self.null_column] = "indicator"
            self.n_codes = {self.null_column: n_states}

    def _fit_support(self, observed: np.ndarray) -> None:
        """The support (schema's, else detected) and the bounds in model units."""
        support = Support.from_dict(self.schema.support)
        if support is None:
            decimals = 0 if self.integer else self.decimals
            support = detect_support(observed, decimals=decimals)
        if self.offset is not None:  # beyond float precision: exact integers, no grid
            support = Support()
        self.support = support
        self.hhmm = support.encoding == "hhmm"
        if self.hhmm:
            self.minimum, self.maximum = (
                float(hhmm_to_minutes(np.array([self.minimum]))[0]),
                float(hhmm_to_minutes(np.array([self.maximum]))[0]),
            )
        self.atoms = np.asarray(support.point_masses, dtype=np.float64)
        self.round_step = support.round_step
        self.grid_index = self.grid_values = None
        if support.step is not None and observed.size:
            # the lattice points seen, as stored: a grid with rounding noise (a converted
            # unit written to 5 decimals) comes back in the source's exact digits
            seen = np.unique(self._to_model(observed))
            index = np.round((seen - float(support.origin or 0.0)) / support.step)
            self.grid_index, first = np.unique(index, return_index=True)
            self.grid_values = seen[first]

    def _to_model(self, values: np.ndarray) -> np.ndarray:
        return hhmm_to_minutes(values) if getattr(self, "hhmm", False) else values

    def _states(self, values: np.ndarray, missing: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """State codes: missing reasons as given, then point masses, then the round grid."""
        first = self.missing.n_codes
        present = ~missing
        if self.atoms.size:
            position = np.full(values.shape, -1)
            matches = values[:, None] == self.atoms[None, :]
            hit = matches.any(axis=1) & present
            position[hit] = matches[hit].argmax(axis=1)
            codes = np.where(hit, first + position, codes)
            present &= ~hit
        if self.round_step is not None:
            decimals = 0 if self.integer else self.decimals
            round_rows = present & on_round_grid(values, self.round_step, decimals)
            codes = np.where(round_rows, first + self.atoms.size, codes)
        return codes

    def _parse(self, s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        tokens = set(self.schema.missing_tokens or [])
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            obj = s.astype(object)
            is_token = obj.isin(tokens).to_numpy() if tokens else np.zeros(len(s), dtype=bool)
            numbers = pd.to_numeric(obj.where(~is_token), errors="coerce")
            values = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            values = s.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = ~np.isfinite(values)
        return values, missing

    def _fit_output_format(self, s: pd.Series, missing: np.ndarray) -> None:
        """For object columns: write numbers back as strings of the same formatting."""
        self.as_strings = False
        self.string_decimals: int | None = None
        if s.dtype != object and not pd.api.types.is_string_dtype(s.dtype):
            return
        present = s[~missing]
        self.as_strings = bool(present.map(type).eq(str).all()) if len(present) else True
        if self.as_strings:
            text = present.astype(str).str.strip()
            frac = text.str.partition(".")[2]
            lengths = frac.str.len().to_numpy()
            has_point = text.str.contains(".", regex=False).to_numpy()
            if has_point.all() and lengths.size and (lengths == lengths[0]).all():
                self.string_decimals = int(lengths[0])
            elif not has_point.any():
                self.string_decimals = 0

    def transform(self, s, rng):
        values, missing = self._parse(s)
        if getattr(self, "offset", None) is not None:
            exact, _ = _integer_array(s)
            delta = exact.astype(np.uint64) - np.asarray(self.offset).astype(np.uint64)
            values = delta.astype(np.float64)  # exact enough: a spread, not a magnitude
        out = {}
        if self.null_column in self.model_columns:
            codes = self.missing.encode(s, missing)
            if getattr(self, "support", None) is not None:
                codes = self._states(np.where(missing, 0.0, values), missing, codes)
            out[self.null_column] = codes
        values = self._to_model(values)
        if missing.any():
            observed = values[~missing]
            if not observed.size:  # e.g. a parent context in which every value is missing
                middle = np.array([(self.minimum + self.maximum) / 2], dtype=np.float64)
                observed = np.asarray(self._to_model(middle), dtype=values.dtype)
            values = values.copy()
            values[missing] = observed[rng.integers(0, observed.size, size=int(missing.sum()))]
        out[self.name] = values
        return out

    def _numbers(self, frame, n) -> np.ndarray:
        x = np.asarray(frame[self.name], dtype=np.float64)
        if not np.isfinite(x).all():
            x = np.where(np.isfinite(x), x, (self.minimum + self.maximum) / 2)
        x = np.clip(x, self.minimum, self.maximum)
        support = getattr(self, "support", None)
        if support is not None and support.step is not None:
            origin = float(support.origin or 0.0)
            low = snap_to_lattice(np.array([self.minimum]), support.step, origin)[0]
            high = snap_to_lattice(np.array([self.maximum]), support.step, origin)[0]
            low += support.step if low < self.minimum - 1e-9 * abs(self.minimum) else 0.0
            high -= support.step if high > self.maximum + 1e-9 * abs(self.maximum) else 0.0
            x = np.clip(snap_to_lattice(x, support.step, origin), low, high)
            if getattr(self, "grid_index", None) is not None:
                index = np.round((x - origin) / support.step)
                where = np.minimum(
                    np.searchsorted(self.grid_index, index), self.grid_index.size - 1
                )
                x = np.where(self.grid_index[where] == index, self.grid_values[where], x)
        if self.decimals is not None:
            rounded = np.round(x, self.decimals)
            # a value already at the stored precision keeps its exact float: a real value
            # parsed from text is often one ulp from np.round's, and a classifier splitting
            # at real values would see the difference
            close = np.abs(rounded - x) <= 1e-12 * np.maximum(1.0, np.abs(x))
            x = np.where(close, x, rounded)
        return x

    def _apply_states(self, x: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
        """Point masses and round values where the state column says so; HHMM written back."""
        if codes is not None and getattr(self, "support", None) is not None:
            state = codes - self.missing.n_codes  # >= 0: a point mass, then the round grid
            if self.atoms.size:
                is_atom = (state >= 0) & (state < self.atoms.size)
                model_atoms = self._to_model(self.atoms)
                x = np.where(is_atom, model_atoms[np.clip(state, 0, self.atoms.size - 1)], x)
            if self.round_step is not None:
                x = np.where(state == self.atoms.size, self._round(x), x)
        if getattr(self, "hhmm", False):
            x = minutes_to_hhmm(x)
        return x

    def _round(self, x: np.ndarray) -> np.ndarray:
        """``x`` on the round grid, inside the bounds (unchanged where no grid point is)."""
        step = self.round_step
        rounded = np.round(x / step) * step
        rounded = np.where(rounded > self.maximum, rounded - step, rounded)
        rounded = np.where(rounded < self.minimum, rounded + step, rounded)
        inside = (rounded >= self.minimum) & (rounded <= self.maximum)
        return np.where(inside, rounded, x)

    def _exact_integers(self, x: np.ndarray) -> np.ndarray:
        """Offsets ``x`` (floats in [0, span]) back to the source's integer dtype, exactly."""
        delta = np.minimum(np.clip(x, 0.0, _BELOW_2_64).astype(np.uint64), np.uint64(self.span))
        dtype = np.dtype(getattr(self.dtype, "numpy_dtype", self.dtype))
        # modular uint64 addition: the true sum lies in the dtype's range, so it is exact
        total = delta + np.asarray(self.offset).astype(np.uint64)
        return total.view(np.int64) if dtype.kind == "i" else total

    def inverse(self, frame, n, rng):
        x = self._numbers(frame, n)
        codes = None
        if self.null_column in self.model_columns:
            codes = np.clip(
                np.asarray(frame[self.null_column]).astype(np.int64),
                0,
                self.n_codes[self.null_column] - 1,
            )
        x = self._apply_states(x, codes)
        missing = (
            (codes > 0) & (codes < self.missing.n_codes)
            if codes is not None
            else np.zeros(n, dtype=bool)
        )
        dtype = self.dtype
        if getattr(self, "offset", None) is not None:
            exact = self._exact_integers(x)
            if _is_numpy_integer(dtype):
                return pd.Series(exact.astype(dtype))
            # a nullable Int64 / UInt64 column: missing rows keep their mask
            values = exact.astype(dtype.numpy_dtype)
            return pd.Series(pd.arrays.IntegerArray(values, missing.copy()))
        if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            if self.as_strings:
                if self.integer or self.string_decimals == 0:
                    text = x.astype(np.int64).astype(str)
                elif self.string_decimals is not None:
                    text = np.char.mod(f"%.{self.string_decimals}f", x)
                else:
                    text = x.astype(str)
                out = text.astype(object)
            else:
                out = (x.astype(np.int64) if self.integer else x).astype(object)
            if missing.any():
                out[missing] = self.missing.decode(codes[missing])
            return pd.Series(out, dtype=dtype)
        if missing.any():
            x = x.copy()
            floats = getattr(self, "missing_floats", None)
            x[missing] = floats[codes[missing] - 1] if floats is not None else np.nan
        if _is_numpy_integer(dtype):
            return pd.Series(x.astype(dtype))
        return pd.Series(x).astype(dtype)
