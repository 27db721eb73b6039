"""Emplacements et réglages partagés par le chargeur, la CLI et l'application."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
QUERIES_DIR = PROJECT_ROOT / "queries"
SCHEMA_FILE = Path(__file__).resolve().parent / "store" / "schema.sql"

# Secret statistique (contrat §6) : effectifs de 1 à SEUIL_SECRET - 1 masqués sous le département.
SEUIL_SECRET = int(os.environ.get("INSERTION_SEUIL_SECRET", "11"))

# Limites d'un fichier reçu (CLI et page Importer passent par insertion.ingest.chargement.charger_fichiers).
# Lues à chaque appel : une variable d'environnement changée après l'import compte aussi.
TAILLE_MAX_MO_DEFAUT = 200  # Mo (10**6 octets), vérifié avant toute lecture du fichier
LIGNES_MAX_DEFAUT = 5_000_000  # lignes de données, vérifié sans lire tout le fichier
COLONNES_MAX = 1_000  # le contrat en compte 16 : au-delà, ce n'est pas une extraction
# Un .xlsx est un zip : refusé avant décompression si ses entrées déclarent plus que ceci,
# ou une entrée de plus de 10 Mo compressée plus de XLSX_TAUX_MAX fois (bombe de décompression).
XLSX_DECOMPRESSE_MAX_MO = 2_000
XLSX_TAUX_MAX = 100
XLSX_ENTREES_MAX = 1_000


def _entier_positif(variable: str, defaut: int) -> int:
    texte = os.environ.get(variable, "").strip()
    try:
        valeur = int(texte.replace("_", "").replace(" ", "")) if texte else defaut
    except ValueError:
        return defaut
    return valeur if valeur > 0 else defaut


def taille_max_mo() -> int:
    """Taille maximale d'un fichier reçu, en Mo : $INSERTION_TAILLE_MAX_MO, sinon 200."""
    return _entier_positif("INSERTION_TAILLE_MAX_MO", TAILLE_MAX_MO_DEFAUT)


def lignes_max() -> int:
    """Nombre maximal de lignes de données d'un fichier : $INSERTION_LIGNES_MAX, sinon 5 000 000."""
    return _entier_positif("INSERTION_LIGNES_MAX", LIGNES_MAX_DEFAUT)


# Un remplacement qui retire à une ALI plus que cette part de ses épisodes attend une confirmation
# (page Importer, `load --force`) : un export partiel ne doit pas effacer une file active sans qu'on le voie.
SEUIL_CONFIRMATION_DEFAUT = 20.0  # % des épisodes de l'ALI


def seuil_confirmation() -> float:
    """Part des épisodes d'une ALI (en %) qu'un fichier peut retirer sans confirmation :
    $INSERTION_SEUIL_CONFIRMATION (« 20 », « 12,5 », « 20 % »), sinon 20. Entre 0 (toute baisse est à
    confirmer) et 100 (jamais) ; une valeur illisible ou hors de ces bornes compte pour le défaut."""
    texte = os.environ.get("INSERTION_SEUIL_CONFIRMATION", "").strip().rstrip("%").strip().replace(",", ".")
    try:
        valeur = float(texte) if texte else SEUIL_CONFIRMATION_DEFAUT
    except ValueError:
        return SEUIL_CONFIRMATION_DEFAUT
    return valeur if 0 <= valeur <= 100 else SEUIL_CONFIRMATION_DEFAUT


def chemin_base_par_defaut() -> Path:
    """--db l'emporte, puis $INSERTION_DB, puis data/insertion.duckdb."""
    env = os.environ.get("INSERTION_DB")
    return Path(env) if env else DATA_DIR / "insertion.duckdb"


def dossier_referentiels() -> Path:
    """Le Département peut pointer vers son propre référentiel (mêmes colonnes)."""
    env = os.environ.get("INSERTION_REFERENTIEL")
    return Path(env) if env else DATA_DIR
