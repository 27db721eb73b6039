"""Exports des tableaux : CSV pour Excel français et classeur .xlsx, avec le secret de l'écran.

Les tableaux affichés sont déjà protégés (« secret » dans toute case masquée) et formatés en français par
insertion.formats. On relit ces textes en nombres (le format est le nôtre, donc sans
ambiguïté) pour écrire de vraies cellules numériques ; les cases masquées restent du texte (« secret »).
Chaque nombre est écrit dans l'unité que nomme l'en-tête de sa colonne (« Taux à 90 jours (%) » : 67,9 ;
« Délai médian (jours) » : 33), le même dans le CSV et dans le classeur.
Les dates affichées (« 30 juin 2023 », « juin 2023 », « 31 octobre 2026 à 14:05 ») redeviennent des dates :
ISO dans le CSV (2023-06-30, 2023-06 pour un mois), cellules date du classeur au format français (jj/mm/aaaa,
« juin 2023 ») ; un tableur les trie et les filtre comme des dates, jamais dans l'ordre alphabétique des mois.
Une cellule de texte qui commence par =, +, -, @ est neutralisée (injection de formule).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from babel.dates import get_month_names

from insertion.figures import territoires
from insertion.figures.tableau import Nature, Tableau, exporter_case
from insertion.indicators import catalogue
from insertion.indicators.definitions import Definition
from insertion.protect import secret

_NUMBER = r"[+-]?\d{1,3}(?:\u202f\d{3})*(?:,\d+)?"
# (nature, motif, unité de l'en-tête, format Excel). Le nombre est gardé dans l'unité de l'en-tête, tel qu'il est
# affiché (38,5 pour « 38,5 % », 46,0 pour « 46,0 M€ ») : le CSV et le classeur portent les mêmes valeurs.
_KINDS = [
    ("entier", re.compile(rf"^({_NUMBER})$"), None, "#,##0"),
    ("pourcentage", re.compile(rf"^({_NUMBER})\u202f%$"), "%", "0.0"),
    ("millions_euros", re.compile(rf"^({_NUMBER})\u202fM€$"), "M€", "#,##0.0"),
    ("euros", re.compile(rf"^({_NUMBER})\u202f€$"), "€", "#,##0"),
    # « 33 jours », « 1 jour » (insertion.figures.cohortes.jours) : un délai, jamais du texte dans un export.
    ("jours", re.compile(rf"^({_NUMBER}) jours?$"), "jours", "#,##0"),
]
UNITES = {kind: unit for kind, _, unit, _ in _KINDS if unit}
# Les noms de mois de babel, ceux qu'écrit insertion.formats (« juin », et « juin » abrégé : « janv. »).
_MOIS = {
    str(nom).lower(): numero
    for largeur in ("wide", "abbreviated")
    for numero, nom in get_month_names(largeur, locale="fr_FR").items()
}
_NOM_MOIS = "|".join(re.escape(m) for m in sorted(_MOIS, key=len, reverse=True))
_JOUR = re.compile(rf"^(1er|\d{{1,2}}) ({_NOM_MOIS}) (\d{{4}})$", re.IGNORECASE)
_MOIS_SEUL = re.compile(rf"^({_NOM_MOIS}) (\d{{4}})$", re.IGNORECASE)
_HORODATAGE = re.compile(rf"^(1er|\d{{1,2}}) ({_NOM_MOIS}) (\d{{4}}) à (\d{{1,2}}):(\d{{2}})$", re.IGNORECASE)
# Natures de date : format du classeur (jj/mm/aaaa ; mois en toutes lettres, en français quelle que soit la langue
# d'Excel : [$-40C]) et écriture ISO du CSV.
FORMATS_DATE = {
    "date": ("dd/mm/yyyy", "%Y-%m-%d"),
    "mois": ("[$-40C]mmmm yyyy", "%Y-%m"),
    "horodatage": ("dd/mm/yyyy hh:mm", "%Y-%m-%d %H:%M"),
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Colonne:
    nom: str
    nature: str  # entier, decimal, pourcentage, millions_euros, euros, jours, date, mois, horodatage, texte
    format_excel: str | None

    @property
    def en_tete(self) -> str:
        """« Taux à 90 jours (%) », « Délai médian (jours) » : l'unité des nombres de la colonne."""
        unit = UNITES.get(self.nature)
        if not unit or self.nom.endswith(f"({unit})"):
            return self.nom
        return f"{self.nom} ({unit})"


def neutraliser(text: str) -> str:
    """« =HYPERLINK(…) » devient « '=HYPERLINK(…) » : affiché tel quel, jamais exécuté."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def nombre_affiche(text: str) -> tuple[str, float] | None:
    """« 67,9 % » → ("pourcentage", 67.9) ; « 2 210 » → ("entier", 2210.0) ; un texte libre → None.

    Le nombre reste dans l'unité affichée (voir UNITES) : c'est la valeur montrée à l'écran."""
    for kind, pattern, _, _ in _KINDS:
        match = pattern.match(text)
        if match:
            number = float(match.group(1).replace("\u202f", "").replace(",", "."))
            if kind == "entier" and "," in match.group(1):
                kind = "decimal"
            return kind, number
    return None


def date_affichee(text: str) -> tuple[str, date] | None:
    """« 30 juin 2023 » → ("date", date(2023, 6, 30)) ; « juin 2023 » → ("mois", date(2023, 6, 1)) ;
    « 31 octobre 2026 à 14:05 » → ("horodatage", datetime(…)) ; un texte libre (ou un 31 juin) → None."""
    try:
        if match := _JOUR.match(text):
            jour, mois, annee = match.groups()
            return "date", date(int(annee), _MOIS[mois.lower()], 1 if jour == "1er" else int(jour))
        if match := _MOIS_SEUL.match(text):
            mois, annee = match.groups()
            return "mois", date(int(annee), _MOIS[mois.lower()], 1)
        if match := _HORODATAGE.match(text):
            jour, mois, annee, heure, minute = match.groups()
            jour_n = 1 if jour == "1er" else int(jour)
            return "horodatage", datetime(int(annee), _MOIS[mois.lower()], jour_n, int(heure), int(minute))
    except ValueError:  # 31 juin, 25:00 : du texte, pas une date
        return None
    return None


def _date_objet(cell: date) -> tuple[str, date]:
    """Une date passée telle quelle (date, datetime, Timestamp) : un horodatage seulement s'il a une heure."""
    if isinstance(cell, datetime):
        moment = pd.Timestamp(cell).to_pydatetime()
        if moment.time() == datetime.min.time():
            return "date", moment.date()
        return "horodatage", moment.replace(tzinfo=None)
    return "date", cell


def _is_masked_or_empty(text: str) -> bool:
    return text in (secret.LIBELLE_MASQUE, "–", "")


def lire_valeurs(table: pd.DataFrame) -> tuple[pd.DataFrame, list[Colonne]]:
    """Les textes affichés relus en nombres, colonne par colonne quand toute la colonne s'y prête."""
    values = table.copy()
    columns = []
    for name in table.columns:
        cells = table[name]
        parsed = []
        kinds = set()
        numeric = True
        for cell in cells:
            if cell is None or (isinstance(cell, float | date) and pd.isna(cell)):  # pd.NaT est une datetime
                parsed.append(None)
                continue
            if isinstance(cell, int | float) and not isinstance(cell, bool):
                kinds.add("entier" if float(cell).is_integer() else "decimal")
                parsed.append(cell)
                continue
            if isinstance(cell, date):
                kind, value = _date_objet(cell)
                kinds.add(kind)
                parsed.append(value)
                continue
            text = str(cell)
            if _is_masked_or_empty(text):
                parsed.append(None if text in ("–", "") else text)
                continue
            found = nombre_affiche(text) or date_affichee(text)
            if found is None:
                numeric = False
                break
            kinds.add(found[0])
            parsed.append(found[1])
        if numeric and kinds and (len(kinds) == 1 or kinds <= {"entier", "decimal"}):
            kind = "decimal" if "decimal" in kinds else kinds.pop()
            # object : pandas ferait d'une liste de datetime une colonne datetime64 (None → NaT) et d'une liste de
            # nombres avec None une colonne float (None → NaN, écrit « nan ») ; on garde les valeurs telles quelles.
            values[name] = pd.Series(parsed, index=table.index, dtype=object)
            if kind in FORMATS_DATE:
                excel = FORMATS_DATE[kind][0]
            else:
                excel = {"decimal": "#,##0.0"}.get(kind) or next(f for k, _, _, f in _KINDS if k == kind)
            columns.append(Colonne(str(name), kind, excel))
        else:
            values[name] = [None if c is None else neutraliser(str(c)) for c in cells]
            columns.append(Colonne(str(name), "texte", None))
    return values, columns


def en_tete(nom: str, nature: Nature) -> str:
    """« Taux à 90 jours (%) », « Délai médian (jours) » : l'unité des nombres de la colonne."""
    unite = nature.unite
    if not unite or nom.endswith(f"({unite})"):
        return neutraliser(nom)
    return neutraliser(f"{nom} ({unite})")


def _en_tableau(table: Tableau | pd.DataFrame) -> Tableau:
    if isinstance(table, Tableau):
        return table
    valeurs, colonnes = lire_valeurs(table)
    # Transition : les vues pas encore passées à Tableau donnent leur tableau affiché, relu ici (valeurs déjà dans
    # l'unité de l'en-tête).
    return Tableau(
        valeurs,
        {
            c.nom: Nature(c.nature, str, lambda v: v, UNITES.get(c.nature), c.format_excel)
            for c in colonnes
            if c.nature != "texte"
        },
    )


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
        return value.strftime(FORMATS_DATE[nature.nom][1])  # type: ignore[attr-defined]
    number = round(float(value), 6)  # type: ignore[arg-type]
    if number.is_integer() and nature.nom in ("entier", "euros", "jours"):
        return str(int(number))
    return format(number, ".10g").replace(".", ",")


def ecrire_csv(table: Tableau | pd.DataFrame) -> bytes:
    """CSV « ; », UTF-8 avec BOM (Excel l'ouvre en bon encodage), virgule décimale, sans séparateur de milliers."""
    t = _en_tableau(table)
    natures = [t.nature(str(c)) for c in t.valeurs.columns]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([en_tete(str(c), n) for c, n in zip(t.valeurs.columns, natures, strict=True)])
    for cases in _cases(t):
        writer.writerow([_csv_cell(v, n) for v, n in zip(cases, natures, strict=True)])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def ecrire_classeur(
    table: Tableau | pd.DataFrame,
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

    t = _en_tableau(table)
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


def comparaison_en_nombres(
    textes: pd.DataFrame, indicateurs: Iterable[territoires.Indicateur] = territoires.INDICATEURS
) -> pd.DataFrame:
    """Le tableau de comparaison (`textes` de territoires.comparaison(), une ligne par indicateur) en nombres, pour le
    CSV et le classeur : les unités diffèrent d'une ligne à l'autre (personnes, %, €), elles vont dans une colonne
    « Unité » et chaque case garde le nombre affiché (67,9 pour « 67,9 % »), « secret » restant « secret ».
    Le rang « 3 sur 22 » devient deux colonnes, le rang et le nombre d'ALI classées."""
    lignes = []
    for ind, (_, ligne) in zip(indicateurs, textes.iterrows(), strict=True):
        sortie: dict[str, object] = {
            "Indicateur": ligne["Indicateur"],
            "Unité": territoires.UNITES_EXPORT[ind.nature],
        }
        for colonne, texte in ligne.items():
            if colonne == "Indicateur":
                continue
            if colonne == territoires.RANG:
                rang, _, classees = str(texte).partition(" sur ")
                sortie[territoires.RANG] = int(rang) if rang.isdigit() else None
                sortie["ALI classées"] = int(classees) if classees.isdigit() else None
                continue
            lu = nombre_affiche(str(texte))
            if lu is not None:
                sortie[colonne] = lu[1]
            else:  # « secret » reste du texte ; « – » (sans objet) est une case vide
                sortie[colonne] = texte if texte == secret.LIBELLE_MASQUE else None
        lignes.append(sortie)
    return pd.DataFrame(lignes)
