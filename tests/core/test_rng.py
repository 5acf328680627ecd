"""Named random streams."""

import numpy as np
import pytest

from sim.core.rng import RandomStreams, name_key


def test_name_key_is_pinned():
    # Changing the hash would silently change every published result: pin it.
    assert name_key("incidents/swimming/arrivals") == (3249864753, 95464472, 1907062021, 2286763930)


def test_stream_is_pinned_for_seed_and_name():
    np.testing.assert_allclose(RandomStreams(7).stream("a/b").random(3), [0.73967017, 0.46968519, 0.65137958])


def test_same_seed_and_name_give_the_same_draws_whatever_the_order():
    first = RandomStreams(3)
    a1, b1 = first.stream("a").random(5), first.stream("b").random(5)
    second = RandomStreams(3)
    b2, a2 = second.stream("b").random(5), second.stream("a").random(5)
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(b1, b2)


@pytest.mark.parametrize(
    ("seed_a", "name_a", "seed_b", "name_b"),
    [
        (0, "a", 0, "b"),  # different names
        (0, "a", 1, "a"),  # different seeds
        (0, "sensing/cam-1/incident/1", 0, "sensing/cam-1/incident/11"),  # prefix-like names
    ],
)
def test_different_streams_differ(seed_a, name_a, seed_b, name_b):
    a = RandomStreams(seed_a).stream(name_a).random(8)
    b = RandomStreams(seed_b).stream(name_b).random(8)
    assert not np.array_equal(a, b)


def test_a_name_is_handed_out_once():
    streams = RandomStreams(0)
    streams.stream("x")
    with pytest.raises(ValueError, match="already handed out"):
        streams.stream("x")
    assert streams.issued == {"x"}


def test_negative_seed_is_refused():
    with pytest.raises(ValueError, match="seed"):
        RandomStreams(-1)
