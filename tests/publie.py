"""Ce que la couche de publication (insertion.protect) publie pour une requête : la valeur attendue à l'écran,
dans un export, la note ou la CLI. Les tests de pages comparent à ces valeurs ; la couche elle-même est testée
sur des effectifs et des clés calculés à la main (tests/store/test_publication.py)."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pandas as pd

from insertion import formats, protect
from insertion.store import db, requetes


def publie(base: Path | str | duckdb.DuckDBPyConnection, nom: str, **params) -> pd.DataFrame:
    """queries/<nom>.sql publié ; base : chemin du fichier DuckDB ou connexion ouverte."""
    con = base if isinstance(base, duckdb.DuckDBPyConnection) else db.ouvrir_en_lecture(base)
    try:
        with protect.publication():
            return requetes.executer(con, nom, **params)
    finally:
        if con is not base:
            con.close()


def valeurs_vraies(base: Path | str, nom: str, params: dict) -> pd.DataFrame:
    """queries/<nom>.sql tel qu'il entre dans la couche, clés comprises : les valeurs vraies, que l'attaquant n'a
    pas (pour vérifier ce que la couche en a fait)."""
    con = db.ouvrir_en_lecture(base)
    try:
        return requetes.executer(con, nom, avec_cles=True, **params)
    finally:
        con.close()


def cellule(df: pd.DataFrame, colonne: str, **ou) -> float:
    """La valeur publiée d'une case (NaN : masquée) ; ou : colonne=valeur pour choisir la ligne."""
    lignes = df
    for k, v in ou.items():
        lignes = lignes[lignes[k].astype(str) == str(v)]
    assert len(lignes) == 1, f"{len(lignes)} lignes pour {ou}"
    return float(lignes[colonne].iloc[0])


def texte_entier(x: float) -> str:
    """Comme à l'écran : « secret » pour une case masquée, sinon le nombre au format français."""
    return "secret" if x is None or math.isnan(x) else formats.entier(x)


def texte_taux(x: float) -> str:
    return "secret" if x is None or math.isnan(x) else formats.pourcentage(x)
