"""Federated averaging (FedAvg, McMahan et al. 2017) of TVAE's networks across sites.

Every party fits ctgan's ``DataTransformer`` on the agreed skeleton (public, and
deterministic: rdt seeds its mixtures), so all sites encode rows into the same network
input. Each round a site loads the global weights, trains ``local_epochs`` epochs on its own
rows and answers with ``rows * weights`` and ``rows``: a vector that adds up like every other
statistic, so the plain and the masked (secure) sums both give the row-weighted average.
The result is a :class:`~genesis.generators.TVAESynthesizer` whose decoder holds the averaged
weights. CTGAN's adversarial training is not federated here (its conditional sampler and
two networks need a protocol of their own).
"""

from __future__ import annotations

import hashlib
import json
import time
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import missing_dependency
from genesis.federated.support import AgreedEncoding, agreed_encoding, skeleton

#: TVAE sizes used for federation (ctgan's defaults)
EMBEDDING, HIDDEN = 128, (128, 128)


def _ctgan():
    try:
        import torch
        from ctgan.data_transformer import DataTransformer
        from ctgan.synthesizers.tvae import TVAE, Decoder, Encoder, _loss_function
    except ImportError:
        raise missing_dependency("ctgan", "federated tvae") from None
    return torch, DataTransformer, TVAE, Encoder, Decoder, _loss_function


class NeuralShared:
    """What every party derives from the agreed support: the ctgan transformer and shapes."""

    def __init__(self, plan: dict[str, Any]) -> None:
        _, data_transformer, *_ = _ctgan()
        import joblib

        self.encoding: AgreedEncoding = agreed_encoding(plan)
        frame = self.frame(skeleton(plan), plan["seed"])
        self.discrete = [c for c in frame.columns if c in self.encoding.n_codes]
        self.transformer = data_transformer()
        with joblib.parallel_config(backend="sequential"):
            self.transformer.fit(frame, self.discrete)
        self.data_dim = self.transformer.output_dimensions
        self.columns = list(frame.columns)
        self.skeleton_x = self._transform(frame)

    def _transform(self, frame: pd.DataFrame) -> np.ndarray:
        for info in self.transformer._column_transform_info_list:
            # rdt's mode sampling advances a stored random state: reset it so an encoding
            # of the same rows is the same on every call (seeded, like every draw here)
            reset = getattr(info.transform, "reset_randomization", None)
            if reset is not None:
                reset()
        return np.asarray(self.transformer.transform(frame))

    def encode(self, data: pd.DataFrame, seed: int) -> np.ndarray:
        """A site's rows as the networks' input."""
        return self._transform(self.frame(data, seed))

    def finish(self, model, n_rows: int, started: float):
        """Give a neural synthesizer whose ``_model`` is set the state of a fitted one."""
        from genesis.drift.profile import BaselineProfile
        from genesis.generators.base import DP_PROFILE_ROWS

        model._columns = self.columns
        model._discrete = self.discrete
        model.device_ = "cpu"
        model.loss_history_ = pd.DataFrame(columns=["Epoch", "Batch", "Loss"])
        model.epoch_seconds_ = float("nan")
        model.schema_ = self.encoding.schema
        model.transformer_ = self.encoding.transformer
        model.n_rows_ = int(max(n_rows, 1))
        model.fit_seconds_ = time.perf_counter() - started
        model.training_fingerprint_ = None  # no site's table exists here to fingerprint
        rows = model.generate(int(min(DP_PROFILE_ROWS, model.n_rows_)))
        model.baseline_profile_ = BaselineProfile.fit(rows)
        model.baseline_profile_.n_rows = model.n_rows_
        return model

    def frame(self, data: pd.DataFrame, seed: int) -> pd.DataFrame:
        """The network's view of rows: the model frame with point masses drawn as ordinary
        values (they come back from the state columns), as the central TVAE fits."""
        return self.encoding.transformer.regular_values(self.encoding.model_frame(data), seed)

    def networks(self, seed: int):
        torch, _, _, encoder_cls, decoder_cls, _ = _ctgan()
        torch.manual_seed(seed)
        return encoder_cls(self.data_dim, HIDDEN, EMBEDDING), decoder_cls(
            EMBEDDING, HIDDEN, self.data_dim
        )


@lru_cache(maxsize=4)
def _shared_for(key: str, text: str) -> NeuralShared:
    return NeuralShared(json.loads(text))


def neural_shared(plan: dict[str, Any]) -> NeuralShared:
    """:class:`NeuralShared` of a support plan, cached per process."""
    text = json.dumps(plan, sort_keys=True, default=str)
    return _shared_for(hashlib.sha256(text.encode()).hexdigest(), text)


def flatten_nets(nets) -> np.ndarray:
    """The networks' parameters as one float vector (a fixed order)."""
    return np.concatenate(
        [p.detach().cpu().numpy().ravel() for net in nets for p in net.parameters()]
    ).astype(np.float64)


def flatten(encoder, decoder) -> np.ndarray:
    """TVAE's encoder and decoder parameters as one vector."""
    return flatten_nets((encoder, decoder))


def load(encoder, decoder, vector: np.ndarray) -> None:
    """Set TVAE's networks from :func:`flatten`'s vector."""
    load_nets((encoder, decoder), vector)


def load_nets(nets, vector: np.ndarray) -> None:
    """Set the networks' parameters from :func:`flatten_nets`'s vector."""
    torch = _ctgan()[0]
    offset = 0
    with torch.no_grad():
        for net in nets:
            for p in net.parameters():
                size = p.numel()
                chunk = np.asarray(vector[offset : offset + size], np.float32).reshape(p.shape)
                p.copy_(torch.from_numpy(chunk))
                offset += size


def local_update(data: pd.DataFrame, plan: dict[str, Any], site_seed: int) -> np.ndarray:
    """One site's round: ``[rows * trained weights, rows]`` starting from ``plan["global"]``
    (TVAE, or CTGAN when ``plan["method"] == "ctgan"``)."""
    torch, _, _, _, _, loss_function = _ctgan()
    if plan.get("method") == "ctgan":
        from genesis.federated.fedgan import ctgan_local_update

        return ctgan_local_update(data, plan, site_seed)
    shared = neural_shared(plan["support"])
    x = shared.encode(data, plan["seed"])
    encoder, decoder = shared.networks(plan["seed"])
    if plan.get("global") is not None:
        load(encoder, decoder, np.asarray(plan["global"], float))
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(site_seed)
        tensor = torch.from_numpy(np.asarray(x, np.float32))
        optimizer = torch.optim.Adam(
            list(encoder.parameters()) + list(decoder.parameters()), weight_decay=1e-5
        )
        batch = int(plan["batch_size"])
        for _ in range(int(plan["local_epochs"])):
            order = torch.randperm(len(tensor))
            for start in range(0, len(tensor), batch):
                real = tensor[order[start : start + batch]]
                optimizer.zero_grad()
                mu, std, logvar = encoder(real)
                rec, sigmas = decoder(torch.randn_like(std) * std + mu)
                loss_1, loss_2 = loss_function(
                    rec, real, sigmas, mu, logvar, shared.transformer.output_info_list, 2
                )
                (loss_1 + loss_2).backward()
                optimizer.step()
                decoder.sigma.data.clamp_(0.01, 1.0)
    finally:
        torch.set_num_threads(previous)
    n = float(len(tensor))
    return np.concatenate([flatten(encoder, decoder) * n, [n]])


def update_size(plan: dict[str, Any], method: str, seed: int, batch_size: int) -> int:
    """Length of a site's update vector for ``method`` (weights and the row count)."""
    if method == "ctgan":
        from genesis.federated.fedgan import parameter_count

        return parameter_count(plan, seed, batch_size)
    return flatten(*neural_shared(plan).networks(seed)).size + 1


def build_neural(
    method: str,
    plan: dict[str, Any],
    average: np.ndarray,
    n_rows: int,
    seed: int,
    batch_size: int,
    started: float,
):
    """The fitted synthesizer (TVAE or CTGAN) holding the averaged weights."""
    if method == "ctgan":
        from genesis.federated.fedgan import build_ctgan

        return build_ctgan(plan, average, n_rows, seed, batch_size, started)
    return build_tvae(plan, average, n_rows, seed, started)


def build_tvae(plan: dict[str, Any], average: np.ndarray, n_rows: int, seed: int, started: float):
    """A fitted :class:`~genesis.generators.TVAESynthesizer` holding the averaged decoder."""
    from genesis.generators import TVAESynthesizer

    torch, _, tvae_cls, *_ = _ctgan()
    shared = neural_shared(plan)
    encoder, decoder = shared.networks(seed)
    load(encoder, decoder, average)
    inner = tvae_cls(embedding_dim=EMBEDDING, compress_dims=HIDDEN, decompress_dims=HIDDEN)
    inner.transformer = shared.transformer
    inner.decoder = decoder
    inner.set_device(torch.device("cpu"))
    model = TVAESynthesizer(seed=seed, device="cpu")
    model._model = inner
    return shared.finish(model, n_rows, started)
