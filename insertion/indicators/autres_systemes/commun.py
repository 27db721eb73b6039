"""Ce que partagent les modules des autres systèmes : la valeur d'une case pour la CLI et la ligne de synthèse de
la vue d'ensemble et de la note. À part du paquet pour que ses modules ne s'importent pas en boucle."""

import math
from dataclasses import dataclass

from insertion.protect import secret


def valeur_publiee(valeur: object) -> float | int | str | None:
    """Pour la CLI (JSON) : None quand il n'y a rien (aucune ligne), « secret » pour une case masquée par la
    couche de publication (NaN), sinon le nombre (entier quand il l'est)."""
    if valeur is None:
        return None
    v = float(valeur)
    if math.isnan(v):
        return secret.LIBELLE_MASQUE
    return int(v) if v.is_integer() else v


@dataclass(frozen=True)
class LigneSynthese:
    """Une ligne de la vue d'ensemble et de la note pour un système : la carte (libellé, valeur, aide) et la phrase
    de la note. Valeurs publiées : « secret » quand la couche les masque."""

    libelle: str
    valeur: str
    aide: str
    phrase: str | None  # None : rien à dire dans la note (masqué ou sans donnée)
