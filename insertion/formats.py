"""Nombres et dates au format français (babel) : « 12 600 », « 46,0 M€ », « 38,5 % », « juin 2023 ».

babel plutôt que du code maison : il connaît les règles CLDR (espace fine insécable
comme séparateur de milliers, espace avant « % ») et les noms de mois.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache, lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern, parse_pattern

LOCALE = "fr_FR"
SANS_OBJET = "–"
# format_decimal relit la locale et le motif à chaque appel : une page en formate des milliers (tableaux,
# survols), 0,1 à 0,2 s par rendu. La locale et les motifs sont lus une fois, les nombres déjà écrits gardés.
_LOCALE = Locale.parse(LOCALE)


@cache
def _motif(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)


@lru_cache(maxsize=65_536)
def _nombre(value: float | int, pattern: str) -> str:
    return _motif(pattern).apply(value, _LOCALE)


def _ecrit(value: float | int, pattern: str) -> str:
    # -0.0 == 0 : sans cela, le premier des deux formaté fixerait l'écriture de l'autre dans le cache.
    return _nombre(0 if value == 0 else value, pattern)


def entier(value: float | int | None) -> str:
    return SANS_OBJET if value is None else _ecrit(round(value), "#,##0")


def decimal(value: float | None, digits: int = 1) -> str:
    if value is None:
        return SANS_OBJET
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return _ecrit(value, pattern)


def pourcentage(fraction: float | None, digits: int = 1) -> str:
    """0.385 → « 38,5 % » (espace fine insécable avant le signe)."""
    return SANS_OBJET if fraction is None else f"{decimal(fraction * 100, digits)}\u202f%"


def millions_euros(amount: float | None, digits: int = 1) -> str:
    """46 000 000 → « 46,0 M€ »."""
    return SANS_OBJET if amount is None else f"{decimal(float(amount) / 1e6, digits)}\u202fM€"


def euros(amount: float | None) -> str:
    return SANS_OBJET if amount is None else f"{entier(float(amount))}\u202f€"


def date_longue(value: date | None) -> str:
    """« 31 octobre 2026 » ; « 1er » pour le premier du mois, comme on l'écrit en français."""
    if value is None:
        return SANS_OBJET
    text = format_date(value, "d MMMM y", locale=LOCALE)
    return "1er" + text[1:] if value.day == 1 else text


def mois(value: date | None) -> str:
    """« juin 2023 »."""
    return SANS_OBJET if value is None else format_date(value, "MMMM y", locale=LOCALE)


def mois_court(value: date | None) -> str:
    """« janv. 2024 », pour les axes."""
    return SANS_OBJET if value is None else format_date(value, "MMM y", locale=LOCALE)


def evolution_pourcentage(actuel: float | None, precedent: float | None) -> str | None:
    """« +12,0 % » d'une période à l'autre ; rien si la base est nulle ou inconnue."""
    if actuel is None or precedent in (None, 0):
        return None
    variation = (actuel - precedent) / precedent
    return ("+" if variation >= 0 else "") + pourcentage(variation)


def evolution_points(actuel: float | None, precedent: float | None) -> str | None:
    """« +2,5 pts » entre deux taux."""
    if actuel is None or precedent is None:
        return None
    ecart = (actuel - precedent) * 100
    return ("+" if ecart >= 0 else "") + decimal(ecart) + "\u202fpt" + ("s" if abs(ecart) >= 2 else "")


def jours(valeur: float | None) -> str:
    """12 → « 12 jours », 12.5 → « 12,5 jours », 1 → « 1 jour »."""
    if valeur is None:
        return SANS_OBJET
    texte = decimal(valeur, 0 if float(valeur).is_integer() else 1)
    return texte + (" jour" if abs(valeur) < 2 else " jours")


def horodatage(moment: datetime | None) -> str:
    """« 31 octobre 2026 à 14:05 »."""
    return SANS_OBJET if moment is None else f"{date_longue(moment.date())} à {moment:%H:%M}"


def arrondi_affiche(valeur: float, digits: int) -> float:
    """Le nombre tel que l'écrivent les fonctions ci-dessus : babel arrondit au pair le plus proche sur l'écriture
    décimale du nombre (1,25 → 1,2), et un export doit porter la valeur montrée, pas une autre à un chiffre près."""
    pas = Decimal(1).scaleb(-digits)
    return float(Decimal(str(valeur)).quantize(pas, rounding=ROUND_HALF_EVEN))
