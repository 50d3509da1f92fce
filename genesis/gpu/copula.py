"""The Gaussian copula's sampling path in torch: correlated normals and marginal inversion on
the device.

:class:`TorchCopulaSampler` reads a fitted
:class:`~genesis.generators.gaussian_copula.GaussianCopulaSynthesizer` (plain or
differentially private: both keep the same state) and reproduces its ``_generate`` step by
step: float32 standard normals times the transposed float32 Cholesky factor; discrete
columns by ``searchsorted`` of each score against the float32 normal thresholds of the code
intervals; empirical continuous columns by linear interpolation between the stored order
statistics at ``(i + 0.5) / m`` in float64; parametric columns through the fitted law's
quantile function (norm, lognorm and uniform on the device; gamma and beta through scipy on
the host, from the device's uniforms).

Given the *same* normals the model frame equals the numpy path's (tests feed numpy's normals
through :meth:`TorchCopulaSampler.decode`; a score exactly on a float32 threshold could in
principle land on the other side where torch's and scipy's ``ndtr`` differ by an ulp). By default
the normals come from a ``torch.Generator`` on the device, not from numpy's generator, so
rows drawn here are *not* the rows the CPU model draws for the same seed: they follow the
same distribution (tests compare per-column KS distances and correlations with the numpy
path) and are exactly reproducible for the same seed, batch size and device type (CUDA and
CPU generators differ). With the normals drawn by numpy on the host (``host_rng`` of
:meth:`TorchCopulaSampler.sample`, ``normals="numpy"`` of
:class:`~genesis.gpu.BatchedGenerator`) the rows are the CPU model's, up to the float32
rounding of the matrix product and of ``ndtr`` (see the tests for the measured agreement).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from genesis.gpu.devices import HostStaging, import_torch

_EPS = 1e-9  # as genesis.generators.gaussian_copula._EPS
#: parametric families whose quantile function runs on the device (the others use scipy)
DEVICE_FAMILIES = frozenset({"norm", "lognorm", "uniform"})


class TorchCopulaSampler:
    """Model-frame rows of a fitted Gaussian copula, drawn and inverted on ``device``.

    Args:
        synthesizer: a fitted ``GaussianCopulaSynthesizer``.
        device: the ``torch.device`` to sample on.
    """

    def __init__(self, synthesizer: Any, device: Any) -> None:
        torch = import_torch()
        self._torch = torch
        self.device = device
        self.columns: list[str] = list(synthesizer._columns)
        self._cholesky_t = torch.as_tensor(
            np.ascontiguousarray(synthesizer._cholesky.T), dtype=torch.float32, device=device
        )
        self._marginals: list[tuple] = []
        self.discrete: list[bool] = []
        for marginal in synthesizer._marginals:
            kind = marginal[0]
            if kind == "discrete":
                _, thresholds, codes = marginal
                self._marginals.append(
                    (
                        "discrete",
                        torch.as_tensor(np.asarray(thresholds, np.float32), device=device),
                        torch.as_tensor(np.asarray(codes, np.int64), device=device),
                    )
                )
            elif kind == "empirical":
                quantiles = np.asarray(marginal[1], np.float64)
                self._marginals.append(
                    ("empirical", torch.as_tensor(quantiles, device=device), quantiles.size)
                )
            else:
                self._marginals.append(tuple(marginal))
            self.discrete.append(kind == "discrete")

    def normals(self, rows: int, generator: Any) -> Any:
        """``(rows, k)`` correlated standard normals (float32), drawn with ``generator``."""
        torch = self._torch
        z = torch.randn(
            (rows, len(self.columns)), generator=generator, dtype=torch.float32, device=self.device
        )
        return z @ self._cholesky_t

    def decode(self, z: Any) -> Any:
        """``(rows, k)`` float64 model values from scores ``z`` (float32, on the device):
        codes for discrete columns, values for continuous ones; for parametric columns of
        the host families (gamma, beta) the uniforms, which :meth:`finish` inverts."""
        torch = self._torch
        out = torch.empty(z.shape, dtype=torch.float64, device=z.device)
        for j, marginal in enumerate(self._marginals):
            zj = z[:, j].contiguous()
            if marginal[0] == "discrete":
                _, thresholds, codes = marginal
                if thresholds.numel():
                    out[:, j] = codes[torch.searchsorted(thresholds, zj)].to(torch.float64)
                else:
                    out[:, j] = codes[0].to(torch.float64)
            elif marginal[0] == "empirical":
                _, quantiles, m = marginal
                # scipy's float32 ndtr is the float64 one rounded to float32: the same here
                u = torch.special.ndtr(zj.to(torch.float64)).to(torch.float32).to(torch.float64)
                position = torch.clamp(u * m - 0.5, 0, m - 1)
                below = position.to(torch.int64)
                above = torch.clamp(below + 1, max=m - 1)
                low = quantiles[below]
                out[:, j] = low + (position - below) * (quantiles[above] - low)
            else:
                _, family, params, lo, hi = marginal
                u = torch.clamp(torch.special.ndtr(zj.to(torch.float64)), _EPS, 1 - _EPS)
                out[:, j] = _device_ppf(torch, family, params, u, lo, hi)
        return out

    def finish(self, values: np.ndarray) -> dict[str, np.ndarray]:
        """The model frame (column -> array) from the gathered ``(n, k)`` host values."""
        frame: dict[str, np.ndarray] = {}
        for j, column in enumerate(self.columns):
            marginal = self._marginals[j]
            x = values[:, j]
            if self.discrete[j]:
                frame[column] = x.astype(np.int64)
            elif (
                marginal[0] not in ("discrete", "empirical") and marginal[1] not in DEVICE_FAMILIES
            ):
                _, family, params, lo, hi = marginal
                frame[column] = np.clip(getattr(stats, family).ppf(x, *params), lo, hi)
            else:
                frame[column] = np.ascontiguousarray(x)
        return frame

    def sample(
        self, n: int, batch_size: int, generator: Any, host_rng: np.random.Generator | None = None
    ) -> dict[str, np.ndarray]:
        """``n`` model-frame rows in batches of ``batch_size``: each batch is drawn and
        inverted on the device while the previous one is copied to pinned host memory.

        With ``host_rng`` the standard normals are drawn by it on the host, in the order the
        numpy path draws them (``host_rng.standard_normal((n, k), float32)`` row by row,
        whatever the batches), and copied to the device; ``generator`` is then unused."""
        torch = self._torch
        k = len(self.columns)
        staging = HostStaging(self.device, n, k, torch.float64)
        with torch.no_grad():
            for start in range(0, n, batch_size):
                rows = min(batch_size, n - start)
                if host_rng is None:
                    z = self.normals(rows, generator)
                else:
                    drawn = host_rng.standard_normal((rows, k), dtype=np.float32)
                    z = torch.from_numpy(drawn).to(self.device) @ self._cholesky_t
                staging.submit(self.decode(z), start)
        return self.finish(staging.result())


def _device_ppf(torch: Any, family: str, params: tuple, u: Any, lo: float, hi: float) -> Any:
    """``scipy.stats.<family>.ppf(u, *params)`` clipped to ``[lo, hi]`` for the device
    families; the uniforms themselves for the host ones (see :meth:`TorchCopulaSampler.finish`)."""
    if family not in DEVICE_FAMILIES:
        return u
    if family == "norm":
        loc, scale = params
        x = loc + scale * torch.special.ndtri(u)
    elif family == "lognorm":
        shape, loc, scale = params
        x = loc + scale * torch.exp(shape * torch.special.ndtri(u))
    else:  # uniform
        loc, scale = params
        x = loc + scale * u
    return torch.clamp(x, lo, hi)
