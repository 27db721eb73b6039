"""Bénéficiaires suivis, par AppTest, sur la petite base de tests/indicators/test_synthese.py.

Rappel des groupes (D = 31 décembre 2024) : ALI14 — A 20 (orientés 2023-06-15), Dx 8 (2023-03-01, sortis
2024-12-20), E 10 (2023-09-01, sortis 2024-11-15), F 7 (2023-10-01, sortis 2024-02-01), B 12 (2024-11-10,
moins de 25 ans), C 5 (2024-12-05) ; ALI04 — G 4 (2024-09-01), a01' 1 (2024-10-01, 35-44 ans, même personne que
a01) ; ALI08 — H 15 (2024-06-01, 45-54 ans, hommes). Tous les autres : 25-34 ans, femmes.
"""

from __future__ import annotations

import json

import pytest

from insertion import formats
from insertion.indicators.filters import cle_widget
from insertion.store.requetes import Perimetre, Periode
from tests.indicators.test_synthese import DEBUT, D, construire_base
from tests.publie import cellule, publie, texte_entier

NBSP = "\u202f"
PAGE = "pages/beneficiaires.py"
ALI14 = "ALI14 · Clichy-sous-Bois – Montfermeil – Coubron"
ALI04 = "ALI04 · La Courneuve"
ALI08 = "ALI08 · Montreuil"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return construire_base(tmp_path_factory.mktemp("beneficiaires"))


def graphiques(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def table(at, colonne: str):
    """Le premier tableau affiché qui a cette colonne."""
    return next(d.value for d in at.dataframe if colonne in d.value.columns)


def publiee(base, nom: str, perimetre: Perimetre = Perimetre(), **params):
    """La requête publiée avec les filtres par défaut de la page (période du 1er janvier 2023 à D)."""
    return publie(base, nom, **Periode(as_of=D, debut=DEBUT, fin=D).parametres(), **perimetre.parametres(), **params)


def textes(trace: dict) -> list[str]:
    return [c[0] for c in trace["customdata"]]


def test_file_active_mensuelle_par_ali_avec_secret(base, app_test):
    at = app_test(base, PAGE)
    (courbes, *_) = graphiques(at)
    # Tri par file active à D protégée : ALI14 37 ; ALI04 5 masqué, d'où ALI08 15 masqué aussi (seule case
    # masquée du mois : la plus petite suivante l'est) ; les masquées ensuite, par code.
    assert [t["name"] for t in courbes["data"]] == [ALI14, ALI04, ALI08]
    assert all(t.get("stackgroup") is None for t in courbes["data"])  # courbes par défaut
    series = {t["name"]: textes(t) for t in courbes["data"]}
    # 22 mois de mars 2023 à décembre 2024 ; décembre 2023 (indice 9) : ALI14 A 20 + Dx 8 + E 10 + F 7 = 45
    # (bruit 0 à sa clé), les deux autres 0 : sous le département, zéro est masqué comme toute petite case
    # (publié, il dirait qu'une case masquée voisine vaut au moins 1).
    assert [series[n][9] for n in (ALI14, ALI04, ALI08)] == ["45", "secret", "secret"]
    # Septembre 2024 (indice 18) : ALI04 = G 4 → « secret », ALI08 15 masqué en second, ALI14 = 20 + 8 + 10 = 38,
    # publié avec le bruit de sa clé de cellule (±3).
    pub = publiee(base, "file_active_mensuelle", groupe="ali")
    alI14_sept = cellule(pub, "file_active", groupe="ALI14", date_reference="2024-09-30")
    assert abs(alI14_sept - 38) <= 3
    attendu = [texte_entier(alI14_sept), "secret", "secret"]
    assert [series[n][18] for n in (ALI14, ALI04, ALI08)] == attendu
    mensuel = table(at, ALI14).set_index("Mois")
    assert mensuel.loc["septembre 2024"].tolist() == attendu
    assert any("Secret statistique" in c.value for c in at.caption)


def test_par_ept_en_aires_empilees_depuis_le_lien(base, app_test):
    at = app_test(base, PAGE, query_params={"regroupement": "EPT", "representation": "Aires empilées"})
    (aires, *_) = graphiques(at)
    # À D : Grand Paris Grand Est 37 (ALI14), Est Ensemble 15 (ALI08), Plaine Commune 5 (ALI04) masqué, et
    # Est Ensemble masqué en second.
    assert [t["name"] for t in aires["data"]] == ["Grand Paris Grand Est", "Est Ensemble", "Plaine Commune"]
    assert all(t["stackgroup"] == "file_active" for t in aires["data"])
    assert [textes(t)[-1] for t in aires["data"]] == ["37", "secret", "secret"]


def test_entrees_et_sorties_par_mois(base, app_test):
    at = app_test(base, PAGE)
    es = table(at, "Entrées (orientations)").set_index("Mois")
    # Période par défaut : dès janvier 2023, avant mars 2023, premier mois où un flux du département peut être
    # exact (des ALI de deux EPT ouvertes le mois d'avant, référentiel) : le département est alors protégé
    # comme une case (la période moins ses mois exacts redonnerait les premiers mois, un seul EPT).
    assert es.loc["décembre 2024"].tolist() == ["secret", "secret"]
    at = app_test(base, PAGE, query_params={"debut": "2023-03-01"})
    es = table(at, "Entrées (orientations)").set_index("Mois")
    # Dès mars 2023, rien n'est masqué au département : décembre 2024 C 5 entrées, Dx 8 sorties ; septembre G 4 ;
    # février F 7.
    assert es.loc["décembre 2024"].tolist() == ["5", "8"]
    assert es.loc["septembre 2024"].tolist() == ["4", "0"]
    assert es.loc["février 2024"].tolist() == ["0", "7"]
    # Filtré sur ALI04 : 4 entrées en septembre et 1 en octobre → « secret ».
    at.multiselect(key=cle_widget("ali", "beneficiaires-suivis")).select("ALI04").run()
    assert not at.exception
    es = table(at, "Entrées (orientations)").set_index("Mois")
    assert es.loc["septembre 2024", "Entrées (orientations)"] == "secret"
    assert es.loc["octobre 2024", "Entrées (orientations)"] == "secret"


def test_classement_des_ali(base, app_test):
    at = app_test(base, PAGE)
    classement = table(at, "Rang")
    # File active à D : ALI14 37, ALI08 15, ALI04 5 → ALI04 masquée, ALI08 en second ; sans rang, par code.
    # Entrées de P : ALI14 20 + 8 + 10 + 7 + 12 + 5 = 62, ALI04 5 (masqué), ALI08 15 (masqué en second).
    # Sorties de P : ALI14 8 + 10 + 7 = 25, les autres 0 (masqués : un zéro sous le département l'est aussi).
    # ALI14 : les valeurs publiées (bruit de ±3 à la clé de chaque case).
    es = publiee(base, "entrees_sorties", groupe="ali")
    entrees, sorties = cellule(es, "entrees", groupe="ALI14"), cellule(es, "sorties", groupe="ALI14")
    assert abs(entrees - 62) <= 3 and abs(sorties - 25) <= 3
    assert classement.values.tolist() == [
        ["1", ALI14, "37", texte_entier(entrees), texte_entier(sorties)],
        ["–", ALI04, "secret", "secret", "secret"],
        ["–", ALI08, "secret", "secret", "secret"],
    ]
    barres = next(g for g in graphiques(at) if g["data"][0].get("orientation") == "h")
    assert barres["data"][0]["text"] == ["37", "secret", "secret"]


def test_profil_par_tranche_d_age(base, app_test):
    at = app_test(base, PAGE)
    profil = table(at, "Tranche d'âge")
    # 56 personnes à D : moins de 25 ans B 12 ; 25-34 ans A 19 (a01 compte par son épisode le plus récent, en
    # ALI04, à 35-44 ans) + C 5 + G 4 = 28 ; 35-44 ans a01 = 1 ; 45-54 ans H 15 ; 55 ans et plus 0.
    # Au département sans filtre, l'effectif 1 reste exact ; sa part (1,8 %) est un taux de numérateur 1 :
    # non diffusée (règle des taux).
    assert profil.values.tolist() == [
        ["Moins de 25 ans", "12", f"21,4{NBSP}%"],
        ["25 à 34 ans", "28", f"50,0{NBSP}%"],
        ["35 à 44 ans", "1", "secret"],
        ["45 à 54 ans", "15", f"26,8{NBSP}%"],
        ["55 ans et plus", "0", f"0,0{NBSP}%"],
    ]
    assert any("Sur 56 personnes suivies" in c.value for c in at.caption)


def test_profil_sous_le_departement_et_par_sexe(base, app_test):
    at = app_test(base, PAGE, query_params={"ali": ["ALI14", "ALI04"]})
    profil = table(at, "Tranche d'âge")
    # ALI14 + ALI04 : 41 personnes (a01 une fois) ; 35-44 ans = 1 → « secret », 45-54 et 55 ans et plus = 0 →
    # « secret » aussi (sous le département, un zéro est masqué) ; moins de 25 ans 12 et 25-34 ans 28 publiés
    # avec leur bruit, leur part calculée sur les effectifs publiés (total publié comme une case à part).
    pub = publiee(
        base, "repartition_profil", Perimetre(alis=("ALI14", "ALI04")), dimension="tranche_age", groupe="departement"
    )
    total = cellule(pub, "total", modalite="25_34")
    moins_25, de_25_a_34 = (
        cellule(pub, "file_active", modalite="moins_25"),
        cellule(pub, "file_active", modalite="25_34"),
    )
    assert abs(total - 41) <= 3 and abs(moins_25 - 12) <= 3 and abs(de_25_a_34 - 28) <= 3
    assert profil.values.tolist() == [
        ["Moins de 25 ans", texte_entier(moins_25), formats.pourcentage(moins_25 / total)],
        ["25 à 34 ans", texte_entier(de_25_a_34), formats.pourcentage(de_25_a_34 / total)],
        ["35 à 44 ans", "secret", "secret"],
        ["45 à 54 ans", "secret", "secret"],
        ["55 ans et plus", "secret", "secret"],
    ]
    at = app_test(base, PAGE, query_params={"profil": "Sexe"})
    # Département : femmes 56 - 15 = 41, hommes H 15.
    assert table(at, "Sexe").values.tolist() == [["Femmes", "41", f"73,2{NBSP}%"], ["Hommes", "15", f"26,8{NBSP}%"]]
