"""Les fichiers du contrat §7.2 à §7.5 (mises en relation, actions collectives, participations, moyens, annuaire
des structures) : ce que le chargeur (insertion/ingest/chargement.py) doit savoir de chacun.

Mêmes garanties que la file active (contrat §3) : règles de ligne (insertion/ingest/sql/valider_<nature>.sql) avec
quarantaine et motif, doublons rejetés, fichier refusé entier (colonnes obligatoires, date_extraction multiple,
identifiants directs), chargement atomique, historique de chaque chargement, instantanés.

Instantané : un fichier remplace, pour chaque périmètre (« clé ») qu'il contient, les lignes courantes de ce
périmètre, sauf si l'instantané en place est plus récent (gardé alors dans l'historique seulement). Le contrat fixe
le périmètre des mises en relation (structure × ALI, §7.2) ; pour les autres, le choix du projet (écrit aussi dans
le README) : la structure organisatrice pour les actions collectives et leurs participations, l'ALI pour les moyens
(comme la file active), l'annuaire entier pour les structures (un référentiel, sans date_extraction).

Les participations citent une séance en place au moment de leur chargement. Un fichier d'actions qui retire une
séance ne retire pas ses participations : elles restent jusqu'au prochain fichier de participations de la même
structure ; les indicateurs les joignent aux séances en place.

Aucune valeur ici ne vient d'un fichier : les noms de tables et de colonnes sont écrits en toutes lettres et seuls
eux entrent dans le SQL composé par le chargeur.
"""

from __future__ import annotations

from dataclasses import dataclass

from insertion import contrat


@dataclass(frozen=True)
class SpecSysteme:
    nature: str
    colonnes_fichier: tuple[str, ...]  # les colonnes du contrat (lues en texte)
    colonnes_table: tuple[str, ...]  # les colonnes écrites dans la table (hors id_chargement)
    cle_sql: str  # le périmètre de l'instantané, calculé sur une ligne de la table courante
    doublon: tuple[str, ...]  # deux lignes valides qui ont ces valeurs : la seconde est rejetée
    motif_doublon: str
    libelle_cle: str  # « structure × ALI » : pour les messages et l'aperçu
    date_extraction: bool = True

    @property
    def table(self) -> str:
        return self.nature

    @property
    def historique(self) -> str:
        return f"{self.nature}_historique"


_MISES = contrat.COLONNES_MISES_EN_RELATION
SPECS: dict[str, SpecSysteme] = {
    "mises_en_relation": SpecSysteme(
        "mises_en_relation",
        tuple(_MISES),
        (*_MISES[:-1], "contrat_long", "date_extraction"),
        "code_structure || '|' || code_ali",
        tuple(_MISES[:-1]),
        "doublon (même ligne qu'une ligne précédente)",
        "structure × ALI",
    ),
    "actions_collectives": SpecSysteme(
        "actions_collectives",
        tuple(contrat.COLONNES_ACTIONS_COLLECTIVES),
        tuple(contrat.COLONNES_ACTIONS_COLLECTIVES),
        "code_structure",
        ("id_action",),
        "doublon (même id_action qu'une ligne précédente)",
        "structure",
    ),
    "participations": SpecSysteme(
        "participations",
        tuple(contrat.COLONNES_PARTICIPATIONS),
        ("id_beneficiaire", "id_action", "code_structure", "date_extraction"),
        "code_structure",
        ("id_beneficiaire", "id_action"),
        "doublon (même id_beneficiaire et id_action qu'une ligne précédente)",
        "structure",
    ),
    "moyens": SpecSysteme(
        "moyens",
        tuple(contrat.COLONNES_MOYENS),
        tuple(contrat.COLONNES_MOYENS),
        "code_ali",
        ("code_ali", "mois"),
        "doublon (même code_ali et mois qu'une ligne précédente)",
        "ALI",
    ),
    "structures": SpecSysteme(
        "structures",
        tuple(contrat.COLONNES_STRUCTURES),
        tuple(contrat.COLONNES_STRUCTURES),
        "'annuaire'",
        ("code_structure",),
        "doublon (même code_structure qu'une ligne précédente)",
        "annuaire",
        date_extraction=False,
    ),
}


def reconnaitre(present: set[str]) -> str | None:
    """La nature d'un fichier du §7 d'après ses colonnes, ou None (file active, budget, ou inconnu).

    Chaque nature a des colonnes qui ne sont qu'à elle (contrat.SIGNATURES) : celle qui en a le plus l'emporte.
    participations : id_action sans aucune colonne de séance.
    """
    scores = {nature: len(present & colonnes) for nature, colonnes in contrat.SIGNATURES.items()}
    meilleure = max(scores, key=lambda n: scores[n])
    if scores[meilleure]:
        return meilleure
    if "id_action" in present:
        return "participations"
    if "code_structure" in present and "id_beneficiaire" in present:
        return "mises_en_relation"
    return None
