"""Top-k selection with ties broken by id, and turning binary ids and bit masks back into text."""

import numpy as np


def top(key: np.ndarray, ids: np.ndarray, first: int) -> np.ndarray:
    """Positions of the `first` largest keys, ties broken by ascending id."""
    n = len(key)
    if n == 0 or first <= 0:
        return np.zeros(0, dtype=np.int64)
    if n > 4 * first:
        kth = np.partition(key, n - first)[n - first]
        cand = np.flatnonzero(key >= kth)
    else:
        cand = np.arange(n)
    order = np.lexsort((ids[cand], -key[cand]))
    return cand[order[:first]]


def hex_id(b: bytes) -> str:
    """The 24-hex-digit id of a 12-byte id (numpy drops trailing zero bytes)."""
    return bytes(b).ljust(12, b"\0").hex()


def bit_names(mask: int, names: tuple[str, ...]) -> list[str]:
    """The names of the set bits of `mask`, lowest bit first."""
    out = []
    while mask:
        low = mask & -mask
        out.append(names[low.bit_length() - 1])
        mask ^= low
    return out
