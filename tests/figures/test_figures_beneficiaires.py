"""insertion.figures.beneficiaires sur de petits tableaux écrits à la main (seuil du secret : 11, donc un effectif
de 1 à 10 est masqué sous le département, et une case de plus dans sa ventilation pour qu'on ne le retrouve pas
par différence)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd

from insertion.figures import beneficiaires as fb
from insertion.indicators import libelles
from insertion.outputs import exports
from insertion.store.requetes import Perimetre

NBSP = "\u202f"
AU_D = "29 février 2024"
JANVIER, FEVRIER = date(2024, 1, 31), date(2024, 2, 29)
NOMS = libelles.ali()


def serie_mensuelle() -> pd.DataFrame:
    # Janvier : 30, 20, 40 (rien de masqué). Février : ALI14 vaut 5 (masqué) ; la plus petite autre case du
    # mois, ALI04 (25), l'est aussi ; reste ALI08 (50).
    return pd.DataFrame(
        {
            "mois": [JANVIER] * 3 + [FEVRIER] * 3,
            "groupe": ["ALI04", "ALI08", "ALI14"] * 2,
            "file_active": [30, 20, 40, 25, 50, 5],
        }
    )


def test_file_active_par_ali_rangee_au_dernier_mois_et_masquee():
    vue = fb.file_active_territoires(serie_mensuelle(), "ali", "courbes", AU_D)
    # ALI08 en tête (seule valeur diffusée en février), puis les masquées par code.
    assert [t.name for t in vue.figure.data] == [NOMS["ALI08"], NOMS["ALI04"], NOMS["ALI14"]]
    assert all(t.stackgroup is None for t in vue.figure.data)
    assert list(vue.figure.data[0].y) == [20, 50]
    assert vue.masque
    assert list(vue.table.columns) == ["Mois", NOMS["ALI08"], NOMS["ALI04"], NOMS["ALI14"]]
    assert list(vue.table.texte["Mois"]) == ["janvier 2024", "février 2024"]
    assert list(vue.table.texte.iloc[1, 1:]) == ["50", "secret", "secret"]
    assert list(vue.table.texte.iloc[0, 1:]) == ["20", "30", "40"]
    # L'export porte les mois en dates et les effectifs en nombres ; une case masquée n'y porte que « secret ».
    lignes = list(csv.reader(io.StringIO(exports.ecrire_csv(vue.table).decode("utf-8-sig")), delimiter=";"))
    assert lignes[1:] == [["2024-01", "20", "30", "40"], ["2024-02", "50", "secret", "secret"]]
    assert vue.figure.layout.legend.title.text == "ALI"
    assert "50" in vue.resume and "5 " not in vue.resume


def test_file_active_en_aires_empilees():
    vue = fb.file_active_territoires(serie_mensuelle(), "ali", "aires", AU_D)
    assert {t.stackgroup for t in vue.figure.data} == {"file_active"}
    assert vue.figure.layout.height == 560


def es() -> pd.DataFrame:
    return pd.DataFrame({"mois": [JANVIER, FEVRIER], "entrees": [12, 3], "sorties": [1200, 15]})


def test_entrees_sorties_au_departement_sans_filtre_rien_de_masque():
    vue = fb.entrees_sorties(es(), Perimetre(), f"du 1er janvier 2024 au {AU_D}")
    assert not vue.masque
    assert list(vue.table.columns) == ["Mois", "Entrées (orientations)", "Sorties"]
    assert vue.table.texte.values.tolist() == [["janvier 2024", "12", f"1{NBSP}200"], ["février 2024", "3", "15"]]
    assert [t.name for t in vue.figure.data] == ["Entrées", "Sorties"]
    assert (
        vue.legende == f"Période du 1er janvier 2024 au {AU_D} ; le premier et le dernier mois peuvent être partiels."
    )
    # 12 + 3 = 15 entrées, 1 200 + 15 = 1 215 sorties.
    assert "15" in vue.resume and f"1{NBSP}215" in vue.resume


def test_entrees_sorties_d_une_ali_masquent_les_petits_effectifs():
    vue = fb.entrees_sorties(es(), Perimetre(alis=("ALI04",)), "du 1er janvier 2024 au 29 février 2024")
    assert vue.masque
    assert vue.table.texte["Entrées (orientations)"].tolist() == ["12", "secret"]


def test_classement_range_les_diffusees_puis_les_masquees_sans_rang():
    # File active : ALI14 vaut 5 (masqué), la plus petite autre ALI10 (12) l'est aussi ; ALI08 50, ALI04 30.
    classement = pd.DataFrame(
        {
            "code_ali": ["ALI04", "ALI08", "ALI10", "ALI14"],
            "libelle": [NOMS[c] for c in ("ALI04", "ALI08", "ALI10", "ALI14")],
            "file_active": [30.0, 50.0, 12.0, 5.0],
            "entrees": [20.0, 30.0, 40.0, 11.0],
            "sorties": [15.0, 25.0, 35.0, 45.0],
        }
    )
    vue = fb.classement(classement, AU_D)
    assert vue.table.texte["Rang"].tolist() == ["1", "2", "–", "–"]
    lignes = list(csv.reader(io.StringIO(exports.ecrire_csv(vue.table).decode("utf-8-sig")), delimiter=";"))
    assert [ligne[0] for ligne in lignes] == ["Rang", "1", "2", "", ""]
    assert vue.table.texte["ALI"].tolist() == [NOMS[c] for c in ("ALI08", "ALI04", "ALI10", "ALI14")]
    assert vue.table.texte[f"Personnes suivies au {AU_D}"].tolist() == ["50", "30", "secret", "secret"]
    barre = vue.figure.data[0]
    assert list(barre.x) == [50, 30, 0, 0]
    assert list(barre.text) == ["50", "30", "secret", "secret"]
    assert list(vue.figure.layout.xaxis.range) == [0, 50 * 1.12 + 15]
    assert vue.figure.layout.height == 260  # max(260, 4 × 30 + 120)
    assert vue.masque
    assert fb.hauteur_tableau(vue.table) == 4 * 35 + 38


def test_profil_en_parts_au_departement():
    brute = pd.DataFrame({"modalite": ["F", "M"], "file_active": [30, 70], "total": [100, 100]})
    vue = fb.profil(brute, "sexe", Perimetre(), AU_D)
    assert vue.table.texte.values.tolist() == [["Femmes", "30", f"30,0{NBSP}%"], ["Hommes", "70", f"70,0{NBSP}%"]]
    assert list(vue.table.columns) == ["Sexe", "Personnes suivies", "Part"]
    assert list(vue.figure.data[0].text) == [f"30,0{NBSP}% (30)", f"70,0{NBSP}% (70)"]
    assert vue.figure.layout.xaxis.range == (0, 0.7 * 1.25 + 0.05)
    assert vue.legende == f"Sur 100 personnes suivies au {AU_D}, chacune comptée une fois."
    assert not vue.masque


def test_profil_d_une_ali_masque_la_petite_modalite_et_sa_part():
    # 5 femmes : masquées, et leur complément (95 hommes) aussi, sinon 100 − 95 les redonnerait.
    brute = pd.DataFrame({"modalite": ["F", "M"], "file_active": [5, 95], "total": [100, 100]})
    vue = fb.profil(brute, "sexe", Perimetre(alis=("ALI04",)), AU_D)
    assert vue.masque
    assert vue.table.texte["Personnes suivies"].tolist() == ["secret", "secret"]
    assert vue.table.texte["Part"].tolist() == ["secret", "secret"]
    assert list(vue.figure.data[0].text) == ["secret", "secret"]


def test_profil_vide_quand_personne_n_est_suivi():
    brute = pd.DataFrame({"modalite": [], "file_active": [], "total": []})
    assert fb.profil(brute, "sexe", Perimetre(), AU_D) is None
