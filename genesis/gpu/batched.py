"""Generation in device batches: :class:`BatchedGenerator`."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import InvalidParameterError
from genesis.generators.base import _check_rows, check_choice
from genesis.generators.memory import check_generation_memory
from genesis.generators.seeding import SAMPLING, chunk_seed, library_seed
from genesis.gpu.devices import import_torch, logger, resolve_device
from genesis.validation import check_int, check_seed

#: methods with a torch sampling path (the others generate with their own CPU code)
DEVICE_METHODS = frozenset({"gaussian_copula", "ctgan", "tvae"})
#: rows per device batch when none is given
DEFAULT_BATCH_SIZE = 65_536
#: where the copula's standard normals are drawn (see BatchedGenerator)
NORMALS = ("device", "numpy")


def unwrap(model: Any) -> Any:
    """The fitted synthesizer behind ``model`` (a ``SyntheticGenerator`` or a synthesizer)."""
    synthesizer = getattr(model, "synthesizer", model)
    synthesizer._check_fitted()
    return synthesizer


class BatchedGenerator:
    """Synthetic rows of a fitted model generated in device batches.

    The Gaussian copula (its torch sampling path, :mod:`genesis.gpu.copula`), CTGAN and TVAE
    (:mod:`genesis.gpu.neural`) sample on the device ``batch_size`` rows at a time; each batch
    is copied into pinned host memory on a side CUDA stream (``non_blocking``) while the next
    one computes, and the gathered model frame goes through the model's own
    ``transformer_.inverse_transform``, so the table has exactly the format
    ``model.generate`` gives. On the CPU the same code runs with plain copies.

    Args:
        model: a fitted ``SyntheticGenerator`` or synthesizer.
        batch_size: rows per device batch (an integer >= 1).
        device: ``"auto"`` (the first CUDA GPU when torch sees one, else the CPU),
            ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
        normals: Gaussian copula only. ``"device"`` (default) draws the standard normals
            with a ``torch.Generator`` on the device; ``"numpy"`` draws them on the host with
            the numpy generator ``model.generate`` uses, in its order, and copies them to the
            device: the rows are then ``model.generate``'s for the same seed up to float32
            rounding (the matrix product on the device, torch's ``ndtr``; measured on the
            CPU on 50,000 Adult rows: the identical table), at the cost of host-side draws
            and their copy.

    Fallbacks, each logged once as a warning on the ``genesis.gpu`` logger with its reason,
    which ``fallback_reason`` keeps (None when nothing fell back):

    - ``device="auto"`` without CUDA: the torch path runs on the CPU;
    - a method without a torch path (``cart``, ...): the model's own ``generate`` on the CPU;
    - ``conditions``: the model's own conditioned ``generate`` (its analytic or guided
      conditioning runs on the CPU), logged when first asked.

    ``device="cuda"`` on a machine without CUDA raises
    :class:`~genesis.errors.DeviceUnavailableError` rather than running elsewhere.

    Reproducibility: the device path draws from a ``torch.Generator`` seeded with
    ``library_seed(seed, SAMPLING)``; the draws outside the model frame (identifiers, fakes,
    labels behind ``__other__``) use the same generator as ``model.generate``. The same
    ``(seed, n, batch_size)`` on the same device type gives the same rows; they are not the
    rows of ``model.generate(n, seed)`` (another random generator), but follow the same
    distribution (tested per column against the numpy path). CUDA's and the CPU's
    generators differ, so CPU and CUDA rows also differ for the same seed. With
    ``normals="numpy"`` (copula) the rows are ``model.generate``'s, on any device, within
    the float32 rounding stated above, and do not depend on ``batch_size``.

    Raises (at construction):
        InvalidParameterError: ``batch_size`` below 1 or an unknown device string.
        DeviceUnavailableError: a named CUDA device that torch cannot see.
        NotFittedError: the model is not fitted.
    """

    def __init__(
        self,
        model: Any,
        batch_size: int = DEFAULT_BATCH_SIZE,
        device: str = "auto",
        *,
        normals: str = "device",
    ):
        check_int("batch_size", batch_size, 1)
        self.model = model
        self.batch_size = int(batch_size)
        self._synthesizer = unwrap(model)
        self.method = self._synthesizer.method
        self.normals = check_normals(normals, self.method)
        self.fallback_reason: str | None = None
        self._conditions_logged = False
        self._sampler: Any = None
        device_, reason = resolve_device(device)
        self.device = str(device_)
        if self.method not in DEVICE_METHODS:
            self.device = "cpu"
            self.fallback_reason = (
                f"method {self.method!r} has no torch sampling path (only "
                f"{', '.join(sorted(DEVICE_METHODS))} have one); generating with the model's "
                "own generate on the CPU"
            )
        elif self._synthesizer.transformer_.model_columns_:
            self.fallback_reason = reason
            self._sampler = _make_sampler(self._synthesizer, device_)
        if self.fallback_reason:
            logger.warning("BatchedGenerator: %s", self.fallback_reason)

    def __repr__(self) -> str:
        return (
            f"BatchedGenerator(method={self.method!r}, batch_size={self.batch_size}, "
            f"device={self.device!r})"
        )

    def generate(self, n: int, seed: int | None = None, conditions: Any = None) -> pd.DataFrame:
        """``n`` synthetic rows in the source table's exact format.

        ``seed``: None uses the model's seed (same rows every call). ``conditions``: as in
        the model's ``generate``, met by the model's own (CPU) conditioning.
        """
        synthesizer = self._synthesizer
        n = _check_rows(n)
        seed = check_seed(synthesizer.seed if seed is None else seed)
        if conditions is not None or self._sampler is None:
            if conditions is not None and not self._conditions_logged:
                self._conditions_logged = True
                logger.warning(
                    "BatchedGenerator: conditions are met by the %s model's own generate on "
                    "the CPU (its conditioning has no device path)",
                    self.method,
                )
            return synthesizer.generate(n, seed=seed, conditions=conditions)
        transformer = synthesizer.transformer_
        check_generation_memory(n, transformer)
        if n == 0:
            return synthesizer.generate(0, seed=seed)
        torch = import_torch()
        device = torch.device(self.device)
        generator = torch.Generator(device=device)
        generator.manual_seed(library_seed(seed, SAMPLING))
        model_seed, output_seed = np.random.SeedSequence(seed).spawn(2)
        with self._threads(torch, device):
            if self.normals == "numpy":  # the normals model.generate draws, in its order
                host_rng = np.random.default_rng(model_seed)
                frame = self._sampler.sample(n, self.batch_size, generator, host_rng)
            else:
                frame = self._sampler.sample(n, self.batch_size, generator)
        # the draws outside the model frame as model.generate makes them
        return transformer.inverse_transform(frame, np.random.default_rng(output_seed), n=n)

    def generate_chunks(
        self,
        n: int,
        chunk_rows: int,
        seed: int | None = None,
        conditions: Any = None,
    ) -> Iterator[pd.DataFrame]:
        """``n`` rows as consecutive tables of at most ``chunk_rows`` rows; chunk ``i`` is
        ``generate(rows_i, seed=chunk_seed(seed, i))``, the seeds of
        ``genesis.generators.chunked.ChunkPlan.seed_of``, so any chunk can be regenerated
        alone, here or in another process (:class:`~genesis.gpu.MultiGPUGenerator`)."""
        n = _check_rows(n)
        check_int("chunk_rows", chunk_rows, 1)
        seed = check_seed(self._synthesizer.seed if seed is None else seed)
        for index, start in enumerate(range(0, n, int(chunk_rows))):
            rows = min(int(chunk_rows), n - start)
            yield self.generate(rows, seed=chunk_seed(seed, index), conditions=conditions)

    @contextlib.contextmanager
    def _threads(self, torch: Any, device: Any) -> Iterator[None]:
        """On the CPU, the model's torch thread setting (1 on small machines)."""
        if device.type != "cpu":
            yield
            return
        from genesis.generators.neural import _torch_threads
        from genesis.threads import small_machine_threads

        threads_of = getattr(self._synthesizer, "_threads", None)
        threads = threads_of() if threads_of is not None else small_machine_threads()
        with _torch_threads(threads):
            yield


def check_normals(normals: Any, method: str) -> str:
    """``normals`` if valid for ``method``: ``"device"``, or ``"numpy"`` for the copula."""
    check_choice("normals", normals, NORMALS)
    if normals == "numpy" and method != "gaussian_copula":
        raise InvalidParameterError(
            f"normals='numpy' applies to the gaussian_copula method only, not {method!r}; "
            "leave normals='device'"
        )
    return normals


def _make_sampler(synthesizer: Any, device: Any) -> Any:
    if synthesizer.method == "gaussian_copula":
        from genesis.gpu.copula import TorchCopulaSampler

        return TorchCopulaSampler(synthesizer, device)
    from genesis.gpu.neural import TorchNeuralSampler

    return TorchNeuralSampler(synthesizer, device)
