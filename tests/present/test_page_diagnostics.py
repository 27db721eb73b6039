"""La vue « Diagnostics » par AppTest, sur la petite base de tests/figures/test_cohortes.py.

Les valeurs brutes sont calculées à la main dans la docstring de tests/figures/test_cohortes.py ; les rappels en
commentaire ne font que les reprendre. La page publie (issue 12, insertion/protect/publication.py) : chaque
attendu est la valeur publiée de sa case, `publiee(...)` sur la même base et les mêmes paramètres que la page,
ou « secret » quand la règle l'impose (effectif de 0 à 10 sous le département, taux dont le numérateur ou le
complément est masqué). Le département n'est pas exact ici : la période par défaut commence le 01/01/2023,
avant mars 2023 (premier mois d'un flux exempté) ; il est bruité comme une ALI.
"""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

from insertion import formats
from insertion.figures import charts, cohortes, diagnostics
from insertion.indicators.filters import cle_widget
from insertion.store.requetes import Perimetre
from tests.figures.test_cohortes import PERIODE, fixture_db
from tests.publie import cellule, publie, texte_entier, texte_taux

PAGE = "pages/diagnostics.py"
ALI_WIDGET = cle_widget("ali", charts.nom_de_fichier_sur("Diagnostics"))


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


def publiee(db, nom: str, perimetre: Perimetre = Perimetre(), **extra) -> pd.DataFrame:
    """La requête publiée sur la période par défaut de la page (PERIODE : 01/01/2023 → D = 30/06/2024)."""
    return publie(db, nom, **cohortes.parametres(PERIODE, perimetre, **extra))


def taux_cohorte(df: pd.DataFrame, groupe: str, mois: str) -> float:
    """Le taux publié d'une cohorte mensuelle ; NaN aussi quand le groupe n'a personne orienté ce mois-là."""
    lignes = df[(df["groupe"] == groupe) & (df["cohorte"] == pd.Timestamp(mois))]
    return float(lignes["taux_90j"].iloc[0]) if len(lignes) else np.nan


def dans_le_bruit(publie_: float, brut: int) -> bool:
    """Une valeur publiée par clés de cellule est à ±3 de la valeur brute calculée à la main."""
    return abs(publie_ - brut) <= 3


def niveaux_publies(db, diagnostic: str, perimetre: Perimetre = Perimetre()) -> list[float]:
    """Effectifs publiés par niveau constaté au département du périmètre, dans l'ordre de l'échelle."""
    df = publiee(db, "niveaux_diagnostic", perimetre, groupe="departement", diagnostic=diagnostic)
    return [cellule(df, "episodes", niveau=n) for n in diagnostics.ORDRE_NIVEAUX[diagnostic] if n in set(df["niveau"])]


def test_department_numbers(db, app_test):
    at = app_test(db, PAGE)
    num = publiee(db, "taux_diagnostic_90j", groupe="departement", diagnostic="numerique")
    ling = publiee(db, "taux_diagnostic_90j", groupe="departement", diagnostic="linguistique")
    # Numérique : 46/54 brut, mais 8 non diagnostiquées (complément de 1 à 10, masqué) → taux « secret », même
    # au département ; médiane 30 j (sur 49 diagnostics). Linguistique : 22/54 brut, médiane 60 j (22).
    assert dans_le_bruit(cellule(num, "denominateur"), 54) and dans_le_bruit(cellule(num, "numerateur"), 46)
    assert np.isnan(cellule(num, "taux_90j"))
    assert dans_le_bruit(cellule(ling, "numerateur"), 22)
    # Le taux publié est le quotient des effectifs publiés (et non 22/54 = 40,7 %).
    assert cellule(ling, "taux_90j") == pytest.approx(cellule(ling, "numerateur") / cellule(ling, "denominateur"))
    # Les deux diagnostics : 22 / 54 brut (22 et 32 ≥ 11, diffusé), délai médian jusqu'au second : 60 jours.
    deux = publiee(db, "taux_diagnostic_90j", groupe="departement", diagnostic="les_deux")
    assert dans_le_bruit(cellule(deux, "numerateur"), 22) and cellule(deux, "delai_median_j") == 60
    assert metriques(at) == [
        "secret",
        formats.jours(cellule(num, "delai_median_j")),
        texte_taux(cellule(ling, "taux_90j")),
        formats.jours(cellule(ling, "delai_median_j")),
        texte_taux(cellule(deux, "taux_90j")),
        "60 jours",
    ]
    assert [m.label for m in at.metric][4:] == [
        "Les deux diagnostics à 90 jours",
        "Délai médian jusqu'au second diagnostic",
    ]
    assert [cellule(num, "delai_median_j"), cellule(ling, "delai_median_j")] == [30, 60]  # déjà multiples de 5
    assert [m.delta for m in at.metric] == [""] * 6  # pas d'écart au département quand on y est
    fig_taux, fig_delai, carte, niveaux, _ = figures(at)

    ali = publiee(db, "taux_diagnostic_90j", groupe="ali", diagnostic="numerique")
    barres = fig_taux["data"][0]
    assert barres["y"] == ["ALI04 · La Courneuve", "ALI14 · Clichy-sous-Bois"]
    # ALI04 : taux sur 4 orientations non diffusé (pas de barre, « secret » écrit) ; ALI14 : 42/50, 8 non
    # diagnostiquées → non diffusé non plus ; le département (46/54, 8 non diagnostiquées) n'a pas de ligne.
    attendu = [cellule(ali, "taux_90j", groupe=g) for g in ("ALI04", "ALI14")]
    np.testing.assert_array_equal(tableau(barres["x"]), attendu)
    assert np.isnan(tableau(barres["x"])).all()
    assert [a["text"] for a in fig_taux["layout"]["annotations"] if a["text"] == "secret"] == ["secret"] * 2
    assert not fig_taux["layout"].get("shapes")
    # Délais : ALI04 sur 4 diagnostics, masqué ; ALI14 30 jours sur 45 diagnostics.
    delais = tableau(fig_delai["data"][0]["x"])
    assert np.isnan(delais[0]) and list(delais[1:]) == [cellule(ali, "delai_median_j", groupe="ALI14")] == [30.0]

    # Carte de chaleur : lignes département, ALI04, ALI14 ; cohortes mars 2023 et janvier 2024 (en %).
    trace = carte["data"][0]
    assert trace["type"] == "heatmap" and trace["colorscale"][0][1] != trace["colorscale"][-1][1]
    assert trace["y"] == ["Seine-Saint-Denis", "ALI04 · La Courneuve", "ALI14 · Clichy-sous-Bois"]
    assert [x[:10] for x in trace["x"]] == ["2023-03-01", "2024-01-01"]
    z = tableau(trace["z"])
    dep_mois = publiee(db, "taux_diagnostic_cohortes", groupe="departement", diagnostic="numerique")
    ali_mois = publiee(db, "taux_diagnostic_cohortes", groupe="ali", diagnostic="numerique")
    attendu = [
        [taux_cohorte(dep_mois, "Seine-Saint-Denis", m) for m in ("2023-03-01", "2024-01-01")],
        [taux_cohorte(ali_mois, "ALI04", m) for m in ("2023-03-01", "2024-01-01")],
        [taux_cohorte(ali_mois, "ALI14", m) for m in ("2023-03-01", "2024-01-01")],
    ]
    np.testing.assert_allclose(z, 100 * np.array(attendu))
    # Département et ALI14 : 30/30 en mars 2023, complément 0, masqué sous le département zéro compris (le
    # département n'est pas exempté ici) → « secret » ; 16/24 et 12/20 en janvier 2024, 8 non diagnostiquées
    # → « secret » ; ALI04 : aucune orientation en mars 2023, 4 en janvier (masqué). Aucune case n'est diffusée.
    assert np.isnan(z).all()
    cohortes_table = at.dataframe[2].value
    mars_dep = cohortes_table[
        (cohortes_table["Territoire"] == "Seine-Saint-Denis") & (cohortes_table["Mois d'orientation"] == "mars 2023")
    ]
    assert list(mars_dep["Taux de diagnostic numérique à 90 jours"]) == ["secret"]

    # Débutant 10, intermédiaire 16, autonome 20, non évalué 3 : débutant et non évalué masqués (de 1 à 10).
    publies = niveaux_publies(db, "numerique")
    np.testing.assert_array_equal(tableau(niveaux["data"][0]["y"]), publies)
    assert np.isnan(publies[0]) and np.isnan(publies[3])
    # Un niveau masqué rend le total inconnu : ni faux total (la somme des seuls niveaux visibles), ni « – ».
    assert niveaux["layout"]["title"]["text"] == "Seine-Saint-Denis : secret diagnostics datés"
    table_niveaux = at.dataframe[3].value
    assert list(table_niveaux["Diagnostics numériques"]) == [texte_entier(n) for n in publies]
    assert set(table_niveaux["Part"]) == {"secret"}

    table_ali = at.dataframe[0].value.set_index("Territoire")
    ali04, ali14 = "ALI04 · La Courneuve", "ALI14 · Clichy-sous-Bois – Montfermeil – Coubron"
    assert table_ali.loc[ali04, "Orientations avec 90 jours de recul"] == "secret"  # 4 orientations
    assert table_ali.loc[ali04, "Taux de diagnostic numérique à 90 jours"] == "secret"
    # 4 diagnostics datés : « secret », jamais « 0 » (une somme de cohortes masquées) ; son délai aussi.
    assert table_ali.loc[ali04, "Diagnostics numériques datés"] == "secret"
    assert table_ali.loc[ali04, "Délai médian du diagnostic numérique"] == "secret"
    # ALI14 : 45 diagnostics datés (30 + 15), publiés dans leur propre case.
    assert dans_le_bruit(cellule(ali, "diagnostics", groupe="ALI14"), 45)
    assert table_ali.loc[ali14, "Diagnostics numériques datés"] == texte_entier(
        cellule(ali, "diagnostics", groupe="ALI14")
    )
    assert any("Secret statistique" in c.value for c in at.caption)


def test_an_ali_link_reopens_with_its_numbers_and_the_gap_to_the_department(db, app_test):
    at = app_test(db, PAGE, query_params={"ali": ["ALI14"]})
    assert at.multiselect(key=ALI_WIDGET).value == ["ALI14"]
    ali14 = Perimetre(alis=("ALI14",))
    num = publiee(db, "taux_diagnostic_90j", ali14, groupe="departement", diagnostic="numerique")
    ling = publiee(db, "taux_diagnostic_90j", ali14, groupe="departement", diagnostic="linguistique")
    ref_num = publiee(db, "taux_diagnostic_90j", groupe="departement", diagnostic="numerique")
    ref_ling = publiee(db, "taux_diagnostic_90j", groupe="departement", diagnostic="linguistique")
    # ALI14 : 42/50 (8 non diagnostiquées) non diffusé, donc sans écart ; linguistique 22/50 brut.
    assert np.isnan(cellule(num, "taux_90j"))
    assert metriques(at)[:4] == [
        "secret",
        formats.jours(cellule(num, "delai_median_j")),
        texte_taux(cellule(ling, "taux_90j")),
        formats.jours(cellule(ling, "delai_median_j")),
    ]
    assert at.metric[0].delta == ""
    # L'écart au département : entre les deux taux publiés (celui du département sans filtre de territoire).
    ecart = 100 * (cellule(ling, "taux_90j") - cellule(ref_ling, "taux_90j"))
    assert at.metric[2].delta == f"{'+' if ecart >= 0 else ''}{formats.decimal(ecart)}\u202fpts vs département"
    # Même délai médian qu'au département (30 jours) : pas d'écart affiché.
    assert cellule(num, "delai_median_j") == cellule(ref_num, "delai_median_j") == 30
    assert at.metric[1].delta == ""
    niveaux = figures(at)[3]
    # ALI14 : débutant 10 et non évalué 3 masqués (de 1 à 10), intermédiaire 12, autonome 20.
    publies = niveaux_publies(db, "numerique", ali14)
    assert np.isnan(publies[0]) and np.isnan(publies[3])
    np.testing.assert_array_equal(tableau(niveaux["data"][0]["y"]), publies)
    assert list(at.dataframe[3].value["Diagnostics numériques"]) == [texte_entier(n) for n in publies]
    assert list(at.dataframe[3].value["Diagnostics numériques"])[::3] == ["secret", "secret"]


def test_the_sidebar_filter_changes_the_numbers(db, app_test):
    at = app_test(db, PAGE)
    at.multiselect(key=ALI_WIDGET).select("ALI04").run()
    assert not at.exception
    # ALI04 seule : 4 orientations → taux et délais non diffusés, effectifs « secret ». Linguistique : 0/4 et
    # aucun diagnostic daté ; ce 0 est sous le département, masqué comme un effectif de 1 à 10 : le délai se lit
    # « secret » et non « – » (qui dirait qu'il n'y a aucun diagnostic).
    ali04 = Perimetre(alis=("ALI04",))
    publies = [
        cellule(publiee(db, "taux_diagnostic_90j", ali04, groupe="departement", diagnostic=d), c)
        for d in ("numerique", "linguistique")
        for c in ("taux_90j", "delai_median_j")
    ]
    assert np.isnan(publies).all()
    assert metriques(at) == ["secret"] * 6  # les deux diagnostics : 0 sur 4 orientations, masqué aussi
    assert at.query_params["ali"] == ["ALI04"] or at.query_params["ali"] == "ALI04"
    assert at.dataframe[0].value.set_index("Territoire").loc[
        "ALI04 · La Courneuve", "Diagnostiquées (numérique) à 90 jours"
    ] == ("secret")


def test_an_empty_scope_says_so(db, app_test):
    at = app_test(db, PAGE, query_params={"sexe": ["M"]})  # toutes les lignes de la base sont des femmes
    assert metriques(at) == ["–"] * 6
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
    # Linguistique : ALI04 aucun diagnostic (0/4, masqué car 4 < 11), ALI14 22/50 brut, publié.
    ali = publiee(db, "taux_diagnostic_90j", groupe="ali", diagnostic="linguistique")
    assert np.isnan(tableau(barres["x"])[0]) and np.isnan(cellule(ali, "taux_90j", groupe="ALI04"))
    assert tableau(barres["x"])[1] == pytest.approx(cellule(ali, "taux_90j", groupe="ALI14"))
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
    # Département 22/54 et ALI14 22/50 bruts, publiés ; délais médians 60 jours (test_department_numbers) ;
    # ALI04 : 0/4, taux masqué.
    # La colonne porte aussi « secret » : pandas la lit en texte, chaque case est un nombre à virgule décimale,
    # en pourcentage à un chiffre après la virgule (sans « ,0 »).
    dep = publiee(db, "taux_diagnostic_90j", groupe="departement", diagnostic="linguistique")
    ali = publiee(db, "taux_diagnostic_90j", groupe="ali", diagnostic="linguistique")

    def en_csv(fraction: float) -> str:
        return f"{round(100 * fraction, 1):g}".replace(".", ",")

    assert t.at["Seine-Saint-Denis", taux] == en_csv(cellule(dep, "taux_90j"))
    assert t.at["ALI14 · Clichy-sous-Bois – Montfermeil – Coubron", taux] == en_csv(
        cellule(ali, "taux_90j", groupe="ALI14")
    )
    assert t.at["ALI04 · La Courneuve", taux] == "secret"
    assert float(str(t.at["Seine-Saint-Denis", delai]).replace(",", ".")) == cellule(dep, "delai_median_j") == 60
    corps = octets.decode("utf-8-sig").split("\r\n", 1)[1]
    assert " jour" not in corps and "%" not in corps and "\u202f" not in corps  # des nombres, pas « 60 jours »

    classeur = openpyxl.load_workbook(io.BytesIO(fichiers[nom_csv.removesuffix(".csv") + ".xlsx"].octets()))
    feuille = classeur["Données"]
    entetes = [c.value for c in feuille[1]]
    assert taux in entetes and delai in entetes
    departement = dict(zip(entetes, feuille[2], strict=True))
    assert departement["Territoire"].value == "Seine-Saint-Denis"
    assert departement[delai].data_type == "n" and departement[delai].value == 60
    assert departement[taux].data_type == "n"
    assert departement[taux].value == pytest.approx(round(100 * cellule(dep, "taux_90j"), 1))
    assert "linguistique" in classeur["Définitions"]["A1"].value

    # Le même tableau pour le diagnostic numérique porte un autre nom.
    telechargements.clear()
    at.get("segmented_control")[0].set_value("numerique").run()
    noms_numerique = {t.nom for t in telechargements if t.nom}
    assert any("taux-numerique-par-ali" in n for n in noms_numerique)
    assert not any("linguistique" in n for n in noms_numerique)
