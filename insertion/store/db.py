"""Connexions à la base DuckDB et installation du schéma."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from insertion.config import QUERIES_DIR, SCHEMA_FILE
from insertion.store import cles, publication, referentiel

# Monte quand une table dérivée change : une base plus ancienne est mise à niveau à son ouverture.
# 7 : table chargements_remplacements (avant → après de chaque remplacement), créée par schema.sql.
# 8 : colonne episodes.cle_personne (clés de cellule du secret statistique, insertion/store/cles.py).
# 9 : colonnes frein_* des épisodes (contrat §7.1), tables des fichiers du §7 (mises en relation, actions
#     collectives, participations, moyens, annuaire des structures, instantanes_systemes), colonnes du remplacement
#     de ces fichiers dans chargements_remplacements ; toutes créées par schema.sql.
# 10 : clés de cellule des fichiers du §7 (mises_en_relation.cle_personne, participations.cle_personne,
#      actions_collectives.cle_action), pour publier leurs effectifs sous le secret statistique.
# 11 : macros budget_par_groupe (queries/macros/budget.sql), reponses_freins, freins_connus et freins_oui
#      (queries/macros/freins.sql), alis_du_territoire et alis_communes_du_territoire (queries/macros/territoire.sql),
#      table ref_freins (la liste des freins du contrat, insertion/store/referentiel.py) : une base plus ancienne ne
#      les a pas, ses lecteurs ne pourraient pas lancer les indicateurs du coût, des freins, de la date d'observation
#      et de la qualité. Les macros sont dans la base (une connexion de lecture n'écrit rien) : en ajouter une, ou en
#      changer une, monte la version.
VERSION_SCHEMA = "11"
_PREPARATION = Path(__file__).resolve().parent / "sql" / "episodes_indicateurs.sql"


def preparer_indicateurs(con: duckdb.DuckDBPyConnection) -> None:
    """Complète les colonnes préparées des épisodes courants (une fois par envoi de fichiers), clés de
    personne comprises (celles qui manquent ; toutes si le sel a changé)."""
    con.execute(_PREPARATION.read_text(encoding="utf-8"))
    cles.preparer(con)


def fichiers_macros() -> list[Path]:
    """Les fichiers de macros partagées (queries/macros/*.sql), dans l'ordre de leur nom. DuckDB ne lit le corps
    d'une macro qu'à son emploi : une macro peut en appeler une d'un autre fichier, quel que soit l'ordre."""
    return sorted((QUERIES_DIR / "macros").glob("*.sql"))


def installer_macros(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)crée les macros de queries/macros/ dans la base (CREATE OR REPLACE) : elles y restent pour les
    connexions de lecture, qui n'écrivent rien."""
    for fichier in fichiers_macros():
        con.execute(fichier.read_text(encoding="utf-8"))


def version(con: duckdb.DuckDBPyConnection) -> str | None:
    rows = con.execute("SELECT valeur FROM meta WHERE cle = 'version_schema'").fetchall()
    return rows[0][0] if rows else None


def assurer_schema(con: duckdb.DuckDBPyConnection, ref: referentiel.Referentiel | None = None) -> None:
    """Crée ce qui manque, recharge les référentiels et les macros de queries/macros/ ; met à niveau une base
    plus ancienne (tables dérivées, clés de personne) ; recalcule les clés si le sel a changé."""
    con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))
    referentiel.installer(con, ref or referentiel.charger_referentiel())
    # Les macros d'abord : la mise à niveau calcule les clés avec cle_hmac.
    installer_macros(con)
    if version(con) != VERSION_SCHEMA:
        con.execute(_PREPARATION.read_text(encoding="utf-8"))
        cles.preparer(con, tout_recalculer=True)
        con.execute("INSERT OR REPLACE INTO meta VALUES ('version_schema', $v)", {"v": VERSION_SCHEMA})
    else:
        cles.preparer(con)


@contextmanager
def ouvrir_en_ecriture(chemin_base: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """Connexion en écriture, schéma à jour ; fermée à la sortie."""
    path = Path(chemin_base)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("SET enable_progress_bar = false")  # la barre de DuckDB s'écrirait dans la sortie de la CLI
        con.begin()
        assurer_schema(con)
        con.commit()
        yield con
    finally:
        con.close()


def ouvrir_en_lecture(chemin_base: Path | str) -> duckdb.DuckDBPyConnection:
    """Une connexion en lecture à la version actuelle du fichier.

    DuckDB garde une instance par chemin : tant qu'une connexion est ouverte, `duckdb.connect(chemin)`
    rend l'ancienne version même après le remplacement du fichier par un chargement. On attache donc
    le fichier à une instance en mémoire qui lui est propre : chaque version a la sienne, et les
    lecteurs de l'ancienne finissent tranquillement leurs requêtes.
    """
    path = Path(chemin_base)
    if not path.exists():
        raise FileNotFoundError(
            f"Base introuvable : {path}. Chargez des extractions (python -m insertion load …) "
            "ou les données de démonstration (python -m insertion demo)."
        )
    con = _attacher(path)
    if _version_lue(con) != VERSION_SCHEMA or not cles.a_jour(con):
        # Base écrite par une version précédente, ou clés calculées avec un autre sel : ses tables dérivées
        # sont reconstruites une fois, par le chemin des chargements (copie, verrou, remplacement), puis on
        # relit la nouvelle version.
        con.close()
        mettre_a_niveau(path)
        con = _attacher(path)
    return con


def mettre_a_niveau(chemin_base: Path | str) -> None:
    """Met une base écrite par une version précédente au schéma courant (tables dérivées), sans rien
    charger : même copie, même verrou et même remplacement qu'un chargement, les lecteurs ne voient
    jamais une base à moitié mise à niveau."""
    chemin_base = Path(chemin_base)
    with publication.verrou_ecriture(chemin_base):
        work = publication.copie_de_travail(chemin_base)
        publication.nettoyer_restes(work)
        try:
            shutil.copyfile(chemin_base, work)
            with ouvrir_en_ecriture(work) as con:
                con.execute("CHECKPOINT")
            publication.fsync(work)
            os.replace(work, chemin_base)
            publication.fsync_dossier(chemin_base.parent)
        finally:
            publication.nettoyer_restes(work, strict=False)


# Plafond de mémoire d'une instance de lecture (l'application en garde au plus deux, pendant qu'un
# chargement remplace la base). Sans lui, DuckDB garde en mémoire jusqu'à 80 % de la machine : 1,7 Go pour
# l'application à 10 M d'épisodes. Au-delà, les opérateurs débordent sur disque, dans le dossier temporaire.
MEMOIRE_LECTURE_DEFAUT = "256MB"


def _reglages_lecture() -> dict[str, str]:
    return {
        "memory_limit": os.environ.get("INSERTION_MEMOIRE_DUCKDB", "").strip() or MEMOIRE_LECTURE_DEFAUT,
        "temp_directory": str(Path(tempfile.gettempdir()) / "insertion-duckdb"),
    }


def _attacher(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config=_reglages_lecture())
    con.execute("SET enable_progress_bar = false")
    con.execute("ATTACH $path AS base (READ_ONLY)", {"path": str(path)})
    con.execute("USE base")
    return con


def _version_lue(con: duckdb.DuckDBPyConnection) -> str | None:
    if not con.execute("SELECT 1 FROM duckdb_tables() WHERE database_name = 'base' AND table_name = 'meta'").fetchall():
        return None
    return version(con)


def curseur(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Un curseur (une connexion par fil d'exécution) placé sur la base attachée s'il y en a une.

    Un curseur ne garde pas le `USE base` de sa connexion : on le rejoue. Une seule instruction par curseur
    (chaque requête en ouvre un) : essayer `USE base` coûte moins que chercher d'abord si `base` est attachée
    (0,1 ms au lieu de 0,5). Une connexion en écriture (fichier ouvert directement) n'a pas de base `base` :
    l'échec est attendu et le curseur reste sur son fichier ; si ce fichier s'appelle base.duckdb, son
    catalogue s'appelle `base` et `USE base` ne change rien.
    """
    cur = con.cursor()
    try:
        cur.execute("USE base")
    except duckdb.CatalogException:
        pass
    return cur
