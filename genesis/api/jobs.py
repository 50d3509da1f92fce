"""Generation jobs: large generations run in a bounded pool of background threads.

A job writes its rows chunk by chunk into a temporary file beside its result and renames it
into place when complete (the atomic pattern of :func:`genesis.io.write_bytes_atomic`, which
takes the whole content in memory; a job's result may not fit there), so a result that can
be downloaded is always whole. Progress is the share of rows written. Jobs belong to the
caller that created them: another token sees no job of it.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genesis.errors import (
    GenesisError,
    JobNotFoundError,
    JobNotReadyError,
    RequestTooLargeError,
    ServerStoppingError,
)

#: file extension of each job format
EXTENSIONS = {"csv": ".csv", "jsonl": ".jsonl", "parquet": ".parquet"}


@dataclass
class Job:
    """One generation job (its state changes as it runs)."""

    id: str
    owner: str
    dataset: str
    n: int
    seed: int
    format: str
    created_at: float = field(default_factory=time.time)
    status: str = "queued"
    rows_done: int = 0
    finished_at: float | None = None
    path: Path | None = None
    error: dict[str, Any] | None = None
    conditions: Any = field(default=None, repr=False)  # a ConditionSet, or None

    def to_dict(self) -> dict[str, Any]:
        done = self.status == "succeeded"
        return {
            "id": self.id,
            "status": self.status,
            "dataset": self.dataset,
            "n": self.n,
            "seed": self.seed,
            "format": self.format,
            "rows_done": self.rows_done,
            "progress": 1.0 if done or self.n == 0 else round(self.rows_done / self.n, 4),
            "created_at": self.created_at,
            "finished_at": self.finished_at,
            "result_url": f"/v1/jobs/{self.id}/result" if done else None,
            "error": self.error,
        }


class JobManager:
    """Runs jobs in ``workers`` threads and keeps at most ``max_jobs`` of them.

    ``write(job, path, progress)`` does the work: it writes the result to ``path`` and calls
    ``progress(rows)`` after each chunk. ``describe_error(exc)`` turns a failure into the
    ``{"error", "fix"}`` shown in the job's status.
    """

    def __init__(
        self,
        write: Callable[[Job, Path, Callable[[int], None]], None],
        describe_error: Callable[[GenesisError], dict[str, Any]],
        folder: str | os.PathLike[str] | None = None,
        workers: int = 1,
        max_jobs: int = 100,
    ) -> None:
        self._write = write
        self._describe = describe_error
        self._owned_folder = None
        if folder is None:
            self._owned_folder = tempfile.TemporaryDirectory(prefix="genesis-jobs-")
            folder = self._owned_folder.name
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.max_jobs = max_jobs
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="genesis-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def submit(
        self, owner: str, dataset: str, n: int, seed: int, fmt: str, conditions: Any = None
    ) -> Job:
        """Queue a job; refuses (413) when ``max_jobs`` are queued or running."""
        job = Job(secrets.token_urlsafe(16), owner, dataset, n, seed, fmt, conditions=conditions)
        with self._lock:
            self._evict()
            if len(self._jobs) >= self.max_jobs:
                raise RequestTooLargeError(
                    f"{len(self._jobs)} jobs are queued or running, the most this server keeps",
                    "wait for a job to finish (GET /v1/jobs/{id}) and try again",
                )
            self._jobs[job.id] = job
        self._executor.submit(self._run, job)
        return job

    def get(self, owner: str, job_id: str) -> Job:
        """The job ``job_id`` of ``owner``, or :class:`JobNotFoundError`."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or job.owner != owner:
            raise JobNotFoundError(
                f"there is no job {job_id!r} for this token",
                "use the id POST /v1/jobs answered with; finished jobs are dropped after "
                f"{self.max_jobs} newer ones",
            )
        return job

    def result(self, owner: str, job_id: str) -> Job:
        """The job, once its result can be downloaded; :class:`JobNotReadyError` before."""
        job = self.get(owner, job_id)
        if job.status == "failed":
            error = (job.error or {}).get("error", "it failed")
            raise JobNotReadyError(
                f"job {job_id!r} failed: {error}",
                "fix the request as its status says and submit a new job",
            )
        if job.status != "succeeded" or job.path is None:
            raise JobNotReadyError(
                f"job {job_id!r} is {job.status} ({job.rows_done:,} of {job.n:,} rows)",
                f"wait until GET /v1/jobs/{job_id} says 'succeeded', then download",
            )
        return job

    def shutdown(self) -> None:
        """Stop: queued jobs are cancelled, running ones stop after their current chunk (and
        fail, saying so); a temporary folder is deleted."""
        self._stopping.set()
        self._executor.shutdown(wait=True, cancel_futures=True)
        if self._owned_folder is not None:
            self._owned_folder.cleanup()

    def _run(self, job: Job) -> None:
        job.status = "running"
        target = self.folder / f"{job.id}{EXTENSIONS[job.format]}"
        handle, temporary = tempfile.mkstemp(prefix=f".{job.id}.", suffix=".tmp", dir=self.folder)
        os.close(handle)

        def progress(rows: int) -> None:
            job.rows_done = rows
            if self._stopping.is_set():
                raise ServerStoppingError(
                    f"the server stopped while job {job.id!r} ran ({rows:,} of {job.n:,} rows)",
                    "submit the job again once the server is back",
                )

        try:
            self._write(job, Path(temporary), progress)
            os.replace(temporary, target)
            job.path = target
            job.status = "succeeded"
        except GenesisError as exc:
            job.error = self._describe(exc)
            job.status = "failed"
        except Exception as exc:  # a bug: the job fails, the server goes on
            job.error = {
                "error": f"the job failed ({type(exc).__name__})",
                "fix": "this is a bug in Genesis: report it with the request (not the data)",
            }
            job.status = "failed"
        finally:
            Path(temporary).unlink(missing_ok=True)
            job.finished_at = time.time()

    def _evict(self) -> None:
        """Drop the oldest finished jobs (and their files) beyond ``max_jobs - 1``."""
        finished = [j for j in self._jobs.values() if j.status in ("succeeded", "failed")]
        while len(self._jobs) >= self.max_jobs and finished:
            job = finished.pop(0)
            self._jobs.pop(job.id, None)
            if job.path is not None:
                job.path.unlink(missing_ok=True)


__all__ = ["EXTENSIONS", "Job", "JobManager"]
