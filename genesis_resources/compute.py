"""Where and how synthesizers compute: the "GPU resource" of the design.

It hands the neural synthesizers their training settings (:meth:`ComputeResource.synthesizer_params`)
and picks how a fitted model generates (:meth:`ComputeResource.generator_for`): on one
device in batches (:class:`genesis.gpu.BatchedGenerator`), sharded over several
(:class:`genesis.gpu.MultiGPUGenerator`), or with the model's own CPU code.
"""

from __future__ import annotations

from typing import Any, Literal

import dagster as dg
from pydantic import Field, field_validator

#: methods that train a neural network and so take device, thread and batch settings
NEURAL_METHODS = frozenset({"ctgan", "tvae"})


class ComputeResource(dg.ConfigurableResource):
    """Compute settings: the neural synthesizers' training (CTGAN, TVAE) and how fitted
    models generate.

    The defaults suit a small CPU machine. On a GPU host set ``device: cuda`` (or leave
    ``auto``); on a big CPU host raise ``torch_threads``. Training: statistical methods
    (cart, gaussian_copula) ignore ``device``, ``torch_threads`` and ``batch_size``.
    Generation (:meth:`generator_for`): ``device``, ``devices``, ``generation_batch_size``,
    ``generation_chunk_rows`` and ``generation_normals`` choose between the model itself, a
    :class:`~genesis.gpu.BatchedGenerator` and a :class:`~genesis.gpu.MultiGPUGenerator`.
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
    devices: list[str] | None = Field(
        None,
        description=(
            "Devices to shard generation over, one worker process each (e.g. ['cuda:0', "
            "'cuda:1'], or ['cpu', 'cpu'] for CPU processes); empty: one device, per `device`."
        ),
    )
    generation_batch_size: int = Field(
        65_536,
        ge=1,
        description="Rows per device batch when generating on a device (genesis.gpu).",
    )
    generation_chunk_rows: int = Field(
        1_000_000,
        ge=1,
        description="Rows per chunk handed to one device when generation is sharded (`devices`).",
    )

    generation_normals: Literal["device", "numpy"] = Field(
        "device",
        description=(
            "Copula only: 'numpy' draws the normals as the CPU model does, so device rows equal "
            "the CPU model's (float32 rounding aside); 'device' draws them on the device (faster)."
        ),
    )

    @field_validator("devices")
    @classmethod
    def _check_devices(cls, devices: list[str] | None) -> list[str] | None:
        if devices is None:
            return None
        from genesis.gpu.devices import check_device_string

        if not devices:
            raise ValueError("devices must name at least one device, or be left empty (None)")
        return [check_device_string(device) for device in devices]

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

    def generator_for(self, model: Any) -> Any:
        """What generates rows for the fitted ``model``: an object with
        ``generate(n, seed=None, conditions=None)`` and ``generate_chunks(...)``.

        - ``devices`` set: a :class:`~genesis.gpu.MultiGPUGenerator` over them (any method;
          methods without a device path generate on the CPU in each worker);
        - a method without a torch sampling path (cart, ...): the model itself;
        - ``device: cuda``: a :class:`~genesis.gpu.BatchedGenerator` on the GPU (raises
          :class:`~genesis.errors.DeviceUnavailableError` where torch sees none);
        - ``device: auto``: the same when torch sees a CUDA GPU, else the model itself;
        - ``device: cpu``: the model itself (its numpy code is the CPU reference path).
        """
        from genesis.gpu import BatchedGenerator, MultiGPUGenerator
        from genesis.gpu.batched import DEVICE_METHODS, unwrap
        from genesis.gpu.devices import import_torch, logger

        if self.devices:
            return MultiGPUGenerator(
                model,
                list(self.devices),
                batch_size=self.generation_batch_size,
                chunk_rows=self.generation_chunk_rows,
                normals=self._normals_for(model),
            )
        if unwrap(model).method not in DEVICE_METHODS or self.device == "cpu":
            return model
        if self.device == "auto" and not import_torch().cuda.is_available():
            logger.info("ComputeResource: no CUDA device, the model generates on the CPU itself")
            return model
        return BatchedGenerator(
            model, self.generation_batch_size, self.device, normals=self._normals_for(model)
        )

    def _normals_for(self, model: Any) -> str:
        """``generation_normals`` for a copula; other methods always draw on the device."""
        from genesis.gpu.batched import unwrap

        return self.generation_normals if unwrap(model).method == "gaussian_copula" else "device"
