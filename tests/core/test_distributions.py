"""Distribution objects: sample moments against analytic values."""

import numpy as np
import pytest

from sim.core.distributions import Constant, Exponential, LogNormal, Uniform

N = 200_000


@pytest.mark.parametrize(
    ("dist", "sd"),
    [
        (Constant(4.0), 0.0),
        (Exponential(30.0), 30.0),
        (Uniform(10.0, 20.0), 10.0 / np.sqrt(12)),
        (LogNormal(1800.0, 1200.0), 1200.0),
        (LogNormal(5.0, 0.5), 0.5),
    ],
)
def test_sample_mean_and_sd_match_analytic(dist, sd):
    samples = dist.sample(np.random.default_rng(1), N)
    standard_error = max(sd, 1e-12) / np.sqrt(N)
    assert abs(samples.mean() - dist.mean) < 4 * standard_error + 1e-12
    assert samples.std() == pytest.approx(sd, rel=0.03, abs=1e-12)
    assert (samples >= 0).all()


def test_lognormal_parameters_by_hand():
    # mean 1, sd 1: sigma^2 = ln 2, mu = -ln(2)/2
    dist = LogNormal(1.0, 1.0)
    assert dist.sigma == pytest.approx(np.sqrt(np.log(2)))
    assert dist.mu == pytest.approx(-np.log(2) / 2)


@pytest.mark.parametrize("dist", [Constant(4.0), Exponential(30.0), Uniform(10.0, 20.0), LogNormal(5.0, 0.5)])
def test_single_sample_is_one_float_from_the_same_stream(dist):
    """Without ``size``: one float (not an array), the first of what ``size=3`` draws from the
    same seed (the callers in sim.world.incidents and sim.fleet.dispatch take one duration, s)."""
    one = dist.sample(np.random.default_rng(0))
    assert isinstance(one, float), type(one)  # np.ndarray is not a float, np.float64 is
    assert one == dist.sample(np.random.default_rng(0), 3)[0]
