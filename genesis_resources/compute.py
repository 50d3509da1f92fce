"""Where and how synthesizers compute: the "GPU resource" of the design."""

from __future__ import annotations

from typing import Any, Literal

import dagster as dg
from pydantic import Field

#: methods that train a neural network and so take device, thread and batch settings
NEURAL_METHODS = frozenset({"ctgan", "tvae"})


class ComputeResource(dg.ConfigurableResource):
    """Compute settings handed to the neural synthesizers (CTGAN, TVAE).

    The defaults suit a small CPU machine. On a GPU host set ``device: cuda`` (or leave
    ``auto``); on a big CPU host raise ``torch_threads``. Statistical methods (cart,
    gaussian_copula) ignore these settings.
    """

    device: Literal["auto", "cpu", "cuda"] = Field(
        "auto", description="Torch device: 'auto' takes CUDA when available, else the CPU."
    )
    torch_threads: int | None = Field(
        None,
        ge=1,
        description=(
            "Torch CPU threads. Empty: 1 on machines with 4 cores or fewer (torch's default "
            "made CTGAN 17-35x slower on 2 cores), torch's own default above."
        ),
    )
    batch_size: int | None = Field(
        None,
        ge=2,
        description="Training batch size of neural methods; empty: the method's default.",
    )

    def effective_torch_threads(self) -> int | None:
        """The thread count to use: the configured one, else 1 on small machines, else None."""
        if self.torch_threads is not None:
            return self.torch_threads
        from genesis.threads import small_machine_threads

        return small_machine_threads()

    def synthesizer_params(self, method: str) -> dict[str, Any]:
        """Keyword arguments for ``SyntheticGenerator(method, ...)``; empty for non-neural methods."""
        if method not in NEURAL_METHODS:
            return {}
        params: dict[str, Any] = {"device": self.device}
        threads = self.effective_torch_threads()
        if threads is not None:
            params["torch_threads"] = threads
        if self.batch_size is not None:
            params["batch_size"] = self.batch_size
        return params
