"""La vue « Diagnostics » par AppTest, sur la petite base de tests/test_cohortes.py.

Les valeurs attendues sont calculées à la main dans la docstring de tests/test_cohortes.py ; les rappels
en commentaire ne font que les reprendre.
"""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

from insertion import charts
from insertion.filters import widget_key
from tests.test_cohortes import fixture_db

PAGE = "pages/diagnostics.py"
ALI_WIDGET = widget_key("ali", charts.slug("Diagnostics"))


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return fixture_db(tmp_path_factory.mktemp("diagnostics"))


def figures(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def tableau(valeurs) -> np.ndarray:
    """Un tableau de figure plotly, liste ou binaire ({dtype, bdata, shape})."""
    if isinstance(valeurs, dict):
        data = np.frombuffer(base64.b64decode(valeurs["bdata"]), dtype=valeurs["dtype"])
        return data.reshape([int(n) for n in str(valeurs.get("shape", len(data))).split(",")])
    return np.array([np.nan if v is None else v for v in valeurs], dtype=float)


def metriques(at) -> list[str]:
    return [m.value for m in at.metric]


def test_department_numbers(db, app_test):
    at = app_test(db, PAGE)
    # Numérique : 46/54 = 85,2 %, mais 8 non diagnostiquées (complément de 1 à 10) → non diffusé, même au
    # département ; médiane 30 j ; linguistique : 22/54 = 40,7 %, médiane 60 j.
    assert metriques(at) == ["secret", "30 jours", "40,7\u202f%", "60 jours"]
    assert [m.delta for m in at.metric] == [""] * 4  # pas d'écart au département quand on y est
    fig_taux, fig_delai, carte, niveaux, _ = figures(at)

    barres = fig_taux["data"][0]
    assert barres["y"] == ["ALI04 · La Courneuve", "ALI14 · Clichy-sous-Bois"]
    # ALI04 : taux sur 4 orientations non diffusé (pas de barre, « secret » écrit) ; ALI14 : 42/50, 8 non
    # diagnostiquées → non diffusé non plus ; le département (46/54, 8 non diagnostiquées) n'a pas de ligne.
    assert np.isnan(tableau(barres["x"])).all()
    assert [a["text"] for a in fig_taux["layout"]["annotations"] if a["text"] == "secret"] == ["secret"] * 2
    assert not fig_taux["layout"].get("shapes")
    assert list(tableau(fig_delai["data"][0]["x"])[1:]) == [30.0]

    # Carte de chaleur : lignes département, ALI04, ALI14 ; cohortes mars 2023 et janvier 2024 (en %).
    trace = carte["data"][0]
    assert trace["type"] == "heatmap" and trace["colorscale"][0][1] != trace["colorscale"][-1][1]
    assert trace["y"] == ["Seine-Saint-Denis", "ALI04 · La Courneuve", "ALI14 · Clichy-sous-Bois"]
    assert [x[:10] for x in trace["x"]] == ["2023-03-01", "2024-01-01"]
    z = tableau(trace["z"])
    # Département : 30/30, 16/24 (8 non diagnostiquées : non diffusé) ; ALI04 : aucune orientation en mars
    # 2023, 4 en janvier (masqué) ; ALI14 : 30/30, 12/20 (8 non diagnostiquées : non diffusé).
    np.testing.assert_allclose(z, [[100, np.nan], [np.nan, np.nan], [100, np.nan]])

    assert list(tableau(niveaux["data"][0]["y"])) == [10, 16, 20, 3]  # débutant, intermédiaire, autonome, non évalué

    table_ali = at.dataframe[0].value.set_index("Territoire")
    assert table_ali.loc["ALI04 · La Courneuve", "Orientations avec 90 jours de recul"] == "secret"  # 4 orientations
    assert table_ali.loc["ALI04 · La Courneuve", "Taux de diagnostic numérique à 90 jours"] == "secret"
    assert table_ali.loc["ALI14 · Clichy-sous-Bois – Montfermeil – Coubron", "Diagnostics numériques datés"] == "45"
    assert any("Secret statistique" in c.value for c in at.caption)


def test_an_ali_link_reopens_with_its_numbers_and_the_gap_to_the_department(db, app_test):
    at = app_test(db, PAGE, query_params={"ali": ["ALI14"]})
    assert at.multiselect(key=ALI_WIDGET).value == ["ALI14"]
    # ALI14 : 42/50 (8 non diagnostiquées) non diffusé, donc sans écart ; linguistique 22/50 = 44,0 % (+3,3 pts).
    assert metriques(at) == ["secret", "30 jours", "44,0\u202f%", "60 jours"]
    assert at.metric[0].delta == ""
    assert at.metric[2].delta == "+3,3\u202fpts vs département"
    assert at.metric[1].delta == ""  # même délai médian qu'au département : pas d'écart affiché
    niveaux = figures(at)[3]
    # ALI14 : débutant 10 et non évalué 3 masqués (de 1 à 10), intermédiaire 12, autonome 20.
    np.testing.assert_array_equal(tableau(niveaux["data"][0]["y"]), [np.nan, 12, 20, np.nan])
    assert list(at.dataframe[3].value["Diagnostics numériques"]) == ["secret", "12", "20", "secret"]


def test_the_sidebar_filter_changes_the_numbers(db, app_test):
    at = app_test(db, PAGE)
    at.multiselect(key=ALI_WIDGET).select("ALI04").run()
    assert not at.exception
    # ALI04 seule : 4 orientations → taux et délais non diffusés, effectifs « secret ».
    assert metriques(at) == ["secret", "secret", "secret", "–"]  # linguistique : 0/4 non diffusé, aucun délai
    assert at.query_params["ali"] == ["ALI04"] or at.query_params["ali"] == "ALI04"
    assert at.dataframe[0].value.set_index("Territoire").loc[
        "ALI04 · La Courneuve", "Diagnostiquées (numérique) à 90 jours"
    ] == ("secret")


def test_an_empty_scope_says_so(db, app_test):
    at = app_test(db, PAGE, query_params={"sexe": ["M"]})  # toutes les lignes de la base sont des femmes
    assert metriques(at) == ["–"] * 4
    # La phrase dit ce qui manque, où, et quoi changer : ici, le seul filtre posé est le sexe.
    assert any(
        i.value == "Aucune personne orientée sur cette période pour ce profil : élargissez la période ou retirez le "
        "filtre de sexe."
        for i in at.info
    ), [i.value for i in at.info]


def test_the_diagnostic_choice_lives_in_the_url(db, app_test):
    at = app_test(db, PAGE, query_params={"diagnostic": "Linguistique"})
    assert at.get("segmented_control")[0].value == "linguistique"
    barres = figures(at)[0]["data"][0]
    # Linguistique : ALI04 aucun diagnostic (0/4, masqué car 4 < 11), ALI14 22/50 = 44 %.
    assert np.isnan(tableau(barres["x"])[0]) and tableau(barres["x"])[1] == pytest.approx(0.44)
    assert "linguistique" in figures(at)[0]["layout"]["xaxis"]["title"]["text"]
    at.get("segmented_control")[0].set_value("numerique").run()
    assert np.isnan(tableau(figures(at)[0]["data"][0]["x"])[1])  # ALI14 42/50 : 8 non diagnostiquées


def test_each_download_names_its_table_and_diagnostic_and_holds_numbers(db, app_test, telechargements):
    at = app_test(db, PAGE, query_params={"diagnostic": "Linguistique"})
    noms = [t.nom for t in telechargements if t.nom and t.nom.endswith((".csv", ".xlsx"))]
    assert len(noms) == len(set(noms))  # deux tableaux ne partagent jamais un nom de fichier
    fichiers = {t.nom: t for t in telechargements if t.nom}
    (nom_csv,) = [n for n in fichiers if "taux-linguistique-par-ali" in n and n.endswith(".csv")]
    assert nom_csv.startswith("diagnostics-") and nom_csv.endswith("-2024-06-30.csv")
    octets = fichiers[nom_csv].octets()
    t = pd.read_csv(io.BytesIO(octets), sep=";", decimal=",", encoding="utf-8-sig").set_index("Territoire")
    # Le CSV dit quel diagnostic il contient, et l'unité de chaque colonne chiffrée.
    taux, delai = "Taux de diagnostic linguistique à 90 jours (%)", "Délai médian du diagnostic linguistique (jours)"
    assert {taux, delai} <= set(t.columns)
    # Département 22/54 = 40,7 % ; ALI14 22/50 = 44,0 % ; délais médians 60 jours (test_department_numbers) ;
    # ALI04 : 0/4, taux masqué.
    # La colonne porte aussi « secret » : pandas la lit en texte, chaque case est un nombre à virgule décimale.
    assert t.at["Seine-Saint-Denis", taux] == "40,7"
    assert t.at["ALI14 · Clichy-sous-Bois – Montfermeil – Coubron", taux] == "44"
    assert t.at["ALI04 · La Courneuve", taux] == "secret"
    assert float(str(t.at["Seine-Saint-Denis", delai]).replace(",", ".")) == 60
    corps = octets.decode("utf-8-sig").split("\r\n", 1)[1]
    assert " jour" not in corps and "%" not in corps and "\u202f" not in corps  # des nombres, pas « 60 jours »

    classeur = openpyxl.load_workbook(io.BytesIO(fichiers[nom_csv.removesuffix(".csv") + ".xlsx"].octets()))
    feuille = classeur["Données"]
    entetes = [c.value for c in feuille[1]]
    assert taux in entetes and delai in entetes
    departement = dict(zip(entetes, feuille[2], strict=True))
    assert departement["Territoire"].value == "Seine-Saint-Denis"
    assert departement[delai].data_type == "n" and departement[delai].value == 60
    assert departement[taux].data_type == "n" and departement[taux].value == pytest.approx(40.7)
    assert "linguistique" in classeur["Définitions"]["A1"].value

    # Le même tableau pour le diagnostic numérique porte un autre nom.
    telechargements.clear()
    at.get("segmented_control")[0].set_value("numerique").run()
    noms_numerique = {t.nom for t in telechargements if t.nom}
    assert any("taux-numerique-par-ali" in n for n in noms_numerique)
    assert not any("linguistique" in n for n in noms_numerique)
