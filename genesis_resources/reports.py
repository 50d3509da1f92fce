"""Links to the HTML reports that open from the Dagster UI.

Chromium refuses ``file://`` links from an ``http://`` page, so a report is linked through
the report server (``genesis serve-reports``, started by ``make ui`` beside ``dagster dev``),
which serves the HTML files under the artifact root: ``<base_url>/<dataset>/<name>``.
"""

from __future__ import annotations

from urllib.parse import quote

import dagster as dg
from pydantic import Field

from genesis_resources.storage import ArtifactStore, LocalArtifactStore

#: where ``genesis serve-reports`` listens by default
DEFAULT_BASE_URL = "http://127.0.0.1:8765"


class ReportLinks(dg.ConfigurableResource):
    """Turns a report written to the artifact store into a link a browser opens."""

    base_url: str = Field(
        DEFAULT_BASE_URL,
        description="URL of the report server serving the artifact root (reports.base_url "
        "in genesis.yaml).",
    )

    def url(self, dataset: str, name: str) -> str:
        """``<base_url>/<dataset>/<name>``, each path part quoted."""
        parts = "/".join(quote(p) for p in f"{dataset}/{name}".split("/"))
        return f"{self.base_url.rstrip('/')}/{parts}"

    def metadata(
        self, store: ArtifactStore, dataset: str, name: str, key: str = "report"
    ) -> dict[str, dg.MetadataValue]:
        """``{key: url, key_path: where the file is}``; an S3 store gets its URI only (the
        report server serves a local folder)."""
        path = store.path_for(dataset, name)
        out: dict[str, dg.MetadataValue] = {f"{key}_path": dg.MetadataValue.path(path)}
        if isinstance(store, LocalArtifactStore):
            out[key] = dg.MetadataValue.url(self.url(dataset, name))
        return out
