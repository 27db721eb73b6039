"""Ce que la page Importer dit des fichiers à déposer : pour chaque type de fichier du contrat (§3 extraction de
file active, §4 fichier budget), ses colonnes et leurs règles, et un modèle CSV à remplir.

Tout vient d'insertion.contrat (colonnes, obligatoires, valeurs admises) et du référentiel (codes d'ALI, de
communes, motifs de sortie) : la liste affichée ne peut pas dire autre chose que ce que le chargeur applique.
Les phrases de format reprennent les règles de validation du chargeur (insertion/ingest/sql/valider_*.sql).
Sans Streamlit : la page ne fait que la mise en page.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pandas as pd

from insertion import contrat
from insertion.store.referentiel import load_referentiel

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

    @property
    def nom_modele(self) -> str:
        return f"modele_{self.cle}.csv"

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


def _liste(codes) -> str:
    return ", ".join(codes)


def _obligatoire(colonne: str, obligatoires: list[str]) -> str:
    return "oui" if colonne in obligatoires else "non"


def file_active() -> TypeFichier:
    """Extraction de la file active (contrat §3) : une ligne par épisode d'accompagnement."""
    ref = load_referentiel()
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
    }
    obligatoire = {c: _obligatoire(c, contrat.OBLIGATOIRES_FILE_ACTIVE) for c in contrat.COLONNES_FILE_ACTIVE}
    obligatoire["motif_sortie"] = "si date_sortie"
    regles = tuple(Regle(c, obligatoire[c], formats[c], valeurs.get(c, "")) for c in contrat.COLONNES_FILE_ACTIVE)
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
    return TypeFichier(
        "file_active", "Extraction de la file active", tuple(contrat.COLONNES_FILE_ACTIVE), regles, exemple
    )


def budget() -> TypeFichier:
    """Fichier budget (contrat §4) : une ligne par (année, ALI, ligne budgétaire)."""
    ref = load_referentiel()
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
    return TypeFichier("budget", "Fichier budget", tuple(contrat.COLONNES_BUDGET), regles, exemple)


def types_fichier() -> list[TypeFichier]:
    """Les types de fichier que le chargeur reconnaît (d'après leurs colonnes), dans l'ordre du contrat."""
    return [file_active(), budget()]
