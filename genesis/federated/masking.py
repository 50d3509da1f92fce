"""Pairwise additive masking for secure summation (Bonawitz et al., CCS 2017, without the
secret sharing of keys).

Every site holds an X25519 key pair (from its seed); the aggregator only relays public keys.
Each pair of sites derives a shared secret by Diffie-Hellman, and from it, per round, a mask
vector of uniform 64-bit integers. A site encodes its statistics as fixed-point integers
modulo 2**64 and adds, for every peer, ``+mask`` if its name sorts first and ``-mask``
otherwise: in the sum over all sites every mask cancels, while each masked vector alone is
uniformly distributed (one-time pad over Z/2**64). If a site drops out after the roster was
fixed, the surviving sites reveal their pairwise seeds with it (never their own keys) and the
aggregator removes those masks: the unmask protocol.
"""

from __future__ import annotations

import hashlib

import numpy as np

from genesis.errors import missing_dependency

#: fixed-point precision: values are multiplied by 2**FRACTION_BITS and rounded
FRACTION_BITS = 24
_SCALE = float(2**FRACTION_BITS)


def _x25519():
    try:
        from cryptography.hazmat.primitives.asymmetric.x25519 import (
            X25519PrivateKey,
            X25519PublicKey,
        )
    except ImportError as exc:
        raise missing_dependency("cryptography", "secure aggregation") from exc
    return X25519PrivateKey, X25519PublicKey


def encode_fixed(values: np.ndarray) -> np.ndarray:
    """Float statistics as fixed-point integers modulo 2**64 (two's complement for negatives)."""
    scaled = np.round(np.asarray(values, np.float64) * _SCALE).astype(np.int64)
    return scaled.view(np.uint64)


def decode_fixed(values: np.ndarray) -> np.ndarray:
    """Inverse of :func:`encode_fixed` (for a sum, as long as it stays below 2**39 in size)."""
    return np.asarray(values, np.uint64).view(np.int64).astype(np.float64) / _SCALE


def mask_from_seed(seed: bytes, round_id: str, size: int) -> np.ndarray:
    """The mask vector of a pair for one round: uniform over Z/2**64."""
    digest = hashlib.sha256(seed + round_id.encode()).digest()
    rng = np.random.default_rng(np.frombuffer(digest, dtype=np.uint32))
    return rng.integers(0, 2**64, size=size, dtype=np.uint64, endpoint=False)


class MaskingParty:
    """One site's side of the masking protocol.

    Args:
        name: the site's name (orders each pair: the first name adds the mask).
        seed: the site's private seed of its key (32 bytes derived from it); it must stay
            secret to the site.
    """

    def __init__(self, name: str, seed: int | str) -> None:
        private_cls, _ = _x25519()
        material = hashlib.sha256(f"genesis-x25519:{seed}:{name}".encode()).digest()
        self.name = name
        self._private = private_cls.from_private_bytes(material)
        self._pair_seeds: dict[str, bytes] = {}

    @property
    def public_key(self) -> bytes:
        """The raw public key, relayed to the other sites by the aggregator."""
        from cryptography.hazmat.primitives import serialization

        return self._private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    def agree(self, public_keys: dict[str, bytes]) -> None:
        """Derive the pairwise seeds with every other site of the roster."""
        _, public_cls = _x25519()
        self._pair_seeds = {
            peer: hashlib.sha256(self._private.exchange(public_cls.from_public_bytes(key))).digest()
            for peer, key in public_keys.items()
            if peer != self.name
        }

    def mask(self, values: np.ndarray, round_id: str) -> np.ndarray:
        """``values`` encoded and masked for ``round_id`` (wrapping uint64 arithmetic)."""
        if not self._pair_seeds:
            raise RuntimeError("call agree() with the roster's public keys before masking")
        masked = encode_fixed(values)
        for peer, seed in self._pair_seeds.items():
            pad = mask_from_seed(seed, round_id, masked.size)
            masked = masked + pad if self.name < peer else masked - pad
        return masked

    def reveal(self, peer: str) -> bytes:
        """The pairwise seed shared with a dropped ``peer``, so its masks can be removed."""
        return self._pair_seeds[peer]


def remove_dropped_masks(
    total: np.ndarray, reveals: dict[tuple[str, str], bytes], round_id: str
) -> np.ndarray:
    """Subtract from a sum of masked vectors the masks that surviving sites applied with
    dropped ones; ``reveals[(survivor, dropped)]`` is their pairwise seed."""
    for (survivor, dropped), seed in reveals.items():
        pad = mask_from_seed(seed, round_id, total.size)
        total = total - pad if survivor < dropped else total + pad
    return total
