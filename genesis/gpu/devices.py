"""Which torch device a generation runs on, and how its batches reach host memory.

:func:`resolve_device` turns a device string into a ``torch.device`` and, when the request
cannot be met as asked, the reason it fell back to the CPU. :class:`HostStaging` copies
device batches into pinned host buffers on a side CUDA stream (``non_blocking``), so the copy
of batch ``i`` overlaps the compute of batch ``i + 1``; on the CPU both are plain copies.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np

from genesis.errors import DeviceUnavailableError, InvalidParameterError, missing_dependency

logger = logging.getLogger("genesis.gpu")

_DEVICE = re.compile(r"^(auto|cpu|cuda)(:\d+)?$")


def import_torch() -> Any:
    """torch, or a :class:`~genesis.errors.MissingDependencyError` with the install hint."""
    try:
        import torch
    except ImportError:
        raise missing_dependency("torch", "GPU generation (genesis.gpu)") from None
    return torch


def check_device_string(device: Any) -> str:
    """``device`` if it is ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:N"``; else a clear
    :class:`~genesis.errors.InvalidParameterError`."""
    if not isinstance(device, str) or not _DEVICE.match(device) or device.startswith("auto:"):
        raise InvalidParameterError(
            f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {device!r}; pass "
            "device='auto' to use a CUDA GPU when torch sees one and the CPU otherwise"
        )
    if device.startswith("cpu:"):
        raise InvalidParameterError(f"device {device!r}: the CPU has no index; pass 'cpu'")
    return device


def resolve_device(device: str) -> tuple[Any, str | None]:
    """``(torch.device, fallback_reason)`` for a device string.

    ``"auto"`` is the first CUDA GPU when torch sees one, else the CPU with the reason
    ``"no CUDA device ..."``; ``"cpu"`` is the CPU (no reason: it was asked for). A named
    CUDA device that torch cannot see raises rather than silently running elsewhere.

    Raises:
        InvalidParameterError: an unknown device string.
        DeviceUnavailableError: ``"cuda"`` or ``"cuda:N"`` on a machine without that GPU.
    """
    device = check_device_string(device)
    torch = import_torch()
    available = torch.cuda.is_available()
    if device == "cpu":
        return torch.device("cpu"), None
    if device == "auto":
        if available:
            return torch.device("cuda", torch.cuda.current_device()), None
        return torch.device("cpu"), (
            f"no CUDA device: torch {torch.__version__} sees no GPU (torch.cuda.is_available() "
            "is False), generating on the CPU"
        )
    if not available:
        raise DeviceUnavailableError(
            f"device={device!r} was asked for but torch {torch.__version__} sees no CUDA GPU on "
            "this machine; pass device='auto' (the GPU when there is one, else the CPU) or 'cpu'"
        )
    index = int(device.split(":")[1]) if ":" in device else torch.cuda.current_device()
    if index >= torch.cuda.device_count():
        raise DeviceUnavailableError(
            f"device={device!r} was asked for but this machine has "
            f"{torch.cuda.device_count()} CUDA device(s); pass an index below that"
        )
    return torch.device("cuda", index), None


class HostStaging:
    """Device batches gathered into one host array, copies overlapping the next compute.

    ``submit(batch, start)`` queues the copy of a ``(rows, k)`` device tensor into rows
    ``start:`` of the result; on CUDA it goes through one of two pinned buffers on a side
    stream, ``non_blocking``, and the previous batch is moved out of its buffer meanwhile.
    ``result()`` waits for the last copies and returns the ``(n, k)`` numpy array. On the
    CPU the copies are plain (there is nothing to overlap with).
    """

    def __init__(self, device: Any, n: int, k: int, dtype: Any) -> None:
        torch = import_torch()
        self._torch = torch
        self._cuda = device.type == "cuda"
        self._out = np.empty((n, k), dtype=torch.empty((), dtype=dtype).numpy().dtype)
        self._pending: list[tuple[Any, Any, int, int]] = []  # (event, buffer, start, rows)
        if self._cuda:
            self._stream = torch.cuda.Stream(device=device)
            self._buffers: list[Any] = []
            self._next = 0

    def _buffer(self, rows: int, k: int, dtype: Any) -> Any:
        torch = self._torch
        if len(self._buffers) < 2:
            self._buffers.append(torch.empty((rows, k), dtype=dtype, pin_memory=True))
        buffer = self._buffers[self._next % 2]
        self._next += 1
        if buffer.shape[0] < rows:  # only the first batches set the size; later ones are <=
            buffer = torch.empty((rows, k), dtype=dtype, pin_memory=True)
            self._buffers[(self._next - 1) % 2] = buffer
        return buffer[:rows]

    def submit(self, batch: Any, start: int) -> None:
        """Queue the copy of ``batch`` (a device tensor) into rows ``start:`` of the result."""
        rows = int(batch.shape[0])
        if not self._cuda:
            self._out[start : start + rows] = batch.numpy()
            return
        torch = self._torch
        # a pinned buffer is reused every second batch: drain its previous copy first
        while len(self._pending) >= 2:
            self._drain_one()
        buffer = self._buffer(rows, int(batch.shape[1]), batch.dtype)
        self._stream.wait_stream(torch.cuda.current_stream(batch.device))
        with torch.cuda.stream(self._stream):
            buffer.copy_(batch, non_blocking=True)
            event = torch.cuda.Event()
            event.record(self._stream)
        batch.record_stream(self._stream)  # the allocator keeps it until the copy is done
        self._pending.append((event, buffer, start, rows))

    def _drain_one(self) -> None:
        event, buffer, start, rows = self._pending.pop(0)
        event.synchronize()
        self._out[start : start + rows] = buffer.numpy()

    def result(self) -> np.ndarray:
        """The ``(n, k)`` host array, once every queued copy has landed."""
        while self._pending:
            self._drain_one()
        return self._out
