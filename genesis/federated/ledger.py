"""A site's privacy ledger: the epsilon spent on its rows, kept across runs in a file it owns.

The file is JSON ``{"site": NAME, "version": 1, "entries": [{"run_id", "epsilon", "delta",
"time"}, ...]}``, written atomically (:func:`genesis.io.write_bytes_atomic`) after every
charge. A file that cannot be read or belongs to another site raises
:class:`~genesis.errors.PrivacyLedgerError`: a ledger is never silently reset, since a reset
would hand the site's whole budget out again. Spent epsilon adds up over runs (basic
composition).
"""

from __future__ import annotations

import json
import math
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from genesis.errors import PrivacyLedgerError

LEDGER_VERSION = 1


class PrivacyLedger:
    """The runs that spent privacy budget on one site's rows.

    Args:
        site: the site's name (recorded in the file and checked on load).
        path: the ledger file; None keeps the ledger in memory (one process's runs only).
    """

    def __init__(self, site: str, path: str | os.PathLike[str] | None = None) -> None:
        self.site = site
        self.path = None if path is None else Path(path)
        self.entries: list[dict[str, Any]] = []
        if self.path is not None and self.path.exists():
            self.entries = self._read()

    def _read(self) -> list[dict[str, Any]]:
        fix = (
            "restore the file from a backup, or, if this site's rows were never used in a "
            "differentially private run, move it away; never delete a ledger to regain budget"
        )
        try:
            document = json.loads(self.path.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PrivacyLedgerError(
                f"the privacy ledger {str(self.path)!r} of site {self.site!r} cannot be read "
                f"({exc}); {fix}"
            ) from exc
        entries = document.get("entries") if isinstance(document, dict) else None
        valid = isinstance(entries, list) and all(
            isinstance(e, dict)
            and isinstance(e.get("epsilon"), int | float)
            and not isinstance(e.get("epsilon"), bool)
            and math.isfinite(e["epsilon"])
            and e["epsilon"] >= 0
            for e in entries
        )
        if not valid or document.get("version") != LEDGER_VERSION:
            raise PrivacyLedgerError(
                f"the privacy ledger {str(self.path)!r} of site {self.site!r} is not a valid "
                f"ledger (expected version {LEDGER_VERSION} with entries of non-negative "
                f"epsilon); {fix}"
            )
        if document.get("site") != self.site:
            raise PrivacyLedgerError(
                f"the privacy ledger {str(self.path)!r} belongs to site {document.get('site')!r}, "
                f"not {self.site!r}; give every site its own ledger_path"
            )
        return entries

    def refresh(self) -> None:
        """Re-read the file (another process of the same site may have charged it)."""
        if self.path is not None and self.path.exists():
            self.entries = self._read()

    @property
    def spent(self) -> float:
        """Epsilon spent over every recorded run."""
        return float(sum(e["epsilon"] for e in self.entries))

    def record(self, epsilon: float, delta: float = 0.0, run_id: str | None = None) -> None:
        """Append a run's spending and, with a file, write the ledger atomically."""
        from genesis.io import write_bytes_atomic

        entry = {
            "run_id": run_id,
            "epsilon": float(epsilon),
            "delta": float(delta),
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        entries = [*self.entries, entry]
        if self.path is not None:
            document = {"site": self.site, "version": LEDGER_VERSION, "entries": entries}
            write_bytes_atomic(
                self.path, json.dumps(document, indent=1), what=f"privacy ledger of {self.site!r}"
            )
        self.entries = entries
