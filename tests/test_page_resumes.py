"""La phrase sous les graphiques principaux (AppTest), sur la petite base de tests/test_synthese.py, dont les
nombres sont comptés à la main là-bas :

D = 31 décembre 2024, période du 1er janvier 2023 à D. File active du département : 8 fin mars 2023 (Dx, orientés
le 1er mars), 56 à D. Orientations : a 20 + d 8 + e 10 + f 7 + b 12 + c 5 + g 4 + a01' 1 + h 15 = 82 ; sorties :
d 8 (emploi durable) + e 10 (formation) + f 7 (4 emploi durable, 3 emploi de transition) = 25. À D, ALI14 suit
a 20 + b 12 + c 5 = 37 personnes, ALI04 5 et ALI08 15. Budget voté : 46,0 M€ en 2023, 47,0 M€ en 2024
(16 + 29 + 1 ; 14 + 31,5 + 1,5).
"""

from __future__ import annotations

import pytest

from tests.conftest import build_db, csv_bytes, ligne
from tests.test_synthese import construire_base

NB = "\u202f"
PREFIXE = ":material/short_text: "


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return construire_base(tmp_path_factory.mktemp("resumes"))


def resumes_lus(at) -> list[str]:
    return [m.value.removeprefix(PREFIXE) for m in at.markdown if m.value.startswith(PREFIXE)]


def test_vue_d_ensemble(base, app_test):
    at = app_test(base, "pages/vue_ensemble.py")
    # (56 − 8) / 8 = +600 %.
    assert resumes_lus(at) == [
        f"La file active passe de 8 à 56 personnes entre mars 2023 et décembre 2024 (+600,0{NB}%)."
    ]


def test_une_ali_masquee_ne_donne_aucun_chiffre(base, app_test):
    # ALI04 : 4 personnes en septembre 2024, 5 à D, toutes deux masquées ; la phrase le dit, sans les nombres.
    at = app_test(base, "pages/vue_ensemble.py", query_params={"ali": ["ALI04"]})
    (phrase,) = resumes_lus(at)
    assert phrase == (
        "La file active entre septembre 2024 et décembre 2024 : les valeurs de septembre 2024 et de décembre 2024 "
        "sont couvertes par le secret statistique, l'évolution n'est pas chiffrée."
    )


def test_beneficiaires(base, app_test):
    at = app_test(base, "pages/beneficiaires.py")
    lus = resumes_lus(at)
    assert "Période du 1er janvier 2023 au 31 décembre 2024 : 82 entrées et 25 sorties." in lus
    # Sous le département, ALI04 (5) est masquée, et ALI08 (15) avec elle pour que 5 ne se déduise pas du total.
    assert (
        "Personnes suivies au 31 décembre 2024 : 37 pour ALI14 · Clichy-sous-Bois – Montfermeil – Coubron. "
        "2 ALI sur 3 ne sont pas diffusées (secret statistique)." in lus
    )
    assert len(lus) == 4


def test_sorties_par_motif(base, app_test):
    at = app_test(base, "pages/sorties.py")
    assert (
        "Sorties de la période par motif : le plus fréquent pour Motif emploi durable (CDI, CDD ≥ 6 mois) (12), "
        "le moins fréquent pour Emploi de transition (3)." in resumes_lus(at)
    )


def test_budget(base, app_test):
    at = app_test(base, "pages/budget.py")
    lus = resumes_lus(at)
    assert lus[0] == f"Le budget voté passe de 46,0{NB}M€ à 47,0{NB}M€ entre 2023 et 2024 (+2,2{NB}%)."
    # 2024 est en cours (pas d'exécuté) : un seul coût, celui de 2023, écrit comme la carte de la page.
    (carte,) = [m.value for m in at.metric if m.label.startswith("Coût / personne")]
    assert lus[1] == f"Le coût par personne suivie : {carte} en 2023."
    # Lignes 2024 (tests/test_synthese.py, BUDGET) : accompagnement 31,5 + 1,5 (ALI14) = 33,0 M€, formation 14,0 M€.
    assert lus[2] == (
        f"Montants votés en 2024 par ligne budgétaire : le plus élevé pour Accompagnement en ALI (33,0{NB}M€), le plus "
        f"faible pour Formation (14,0{NB}M€)."
    )


def test_comparer(base, app_test):
    at = app_test(base, "pages/comparer.py")
    multiples, carte = resumes_lus(at)
    # L'ALI choisie par défaut, ALI04 : file active 5, entrées 5, cohorte à 90 jours de 5 → masquées ; sorties 0,
    # comme ALI08, contre 25 pour ALI14 : médiane des sorties 0, à égalité ; orientées en septembre et octobre
    # 2024, aucune cohorte à 12 mois ; pas de budget : rien à comparer.
    assert multiples == (
        "ALI04 · La Courneuve face à la médiane des ALI : à égalité pour sorties sur la période ; non diffusée (secret "
        "statistique) pour file active à la date d'observation, entrées sur la période, diagnostic numérique à 90 "
        "jours et diagnostic linguistique à 90 jours ; sans comparaison possible pour sortie en emploi à 12 mois, "
        "sortie en emploi durable à 12 mois et coût par personne suivie (2023)."
    )
    # File active à D : ALI14 37 diffusée ; ALI04 (5) et ALI08 (15, en second) masquées.
    assert carte == (
        "File active à la date d'observation : 37 pour ALI14 · Clichy-sous-Bois – Montfermeil – Coubron. 2 ALI sur "
        "3 ne sont pas diffusées (secret statistique)."
    )


def test_diagnostics(base, app_test):
    at = app_test(base, "pages/diagnostics.py")
    lus = resumes_lus(at)
    # Orientations à 90 jours de recul : ALI14 a 20 + d 8 + e 10 + f 7 = 45, dont a 15 et f 7 diagnostiquées
    # (numérique) dans les 90 jours : 22/45 = 48,9 % ; ALI08 h 15, aucune : 0 % ; ALI04 g 4 + a01' 1 = 5 : masquée.
    assert (
        f"Taux de diagnostic numérique à 90 jours parmi les valeurs diffusées : la plus élevée pour ALI14 · "
        f"Clichy-sous-Bois (48,9{NB}%), la plus faible pour ALI08 · Montreuil (0,0{NB}%). "
        "1 ALI sur 3 n'est pas diffusée (secret statistique)." in lus
    ), lus


@pytest.fixture(scope="module")
def base_cohortes(tmp_path_factory):
    from tests.test_cohortes import fixture_db

    return fixture_db(tmp_path_factory.mktemp("resumes_cohortes"))


def test_sorties_sur_des_valeurs_diffusees(base_cohortes, app_test):
    """Base de tests/test_cohortes.py (tests/test_page_sorties.py) : cohorte T1 2023 d'ALI14, 30 orientés,
    30 diagnostiqués (numérique), 22 (linguistique), 26 sortis, 18 en emploi (60,0 %), 10 en emploi durable ; une
    part n'est diffusée que si les comptés et les autres font chacun 0 ou au moins 11 (30/30 et 18/30)."""
    at = app_test(base_cohortes, "pages/sorties.py")
    lus = resumes_lus(at)
    assert f"Taux de sortie en emploi à 12 mois : 60,0{NB}% pour ALI14 · Clichy-sous-Bois." in lus
    assert f"Pour Seine-Saint-Denis, le taux de sortie en emploi à 12 mois : 60,0{NB}% en T1 2023." in lus
    assert (
        f"Orientés : 30 ; Diagnostic numérique à 90 jours : 30 (100,0{NB}%) ; Diagnostic linguistique à 90 jours : 22 "
        f"(part non diffusée) ; Sortis dans les 12 mois : 26 (part non diffusée) ; Sortis en emploi : 18 (60,0{NB}%) ; "
        "Sortis en emploi durable : 10 (part non diffusée). Les valeurs non diffusées sont couvertes par le secret "
        "statistique." in lus
    )


def test_qualite_lignes_rejetees(tmp_path, app_test):
    """Base de tests/test_page_qualite.py : 4 lignes rejetées pour ALI14 (2 « sexe manquant », 1 « type_parcours
    inconnu », 1 doublon) et 1 pour une ALI hors référentiel (ALI99)."""
    from tests.test_page_qualite import _ali08, _ali10, _ali14

    base = build_db(
        tmp_path / "q.duckdb", {"ali14_juin.csv": _ali14(), "ali08_mars.csv": _ali08(), "ali10_mars.csv": _ali10()}
    )
    lus = resumes_lus(app_test(base, "pages/qualite.py"))
    assert lus[:2] == [
        "5 lignes rejetées, par motif : le plus fréquent pour sexe manquant (2), le moins fréquent pour code_ali "
        "absent du référentiel des ALI, doublon et type_parcours inconnu (1).",
        "Lignes rejetées par ALI : le plus de lignes pour ALI14 · Clichy-sous-Bois – Montfermeil – Coubron (4), le "
        "moins pour ALI inconnue ou illisible (1).",
    ]


def test_budget_sur_trois_annees(tmp_path, app_test):
    """Base de tests/test_page_budget.py : voté 23 M€ (2021), 33 M€ (2022), 46 M€ (2023) ; indice 100 → 200
    (46 / 23) ; 2023 : ALI14 4 M€, ALI04 2 M€, ALI01 1 M€ votés ; lignes 2023 : formation 39 M€, accompagnement
    7 M€."""
    from tests.test_page_budget import BUDGET

    rows = [ligne(id_beneficiaire=f"c14_{i:04d}", date_orientation="2023-01-15") for i in range(1, 21)]
    base = build_db(tmp_path / "budget.duckdb", {"file.csv": csv_bytes(rows), "budget.csv": BUDGET})
    lus = resumes_lus(app_test(base, "pages/budget.py"))
    # (46 − 23) / 23 = +100,0 %.
    assert lus[0] == f"Le budget voté passe de 23,0{NB}M€ à 46,0{NB}M€ entre 2021 et 2023 (+100,0{NB}%)."
    assert "L'indice du budget voté (2021 = 100) passe de 100,0 à 200,0 entre 2021 et 2023." in lus
    assert (
        f"Montants votés en 2023 par ligne budgétaire : le plus élevé pour Formation (39,0{NB}M€), le plus faible "
        f"pour Accompagnement en ALI (7,0{NB}M€)." in lus
    )
    assert any(
        p.startswith(
            "Crédits votés en 2023 : le plus élevé pour ALI14 · Clichy-sous-Bois – Montfermeil – Coubron "
            f"(4,00{NB}M€), le plus faible pour ALI01 · "
        )
        for p in lus
    ), lus
