"""Le temps de la démonstration, partagé par le générateur de file active et celui des autres systèmes (§7) :
la date de la dernière extraction, un mois compté depuis l'an 0, le premier jour d'un mois, les dates
d'extraction d'une ALI et la courbe de montée en charge d'une ALI."""

from __future__ import annotations

from datetime import date

import numpy as np

FIN = date(2026, 10, 31)  # la dernière extraction de la démonstration


def mois(d: date) -> int:
    return d.year * 12 + d.month - 1


def trajectoire(cap: float, tau: float, g: float, t: np.ndarray) -> np.ndarray:
    """File active visée au mois t de l'ALI : une montée vers `cap` (constante de temps tau, en mois), puis une
    croissance lente g par an."""
    return cap * (1 - np.exp(-t / tau)) * (1 + g * t / 12)


def debut_mois(m: np.ndarray | int) -> np.ndarray:
    return (np.asarray(m) - (1970 * 12)).astype("datetime64[M]").astype("datetime64[D]")


def dates_extraction(ouverture: date) -> list[date]:
    """Les dates d'extraction d'une ALI : chaque fin de trimestre après l'ouverture, puis le 31/10/2026."""
    dates = []
    for annee in range(ouverture.year, FIN.year + 1):
        for mois, jour in ((3, 31), (6, 30), (9, 30), (12, 31)):
            d = date(annee, mois, jour)
            if ouverture <= d < FIN:
                dates.append(d)
    return dates + [FIN]
