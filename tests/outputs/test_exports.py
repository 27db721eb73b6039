"""Exports CSV et Excel rouverts : mêmes valeurs qu'à l'écran, secret compris, formules inertes."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest

from insertion import formats
from insertion.indicators.definitions import DEFINITIONS
from insertion.outputs import exports
from insertion.protect import secret


@pytest.fixture
def shown() -> pd.DataFrame:
    """Un tableau comme l'écran le montre : quatre ALI, une case à 4 personnes, un libellé piégé."""
    raw = pd.DataFrame(
        {
            "ALI": ["ALI14 · Clichy", "ALI04 · La Courneuve", '=HYPERLINK("http://x";"clic")', "@SUM(A1)"],
            "file_active": [12600, 4, 389, 250],
            "taux": [0.385, 0.5, 0.2, None],
            "denominateur": [1000, 4, 60, 0],  # 20 % de 60 : 12 et 48, diffusable
            "budget": [46e6, 1.25e6, 0.0, 3e6],
        }
    )
    protege = secret.proteger(raw, effectifs=["file_active"], taux={"taux": "denominateur"})
    table = protege.affichage(
        {"file_active": formats.entier, "taux": formats.pourcentage, "budget": formats.millions_euros}
    )
    return table.drop(columns="denominateur").rename(
        columns={"file_active": "File active", "taux": "Taux", "budget": "Budget"}
    )


def test_screen_table_is_what_we_expect(shown):
    assert list(shown["File active"]) == ["12\u202f600", "secret", "389", "250"]
    assert list(shown["Taux"]) == ["38,5\u202f%", "secret", "20,0\u202f%", "–"]


def test_csv_reads_back_with_semicolon_and_decimal_comma(shown):
    data = exports.ecrire_csv(shown)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM : Excel ouvre l'UTF-8 sans se tromper
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["ALI", "File active", "Taux (%)", "Budget (M€)"]
    assert rows[1] == ["ALI14 · Clichy", "12600", "38,5", "46"]
    # La case à 4 personnes reste masquée ; le taux sur 4 personnes n'est pas diffusé.
    assert rows[2][1:3] == ["secret", "secret"]
    # Le budget de 1,25 M€ s'affiche « 1,2 M€ » (arrondi à l'écran) : le CSV donne la valeur montrée.
    assert rows[2][3] == "1,2"
    values = [float(r[2].replace(",", ".")) for r in rows[1:] if r[2] not in ("secret", "")]
    assert values == [38.5, 20.0]
    assert rows[3][0] == "'" + '=HYPERLINK("http://x";"clic")' and rows[4][0] == "'@SUM(A1)"


def test_xlsx_has_numbers_definitions_and_inert_formulas(shown):
    data = exports.ecrire_classeur(
        shown,
        titre="Comparer les territoires — Seine-Saint-Denis",
        definitions=[DEFINITIONS["file_active"], DEFINITIONS["diag_numerique"]],
        filtres=[("ALI", "ALI14 · Clichy"), ("Note", "=1+1")],
        date_donnees=date(2026, 10, 31),
    )
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Données", "Définitions"]
    sheet = workbook["Données"]
    assert sheet.freeze_panes == "A2"
    # Comme le CSV : l'unité dans l'en-tête, le nombre dans cette unité (38,5 sous « Taux (%) »).
    assert [c.value for c in sheet[1]] == ["ALI", "File active", "Taux (%)", "Budget (M€)"]
    assert [c.value for c in sheet[2]] == ["ALI14 · Clichy", 12600, 38.5, 46.0]
    assert sheet["B2"].data_type == "n" and sheet["B2"].number_format == "#,##0"
    assert sheet["C2"].data_type == "n" and sheet["C2"].number_format == "0.0"
    assert sheet["B3"].value == "secret" and sheet["C3"].value == "secret"
    for cell in (sheet["A4"], sheet["A5"]):
        assert cell.data_type == "s" and cell.value.startswith("'")  # texte, jamais une formule
    assert sheet.column_dimensions["A"].width >= len("ALI04 · La Courneuve")
    notes = [" ".join(str(v) for v in row if v) for row in workbook["Définitions"].iter_rows(values_only=True)]
    text = "\n".join(notes)
    assert "Données au 31 octobre 2026" in text
    assert "ALI ALI14 · Clichy" in text and "'=1+1" in text
    assert DEFINITIONS["diag_numerique"].definition in text
    # Ce que le catalogue déclare de chaque requête : titre, unité, sens favorable.
    assert "queries/taux_diagnostic_90j.sql (Diagnostic à 90 jours ; unité : part ; une hausse est un progrès)" in text
    assert "queries/file_active.sql (File active ; unité : personnes ; ni progrès ni recul" in text
    assert "Secret statistique" in text


def test_mixed_or_free_text_columns_stay_text():
    table = pd.DataFrame(
        {
            "Cohorte": ["juin 2023", "T3 2023"],  # un mois et un trimestre : pas une colonne de dates
            "Code": ["93014", "-5 pts"],
            "Jour": ["30 juin 2023", "31 juin 2023"],  # un 31 juin n'est pas une date
        }
    )
    values, columns = exports.lire_valeurs(table)
    assert [c.nature for c in columns] == ["texte", "texte", "texte"]
    assert list(values["Code"]) == ["93014", "'-5 pts"]
    assert list(values["Cohorte"]) == ["juin 2023", "T3 2023"]


@pytest.fixture
def dated() -> pd.DataFrame:
    """Des dates comme les écrivent formats et la page Qualité (mois, jour, jour et heure), avec des manques."""
    from insertion.present.qualite import horodatage_import

    return pd.DataFrame(
        {
            "Mois": [formats.mois(date(2023, 6, 1)), formats.mois(date(2024, 1, 1)), formats.SANS_OBJET],
            "Date d'extraction": [
                formats.date_longue(date(2023, 6, 30)),
                formats.date_longue(date(2024, 3, 1)),  # « 1er mars 2024 »
                formats.date_longue(date(2026, 10, 31)),
            ],
            "Chargé le": [
                horodatage_import(datetime(2026, 10, 31, 14, 5)),
                formats.SANS_OBJET,
                horodatage_import(datetime(2025, 5, 2, 9, 0)),
            ],
            "Personnes": ["12 600", formats.SANS_OBJET, "secret"],
        }
    )


def test_displayed_dates_read_back_as_dates():
    assert exports.date_affichee("30 juin 2023") == ("date", date(2023, 6, 30))
    assert exports.date_affichee("1er mars 2024") == ("date", date(2024, 3, 1))
    assert exports.date_affichee("juin 2023") == ("mois", date(2023, 6, 1))
    assert exports.date_affichee("décembre 2026") == ("mois", date(2026, 12, 1))
    assert exports.date_affichee("janv. 2024") == ("mois", date(2024, 1, 1))  # formats.mois_court
    assert exports.date_affichee("31 octobre 2026 à 14:05") == ("horodatage", datetime(2026, 10, 31, 14, 5))
    for texte in ("31 juin 2023", "T1 2024", "juin", "ALI14 · juin 2023", "30 juin 2023 à 25:00", "secret"):
        assert exports.date_affichee(texte) is None, texte


def test_csv_dates_are_iso_and_read_back_by_pandas(dated):
    data = exports.ecrire_csv(dated)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Mois", "Date d'extraction", "Chargé le", "Personnes"]
    assert rows[1] == ["2023-06", "2023-06-30", "2026-10-31 14:05", "12600"]
    # Les manques sont vides (jamais « nan » ni « NaT ») ; « secret » reste du texte.
    assert rows[2] == ["2024-01", "2024-03-01", "", ""]
    assert rows[3] == ["", "2026-10-31", "2025-05-02 09:00", "secret"]

    table = pd.read_csv(
        io.BytesIO(data), sep=";", encoding="utf-8-sig", parse_dates=["Mois", "Date d'extraction", "Chargé le"]
    )
    for colonne in ("Mois", "Date d'extraction", "Chargé le"):
        assert pd.api.types.is_datetime64_any_dtype(table[colonne]), colonne
    assert list(table["Date d'extraction"].dt.date) == [date(2023, 6, 30), date(2024, 3, 1), date(2026, 10, 31)]
    assert table["Mois"].iloc[1] == pd.Timestamp(2024, 1, 1) and pd.isna(table["Mois"].iloc[2])
    assert table["Chargé le"].iloc[0] == pd.Timestamp(2026, 10, 31, 14, 5)


def test_xlsx_dates_are_date_cells_in_french_formats(dated):
    data = exports.ecrire_classeur(dated, titre="Qualité", definitions=[], filtres=[], date_donnees=date(2026, 10, 31))
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Données"]
    mois, jour, moment, _ = ([c for (c,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i)] for i in range(1, 5))
    assert [(c.value, c.is_date) for c in mois[:2]] == [(datetime(2023, 6, 1), True), (datetime(2024, 1, 1), True)]
    assert mois[2].value is None
    # « juin 2023 » en toutes lettres et en français, quelle que soit la langue du tableur ; jj/mm/aaaa au jour.
    assert {c.number_format for c in mois[:2]} == {"[$-40C]mmmm yyyy"}
    assert [c.value for c in jour] == [datetime(2023, 6, 30), datetime(2024, 3, 1), datetime(2026, 10, 31)]
    assert all(c.is_date and c.number_format == "dd/mm/yyyy" for c in jour)
    assert moment[0].value == datetime(2026, 10, 31, 14, 5) and moment[0].number_format == "dd/mm/yyyy hh:mm"
    assert moment[1].value is None and moment[2].value == datetime(2025, 5, 2, 9, 0)


def test_date_objects_pass_through_as_dates():
    table = pd.DataFrame(
        {
            "Jour": [date(2023, 6, 30), None],
            "Horodatage": [pd.Timestamp(2026, 10, 31, 14, 5), pd.NaT],
            "Minuit": [datetime(2024, 1, 31), datetime(2024, 2, 29)],  # sans heure : une date
        }
    )
    _, columns = exports.lire_valeurs(table)
    assert [c.nature for c in columns] == ["date", "horodatage", "date"]
    rows = list(csv.reader(io.StringIO(exports.ecrire_csv(table).decode("utf-8-sig")), delimiter=";"))
    assert rows[1:] == [["2023-06-30", "2026-10-31 14:05", "2024-01-31"], ["", "", "2024-02-29"]]


def test_a_number_column_with_gaps_writes_empty_cells_not_nan():
    table = pd.DataFrame({"Personnes": ["12", formats.SANS_OBJET, "3"], "ALI": ["a", "b", "c"]})
    rows = list(csv.reader(io.StringIO(exports.ecrire_csv(table).decode("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in rows] == ["Personnes", "12", "", "3"]


def test_rate_is_hidden_when_its_denominator_is_masked_by_the_secondary_rule():
    from insertion.protect import secret as s

    # Une ventilation : 4 (masqué d'office) et 15 (masqué en second, sinon total − 15 = 4). Le taux sur 15
    # personnes serait diffusable seul, mais il redonnerait son dénominateur : il est masqué aussi.
    df = pd.DataFrame({"n": [4, 15, 40], "taux": [0.5, 0.2, 0.5]})
    protege = s.proteger(df, effectifs=["n"], taux={"taux": "n"}, ventilation=[])
    assert list(protege.masque["n"]) == [True, True, False]
    assert list(protege.masque["taux"]) == [True, True, False]


def test_a_cell_masked_only_to_protect_another_reads_like_any_masked_cell():
    from insertion.protect import secret as s

    # 4 est un petit effectif ; 50 n'est masqué que pour que 4 ne se déduise pas du total. Les deux se lisent
    # « secret » : deux libellés diraient lequel est sous le seuil.
    df = pd.DataFrame({"n": [4, 50, 80]})
    shown = s.proteger(df, effectifs=["n"], ventilation=[]).affichage({"n": formats.entier})
    assert list(shown["n"]) == ["secret", "secret", "80"]
    values, _ = exports.lire_valeurs(shown)
    assert list(values["n"]) == ["secret", "secret", 80]


def test_delays_are_numbers_in_days_and_secret_stays_text():
    from insertion.figures import cohortes

    # Des délais médians comme la page Diagnostics les affiche : 33 jours, 1 jour, 12,5 jours, un masqué, un vide.
    shown = pd.DataFrame(
        {
            "Territoire": ["A", "B", "C", "D", "E"],
            "Délai médian": [
                cohortes.jours(33),
                cohortes.jours(1),
                cohortes.jours(12.5),
                "secret",
                cohortes.jours(None),
            ],
        }
    )
    assert list(shown["Délai médian"])[:3] == ["33 jours", "1 jour", "12,5 jours"]
    table = pd.read_csv(io.BytesIO(exports.ecrire_csv(shown)), sep=";", decimal=",", encoding="utf-8-sig")
    assert list(table.columns) == ["Territoire", "Délai médian (jours)"]
    assert list(table["Délai médian (jours)"].iloc[:4]) == ["33", "1", "12,5", "secret"]
    assert pd.isna(table["Délai médian (jours)"].iloc[4])

    data = exports.ecrire_classeur(shown, titre="Délais", definitions=[], filtres=[], date_donnees=date(2026, 10, 31))
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Données"]
    assert sheet["B1"].value == "Délai médian (jours)"
    assert [(c.value, c.data_type) for (c,) in sheet.iter_rows(min_row=2, min_col=2, max_col=2)] == [
        (33, "n"), (1, "n"), (12.5, "n"), ("secret", "s"), (None, "n")
    ]  # fmt: skip


def test_unit_already_in_the_header_is_not_repeated():
    shown = pd.DataFrame({"Délai médian (jours)": ["33 jours"], "Taux à 90 jours": ["67,9\u202f%"]})
    _, columns = exports.lire_valeurs(shown)
    # « jours » dans « Taux à 90 jours » n'est pas l'unité de la colonne : c'est un %.
    assert [c.en_tete for c in columns] == ["Délai médian (jours)", "Taux à 90 jours (%)"]


def test_displayed_numbers_read_back_in_their_unit():
    assert exports.nombre_affiche("2\u202f210") == ("entier", 2210)
    assert exports.nombre_affiche("67,9\u202f%") == ("pourcentage", 67.9)
    assert exports.nombre_affiche("1\u202f759\u202f€") == ("euros", 1759)
    assert exports.nombre_affiche("46,0\u202fM€") == ("millions_euros", 46.0)
    assert exports.nombre_affiche("33 jours") == ("jours", 33)
    assert exports.nombre_affiche("secret") is None and exports.nombre_affiche("3 sur 22") is None
