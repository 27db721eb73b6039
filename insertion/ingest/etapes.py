"""Les étapes communes à tous les fichiers, dans la transaction du chargement : SQL du chargeur (insertion/ingest/sql),
table réduite aux colonnes du contrat, date d'extraction unique, rejets comptés par motif, quarantaine, ligne de
l'historique des chargements et reconnaissance d'un fichier déjà chargé à l'identique.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from insertion import formats
from insertion.ingest import lecture
from insertion.ingest.compte_rendu import ResultatChargement
from insertion.ingest.lecture import FichierRefuse

SQL_DIR = Path(__file__).resolve().parent / "sql"


def texte_sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def executer_sql(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> None:
    """Les instructions d'un fichier SQL, séparées par une ligne « ; » seule, lancées l'une après l'autre :
    DuckDB ne lie de paramètres qu'à la dernière instruction d'un envoi. Chacune reçoit ceux qu'elle cite."""
    for statement in re.split(r"^;\s*$", texte_sql(name), flags=re.MULTILINE):
        if statement.strip():
            used = {k: v for k, v in params.items() if f"${k}" in statement}
            con.execute(statement, used or None)


def table_contrat(raw: lecture.TableBrute, columns: list[str]) -> pa.Table:
    """Les seules colonnes du contrat (les optionnelles absentes valent NULL), plus `_ligne`."""
    n = raw.table.num_rows
    arrays = [raw.table.column(c) if c in raw.table.column_names else pa.nulls(n, type=pa.string()) for c in columns]
    return pa.table(arrays + [raw.table.column("_ligne")], names=columns + ["_ligne"])


def date_extraction(con: duckdb.DuckDBPyConnection, name: str) -> date:
    # Chaque valeur distincte est lue une fois (le plus souvent, il n'y en a qu'une) ; les lignes ne sont
    # relues que pour citer celles dont la date est absente ou illisible.
    ((bad_lines, dates),) = con.execute(texte_sql("dates_extraction")).fetchall()
    if not bad_lines and not dates:
        # Toutes les lignes de données sont malformées (séparateur, guillemets) : aucune date d'extraction.
        raise FichierRefuse(
            f"« {name} » : aucune ligne n'a le nombre de colonnes de l'en-tête, la date de l'extraction est "
            "introuvable. Vérifiez le séparateur et les guillemets puis rechargez le fichier."
        )
    if bad_lines:
        shown = ", ".join(map(str, bad_lines[:5])) + (" …" if len(bad_lines) > 5 else "")
        raise FichierRefuse(
            f"« {name} » : date_extraction absente ou illisible (ligne{'s' if len(bad_lines) > 1 else ''} {shown}). "
            "Chaque ligne doit porter la date de l'extraction, au format AAAA-MM-JJ ou JJ/MM/AAAA."
        )
    if len(dates) > 1:
        shown = ", ".join(d.isoformat() for d in sorted(dates)[:5])
        raise FichierRefuse(
            f"« {name} » : date_extraction a plusieurs valeurs ({shown}) ; un fichier est l'instantané d'une "
            "seule date. Séparez les extractions puis rechargez-les."
        )
    return dates[0]


def compter_rejets(con: duckdb.DuckDBPyConnection, raw: lecture.TableBrute) -> dict[str, int]:
    counts: dict[str, int] = {}
    for reason, n in con.execute(
        "SELECT motif_rejet, count(*) FROM _verifie WHERE motif_rejet IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1"
    ).fetchall():
        counts[reason] = n
    for _, reason in raw.malformees:
        counts[reason.split(" (")[0]] = counts.get(reason.split(" (")[0], 0) + 1
    return counts


def mettre_en_quarantaine(con: duckdb.DuckDBPyConnection, load_id: int, raw: lecture.TableBrute) -> None:
    con.execute(
        texte_sql("inserer_quarantaine"),
        {"id": load_id},
    )
    if raw.malformees:
        con.executemany(
            "INSERT INTO quarantaine VALUES (?, ?, NULL, NULL, ?, ?)",
            [(load_id, line, reason.split(" (")[0], reason) for line, reason in raw.malformees],
        )


def enregistrer_chargement(
    con: duckdb.DuckDBPyConnection, result: ResultatChargement, digest: str, years: list[int]
) -> int:
    load_id = con.execute("SELECT nextval('seq_chargement')").fetchall()[0][0]
    con.execute(
        texte_sql("inserer_chargement"),
        {
            "id": load_id,
            "fichier": result.file,
            "empreinte": digest,
            "nature": result.nature,
            "statut": result.status,
            "date_extraction": result.date_extraction,
            "lues": result.rows_read,
            "acceptees": result.accepted,
            "rejetees": result.rejected,
            "ali_remplacees": result.ali_remplacees,
            "ali_historique": result.ali_historique,
            "annees": years,
            "message": result.message,
        },
    )
    return load_id


def deja_charge(con: duckdb.DuckDBPyConnection, name: str, digest: str) -> ResultatChargement | None:
    row = con.execute(
        texte_sql("chargement_deja_fait"),
        [digest],
    ).fetchall()
    if not row:
        return None
    load_id, first_name, rows_read, accepted, rejected, nature, as_of, when = row[0]
    return ResultatChargement(
        file=name,
        status="already_loaded",
        rows_read=rows_read,
        accepted=accepted,
        rejected=rejected,
        nature=nature,
        date_extraction=as_of,
        message=(
            f"« {name} » a déjà été chargé à l'identique le {formats.date_longue(when.date())} "
            f"(chargement n° {load_id}, « {first_name} ») : rien n'a changé."
        ),
    )
