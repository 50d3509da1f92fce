"""Neural synthesizers: thin wrappers over the ``ctgan`` package's CTGAN and TVAE.

They learn the shared transformer's model frame, so high-cardinality columns arrive capped
(no one-hot blow-up) and missing values arrive as indicator codes. torch and ctgan are
imported only when a neural model is fitted or used.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import InvalidParameterError, missing_dependency
from genesis.generators.base import BaseSynthesizer, check_choice, check_int
from genesis.generators.seeding import CTGAN_STATE, TORCH, library_seed
from genesis.generators.transformer import TableTransformer
from genesis.threads import small_machine_threads

DEVICES = ("auto", "cpu", "cuda")
_PAC = 10


def default_torch_threads() -> int | None:
    """torch's CPU threads when ``torch_threads="auto"``: :func:`genesis.threads.small_machine_threads`
    (1 on machines with at most 4 cores, where torch's default made CTGAN 17-35x slower)."""
    return small_machine_threads()


def _import_torch() -> Any:
    try:
        import torch
    except ImportError:
        raise missing_dependency("torch", "the ctgan and tvae methods") from None
    return torch


@contextlib.contextmanager
def _torch_threads(threads: int | None) -> Iterator[None]:
    torch = _import_torch()
    previous = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(int(threads))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@contextlib.contextmanager
def _sequential_joblib() -> Iterator[None]:
    # ctgan transforms columns with joblib worker processes whose random state is unseeded;
    # running them in-process keeps the same seed giving the same model
    import joblib

    with joblib.parallel_config(backend="sequential"):
        yield


class _NeuralSynthesizer(BaseSynthesizer):
    """Shared parameters, device handling, seeding and timing of the ctgan wrappers."""

    def __init__(
        self,
        *,
        epochs: int = 300,
        batch_size: int = 500,
        device: str = "auto",
        torch_threads: int | None | str = "auto",
        verbose: bool = False,
        max_categories: int = 100,
        seed: int = 0,
    ) -> None:
        super().__init__(max_categories=max_categories, seed=seed)
        self.epochs = epochs
        self.batch_size = batch_size
        self.device = device
        self.torch_threads = torch_threads
        self.verbose = verbose

    def _validate_params(self) -> None:
        super()._validate_params()
        check_int("epochs", self.epochs, 1)
        check_int("batch_size", self.batch_size, 2)
        check_choice("device", self.device, DEVICES)
        if self.torch_threads != "auto":
            check_int("torch_threads", self.torch_threads, 1, allow_none=True)
        if not isinstance(self.verbose, bool):
            raise InvalidParameterError(f"verbose must be True or False, got {self.verbose!r}")
        self._resolve_device()

    def _resolve_device(self) -> str:
        torch = _import_torch()
        available = torch.cuda.is_available()
        if self.device == "cuda" and not available:
            raise InvalidParameterError(
                "device='cuda' was asked for but torch sees no CUDA GPU on this machine; "
                "pass device='cpu' (or 'auto' to use a GPU only when there is one)"
            )
        if self.device == "auto":
            return "cuda" if available else "cpu"
        return self.device

    def _threads(self) -> int | None:
        return default_torch_threads() if self.torch_threads == "auto" else self.torch_threads

    def _make_model(self, enable_gpu: bool) -> Any:
        raise NotImplementedError

    def _fit(self, frame: pd.DataFrame, transformer: TableTransformer) -> None:
        torch = _import_torch()
        self.device_ = self._resolve_device()
        discrete = [c for c in frame.columns if c in transformer.n_codes_]
        # mode-specific normalisation of ordinary values only; point masses come back from
        # the state columns
        frame = transformer.regular_values(frame, seed=int(self.seed))
        with _torch_threads(self._threads()), _sequential_joblib():
            # torch and ctgan take narrower seeds than Genesis: derived ones, deterministic
            torch.manual_seed(library_seed(self.seed, TORCH))
            model = self._make_model(enable_gpu=self.device_ == "cuda")
            model.set_random_state(library_seed(self.seed, CTGAN_STATE))
            start = time.perf_counter()
            model.fit(frame, discrete_columns=discrete)
            self.epoch_seconds_ = (time.perf_counter() - start) / int(self.epochs)
        self.loss_history_ = pd.DataFrame(model.loss_values).reset_index(drop=True)
        self._model = model
        self._columns = list(frame.columns)
        self._discrete = discrete

    def _generate(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        torch = _import_torch()
        device = self._resolve_device()
        with _torch_threads(self._threads()), _sequential_joblib(), torch.no_grad():
            self._model.set_device(torch.device(device))
            self._model.set_random_state(int(rng.integers(2**31)))
            sampled = self._model.sample(n)
        sampled = pd.DataFrame(sampled, columns=self._columns).reset_index(drop=True)
        for column in self._discrete:
            sampled[column] = (
                pd.to_numeric(sampled[column], errors="coerce").fillna(0).astype(np.int64)
            )
        return sampled

    def _before_save(self) -> None:
        torch = _import_torch()
        self._model.set_device(torch.device("cpu"))


class CTGANSynthesizer(_NeuralSynthesizer):
    """CTGAN (conditional tabular GAN, Xu et al. 2019) from the ``ctgan`` package.

    Args:
        epochs: training epochs (default 300).
        batch_size: rows per step; a multiple of 10 (CTGAN's discriminator packs 10 rows).
        device: ``"auto"`` (a CUDA GPU when torch sees one, else the CPU), ``"cpu"`` or
            ``"cuda"``.
        torch_threads: torch CPU threads while fitting and sampling; ``"auto"`` means 1 on
            machines with at most 4 cores and torch's default otherwise, None torch's default.
        verbose: print ctgan's progress bar.
        max_categories, seed: see :class:`~genesis.generators.base.BaseSynthesizer`.

    After fit: ``epoch_seconds_`` (mean seconds per epoch), ``loss_history_`` (generator and
    discriminator loss per epoch) and ``device_``.
    """

    method = "ctgan"

    def _validate_params(self) -> None:
        super()._validate_params()
        if self.batch_size % _PAC:
            raise InvalidParameterError(
                f"CTGAN's batch_size must be a multiple of {_PAC} (its discriminator packs {_PAC} rows), "
                f"got {self.batch_size}; pass e.g. batch_size={max(_PAC, self.batch_size // _PAC * _PAC)}"
            )

    def _make_model(self, enable_gpu: bool) -> Any:
        try:
            from ctgan import CTGAN
        except ImportError:
            raise missing_dependency("ctgan", "the ctgan method") from None
        return CTGAN(
            epochs=int(self.epochs),
            batch_size=int(self.batch_size),
            pac=_PAC,
            verbose=self.verbose,
            enable_gpu=enable_gpu,
        )


class TVAESynthesizer(_NeuralSynthesizer):
    """TVAE (tabular variational autoencoder, Xu et al. 2019) from the ``ctgan`` package.

    Takes the same parameters as :class:`CTGANSynthesizer` (``batch_size`` any integer >= 2).
    After fit: ``epoch_seconds_``, ``loss_history_`` (loss per batch) and ``device_``.
    """

    method = "tvae"

    def _make_model(self, enable_gpu: bool) -> Any:
        try:
            from ctgan import TVAE
        except ImportError:
            raise missing_dependency("ctgan", "the tvae method") from None
        return TVAE(
            epochs=int(self.epochs),
            batch_size=int(self.batch_size),
            verbose=self.verbose,
            enable_gpu=enable_gpu,
        )
