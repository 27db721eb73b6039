"""Les phrases sous les graphiques (insertion.figures.resumes), sur de petits tableaux aux réponses calculées à la main.

Règle vérifiée partout : une valeur masquée par le secret n'apparaît jamais, ni seule ni dans un calcul."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from insertion import formats
from insertion.figures import resumes
from insertion.figures.resumes import Point
from insertion.protect import secret

NB = "\u202f"


def test_la_phrase_de_l_exemple():
    # 11 800 → 12 600 : (12 600 − 11 800) / 11 800 = 6,78 % → « +6,8 % ».
    pts = resumes.points(["juin 2022", "juillet 2022", "juin 2023"], [11_800, 12_000, 12_600])
    assert resumes.evolution(pts, sujet="La file active", unite="personnes") == (
        f"La file active passe de 11{NB}800 à 12{NB}600 personnes entre juin 2022 et juin 2023 (+6,8{NB}%)."
    )


def test_une_baisse_et_des_bouts_sans_objet():
    # Les mois sans valeur aux bouts (aucune cohorte) sont ignorés : de 45 (mars) à 30 (mai), −33,3 %.
    pts = resumes.points(["février", "mars", "avril", "mai", "juin"], [None, 45, 50, 30, float("nan")])
    assert resumes.evolution(pts, sujet="La file active", unite="personnes") == (
        f"La file active passe de 45 à 30 personnes entre mars et mai (-33,3{NB}%)."
    )


def test_un_taux_s_ecrit_en_points_et_une_valeur_stable_reste():
    pts = resumes.points(["T1 2023", "T2 2023"], [0.25, 0.40])
    assert resumes.evolution(pts, sujet="Le taux", ecrire=formats.pourcentage, variation="points") == (
        f"Le taux passe de 25,0{NB}% à 40,0{NB}% entre T1 2023 et T2 2023 (+15,0{NB}pts)."
    )
    assert resumes.evolution(resumes.points(["a", "b"], [56, 56]), sujet="La file active", unite="personnes") == (
        "La file active reste à 56 personnes entre a et b."
    )
    # Depuis zéro, pas de pourcentage (division par zéro), mais les deux nombres.
    assert resumes.evolution(resumes.points(["a", "b"], [0, 8]), sujet="X") == "X passe de 0 à 8 entre a et b."


def test_une_extremite_masquee_est_dite_sans_chiffre():
    pts = resumes.points(["juin 2022", "déc. 2022", "juin 2023"], [4, 30, 40], [True, False, False])
    phrase = resumes.evolution(pts, sujet="La file active", unite="personnes")
    assert phrase == (
        "La file active entre juin 2022 et juin 2023 : la valeur de juin 2022 est couverte par le secret "
        "statistique, l'évolution n'est pas chiffrée."
    )
    assert not any(c.isdigit() for c in phrase.replace("2022", "").replace("2023", ""))
    deux = resumes.points(["a", "b"], [4, 5], [True, True])
    assert "les valeurs de a et de b sont couvertes" in resumes.evolution(deux, sujet="X")
    assert (
        resumes.evolution(resumes.points(["a"], [4], [True]), sujet="X")
        == "X en a : valeur couverte par le secret statistique."
    )
    assert resumes.evolution(resumes.points(["a"], [None]), sujet="X") == "X : aucune valeur à montrer."


def test_les_extremes_nomment_les_ali_et_comptent_les_masquees():
    pts = resumes.points(
        ["ALI14 · Clichy", "ALI04 · La Courneuve", "ALI08 · Montreuil", "ALI03 · Aubervilliers"],
        [37, 5, 15, 12],
        [False, True, False, False],
    )
    # ALI04 masquée : la plus faible des diffusées est ALI03 (12), pas ALI04 (5, jamais écrit).
    phrase = resumes.extremes(pts, mesure="Personnes suivies")
    assert phrase == (
        "Personnes suivies parmi les valeurs diffusées : la plus élevée pour ALI14 · Clichy (37), la plus faible "
        "pour ALI03 · Aubervilliers (12). 1 ALI sur 4 n'est pas diffusée (secret statistique)."
    )
    assert "La Courneuve" not in phrase and "5" not in phrase.replace("sur 4", "")


def test_extremes_ex_aequo_seule_valeur_et_tout_masque():
    pts = resumes.points(["A", "B", "C"], [0.5, 0.2, 0.5])
    assert resumes.extremes(pts, mesure="Taux", ecrire=formats.pourcentage) == (
        f"Taux : la plus élevée pour A et C (50,0{NB}%), la plus faible pour B (20,0{NB}%)."
    )
    assert resumes.extremes(resumes.points(["A", "B"], [3, None], [False, True]), mesure="N") == (
        "N : 3 pour A. 1 ALI sur 2 n'est pas diffusée (secret statistique)."
    )
    assert resumes.extremes(resumes.points(["A"], [None], [True]), mesure="N") == (
        "N : aucune valeur diffusée (secret statistique)."
    )


def test_repartition():
    # 42 et 30 personnes sur 100 : 42,0 % et 30,0 %.
    pts = resumes.points(["moins de 25 ans", "25 à 34 ans", "35 à 44 ans"], [0.28, 0.42, 0.30])
    assert resumes.repartition(pts, sujet="Tranche d'âge") == (
        f"Tranche d'âge : 25 à 34 ans vient en tête (42,0{NB}%), devant 35 à 44 ans (30,0{NB}%)."
    )
    masquee = resumes.points(["a", "b", "c"], [0.9, 0.05, 0.05], [True, False, False])
    phrase = resumes.repartition(masquee, sujet="Sexe")
    # a (masquée) n'est ni nommée ni chiffrée ; b et c, à égalité, viennent ensemble en tête des parts diffusées.
    assert phrase == (
        f"Sexe : parmi les parts diffusées, b et c viennent en tête (5,0{NB}% chacune). 1 modalité sur 3 n'est pas "
        "diffusée (secret statistique)."
    )


def test_parts_toutes_nulles_et_singulier():
    pts = resumes.points(["a", "b", "c"], [0.0, 0.0, None], [False, False, True])
    assert resumes.repartition(pts, sujet="Sexe") == (
        "Sexe : parmi les parts diffusées, toutes les parts sont nulles. 1 modalité sur 3 n'est pas diffusée "
        "(secret statistique)."
    )
    zero = resumes.points(["janv."], [0])
    un = resumes.points(["janv."], [1])
    assert resumes.totaux({"sorties": zero, "entrées": un}, periode="P") == "P : 0 sortie et 1 entrée."


def test_etapes_d_un_entonnoir():
    # Cohorte de 45 : 22 diagnostiqués (48,9 %), 7 en emploi (15,6 %), 4 en emploi durable (masqué avec sa part).
    effectifs = resumes.points(["Orientés", "Diagnostic", "Emploi", "Emploi durable"], [45, 22, 7, None], [0, 0, 0, 1])
    parts = resumes.points(["", "", "", ""], [1.0, 22 / 45, 7 / 45, None], [0, 0, 0, 1])
    assert resumes.etapes(effectifs, parts) == (
        f"Orientés : 45 ; Diagnostic : 22 (48,9{NB}%) ; Emploi : 7 (15,6{NB}%) ; Emploi durable : non diffusé. "
        "Les valeurs non diffusées sont couvertes par le secret statistique."
    )
    # Au département sans filtre, les effectifs sont diffusés mais une part sur moins de 11 personnes ne l'est pas.
    effectifs = resumes.points(["Orientés", "Emploi"], [7, 7])
    parts = resumes.points(["", ""], [1.0, None], [0, 1])
    assert resumes.etapes(effectifs, parts) == (
        "Orientés : 7 ; Emploi : 7 (part non diffusée). Les valeurs non diffusées sont couvertes par le secret "
        "statistique."
    )


def test_les_valeurs_masquees_se_comptent_en_bon_francais():
    deux = resumes.points(["a", "b", "c"], [None, None, 3], [1, 1, 0])
    assert resumes.extremes(deux, mesure="N", categorie="motif").endswith(
        "2 motifs sur 3 ne sont pas diffusés (secret statistique)."
    )
    assert resumes.extremes(deux, mesure="N", categorie="EPT").endswith(
        "2 EPT sur 3 ne sont pas diffusés (secret statistique)."
    )
    assert resumes.repartition(deux, sujet="S").endswith(
        "2 modalités sur 3 ne sont pas diffusées (secret statistique)."
    )
    assert resumes.repartition(deux, sujet="S", categorie="niveau").endswith(
        "2 niveaux sur 3 ne sont pas diffusés (secret statistique)."
    )
    un = resumes.points(["a", "b"], [None, 3], [1, 0])
    assert resumes.extremes(un, mesure="N", categorie="niveau").endswith(
        "1 niveau sur 2 n'est pas diffusé (secret statistique)."
    )


def test_une_ali_face_a_la_mediane():
    lignes = [
        (Point("File active", 37.0), 15.0),
        (Point("Entrées", 12.0), 12.0),
        (Point("Taux de diagnostic", 0.2), 0.489),
        (Point("Sorties", None, True), 8.0),
        (Point("Coût par personne", None), None),
    ]
    assert resumes.positions("ALI14", lignes) == (
        "ALI14 face à la médiane des ALI : au-dessus pour file active ; en dessous pour taux de diagnostic ; à "
        "égalité pour entrées ; non diffusée (secret statistique) pour sorties ; sans comparaison possible pour "
        "coût par personne."
    )


def test_totaux_sans_et_avec_mois_masque():
    entrees = resumes.points(["janv.", "févr."], [15, 46])
    sorties = resumes.points(["janv.", "févr."], [10, 15])
    assert resumes.totaux({"entrées": entrees, "sorties": sorties}, periode="Sur la période") == (
        "Sur la période : 61 entrées et 25 sorties."
    )
    sorties = resumes.points(["janv.", "févr."], [4, 15], [True, False])
    phrase = resumes.totaux({"entrées": entrees, "sorties": sorties}, periode="Sur la période")
    assert phrase == (
        "Sur la période : 61 entrées ; sorties : total non diffusé (mois couverts par le secret statistique)."
    )


def test_depuis_un_tableau_protege_la_valeur_masquee_ne_passe_pas():
    # La même chaîne que les pages : secret.proteger, puis donnees et masque. 4 est masqué (et 50, en second,
    # pour que 4 ne se déduise pas du total) : aucune des deux valeurs ne peut entrer dans la phrase.
    df = pd.DataFrame({"ali": ["A", "B", "C"], "n": [4, 50, 80]})
    prot = secret.proteger(df, effectifs=["n"], ventilation=[])
    pts = resumes.points(df["ali"], prot.donnees["n"], prot.masque["n"])
    assert [p.valeur for p in pts] == [None, None, 80.0]
    assert resumes.extremes(pts, mesure="N") == "N : 80 pour C. 2 ALI sur 3 ne sont pas diffusées (secret statistique)."
    # Même si l'on passait la valeur brute avec son masque, elle serait oubliée.
    assert resumes.points(["A"], [4], [True]) == [Point("A", None, True)]


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=50_000), st.booleans(), st.integers(min_value=0, max_value=50_000)
        ),
        min_size=1,
        max_size=24,
    )
)
def test_une_valeur_masquee_ne_change_pas_la_phrase(cases):
    """Des séries réalistes (effectifs de 0 à 50 000) dont certains mois sont masqués : changer la valeur d'un mois
    masqué ne change pas un caractère des phrases, qui ne peuvent donc rien en dire."""
    libelles = [formats.mois(date(2023 + i // 12, i % 12 + 1, 1)) for i in range(len(cases))]
    masques = [m for _, m, _ in cases]
    vraies = [v for v, _, _ in cases]
    autres = [autre if m else v for v, m, autre in cases]

    def phrases(valeurs):
        pts = resumes.points(libelles, valeurs, masques)
        return (
            resumes.evolution(pts, sujet="La file active", unite="personnes"),
            resumes.extremes(pts, mesure="File active"),
            resumes.totaux({"entrées": pts}, periode="Sur la période"),
            resumes.repartition(resumes.points(libelles, [v / 50_000 for v in valeurs], masques), sujet="Part"),
        )

    assert phrases(vraies) == phrases(autres)
    if masques[0] or masques[-1]:
        assert "secret" in resumes.evolution(resumes.points(libelles, vraies, masques), sujet="La file active")


@pytest.mark.parametrize("valeur", [0.0, 1e-9])
def test_points_garde_un_zero_diffuse(valeur):
    (p,) = resumes.points(["a"], [valeur])
    assert p.valeur == valeur and not p.masque and not math.isnan(p.valeur)
