"""What each drawn part of an actor is made of (:class:`Surface`), and how warm it is to a thermal camera.

Every primitive of a sprite (:mod:`sim.render.sprites`) names its surface. A visible camera uses only
colours, and its near-infrared night mode shows the :data:`NIR_WARM` surfaces bright; a thermal camera
(:mod:`sim.render.thermal_look`) uses each surface's emissivity and temperature, from :data:`HEAT`.

Temperatures: a surface sits at the temperature of what surrounds it (the air, or the water for wet and
floating things), pulled towards a body's core by a share: T = T_base + share · (T_core − T_base), plus an
offset and warming in sunshine. The shares are assumptions chosen to meet these sources:

* skin: surface 33-34 °C (``../shared/REFERENCES.md``, thermal imaging); share 0.85 towards 35 °C gives
  33.5 °C in 25 °C air and 30.5 °C in 5 °C air (assumption: exposed face and hands cool in cold air);
* wet skin of a swimmer (head, arms, shoulders): water draws heat about a hundred times faster than still air
  (convective coefficients of water and air, e.g. Incropera, *Fundamentals of Heat and Mass Transfer*,
  Table 1.1), so immersed skin comes close to the water: share 0.45 (assumption; 31.4 °C in 28.4 °C water);
* clothing and hair: between skin and ambient (REFERENCES.md); shares 0.45-0.6 (assumption);
* birds: core about 41 °C (Prinzinger, Preßmar & Schleucher 1991, *Comp. Biochem. Physiol.* 99A:499,
  "Body temperature in birds"); plumage insulates so well that its surface is only a few kelvin above the
  air, while the head and bill are warmer (McCafferty 2013, *Ibis* 155:4, "Applications of thermal imaging
  in avian science"); shares 0.25 and 0.5 (assumption);
* the project's USV: its drive and battery housing runs 25 K above the air under way and 8 K idle, its
  signal light 10 K (assumptions: electric drives and batteries warm by tens of kelvin under load);
* hulls, rods, tackle and debris: at the air (debris: the water) temperature, warmed in sunshine by up to
  ``sun_k`` at the sun's zenith (assumption);
* reeds: green leaves transpire and stay near the air temperature, warmed by up to 2 K in sunshine
  (assumption); emissivity 0.98, as the ground's grass (:mod:`sim.render.thermal_look`: green vegetation is
  nearly black in 8-14 µm, assumption);
* sun glints (:mod:`sim.render.glints`): a glint's drawn patch is lake water of which a share mirrors the
  sun. The sun as a 5772 K blackbody (its nominal effective temperature, IAU 2015 Resolution B3) has an
  8-14 µm band radiance of 2.22·10⁴ W m⁻² sr⁻¹ (:func:`sim.render.radiometry.band_radiance_exact`); water
  mirrors 1.5 % of it at 45° incidence (Fresnel, :func:`sim.render.radiometry.water_emissivity`); with
  0.6 of it passing the atmosphere and 1 % of the patch mirroring the sun (both assumptions) the patch
  gains 2.0 W m⁻² sr⁻¹, 2.4 K at 300 K (:data:`GLINT_APPARENT_K`). In visible light the same patch is
  saturated: there the sun outshines the sky-lit water a thousand-fold.

Emissivities in 8-14 µm: skin 0.98 (Steketee 1973, *Phys. Med. Biol.* 18:686, "Spectral emissivity of
skin and pericardium"); the others from the emissivity table of a handheld thermal camera's manual (IDEAL
HeatSeeker 160, appendix A1: cotton cloth 0.77, oil paint 0.94, planed oak 0.90); a water film on skin,
hair or feathers 0.98 (water, REFERENCES.md); feathers and hair 0.95 and foam 0.99 (assumptions: fibrous
and bubbly surfaces trap radiation like small cavities).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

KELVIN = 273.15
"""0 °C in kelvin."""


class Surface(Enum):
    SKIN = "skin"
    WET_SKIN = "wet skin"
    HAIR = "hair"
    WET_HAIR = "wet hair"
    SHIRT = "shirt"
    TROUSERS = "trousers"
    FEATHERS = "feathers"
    BIRD_HEAD = "bird head"
    FOAM = "foam"
    WAKE = "wake"
    HULL = "hull"
    MOTOR = "motor"
    SIGNAL_LIGHT = "signal light"
    MAST = "mast"
    ROD = "rod"
    TACKLE = "tackle"
    DEBRIS = "debris"
    REED = "reed"
    GLINT = "glint"


GLINT_APPARENT_K = 2.4
"""How much warmer than the water a sun glint's patch looks to a thermal camera, K (module docstring)."""
NIR_WARM = frozenset({Surface.SKIN, Surface.WET_SKIN, Surface.SHIRT})
"""Surfaces a near-infrared (``infrared: true``) camera shows bright at night: skin and the shirt over it."""


@dataclass(frozen=True)
class Heat:
    """How warm a surface is, and how well it radiates."""

    emissivity: float
    """8-14 µm, 1"""
    in_water: bool = False
    """Its surroundings are the water (else the air)."""
    share: float = 0.0
    """Share of the way from its surroundings' temperature to ``core_c``, 1."""
    core_c: float = 35.0
    """°C"""
    offset_k: float = 0.0
    """K, on top"""
    sun_k: float = 0.0
    """Warming with the sun at the zenith in clear weather, K."""


HEAT = {
    Surface.SKIN: Heat(0.98, share=0.85),
    Surface.WET_SKIN: Heat(0.98, in_water=True, share=0.45),
    Surface.HAIR: Heat(0.95, share=0.5),
    Surface.WET_HAIR: Heat(0.98, in_water=True, share=0.2),
    Surface.SHIRT: Heat(0.77, share=0.55),
    Surface.TROUSERS: Heat(0.77, share=0.45),
    Surface.FEATHERS: Heat(0.95, share=0.25, core_c=41.0),
    Surface.BIRD_HEAD: Heat(0.95, share=0.5, core_c=41.0),
    Surface.FOAM: Heat(0.99, in_water=True),
    # Churned water: the cool skin of the surface (about 0.2 K, Donlon et al. 2002, J. Climate 15:353) is
    # mixed away.
    Surface.WAKE: Heat(0.99, in_water=True, offset_k=0.2),
    Surface.HULL: Heat(0.94, sun_k=10.0),
    Surface.MOTOR: Heat(0.94, offset_k=8.0),
    Surface.SIGNAL_LIGHT: Heat(0.94, offset_k=10.0),
    Surface.MAST: Heat(0.94, sun_k=5.0),
    Surface.ROD: Heat(0.94, sun_k=5.0),
    Surface.TACKLE: Heat(0.90, sun_k=10.0),
    Surface.DEBRIS: Heat(0.94, in_water=True, sun_k=3.0),
    Surface.REED: Heat(0.98, sun_k=2.0),
    Surface.GLINT: Heat(0.99, in_water=True, offset_k=GLINT_APPARENT_K),
}
MOTOR_UNDER_WAY_K = 25.0
"""The USV's drive housing above the air while moving (faster than 0.3 m/s), K (assumption)."""
CLOTHING = frozenset({Surface.SHIRT, Surface.TROUSERS})
CLOTHING_SPREAD = 0.05
"""Clothing differs between people (thickness, layers): share ± this by the actor's variant (assumption)."""


def surface_temperature(
    surface: Surface, air_k: float, water_k: float, sunshine: float, variant: int = 0, moving: bool = False
) -> float:
    """Temperature (K) of ``surface`` with the air and the water at ``air_k`` and ``water_k`` (K);
    ``sunshine``: sin(sun elevation) times the weather's share of sunshine (0 at night), 1."""
    heat = HEAT[surface]
    base = water_k if heat.in_water else air_k
    share = heat.share
    if surface in CLOTHING:
        share += CLOTHING_SPREAD * (variant % 3 - 1)
    offset = MOTOR_UNDER_WAY_K if surface is Surface.MOTOR and moving else heat.offset_k
    return base + share * (heat.core_c + KELVIN - base) + offset + heat.sun_k * max(0.0, sunshine)


def sunshine(sun_elevation_deg: float, sun_share: float) -> float:
    """sin(elevation) of a sun above the horizon times ``sun_share`` (the weather's), else 0; 1."""
    return max(0.0, math.sin(math.radians(sun_elevation_deg))) * sun_share
