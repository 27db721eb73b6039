"""Vue Budget, par AppTest, sur une petite base dont les chiffres sont calculés à la main.

Extraction au 30 juin 2023 (D) :
- ALI14 : 20 personnes orientées le 15 janvier 2023, aucune sortie → 20 à chaque fin de mois, janvier à juin ;
- ALI04 : 4 personnes orientées le 15 mars 2023 → 0, 0, puis 4 de mars à juin ;
- ALI01 : 6 personnes orientées le 15 avril 2023 → 6 d'avril à juin.
Fins de mois du département : 20, 20, 24, 30, 30, 30 → somme 154, moyenne 154 / 6 = 25,667.

Budget (euros) :
  2021 : accompagnement (non ventilé) 10 M voté / 9 M exécuté ; formation 13 M / 12 M → 23 M / 21 M
  2022 : accompagnement 15 M / 14 M ; formation 18 M / 18 M → 33 M / 32 M
  2023 : ALI14 4 M / 3,6 M ; ALI04 2 M / 1,8 M ; ALI01 1 M / 0,9 M ; formation 39 M / 37,1 M → 46 M / 43,4 M
"""

from __future__ import annotations

import base64
import json
from datetime import date

import numpy as np
import pytest

from insertion.indicators.filters import cle_widget
from tests.conftest import build_db, csv_bytes, ligne

PAGE = "pages/budget.py"
NB = "\u202f"  # espace fine insécable des formats français

BUDGET = b"""annee;code_ali;ligne;montant_vote;montant_execute
2021;;accompagnement_ali;10000000;9000000
2021;;formation;13000000;12000000
2022;;accompagnement_ali;15000000;14000000
2022;;formation;18000000;18000000
2023;ALI14;accompagnement_ali;4000000;3600000
2023;ALI04;accompagnement_ali;2000000;1800000
2023;ALI01;accompagnement_ali;1000000;900000
2023;;formation;39000000;37100000
"""


@pytest.fixture(scope="module")
def budget_db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("budget")
    rows = [ligne(id_beneficiaire=f"c14_{i:04d}", date_orientation="2023-01-15") for i in range(1, 21)]
    rows += [
        ligne(id_beneficiaire=f"c04_{i:04d}", code_ali="ALI04", code_commune="93027", date_orientation="2023-03-15")
        for i in range(1, 5)
    ]
    rows += [
        ligne(id_beneficiaire=f"c01_{i:04d}", code_ali="ALI01", code_commune="93066", date_orientation="2023-04-15")
        for i in range(1, 7)
    ]
    return build_db(tmp / "budget.duckdb", {"file.csv": csv_bytes(rows), "budget.csv": BUDGET})


def serie(v) -> list:
    """Une série de la figure : plotly 7 code les tableaux numériques en binaire (« bdata »)."""
    if isinstance(v, dict) and "bdata" in v:
        data = np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
        if "shape" in v:
            data = data.reshape([int(n) for n in str(v["shape"]).split(",")])
        return data.tolist()
    return list(v)


def metrics(at) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta or None) for m in at.metric}


def table(at, *colonnes: str):
    """Le tableau « Voir les données » qui a toutes ces colonnes."""
    return next(d.value for d in at.dataframe if set(colonnes) <= set(d.value.columns))


def test_departement_budget_by_year(budget_db, app_test):
    at = app_test(budget_db, PAGE)
    m = metrics(at)
    # 2023 : 46 M€ votés ; contre 33 M€ en 2022 : (46 − 33) / 33 = +39,4 %.
    assert m["Voté 2023"] == (f"46,0{NB}M€", f"+39,4{NB}%")
    # Exécuté 2023 : 3,6 + 1,8 + 0,9 + 37,1 = 43,4 M€ ; contre 32 M€ : 11,4 / 32 = +35,6 %.
    assert m["Exécuté 2023"] == (f"43,4{NB}M€", f"+35,6{NB}%")
    # Taux : 43,4 / 46 = 94,35 % ; 2022 : 32 / 33 = 96,97 % → −2,6 points.
    assert m["Exécution 2023"] == (f"94,3{NB}%", f"-2,6{NB}pts")
    # Indice : 46 / 23 × 100 = 200.
    assert m["Indice 2023"][0] == "200,0"
    # Coût : 43 400 000 / (154 / 6) = 1 690 909,09 € ; 2022 sans personne suivie → pas d'évolution.
    assert m["Coût / personne 2023"] == (f"1{NB}690{NB}909{NB}€", None)

    annees = table(at, "Indice voté (2021 = 100)")
    assert annees["Voté"].to_list() == [f"23,0{NB}M€", f"33,0{NB}M€", f"46,0{NB}M€"]
    assert annees["Exécuté"].to_list() == [f"21,0{NB}M€", f"32,0{NB}M€", f"43,4{NB}M€"]
    # Indice exécuté 2022 : 32 / 21 × 100 = 152,4.
    assert annees["Indice exécuté (2021 = 100)"].to_list() == ["100,0", "152,4", "206,7"]

    lignes = table(at, "Ligne budgétaire")
    formation = lignes[lignes["Ligne budgétaire"] == "Formation"]
    # Formation : 13 → 18 → 39 M€ ; indice 2023 = 39 / 13 × 100 = 300 ; taux 2023 = 37,1 / 39 = 95,1 %.
    assert formation["Indice voté (2021 = 100)"].to_list() == ["100,0", "138,5", "300,0"]
    assert formation["Taux d'exécution"].to_list()[-1] == f"95,1{NB}%"

    cout = table(at, "Mois observés")
    assert cout["File active moyenne"].to_list() == ["0", "0", "26"]  # 25,667 arrondi
    assert cout["Mois observés"].to_list() == ["12", "12", "6"]

    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    votes = next(t for t in fig["data"] if t["name"] == "Voté")
    assert serie(votes["y"]) == [23.0, 33.0, 46.0] and votes["text"][2] == f"46,0{NB}M€"


def test_per_ali_credits_and_masked_cost(budget_db, app_test):
    at = app_test(budget_db, PAGE)
    par_ali = table(at, "ALI", "Coût par personne suivie").set_index("ALI")
    # ALI14 : 3,6 M€ / 20 personnes = 180 000 € ; taux 3,6 / 4 = 90 %.
    assert par_ali.loc["ALI14 · Clichy-sous-Bois – Montfermeil – Coubron"].to_list() == [
        f"4,00{NB}M€",
        f"3,60{NB}M€",
        f"90,0{NB}%",
        "20",
        f"180{NB}000{NB}€",
    ]
    # ALI04 : moyenne (0+0+4×4)/6 = 2,67 ; ALI01 : (0+0+0+6×3)/6 = 3 → masquées, coûts non diffusés.
    assert par_ali.loc["ALI04 · La Courneuve", ["File active moyenne", "Coût par personne suivie"]].to_list() == [
        "secret",
        "secret",
    ]
    assert par_ali.loc["ALI01 · Saint-Denis", "Coût par personne suivie"] == "secret"
    assert any("Secret statistique" in c.value for c in at.caption)
    # 39 M€ de formation ne sont pas ventilés par ALI : hors du graphique, signalés.
    assert any(f"39,0{NB}M€ de crédits départementaux" in c.value for c in at.caption)


def test_ali_filter_restricts_the_budget_and_masks_a_small_caseload(budget_db, app_test):
    at = app_test(budget_db, PAGE, query_params={"ali": ["ALI04"]})
    m = metrics(at)
    # Crédits d'ALI04 seule : 2 M€ votés, 1,8 M€ exécutés (90 %), rien avant 2023.
    assert m["Voté 2023"] == (f"2,0{NB}M€", None)
    assert m["Exécution 2023"][0] == f"90,0{NB}%"
    assert m["Indice 2023"][0] == "–"
    # File active moyenne d'ALI04 = 2,67 (4 personnes de mars à juin) : « secret », coût non diffusé.
    assert m["Coût / personne 2023"][0] == "secret"
    assert table(at, "Mois observés")["File active moyenne"].to_list()[-1] == "secret"
    assert any("aucun crédit en 2021" in i.value for i in at.info)
    assert any("Crédits ventilés aux ALI retenues" in c.value for c in at.caption)


def test_sidebar_period_moves_the_observation_date(budget_db, app_test):
    at = app_test(budget_db, PAGE)
    at.date_input(key=cle_widget("fin", "budget")).set_value(date(2023, 4, 30)).run()
    # D = 30 avril 2023 : fins de mois 20, 20, 24, 30 → moyenne 23,5 ; 43 400 000 / 23,5 = 1 846 808,51 €.
    assert metrics(at)["Coût / personne 2023"][0] == f"1{NB}846{NB}809{NB}€"
    at.date_input(key=cle_widget("fin", "budget")).set_value(date(2022, 12, 31)).run()
    m = metrics(at)
    # D en 2022 : années ≤ 2022 ; 33 M€ contre 23 M€ : +43,5 %.
    assert m["Voté 2022"] == (f"33,0{NB}M€", f"+43,5{NB}%")
    assert m["Coût / personne"][0] == "–"  # aucune personne suivie en 2021-2022


def test_budget_page_without_budget(tmp_path, app_test):
    db = build_db(tmp_path / "vide.duckdb", {"file.csv": csv_bytes([ligne()])})
    at = app_test(db, PAGE)
    assert any("Aucun budget" in i.value for i in at.info)
