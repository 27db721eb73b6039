"""Ce que la page Importer dit d'un type de fichier : ses colonnes et leurs règles (obligatoire, format, valeurs
admises), un exemple de ligne, et son modèle à remplir en CSV et en Excel (.xlsx). Les types eux-mêmes sont
dans insertion/ingest/modeles.py (extraction de file active, budget) et modeles_systemes.py (fichiers du §7).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

DATE = "date AAAA-MM-JJ ou JJ/MM/AAAA"


@dataclass(frozen=True)
class Regle:
    colonne: str
    obligatoire: str  # « oui », « non », ou la condition (« si date_sortie »)
    format: str
    valeurs: str = ""


@dataclass(frozen=True)
class TypeFichier:
    cle: str
    titre: str
    colonnes: tuple[str, ...]
    regles: tuple[Regle, ...]
    exemple: tuple[dict[str, str], ...]
    # Les valeurs admises d'une colonne à liste fermée : listes déroulantes du modèle Excel.
    listes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def nom_modele(self) -> str:
        return f"modele_{self.cle}.csv"

    @property
    def nom_modele_xlsx(self) -> str:
        return f"modele_{self.cle}.xlsx"

    def tableau_regles(self) -> pd.DataFrame:
        """Une ligne par colonne, dans l'ordre du contrat : pour la page (en-têtes français)."""
        return pd.DataFrame(
            {
                "Colonne": [r.colonne for r in self.regles],
                "Obligatoire": [r.obligatoire for r in self.regles],
                "Format et règle": [r.format for r in self.regles],
                "Valeurs admises": [r.valeurs for r in self.regles],
            }
        )

    def modele_csv(self) -> bytes:
        """Le modèle : en-tête du contrat et lignes d'exemple, « ; » et UTF-8 avec BOM (Excel français l'ouvre
        tel quel). Le chargeur le charge sans rejet : les exemples respectent toutes les règles."""
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(self.colonnes), delimiter=";", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(self.exemple)
        return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")

    def modele_xlsx(self) -> bytes:
        """Le même modèle en classeur, comme une ALI le remplirait dans Excel : feuille « Données » en premier (le
        chargeur ne lit que la première), en-tête du contrat, mêmes lignes d'exemple en cellules typées (dates en
        cellules date jj/mm/aaaa, années et montants en nombres, codes en texte pour garder leurs zéros), listes
        déroulantes des valeurs admises ; feuille « Colonnes et règles » (le tableau de la page) ; les listes dans
        une feuille masquée. Le chargeur le charge sans rejet."""
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.datavalidation import DataValidation

        workbook = Workbook()
        donnees = workbook.active
        donnees.title = "Données"
        donnees.append(list(self.colonnes))
        for cellule in donnees[1]:
            cellule.font = Font(bold=True, color="FFFFFF")
            cellule.fill = PatternFill("solid", fgColor="0072B2")
        for ligne in self.exemple:
            donnees.append([_cellule(colonne, ligne.get(colonne, "")) for colonne in self.colonnes])
        lignes_saisie = 1000  # assez pour une ALI ; au-delà, la saisie reste libre (le chargeur vérifie tout)
        for rang, colonne in enumerate(self.colonnes, start=1):
            lettre = get_column_letter(rang)
            donnees.column_dimensions[lettre].width = max(len(colonne) + 4, 14)
            for (cellule,) in donnees.iter_rows(min_row=2, min_col=rang, max_col=rang, max_row=lignes_saisie + 1):
                if colonne.startswith("date_"):
                    cellule.number_format = "dd/mm/yyyy"
                elif colonne.startswith("montant_"):
                    cellule.number_format = "#,##0.00"
                elif colonne != "annee":
                    cellule.number_format = "@"  # texte : un code commune garde ses zéros, un code n'est pas un nombre
        donnees.freeze_panes = "A2"

        regles = workbook.create_sheet("Colonnes et règles")
        tableau = self.tableau_regles()
        regles.append(list(tableau.columns))
        for cellule in regles[1]:
            cellule.font = Font(bold=True)
        for ligne in tableau.itertuples(index=False):
            regles.append(list(ligne))
        for lettre, largeur in zip("ABCD", (22, 16, 70, 70), strict=True):
            regles.column_dimensions[lettre].width = largeur
        for ligne in regles.iter_rows(min_row=2):
            for cellule in ligne:
                cellule.alignment = Alignment(wrap_text=True, vertical="top")

        if self.listes:
            listes = workbook.create_sheet("Listes")
            listes.sheet_state = "hidden"
            for rang, (colonne, valeurs) in enumerate(self.listes.items(), start=1):
                lettre = get_column_letter(rang)
                listes.cell(1, rang, colonne)
                for i, valeur in enumerate(valeurs, start=2):
                    listes.cell(i, rang, valeur)
                cible = get_column_letter(self.colonnes.index(colonne) + 1)
                validation = DataValidation(
                    type="list",
                    formula1=f"=Listes!${lettre}$2:${lettre}${len(valeurs) + 1}",
                    allow_blank=True,
                    showErrorMessage=False,  # le chargeur dit la règle ; Excel ne bloque pas une saisie collée
                    promptTitle=colonne,
                    prompt="Choisissez une valeur de la liste (contrat de données).",
                )
                validation.add(f"{cible}2:{cible}{lignes_saisie + 1}")
                donnees.add_data_validation(validation)
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()


def _cellule(colonne: str, valeur: str) -> object:
    """La valeur d'exemple (texte du CSV) dans le type qu'Excel lui donnerait : date, nombre, ou texte."""
    if valeur == "":
        return None
    if colonne.startswith("date_"):
        return date.fromisoformat(valeur)
    if colonne == "annee":
        return int(valeur)
    if colonne.startswith("montant_"):
        return float(valeur.replace(" ", "").replace("\u202f", "").replace(",", "."))
    return valeur


def liste_codes(codes) -> str:
    return ", ".join(codes)


def mention_obligatoire(colonne: str, obligatoires: list[str]) -> str:
    return "oui" if colonne in obligatoires else "non"
