"""Variant labels name each swept key by its shortest tail that tells it from the others."""

from sim.experiments.paired import short_names


def test_keys_with_the_same_last_part_keep_enough_of_their_path():
    keys = ["cameras.3.sensor", "cameras.4.sensor", "detection.threshold", "boats"]
    assert short_names(keys) == {
        "cameras.3.sensor": "3.sensor",
        "cameras.4.sensor": "4.sensor",
        "detection.threshold": "threshold",
        "boats": "boats",
    }
    assert short_names(["a.sensor", "b.a.sensor"]) == {"a.sensor": "a.sensor", "b.a.sensor": "b.a.sensor"}
