"""Federated averaging of CTGAN's generator and discriminator (FedGAN-style, one
discriminator step per generator step).

Sites share ctgan's ``DataTransformer`` fitted on the agreed skeleton
(:class:`~genesis.federated.neural.NeuralShared`), so the networks' inputs and conditional
vectors have the same layout everywhere; each site samples conditional vectors from its own
rows. The final model's conditional sampler is built on the skeleton, whose one-column
frequencies are the agreed marginals (no row of any site).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import missing_dependency
from genesis.federated.neural import NeuralShared, flatten_nets, load_nets, neural_shared

#: CTGAN sizes used for federation (ctgan's defaults) and its discriminator's pack size
EMBEDDING, GENERATOR, DISCRIMINATOR, PAC = 128, (256, 256), (256, 256), 10


def _ctgan():
    try:
        import torch
        from ctgan.data_sampler import DataSampler
        from ctgan.synthesizers.ctgan import CTGAN, Discriminator, Generator
    except ImportError:
        raise missing_dependency("ctgan", "federated ctgan") from None
    return torch, CTGAN, Generator, Discriminator, DataSampler


def networks(shared: NeuralShared, seed: int, batch_size: int):
    """A CTGAN shell (transformer, skeleton sampler) and fresh seeded generator and critic."""
    torch, ctgan_cls, generator_cls, discriminator_cls, sampler_cls = _ctgan()
    model = ctgan_cls(batch_size=int(batch_size), pac=PAC, epochs=1)
    model._transformer = shared.transformer
    model._data_sampler = sampler_cls(shared.skeleton_x, shared.transformer.output_info_list, True)
    model._device = torch.device("cpu")
    cond = model._data_sampler.dim_cond_vec()
    torch.manual_seed(seed)
    generator = generator_cls(EMBEDDING + cond, GENERATOR, shared.data_dim)
    critic = discriminator_cls(shared.data_dim + cond, DISCRIMINATOR, pac=PAC)
    return model, generator, critic


def ctgan_local_update(data: pd.DataFrame, plan: dict[str, Any], site_seed: int) -> np.ndarray:
    """One site's round: ``[rows * (generator, critic) weights, rows]``."""
    torch, _, _, _, sampler_cls = _ctgan()
    shared = neural_shared(plan["support"])
    x = shared.encode(data, plan["seed"])
    batch = int(plan["batch_size"])
    model, generator, critic = networks(shared, plan["seed"], batch)
    if plan.get("global") is not None:
        load_nets((generator, critic), np.asarray(plan["global"], float))
    sampler = sampler_cls(x, shared.transformer.output_info_list, True)
    # ctgan's sampler draws from numpy's global generator: seed it, restore it after
    state, threads = np.random.get_state(), torch.get_num_threads()  # noqa: NPY002
    np.random.seed(site_seed)  # noqa: NPY002
    rng = np.random.default_rng(site_seed)
    torch.manual_seed(site_seed)
    torch.set_num_threads(1)
    try:
        opt_g = torch.optim.Adam(
            generator.parameters(), lr=2e-4, betas=(0.5, 0.9), weight_decay=1e-6
        )
        opt_d = torch.optim.Adam(critic.parameters(), lr=2e-4, betas=(0.5, 0.9), weight_decay=1e-6)
        mean = torch.zeros(batch, EMBEDDING)
        for _ in range(int(plan["local_epochs"]) * max(len(x) // batch, 1)):
            c1, m1, col, opt = (
                torch.from_numpy(v) if i < 2 else v
                for i, v in enumerate(sampler.sample_condvec(batch))
            )
            perm = rng.permutation(batch)
            real = torch.from_numpy(
                sampler.sample_data(x, batch, col[perm], opt[perm]).astype("float32")
            )
            fake = model._apply_activate(generator(torch.cat([torch.normal(mean, 1.0), c1], 1)))
            real_cat, fake_cat = torch.cat([real, c1[perm]], 1), torch.cat([fake, c1], 1)
            pen = critic.calc_gradient_penalty(real_cat, fake_cat, "cpu", PAC)
            loss_d = -(torch.mean(critic(real_cat)) - torch.mean(critic(fake_cat)))
            opt_d.zero_grad(set_to_none=False)
            pen.backward(retain_graph=True)
            loss_d.backward()
            opt_d.step()
            c1, m1, _, _ = (
                torch.from_numpy(v) if i < 2 else v
                for i, v in enumerate(sampler.sample_condvec(batch))
            )
            raw = generator(torch.cat([torch.normal(mean, 1.0), c1], 1))
            y_fake = critic(torch.cat([model._apply_activate(raw), c1], 1))
            loss_g = -torch.mean(y_fake) + model._cond_loss(raw, c1, m1)
            opt_g.zero_grad(set_to_none=False)
            loss_g.backward()
            opt_g.step()
    finally:
        np.random.set_state(state)  # noqa: NPY002
        torch.set_num_threads(threads)
    n = float(len(x))
    return np.concatenate([flatten_nets((generator, critic)) * n, [n]])


def parameter_count(plan: dict[str, Any], seed: int, batch_size: int) -> int:
    """Length of a site's ctgan update vector (weights and the row count)."""
    _, generator, critic = networks(neural_shared(plan), seed, batch_size)
    return flatten_nets((generator, critic)).size + 1


def build_ctgan(
    plan: dict[str, Any], average: np.ndarray, n_rows: int, seed: int, batch: int, started: float
):
    """A fitted :class:`~genesis.generators.CTGANSynthesizer` holding the averaged generator."""
    from genesis.generators import CTGANSynthesizer

    shared = neural_shared(plan)
    inner, generator, critic = networks(shared, seed, batch)
    load_nets((generator, critic), average)
    inner._generator = generator
    model = CTGANSynthesizer(seed=seed, device="cpu", batch_size=batch)
    model._model = inner
    return shared.finish(model, n_rows, started)
