"""Une phrase sous chaque graphique principal : ce qu'il montre, en français et en chiffres.

Pour qui ne voit pas le graphique (lecteur d'écran : un graphique plotly n'a pas d'alternative textuelle) et pour
qui n'a pas le temps de le lire (« La file active passe de 11 800 à 12 600 personnes entre juin 2022 et juin 2023
(+6,8 %). »). La phrase est calculée sur les mêmes données que le graphique, **après** le secret statistique : une
valeur masquée n'arrive ici que comme « masquée », sans son nombre, et n'entre dans aucun calcul (ni évolution, ni
extrême, ni total). Si une extrémité d'une évolution est masquée, la phrase le dit, sans chiffre. Quand des valeurs
sont masquées, « la plus élevée » devient « parmi les valeurs diffusées » : une case masquée peut être plus grande.

Sans Streamlit : les pages passent la phrase à insertion.present.ui.graphique ; les tests la lisent ici.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd

from insertion import formats

SECRET = "secret statistique"


@dataclass(frozen=True)
class Point:
    libelle: str  # « juin 2023 », « ALI08 · Montreuil », « 25 à 34 ans »
    valeur: float | None  # None : masquée, ou sans objet (aucune personne, taux sans dénominateur)
    masque: bool = False


def points(libelles: Iterable[str], valeurs: Iterable[object], masques: Iterable[bool] | None = None) -> list[Point]:
    """Les points d'un graphique protégé (valeurs de `Protege.donnees`, masques de `Protege.masque`). Une valeur
    masquée est oubliée ici même si on la passait : la phrase ne peut pas la redonner."""
    libelles, valeurs = list(libelles), list(valeurs)
    masques = [False] * len(valeurs) if masques is None else [bool(m) for m in masques]
    sortie = []
    for libelle, valeur, masque in zip(libelles, valeurs, masques, strict=True):
        vide = valeur is None or (not isinstance(valeur, str) and pd.isna(valeur))
        sortie.append(Point(str(libelle), None if masque or vide else float(valeur), masque))
    return sortie


def _liste(noms: list[str]) -> str:
    return noms[0] if len(noms) == 1 else ", ".join(noms[:-1]) + " et " + noms[-1]


# Le genre des catégories comptées (« 2 ALI … diffusées », « 2 motifs … diffusés ») ; féminin par défaut.
_MASCULINS = {"EPT", "motif", "niveau", "mois", "champ"}
_INVARIABLES = {"ALI", "EPT"}


def _masques(pts: list[Point], categorie: str) -> str:
    """« 2 ALI sur 22 ne sont pas diffusées (secret statistique). » ; rien si aucune ne l'est."""
    n = sum(p.masque for p in pts)
    if not n:
        return ""
    accord = "" if categorie in _MASCULINS else "e"
    nom = categorie
    if n > 1:
        accord += "s"
        if categorie.endswith(("au", "eu")):
            nom += "x"  # niveaux
        elif categorie not in _INVARIABLES and not categorie.endswith(("s", "x")):
            nom += "s"
    verbe = f"n'est pas diffusé{accord}" if n == 1 else f"ne sont pas diffusé{accord}"
    return f" {n} {nom} sur {len(pts)} {verbe} ({SECRET})."


def evolution(
    pts: list[Point],
    *,
    sujet: str,
    unite: str = "",
    ecrire: Callable[[float], str] = formats.entier,
    variation: str | None = "pourcentage",
) -> str:
    """Du premier au dernier point qui a une valeur ou un masque (les points sans objet aux bouts sont ignorés).

    « La file active passe de 45 à 56 personnes entre décembre 2023 et décembre 2024 (+24,4 %). »
    `variation` : « pourcentage » (un effectif, un montant), « points » (un taux), None (pas d'écart)."""
    utiles = [p for p in pts if p.valeur is not None or p.masque]
    suffixe = f" {unite}" if unite else ""
    if not utiles:
        return f"{sujet} : aucune valeur à montrer."
    debut, fin = utiles[0], utiles[-1]
    if debut is fin:
        if fin.masque:
            return f"{sujet} en {fin.libelle} : valeur couverte par le {SECRET}."
        return f"{sujet} : {ecrire(fin.valeur)}{suffixe} en {fin.libelle}."
    if debut.masque or fin.masque:
        quels = [p.libelle for p in (debut, fin) if p.masque]
        valeur = "la valeur" if len(quels) == 1 else "les valeurs"
        return (
            f"{sujet} entre {debut.libelle} et {fin.libelle} : {valeur} de {' et de '.join(quels)} "
            f"{'est couverte' if len(quels) == 1 else 'sont couvertes'} par le {SECRET}, l'évolution n'est pas "
            "chiffrée."
        )
    a, b = debut.valeur, fin.valeur
    if ecrire(a) == ecrire(b):
        return f"{sujet} reste à {ecrire(b)}{suffixe} entre {debut.libelle} et {fin.libelle}."
    ecart = None
    if variation == "pourcentage":
        ecart = formats.evolution_pourcentage(b, a)
    elif variation == "points":
        ecart = formats.evolution_points(b, a)
    fin_phrase = f" ({ecart})" if ecart else ""
    return f"{sujet} passe de {ecrire(a)} à {ecrire(b)}{suffixe} entre {debut.libelle} et {fin.libelle}{fin_phrase}."


def extremes(
    pts: list[Point],
    *,
    mesure: str,
    ecrire: Callable[[float], str] = formats.entier,
    categorie: str = "ALI",
    plus: str = "la plus élevée",
    moins: str = "la plus faible",
) -> str:
    """La plus grande et la plus petite valeur diffusée, avec leurs libellés (ex aequo nommés ensemble).

    « Personnes suivies au 31 décembre 2024 : la plus élevée pour ALI14 · Clichy (37), la plus faible pour
    ALI04 · La Courneuve (5). »"""
    diffuses = [p for p in pts if p.valeur is not None]
    masques = _masques(pts, categorie)
    if not diffuses:
        if any(p.masque for p in pts):
            return f"{mesure} : aucune valeur diffusée ({SECRET})."
        return f"{mesure} : aucune valeur à montrer."
    parmi = " parmi les valeurs diffusées" if masques else ""
    haut = max(p.valeur for p in diffuses)
    bas = min(p.valeur for p in diffuses)
    if len(diffuses) == 1 or ecrire(haut) == ecrire(bas):
        noms = _liste([p.libelle for p in diffuses])
        return f"{mesure} : {ecrire(haut)} pour {noms}.{masques}"
    noms_haut = _liste([p.libelle for p in diffuses if p.valeur == haut])
    noms_bas = _liste([p.libelle for p in diffuses if p.valeur == bas])
    return (
        f"{mesure}{parmi} : {plus} pour {noms_haut} ({ecrire(haut)}), {moins} pour {noms_bas} ({ecrire(bas)}).{masques}"
    )


def repartition(pts: list[Point], *, sujet: str, categorie: str = "modalité") -> str:
    """Les parts (0 à 1) d'une répartition : la plus grande et la suivante.

    « Tranche d'âge : 25 à 34 ans est la plus représentée (42,0 %), devant 35 à 44 ans (30,0 %). »"""
    diffuses = sorted((p for p in pts if p.valeur is not None), key=lambda p: -p.valeur)
    masques = _masques(pts, categorie)
    if not diffuses:
        return f"{sujet} : aucune part diffusée ({SECRET})." if masques else f"{sujet} : aucune part à montrer."
    parmi = "parmi les parts diffusées, " if masques else ""
    ecrites = [formats.pourcentage(p.valeur) for p in diffuses]
    if ecrites[0] == formats.pourcentage(0):
        return f"{sujet} : {parmi}toutes les parts sont nulles." + masques
    en_tete = [p.libelle for p, e in zip(diffuses, ecrites, strict=True) if e == ecrites[0]]
    if len(en_tete) > 1:  # ex aequo à l'arrondi près : nommés ensemble
        phrase = f"{sujet} : {parmi}{_liste(en_tete)} viennent en tête ({ecrites[0]} chacune)"
    else:
        phrase = f"{sujet} : {parmi}{en_tete[0]} vient en tête ({ecrites[0]})"
        if len(diffuses) > 1:
            phrase += f", devant {diffuses[1].libelle} ({ecrites[1]})"
    return phrase + "." + masques


def totaux(
    series: dict[str, list[Point]],
    *,
    periode: str,
    ecrire: Callable[[float], str] = formats.entier,
    couverts: str = "mois",
) -> str:
    """Les totaux de plusieurs séries sur la période (« Du 1er janvier 2023 au 31 décembre 2024 : 61 entrées et
    25 sorties. »). Le total d'une série dont un point est masqué n'est pas donné : la somme des seuls points
    diffusés le sous-estimerait. `couverts` : ce que sont les points (« mois », « trimestres »…)."""
    morceaux, secrets = [], []
    for nom, pts in series.items():
        if any(p.masque for p in pts):
            secrets.append(nom)
        else:
            total = sum(p.valeur or 0 for p in pts)
            # « 0 sortie », « 1 entrée » : le singulier en français jusqu'à 1 (les noms donnés sont au pluriel).
            morceaux.append(f"{ecrire(total)} {nom[:-1] if abs(total) < 2 and nom.endswith('s') else nom}")
    phrase = f"{periode} : " + (_liste(morceaux) if morceaux else "")
    if secrets:
        total = "total non diffusé" if len(secrets) == 1 else "totaux non diffusés"
        phrase += ("" if not morceaux else " ; ") + f"{_liste(secrets)} : {total} ({couverts} couverts par le {SECRET})"
    return phrase + "."


def etapes(effectifs: list[Point], parts: list[Point]) -> str:
    """Un entonnoir étape par étape, la première en effectif, les suivantes avec leur part de la première.

    « Orientés : 45 ; Sortis en emploi : 7 (15,6 %) ; Sortis en emploi durable : secret. »"""
    morceaux = []
    for i, (effectif, part) in enumerate(zip(effectifs, parts, strict=True)):
        if effectif.valeur is None:
            texte = "non diffusé" if effectif.masque else formats.SANS_OBJET
        else:
            texte = formats.entier(effectif.valeur)
            if i and part.valeur is not None:
                texte += f" ({formats.pourcentage(part.valeur)})"
            elif i and part.masque:
                texte += " (part non diffusée)"
        morceaux.append(f"{effectif.libelle} : {texte}")
    masques = any(p.masque for p in effectifs) or any(p.masque for p in parts)
    secret_ = f" Les valeurs non diffusées sont couvertes par le {SECRET}." if masques else ""
    return " ; ".join(morceaux) + "." + secret_


def positions(nom: str, lignes: list[tuple[Point, float | None]], *, repere: str = "la médiane des ALI") -> str:
    """Une ALI face à un repère, indicateur par indicateur : `lignes` = (valeur de l'ALI, repère), le libellé du
    point nommant l'indicateur. Une valeur masquée ou sans repère n'est comparée à rien.

    « ALI14 · Clichy face à la médiane des ALI : au-dessus pour la file active et les entrées ; en dessous pour
    le coût par personne ; non diffusé pour les sorties. »"""
    groupes: dict[str, list[str]] = {"au-dessus": [], "en dessous": [], "égale": [], "non diffusé": [], "sans": []}
    for point, reference in lignes:
        libelle = point.libelle[:1].lower() + point.libelle[1:]
        if point.masque:
            groupes["non diffusé"].append(libelle)
        elif point.valeur is None or reference is None or pd.isna(reference):
            groupes["sans"].append(libelle)
        elif math.isclose(point.valeur, reference, rel_tol=1e-9, abs_tol=1e-12):
            groupes["égale"].append(libelle)
        else:
            groupes["au-dessus" if point.valeur > reference else "en dessous"].append(libelle)
    morceaux = [
        f"{texte} pour {_liste(groupes[cle])}"
        for cle, texte in (
            ("au-dessus", "au-dessus"),
            ("en dessous", "en dessous"),
            ("égale", "à égalité"),
            ("non diffusé", f"non diffusée ({SECRET})"),
            ("sans", "sans comparaison possible"),
        )
        if groupes[cle]
    ]
    return f"{nom} face à {repere} : " + " ; ".join(morceaux) + "."
