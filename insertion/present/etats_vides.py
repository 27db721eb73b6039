"""Ce que dit une vue quand les filtres ne laissent aucune donnée : ce qui manque, où, et quoi faire.

Un graphique vide (des axes sans rien, ou des barres à zéro) laisse croire à une panne ou à un territoire sans
activité ; une erreur, à un bug. La vue écrit à la place une phrase qui nomme ce qui manque (« Aucune personne
orientée »), sur quoi (la période, la date d'observation), où (ce territoire, ce profil), et ce qu'on peut changer
pour voir quelque chose : élargir la période, le territoire, retirer un filtre de profil.

Sans Streamlit : les pages affichent la phrase (insertion.present.ui.etat_vide), les tests la lisent ici.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from insertion.indicators.filters import Filtres
from insertion.store.requetes import Perimetre

# Ce que vide un filtre : ce qui dépend de la période (orientations, sorties datées), de la seule date
# d'observation (personnes suivies à D), ou du recul des cohortes à D (un taux à 90 jours ou à 12 mois).
PERIODE, DATE, RECUL_90J, RECUL_12M = "periode", "date", "recul_90j", "recul_12m"


@dataclass(frozen=True)
class Manque:
    texte: str  # « Aucune personne orientée »
    moment: str  # PERIODE, DATE, RECUL_90J ou RECUL_12M


MANQUES = {
    "orientees": Manque("Aucune personne orientée", PERIODE),
    "suivies_periode": Manque("Aucune personne suivie", PERIODE),
    "suivies": Manque("Aucune personne suivie", DATE),
    "entrees_sorties": Manque("Aucune entrée ni sortie", PERIODE),
    "sorties": Manque("Aucune sortie", PERIODE),
    "diagnostics": Manque("Aucun diagnostic daté", PERIODE),
    "episodes": Manque("Aucun épisode orienté", PERIODE),
    "ali_comparables": Manque("Aucune ALI n'a encore d'orientation", DATE),
    "cohortes_90j": Manque("Aucune cohorte mensuelle n'a encore 90 jours de recul à la date d'observation", RECUL_90J),
    "cohortes_12m": Manque(
        "Aucune orientation de la période n'a encore un an de recul à la date d'observation", RECUL_12M
    ),
    "mises_en_relation": Manque("Aucune mise en relation par une structure partenaire", PERIODE),
    "embauches_anciennes": Manque(
        "Aucune embauche de la période n'a encore 90 jours de recul à la date d'observation", RECUL_90J
    ),
}
_MOMENTS = {PERIODE: "sur cette période", DATE: "à cette date"}
_CONSEILS_MOMENT = {
    PERIODE: "élargissez la période",
    DATE: "choisissez une autre date d'observation",
    RECUL_90J: "commencez la période plus tôt (au moins 90 jours avant la date d'observation)",
    RECUL_12M: "commencez la période plus tôt (au moins un an avant la date d'observation)",
}
# Filtres de profil : le nom de chacun dans « retirez le filtre de sexe ».
_PROFIL = (("parcours", "de parcours"), ("ages", "d'âge"), ("sexes", "de sexe"))


def _liste(elements: list[str], conjonction: str) -> str:
    """« a », « a ou b », « a, b ou c » ; « a ou b, ou c » quand un élément a déjà sa conjonction."""
    if len(elements) <= 1:
        return "".join(elements)
    avant = "," if any(f" {conjonction} " in e for e in elements) else ""
    return ", ".join(elements[:-1]) + f"{avant} {conjonction} " + elements[-1]


def territoire_filtre(perimetre: Perimetre) -> bool:
    return bool(perimetre.alis or perimetre.epts or perimetre.communes)


def profils_filtres(perimetre: Perimetre) -> list[str]:
    """Les filtres de profil posés, dans l'ordre de la barre : « de parcours », « d'âge », « de sexe »."""
    return [nom for champ, nom in _PROFIL if getattr(perimetre, champ)]


def _retirer_profil(profils: list[str]) -> str:
    if len(profils) == 1:
        return f"retirez le filtre {profils[0]}"
    return "retirez un des filtres " + _liste(profils, "ou")


def message(quoi: str, filtres: Filtres) -> str:
    """La phrase d'une vue vide, d'après ce qui manque (une clé de MANQUES) et les filtres posés.

    « Aucune personne orientée sur cette période dans ce territoire : élargissez la période ou le territoire. »"""
    manque = MANQUES[quoi]
    perimetre = filtres.perimetre
    territoire = territoire_filtre(perimetre)
    profils = profils_filtres(perimetre)

    morceaux = [manque.texte]
    if manque.moment in _MOMENTS:
        morceaux.append(_MOMENTS[manque.moment])
    if territoire:
        morceaux.append("dans ce territoire")
    if profils:
        morceaux.append("pour ce profil")

    conseils = [_CONSEILS_MOMENT[manque.moment]]
    if territoire:
        # « élargissez la période ou le territoire » : un seul verbe quand les deux s'élargissent.
        if conseils[0] == _CONSEILS_MOMENT[PERIODE]:
            conseils[0] = "élargissez la période ou le territoire"
        else:
            conseils.append("élargissez le territoire")
    if profils:
        conseils.append(_retirer_profil(profils))
    if not territoire and not profils and manque.moment in (PERIODE, DATE):
        # Tout le département, sans filtre : peut-être n'y a-t-il encore rien de chargé pour ces dates.
        conseils.append("vérifiez les extractions chargées (page Qualité des données)")
    return f"{' '.join(morceaux)} : {_liste(conseils, 'ou')}."


def message_budget(filtres: Filtres, premiere_annee: int | None) -> str:
    """Pas de budget jusqu'à l'année de D : le budget commence plus tard (`premiere_annee`), l'ALI choisie n'a pas
    de crédit ventilé, ou aucun fichier budget n'a été chargé. Seul le filtre ALI s'applique au budget."""
    annee = filtres.as_of.year
    if premiere_annee is not None:
        return (
            f"Aucun crédit jusqu'en {annee}, année de la date d'observation : le budget chargé commence en "
            f"{premiere_annee}. Choisissez une date d'observation en {premiere_annee} ou après."
        )
    if filtres.perimetre.alis:
        return (
            "Aucun crédit ventilé aux ALI choisies : élargissez le territoire (le budget n'est ventilé que par ALI), "
            "ou chargez leur fichier budget depuis la page Importer."
        )
    return (
        "Aucun budget chargé : chargez un fichier budget (annee, code_ali, ligne, montant_vote, montant_execute) "
        "depuis la page Importer."
    )


def message_extractions(filtres: Filtres) -> str:
    """Les ALI du territoire n'ont encore envoyé aucune extraction : rien à placer sur l'axe des dates."""
    if territoire_filtre(filtres.perimetre):
        return (
            "Aucune ALI de ce territoire n'a encore d'extraction en place : élargissez le territoire, ou chargez "
            "leurs extractions depuis la page Importer."
        )
    return "Aucune ALI n'a encore d'extraction en place : chargez leurs extractions depuis la page Importer."


def est_vide(table: pd.DataFrame, colonnes: Iterable[str] = ()) -> bool:
    """Rien à montrer : aucune ligne, ou des effectifs tous nuls ou absents dans `colonnes` (une série de mois
    sans personne, des ALI toutes à zéro). Un effectif masqué par la couche de publication (NaN) n'est pas un
    vide : sous le département, un zéro publié est masqué comme une petite case, et dire « aucune personne »
    le trahirait ; la phrase de vide ne vient alors que d'une requête sans ligne ou de zéros exacts."""
    if table.empty:
        return True
    colonnes = list(colonnes)
    if not colonnes:
        return False
    valeurs = table[colonnes].apply(pd.to_numeric, errors="coerce")
    return bool((valeurs == 0).all().all())


def filtres_hors_ali(perimetre: Perimetre) -> list[str]:
    """Les filtres posés autres que l'ALI, nommés pour une légende (« EPT », « commune », « sexe »…) : ceux qui ne
    s'appliquent pas à des données ventilées par ALI seulement (budget, moyens)."""
    filtres = (
        ("EPT", perimetre.epts),
        ("commune", perimetre.communes),
        ("type de parcours", perimetre.parcours),
        ("tranche d'âge", perimetre.ages),
        ("sexe", perimetre.sexes),
    )
    return [libelle for libelle, valeurs in filtres if valeurs]
