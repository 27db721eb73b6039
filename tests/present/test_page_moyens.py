"""Vue Moyens, par AppTest, sur le petit jeu de tests/indicators/test_moyens.py (chiffres calculés à la main dans son
en-tête).

Dernier mois déclaré : juin 2023 (D = 30 juin), 3 ALI : 3 + 4,5 + 1 = 8,5 ETP ; 25 + 30 + 10 = 65 places ;
15 + 16 + 4 = 35 personnes suivies (département complet ce mois-là : exact) → 35 / 8,5 = 4,1 par référent,
35 / 65 = 53,8 % d'occupation. Progression : (8,5 − 170) / (340 − 170) = −95,0 % ; (65 − 6 300) / 6 300 = −99,0 %.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import build_db, csv_bytes
from tests.indicators.test_moyens import BUDGET, EPISODES, moyens_csv

PAGE = "pages/moyens.py"
NB = "\u202f"  # espace fine insécable des formats français


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("page_moyens")
    return build_db(
        tmp / "moyens.duckdb",
        {"extraction.csv": csv_bytes(EPISODES), "moyens.csv": moyens_csv(), "budget.csv": BUDGET},
    )


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table(at, *colonnes: str):
    """Le tableau « Voir les données » qui a toutes ces colonnes."""
    return next(d.value for d in at.dataframe if set(colonnes) <= set(d.value.columns))


def figures(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def resumes(at) -> list[str]:
    return [m.value for m in at.markdown if "short_text" in m.value]


def test_chiffres_cles_du_dernier_mois(base, app_test):
    at = app_test(base, PAGE)
    assert at.title[0].value == "Moyens"
    m = metrics(at)
    assert m["Référents (ETP)"] == "8,5"
    assert m["Places"] == "65"
    assert m["Personnes par référent"] == "4,1"
    assert m["Taux d'occupation"] == f"53,8{NB}%"
    assert m["Cible référents 2026"] == f"-95,0{NB}%"
    assert m["Cible places 2026"] == f"-99,0{NB}%"


def test_la_figure_porte_les_cibles_2026(base, app_test):
    at = app_test(base, PAGE)
    fig = figures(at)[0]
    # Les cibles tracées : une ligne pointillée à 340 (référents) et à 12 600 (places), annotées.
    cibles = [t for t in fig["data"] if t.get("name", "").startswith("Cible 2026")]
    assert {(t["name"], t["y"][0], t["line"]["dash"]) for t in cibles} == {
        ("Cible 2026 : 340 ETP", 340, "dot"),
        (f"Cible 2026 : 12{NB}600 places", 12600, "dot"),
    }
    annotations = {a["text"] for a in fig["layout"]["annotations"]}
    assert {"Cible 2026 : 340 ETP", f"Cible 2026 : 12{NB}600 places", "Départ : 170 ETP"} <= annotations
    assert f"Départ : 6{NB}300 places" in annotations
    # L'axe des mois va jusqu'à la fin de 2026, pour que la cible se lise comme une échéance.
    assert fig["layout"]["xaxis"]["range"][1].startswith("2026-12-31")
    # Lisible en tableau : les trois mois déclarés, ALI déclarantes comprises (mai : ALI08 absente).
    t = table(at, "Progression vers 340 référents")
    assert t["Mois"].tolist() == ["avril 2023", "mai 2023", "juin 2023"]
    assert t["ALI déclarantes"].tolist() == ["3", "2", "3"]
    assert t["Référents (ETP)"].tolist() == ["7,5", "4,0", "8,5"]
    assert t["Places"].tolist() == ["60", "30", "65"]
    # Résumé en une phrase sous le graphique.
    assert any("Le nombre de référents (ETP) passe de 7,5 à 8,5" in r and "cible 2026 (340)" in r for r in resumes(at))


def test_par_ali_une_petite_ali_est_secrete(base, app_test):
    at = app_test(base, PAGE)
    t = table(at, "Personnes par référent", "Taux d'occupation").set_index("ALI")
    ali04 = next(i for i in t.index if i.startswith("ALI04"))
    # ALI04 suit 4 personnes : masquée, et ses rapports avec (jamais 0).
    assert t.loc[ali04, ["Personnes suivies", "Personnes par référent", "Taux d'occupation"]].tolist() == [
        "secret",
        "secret",
        "secret",
    ]
    # Chaque ALI à son dernier mois déclaré (ALI08 : juin).
    assert set(t["Mois"]) == {"juin 2023"}
    assert any("secret statistique" in c.value or "🔒" in c.value for c in at.caption)


def test_cout_par_place(base, app_test):
    at = app_test(base, PAGE)
    t = table(at, "Coût par place")
    # 336 000 € / (155 / 3 places) = 6 503,2 € ; 2022 sans place déclarée n'est pas montré.
    assert t["Année"].tolist() == ["2023"]
    assert t["Coût par place"].tolist() == [f"6{NB}503{NB}€"]
    assert t["Places moyennes"].tolist() == ["52"]


def test_filtre_ali_et_filtres_sans_effet_dits_en_legende(base, app_test):
    at = app_test(base, PAGE, query_params={"ali": ["ALI14"], "sexe": ["F"]})
    m = metrics(at)
    # ALI14 en juin : 3 ETP, 25 places ; la cible est départementale : sans objet pour une sélection.
    assert m["Référents (ETP)"] == "3,0" and m["Places"] == "25"
    assert m["Cible référents 2026"] == "–" and m["Cible places 2026"] == "–"
    # Le tableau des cibles n'a pas de progression pour une sélection : les cibles sont départementales.
    t = table(at, "ALI déclarantes")
    assert "Progression vers 340 référents" not in t.columns and t["Référents (ETP)"].tolist() == ["2,5", "3,0", "3,0"]
    legendes = " ".join(c.value for c in at.caption)
    assert "seul le filtre ALI s'applique" in legendes and "Filtres sans effet sur cette vue : sexe." in legendes


def test_sans_moyens_un_etat_vide(tmp_path, app_test):
    base = build_db(tmp_path / "vide.duckdb", {"extraction.csv": csv_bytes(EPISODES)})
    at = app_test(base, PAGE)
    assert any("Aucun moyen déclaré" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_la_page_ne_lit_aucune_valeur_brute(tmp_path, app_test, monkeypatch):
    """Comme tests/store/test_publication.py pour les autres vues : chaque requête déclarée passe par la publication.
    Une base neuve : les requêtes d'une base déjà lue sont en cache et ne seraient pas relancées."""
    from insertion import protect
    from insertion.store import requetes

    vues: list[tuple[str, bool]] = []
    original = requetes.texte_sql

    def espion(nom: str) -> str:
        vues.append((nom, protect.en_publication()))
        return original(nom)

    base = build_db(
        tmp_path / "brute.duckdb",
        {"extraction.csv": csv_bytes(EPISODES), "moyens.csv": moyens_csv(), "budget.csv": BUDGET},
    )
    monkeypatch.setattr(requetes, "texte_sql", espion)
    app_test(base, PAGE, query_params={"ali": ["ALI14"]})
    assert ("moyens_mensuels", True) in vues and ("cout_par_place", True) in vues
    assert {nom for nom, publiee in vues if not publiee and nom in protect.DECLARATIONS} == set()


@pytest.mark.slow
def test_sur_la_demonstration_les_moyens_approchent_les_cibles(demo_build, app_test):
    """La démonstration fait monter référents et places vers les cibles 2026 (insertion/demo/systemes.py) : au
    31 octobre 2026, la vue s'ouvre sans erreur, chaque ALI déclare, et les deux progressions dépassent 80 %."""
    base, _resultats, _progression = demo_build
    at = app_test(base, PAGE)
    m = metrics(at)
    for cle in ("Cible référents 2026", "Cible places 2026"):
        assert float(m[cle].replace(NB, "").replace("%", "").replace(",", ".")) > 80, m
    t = table(at, "Personnes par référent", "Taux d'occupation")
    assert len(t) == 22 and set(t["Mois"]) == {"octobre 2026"}
