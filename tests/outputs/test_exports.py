"""Exports CSV et Excel rouverts : mêmes valeurs qu'à l'écran, secret compris, formules inertes."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest

from insertion.figures import tableau as tb
from insertion.figures.tableau import Tableau
from insertion.indicators.definitions import DEFINITIONS
from insertion.outputs import exports
from insertion.protect import secret


@pytest.fixture
def shown() -> Tableau:
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
    return tb.depuis_protege(
        protege,
        {
            "file_active": ("File active", tb.entier()),
            "taux": ("Taux", tb.pourcentage()),
            "budget": ("Budget", tb.millions_euros()),
        },
        avant={"ALI": raw["ALI"]},
    )


def test_screen_table_is_what_we_expect(shown):
    assert list(shown.texte["File active"]) == ["12\u202f600", "secret", "389", "250"]
    assert list(shown.texte["Taux"]) == ["38,5\u202f%", "secret", "20,0\u202f%", "–"]


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


def test_text_columns_are_never_read_as_numbers_or_dates():
    """Aucun texte n'est relu : un libellé qui ressemble à un nombre, à une date ou à un trimestre reste du texte ;
    seul un texte qui commence comme une formule est neutralisé."""
    t = Tableau(
        pd.DataFrame(
            {"Libellé": ["2\u202f210", "juin 2023", "T3 2023"], "Code": ["93014", "-5 pts", "31 juin 2023"]},
            dtype=object,
        )
    )
    rows = list(csv.reader(io.StringIO(exports.ecrire_csv(t).decode("utf-8-sig")), delimiter=";"))
    assert rows[1:] == [["2\u202f210", "93014"], ["juin 2023", "'-5 pts"], ["T3 2023", "31 juin 2023"]]
    data = exports.ecrire_classeur(t, titre="x", definitions=[], filtres=[], date_donnees=date(2026, 10, 31))
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Données"]
    assert all(c.data_type == "s" for row in sheet.iter_rows(min_row=2) for c in row)


@pytest.fixture
def dated() -> Tableau:
    """Des dates comme les montre la page Qualité (mois, jour, jour et heure), avec des manques."""
    return Tableau(
        pd.DataFrame(
            {
                "Mois": [date(2023, 6, 1), pd.Timestamp(2024, 1, 1), None],
                "Date d'extraction": [date(2023, 6, 30), date(2024, 3, 1), date(2026, 10, 31)],
                "Chargé le": [datetime(2026, 10, 31, 14, 5), pd.NaT, pd.Timestamp(2025, 5, 2, 9, 0)],
                "Personnes": [12600, None, "secret"],
            },
            dtype=object,
        ),
        {"Mois": tb.mois(), "Date d'extraction": tb.date_(), "Chargé le": tb.horodatage(), "Personnes": tb.entier()},
    )


def test_dates_show_in_french_on_screen(dated):
    assert dated.texte.iloc[0].tolist() == ["juin 2023", "30 juin 2023", "31 octobre 2026 à 14:05", "12\u202f600"]
    assert dated.texte.iloc[1].tolist() == ["janvier 2024", "1er mars 2024", "–", "–"]


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


def test_rate_is_hidden_when_its_denominator_is_masked_by_the_secondary_rule():
    # Une ventilation : 4 (masqué d'office) et 15 (masqué en second, sinon total − 15 = 4). Le taux sur 15
    # personnes serait diffusable seul, mais il redonnerait son dénominateur : il est masqué aussi.
    df = pd.DataFrame({"n": [4, 15, 40], "taux": [0.5, 0.2, 0.5]})
    protege = secret.proteger(df, effectifs=["n"], taux={"taux": "n"}, ventilation=[])
    assert list(protege.masque["n"]) == [True, True, False]
    assert list(protege.masque["taux"]) == [True, True, False]


def test_a_cell_masked_only_to_protect_another_reads_like_any_masked_cell():
    # 4 est un petit effectif ; 50 n'est masqué que pour que 4 ne se déduise pas du total. Les deux se lisent
    # « secret », à l'écran comme dans l'export : deux libellés diraient lequel est sous le seuil.
    df = pd.DataFrame({"n": [4, 50, 80]})
    t = tb.depuis_protege(secret.proteger(df, effectifs=["n"], ventilation=[]), {"n": ("n", tb.entier())})
    assert list(t.texte["n"]) == ["secret", "secret", "80"]
    rows = list(csv.reader(io.StringIO(exports.ecrire_csv(t).decode("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in rows[1:]] == ["secret", "secret", "80"]


def test_delays_are_numbers_in_days_and_secret_stays_text():
    # Des délais médians comme la page Diagnostics les affiche : 33 jours, 1 jour, 12,5 jours, un masqué, un vide.
    t = Tableau(
        pd.DataFrame(
            {"Territoire": ["A", "B", "C", "D", "E"], "Délai médian": [33.0, 1, 12.5, "secret", None]}, dtype=object
        ),
        {"Délai médian": tb.jours()},
    )
    assert list(t.texte["Délai médian"]) == ["33 jours", "1 jour", "12,5 jours", "secret", "–"]
    table = pd.read_csv(io.BytesIO(exports.ecrire_csv(t)), sep=";", decimal=",", encoding="utf-8-sig")
    assert list(table.columns) == ["Territoire", "Délai médian (jours)"]
    assert list(table["Délai médian (jours)"].iloc[:4]) == ["33", "1", "12,5", "secret"]
    assert pd.isna(table["Délai médian (jours)"].iloc[4])

    data = exports.ecrire_classeur(t, titre="Délais", definitions=[], filtres=[], date_donnees=date(2026, 10, 31))
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Données"]
    assert sheet["B1"].value == "Délai médian (jours)"
    assert [(c.value, c.data_type) for (c,) in sheet.iter_rows(min_row=2, min_col=2, max_col=2)] == [
        (33, "n"), (1, "n"), (12.5, "n"), ("secret", "s"), (None, "n")
    ]  # fmt: skip


def test_unit_already_in_the_header_is_not_repeated():
    # « jours » dans « Taux à 90 jours » n'est pas l'unité de la colonne : c'est un %.
    assert exports.en_tete("Délai médian (jours)", tb.jours()) == "Délai médian (jours)"
    assert exports.en_tete("Taux à 90 jours", tb.pourcentage()) == "Taux à 90 jours (%)"
    assert exports.en_tete("=Piège", tb.texte()) == "'=Piège"
