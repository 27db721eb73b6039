"""La vue « Sorties vers l'emploi » par AppTest, sur la petite base de tests/figures/test_cohortes.py.

Les valeurs attendues sont calculées à la main dans la docstring de tests/figures/test_cohortes.py ; rappel :
cohorte à 12 mois = groupe A (30 épisodes d'ALI14 orientés le 15/03/2023), 18 sorties en emploi dont 10 en
emploi durable ; 27 sorties sur la période (7 emploi durable, 4 création, 8 transition, 3 formation,
5 abandon), 19 en emploi.
"""

from __future__ import annotations

import io
from datetime import date

import numpy as np
import pandas as pd
import pytest

from insertion import formats
from insertion.figures import charts, cohortes
from insertion.indicators.filters import cle_widget
from insertion.store.requetes import Perimetre, Periode
from tests.figures.test_cohortes import D, fixture_db
from tests.present.test_page_diagnostics import figures, metriques, tableau
from tests.publie import cellule, publie, texte_entier

PAGE = "pages/sorties.py"
# Le département n'est exact que pour une période qui commence au plus tôt en mars 2023 (premier mois où un flux
# du département peut l'être, insertion/protect) ; la cohorte de la base (15 mars 2023) y est toute entière.
DEPUIS_MARS = {"debut": "2023-03-01"}


def taux_publie_ali14(db, colonne: str = "taux_sortie_emploi") -> float:
    """Le taux à 12 mois d'ALI14 tel que la couche de publication le rend (effectifs bruités, sous le seuil masqués)."""
    params = {
        **Periode(as_of=D, debut=date(2023, 3, 1), fin=D).parametres(),
        **Perimetre().parametres(),
        "groupe": "ali",
    }
    return cellule(publie(db, "taux_sortie_emploi_12m", **params), colonne, groupe="ALI14")


ALI_WIDGET = cle_widget("ali", charts.nom_de_fichier_sur("Sorties vers l'emploi"))


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return fixture_db(tmp_path_factory.mktemp("sorties"))


def test_department_numbers(db, app_test):
    at = app_test(db, PAGE, query_params=DEPUIS_MARS)
    # 18/30 = 60,0 % ; 10/30 = 33,3 % non diffusé (numérateur de 1 à 10, même au département) ; 27 sorties ;
    # (7 + 4 + 8) / 27 = 70,4 % non diffusé (8 sorties hors emploi : complément de 1 à 10).
    assert metriques(at) == ["60,0\u202f%", "secret", "27", "secret"]
    par_ali, courbes, carte, motifs, groupes, parcours = figures(at)

    emploi, durable = par_ali["data"][:2]
    assert emploi["y"] == ["ALI04 · La Courneuve", "ALI14 · Clichy-sous-Bois"]
    # ALI04 n'a aucune orientation d'un an : pas de taux ; ALI14 : 18/30 = 60 %, mais 10 sorties en emploi
    # durable (de 1 à 10 sous le département) : taux non diffusé, il redonnerait l'effectif.
    # Sous le département, le taux d'ALI14 est celui de ses effectifs publiés (18 ± 3 sur 30 ± 3).
    attendu = taux_publie_ali14(db)
    assert abs(attendu - 0.6) < 0.15
    assert list(tableau(emploi["x"]).round(4)[1:]) == [round(attendu, 4)] and np.isnan(tableau(durable["x"])[1])
    # Ligne du département : 60 % ; celle de l'emploi durable (10/30, non diffusé) n'est pas tracée.
    assert [round(s["x0"], 4) for s in par_ali["layout"]["shapes"]] == [0.6]

    # Par trimestre, une seule cohorte a un an de recul : T1 2023.
    assert [x[:10] for x in courbes["data"][0]["x"]] == ["2023-01-01"]
    assert list(tableau(courbes["data"][0]["y"])) == [0.6]
    assert carte["data"][0]["y"] == ["Seine-Saint-Denis", "ALI14 · Clichy-sous-Bois"]
    assert list(tableau(carte["data"][0]["z"]).ravel().round(4)) == [60.0, round(attendu * 100, 4)]

    # Motifs rangés par groupe : emploi durable (7, 4), transition (8), formation (3), autres (5).
    assert [t["name"] for t in motifs["data"]] == [
        "Emploi durable (y compris création d'entreprise)",
        "Emploi de transition",
        "Formation",
        "Autres sorties",
    ]
    assert [list(tableau(t["x"])) for t in motifs["data"]] == [[7, 4], [8], [3], [5]]
    # Le motif seul ne porte pas le nom du groupe (contrat §3 : 7 pour le motif, 11 pour le groupe).
    assert motifs["data"][0]["y"] == ["Motif emploi durable (CDI, CDD ≥ 6 mois)", "Création d'entreprise"]

    table_groupes = at.dataframe[4].value
    dep = table_groupes[table_groupes["Territoire"] == "Seine-Saint-Denis"]
    assert list(dep["Sorties"]) == ["11", "8", "3", "5"]
    # Les parts sont des taux : 8, 3 et 5 sur 27 ont un numérateur de 1 à 10 → non diffusées.
    assert list(dep["Part"]) == ["40,7\u202f%", "secret", "secret", "secret"]
    assert [t["name"] for t in groupes["data"]][0] == "Emploi durable (y compris création d'entreprise)"

    # Parcours de T1 2023 : 30 orientés, 30 et 22 diagnostiqués à 90 jours, 26 sortis, 18 en emploi, 10 durable.
    assert list(tableau(parcours["data"][0]["x"])) == [30, 30, 22, 26, 18, 10]
    assert "T1 2023" in parcours["layout"]["title"]["text"]
    assert list(at.dataframe[5].value["Part de la cohorte"]) == [
        "100,0\u202f%",
        "100,0\u202f%",
        "secret",  # 22 sur 30 : 8 sans diagnostic linguistique (complément de 1 à 10)
        "secret",  # 26 sur 30 : 4 non sortis
        "60,0\u202f%",
        "secret",  # 10 sur 30
    ]


def test_an_ali_link_masks_small_counts(db, app_test):
    at = app_test(db, PAGE, query_params={"ali": ["ALI14"], **DEPUIS_MARS})
    assert at.multiselect(key=ALI_WIDGET).value == ["ALI14"]
    # Emploi : 18/30 au département (exact) ; pour ALI14, le taux de ses effectifs publiés. Emploi durable :
    # 10 sorties, de 1 à 10 → masquées, et le taux avec. Sorties : 27 publiées avec leur bruit (le total de
    # groupes publiés, masqué dès qu'un groupe l'est). Part des sorties en emploi : transition (8) masquée.
    attendu = taux_publie_ali14(db)
    assert metriques(at)[:2] == [formats.pourcentage(attendu), "secret"]
    assert metriques(at)[3] == "secret"
    # L'écart au département est celui de ces deux valeurs, en points : « -6,7 pts » pour 53,3 % contre 60 %.
    ecart = formats.decimal(abs(attendu - 0.6) * 100, 1)
    assert ecart in at.metric[0].delta and at.metric[0].delta.endswith("vs département")
    motifs = at.dataframe[3].value.set_index("Motif")
    # Création d'entreprise : 4 sorties en ALI14 → « secret » ; emploi durable (7) aussi, puis tous les motifs
    # des groupes masqués (transition 8, formation 3, autres 5).
    assert motifs.loc["Création d'entreprise", "Sorties"] == "secret"
    # Le tableau (et ses exports) nomme motifs et groupe comme le graphique : le motif seul n'est pas le groupe.
    assert motifs.loc["Motif emploi durable (CDI, CDD ≥ 6 mois)", "Groupe"] == (
        "Emploi durable (y compris création d'entreprise)"
    )
    assert set(motifs["Sorties"]) == {"secret"}
    groupes = at.dataframe[4].value
    ali = groupes[groupes["Territoire"].str.startswith("ALI14")]
    # Chaque groupe est une case publiée à part (sorties_par_groupe.sql) : emploi durable 7 + 4 = 11, publié avec
    # son bruit s'il reste d'au moins 11 ; transition 8, formation 3, autres 5 : masqués.
    params = {**Periode(as_of=D, debut=date(2023, 3, 1), fin=D).parametres(), **Perimetre(alis=("ALI14",)).parametres()}
    pub = publie(db, "sorties_par_groupe", **params, groupe="ali")
    durable = cellule(pub, "sorties", groupe="ALI14", groupe_sortie="emploi_durable")
    assert list(ali["Sorties"]) == [texte_entier(durable), "secret", "secret", "secret"]
    parcours = figures(at)[5]["data"][0]
    params = {**Periode(as_of=D, debut=date(2023, 3, 1), fin=D).parametres(), **Perimetre(alis=("ALI14",)).parametres()}
    publies = publie(db, "parcours_cohorte", **params, groupe="departement", pas="periode").iloc[0]
    etapes = list(cohortes.ETAPES_PARCOURS)[:5]  # orientés, diag. numérique, linguistique, sortis, en emploi
    assert [abs(publies[e] - vrai) <= 3 for e, vrai in zip(etapes, [30, 30, 22, 26, 18], strict=True)] == [True] * 5
    assert list(tableau(parcours["x"]))[:5] == [publies[e] for e in etapes]
    assert parcours["y"][-1] == "Sortis en emploi durable : secret (secret)"
    assert figures(at)[0]["data"][1]["x"] == [None]  # pas de barre « emploi durable » pour ALI14


def test_the_sidebar_filter_changes_the_numbers(db, app_test):
    at = app_test(db, PAGE, query_params=DEPUIS_MARS)
    at.multiselect(key=ALI_WIDGET).select("ALI04").run()
    assert not at.exception
    # ALI04 : 4 orientations de janvier 2024, aucune d'un an, aucune sortie. Sous le département, un
    # dénominateur nul est masqué comme une petite case : les taux se lisent « secret ».
    assert metriques(at) == ["secret", "secret", "0", "–"]
    assert any("Aucune sortie" in i.value for i in at.info)
    assert any("un an de recul" in i.value for i in at.info)


def test_cohort_step_from_the_url_and_the_whole_period(db, app_test):
    at = app_test(db, PAGE, query_params={"pas": "Mois", **DEPUIS_MARS})
    assert at.get("segmented_control")[0].value == "mois"
    courbes, parcours = figures(at)[1], figures(at)[5]
    assert [x[:10] for x in courbes["data"][0]["x"]] == ["2023-03-01"]  # la cohorte de mars 2023
    assert "mars 2023" in parcours["layout"]["title"]["text"]
    at.selectbox[0].select("periode").run()
    parcours = figures(at)[5]
    # Toute la période : seul le groupe A a un an de recul, mêmes étapes.
    assert "Toutes les cohortes" in parcours["layout"]["title"]["text"]
    assert list(tableau(parcours["data"][0]["x"])) == [30, 30, 22, 26, 18, 10]


def test_the_cohort_funnel_download_says_which_cohort(db, app_test, telechargements):
    at = app_test(db, PAGE, query_params=DEPUIS_MARS)
    assert not at.exception
    exports = [t for t in telechargements if t.nom and t.nom.endswith((".csv", ".xlsx"))]
    fichiers = {t.nom: t for t in exports}
    assert len(fichiers) == len(exports)  # deux tableaux ne partagent jamais un nom de fichier
    (nom_csv,) = [n for n in fichiers if "parcours-de-la-cohorte-t1-2023" in n and n.endswith(".csv")]
    t = pd.read_csv(io.BytesIO(fichiers[nom_csv].octets()), sep=";", decimal=",", encoding="utf-8-sig")
    # Cohorte T1 2023 (tests/figures/test_cohortes.py) : orientés 30, numérique 30, linguistique 22, sortis 26, en
    # emploi
    # 18, en emploi durable 10 ; le fichier dit sa cohorte sur chaque ligne.
    assert set(t["Cohorte d'orientation"]) == {"T1 2023"}
    assert list(t["Personnes"]) == [30, 30, 22, 26, 18, 10]
    # Une part n'est diffusée que si les personnes comptées et les autres sont 0 ou au moins 11 : 30/30 et 18/30
    # le sont ; 22 (8 autres), 26 (4 autres) et 10 ne le sont pas, même au département. Un nombre ou « secret ».
    parts = [v if v == "secret" else float(str(v).replace(",", ".")) for v in t["Part de la cohorte (%)"].iloc[1:]]
    assert parts == [100.0, "secret", "secret", 60.0, "secret"]
    assert any("taux-de-sortie-a-12-mois-par-ali" in n for n in fichiers)
