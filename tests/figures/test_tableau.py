"""Un tableau de vue porte ses nombres : l'écran se déduit des valeurs, les exports écrivent les valeurs."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from insertion import formats
from insertion.figures import tableau as tb
from insertion.figures.tableau import Tableau
from insertion.outputs import exports
from insertion.protect import secret

NB = "\u202f"


def _lire_csv(octets: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(octets.decode("utf-8-sig")), delimiter=";"))


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(min_value=0, max_value=3))
def test_the_exported_number_is_the_displayed_one(valeur, chiffres):
    """L'arrondi des exports est celui de babel à l'écran (au pair le plus proche sur l'écriture décimale) :
    relire le texte affiché donnerait le même nombre, à toute valeur et toute précision."""
    affiche = formats.decimal(valeur, chiffres).replace(NB, "").replace("\u2212", "-").replace(",", ".")
    assert formats.arrondi_affiche(valeur, chiffres) == float(affiche)


def test_each_nature_writes_the_screen_and_the_export_in_the_header_unit():
    t = Tableau(
        pd.DataFrame(
            {
                "ALI": ["ALI14 · Clichy", "ALI04 · La Courneuve"],
                "Année": [2023, 2024],
                "File active": [12600, secret.LIBELLE_MASQUE],
                "Taux": [0.385, None],
                "Crédits": [1.25e6, 46e6],
                "Coût": [1759.4, 880.0],
                "Délai": [33.0, 12.5],
                "Mois": [pd.Timestamp("2023-06-01"), pd.Timestamp("2024-01-31")],
            },
            dtype=object,
        ),
        {
            "Année": tb.annee(),
            "File active": tb.entier(),
            "Taux": tb.pourcentage(),
            "Crédits": tb.millions_euros(),
            "Coût": tb.euros(),
            "Délai": tb.jours(),
            "Mois": tb.mois(),
        },
    )
    assert t.texte.iloc[0].tolist() == [
        "ALI14 · Clichy",
        "2023",
        f"12{NB}600",
        f"38,5{NB}%",
        f"1,2{NB}M€",
        f"1{NB}759{NB}€",
        "33 jours",
        "juin 2023",
    ]
    assert t.texte.iloc[1].tolist()[2:4] == ["secret", "–"]
    lignes = _lire_csv(exports.ecrire_csv(t))
    assert lignes[0] == ["ALI", "Année", "File active", "Taux (%)", "Crédits (M€)", "Coût (€)", "Délai (jours)", "Mois"]
    # 1,25 M€ s'affiche « 1,2 M€ » (arrondi au pair) : l'export porte la valeur montrée.
    assert lignes[1] == ["ALI14 · Clichy", "2023", "12600", "38,5", "1,2", "1759", "33", "2023-06"]
    assert lignes[2] == ["ALI04 · La Courneuve", "2024", "secret", "", "46", "880", "12,5", "2024-01"]

    classeur = openpyxl.load_workbook(
        io.BytesIO(
            exports.ecrire_classeur(t, titre="Essai", definitions=[], filtres=[], date_donnees=date(2024, 6, 30))
        )
    )
    feuille = classeur["Données"]
    annee, fa, taux, mois = feuille["B2"], feuille["C2"], feuille["D2"], feuille["H2"]
    assert (annee.value, annee.number_format) == (2023, "0")  # jamais « 2 023 »
    assert (fa.value, fa.number_format) == (12600, "#,##0")
    assert (taux.value, taux.number_format) == (38.5, "0.0")
    assert mois.value == datetime(2023, 6, 1) and "mmmm" in mois.number_format
    assert feuille["C3"].value == "secret" and feuille["D3"].value is None


def test_text_that_looks_like_a_number_stays_text():
    """Aucun texte n'est relu : un libellé « 2 210 » ou « 67,9 % » dans une colonne de texte reste du texte."""
    t = Tableau(pd.DataFrame({"Libellé": [f"2{NB}210", f"67,9{NB}%"], "N": [1, 2]}, dtype=object), {"N": tb.entier()})
    classeur = openpyxl.load_workbook(
        io.BytesIO(
            exports.ecrire_classeur(t, titre="Essai", definitions=[], filtres=[], date_donnees=date(2024, 6, 30))
        )
    )
    feuille = classeur["Données"]
    assert [feuille["A2"].value, feuille["A3"].value] == [f"2{NB}210", f"67,9{NB}%"]
    assert [feuille["B2"].value, feuille["B3"].value] == [1, 2]


def test_a_protected_result_never_carries_a_masked_value():
    brut = pd.DataFrame({"groupe": ["ALI01", "ALI02", "ALI03"], "n": [40, 4, 30], "d": [100, 10, 60]})
    brut["t"] = brut["n"] / brut["d"]
    prot = secret.proteger(brut, effectifs=["n"], taux={"t": "d"}, ventilation=[], departement=False)
    t = tb.depuis_protege(
        prot, {"n": ("Personnes", tb.entier()), "t": ("Part", tb.pourcentage())}, avant={"ALI": brut["groupe"]}
    )
    assert t.texte["Personnes"].tolist()[1] == "secret"
    # Ni l'écran ni les valeurs exportées ne gardent les 4 personnes d'ALI02, ni ce qui les redonnerait.
    for colonne in ("Personnes", "Part"):
        masquees = [v for v, texte in zip(t.valeurs[colonne], t.texte[colonne], strict=True) if texte == "secret"]
        assert masquees and all(v == "secret" for v in masquees)
    assert "4" not in [ligne[1] for ligne in _lire_csv(exports.ecrire_csv(t))[1:]]


def test_columns_rename_select_and_stack_keep_their_nature():
    a = Tableau(pd.DataFrame({"x": [0.5], "y": ["a"]}, dtype=object), {"x": tb.pourcentage()})
    b = a.renommer({"x": "Part"}).colonnes(["y", "Part"])
    assert b.texte.iloc[0].tolist() == ["a", f"50,0{NB}%"]
    pile = Tableau.empiler([b, b])
    assert len(pile) == 2 and pile.texte["Part"].tolist() == [f"50,0{NB}%"] * 2


def test_a_quarter_reads_T1_on_screen_and_sorts_as_2024_T1_in_exports():
    t = Tableau(pd.DataFrame({"Cohorte": [pd.Timestamp("2024-02-01"), date(2023, 10, 1)]}, dtype=object),
                {"Cohorte": tb.trimestre()})  # fmt: skip
    assert t.texte["Cohorte"].tolist() == ["T1 2024", "T4 2023"]
    assert [ligne[0] for ligne in _lire_csv(exports.ecrire_csv(t))] == ["Cohorte", "2024-T1", "2023-T4"]
