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

import re
from dataclasses import dataclass

from insertion import contrat

# Les seuls morceaux qui entrent dans le SQL composé : des noms écrits ici (vérifiés à la construction de chaque
# spec), et une clé faite de noms de colonnes joints par « || '|' || ».
_NOM = re.compile(r"^[a-z_][a-z0-9_]*$")
_CLE = re.compile(r"^(?:'[a-z]+'|[a-z_][a-z0-9_]*( \|\| '\|' \|\| [a-z_][a-z0-9_]*)*)$")  # ou une constante


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

    def __post_init__(self) -> None:
        noms = (self.nature, *self.colonnes_fichier, *self.colonnes_table, *self.doublon)
        mauvais = [n for n in noms if not _NOM.match(n)]
        if mauvais or not _CLE.match(self.cle_sql):
            raise ValueError(f"Spec {self.nature} : identifiants SQL non admis {mauvais or [self.cle_sql]}")

    @property
    def table(self) -> str:
        return self.nature

    @property
    def historique(self) -> str:
        return f"{self.nature}_historique"

    # Les requêtes du chargeur pour ce type de fichier : composées une fois, de noms vérifiés ; toute valeur
    # (id de chargement, clés, motif) reste un paramètre lié.
    @property
    def sql_doublons(self) -> str:
        return f"""
        UPDATE _verifie AS v
        SET colonne_rejet = $colonne, motif_rejet = $motif, detail_rejet = 'première occurrence ligne ' || d.premiere
        FROM (
            SELECT _ligne, row_number() OVER w AS rang, first_value(_ligne) OVER w AS premiere
            FROM _verifie WHERE motif_rejet IS NULL
            WINDOW w AS (PARTITION BY {", ".join(self.doublon)} ORDER BY _ligne)
        ) AS d
        WHERE v._ligne = d._ligne AND d.rang > 1
        """

    @property
    def sql_etat(self) -> str:
        date = "max(date_extraction)" if self.date_extraction else "NULL"
        return (
            f"SELECT {self.cle_sql} AS cle, {date}, count(*) FROM {self.table} "
            f"WHERE list_contains($cles, {self.cle_sql}) GROUP BY ALL"
        )

    @property
    def sql_historique(self) -> str:
        return (
            f"INSERT INTO {self.historique} BY NAME SELECT $id AS id_chargement, {', '.join(self.colonnes_table)} "
            "FROM _verifie WHERE motif_rejet IS NULL"
        )

    @property
    def sql_retirer(self) -> str:
        return f"DELETE FROM {self.table} WHERE list_contains($cles, {self.cle_sql})"

    @property
    def sql_inserer(self) -> str:
        return (
            f"INSERT INTO {self.table} BY NAME SELECT $id AS id_chargement, {', '.join(self.colonnes_table)} "
            "FROM _verifie WHERE motif_rejet IS NULL AND list_contains($cles, cle) ORDER BY cle"
        )


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
