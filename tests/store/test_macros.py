"""Macros partagées de queries/macros/ (issue 15) : toutes installées dans la base, la liste des freins tirée du
contrat seul, et une base du schéma 10 (sans les macros du budget, des freins et du territoire ni ref_freins) mise à
niveau à son ouverture, avec les mêmes résultats qu'une base neuve."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from insertion import contrat
from insertion.config import QUERIES_DIR
from insertion.store import db, requetes
from insertion.store.requetes import Perimetre
from tests.conftest import csv_bytes, ligne, write

D = date(2023, 6, 30)
_MACRO = re.compile(r"CREATE OR REPLACE MACRO (\w+)\(")


def _macros_declarees() -> set[str]:
    return {nom for f in db.fichiers_macros() for nom in _MACRO.findall(f.read_text(encoding="utf-8"))}


def _construire(tmp_path: Path) -> Path:
    from insertion.ingest.chargement import charger_fichiers

    lignes = [
        ligne(id_beneficiaire=f"b{i:07d}", **{c: ("oui" if (i + k) % 3 == 0 else "non") for k, c in enumerate(
            contrat.COLONNES_FREINS)})
        for i in range(12)
    ]  # fmt: skip
    chemin = tmp_path / "base.duckdb"
    (r,) = charger_fichiers(
        chemin, [write(tmp_path / "juin.csv", csv_bytes(lignes, columns=contrat.COLONNES_EXTRACTION))]
    )
    assert (r.status, r.accepted) == ("loaded", 12), r.message
    return chemin


def _resultats(con) -> dict[str, list]:
    """Les indicateurs qui emploient les nouvelles macros, lancés comme les pages les lancent."""
    perimetre = Perimetre().parametres()
    commun = {"as_of": D, "groupe": "departement", **perimetre}
    return {
        "freins_prevalence": requetes.executer(con, "freins_prevalence", **commun).values.tolist(),
        "freins_par_personne": requetes.executer(con, "freins_par_personne", **commun).values.tolist(),
        "freins_sortie_emploi": requetes.executer(
            con, "freins_sortie_emploi", debut=date(2020, 1, 1), fin=D, **commun
        ).values.tolist(),
        "cout_par_place": requetes.executer(con, "cout_par_place", **commun).values.tolist(),
        "cout_par_personne": requetes.executer(con, "cout_par_personne", **commun).values.tolist(),
        "date_observation": requetes.executer(
            con, "date_observation", alis=None, epts=["Grand Paris Grand Est"], communes=None
        ).values.tolist(),
        "ali_ouvertes": requetes.executer(
            con, "ali_ouvertes", as_of=D, alis=None, epts=None, communes=None
        ).values.tolist(),
        "qualite_rejets": requetes.executer(
            con, "qualite_rejets", chargement=None, alis=["ALI14"], epts=None, communes=None
        ).values.tolist(),
    }


def test_chaque_fichier_de_macros_est_installe(tmp_path):
    with db.ouvrir_en_ecriture(tmp_path / "base.duckdb") as con:
        installees = {
            r[0] for r in con.execute("SELECT function_name FROM duckdb_functions() WHERE NOT internal").fetchall()
        }
    assert {"perimetre", "budget_par_groupe", "reponses_freins", "freins_oui", "alis_du_territoire"} <= (
        _macros_declarees()
    )
    assert _macros_declarees() <= installees
    assert {f.name for f in db.fichiers_macros()} >= {"perimetre.sql", "budget.sql", "freins.sql", "territoire.sql"}


def test_ref_freins_est_la_liste_du_contrat(tmp_path):
    with db.ouvrir_en_ecriture(tmp_path / "base.duckdb") as con:
        lignes = con.execute("SELECT colonne, frein, ordre FROM ref_freins ORDER BY ordre").fetchall()
    assert [c for c, _, _ in lignes] == contrat.COLONNES_FREINS
    assert [f for _, f, _ in lignes] == [c.removeprefix("frein_") for c in contrat.COLONNES_FREINS]
    assert [o for _, _, o in lignes] == list(range(1, len(contrat.COLONNES_FREINS) + 1))


def test_aucune_requete_ne_recopie_la_liste_des_freins():
    """La liste des freins n'est écrite que dans le contrat : une requête prend les colonnes par COLUMNS('^frein_')
    et les noms courts dans ref_freins. (couverture_freins.sql garde sa table de correspondance frein → domaine de
    l'annuaire, qui n'est pas une liste de colonnes.)"""
    for chemin in [*QUERIES_DIR.glob("*.sql"), *QUERIES_DIR.glob("macros/*.sql")]:
        texte = chemin.read_text(encoding="utf-8")
        assert not [c for c in contrat.COLONNES_FREINS if c in texte], chemin.name


def test_une_base_du_schema_10_recoit_les_macros_a_l_ouverture(tmp_path):
    chemin = _construire(tmp_path)
    lecteur = db.ouvrir_en_lecture(chemin)
    try:
        attendu = _resultats(lecteur)
    finally:
        lecteur.close()
    assert attendu["freins_prevalence"] and attendu["date_observation"], "le jeu doit donner des lignes"

    # Une base écrite par la version 10 : ni les macros du budget, des freins et du territoire, ni ref_freins.
    con = duckdb.connect(str(chemin))
    con.execute("DROP MACRO TABLE alis_du_territoire")
    con.execute("DROP MACRO TABLE alis_communes_du_territoire")
    con.execute("DROP MACRO TABLE budget_par_groupe")
    con.execute("DROP MACRO TABLE reponses_freins")
    con.execute("DROP MACRO freins_connus")
    con.execute("DROP MACRO freins_oui")
    con.execute("DROP TABLE ref_freins")
    con.execute("UPDATE meta SET valeur = '10' WHERE cle = 'version_schema'")
    with pytest.raises(duckdb.CatalogException):
        con.execute(
            requetes.texte_sql("freins_prevalence"), {"as_of": D, "groupe": "departement"} | Perimetre().parametres()
        )
    con.close()

    lecteur = db.ouvrir_en_lecture(chemin)
    try:
        assert db.version(lecteur) == db.VERSION_SCHEMA == "11"
        assert _resultats(lecteur) == attendu
    finally:
        lecteur.close()
    assert not list(tmp_path.glob("*.chargement*"))
