"""Le temps de la démonstration, partagé par le générateur de file active et celui des autres systèmes (§7) :
un mois compté depuis l'an 0 et la courbe de montée en charge d'une ALI."""

from __future__ import annotations

from datetime import date

import numpy as np


def mois(d: date) -> int:
    return d.year * 12 + d.month - 1


def trajectoire(cap: float, tau: float, g: float, t: np.ndarray) -> np.ndarray:
    """File active visée au mois t de l'ALI : une montée vers `cap` (constante de temps tau, en mois), puis une
    croissance lente g par an."""
    return cap * (1 - np.exp(-t / tau)) * (1 + g * t / 12)
