"""insertion.figures.moyens, ce que la page Moyens pose, sans Streamlit ni base, sur de petits tableaux publiés dont
les chiffres se calculent à la main :

Département, mois déclarés (dans le désordre) : juin 2023 (3 ALI, 8,5 ETP, 65 places, 35 personnes suivies), mai 2023
et juin 2022 (4 ETP, 50 places). Dernier mois : juin 2023 ; sur un an : 8,5 / 4 − 1 = +112,5 % de référents,
65 / 50 − 1 = +30,0 % de places ; 35 / 8,5 = 4,1 personnes par référent ; 35 / 65 = 53,8 % d'occupation ;
progression : (8,5 − 170) / (340 − 170) = −95,0 % et (65 − 6 300) / (12 600 − 6 300) = −99,0 %.
Par ALI : ALI01 déclare mai puis juin (juin retenu : 10 personnes pour 2 ETP → 5,0), ALI02 juin avec une file
active masquée (« secret »).
"""

from __future__ import annotations

import csv
import io
import math
from datetime import date

import pandas as pd

from insertion.figures import moyens as fm
from insertion.outputs import exports

NB = "\u202f"
NAN = math.nan


def mensuels() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "mois": pd.to_datetime(["2023-06-01", "2022-06-01", "2023-05-01"]),
            "alis_declarees": [3, 2, 3],
            "referents_etp": [8.5, 4.0, 8.0],
            "places": [65.0, 50.0, 60.0],
            "file_active": [35.0, 20.0, 30.0],
            "personnes_par_referent": [35 / 8.5, 5.0, 30 / 8],
            "taux_occupation": [35 / 65, 0.4, 0.5],
            "cip_ecole": [1, 0, 1],
        }
    )


def test_la_serie_est_remise_dans_l_ordre_des_mois_et_la_legende_dit_le_dernier():
    m = fm.par_mois(mensuels())
    assert list(m["referents_etp"]) == [4.0, 8.0, 8.5]
    assert fm.legende_dernier_mois(m) == "Chiffres du dernier mois déclaré : juin 2023 (3 ALI)."


def test_les_six_cartes_du_dernier_mois():
    cartes = fm.chiffres_cles(fm.par_mois(mensuels()), selection=False)
    valeurs = {c["label"]: c["valeur"] for c in cartes}
    assert valeurs == {
        "Référents (ETP)": "8,5",
        "Places": "65",
        "Personnes par référent": "4,1",
        "Taux d'occupation": f"53,8{NB}%",
        "Cible référents 2026": f"-95,0{NB}%",
        "Cible places 2026": f"-99,0{NB}%",
    }
    assert cartes[0]["evolution"] == f"+112,5{NB}%" and cartes[1]["evolution"] == f"+30,0{NB}%"
    assert cartes[0]["serie"] == [4.0, 8.0, 8.5]
    assert [c.get("sens") for c in cartes[2:4]] == ["off", "off"]


def test_une_selection_d_ali_n_a_pas_de_cible_et_sans_mois_il_y_a_un_an_pas_d_evolution():
    m = fm.par_mois(mensuels()[lambda d: d["mois"].dt.year == 2023])
    cartes = fm.chiffres_cles(m, selection=True)
    assert [c["valeur"] for c in cartes[4:]] == ["–", "–"]
    assert cartes[4]["aide"].endswith("Cible départementale : sans objet pour une sélection d'ALI.")
    assert cartes[0]["evolution"] is None


def test_une_file_active_masquee_rend_ses_rapports_secrets_et_la_page_le_signale():
    m = fm.par_mois(mensuels().assign(file_active=[NAN, 20.0, 30.0]))
    valeurs = {c["label"]: c["valeur"] for c in fm.chiffres_cles(m, selection=False)}
    assert valeurs["Personnes par référent"] == "secret" and valeurs["Taux d'occupation"] == "secret"
    assert fm.secret_dernier_mois(m)
    assert not fm.secret_dernier_mois(fm.par_mois(mensuels()))


def test_le_tableau_des_cibles_n_a_la_progression_que_pour_le_departement():
    m = fm.par_mois(mensuels())
    assert "Progression vers 340 référents" in fm.graphique_cibles(m, selection=False).table.columns
    assert "Progression vers 340 référents" not in fm.graphique_cibles(m, selection=True).table.columns


def test_par_ali_le_dernier_mois_de_chaque_ali():
    par_ali = pd.DataFrame(
        {
            "groupe": ["ALI01", "ALI02", "ALI01"],
            "mois": pd.to_datetime(["2023-06-01", "2023-06-01", "2023-05-01"]),
            "referents_etp": [2.0, 1.0, 2.0],
            "places": [20.0, 10.0, 20.0],
            "file_active": [10.0, NAN, 8.0],
            "personnes_par_referent": [5.0, NAN, 4.0],
            "taux_occupation": [0.5, NAN, 0.4],
        }
    )
    assert list(fm.derniers_par_ali(par_ali)["groupe"]) == ["ALI02", "ALI01"]  # barres : ALI01 en haut
    g = fm.graphique_par_ali(par_ali, {"ALI01": "ALI01 · Aubervilliers"})
    assert g.table.texte.to_dict("list")["ALI"] == ["ALI01 · Aubervilliers", "ALI02"]
    assert g.table.texte["Personnes par référent"].tolist() == ["5,0", "secret"]
    assert g.masque


def test_l_export_des_cibles_ecrit_des_mois_et_des_parts_arrondies_comme_a_l_ecran():
    from openpyxl import load_workbook

    t = fm.table_cibles(fm.par_mois(mensuels()))
    assert t.texte["Mois"].tolist() == ["juin 2022", "mai 2023", "juin 2023"]
    assert t.texte["Progression vers 340 référents"].tolist()[-1] == f"-95,0{NB}%"
    classeur = exports.ecrire_classeur(t, titre="Moyens", definitions=[], filtres=[], date_donnees=date(2023, 6, 30))
    feuille = load_workbook(io.BytesIO(classeur))["Données"]
    lignes = [list(r) for r in feuille.iter_rows(values_only=True)]
    assert lignes[0] == [
        "Mois",
        "ALI déclarantes",
        "Référents (ETP)",
        "Progression vers 340 référents (%)",
        "Places",
        "Progression vers 12 600 places (%)",
        "Référents formés par l'École des CIP",
    ]
    # Juin 2023 : (8,5 − 170) / (340 − 170) = −95,0 % ; (65 − 6 300) / (12 600 − 6 300) = −98,97 %, écrit −99,0 %
    # à l'écran : l'export écrit −99, pas −98,968…
    mois, alis, referents, vers_referents, places, vers_places, cip = lignes[3]
    assert (mois.date(), alis, referents, vers_referents, places, vers_places, cip) == (
        date(2023, 6, 1), 3, 8.5, -95.0, 65, -99.0, 1
    )  # fmt: skip
    assert feuille["A2"].number_format == "[$-40C]mmmm yyyy"


def test_l_export_par_ali_garde_secret_en_texte():
    par_ali = pd.DataFrame(
        {
            "groupe": ["ALI01", "ALI02"],
            "mois": pd.to_datetime(["2023-06-01", "2023-06-01"]),
            "referents_etp": [3.0, 1.0],
            "places": [20.0, 10.0],
            "file_active": [10.0, NAN],
            "personnes_par_referent": [10 / 3, NAN],
            "taux_occupation": [0.5, NAN],
        }
    )
    t = fm.graphique_par_ali(par_ali, {}).table
    assert t.valeurs["Personnes suivies"].tolist() == [10.0, "secret"]
    lignes = list(csv.reader(io.StringIO(exports.ecrire_csv(t).decode("utf-8-sig")), delimiter=";"))
    assert lignes[0][-3:] == ["Personnes suivies", "Personnes par référent", "Taux d'occupation (%)"]
    # 10 / 3 = 3,33… s'écrit 3,3 comme à l'écran ; 10 / 20 = 50 %.
    assert lignes[1] == ["ALI01", "2023-06", "3", "20", "10", "3,3", "50"]
    assert lignes[2] == ["ALI02", "2023-06", "1", "10", "secret", "secret", "secret"]


def test_le_cout_par_place_ne_garde_que_les_annees_declarees():
    cout = pd.DataFrame(
        {
            "annee": [2022, 2023],
            "montant_execute": [1_200_000.0, NAN],
            "mois_declares": [12, 0],
            "places_moyennes": [60.0, NAN],
            "cout_par_place": [20_000.0, NAN],
        }
    )
    gardees = fm.cout_declare(cout)
    assert list(gardees["annee"]) == [2022]
    assert fm.graphique_cout(gardees).table.texte["Coût par place"].tolist() == [f"20{NB}000{NB}€"]
    # L'export : l'année sans séparateur, le montant en M€ (1,2), le coût en euros ; l'exercice en cours reste écrit.
    lignes = list(csv.reader(io.StringIO(exports.ecrire_csv(fm.table_cout(cout)).decode("utf-8-sig")), delimiter=";"))
    assert lignes[0] == ["Année", "Montant exécuté (M€)", "Mois déclarés", "Places moyennes", "Coût par place (€)"]
    assert lignes[1:] == [["2022", "1,2", "12", "60", "20000"], ["2023", "exercice en cours", "0", "", ""]]
    assert fm.note_cout(True).endswith("Crédits ventilés aux ALI retenues seulement.")
    assert fm.note_cout(False).endswith("Tous les crédits de l'insertion, ventilés par ALI ou non.")


def test_la_note_nomme_les_filtres_sans_effet():
    assert "Filtres sans effet" not in fm.notes([])
    assert fm.notes(["sexe", "âge"]).endswith("Filtres sans effet sur cette vue : sexe, âge.")
