"""Les requêtes mesurées : chaque fichier de queries/ (pas les macros de queries/macros/), lancé comme le fait la
page qui l'utilise (fonction de insertion.indicators, sinon requetes.executer), avec sa référence pandas.

Filtres : ceux du tableau de bord par défaut (`filters.pour(D)` : Perimetre(), période du 01/01/2023 à D,
D = dernière extraction) et une ALI (ALI14). Groupes 'departement' et 'ali' quand la page les utilise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pandas as pd

from benchmarks import reference as ref
from insertion import indicators
from insertion.figures.qualite import LIMITE_QUARANTAINE
from insertion.indicators import synthese
from insertion.indicators.filters import Filtres
from insertion.store import requetes
from insertion.store.requetes import Perimetre, Periode

UNE_ALI = "ALI14"

Sql = Callable[[duckdb.DuckDBPyConnection, Filtres], pd.DataFrame]
Ref = Callable[[ref.Donnees, Filtres], pd.DataFrame]


@dataclass(frozen=True)
class Cas:
    requete: str  # queries/<requete>.sql
    groupe: str
    variante: str
    sql: Sql
    ref: Ref
    filtre_ali: bool = True  # le filtre ALI change-t-il la requête ?
    episodes: bool = True  # lit-elle les épisodes (cible de temps) ?

    @property
    def nom(self) -> str:
        return " ".join(x for x in (self.requete, self.groupe, self.variante) if x)


def _territoire(f: Filtres) -> dict:
    p = f.perimetre.parametres()
    return {k: p[k] for k in ("alis", "epts", "communes")}


def _cout(f: Filtres) -> Periode:
    return Periode(as_of=f.as_of)  # pages Budget et Comparer : le coût ne dépend que de D


def _fonction(requete: str, fonction: str, groupe: str, **extra) -> Cas:
    """Un indicateur appelé par sa fonction de insertion.indicators (comme ctx.requete)."""
    reference = getattr(ref, requete)

    def sql(con, f: Filtres) -> pd.DataFrame:
        return getattr(indicators, fonction)(con, f.periode, f.perimetre, groupe=groupe, **extra)

    def pandas(d, f: Filtres) -> pd.DataFrame:
        return reference(d, f.periode, f.perimetre, groupe, **extra)

    return Cas(requete, groupe, " ".join(str(v) for v in extra.values()), sql, pandas)


def _fichier(requete: str, groupe: str, variante: str = "", **extra) -> Cas:
    """Un fichier de queries/ lancé par requetes.executer avec les paramètres de la page (comme ctx.sql)."""
    reference = getattr(ref, requete)

    def sql(con, f: Filtres) -> pd.DataFrame:
        return requetes.executer(
            con, requete, **f.periode.parametres(), **f.perimetre.parametres(), groupe=groupe, **extra
        )

    def pandas(d, f: Filtres) -> pd.DataFrame:
        return reference(d, f.periode, f.perimetre, groupe, **extra)

    return Cas(requete, groupe, variante or " ".join(str(v) for v in extra.values()), sql, pandas)


def _cas_budget() -> list[Cas]:
    cas = []
    for groupe in ("departement", "ali"):
        cas.append(
            Cas(
                "budget_annuel",
                groupe,
                "",
                lambda con, f, g=groupe: indicators.budget_annuel(con, Perimetre(alis=f.perimetre.alis), groupe=g),
                lambda d, f, g=groupe: ref.budget_annuel(d, f.periode, Perimetre(alis=f.perimetre.alis), g),
                episodes=False,
            )
        )
    for groupe in ("departement", "ali"):
        cas.append(
            Cas(
                "cout_par_personne",
                groupe,
                "",
                lambda con, f, g=groupe: indicators.cout_par_personne(
                    con, _cout(f), Perimetre(alis=f.perimetre.alis), groupe=g
                ),
                lambda d, f, g=groupe: ref.cout_par_personne(d, _cout(f), Perimetre(alis=f.perimetre.alis), g),
            )
        )
    return cas


def _cas_qualite() -> list[Cas]:
    return [
        Cas(
            "ali_ouvertes",
            "",
            "",
            lambda con, f: requetes.executer(con, "ali_ouvertes", as_of=f.as_of, **_territoire(f)),
            lambda d, f: ref.ali_ouvertes(d, f.periode, f.perimetre, ""),
            episodes=False,
        ),
        Cas(
            "date_observation",
            "",
            "",
            lambda con, f: requetes.executer(con, "date_observation", **_territoire(f)),
            lambda d, f: ref.date_observation(d, f.periode, f.perimetre, ""),
            episodes=False,
        ),
        Cas(
            "qualite_chargements",
            "",
            "",
            lambda con, f: requetes.executer(con, "qualite_chargements"),
            lambda d, f: ref.qualite_chargements(d, f.periode, f.perimetre, ""),
            filtre_ali=False,
            episodes=False,
        ),
        Cas(
            "qualite_rejets",
            "",
            "",
            lambda con, f: requetes.executer(con, "qualite_rejets", chargement=None, **_territoire(f)),
            lambda d, f: ref.qualite_rejets(d, f.periode, f.perimetre, ""),
            episodes=False,
        ),
        Cas(
            "qualite_quarantaine",
            "",
            "",
            lambda con, f: requetes.executer(
                con, "qualite_quarantaine", chargement=None, limite=LIMITE_QUARANTAINE, **_territoire(f)
            ),
            lambda d, f: ref.qualite_quarantaine(d, f.periode, f.perimetre, "", LIMITE_QUARANTAINE),
            episodes=False,
        ),
        Cas(
            "qualite_fraicheur",
            "",
            "",
            lambda con, f: requetes.executer(
                con, "qualite_fraicheur", derniere=f.derniere_extraction, **_territoire(f)
            ),
            lambda d, f: ref.qualite_fraicheur(d, f.periode, f.perimetre, "", f.derniere_extraction),
            episodes=False,
        ),
    ]


def _completude(groupe: str) -> Cas:
    def sql(con, f: Filtres) -> pd.DataFrame:
        p = f.periode.parametres()
        return requetes.executer(
            con, "qualite_completude", groupe=groupe, debut=p["debut"], fin=p["fin"], **f.perimetre.parametres()
        )

    return Cas(
        "qualite_completude", groupe, "", sql, lambda d, f: ref.qualite_completude(d, f.periode, f.perimetre, groupe)
    )


def _fins_de_mois() -> Cas:
    def dates(f: Filtres) -> list:
        return synthese.dates_fins_de_mois(f.as_of, synthese.MOIS_SERIE)

    def sql(con, f: Filtres) -> pd.DataFrame:
        return requetes.executer(
            con,
            "taux_fins_de_mois",
            dates=dates(f),
            groupe="departement",
            **f.periode.parametres(),
            **f.perimetre.parametres(),
        )

    return Cas(
        "taux_fins_de_mois",
        "departement",
        f"{synthese.MOIS_SERIE + 1} dates",
        sql,
        lambda d, f: ref.taux_fins_de_mois(d, f.periode, f.perimetre, "departement", dates(f)),
    )


# Les requêtes des autres systèmes (contrat §7) : leurs tables (mises en relation, actions collectives, moyens,
# annuaire) comptent quelques milliers de lignes, pas des millions ; leur calcul indépendant est fait à la main sur
# de petits jeux dans leurs tests (tests/indicators/test_mises_en_relation.py, test_actions_collectives.py,
# test_moyens.py).
# Celles qui lisent aussi les épisodes (ateliers après diagnostic, moyens mensuels) ne les lisent que pour les
# débutants en numérique ou les ALI déclarantes ; leur temps est mesuré par benchmarks/vues.py avec leurs pages.
# Celles des freins lisent tous les épisodes : elles sont mesurées ci-dessus.
HORS_BANC = frozenset(
    {
        "mises_en_relation", "delais_mise_en_relation", "embauches_sorties", "noms_structures",
        "actions_collectives", "ateliers_apres_diagnostic", "moyens_mensuels", "cout_par_place",
        # L'annuaire et sa couverture par commune ne lisent que l'annuaire (quelques dizaines de structures).
        "annuaire_structures", "couverture_freins",
    }
)  # fmt: skip


def tous_les_cas() -> list[Cas]:
    dep, ali = "departement", "ali"
    cas = [
        _fonction("file_active", "file_active", dep),
        _fonction("file_active", "file_active", ali),
        _fonction("file_active_mensuelle", "file_active_mensuelle", dep),
        _fonction("file_active_mensuelle", "file_active_mensuelle", ali),
        _fonction("entrees_sorties", "entrees_sorties", dep),
        _fonction("entrees_sorties", "entrees_sorties", ali),
        _fonction("entrees_sorties_mensuelles", "entrees_sorties_mensuelles", dep),
        _fonction("taux_diagnostic_90j", "taux_diagnostic", dep, diagnostic="numerique"),
        _fonction("taux_diagnostic_90j", "taux_diagnostic", ali, diagnostic="numerique"),
        _fonction("taux_diagnostic_90j", "taux_diagnostic", dep, diagnostic="linguistique"),
        _fichier("taux_diagnostic_cohortes", dep, diagnostic="numerique"),
        _fichier("taux_diagnostic_cohortes", ali, diagnostic="numerique"),
        _fichier("niveaux_diagnostic", dep, diagnostic="numerique"),
        _fichier("niveaux_diagnostic", ali, diagnostic="numerique"),
        _fonction("taux_sortie_emploi_12m", "taux_sortie_emploi", dep),
        _fonction("taux_sortie_emploi_12m", "taux_sortie_emploi", ali),
        _fichier("taux_sortie_emploi_cohortes", dep, pas="mois"),
        _fichier("taux_sortie_emploi_cohortes", ali, pas="trimestre"),
        _fonction("sorties_par_motif", "sorties_par_motif", dep),
        _fonction("sorties_par_motif", "sorties_par_motif", ali),
        _fonction("sorties_par_groupe", "sorties_par_groupe", dep),
        _fonction("sorties_par_groupe", "sorties_par_groupe", ali),
        _fichier("parcours_cohorte", dep, pas="trimestre"),
        _fichier("parcours_cohorte", dep, pas="periode"),
        _fichier("repartition_profil", dep, dimension="tranche_age"),
        _fins_de_mois(),
        *_cas_budget(),
        *_cas_qualite(),
        _completude(dep),
        _completude(ali),
        # Freins périphériques (§7.1) : colonnes de la file active, lues sur les épisodes.
        _fichier("freins_prevalence", dep),
        _fichier("freins_prevalence", ali),
        _fichier("freins_par_personne", dep),
        _fichier("freins_sortie_emploi", dep),
        _fichier("freins_sortie_emploi", ali),
    ]
    fichiers = {p.stem for p in requetes.QUERIES_DIR.glob("*.sql")}  # les macros sont dans queries/macros/
    manquants = fichiers - {c.requete for c in cas} - HORS_BANC
    if manquants:
        raise RuntimeError(f"requêtes de queries/ sans mesure : {', '.join(sorted(manquants))}")
    return cas
