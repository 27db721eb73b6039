"""Actions collectives (contrat §7.3) : séances, participants, remplissage, rendez-vous et personnes remobilisées,
et le passage des débutants en numérique par un atelier numérique. Même forme que insertion.indicators : une fine
fonction par fichier SQL de queries/, valeurs non liables vérifiées en liste blanche."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pandas as pd

from insertion import contrat
from insertion.contrat import GROUPES
from insertion.store.requetes import Perimetre, Periode, executer

# Les regroupements d'une séance : pas d'EPT (une séance est dans une commune ; le filtre EPT, lui, s'applique).
GROUPES_ACTIONS = ("departement", "type_action", "commune", "quartier", "structure", "ali")
PAS = ("periode", "mois")
TYPES = tuple(contrat.TYPES_ACTION)


def _choix(valeur: str, permis: tuple[str, ...], quoi: str) -> str:
    if valeur not in permis:
        raise ValueError(f"{quoi} inconnu : {valeur!r} (valeurs possibles : {', '.join(permis)})")
    return valeur


def _types(types: Iterable[str] | None) -> list[str] | None:
    """None ou () : tous les types ; sinon la liste, chaque type vérifié."""
    if not types:
        return None
    return [_choix(t, TYPES, "Type d'action") for t in types]


def seances(
    con: duckdb.DuckDBPyConnection,
    periode: Periode,
    perimetre: Perimetre = Perimetre(),
    groupe: str = "departement",
    pas: str = "periode",
    types: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Séances datées dans la période : groupe, code_commune (communes et quartiers), mois (pas 'mois'), seances,
    places, participants, participants_places, rendez_vous_pris, personnes_remobilisees, taux_remplissage,
    rendez_vous_par_seance. Seuls les filtres de territoire du périmètre s'appliquent (ALI de la séance, commune,
    EPT)."""
    territoire = perimetre.parametres()
    return executer(
        con,
        "actions_collectives",
        **periode.parametres(),
        alis=territoire["alis"],
        epts=territoire["epts"],
        communes=territoire["communes"],
        groupe=_choix(groupe, GROUPES_ACTIONS, "Regroupement"),
        pas=_choix(pas, PAS, "Pas"),
        types=_types(types),
    )


def ateliers_apres_diagnostic(
    con: duckdb.DuckDBPyConnection,
    periode: Periode,
    perimetre: Perimetre = Perimetre(),
    groupe: str = "departement",
) -> pd.DataFrame:
    """Débutants en numérique diagnostiqués dans la période (au plus tard à D − 60 jours) et ceux venus à un atelier
    numérique dans les 60 jours : groupe, debutants, debutants_atelier, taux_atelier_60j."""
    return executer(
        con,
        "ateliers_apres_diagnostic",
        **periode.parametres(),
        **perimetre.parametres(),
        groupe=_choix(groupe, GROUPES, "Regroupement"),
    )


def resume(con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre()) -> dict:
    """Le périmètre pour la CLI `indicators --json` (clé « actions_collectives ») : valeurs publiées quand la couche
    de publication est posée ; {} sans séance sur la période."""
    from insertion.indicators.autres_systemes.commun import valeur_publiee

    total = seances(con, periode, perimetre)
    if total.empty:
        return {}
    t = total.iloc[0]
    ateliers = ateliers_apres_diagnostic(con, periode, perimetre)
    colonnes = ("seances", "participants", "taux_remplissage", "rendez_vous_pris", "personnes_remobilisees")
    return {
        **{c: valeur_publiee(t[c]) for c in colonnes},
        "taux_atelier_60j": valeur_publiee(ateliers["taux_atelier_60j"].iloc[0]) if len(ateliers) else None,
    }


def ligne_synthese(con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre()):
    """Les personnes remobilisées lors des actions collectives de la période (vue d'ensemble, note) ; None sans
    séance qui déclare des personnes remobilisées."""
    from insertion import formats
    from insertion.indicators.autres_systemes.commun import LigneSynthese
    from insertion.protect import secret

    total = seances(con, periode, perimetre)
    if total.empty or not total["seances_remobilisees"].fillna(0).iloc[0]:
        return None
    n = total["personnes_remobilisees"].iloc[0]
    masque = pd.isna(n)
    valeur = secret.LIBELLE_MASQUE if masque else formats.entier(float(n))
    return LigneSynthese(
        "Personnes remobilisées",
        valeur,
        "Personnes qui avaient abandonné leurs droits ou leur recherche, remobilisées lors d'une action collective "
        "de la période (déclarées par séance par les structures organisatrices).",
        None
        if masque
        else f"{valeur} personnes ont été remobilisées lors des actions collectives de la période (aller-vers, "
        "informations collectives).",
    )
