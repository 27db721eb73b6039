"""Moyens (contrat §7.4) : référents (ETP) et places déclarés par les ALI, personnes suivies par référent,
taux d'occupation des places, progression vers les cibles 2026 du Département, coût par place.

Fines fonctions autour de queries/moyens_mensuels.sql et queries/cout_par_place.sql (même forme que
insertion.indicators), plus la progression vers une cible, calculée ici sur des valeurs publiques (référents et
places ne sont pas des effectifs de personnes). Les moyens sont déclarés par ALI : seul le filtre ALI du
périmètre s'applique.
"""

from __future__ import annotations

import math

import duckdb
import pandas as pd

from insertion.contrat import GROUPES_BUDGET, PLACES_CIBLE_2026, PLACES_DEPART, REFERENTS_CIBLE_2026, REFERENTS_DEPART
from insertion.store.requetes import Perimetre, Periode, executer

# Les regroupements des moyens : le département ou l'ALI (les moyens ne sont connus que par ALI).
GROUPES = GROUPES_BUDGET
# Mesure → (valeur de départ, cible 2026) du Département (contrat §7.4, insertion.contrat).
CIBLES = {
    "referents_etp": (REFERENTS_DEPART, REFERENTS_CIBLE_2026),
    "places": (PLACES_DEPART, PLACES_CIBLE_2026),
}


def _groupe(groupe: str) -> str:
    if groupe not in GROUPES:
        raise ValueError(f"Regroupement inconnu : {groupe!r} (valeurs possibles : {', '.join(GROUPES)})")
    return groupe


def _alis(perimetre: Perimetre) -> list[str] | None:
    """Le seul filtre qui s'applique aux moyens : les ALI retenues (None : toutes)."""
    return perimetre.parametres()["alis"]


def moyens_mensuels(
    con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """Moyens déclarés par mois de la période (mois de D pris à D) : groupe, mois, date_reference, date_complete,
    alis_declarees, referents_etp, places, cip_ecole, file_active (des ALI déclarantes), personnes_par_referent,
    taux_occupation."""
    return executer(con, "moyens_mensuels", **periode.parametres(), groupe=_groupe(groupe), alis=_alis(perimetre))


def cout_par_place(
    con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """Coût par place par année jusqu'à celle de D (la période ne le restreint pas) : groupe, annee,
    montant_execute, mois_declares, places_moyennes, cout_par_place."""
    return executer(con, "cout_par_place", as_of=periode.as_of, groupe=_groupe(groupe), alis=_alis(perimetre))


def progression(valeur: float | None, mesure: str) -> float | None:
    """Part du chemin parcouru vers la cible 2026 : (valeur − départ) / (cible − départ) ; 0 au départ, 1 à la
    cible, négative sous le départ, au-delà de 1 après la cible. None sans valeur."""
    depart, cible = CIBLES[mesure]
    if valeur is None or (isinstance(valeur, float) and math.isnan(valeur)):
        return None
    return (float(valeur) - depart) / (cible - depart)


def dernier_mois(mensuels: pd.DataFrame) -> pd.Series | None:
    """La ligne du dernier mois déclaré d'une série d'un seul groupe (None : aucune déclaration)."""
    if mensuels.empty:
        return None
    return mensuels.sort_values("mois").iloc[-1]


def resume(con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre()) -> dict:
    """Le dernier mois déclaré de la période pour la CLI `indicators --json` (clé « moyens ») ; {} sans moyens
    déclarés. Progressions vers les cibles 2026 : seulement pour tout le département (les cibles sont les siennes)."""
    from insertion.indicators.autres_systemes.commun import valeur_publiee

    dernier = dernier_mois(moyens_mensuels(con, periode, perimetre))
    if dernier is None:
        return {}
    tout = not perimetre.alis
    return {
        "mois": pd.Timestamp(dernier["mois"]).date().isoformat()[:7],
        **{c: valeur_publiee(dernier[c]) for c in ("referents_etp", "places", "file_active")},
        "personnes_par_referent": valeur_publiee(dernier["personnes_par_referent"]),
        "taux_occupation": valeur_publiee(dernier["taux_occupation"]),
        "progression_referents_2026": progression(float(dernier["referents_etp"]), "referents_etp") if tout else None,
        "progression_places_2026": progression(float(dernier["places"]), "places") if tout else None,
    }


def ligne_synthese(con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre()):
    """Les personnes suivies par référent au dernier mois déclaré (vue d'ensemble, note) ; None sans moyens."""
    from insertion import formats
    from insertion.indicators.autres_systemes.commun import LigneSynthese
    from insertion.protect import secret

    dernier = dernier_mois(moyens_mensuels(con, periode, perimetre))
    if dernier is None:
        return None
    ratio = dernier["personnes_par_referent"]
    masque = pd.isna(ratio)
    valeur = secret.LIBELLE_MASQUE if masque else formats.decimal(float(ratio), 0)
    mois = formats.mois(pd.Timestamp(dernier["mois"]).date())
    return LigneSynthese(
        "Personnes par référent",
        valeur,
        f"Personnes suivies par référent à temps plein en {mois}, dans les ALI qui ont déclaré leurs moyens.",
        None if masque else f"En {mois}, chaque référent à temps plein suit en moyenne {valeur} personnes.",
    )
