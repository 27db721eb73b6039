"""Vue « Partenaires et emploi », par AppTest : les chiffres affichés sont ceux de la couche de publication
(tests/publie.py), les petites cases s'écrivent « secret », le regroupement par ALI nomme l'ALI.

Jeu : 60 personnes d'ALI14 orientées le 10 janvier 2023 ; C2Di 93 les met toutes en relation le 1er mars 2023 ;
30 embauchées le 1er avril (15 en CDI, 15 en CDD de 3 mois) ; 5 autres mises en relation par Self Interim, sans
suite (une petite case : elle sort masquée)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import build_db, csv_bytes
from tests.indicators.test_mises_en_relation import embauche, episode, mise_de
from tests.ingest.test_chargement_systemes import ANNUAIRE
from tests.publie import cellule, publie, texte_entier, texte_taux

PAGE = "pages/partenaires.py"
D = date(2023, 12, 31)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    dossier = tmp_path_factory.mktemp("page_partenaires")
    episodes = [episode(f"q{i}", "2023-01-10") for i in range(60)]
    contrats = [embauche("cdi", "2023-04-01")] * 15 + [embauche("cdd", "2023-04-01", "3")] * 15
    mises = [mise_de(f"q{i}", "C2DI93", "2023-03-01", "tpe", "embauche", **c) for i, c in enumerate(contrats)]
    mises += [mise_de(f"q{i}", "C2DI93", "2023-03-01", "pme", "refus_employeur") for i in range(30, 60)]
    mises += [mise_de(f"q{i}", "SELF-INTERIM", "2023-05-01", "tpe", "abandon") for i in range(5)]
    fichiers = {"annuaire.csv": csv_bytes(ANNUAIRE), "e.csv": csv_bytes(episodes), "m.csv": csv_bytes(mises)}
    return build_db(dossier / "base.duckdb", fichiers)


def params(groupe: str = "departement", **extra) -> dict:
    return {
        "as_of": D, "debut": date(2023, 1, 1), "fin": D, "groupe": groupe, "alis": None, "epts": None,
        "communes": None, "parcours": None, "ages": None, "sexes": None, **extra,
    }  # fmt: skip


def table(at, *colonnes: str):
    return next(d.value for d in at.dataframe if set(colonnes) <= set(d.value.columns))


def test_les_chiffres_cles_sont_ceux_publies(base, app_test):
    at = app_test(base, PAGE, query_params={"debut": "2023-01-01"})
    assert not at.exception
    cartes = {m.label: m.value for m in at.metric}
    dept = publie(base, "mises_en_relation", **params(pas="periode"))
    assert cartes["Mises en relation"] == texte_entier(cellule(dept, "mises_en_relation"))
    assert cartes["Taux d'embauche"] == texte_taux(cellule(dept, "taux_embauche"))
    assert cartes["Contrats longs"] == texte_taux(cellule(dept, "part_contrats_longs"))
    # 65 mises en relation, 30 embauches : publiées à ±3 près, le taux calculé sur elles.
    assert abs(cellule(dept, "mises_en_relation") - 65) <= 3


def test_par_structure_la_petite_case_est_secrete_et_par_ali_l_ali_est_nommee(base, app_test):
    at = app_test(base, PAGE, query_params={"debut": "2023-01-01"})
    par_structure = table(at, "Structure", "Mises en relation").set_index("Structure")
    assert par_structure.loc["Self Interim", "Mises en relation"] == "secret"  # 5 mises en relation
    publiees = publie(base, "mises_en_relation", **params("structure", pas="periode"))
    assert par_structure.loc["C2Di 93", "Mises en relation"] == texte_entier(
        cellule(publiees, "mises_en_relation", groupe="C2DI93")
    )
    valeurs = [v for v in par_structure.to_numpy().ravel() if v != "secret" and "%" not in v]
    assert all(not 1 <= int(v.replace("\u202f", "")) <= 10 for v in valeurs), valeurs
    at.radio(key="partenaires_groupe").set_value("ali").run()
    assert not at.exception
    par_ali = table(at, "ALI", "Mises en relation")
    assert par_ali["ALI"].tolist() == ["ALI14 · Clichy-sous-Bois – Montfermeil – Coubron"]


def test_la_periode_sans_mise_en_relation_dit_quoi_faire(base, app_test):
    at = app_test(base, PAGE, query_params={"debut": "2023-01-01", "ali": ["ALI01"]})
    assert not at.exception
    assert any("Aucune mise en relation" in i.value for i in at.info)
    assert not at.metric


def test_la_vue_d_ensemble_gagne_la_ligne_des_contrats_longs(base, app_test):
    at = app_test(base, None, query_params={"debut": "2023-01-01"})
    cartes = {m.label: m.value for m in at.metric}
    dept = publie(base, "mises_en_relation", **params(pas="periode"))
    attendu = texte_taux(cellule(dept, "part_contrats_longs"))
    assert cartes["Contrats longs (embauches des partenaires)"] == attendu
    assert attendu != "secret"  # 15 contrats longs sur 30 embauches : publiés
