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
        return self._sample([(n, None, None)], rng)

    def _sample(
        self, draws: list[tuple[int, str | None, int | None]], rng: np.random.Generator
    ) -> pd.DataFrame:
        """Model rows: for each ``(rows, column, code)`` of ``draws``, ``rows`` rows of the
        ctgan model, concatenated in that order; each draw seeded from ``rng``.

        With a ``column``, the rows come from CTGAN's generator given the conditional vector
        ``column == code`` and hold ``code`` in ``column``. CTGAN trains that generator
        against real rows of the same category (its discriminator sees the conditional
        vector beside them), so the other columns follow the model's conditional given the
        code; the generator's own output for the conditioned column only echoes the vector
        and ignores it early in training (measured: after 10 epochs on 3,000 Adult rows the
        vector ``sex == Female`` left the share of women unchanged)."""
        torch = _import_torch()
        device = self._resolve_device()
        parts = []
        with _torch_threads(self._threads()), _sequential_joblib(), torch.no_grad():
            self._model.set_device(torch.device(device))
            for rows, column, code in draws:
                self._model.set_random_state(int(rng.integers(2**31)))
                if column is None:
                    sampled = self._model.sample(rows)
                else:
                    sampled = self._model.sample(
                        rows, condition_column=column, condition_value=code
                    )
                    sampled[column] = code
                parts.append(pd.DataFrame(sampled, columns=self._columns))
        sampled = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        sampled = sampled.reset_index(drop=True)
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
    discriminator loss per epoch), ``device_`` and ``code_shares_`` (each discrete model
    column's share of training rows per code).

    Conditions (``generate(n, conditions=...)``): CTGAN's own conditional vector steers one
    discrete column, the most selective of the conditions on discrete columns (see
    :meth:`_generate_conditioned`); every condition, that one included, is then met by
    guided sampling (:func:`~genesis.generators.conditioning.generate_conditioned`: batches
    filtered, bounded, :class:`~genesis.errors.InfeasibleConditionError` at the bound).
    """

    method = "ctgan"
    #: the advice of the error raised when guided sampling reaches its bound
    infeasible_hint = (
        "CTGAN's conditional vector steers one discrete column (the most selective condition "
        "on one) and its rows are filtered for the rest, so a condition on a number, or "
        "several rare ones together, can stay out of reach: relax the conditions, train more "
        "epochs, or use method='cart' or 'gaussian_copula', which condition inside the model"
    )

    def _fit(self, frame: pd.DataFrame, transformer: TableTransformer) -> None:
        super()._fit(frame, transformer)
        self.code_shares_ = {
            column: np.bincount(
                frame[column].to_numpy(dtype=np.int64), minlength=transformer.n_codes_[column]
            )
            / max(len(frame), 1)
            for column in self._discrete
        }

    def _generate_conditioned(
        self, n: int, rng: np.random.Generator, conditions: Any
    ) -> pd.DataFrame:
        """``n`` model rows drawn under CTGAN's conditional vector for the most selective
        condition on a discrete column (fewest training rows among the codes that satisfy
        it), ``n`` split across those codes in proportion to their training rows (see
        :meth:`_sample`); without such a condition, the unconditioned draw. The rows are not
        filtered here: the other conditions, and a code whose label is drawn at random
        (``__other__``, a rare stand-in), are left to guided sampling.

        Raises:
            InfeasibleConditionError: no code the model can generate satisfies the
                condition on a discrete column (probability zero under the model).
        """
        steer = self._steering(conditions)
        if steer is None:
            return self._generate(n, rng)
        column, codes, shares = steer
        counts = rng.multinomial(n, shares / shares.sum())
        draws = [(int(k), column, int(code)) for code, k in zip(codes, counts, strict=True) if k]
        frame = self._sample(draws, rng)
        # rows grouped by code would bias which ones a short final batch keeps
        return frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)

    def _steering(self, conditions: Any) -> tuple[str, np.ndarray, np.ndarray] | None:
        """The discrete model column to steer, its satisfying codes and their training
        shares (None when no condition restricts a discrete column)."""
        from genesis.generators.conditioning import ColumnCondition

        transformer = self.transformer_
        best = None
        for column in dict.fromkeys(c.column for c in conditions):
            if transformer.roles_.get(column) != "discrete":
                continue
            check = ColumnCondition(transformer, column, conditions)
            if check.value not in self._discrete:
                continue
            n_codes = transformer.n_codes_[check.value]
            shares = self._shares(check.value, n_codes)
            allowed = check.allowed_codes(n_codes) & (shares > 0)
            if not allowed.any():
                known = np.flatnonzero(shares > 0)
                raise check.infeasible(known if known.size else np.arange(n_codes))
            mass = float(shares[allowed].sum() / shares.sum())
            if mass < 1.0 and (best is None or mass < best[0]):
                best = (mass, check.value, np.flatnonzero(allowed), shares[allowed])
        return None if best is None else best[1:]

    def _shares(self, column: str, n_codes: int) -> np.ndarray:
        """Training share of each code of a discrete model column; models saved before
        ``code_shares_`` existed get equal shares over the codes their ctgan model knows."""
        shares = getattr(self, "code_shares_", {}).get(column)
        if shares is not None:
            return np.asarray(shares, dtype=np.float64)
        info = next(
            i
            for i in self._model._transformer._column_transform_info_list
            if i.column_name == column
        )
        known = np.asarray(list(info.transform.dummies), dtype=np.int64)
        out = np.zeros(n_codes, dtype=np.float64)
        out[known[(known >= 0) & (known < n_codes)]] = 1.0
        return out

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

    Conditions (``generate(n, conditions=...)``): TVAE has no conditional vector (ctgan's
    TVAE samples its decoder unconditioned), so every condition is met by guided sampling
    alone (:func:`~genesis.generators.conditioning.generate_conditioned`: batches filtered,
    bounded, :class:`~genesis.errors.InfeasibleConditionError` at the bound); a rare
    condition is better served by ``ctgan``, ``cart`` or ``gaussian_copula``.
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
