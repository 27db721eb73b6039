"""Mise en forme de la page « Importer » (pages/importer.py), sans Streamlit : consignes, compte rendu d'un
envoi (bilan, tableau des fichiers, rejets par motif, niveau de chaque message) et la ligne du journal d'audit.

L'envoi lui-même (droit d'importer vérifié côté serveur, dossier temporaire, chargeur) est dans
insertion.present.qualite.importer ; les widgets et la confirmation d'un remplacement dans insertion.present.importer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import pandas as pd

from insertion import formats
from insertion.figures.qualite import NATURES, STATUTS_CHARGEMENT
from insertion.ingest import apercu
from insertion.ingest.compte_rendu import ResultatChargement


def nom_sur(nom: str) -> str:
    """Le nom du fichier tel qu'envoyé, sans chemin (rien ne sort du dossier temporaire)."""
    base = Path(str(nom).replace("\\", "/")).name.strip()
    return base if base not in ("", ".", "..") else "fichier"


NIVEAUX = {
    "loaded": "success",
    "already_loaded": "info",
    "older_snapshot": "warning",
    "refused": "error",
    "to_confirm": "warning",
}


def niveau(resultat: ResultatChargement) -> str:
    """success / info / warning / error ; un fichier « chargé » sans aucune ligne valide est un avertissement."""
    if resultat.status == "loaded" and resultat.rows_read and not resultat.accepted:
        return "warning"
    return NIVEAUX.get(resultat.status, "info")


def bilan(resultats: Iterable[ResultatChargement]) -> str:
    """« 3 fichiers : 1 chargé, 1 déjà chargé, 1 refusé. »"""
    resultats = list(resultats)
    mots = {
        "loaded": ("chargé", "chargés"),
        "already_loaded": ("déjà chargé", "déjà chargés"),
        "older_snapshot": ("plus ancien gardé en historique", "plus anciens gardés en historique"),
        "refused": ("refusé", "refusés"),
        "to_confirm": ("à confirmer", "à confirmer"),
    }
    parties = []
    for statut, (un, plusieurs) in mots.items():
        n = sum(r.status == statut for r in resultats)
        if n:
            parties.append(f"{n} {un if n == 1 else plusieurs}")
    n = len(resultats)
    return f"{n} fichier{'s' if n > 1 else ''} : " + ", ".join(parties) + "."


def tableau_resultats(resultats: Iterable[ResultatChargement]) -> pd.DataFrame:
    """Une ligne par fichier : résultat, date d'extraction, lignes lues, acceptées, rejetées."""
    lignes = []
    for r in resultats:
        refuse = r.status == "refused"
        lignes.append(
            {
                "Fichier": r.file,
                "Résultat": STATUTS_CHARGEMENT.get(r.status, r.status),
                "Nature": NATURES.get(r.nature, formats.SANS_OBJET) if r.nature else formats.SANS_OBJET,
                "Date d'extraction": formats.date_longue(r.date_extraction),
                "Lignes lues": formats.SANS_OBJET if refuse else formats.entier(r.rows_read),
                "Acceptées": formats.SANS_OBJET if refuse else formats.entier(r.accepted),
                "Rejetées": formats.SANS_OBJET if refuse else formats.entier(r.rejected),
            }
        )
    return pd.DataFrame(lignes)


def tableau_motifs(resultat: ResultatChargement) -> pd.DataFrame:
    """Les rejets d'un fichier par motif, le plus fréquent d'abord."""
    items = sorted(resultat.rejections.items(), key=lambda kv: (-kv[1], kv[0]))
    return pd.DataFrame({"Motif de rejet": [k for k, _ in items], "Lignes": [formats.entier(v) for _, v in items]})


def horodatage_import(moment: datetime | None = None) -> str:
    moment = moment or datetime.now()
    return f"{formats.date_longue(moment.date())} à {moment:%H:%M}"


# --- Textes de la page ----------------------------------------------------------------------------------------


def consigne(seuil_confirmation: float) -> str:
    """Ce qu'on peut déposer et ce qu'il advient des lignes fautives ; seuil : config.seuil_confirmation()."""
    return (
        "Déposez une ou plusieurs **extractions de file active**, **fichiers budget** ou fichiers des partenaires "
        "(**mises en relation**, **actions collectives** et leurs **participations**, **moyens**, **annuaire des "
        "structures**), en CSV, Excel .xlsx ou Parquet, puis cliquez sur **Charger**. Les règles sont celles du "
        "contrat de données : les lignes fautives "
        "sont mises de côté (page Qualité des données) et le reste du fichier est chargé ; un fichier qui contient "
        "des données directement identifiantes (nom, NIR, e-mail, téléphone, adresse…) est refusé en entier, sans "
        "rien enregistrer. Un fichier qui retirerait à une ALI plus de "
        f"{apercu.pourcentage_seuil(seuil_confirmation)} de ses épisodes, ou ferait baisser le budget d'une "
        "année, n'est appliqué qu'après votre confirmation : vous voyez d'abord ce qu'il remplacerait (de même pour "
        "un fichier des partenaires qui retirerait plus que ce seuil des lignes d'une structure, d'une ALI ou de "
        "l'annuaire)."
    )


AVERTISSEMENT_DEMO = (
    "La base contient les **données de démonstration**. Une extraction chargée ici remplacera les données de "
    "démonstration des seules ALI qu'elle contient ; les autres ALI resteront fictives."
)
NOTE_MODELES = (
    "Le type d'un fichier est reconnu à ses colonnes. Les en-têtes sont lus sans tenir compte des majuscules ; les "
    "valeurs d'une liste aussi (accents, espaces et tirets tolérés : « Socio-professionnel »), sauf sexe et "
    "niveaux du CECRL. Les colonnes non obligatoires peuvent manquer ou rester vides. Chaque modèle contient deux "
    "lignes d'exemple fictives, à remplacer par vos données ; le modèle Excel propose les valeurs admises en listes "
    "déroulantes et rappelle les règles dans sa seconde feuille."
)


def consigne_depot(taille_max_mo: int) -> str:
    """La consigne de la zone de dépôt en français, avec la limite réelle du chargeur (config.taille_max_mo()).

    La zone de dépôt de Streamlit 1.67 écrit ses consignes en anglais (« Drag and drop files here », « Browse
    files » / « Upload », « 200MB per file ») et n'offre aucun paramètre pour les traduire (demande ouverte :
    streamlit/streamlit#13500 ; la PR #10042 qui l'ajoutait a été fermée) : on les donne donc juste au-dessus.
    """
    return (
        f"Glissez-déposez vos fichiers dans le cadre ci-dessous, ou cliquez sur son bouton pour les choisir. "
        f"Formats acceptés : CSV, Excel (.xlsx), Parquet ; **{formats.entier(taille_max_mo)} Mo au plus par "
        "fichier**. (Les consignes en anglais du cadre viennent de Streamlit et ne peuvent pas être traduites.)"
    )


def en_cours(n: int) -> str:
    """« Chargement de 2 fichiers… » : le libellé du bloc d'état pendant l'envoi."""
    return f"Chargement de {n} fichier{'s' if n > 1 else ''}…"


def journal(resultats: Iterable[ResultatChargement]) -> str:
    """« a.csv (loaded), b.csv (refused) » : pour le journal d'audit."""
    return ", ".join(f"{r.file} ({r.status})" for r in resultats)


def message(resultat: ResultatChargement) -> str:
    """Le message d'un fichier dans le compte rendu : son nom, son statut en français, ce que dit le chargeur."""
    statut = STATUTS_CHARGEMENT.get(resultat.status, resultat.status)
    return f"**{resultat.file}** — {statut}.\n\n{resultat.message}"


def titre_apercu(resultat: ResultatChargement) -> str:
    """L'en-tête de l'aperçu avant → après d'un fichier chargé ou à confirmer."""
    titre = "Ce que ce fichier remplacerait" if resultat.status == "to_confirm" else "Ce que ce fichier a remplacé"
    return f"**{titre}** — « {resultat.file} »"
