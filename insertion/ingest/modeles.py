"""Ce que la page Importer dit des fichiers à déposer : pour chaque type de fichier du contrat (§3 extraction de
file active avec ses freins facultatifs du §7.1, §4 fichier budget, §7.2 à §7.5 mises en relation, actions
collectives et participations, moyens, annuaire des structures), ses colonnes et leurs règles, et un modèle à
remplir, en CSV et en Excel (.xlsx).

Tout vient d'insertion.contrat (colonnes, obligatoires, valeurs admises) et du référentiel (codes d'ALI, de
communes, motifs de sortie) : la liste affichée ne peut pas dire autre chose que ce que le chargeur applique.
Les phrases de format reprennent les règles de validation du chargeur (insertion/ingest/sql/valider_*.sql).
Sans Streamlit : la page ne fait que la mise en page.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from insertion import contrat
from insertion.store.referentiel import charger_referentiel

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


def _liste(codes) -> str:
    return ", ".join(codes)


def _obligatoire(colonne: str, obligatoires: list[str]) -> str:
    return "oui" if colonne in obligatoires else "non"


def file_active() -> TypeFichier:
    """Extraction de la file active (contrat §3) : une ligne par épisode d'accompagnement."""
    ref = charger_referentiel()
    codes_ali = [a["code_ali"] for a in ref.ali]
    motifs = [m["motif_sortie"] for m in ref.motifs]
    apres_orientation = f"{DATE} ; pas avant date_orientation ni après date_extraction"
    formats = {
        "id_beneficiaire": "pseudonyme attribué par le Département, 8 à 64 caractères parmi lettres sans accent, "
        "chiffres, « _ » et « - » ; jamais un nom, un NIR ni une adresse (fichier refusé en entier)",
        "code_ali": "code d'une ALI du référentiel",
        "code_commune": "code INSEE (5 caractères) de la commune de résidence, dans le référentiel des communes",
        "date_orientation": f"{DATE} ; entrée en accompagnement, pas après date_extraction",
        "type_parcours": "valeur de la liste",
        "date_diag_numerique": apres_orientation,
        "niveau_numerique": "valeur de la liste",
        "date_diag_linguistique": apres_orientation,
        "niveau_linguistique": "valeur de la liste (niveaux du CECRL en majuscules)",
        "date_sortie": apres_orientation,
        "motif_sortie": "valeur de la liste ; une date_sortie sans motif est chargée « non_renseigne »",
        "tranche_age": "valeur de la liste",
        "sexe": "F ou M, en majuscule",
        "composition_foyer": "valeur de la liste",
        "anciennete_rsa": "valeur de la liste",
        **{
            c: f"frein « {libelle} » évalué à l'entrée ; vide : inconnu (colonne facultative, une extraction sans "
            "elle reste valide)"
            for c, libelle in contrat.FREINS.items()
        },
        "date_extraction": f"{DATE} ; date de l'extraction, la même sur toutes les lignes du fichier",
    }
    valeurs = {
        "code_ali": f"{codes_ali[0]} à {codes_ali[-1]}" if codes_ali else "",
        "code_commune": f"{len(ref.communes)} communes de la Seine-Saint-Denis",
        "type_parcours": _liste(contrat.PARCOURS),
        "niveau_numerique": _liste(contrat.NIVEAUX_NUMERIQUES),
        "niveau_linguistique": _liste(contrat.NIVEAUX_LINGUISTIQUES),
        "motif_sortie": _liste(motifs),
        "tranche_age": _liste(contrat.TRANCHES_AGE),
        "sexe": _liste(contrat.SEXES),
        "composition_foyer": _liste(contrat.COMPOSITIONS_FOYER),
        "anciennete_rsa": _liste(contrat.ANCIENNETES_RSA),
        **dict.fromkeys(contrat.COLONNES_FREINS, _liste(contrat.VALEURS_FREIN)),
    }
    colonnes = contrat.COLONNES_EXTRACTION
    obligatoire = {c: _obligatoire(c, contrat.OBLIGATOIRES_FILE_ACTIVE) for c in colonnes}
    obligatoire["motif_sortie"] = "si date_sortie"
    regles = tuple(Regle(c, obligatoire[c], formats[c], valeurs.get(c, "")) for c in colonnes)
    # Deux épisodes fictifs (pseudonymes « EXEMPLE ») : l'un en cours, l'autre sorti en emploi. Extraction
    # ancienne (30 juin 2023) : déposé tel quel sur une base en service, le modèle ne remplace pas une
    # extraction plus récente (« instantané plus ancien », contrat §3 Versions).
    ali = ref.ali[0]
    commun = {
        "code_ali": ali["code_ali"],
        "code_commune": ali["communes"][0],
        "date_orientation": "2023-04-03",
        "tranche_age": next(iter(contrat.TRANCHES_AGE)),
        "date_extraction": "2023-06-30",
    }
    exemple = (
        commun
        | {
            "id_beneficiaire": "EXEMPLE-0001",
            "type_parcours": "social",
            "date_diag_numerique": "2023-04-20",
            "niveau_numerique": "intermediaire",
            "sexe": "F",
            "composition_foyer": "seul_avec_enfants",
            "anciennete_rsa": "2_5_ans",
            "frein_logement": "non",
            "frein_garde_enfants": "oui",
            "frein_mobilite": "non",
        },
        commun
        | {
            "id_beneficiaire": "EXEMPLE-0002",
            "type_parcours": "professionnel",
            "date_diag_linguistique": "2023-04-12",
            "niveau_linguistique": "B1",
            "date_sortie": "2023-06-15",
            "motif_sortie": "emploi_durable",
            "sexe": "M",
        },
    )
    listes = {
        "code_ali": tuple(codes_ali),
        "code_commune": tuple(sorted(c["code_commune"] for c in ref.communes)),
        "type_parcours": tuple(contrat.PARCOURS),
        "niveau_numerique": tuple(contrat.NIVEAUX_NUMERIQUES),
        "niveau_linguistique": tuple(contrat.NIVEAUX_LINGUISTIQUES),
        "motif_sortie": tuple(motifs),
        "tranche_age": tuple(contrat.TRANCHES_AGE),
        "sexe": tuple(contrat.SEXES),
        "composition_foyer": tuple(contrat.COMPOSITIONS_FOYER),
        "anciennete_rsa": tuple(contrat.ANCIENNETES_RSA),
        **dict.fromkeys(contrat.COLONNES_FREINS, tuple(contrat.VALEURS_FREIN)),
    }
    return TypeFichier("file_active", "Extraction de la file active", tuple(colonnes), regles, exemple, listes)


def budget() -> TypeFichier:
    """Fichier budget (contrat §4) : une ligne par (année, ALI, ligne budgétaire)."""
    ref = charger_referentiel()
    montant = "montant en euros, positif ou nul ; virgule décimale et espaces entre les milliers admis (1 250 000,50)"
    formats = {
        "annee": "année entre 2000 et 2100 ; le fichier remplace toutes les lignes des années qu'il contient",
        "code_ali": "code d'une ALI du référentiel ; vide pour une ligne au niveau du département",
        "ligne": "ligne budgétaire, code court (lu en minuscules sans accents)",
        "montant_vote": f"crédits votés, {montant}",
        "montant_execute": f"crédits exécutés, {montant} ; vide pour une année en cours",
    }
    valeurs = {
        "code_ali": "vide, ou " + (f"{ref.ali[0]['code_ali']} à {ref.ali[-1]['code_ali']}" if ref.ali else ""),
        "ligne": "par exemple accompagnement_ali, diagnostics, formation, iae, mobilite, garde_enfants, autre",
    }
    regles = tuple(
        Regle(c, _obligatoire(c, contrat.OBLIGATOIRES_BUDGET), formats[c], valeurs.get(c, ""))
        for c in contrat.COLONNES_BUDGET
    )
    exemple = (
        {
            "annee": "2021",
            "code_ali": "",
            "ligne": "diagnostics",
            "montant_vote": "250000",
            "montant_execute": "231500",
        },
        {
            "annee": "2021",
            "code_ali": ref.ali[0]["code_ali"],
            "ligne": "accompagnement_ali",
            "montant_vote": "1 200 000",
            "montant_execute": "1 150 000,50",
        },
    )
    listes = {"code_ali": tuple(a["code_ali"] for a in ref.ali)}
    return TypeFichier("budget", "Fichier budget", tuple(contrat.COLONNES_BUDGET), regles, exemple, listes)


def _type(
    cle: str, titre: str, formats: dict, valeurs: dict, exemple: tuple, listes: dict, **conditions
) -> TypeFichier:
    """Un type de fichier du §7 : colonnes et obligatoires de contrat.py, une règle de format par colonne."""
    colonnes = contrat.COLONNES_PAR_NATURE[cle]
    obligatoires = contrat.OBLIGATOIRES_PAR_NATURE[cle]
    regles = tuple(
        Regle(c, conditions.get(c, _obligatoire(c, obligatoires)), formats[c], valeurs.get(c, "")) for c in colonnes
    )
    return TypeFichier(cle, titre, tuple(colonnes), regles, exemple, listes)


# Les exemples des modèles du §7 se répondent : les structures fictives de l'annuaire sont celles des mises en
# relation et des actions, la séance des participations est celle des actions (codes « EXEMPLE »).
_STRUCTURE_EXEMPLE = "EXEMPLE-ASSO"
_STRUCTURE_EXEMPLE_2 = "EXEMPLE-ML"
_ACTION_EXEMPLE = "EXEMPLE-ATELIER-1"
_EXTRACTION_EXEMPLE = "2023-06-30"
_ENTIER = "nombre entier positif ou nul"


def _codes_ali(ref) -> str:
    return f"{ref.ali[0]['code_ali']} à {ref.ali[-1]['code_ali']}" if ref.ali else ""


def structures() -> TypeFichier:
    """Annuaire des structures du territoire (contrat §7.5) : une ligne par structure, sans date_extraction."""
    ref = charger_referentiel()
    formats = {
        "code_structure": "code court de la structure, 2 à 40 caractères parmi lettres sans accent, chiffres, « _ » "
        "et « - » (lu en majuscules) ; le fichier remplace tout l'annuaire",
        "nom_structure": "nom public de l'organisation (150 caractères au plus) ; jamais le nom d'une personne",
        "type": "valeur de la liste",
        "code_commune": "code INSEE de la commune où elle accueille, dans le référentiel des communes",
        "domaines": "un ou plusieurs domaines de la liste, séparés par « | » (emploi|formation)",
        "reseaux": "libellés libres des réseaux dont elle est membre, séparés par « | » (reseau_pantin)",
        "site_web": "adresse du site public (sans espace, 200 caractères au plus) ; aucun contact personnel",
    }
    valeurs = {
        "type": _liste(contrat.TYPES_STRUCTURE),
        "code_commune": f"{len(ref.communes)} communes de la Seine-Saint-Denis",
        "domaines": _liste(contrat.DOMAINES),
    }
    commune = ref.ali[0]["communes"][0]
    exemple = (
        {
            "code_structure": _STRUCTURE_EXEMPLE,
            "nom_structure": "Association d'exemple",
            "type": "association",
            "code_commune": commune,
            "domaines": "emploi|numerique",
            "reseaux": "reseau_exemple",
            "site_web": "",
        },
        {
            "code_structure": _STRUCTURE_EXEMPLE_2,
            "nom_structure": "Mission locale d'exemple",
            "type": "mission_locale",
            "code_commune": commune,
            "domaines": "emploi|formation|logement",
            "reseaux": "",
            "site_web": "https://exemple.invalid",
        },
    )
    listes = {
        "type": tuple(contrat.TYPES_STRUCTURE),
        "code_commune": tuple(sorted(c["code_commune"] for c in ref.communes)),
    }
    return _type("structures", "Annuaire des structures", formats, valeurs, exemple, listes)


def mises_en_relation() -> TypeFichier:
    """Mises en relation par les structures partenaires (contrat §7.2) : une ligne par mise en relation."""
    ref = charger_referentiel()
    codes_ali = [a["code_ali"] for a in ref.ali]
    formats = {
        "id_beneficiaire": "pseudonyme attribué par le Département, le même que dans l'extraction de file active",
        "code_ali": "code d'une ALI du référentiel",
        "code_structure": "code d'une structure de l'annuaire (chargez l'annuaire d'abord) ; le fichier remplace les "
        "mises en relation de chaque structure × ALI qu'il contient",
        "date_mise_en_relation": f"{DATE} ; pas après date_extraction",
        "taille_entreprise": "valeur de la liste : tpe (moins de 10 salariés), pme (10 à 249), eti_ge (250 et plus)",
        "secteur_naf": "lettre de la section NAF de l'employeur (A à U)",
        "issue": "valeur de la liste",
        "date_embauche": f"{DATE} ; pas avant date_mise_en_relation ni après date_extraction",
        "type_contrat": "valeur de la liste",
        "duree_contrat_mois": "durée du contrat en mois, de 1 à 120 ; vide pour un CDI",
        "date_extraction": f"{DATE} ; la même sur toutes les lignes du fichier",
    }
    valeurs = {
        "code_ali": _codes_ali(ref),
        "taille_entreprise": _liste(contrat.TAILLES_ENTREPRISE),
        "secteur_naf": "A à U",
        "issue": _liste(contrat.ISSUES_MISE_EN_RELATION),
        "type_contrat": _liste(contrat.TYPES_CONTRAT),
    }
    commun = {
        "code_ali": codes_ali[0],
        "code_structure": _STRUCTURE_EXEMPLE,
        "date_extraction": _EXTRACTION_EXEMPLE,
    }
    exemple = (
        commun
        | {
            "id_beneficiaire": "EXEMPLE-0001",
            "date_mise_en_relation": "2023-04-20",
            "taille_entreprise": "tpe",
            "secteur_naf": "F",
            "issue": "embauche",
            "date_embauche": "2023-05-15",
            "type_contrat": "cdd",
            "duree_contrat_mois": "12",
        },
        commun
        | {
            "id_beneficiaire": "EXEMPLE-0002",
            "date_mise_en_relation": "2023-06-02",
            "taille_entreprise": "pme",
            "issue": "en_cours",
        },
    )
    listes = {
        "code_ali": tuple(codes_ali),
        "taille_entreprise": tuple(contrat.TAILLES_ENTREPRISE),
        "secteur_naf": contrat.SECTIONS_NAF,
        "issue": tuple(contrat.ISSUES_MISE_EN_RELATION),
        "type_contrat": tuple(contrat.TYPES_CONTRAT),
    }
    return _type(
        "mises_en_relation",
        "Mises en relation",
        formats,
        valeurs,
        exemple,
        listes,
        date_embauche="si issue embauche",
        type_contrat="si issue embauche",
    )


def actions_collectives() -> TypeFichier:
    """Actions collectives (contrat §7.3) : une ligne par séance."""
    ref = charger_referentiel()
    codes_ali = [a["code_ali"] for a in ref.ali]
    formats = {
        "id_action": "identifiant unique de la séance (1 à 64 caractères parmi lettres, chiffres, « _ », « - » et "
        "« . »)",
        "type_action": "valeur de la liste",
        "code_structure": "code de la structure organisatrice, dans l'annuaire (chargez l'annuaire d'abord) ; le "
        "fichier remplace les séances de chaque structure qu'il contient",
        "code_ali": "code de l'ALI qui mène la séance, s'il y en a une",
        "code_commune": "code INSEE de la commune de la séance",
        "quartier": "nom du quartier (texte libre, 80 caractères au plus ; jamais de nom de personne)",
        "date_action": f"{DATE} ; pas après date_extraction",
        "places": _ENTIER,
        "participants": _ENTIER,
        "rendez_vous_pris": f"{_ENTIER} ; rendez-vous pris pendant la séance",
        "personnes_remobilisees": f"{_ENTIER}, pas plus que participants ; personnes qui avaient renoncé et "
        "reprennent leurs démarches",
        "date_extraction": f"{DATE} ; la même sur toutes les lignes du fichier",
    }
    valeurs = {
        "type_action": _liste(contrat.TYPES_ACTION),
        "code_ali": _codes_ali(ref),
        "code_commune": f"{len(ref.communes)} communes de la Seine-Saint-Denis",
    }
    ali = ref.ali[0]
    exemple = (
        {
            "id_action": _ACTION_EXEMPLE,
            "type_action": "atelier_numerique",
            "code_structure": _STRUCTURE_EXEMPLE,
            "code_ali": ali["code_ali"],
            "code_commune": ali["communes"][0],
            "quartier": "",
            "date_action": "2023-04-04",
            "places": "8",
            "participants": "7",
            "rendez_vous_pris": "",
            "personnes_remobilisees": "",
            "date_extraction": _EXTRACTION_EXEMPLE,
        },
        {
            "id_action": "EXEMPLE-JOURNEE-1",
            "type_action": "aller_vers",
            "code_structure": _STRUCTURE_EXEMPLE_2,
            "code_ali": "",
            "code_commune": ali["communes"][0],
            "quartier": "Centre-ville",
            "date_action": "2023-06-01",
            "places": "",
            "participants": "42",
            "rendez_vous_pris": "11",
            "personnes_remobilisees": "6",
            "date_extraction": _EXTRACTION_EXEMPLE,
        },
    )
    listes = {
        "type_action": tuple(contrat.TYPES_ACTION),
        "code_ali": tuple(codes_ali),
        "code_commune": tuple(sorted(c["code_commune"] for c in ref.communes)),
    }
    return _type("actions_collectives", "Actions collectives", formats, valeurs, exemple, listes)


def participations() -> TypeFichier:
    """Participations aux actions collectives (contrat §7.3, facultatif) : qui a participé à quelle séance."""
    formats = {
        "id_beneficiaire": "pseudonyme attribué par le Département, le même que dans l'extraction de file active",
        "id_action": "identifiant d'une séance des actions collectives déjà chargées (chargez-les d'abord) ; le "
        "fichier remplace les participations aux séances de chaque structure organisatrice qu'il contient",
        "date_extraction": f"{DATE} ; la même sur toutes les lignes du fichier",
    }
    exemple = (
        {"id_beneficiaire": "EXEMPLE-0001", "id_action": _ACTION_EXEMPLE, "date_extraction": _EXTRACTION_EXEMPLE},
        {"id_beneficiaire": "EXEMPLE-0002", "id_action": _ACTION_EXEMPLE, "date_extraction": _EXTRACTION_EXEMPLE},
    )
    return _type("participations", "Participations aux actions collectives", formats, {}, exemple, {})


def moyens() -> TypeFichier:
    """Moyens des ALI (contrat §7.4) : une ligne par ALI et par mois."""
    ref = charger_referentiel()
    codes_ali = [a["code_ali"] for a in ref.ali]
    formats = {
        "code_ali": "code d'une ALI du référentiel ; le fichier remplace tous les mois des ALI qu'il contient",
        "mois": "mois AAAA-MM (ou MM/AAAA), pas après date_extraction",
        "referents_etp": "référents en équivalents temps plein, nombre positif ou nul ; virgule décimale admise (4,5)",
        "places": f"places d'accompagnement, {_ENTIER}",
        "cip_ecole": f"référents formés par l'École des CIP, {_ENTIER}",
        "date_extraction": f"{DATE} ; la même sur toutes les lignes du fichier",
    }
    valeurs = {"code_ali": _codes_ali(ref)}
    commun = {"code_ali": codes_ali[0], "date_extraction": _EXTRACTION_EXEMPLE}
    exemple = (
        commun | {"mois": "2023-05", "referents_etp": "4,5", "places": "160", "cip_ecole": ""},
        commun | {"mois": "2023-06", "referents_etp": "5", "places": "180", "cip_ecole": "1"},
    )
    listes = {"code_ali": tuple(codes_ali)}
    return _type("moyens", "Moyens (référents et places)", formats, valeurs, exemple, listes)


def types_fichier() -> list[TypeFichier]:
    """Les types de fichier que le chargeur reconnaît (d'après leurs colonnes), dans l'ordre du contrat. L'annuaire
    vient avant les mises en relation et les actions qui le citent, les actions avant leurs participations."""
    return [
        file_active(),
        budget(),
        structures(),
        mises_en_relation(),
        actions_collectives(),
        participations(),
        moyens(),
    ]
