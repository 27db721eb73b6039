"""insertion.figures.tableaux_budget : années, libellés des lignes et secret du coût par personne de la vue Budget.

Tous les attendus sont calculés à la main dans les commentaires.
"""

from __future__ import annotations

import math

import pandas as pd

from insertion.figures import tableaux_budget
from insertion.figures import territoires as T

NAN = math.nan


def test_budget_years_and_line_labels():
    budget = pd.DataFrame(
        {
            "annee": [2024, 2025, 2026, 2027],
            "ligne": ["total"] * 4,
            "montant_execute": [1.0, 2.0, NAN, NAN],
        }
    )
    assert tableaux_budget.annees_budget(budget, 2026) == (2026, 2025)
    assert tableaux_budget.annees_budget(budget, 2024) == (2024, 2024)
    assert tableaux_budget.libelle_ligne("iae") == "Insertion par l'activité économique"
    assert tableaux_budget.libelle_ligne("nouvelle_ligne") == "Nouvelle ligne"
    assert tableaux_budget.libelle_groupe_budget(tableaux_budget.NON_REPARTI, {}) == "Crédits non ventilés par ALI"


def test_cost_per_person_is_hidden_with_its_small_caseload():
    """File active moyenne 3 (ALI01) et 2,67 (ALI04) : masquées ; 20 (ALI14) montrée ; les coûts des deux
    petites ALI ne sont pas diffusés (exécuté / coût redonnerait la file active)."""
    cout = pd.DataFrame(
        {
            "groupe": ["ALI14", "ALI04", "ALI01"],
            "file_active_moyenne": [20.0, 16 / 6, 3.0],
            "cout_par_personne": [180_000.0, 1_800_000 / (16 / 6), 300_000.0],
        }
    )
    prot = tableaux_budget.proteger_cout(cout, departement=False, ventilation=[])
    txt = prot.affichage({"file_active_moyenne": T.FORMATS["effectif"], "cout_par_personne": T.FORMATS["euros"]})
    assert txt["file_active_moyenne"].to_list() == ["20", "secret", "secret"]
    assert txt["cout_par_personne"].to_list() == ["180\u202f000\u202f€", "secret", "secret"]


def test_cost_follows_a_secondarily_masked_caseload():
    """Une seule petite ALI (4) : la suivante (15) est masquée par le secret secondaire, et son coût aussi,
    sinon 450 000 € / 30 000 € redonnerait 15."""
    cout = pd.DataFrame(
        {
            "groupe": ["ALI14", "ALI04", "ALI01"],
            "file_active_moyenne": [200.0, 4.0, 15.0],
            "cout_par_personne": [10_000.0, 50_000.0, 30_000.0],
        }
    )
    prot = tableaux_budget.proteger_cout(cout, departement=False, ventilation=[])
    assert prot.donnees["cout_par_personne"].isna().to_list() == [False, True, True]
    # Au niveau du département, sans ventilation : seule la règle « moins de 11 » s'applique.
    dep = tableaux_budget.proteger_cout(cout, departement=True)
    assert dep.donnees["cout_par_personne"].isna().to_list() == [False, True, False]
    assert dep.donnees["file_active_moyenne"].to_list() == [200.0, 4.0, 15.0]
