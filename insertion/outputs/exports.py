"""Exports des tableaux : CSV pour Excel français et classeur .xlsx, avec le secret de l'écran.

Un export s'écrit depuis les nombres publiés d'un tableau de vue (insertion.figures.tableau.Tableau), jamais en
relisant le texte affiché : chaque nombre dans l'unité que nomme l'en-tête de sa colonne (« Taux à 90 jours (%) » :
67,9 ; « Délai médian (jours) » : 33), arrondi comme à l'écran, le même dans le CSV et dans le classeur ; une case
masquée reste le texte « secret ». Les dates sont ISO dans le CSV (2023-06-30, 2023-06 pour un mois), des cellules
date du classeur au format français (jj/mm/aaaa, « juin 2023 ») : un tableur les trie et les filtre comme des dates.
Une cellule de texte qui commence par =, +, -, @ est neutralisée (injection de formule).
"""

from __future__ import annotations

import csv
import io
from datetime import date

from insertion.figures.tableau import Nature, Tableau, exporter_case
from insertion.indicators import catalogue
from insertion.indicators.definitions import Definition
from insertion.protect import secret

# Écriture ISO des dates dans le CSV, selon la nature de la colonne.
FORMATS_DATE_CSV = {
    "date": "%Y-%m-%d",
    "mois": "%Y-%m",
    "horodatage": "%Y-%m-%d %H:%M",
    "horodatage_secondes": "%Y-%m-%d %H:%M:%S",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutraliser(text: str) -> str:
    """« =HYPERLINK(…) » devient « '=HYPERLINK(…) » : affiché tel quel, jamais exécuté."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def en_tete(nom: str, nature: Nature) -> str:
    """« Taux à 90 jours (%) », « Délai médian (jours) » : l'unité des nombres de la colonne."""
    unite = nature.unite
    if not unite or nom.endswith(f"({unite})"):
        return neutraliser(nom)
    return neutraliser(f"{nom} ({unite})")


def _cases(t: Tableau) -> list[list[object]]:
    """Les cases à écrire, ligne par ligne : nombres et dates dans l'unité de l'en-tête, textes neutralisés."""
    natures = [t.nature(str(c)) for c in t.valeurs.columns]
    lignes = []
    for ligne in t.valeurs.itertuples(index=False):
        cases: list[object] = []
        for v, nature in zip(ligne, natures, strict=True):
            case = exporter_case(v, nature)
            cases.append(neutraliser(case) if isinstance(case, str) else case)
        lignes.append(cases)
    return lignes


def _csv_cell(value: object, nature: Nature) -> str:
    """Le nombre tel qu'il est affiché (38,5 pour « 38,5 % ») ; l'unité passe dans l'en-tête."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if nature.est_date:
        return value.strftime(FORMATS_DATE_CSV[nature.nom])  # type: ignore[attr-defined]
    number = round(float(value), 6)  # type: ignore[arg-type]
    if number.is_integer() and nature.nom in ("entier", "euros", "jours"):
        return str(int(number))
    return format(number, ".10g").replace(".", ",")


def ecrire_csv(t: Tableau) -> bytes:
    """CSV « ; », UTF-8 avec BOM (Excel l'ouvre en bon encodage), virgule décimale, sans séparateur de milliers."""
    natures = [t.nature(str(c)) for c in t.valeurs.columns]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([en_tete(str(c), n) for c, n in zip(t.valeurs.columns, natures, strict=True)])
    for cases in _cases(t):
        writer.writerow([_csv_cell(v, n) for v, n in zip(cases, natures, strict=True)])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def ecrire_classeur(
    t: Tableau,
    *,
    titre: str,
    definitions: list[Definition],
    filtres: list[tuple[str, str]],
    date_donnees: date,
) -> bytes:
    """Classeur : feuille « Données » (vraies cellules numériques, en-tête figé) et feuille « Définitions »."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from insertion import formats

    natures = [t.nature(str(c)) for c in t.valeurs.columns]
    entetes = [en_tete(str(c), n) for c, n in zip(t.valeurs.columns, natures, strict=True)]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Données"
    sheet.append(entetes)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="0072B2")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for cases in _cases(t):
        sheet.append(cases)
    textes = t.texte
    for index, (entete, nature) in enumerate(zip(entetes, natures, strict=True), start=1):
        letter = get_column_letter(index)
        width = max([len(entete)] + [len(str(v)) for v in textes.iloc[:, index - 1].head(500)]) + 2
        sheet.column_dimensions[letter].width = min(max(width, 10), 60)
        if nature.format_excel:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                if not isinstance(cell.value, str):
                    cell.number_format = nature.format_excel
                else:
                    cell.alignment = Alignment(horizontal="right")
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("Définitions")
    notes.append([titre])
    notes["A1"].font = Font(bold=True, size=14)
    notes.append([f"Données au {formats.date_longue(date_donnees)}"])
    notes.append([])
    notes.append(["Filtres appliqués"])
    notes.cell(notes.max_row, 1).font = Font(bold=True)
    for label, value in filtres:
        notes.append([label, neutraliser(value)])
    notes.append([])
    notes.append(["Définitions"])
    notes.cell(notes.max_row, 1).font = Font(bold=True)
    for definition in definitions:
        notes.append([definition.titre, definition.definition])
        notes.append(["", f"Dénominateur : {definition.denominateur}"])
        for nom in definition.requetes:
            notes.append(["", calcul(nom)])
    notes.append([])
    notes.append(["Secret statistique", secret.note()])
    notes.column_dimensions["A"].width = 32
    notes.column_dimensions["B"].width = 110
    for row in notes.iter_rows(min_row=1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


_SENS = {
    "hausse": "une hausse est un progrès",
    "baisse": "une baisse est un progrès",
    "neutre": "ni progrès ni recul : dit l'activité",
}


def calcul(nom: str) -> str:
    """« Calcul : queries/taux_diagnostic_90j.sql (Diagnostic à 90 jours ; unité : part ; une hausse est un
    progrès) » : ce que le catalogue déclare de la requête, pour qui relit le classeur sans le tableau de bord."""
    entree = catalogue.entree(nom)
    return f"Calcul : queries/{nom}.sql ({entree.titre} ; unité : {entree.unite} ; {_SENS[entree.sens]})"
