"""La phrase sous les graphiques principaux (AppTest), sur la petite base de tests/indicators/test_synthese.py, dont les
nombres sont comptés à la main là-bas :

D = 31 décembre 2024, période du 1er janvier 2023 à D. File active du département : 8 fin mars 2023 (Dx, orientés
le 1er mars), 56 à D. Orientations : a 20 + d 8 + e 10 + f 7 + b 12 + c 5 + g 4 + a01' 1 + h 15 = 82 ; sorties :
d 8 (emploi durable) + e 10 (formation) + f 7 (4 emploi durable, 3 emploi de transition) = 25. À D, ALI14 suit
a 20 + b 12 + c 5 = 37 personnes, ALI04 5 et ALI08 15. Budget voté : 46,0 M€ en 2023, 47,0 M€ en 2024
(16 + 29 + 1 ; 14 + 31,5 + 1,5).

Les pages publient (issue 12, insertion/protect/publication.py) : chaque nombre attendu dans une phrase est la
valeur publiée de sa case, `publiee(...)` sur la même base et les mêmes paramètres que la page, ou « secret »
quand la règle l'impose (effectif de 0 à 10 sous le département, taux dont le numérateur ou le complément est
masqué). Le département n'est exact que pour un stock (file active, coût) sans filtre ; ses flux de la période
(qui commence en janvier 2023, avant mars 2023) sont bruités comme ceux d'une ALI.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from insertion import formats
from insertion.figures import cohortes
from insertion.store.requetes import Perimetre, Periode
from tests.conftest import build_db, csv_bytes, ligne
from tests.indicators.test_synthese import construire_base
from tests.publie import cellule, publie, texte_entier, texte_taux

NB = "\u202f"
PREFIXE = ":material/short_text: "


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return construire_base(tmp_path_factory.mktemp("resumes"))


def resumes_lus(at) -> list[str]:
    return [m.value.removeprefix(PREFIXE) for m in at.markdown if m.value.startswith(PREFIXE)]


D = date(2024, 12, 31)
PERIODE = Periode(as_of=D, debut=date(2023, 1, 1), fin=D)  # période par défaut sur la base de test_synthese


def publiee(base, nom: str, groupe: str = "departement", periode: Periode = PERIODE, **extra):
    """La requête publiée, sans filtre, avec la période de la page."""
    return publie(base, nom, **periode.parametres(), **Perimetre().parametres(), groupe=groupe, **extra)


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
    # 82 entrées et 25 sorties brutes ; des mois en comptent de 0 à 10, masqués : le total de la période n'est
    # pas la somme des seuls mois diffusés, il n'est pas donné.
    mois = publiee(base, "entrees_sorties_mensuelles")
    assert mois["entrees"].isna().any() and mois["sorties"].isna().any()
    assert (
        "Période du 1er janvier 2023 au 31 décembre 2024 : entrées et sorties : totaux non diffusés (mois couverts "
        "par le secret statistique)." in lus
    )
    # Sous le département, ALI04 (5) est masquée, et ALI08 (15) avec elle pour que 5 ne se déduise pas du total.
    fa = publiee(base, "file_active", "ali")
    assert np.isnan(cellule(fa, "file_active", groupe="ALI04"))
    assert (
        f"Personnes suivies au 31 décembre 2024 : {texte_entier(cellule(fa, 'file_active', groupe='ALI14'))} pour "
        "ALI14 · Clichy-sous-Bois – Montfermeil – Coubron. 2 ALI sur 3 ne sont pas diffusées (secret statistique)."
        in lus
    )
    assert len(lus) == 4


def test_sorties_par_motif(base, app_test):
    at = app_test(base, "pages/sorties.py")
    # Emploi durable 12, formation 10, emploi de transition 3 : les deux derniers masqués (de 1 à 10) ; la phrase
    # les compte sans leur nombre.
    motifs = publiee(base, "sorties_par_motif")
    durable = cellule(motifs, "sorties", motif_sortie="emploi_durable")
    assert np.isnan(cellule(motifs, "sorties", motif_sortie="formation"))
    assert np.isnan(cellule(motifs, "sorties", motif_sortie="emploi_transition"))
    assert (
        f"Sorties de la période par motif : {texte_entier(durable)} pour Motif emploi durable (CDI, CDD ≥ 6 mois). "
        "2 motifs sur 3 ne sont pas diffusés (secret statistique)." in resumes_lus(at)
    )


def test_budget(base, app_test):
    at = app_test(base, "pages/budget.py")
    lus = resumes_lus(at)
    assert lus[0] == f"Le budget voté passe de 46,0{NB}M€ à 47,0{NB}M€ entre 2023 et 2024 (+2,2{NB}%)."
    # 2024 est en cours (pas d'exécuté) : un seul coût, celui de 2023, écrit comme la carte de la page.
    (carte,) = [m.value for m in at.metric if m.label.startswith("Coût / personne")]
    cout = publiee(base, "cout_par_personne", periode=Periode(as_of=D))
    assert carte == formats.euros(cellule(cout, "cout_par_personne", annee=2023))  # exact : un stock, sans filtre
    assert np.isnan(cellule(cout, "montant_execute", annee=2024))  # exercice en cours : sans objet, pas secret
    assert lus[1] == f"Le coût par personne suivie : {carte} en 2023."
    # Lignes 2024 (tests/indicators/test_synthese.py, BUDGET) : accompagnement 31,5 + 1,5 (ALI14) = 33,0 M€,
    # formation 14,0 M€.
    assert lus[2] == (
        f"Montants votés en 2024 par ligne budgétaire : le plus élevé pour Accompagnement en ALI (33,0{NB}M€), le plus "
        f"faible pour Formation (14,0{NB}M€)."
    )


def test_comparer(base, app_test):
    at = app_test(base, "pages/comparer.py")
    multiples, carte = resumes_lus(at)
    # L'ALI choisie par défaut, ALI04 : file active 5, entrées 5, cohorte à 90 jours de 5 → masquées ; sorties 0
    # et, orientées en septembre et octobre 2024, aucune cohorte à 12 mois (dénominateur 0) : des zéros sous le
    # département, masqués comme un effectif de 1 à 10 ; pas de budget : rien à comparer.
    assert np.isnan(cellule(publiee(base, "file_active", "ali"), "file_active", groupe="ALI04"))
    es = publiee(base, "entrees_sorties", "ali")
    assert np.isnan(cellule(es, "entrees", groupe="ALI04")) and np.isnan(cellule(es, "sorties", groupe="ALI04"))
    for diagnostic in ("numerique", "linguistique"):
        diag = publiee(base, "taux_diagnostic_90j", "ali", diagnostic=diagnostic)
        assert np.isnan(cellule(diag, "taux_90j", groupe="ALI04"))
    emploi = publiee(base, "taux_sortie_emploi_12m", "ali")
    assert np.isnan(cellule(emploi, "denominateur", groupe="ALI04"))
    assert multiples == (
        "ALI04 · La Courneuve face à la médiane des ALI : non diffusée (secret statistique) pour file active à la "
        "date d'observation, entrées sur la période, sorties sur la période, diagnostic numérique à 90 jours, "
        "diagnostic linguistique à 90 jours, sortie en emploi à 12 mois et sortie en emploi durable à 12 mois ; sans "
        "comparaison possible pour coût par personne suivie (2023)."
    )
    # File active à D : ALI14 37 diffusée ; ALI04 (5) et ALI08 (15, en second) masquées.
    fa = publiee(base, "file_active", "ali")
    assert carte == (
        f"File active à la date d'observation : {texte_entier(cellule(fa, 'file_active', groupe='ALI14'))} pour "
        "ALI14 · Clichy-sous-Bois – Montfermeil – Coubron. 2 ALI sur 3 ne sont pas diffusées (secret statistique)."
    )


def test_diagnostics(base, app_test):
    at = app_test(base, "pages/diagnostics.py")
    lus = resumes_lus(at)
    # Orientations à 90 jours de recul : ALI14 a 20 + d 8 + e 10 + f 7 = 45, dont a 15 et f 7 diagnostiquées
    # (numérique) dans les 90 jours : 22/45 brut, publié ; ALI08 h 15, aucune : numérateur 0, masqué sous le
    # département ; ALI04 g 4 + a01' 1 = 5 : masquée.
    diag = publiee(base, "taux_diagnostic_90j", "ali", diagnostic="numerique")
    assert np.isnan(cellule(diag, "taux_90j", groupe="ALI08")) and np.isnan(cellule(diag, "taux_90j", groupe="ALI04"))
    assert (
        f"Taux de diagnostic numérique à 90 jours : {texte_taux(cellule(diag, 'taux_90j', groupe='ALI14'))} pour "
        "ALI14 · Clichy-sous-Bois. 2 ALI sur 3 ne sont pas diffusées (secret statistique)." in lus
    ), lus


@pytest.fixture(scope="module")
def base_cohortes(tmp_path_factory):
    from tests.figures.test_cohortes import fixture_db

    return fixture_db(tmp_path_factory.mktemp("resumes_cohortes"))


def test_sorties_sur_des_valeurs_diffusees(base_cohortes, app_test):
    """Base de tests/figures/test_cohortes.py (tests/present/test_page_sorties.py) : cohorte T1 2023 d'ALI14, 30
    orientés,
    30 diagnostiqués (numérique), 22 (linguistique), 26 sortis, 18 en emploi (60,0 %), 10 en emploi durable ; une
    part n'est diffusée que si les comptés et les autres font chacun 0 ou au moins 11 (30/30 et 18/30).
    Valeurs publiées (D = 30/06/2024, période depuis le 01/01/2023) : effectifs à ±3 des bruts, 10 masqué."""
    from tests.figures.test_cohortes import PERIODE as PERIODE_COHORTES

    at = app_test(base_cohortes, "pages/sorties.py")
    lus = resumes_lus(at)

    def publiee_c(nom: str, groupe: str, **extra):
        return publie(base_cohortes, nom, **cohortes.parametres(PERIODE_COHORTES, Perimetre(), groupe=groupe, **extra))

    # ALI14 : groupe A, 18/30 brut ; ALI04 : orientée en janvier 2024, aucune cohorte à 12 mois (dénominateur 0,
    # masqué sous le département comme un effectif de 1 à 10).
    emploi = publiee_c("taux_sortie_emploi_12m", "ali")
    assert np.isnan(cellule(emploi, "taux_sortie_emploi", groupe="ALI04"))
    assert (
        f"Taux de sortie en emploi à 12 mois : {texte_taux(cellule(emploi, 'taux_sortie_emploi', groupe='ALI14'))} "
        "pour ALI14 · Clichy-sous-Bois. 1 ALI sur 2 n'est pas diffusée (secret statistique)." in lus
    ), lus
    trimestres = publiee_c("taux_sortie_emploi_cohortes", "departement", pas="trimestre")
    t1 = cellule(trimestres, "taux_sortie_emploi", cohorte="2023-01-01")
    assert f"Pour Seine-Saint-Denis, le taux de sortie en emploi à 12 mois : {texte_taux(t1)} en T1 2023." in lus

    parcours = publiee_c("parcours_cohorte", "departement", pas="trimestre")
    n = {e: cellule(parcours, e, cohorte="2023-01-01") for e in cohortes.ETAPES_PARCOURS}
    o = n["orientes"]
    # Numérique : les 30 orientés, même population donc même case que « orientés » : 100 % (complément 0).
    assert n["diag_numerique_90j"] == o
    # Linguistique (22) et sortis (26) : complément de 1 à 10 → part non diffusée ; emploi (18) : complément
    # d'au moins 11 → part diffusée ; emploi durable (10) : masqué.
    assert 1 <= o - n["diag_linguistique_90j"] <= 10 and 1 <= o - n["sortis_12m"] <= 10
    assert o - n["sortis_emploi_12m"] >= 11 and np.isnan(n["sortis_emploi_durable_12m"])
    assert (
        f"Orientés : {texte_entier(o)} ; Diagnostic numérique à 90 jours : {texte_entier(o)} ({texte_taux(1.0)}) ; "
        f"Diagnostic linguistique à 90 jours : {texte_entier(n['diag_linguistique_90j'])} (part non diffusée) ; "
        f"Sortis dans les 12 mois : {texte_entier(n['sortis_12m'])} (part non diffusée) ; Sortis en emploi : "
        f"{texte_entier(n['sortis_emploi_12m'])} ({texte_taux(n['sortis_emploi_12m'] / o)}) ; Sortis en emploi "
        "durable : non diffusé. Les valeurs non diffusées sont couvertes par le secret statistique." in lus
    ), lus


def test_qualite_lignes_rejetees(tmp_path, app_test):
    """Base de tests/present/test_page_qualite.py : 4 lignes rejetées pour ALI14 (2 « sexe manquant », 1 « type_parcours
    inconnu », 1 doublon) et 1 pour une ALI hors référentiel (ALI99)."""
    from tests.present.test_page_qualite import _ali08, _ali10, _ali14

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
    """Base de tests/present/test_page_budget.py : voté 23 M€ (2021), 33 M€ (2022), 46 M€ (2023) ; indice 100 → 200
    (46 / 23) ; 2023 : ALI14 4 M€, ALI04 2 M€, ALI01 1 M€ votés ; lignes 2023 : formation 39 M€, accompagnement
    7 M€."""
    from tests.present.test_page_budget import BUDGET

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
