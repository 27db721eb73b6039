"""insertion.figures.comparer sur trois ALI écrites à la main, lues par une fausse fonction de requête.

File active : ALI04 30, ALI08 50, ALI14 12 (médiane 30, quartiles 21 et 40 par interpolation linéaire) ;
entrées 20, 40, 11 ; sorties 11, 20, 30 ; aucun diagnostic ni sortie en emploi (taux non calculables) ; coût par
personne 2023 : 900, 1 100, 1 200 € (médiane 1 100 €), 2024 pas encore exécuté au département, donc 2023 comparé."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from insertion import indicators
from insertion.figures import carte_territoires, territoires
from insertion.figures import comparer as fc
from insertion.indicators import libelles
from insertion.store.requetes import Perimetre, Periode

NBSP = "\u202f"
DEP = indicators.DEPARTEMENT
ALIS = ["ALI04", "ALI08", "ALI14"]
PERIODE = Periode(as_of=date(2024, 12, 31), debut=date(2024, 1, 1), fin=date(2024, 12, 31))


class FausseRequete:
    """Rend des résultats publiés écrits à la main et garde les appels pour vérifier les paramètres."""

    def __init__(self):
        self.appels = []

    def __call__(self, nom, *, periode, perimetre, groupe, **params):
        self.appels.append((nom, periode, perimetre, groupe, params))
        ali = groupe == "ali"
        g = ALIS if ali else [DEP]
        if nom == "file_active":
            return pd.DataFrame({"groupe": g, "file_active": [30, 50, 12] if ali else [92]})
        if nom == "entrees_sorties":
            return pd.DataFrame(
                {"groupe": g, "entrees": [20, 40, 11] if ali else [71], "sorties": [11, 20, 30] if ali else [61]}
            )
        if nom == "taux_diagnostic":
            return pd.DataFrame(columns=["groupe", "taux_90j", "denominateur"])
        if nom == "taux_sortie_emploi":
            return pd.DataFrame(columns=["groupe", "taux_sortie_emploi", "taux_emploi_durable", "denominateur"])
        assert nom == "cout_par_personne"
        if ali:
            return pd.DataFrame(
                {
                    "annee": [2023] * 3 + [2024] * 3,
                    "groupe": ALIS * 2,
                    "cout_par_personne": [900.0, 1100.0, 1200.0, 1.0, 1.0, 1.0],
                    "file_active_moyenne": [30.0, 50.0, 12.0] * 2,
                    "montant_execute": [27000.0, 55000.0, 14400.0, 1.0, 1.0, 1.0],
                }
            )
        return pd.DataFrame(
            {
                "annee": [2023, 2024],
                "groupe": [DEP] * 2,
                "cout_par_personne": [1046.0, None],
                "file_active_moyenne": [92.0, 92.0],
                "montant_execute": [96232.0, None],
            }
        )


@pytest.fixture
def comp():
    return fc.comparer(FausseRequete(), PERIODE, Perimetre(), ALIS, "ALI08")


def test_seuls_les_filtres_de_population_s_appliquent():
    f = Perimetre(alis=("ALI04",), epts=("T1",), ages=("moins_25",))
    assert fc.population(f) == Perimetre(ages=("moins_25",))
    assert fc.avec_population(fc.population(f))
    assert not fc.avec_population(fc.population(Perimetre(alis=("ALI04",))))


def test_le_cout_porte_sur_toutes_les_personnes_et_la_derniere_annee_executee():
    requete = FausseRequete()
    comp = fc.comparer(requete, PERIODE, Perimetre(sexes=("F",)), ALIS, "ALI08")
    assert comp.annee_cout == 2023
    couts = [a for a in requete.appels if a[0] == "cout_par_personne"]
    assert {(a[1], a[2]) for a in couts} == {(Periode(as_of=PERIODE.as_of), Perimetre())}
    autres = [a for a in requete.appels if a[0] != "cout_par_personne"]
    assert {(a[1], a[2]) for a in autres} == {(PERIODE, Perimetre(sexes=("F",)))}
    # 2024 (1 € de test) n'entre pas : la médiane est celle de 2023.
    assert comp.valeurs.set_index("cle").at["cout_par_personne", "mediane"] == 1100.0


def test_cartes_face_a_la_mediane(comp):
    cartes = {c.label: c for c in fc.cartes(comp)}
    assert len(cartes) == len(territoires.INDICATEURS)
    fa = cartes["File active"]
    # 50 face à la médiane 30 : + 66,7 %.
    assert (fa.valeur, fa.evolution, fa.sens) == ("50", f"+66,7{NBSP}% vs médiane", "off")
    assert fa.aide == (
        "File active à la date d'observation. Médiane des 3 ALI : 30 (quartiles 21 – 40) ; "
        "Seine-Saint-Denis : 92 ; rang : 1 sur 3."
    )
    cout = cartes["Coût par personne (2023)"]
    assert (cout.valeur, cout.evolution, cout.sens) == (f"1{NBSP}100{NBSP}€", f"+0,0{NBSP}% vs médiane", "inverse")
    # Aucun taux calculable : ni valeur ni écart.
    assert cartes["Diag. numérique 90 j"].evolution is None
    assert not comp.masque


def test_tableau_et_resume(comp):
    table = comp.table()
    assert table["Indicateur"].iloc[-1] == "Coût par personne suivie (2023)"
    assert table["ALI choisie"].iloc[0] == "50"
    resume = fc.resume_positions(comp, libelles.ali()["ALI08"])
    assert "au-dessus pour file active à la date d'observation et entrées sur la période" in resume
    assert "à égalité pour sorties sur la période et coût par personne suivie (2023)" in resume


def test_legendes():
    assert fc.legende_choix(3, False).startswith("Comparaison des 3 ALI ayant des orientations")
    assert "pour le public retenu" in fc.legende_choix(3, True)
    assert fc.legende_ecarts(False).endswith("de l'année.")
    assert fc.legende_ecarts(True).endswith("quels que soient les filtres de population.")


def test_carte_en_tuiles_sans_fichier_de_contours(comp, monkeypatch):
    monkeypatch.setattr(carte_territoires, "fichier_geojson", lambda: None)
    noms = libelles.ali()
    vue = fc.carte(comp, "file_active", ALIS, noms)
    assert vue.messages[0] == ("caption", fc.LEGENDE_TUILES)
    assert vue.titre == "File active à la date d'observation"
    assert list(vue.table.columns) == ["ALI", "Communes", vue.titre]
    valeurs = dict(zip(vue.table.texte["ALI"], vue.table.texte[vue.titre], strict=True))
    assert (valeurs[noms["ALI04"]], valeurs[noms["ALI08"]], valeurs[noms["ALI14"]]) == ("30", "50", "12")
    assert not vue.masque
    assert noms["ALI08"] in vue.resume


def test_un_fichier_de_contours_illisible_laisse_les_tuiles(comp, monkeypatch, tmp_path):
    casse = tmp_path / "communes.geojson"
    casse.write_text('{"type": "Point"}', encoding="utf-8")
    monkeypatch.setattr(carte_territoires, "fichier_geojson", lambda: casse)
    vue = fc.carte(comp, "cout_par_personne", ALIS, libelles.ali())
    assert vue.messages[0][0] == "warning" and "communes.geojson inutilisable" in vue.messages[0][1]
    assert vue.messages[1] == ("caption", fc.LEGENDE_TUILES)
    assert vue.titre == "Coût par personne suivie (2023)"


def test_le_tableau_de_la_carte_exporte_le_cout_en_euros(comp, monkeypatch):
    import io

    from openpyxl import load_workbook

    from insertion.outputs import exports

    monkeypatch.setattr(carte_territoires, "fichier_geojson", lambda: None)
    noms = libelles.ali()
    vue = fc.carte(comp, "cout_par_personne", ALIS, noms)
    texte = vue.table.texte.set_index("ALI")
    # Coût 2023 : ALI04 900 €, ALI08 1 100 €, ALI14 1 200 € ; une ALI absente de la comparaison : « pas de données ».
    assert texte.at[noms["ALI08"], vue.titre] == f"1{NBSP}100{NBSP}€"
    assert texte.at[noms["ALI01"], vue.titre] == "pas de données"
    classeur = exports.ecrire_classeur(
        vue.table, titre="Carte", definitions=[], filtres=[], date_donnees=date(2024, 12, 31)
    )
    lignes = [list(r) for r in load_workbook(io.BytesIO(classeur))["Données"].iter_rows(values_only=True)]
    assert lignes[0] == ["ALI", "Communes", "Coût par personne suivie (2023) (€)"]
    valeurs = {ligne[0]: ligne[2] for ligne in lignes[1:]}
    assert (valeurs[noms["ALI04"]], valeurs[noms["ALI08"]], valeurs[noms["ALI14"]]) == (900, 1100, 1200)
    assert valeurs[noms["ALI01"]] == "pas de données"
