"""Les questions qu'on peut poser (issue 12) : moins de questions, moins de façons de recouper.

- Des périodes en mois entiers : le début est le 1er d'un mois, la fin le dernier jour d'un mois, ou la date
  des données du territoire (date commune, ou sa plus récente extraction). `mois_entiers` ramène une date
  choisie au calendrier ; deux fenêtres emboîtées diffèrent alors d'au moins un mois entier, dont les
  effectifs sont eux-mêmes des cases publiées avec leur bruit.
- Un territoire de la hiérarchie commune ⊂ ALI ⊂ EPT ⊂ département (plusieurs valeurs d'un même niveau font
  une case à part, avec sa clé et son bruit) ; au plus FILTRES_PROFIL_MAX[niveau] dimensions de profil
  (âge, sexe, parcours) combinées : 3 au département, 2 à l'EPT, 1 à l'ALI, aucune à la commune. Sous l'EPT,
  chaque filtre de plus multiplie les petites cases et les façons de les retrouver.
"""

from __future__ import annotations

import calendar
from datetime import date

from insertion.protect import protection
from insertion.store.requetes import Perimetre

NOMS_NIVEAUX = {"departement": "du département", "ept": "d'un EPT", "ali": "d'une ALI", "commune": "d'une commune"}
DIMENSIONS = {"parcours": "type de parcours", "ages": "tranche d'âge", "sexes": "sexe"}


def niveau(perimetre: Perimetre) -> str:
    """Le niveau le plus fin posé : commune, puis ALI, puis EPT, sinon le département."""
    if perimetre.communes:
        return "commune"
    if perimetre.alis:
        return "ali"
    if perimetre.epts:
        return "ept"
    return "departement"


def fin_de_mois(jour: date) -> date:
    return jour.replace(day=calendar.monthrange(jour.year, jour.month)[1])


def decale_mois(premier: date, n: int) -> date:
    """Le 1er du mois situé n mois avant (n < 0) ou après le mois de `premier`."""
    m = premier.year * 12 + premier.month - 1 + n
    return date(m // 12, m % 12 + 1, 1)


def mois_entiers(debut: date, fin: date, dates_des_donnees: tuple[date, ...] = ()) -> tuple[date, date]:
    """(début, fin) ramenés à des mois entiers : début au 1er de son mois ; fin au dernier jour de son mois,
    sauf si c'est une date des données (gardée telle quelle), sans dépasser la plus récente d'entre elles."""
    debut = debut.replace(day=1)
    if fin in dates_des_donnees:
        return debut, fin
    fin_mois = fin_de_mois(fin)
    if dates_des_donnees and fin_mois > max(dates_des_donnees):
        fin_mois = max(dates_des_donnees)
    return debut, fin_mois


def refus(perimetre: Perimetre) -> list[str]:
    """Pourquoi la question ne peut pas être posée (phrases en français, avec quoi changer) ; [] si elle le
    peut. Le secret désactivé (seuil 1) ne limite rien."""
    if protection.REGLAGE is None:
        return []
    quel = niveau(perimetre)
    poses = [DIMENSIONS[d] for d in DIMENSIONS if getattr(perimetre, d)]
    maximum = protection.FILTRES_PROFIL_MAX[quel]
    if len(poses) <= maximum:
        return []
    if maximum == 0:
        permis = "aucun filtre de profil"
    else:
        permis = f"au plus {maximum} filtre{'s' if maximum > 1 else ''} de profil"
    return [
        f"Au niveau {NOMS_NIVEAUX[quel]}, on combine {permis} (âge, sexe, parcours) : {len(poses)} sont posés "
        f"({', '.join(poses)}). Retirez-en {len(poses) - maximum}, ou élargissez le territoire : ces chiffres "
        "porteraient sur trop peu de personnes pour être publiés sans risque (secret statistique)."
    ]
