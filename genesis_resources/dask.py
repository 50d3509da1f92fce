"""A Dask cluster for chunked generation: :class:`DaskResource`.

Dagster's maintainers advise Dask as a resource rather than as an executor: the run stays a
Dagster run, and one step hands its chunks to the cluster. ``DaskResource`` connects to a
scheduler (``address``, e.g. ``tcp://dask-scheduler:8786``), or starts a local cluster of
worker processes bound to 127.0.0.1 and stops it afterwards (tests, laptops)::

    dask = DaskResource(address="tcp://dask-scheduler:8786")
    dask.generate_to(model, "s3://bucket/adult-100m", 100_000_000, chunk_rows=1_000_000)

Library users outside Dagster need none of this: they pass a ``distributed.Client`` to
:func:`genesis.generators.chunked.generate_to` as its ``executor``. Chunk ``i`` is drawn from
a seed derived from ``(seed, i)`` only, so the files are the same bytes as in one process.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import dagster as dg
from pydantic import Field

from genesis.errors import ClusterUnavailableError, missing_dependency

if TYPE_CHECKING:
    from distributed import Client

#: seconds to wait for a remote scheduler before giving up
CONNECT_TIMEOUT = 30.0


class DaskResource(dg.ConfigurableResource):
    """A Dask cluster: the scheduler at ``address``, else a local cluster of processes."""

    address: str | None = Field(
        None,
        description="Scheduler address (tcp://host:8786). Empty: a local cluster of "
        "n_workers processes on 127.0.0.1, started for each use and stopped after.",
    )
    n_workers: int = Field(2, ge=1, description="Worker processes of the local cluster.")
    threads_per_worker: int = Field(
        1,
        ge=1,
        description="Threads per local worker; 1 keeps numpy's chunks on separate cores.",
    )
    connect_timeout: float = Field(
        CONNECT_TIMEOUT, gt=0, description="Seconds to wait for the scheduler at 'address'."
    )

    @contextlib.contextmanager
    def client(self) -> Iterator[Client]:
        """A ``distributed.Client`` for the cluster, closed on exit; a local cluster is also
        stopped on exit.

        Raises:
            ClusterUnavailableError: the scheduler did not answer within ``connect_timeout``,
                or the local cluster did not start.
            MissingDependencyError: ``dask[distributed]`` is not installed.
        """
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise missing_dependency("dask", "the Dask resource") from exc
        with contextlib.ExitStack() as stack:
            if self.address:
                try:
                    client = Client(self.address, timeout=self.connect_timeout)
                except (OSError, TimeoutError) as exc:
                    raise ClusterUnavailableError(
                        f"no Dask scheduler answered at {self.address!r} within "
                        f"{self.connect_timeout:g} s ({exc}); check the address and that the "
                        "scheduler is running, or leave 'address' empty for a local cluster"
                    ) from None
            else:
                try:
                    cluster = LocalCluster(
                        n_workers=self.n_workers,
                        threads_per_worker=self.threads_per_worker,
                        processes=True,
                        host="127.0.0.1",
                        # the scheduler always serves HTTP (health, metrics): loopback, any port
                        dashboard_address="127.0.0.1:0",
                    )
                except (OSError, TimeoutError) as exc:
                    raise ClusterUnavailableError(
                        f"the local Dask cluster of {self.n_workers} workers did not start "
                        f"({exc}); lower n_workers or set 'address' to a running scheduler"
                    ) from None
                stack.enter_context(cluster)
                client = Client(cluster)
            stack.enter_context(client)
            yield client

    def generate_to(
        self,
        model: Any,
        destination: str,
        n_rows: int,
        chunk_rows: int = 1_000_000,
        seed: int = 0,
        conditions: Any = None,
        format: str = "parquet",
        *,
        storage_options: dict[str, Any] | None = None,
        progress: Callable[[Any], None] | None = None,
        **options: Any,
    ) -> Any:
        """:func:`genesis.generators.chunked.generate_to` with this cluster as the executor:
        the chunk files are the same bytes as generated in one process. ``options``: further
        keywords of ``generate_to`` (e.g. ``overwrite``)."""
        from genesis.generators.chunked import generate_to

        with self.client() as client:
            return generate_to(
                model,
                destination,
                n_rows,
                chunk_rows=chunk_rows,
                seed=seed,
                conditions=conditions,
                format=format,
                executor=client,
                storage_options=storage_options,
                progress=progress,
                **options,
            )


__all__ = ["DaskResource"]
