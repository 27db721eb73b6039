"""Mises en relation par les structures partenaires (contrat §7.2) : queries/mises_en_relation.sql,
queries/delais_mise_en_relation.sql, queries/embauches_sorties.sql."""

from __future__ import annotations

import duckdb
import pandas as pd

from insertion.protect import secret
from insertion.store.requetes import Perimetre, Periode, executer

GROUPES = ("departement", "ali", "structure")
PAS = ("periode", "mois", "trimestre", "annee")


def _params(periode: Periode, perimetre: Perimetre, groupe: str) -> dict:
    if groupe not in GROUPES:
        raise ValueError(f"Regroupement inconnu : {groupe!r} (valeurs possibles : {', '.join(GROUPES)})")
    return {**periode.parametres(), **perimetre.parametres(), "groupe": groupe}


def mises_en_relation(
    con: duckdb.DuckDBPyConnection,
    periode: Periode,
    perimetre: Perimetre = Perimetre(),
    groupe: str = "departement",
    pas: str = "periode",
) -> pd.DataFrame:
    """Mises en relation de la période : groupe, mois (premier jour du mois, du trimestre ou de l'année ; NULL au
    pas 'periode'), mises_en_relation, personnes,
    embauches, contrats_longs, embauches_tpe_pme, taux_embauche, part_contrats_longs, part_tpe_pme."""
    if pas not in PAS:
        raise ValueError(f"Pas inconnu : {pas!r} (valeurs possibles : {', '.join(PAS)})")
    return executer(con, "mises_en_relation", **_params(periode, perimetre, groupe), pas=pas)


def delais(
    con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """Délais médians de l'orientation à la première mise en relation et à l'embauche : groupe,
    personnes_mises_en_relation, delai_median_mise_en_relation_j, personnes_embauchees, delai_median_embauche_j,
    personnes_sans_episode."""
    return executer(con, "delais_mise_en_relation", **_params(periode, perimetre, groupe))


def embauches_sorties(
    con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """Embauches suivies d'une sortie en emploi de l'épisode dans les 90 jours : groupe, embauches_observees,
    embauches_sortie_emploi, taux_concordance, embauches_sans_episode."""
    return executer(con, "embauches_sorties", **_params(periode, perimetre, groupe))


def resume(con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre()) -> dict:
    """Le département (ou le périmètre) pour la CLI `indicators --json` (clé « mises_en_relation ») : valeurs
    telles que la couche de publication les rend quand elle est posée ; None quand aucune mise en relation."""
    from insertion.indicators.autres_systemes.commun import valeur_publiee

    volumes = mises_en_relation(con, periode, perimetre)
    if volumes.empty:
        return {}
    v = volumes.iloc[0]
    d = delais(con, periode, perimetre)
    a = embauches_sorties(con, periode, perimetre)
    return {
        **{c: valeur_publiee(v[c]) for c in ("mises_en_relation", "personnes", "embauches", "taux_embauche")},
        "part_contrats_longs": valeur_publiee(v["part_contrats_longs"]),
        "part_tpe_pme": valeur_publiee(v["part_tpe_pme"]),
        "delai_median_embauche_j": valeur_publiee(d["delai_median_embauche_j"].iloc[0]) if len(d) else None,
        "taux_concordance": valeur_publiee(a["taux_concordance"].iloc[0]) if len(a) else None,
    }


def ligne_synthese(con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre()):
    """La part des contrats longs parmi les embauches des partenaires (vue d'ensemble, note) ; None sans mise en
    relation sur la période."""
    from insertion import formats
    from insertion.indicators.autres_systemes.commun import LigneSynthese

    volumes = mises_en_relation(con, periode, perimetre)
    if volumes.empty:
        return None
    part = volumes["part_contrats_longs"].iloc[0]
    masquee = pd.isna(part)
    valeur = secret.LIBELLE_MASQUE if masquee else formats.pourcentage(float(part))
    return LigneSynthese(
        "Contrats longs (embauches des partenaires)",
        valeur,
        "Part des embauches obtenues par les structures partenaires en CDI, création ou contrat d'au moins 6 mois.",
        None if masquee else f"{valeur} des embauches obtenues par les structures partenaires sont des contrats longs.",
    )
