"""Premier lancement (issue 16) : la base des chiffres du jour, mise en place en quelques secondes, donne les mêmes
indicateurs que la démonstration complète ; le chargement complet, lancé ensuite, la remplace par la base qui a
tout l'historique des chargements. Mesure : benchmarks/premiere_ouverture.py."""

from __future__ import annotations

import os

import pytest

from insertion import demo
from insertion.store import db
from tests import reference_demo

pytestmark = pytest.mark.slow  # génère la démonstration et la charge deux fois (≈ 70 s)

# Ce qui décrit les chargements eux-mêmes (l'historique), seul à différer tant que l'arrière-plan n'a pas fini.
HISTORIQUE = ("qualite_chargements", "qualite_rejets", "qualite_quarantaine", "qualite_fraicheur")


def test_les_chiffres_du_jour_puis_l_historique(tmp_path):
    base = tmp_path / "insertion.duckdb"
    completer = demo.construire_demo_en_deux_temps(base)

    paths = sorted((tmp_path / demo.DOSSIER_DEMO).iterdir())
    premiers = demo.fichiers_premiere_ouverture(paths)
    extractions = [p for p in premiers if p.name.startswith("extraction_")]
    assert len(extractions) == 22 and {p.name[11:16] for p in extractions} == {f"ALI{i:02d}" for i in range(1, 23)}
    assert all("2026-10-31" in p.name for p in extractions)  # la dernière extraction de chaque ALI

    attendu = reference_demo.lire()["resultats"]  # la démonstration complète
    obtenu = reference_demo.calculer(base)["resultats"]
    comparees = [k for k in attendu if k in obtenu and not k.startswith(HISTORIQUE)]
    assert len(comparees) > 800
    differents = [k for k in comparees if obtenu[k] != attendu[k]]
    assert differents == [], differents[:10]
    con = db.ouvrir_en_lecture(base)
    try:
        assert con.execute("SELECT count(*) FROM chargements").fetchone()[0] == len(premiers)
    finally:
        con.close()

    avant = base.stat().st_mtime_ns
    completer()
    assert base.stat().st_mtime_ns != avant  # une nouvelle version du fichier : l'application la voit
    con = db.ouvrir_en_lecture(base)
    try:
        statuts = con.execute("SELECT statut, count(*) FROM chargements GROUP BY 1").fetchall()
        assert statuts == [("loaded", 305)]
        assert requetes_demo(con)
    finally:
        con.close()
    assert not list(tmp_path.glob("*.premiere")) and not list(tmp_path.glob("*.construction"))


def requetes_demo(con) -> bool:
    from insertion.store import requetes

    return requetes.est_demo(con)


def test_un_import_fait_pendant_l_historique_n_est_pas_efface(tmp_path):
    """La base des chiffres du jour a changé (un import, ici simulé par une nouvelle version du fichier) avant la
    fin du chargement de l'historique : la base complète ne la remplace pas."""
    base = tmp_path / "insertion.duckdb"
    completer = demo.construire_demo_en_deux_temps(base)
    version = base.stat().st_mtime_ns
    os.utime(base, ns=(version + 10**9, version + 10**9))
    assert completer() == []
    assert base.stat().st_mtime_ns == version + 10**9
    con = db.ouvrir_en_lecture(base)
    try:
        assert con.execute("SELECT count(*) FROM chargements").fetchone()[0] == 28  # rien n'a été remplacé
    finally:
        con.close()
    assert not list(tmp_path.glob("*.construction*")) and not list(tmp_path.glob("*.chargement"))
