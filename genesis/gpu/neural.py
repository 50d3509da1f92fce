"""CTGAN and TVAE sampling on a device in large batches, seeded with a device generator.

The ``ctgan`` package samples in batches of its training size, draws the noise on the CPU
from torch's *global* generator and, for TVAE, adds the output noise with numpy's global
generator. :class:`TorchNeuralSampler` runs the same network on the device in batches of
``batch_size`` rows with every draw (latent noise, CTGAN's conditional vector, the
Gumbel-softmax noise, TVAE's output noise) taken from one ``torch.Generator`` on the device,
then hands the activated matrix to the ctgan model's own ``inverse_transform`` on the host,
so values and formats come back exactly as the model's :meth:`generate` writes them.

Differences from ``model.generate`` stated precisely:

- the random numbers differ (another generator), so rows are *not* those of the CPU model
  for the same seed; they follow the same model and repeat exactly for the same seed,
  batch size and device type;
- CTGAN's generator has BatchNorm layers that ctgan leaves in training mode while sampling
  (they normalise with each sampling batch's statistics); here they do the same over the
  device batch, which is at least ctgan's own batch size (smaller batches draw that many rows
  and keep the first ones), so each row's normalisation is no noisier than ctgan's. The
  network is a copy: the model's own weights, buffers and device are left untouched.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd

from genesis.gpu.devices import HostStaging, import_torch


class TorchNeuralSampler:
    """Model-frame rows of a fitted CTGAN or TVAE synthesizer, sampled on ``device``.

    Args:
        synthesizer: a fitted ``CTGANSynthesizer`` or ``TVAESynthesizer``.
        device: the ``torch.device`` to sample on.
    """

    def __init__(self, synthesizer: Any, device: Any) -> None:
        torch = import_torch()
        self._torch = torch
        self.device = device
        self.method = synthesizer.method
        self._columns = list(synthesizer._columns)
        self._discrete = list(synthesizer._discrete)
        model = synthesizer._model
        if self.method == "ctgan":
            self._network = copy.deepcopy(model._generator).to(device)
            self._transformer = model._transformer
            self._embedding = int(model._embedding_dim)
            self._min_rows = int(model._batch_size)
            self._condition = _condition_probabilities(torch, model._data_sampler, device)
            self._n_categories = int(model._data_sampler._n_categories)
        else:
            self._network = copy.deepcopy(model.decoder).to(device).eval()
            self._transformer = model.transformer
            self._embedding = int(model.embedding_dim)
            self._min_rows = 1
            self._condition = None
        self._spans = [span for info in self._transformer.output_info_list for span in info]
        self._continuous_starts = _continuous_starts(self._transformer)
        self._width = sum(span.dim for span in self._spans)

    def _activate(self, data: Any, generator: Any) -> Any:
        """ctgan's activations: tanh spans; Gumbel-softmax (tau 0.2) on the softmax spans,
        its Gumbel noise from ``generator``."""
        torch = self._torch
        parts, start = [], 0
        for span in self._spans:
            end = start + span.dim
            logits = data[:, start:end]
            if span.activation_fn == "tanh":
                parts.append(torch.tanh(logits))
            else:
                exponential = torch.empty_like(logits).exponential_(generator=generator)
                parts.append(torch.softmax((logits - exponential.log()) / 0.2, dim=1))
            start = end
        return torch.cat(parts, dim=1)

    def batch(self, rows: int, generator: Any) -> Any:
        """``(rows, width)`` activated network output on the device."""
        torch = self._torch
        drawn = max(rows, self._min_rows)
        noise = torch.randn(
            (drawn, self._embedding), generator=generator, dtype=torch.float32, device=self.device
        )
        if self.method == "ctgan":
            if self._condition is not None:
                index = torch.multinomial(self._condition, drawn, True, generator=generator)
                condition = torch.zeros(
                    (drawn, self._n_categories), dtype=torch.float32, device=self.device
                )
                condition[torch.arange(drawn, device=self.device), index] = 1.0
                noise = torch.cat([noise, condition], dim=1)
            out = self._activate(self._network(noise), generator)
        else:
            fake, sigmas = self._network(noise)
            out = torch.tanh(fake)
            for start in self._continuous_starts:
                jitter = torch.randn(
                    drawn, generator=generator, dtype=out.dtype, device=self.device
                )
                out[:, start] += sigmas[start] * jitter
        return out[:rows]

    def sample(self, n: int, batch_size: int, generator: Any) -> pd.DataFrame:
        """``n`` model-frame rows: batches computed on the device and copied through pinned
        memory while the next one computes, decoded by the ctgan model's transformer."""
        torch = self._torch
        staging = HostStaging(self.device, n, self._width, torch.float32)
        with torch.no_grad():
            for start in range(0, n, batch_size):
                rows = min(batch_size, n - start)
                staging.submit(self.batch(rows, generator), start)
        data = staging.result()
        sampled = pd.DataFrame(self._transformer.inverse_transform(data), columns=self._columns)
        # as the synthesizer's own _sample: codes back to integers
        for column in self._discrete:
            sampled[column] = (
                pd.to_numeric(sampled[column], errors="coerce").fillna(0).astype(np.int64)
            )
        return sampled


def _condition_probabilities(torch: Any, sampler: Any, device: Any) -> Any:
    """The category weights of ctgan's ``sample_original_condvec`` (None without discrete
    columns): its nonzero per-column category frequencies, flattened and normalised."""
    if sampler._n_discrete_columns == 0:
        return None
    freq = np.asarray(sampler._discrete_column_category_prob, dtype=np.float64).ravel()
    freq = freq[freq != 0]
    return torch.as_tensor(freq / freq.sum(), dtype=torch.float32, device=device)


def _continuous_starts(transformer: Any) -> list[int]:
    """Column offsets of the normalised value of each continuous column (where TVAE adds its
    output noise, as ctgan's ``_inverse_transform_continuous`` does with ``sigmas[st]``)."""
    starts, start = [], 0
    for info in transformer._column_transform_info_list:
        if info.column_type == "continuous":
            starts.append(start)
        start += info.output_dimensions
    return starts
