"""What the gradient caches keep lives in mappings of its own, not in the heap a worker keeps
its cards' buffers in (a kept value there pinned the holes the next card's picture needed),
and nobody can write to it."""

from __future__ import annotations

import mmap

import numpy as np
import pytest

from cards.render import effects, scale


def _mapping(array: np.ndarray) -> object:
    base = array
    while isinstance(base, np.ndarray) and base.base is not None:
        base = base.base
    return base.obj if isinstance(base, memoryview) else base


def test_it_keeps_gradient_layers_and_ramps_in_their_own_mappings() -> None:
    layers = effects._gradient(640, 300, 0.85, 1.0, False, (12, 12, 12), "RGB")
    ramp = effects._ramp_array(300, 640, 0.6, 1.5, True, False)
    for kept in (*layers, ramp):
        assert isinstance(_mapping(kept), mmap.mmap)
        with pytest.raises(ValueError):
            kept[0, 0] = 1


def test_it_copies_an_array_whole() -> None:
    array = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    kept = scale.outside_heap(array)
    assert kept.shape == array.shape and kept.dtype == array.dtype
    assert np.array_equal(kept, array)
