"""insertion.figures.budget, sans Streamlit ni base, sur de petits tableaux publiés dont les chiffres se calculent
à la main (D en 2023) :

Totaux départementaux (euros) :
  2021 : formation 20 M voté / 18 M exécuté → taux 90 %, indices 100 / 100
  2022 : formation 20 M / 20 M, accompagnement 5 M / 4 M → 25 M / 24 M, taux 96 %, indices 125 / 133,3
  2023 : formation 22 M / –, accompagnement 8 M / – (exercice en cours) → 30 M voté, indice 150
  2024 : 40 M voté, après D : écarté.
Voté 2023 : 30 / 25 − 1 = +20,0 % ; exécuté 2022 : 24 / 18 − 1 = +33,3 % ; taux : 96 − 90 = +6,0 pts.
Coût par personne (département) : 18 M / 1 500 = 12 000 € (2021), 24 M / 1 600 = 15 000 € (2022, +25,0 %) ;
2023 sans exécuté : pas de coût. File active : 1 600 / 1 500 − 1 = +6,7 % ; 1 800 / 1 600 − 1 = +12,5 %.
Par ALI (2023) : ALI01 3 M voté / 2,7 M exécuté, 5 personnes en moyenne (< 11 : coût secret) ; ALI03 4 M / 3,6 M,
40 personnes (masquée en second) ; ALI02 5 M / 4,5 M, 300 personnes → 15 000 € ; 22 M non ventilés.
"""

from __future__ import annotations

import csv
import io
import math

import pandas as pd
import pytest

from insertion.config import SEUIL_SECRET
from insertion.figures import budget as fb
from insertion.figures import budget_ali
from insertion.outputs import exports
from insertion.store.requetes import Perimetre

NB = "\u202f"
NAN = math.nan


def _ligne(annee, ligne, vote, execute, indice_vote=NAN, indice_execute=NAN, groupe="departement"):
    taux = execute / vote if not math.isnan(execute) else NAN
    return {
        "annee": annee,
        "groupe": groupe,
        "ligne": ligne,
        "montant_vote": vote,
        "montant_execute": execute,
        "taux_execution": taux,
        "indice_vote_2021": indice_vote,
        "indice_execute_2021": indice_execute,
    }


@pytest.fixture
def budget_charge() -> pd.DataFrame:
    return pd.DataFrame(
        [
            _ligne(2021, "formation", 20e6, 18e6, 100.0, 100.0),
            _ligne(2021, "total", 20e6, 18e6, 100.0, 100.0),
            _ligne(2022, "accompagnement_ali", 5e6, 4e6),
            _ligne(2022, "formation", 20e6, 20e6),
            _ligne(2022, "total", 25e6, 24e6, 125.0, 24 / 18 * 100),
            _ligne(2023, "accompagnement_ali", 8e6, NAN),
            _ligne(2023, "formation", 22e6, NAN),
            _ligne(2023, "total", 30e6, NAN, 150.0, NAN),
            _ligne(2024, "total", 40e6, NAN, 200.0, NAN),
        ]
    )


def _cout(lignes: list[tuple]) -> pd.DataFrame:
    colonnes = ["annee", "groupe", "mois_observes", "montant_execute", "file_active_moyenne", "cout_par_personne"]
    return pd.DataFrame(lignes, columns=colonnes)


@pytest.fixture
def cout() -> pd.DataFrame:
    return _cout(
        [
            (2021, "departement", 12, 18e6, 1500.0, 12000.0),
            (2022, "departement", 12, 24e6, 1600.0, 15000.0),
            (2023, "departement", 6, NAN, 1800.0, NAN),
        ]
    )


@pytest.fixture
def b(budget_charge, cout) -> fb.Budget:
    return fb.preparer(fb.jusqua(budget_charge, 2023), cout, 2023, Perimetre())


def test_notes_dit_les_filtres_sans_effet():
    assert fb.notes(2023, False, []) == "Années budgétaires jusqu'à 2023, année de la date d'observation."
    texte = fb.notes(2023, True, ["EPT", "âge"])
    assert "Crédits ventilés aux ALI retenues" in texte
    assert texte.endswith("Le budget n'est ventilé que par ALI : les filtres EPT, âge ne s'y appliquent pas.")


def test_jusqua_et_premiere_annee(budget_charge):
    assert fb.jusqua(budget_charge, 2023)["annee"].max() == 2023
    assert fb.premiere_annee(budget_charge) == 2021
    assert fb.premiere_annee(budget_charge.iloc[0:0]) is None


def test_preparer_annees_et_cout(b):
    assert (b.annee_courante, b.annee_executee, b.annee_cout) == (2023, 2022, 2022)
    assert b.annees == ["2021", "2022", "2023"]
    # Sans filtre, le département est publié exactement : rien n'est masqué.
    assert not b.prot_cout.a_masque
    assert list(b.cout_affiche["cout_par_personne"]) == [f"12{NB}000{NB}€", f"15{NB}000{NB}€", "–"]


def test_chiffres_cles(b):
    vote, execute, taux, indice, cout = fb.chiffres_cles(b)
    assert (vote["label"], vote["valeur"], vote["evolution"]) == ("Voté 2023", f"30,0{NB}M€", f"+20,0{NB}%")
    assert vote["serie"] == [20e6, 25e6, 30e6]
    assert (execute["label"], execute["valeur"], execute["evolution"]) == (
        "Exécuté 2022",
        f"24,0{NB}M€",
        f"+33,3{NB}%",
    )
    assert execute["serie"] == [18e6, 24e6]
    assert (taux["label"], taux["valeur"], taux["evolution"]) == ("Exécution 2022", f"96,0{NB}%", f"+6,0{NB}pts")
    assert (indice["label"], indice["valeur"], indice["sens"]) == ("Indice 2023", "150,0", "off")
    assert (cout["label"], cout["valeur"], cout["evolution"], cout["sens"]) == (
        "Coût / personne 2022",
        f"15{NB}000{NB}€",
        f"+25,0{NB}%",
        "inverse",
    )


def test_chiffres_cles_sans_exercice_clos(budget_charge):
    budget = fb.jusqua(budget_charge, 2021).assign(montant_execute=NAN, taux_execution=NAN)
    b = fb.preparer(budget, _cout([]), 2021, Perimetre())
    _, execute, taux, _, cout = fb.chiffres_cles(b)
    assert execute == {"label": "Exécuté", "valeur": "–", "aide": "Aucun exercice clos pour cette sélection."}
    assert (taux["label"], taux["valeur"], taux["evolution"]) == ("Exécution", "–", None)
    assert (cout["label"], cout["valeur"]) == ("Coût / personne", "–")


def test_cout_secret_sous_le_seuil_avec_un_filtre_ali(budget_charge):
    # Une seule ALI retenue (filtre) : plus d'exemption ; 5 personnes en moyenne < seuil → coût non diffusé.
    petit = _cout([(2022, "departement", 12, 1e6, 5.0, 200000.0)])
    b = fb.preparer(fb.jusqua(budget_charge, 2023), petit, 2023, Perimetre(alis=("ALI01",)))
    assert b.prot_cout.a_masque
    carte = fb.chiffres_cles(b)[-1]
    assert carte["valeur"] == "secret"
    assert carte["serie"] == []
    g = fb.graphique_cout(b)
    assert g.masque
    assert "200" not in g.resume and "secret" in g.resume


def test_graphique_annees(b):
    g = fb.graphique_annees(b)
    vote, execute = g.figure.data
    assert list(vote.y) == [20.0, 25.0, 30.0]
    assert list(execute.text) == [f"18,0{NB}M€", f"24,0{NB}M€", ""]
    assert list(g.table.texte["Exécuté"]) == [f"18,0{NB}M€", f"24,0{NB}M€", "exercice en cours"]
    assert list(g.table.texte["Taux d'exécution"]) == [f"90,0{NB}%", f"96,0{NB}%", "–"]
    assert list(g.table.texte["Indice exécuté (2021 = 100)"]) == ["100,0", "133,3", "–"]
    assert g.resume == f"Le budget voté passe de 20,0{NB}M€ à 30,0{NB}M€ entre 2021 et 2023 (+50,0{NB}%)."
    assert not g.masque


def test_graphique_indice(b):
    assert fb.indice_calculable(b)
    g = fb.graphique_indice(b)
    assert list(g.table.columns) == fb.COLONNES_INDICE
    assert list(g.figure.data[0].y) == [100.0, 125.0, 150.0]
    assert g.resume == "L'indice du budget voté (2021 = 100) passe de 100,0 à 150,0 entre 2021 et 2023."


def test_indice_non_calculable_sans_credit_2021(budget_charge, cout):
    budget = fb.jusqua(budget_charge, 2023).assign(indice_vote_2021=NAN, indice_execute_2021=NAN)
    assert not fb.indice_calculable(fb.preparer(budget, cout, 2023, Perimetre()))


def test_table_cout_evolutions(b):
    t = fb.table_cout(b)
    assert list(t.texte["Montant exécuté"]) == [f"18,0{NB}M€", f"24,0{NB}M€", "exercice en cours"]
    assert list(t.texte["File active moyenne"]) == [f"1{NB}500", f"1{NB}600", f"1{NB}800"]
    assert list(t.texte["Évolution de la file active"]) == ["–", f"+6,7{NB}%", f"+12,5{NB}%"]
    assert list(t.texte["Évolution du coût"]) == ["–", f"+25,0{NB}%", "–"]
    # L'export écrit les nombres publiés, pas le texte relu : l'année sans séparateur, l'exécuté en M€, l'exercice
    # en cours tel quel, les évolutions en % à une décimale (1 600 / 1 500 - 1 = 6,67 % → 6,7).
    lignes = list(csv.reader(io.StringIO(exports.ecrire_csv(t).decode("utf-8-sig")), delimiter=";"))
    assert lignes[0][:5] == [
        "Année",
        "Mois observés",
        "Montant exécuté (M€)",
        "File active moyenne",
        "Évolution de la file active (%)",
    ]
    assert [ligne[0] for ligne in lignes[1:]] == ["2021", "2022", "2023"]
    assert [ligne[2] for ligne in lignes[1:]] == ["18", "24", "exercice en cours"]
    assert [ligne[4] for ligne in lignes[1:]] == ["", "6,7", "12,5"]


def test_graphique_lignes_votes_et_executes(b):
    votes = fb.graphique_lignes(b.budget, "Votés")
    assert [t.name for t in votes.figure.data] == ["Formation", "Accompagnement en ALI"]
    assert votes.figure.layout.yaxis.title.text == "Montants votés"
    assert votes.resume == (
        "Montants votés en 2023 par ligne budgétaire : le plus élevé pour Formation "
        f"(22,0{NB}M€), le plus faible pour Accompagnement en ALI (8,0{NB}M€)."
    )
    assert not fb.execution_incomplete(b.budget, "Votés")
    # En exécutés, 2023 (en cours) n'a pas de valeur : le résumé porte sur 2022.
    executes = fb.graphique_lignes(b.budget, "Exécutés")
    assert executes.resume.startswith("Montants exécutés en 2022 par ligne budgétaire : le plus élevé pour Formation")
    assert fb.execution_incomplete(b.budget, "Exécutés")
    assert len(executes.table) == 5  # lignes hors total : 1 + 2 + 2


@pytest.fixture
def par_ali() -> pd.DataFrame:
    return pd.DataFrame(
        [
            _ligne(2022, "total", 2e6, 1.8e6, groupe="ALI01"),
            _ligne(2023, "total", 3e6, 2.7e6, groupe="ALI01"),
            _ligne(2023, "total", 5e6, 4.5e6, groupe="ALI02"),
            _ligne(2023, "total", 4e6, 3.6e6, groupe="ALI03"),
            _ligne(2023, "total", 22e6, NAN, groupe="non_reparti"),
            _ligne(2023, "formation", 22e6, NAN, groupe="non_reparti"),
            _ligne(2024, "total", 9e6, NAN, groupe="ALI01"),
        ]
    )


def test_annees_ali(par_ali):
    totaux = budget_ali.totaux_ali(par_ali, 2023)
    ventilees = budget_ali.ventilees(totaux)
    assert set(ventilees["groupe"]) == {"ALI01", "ALI02", "ALI03"}
    assert budget_ali.annees_ali(ventilees) == ([2023, 2022], 2023)
    # 2023 sans exécuté : l'année proposée par défaut est la dernière exécutée.
    en_cours = ventilees.assign(montant_execute=ventilees["montant_execute"].where(ventilees["annee"] < 2023))
    assert budget_ali.annees_ali(en_cours) == ([2023, 2022], 2022)


def test_graphique_ali_masque_le_cout_sous_le_seuil(par_ali):
    assert SEUIL_SECRET > 5
    ventilees = budget_ali.ventilees(budget_ali.totaux_ali(par_ali, 2023))
    cout_ali = _cout(
        [
            (2023, "ALI01", 12, 2.7e6, 5.0, 540000.0),
            (2023, "ALI02", 12, 4.5e6, 300.0, 15000.0),
            (2023, "ALI03", 12, 3.6e6, 40.0, 90000.0),
            (2022, "ALI01", 12, 1.8e6, 100.0, 18000.0),
        ]
    )
    noms = {"ALI01": "ALI01 · Un", "ALI02": "ALI02 · Deux", "ALI03": "ALI03 · Trois"}
    g = budget_ali.graphique_ali(ventilees, cout_ali, 2023, noms)
    assert g.masque
    # Tableau du plus gros crédit voté au plus petit, comme le graphique se lit de haut en bas.
    assert list(g.table.texte["ALI"]) == ["ALI02 · Deux", "ALI03 · Trois", "ALI01 · Un"]
    assert list(g.table.texte["Voté"]) == [f"5,00{NB}M€", f"4,00{NB}M€", f"3,00{NB}M€"]
    # ALI01 (5 personnes) est sous le seuil ; ALI03, la plus petite file active restante, est masquée en second
    # pour que le total des ALI moins les autres ne redonne pas ALI01.
    assert list(g.table.texte["File active moyenne"]) == ["300", "secret", "secret"]
    assert list(g.table.texte["Coût par personne suivie"]) == [f"15{NB}000{NB}€", "secret", "secret"]
    # Les valeurs que lisent les exports ne gardent pas non plus les cases masquées.
    assert list(g.table.valeurs["File active moyenne"]) == [300.0, "secret", "secret"]
    assert list(g.table.valeurs["Voté"]) == [5e6, 4e6, 3e6]
    assert "540" not in g.resume and "90" not in g.resume
    assert g.resume.startswith(
        f"Crédits votés en 2023 : le plus élevé pour ALI02 · Deux (5,00{NB}M€), le plus faible pour ALI01 · Un"
    )
    assert fb.LEGENDE_ALI.endswith(f"moins de {SEUIL_SECRET} personnes.")


def test_texte_non_reparti(par_ali):
    totaux = budget_ali.totaux_ali(par_ali, 2023)
    assert budget_ali.texte_non_reparti(totaux, 2023) == (
        f"Hors graphique : 22,0{NB}M€ de crédits départementaux votés en 2023 ne sont pas ventilés par ALI."
    )
    assert budget_ali.texte_non_reparti(totaux, 2022) is None
