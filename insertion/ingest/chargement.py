"""Chargement des extractions de file active, des fichiers budget (contrat §3 et §4) et des fichiers du contrat §7
(mises en relation, actions collectives, participations, moyens, annuaire des structures :
insertion/ingest/systemes.py), chacun reconnu à ses colonnes.

Un chargement = une transaction : la base est exactement comme avant si quoi que ce soit
échoue. Les lignes fautives sont mises en quarantaine (ligne, colonne, motif) ; le fichier
est refusé entier quand il ne peut pas être lu, qu'il manque une colonne obligatoire, que
date_extraction n'est pas unique, ou qu'il contient un identifiant direct.

Dans la même transaction, le chargeur mesure ce que le fichier remplace, avant → après
(insertion/ingest/apercu.py). Un fichier qui retire à une ALI plus que le seuil de ses épisodes, ou qui
fait baisser une année budgétaire, est « to_confirm » : la transaction est annulée, rien ne
change, tant que le remplacement n'est pas confirmé (`forcer`).
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from insertion import config, formats
from insertion.contrat import (  # noqa: F401  (COLONNES_FILE_ACTIVE : ré-exporté pour les tests)
    COLONNES_BUDGET,
    COLONNES_EXTRACTION,
    COLONNES_FILE_ACTIVE,
    COLONNES_PROPRES_FILE_ACTIVE,
    NATURES_FICHIER,
    OBLIGATOIRES_BUDGET,
    OBLIGATOIRES_FILE_ACTIVE,
    OBLIGATOIRES_PAR_NATURE,
)
from insertion.ingest import apercu as apercus
from insertion.ingest import identifiants, lecture, systemes
from insertion.ingest.lecture import FichierRefuse
from insertion.store import cles, db
from insertion.store.db import ouvrir_en_ecriture
from insertion.store.publication import fsync as _fsync
from insertion.store.publication import fsync_dossier as _fsync_dir
from insertion.store.publication import nettoyer_restes as _remove_leftovers
from insertion.store.publication import verrou_ecriture as _write_lock

SQL_DIR = Path(__file__).resolve().parent / "sql"


STATUTS = ("loaded", "already_loaded", "older_snapshot", "refused", "to_confirm")

# forcer : True confirme tout remplacement ; un ensemble de jetons (Apercu.jeton) ne confirme que ces
# aperçus-là, tels qu'ils ont été montrés : même contenu de fichier, même avant → après.
Forcer = bool | Collection[str]


@dataclass
class ResultatChargement:
    file: str
    status: str
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    rejections: dict[str, int] = field(default_factory=dict)
    message: str = ""
    nature: str | None = None  # une clé de contrat.NATURES_FICHIER ('file_active', 'budget', 'moyens'…)
    date_extraction: date | None = None
    ali_remplacees: list[str] = field(default_factory=list)
    ali_historique: list[str] = field(default_factory=list)
    apercu: apercus.Apercu | None = None  # ce que le fichier remplace, avant → après
    empreinte: str = ""  # SHA-256 du contenu
    id_chargement: int | None = None
    simulation: bool = False  # --dry-run : rien n'a été écrit

    @property
    def jeton(self) -> str | None:
        """Ce qu'il faut passer à `forcer` pour confirmer ce remplacement-là (et lui seul)."""
        return self.apercu.jeton(self.empreinte) if self.apercu is not None else None

    def en_json(self) -> dict:
        """La forme publiée par `python -m insertion load --json`."""
        data = asdict(self)
        out = {k: data[k] for k in ("file", "status", "rows_read", "accepted", "rejected", "rejections", "message")}
        out["apercu"] = self.apercu.en_json(self.empreinte) if self.apercu is not None else None
        out["dry_run"] = self.simulation
        return out


def _texte_sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def _executer_sql(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> None:
    """Les instructions d'un fichier SQL, séparées par une ligne « ; » seule, lancées l'une après l'autre :
    DuckDB ne lie de paramètres qu'à la dernière instruction d'un envoi. Chacune reçoit ceux qu'elle cite."""
    for statement in re.split(r"^;\s*$", _texte_sql(name), flags=re.MULTILINE):
        if statement.strip():
            used = {k: v for k, v in params.items() if f"${k}" in statement}
            con.execute(statement, used or None)


def _refuse(name: str, message: str) -> ResultatChargement:
    return ResultatChargement(file=name, status="refused", message=f"Fichier refusé : {message}")


def reconnaitre_fichier(headers: list[str], name: str) -> str:
    """La nature du fichier d'après ses colonnes (contrat §3, §4, §7) ; refuse s'il en manque une obligatoire."""
    present = set(headers)
    if "montant_vote" in present or ({"annee", "ligne"} <= present and "id_beneficiaire" not in present):
        nature = "budget"
    elif present & COLONNES_PROPRES_FILE_ACTIVE:
        nature = "file_active"
    else:
        nature = systemes.reconnaitre(present)
        if nature is None and present & set(OBLIGATOIRES_FILE_ACTIVE):
            nature = "file_active"
    if nature is None:
        raise FichierRefuse(
            f"« {name} » n'a les colonnes d'aucun fichier du contrat : extraction de file active "
            f"({', '.join(OBLIGATOIRES_FILE_ACTIVE)}), fichier budget ({', '.join(OBLIGATOIRES_BUDGET)}), "
            "mises en relation, actions collectives, participations, moyens ou annuaire des structures (voir les "
            "modèles de la page Importer)."
        )
    required = OBLIGATOIRES_PAR_NATURE[nature]
    missing = [c for c in required if c not in present]
    if missing:
        label = {
            "file_active": "l'extraction de file active",
            "budget": "le fichier budget",
        }.get(nature, f"le fichier « {NATURES_FICHIER[nature]} »")
        plural = "s" if len(missing) > 1 else ""
        raise FichierRefuse(
            f"« {name} » : colonne{plural} obligatoire{plural} absente{plural} pour {label} : "
            f"{', '.join(missing)}. Ajoutez-la{'s' if plural else ''} puis rechargez le fichier."
        )
    return nature


def verifier_identifiants(raw: lecture.TableBrute, name: str) -> None:
    columns = identifiants.colonnes_identifiantes(raw.colonnes)
    if columns:
        raise FichierRefuse(
            f"« {name} » contient des données directement identifiantes (colonne{'s' if len(columns) > 1 else ''} "
            f"{', '.join(columns)}). Rien n'a été enregistré : retirez ces colonnes puis rechargez le fichier."
        )
    values = [(f"colonne {col}", label, lines) for col, label, lines in identifiants.valeurs_identifiantes(raw.table)]
    if raw.hors_colonnes is not None and raw.hors_colonnes.num_rows:
        # Une colonne sans en-tête, des cellules au-delà de l'en-tête, une ligne malformée : rien n'en
        # serait chargé, mais le fichier contient la donnée, il est refusé comme les autres.
        for _, label, lines in identifiants.valeurs_identifiantes(raw.hors_colonnes):
            values.append(("cellule hors des colonnes nommées", label, sorted(set(lines))))
    if values:
        details = "; ".join(
            f"{where} : {label}, ligne{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))}"
            for where, label, lines in values
        )
        raise FichierRefuse(
            f"« {name} » contient des valeurs qui ressemblent à des identifiants directs ({details}). "
            "Rien n'a été enregistré : pseudonymisez ou retirez ces valeurs puis rechargez le fichier."
        )


def _table_contrat(raw: lecture.TableBrute, columns: list[str]) -> pa.Table:
    """Les seules colonnes du contrat (les optionnelles absentes valent NULL), plus `_ligne`."""
    n = raw.table.num_rows
    arrays = [raw.table.column(c) if c in raw.table.column_names else pa.nulls(n, type=pa.string()) for c in columns]
    return pa.table(arrays + [raw.table.column("_ligne")], names=columns + ["_ligne"])


def _date_extraction(con: duckdb.DuckDBPyConnection, name: str) -> date:
    # Chaque valeur distincte est lue une fois (le plus souvent, il n'y en a qu'une) ; les lignes ne sont
    # relues que pour citer celles dont la date est absente ou illisible.
    ((bad_lines, dates),) = con.execute(_texte_sql("dates_extraction")).fetchall()
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


def _compter_rejets(con: duckdb.DuckDBPyConnection, raw: lecture.TableBrute) -> dict[str, int]:
    counts: dict[str, int] = {}
    for reason, n in con.execute(
        "SELECT motif_rejet, count(*) FROM _verifie WHERE motif_rejet IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1"
    ).fetchall():
        counts[reason] = n
    for _, reason in raw.malformees:
        counts[reason.split(" (")[0]] = counts.get(reason.split(" (")[0], 0) + 1
    return counts


def _mettre_en_quarantaine(con: duckdb.DuckDBPyConnection, load_id: int, raw: lecture.TableBrute) -> None:
    con.execute(
        _texte_sql("inserer_quarantaine"),
        {"id": load_id},
    )
    if raw.malformees:
        con.executemany(
            "INSERT INTO quarantaine VALUES (?, ?, NULL, NULL, ?, ?)",
            [(load_id, line, reason.split(" (")[0], reason) for line, reason in raw.malformees],
        )


def _enregistrer_chargement(
    con: duckdb.DuckDBPyConnection, result: ResultatChargement, digest: str, years: list[int]
) -> int:
    load_id = con.execute("SELECT nextval('seq_chargement')").fetchall()[0][0]
    con.execute(
        _texte_sql("inserer_chargement"),
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


def _phrase_comptes(result: ResultatChargement, quarantaine: bool = True) -> str:
    return (
        f"« {result.file} » : {formats.entier(result.rows_read)} ligne{'s' if result.rows_read > 1 else ''} "
        f"lue{'s' if result.rows_read > 1 else ''}, {formats.entier(result.accepted)} "
        f"acceptée{'s' if result.accepted > 1 else ''}, {formats.entier(result.rejected)} "
        f"rejetée{'s' if result.rejected > 1 else ''}"
        + (" (voir la page Qualité des données)." if result.rejected and quarantaine else ".")
    )


@contextmanager
def _sans_ordre_d_insertion(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Rien ne lit l'historique dans l'ordre de ses lignes : DuckDB l'écrit alors avec ses deux fils sans
    remettre les morceaux dans l'ordre (≈ 0,3 s de moins à 1 M de lignes). Le réglage est rendu tel qu'il
    était : l'écriture triée des épisodes courants en dépend."""
    ((before,),) = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        try:
            con.execute("SET preserve_insertion_order = true" if before else "SET preserve_insertion_order = false")
        except duckdb.Error:  # connexion invalidée par l'erreur en cours : c'est elle qui doit remonter
            pass


def _charger_file_active(
    con: duckdb.DuckDBPyConnection, raw: lecture.TableBrute, name: str, digest: str, seuil: float
) -> ResultatChargement:
    con.register("_brut", _table_contrat(raw, COLONNES_EXTRACTION))
    try:
        as_of = _date_extraction(con, name)
        _executer_sql(con, "valider_file_active", {"date_extraction": as_of})
    finally:
        con.unregister("_brut")
    accepted = con.execute("SELECT count(*) FROM _verifie WHERE motif_rejet IS NULL").fetchall()[0][0]
    current = con.execute(_texte_sql("instantanes_en_place")).fetchall()
    # À date égale, la nouvelle extraction remplace l'ancienne : c'est une correction.
    replaced = [ali for ali, in_place in current if in_place is None or as_of >= in_place]
    older = {ali: in_place for ali, in_place in current if in_place is not None and as_of < in_place}
    result = ResultatChargement(
        file=name,
        status="older_snapshot" if older and not replaced else "loaded",
        rows_read=raw.lignes_lues,
        accepted=accepted,
        rejected=raw.lignes_lues - accepted,
        rejections=_compter_rejets(con, raw),
        nature="file_active",
        date_extraction=as_of,
        ali_remplacees=replaced,
        ali_historique=sorted(older),
    )
    parts = [_phrase_comptes(result)]
    if replaced:
        parts.append(f"Extraction du {formats.date_longue(as_of)} désormais courante pour {', '.join(replaced)}.")
    if older:
        listed = ", ".join(f"{ali} (en place : {formats.date_longue(d)})" for ali, d in sorted(older.items()))
        parts.append(
            f"Extraction du {formats.date_longue(as_of)} plus ancienne que celle en place pour {listed} : "
            "gardée dans l'historique, les chiffres affichés ne changent pas."
        )
    if not accepted:
        parts.append("Aucune ligne valide : aucun instantané n'a changé.")
    result.message = " ".join(parts)

    load_id = _enregistrer_chargement(con, result, digest, [])
    result.id_chargement = load_id
    avant = apercus.etat_ali(con, replaced)
    with _sans_ordre_d_insertion(con):
        con.execute(_texte_sql("inserer_historique_file_active"), {"id": load_id})
    _mettre_en_quarantaine(con, load_id, raw)
    con.execute(
        "UPDATE instantanes SET courant = false WHERE courant AND list_contains($remplacees, code_ali)",
        {"remplacees": replaced},
    )
    con.execute(
        _texte_sql("inserer_instantanes"),
        {"id": load_id, "remplacees": replaced, "date_extraction": as_of},
    )
    remplacer_episodes_courants(con, load_id, replaced)
    if replaced:
        result.apercu = apercus.pour_file_active(replaced, avant, apercus.etat_ali(con, replaced), seuil)
    return result


def remplacer_episodes_courants(con: duckdb.DuckDBPyConnection, load_id: int, replaced: list[str]) -> None:
    """Les épisodes courants des ALI remplacées deviennent ceux du fichier."""
    con.execute("DELETE FROM episodes WHERE list_contains($remplacees, code_ali)", {"remplacees": replaced})
    con.execute(
        _texte_sql("inserer_episodes_courants"), {"id": load_id, "remplacees": replaced, **cles.sel(con).pads()}
    )


def _charger_budget(
    con: duckdb.DuckDBPyConnection, raw: lecture.TableBrute, name: str, digest: str, seuil: float
) -> ResultatChargement:
    con.register("_brut", _table_contrat(raw, COLONNES_BUDGET))
    try:
        con.execute(_texte_sql("valider_budget"))
    finally:
        con.unregister("_brut")
    accepted = con.execute("SELECT count(*) FROM _verifie WHERE motif_rejet IS NULL").fetchall()[0][0]
    years = [
        y for (y,) in con.execute("SELECT DISTINCT annee FROM _verifie WHERE motif_rejet IS NULL ORDER BY 1").fetchall()
    ]
    result = ResultatChargement(
        file=name,
        status="loaded",
        rows_read=raw.lignes_lues,
        accepted=accepted,
        rejected=raw.lignes_lues - accepted,
        rejections=_compter_rejets(con, raw),
        nature="budget",
    )
    parts = [_phrase_comptes(result)]
    if years:
        label = "les années" if len(years) > 1 else "l'année"
        parts.append(f"Budget remplacé pour {label} {', '.join(map(str, years))}.")
    else:
        parts.append("Aucune ligne valide : le budget en place ne change pas.")
    result.message = " ".join(parts)
    load_id = _enregistrer_chargement(con, result, digest, years)
    result.id_chargement = load_id
    _mettre_en_quarantaine(con, load_id, raw)
    avant = apercus.etat_budget(con, years)
    con.execute("DELETE FROM budget WHERE list_contains($annees, annee)", {"annees": years})
    con.execute(
        _texte_sql("inserer_budget"),
        {"id": load_id},
    )
    if years:
        result.apercu = apercus.pour_budget(years, avant, apercus.etat_budget(con, years), seuil)
    return result


def _rejeter_doublons(con: duckdb.DuckDBPyConnection, spec: systemes.SpecSysteme) -> None:
    """Parmi les lignes valides, la première occurrence est gardée, les suivantes rejetées en citant sa ligne.
    Les colonnes viennent de systemes.SPECS (écrites en toutes lettres), jamais du fichier."""
    con.execute(
        spec.sql_doublons,
        {"colonne": spec.doublon[0], "motif": spec.motif_doublon},
    )


def _etat_systeme(con: duckdb.DuckDBPyConnection, spec: systemes.SpecSysteme, cles_: list[str]) -> dict:
    """Pour chaque clé : (date de l'instantané courant, lignes courantes)."""
    rows = con.execute(
        spec.sql_etat,
        {"cles": cles_},
    ).fetchall()
    return {cle: (d, n) for cle, d, n in rows}


def _charger_systeme(
    con: duckdb.DuckDBPyConnection,
    raw: lecture.TableBrute,
    name: str,
    digest: str,
    seuil: float,
    spec: systemes.SpecSysteme,
) -> ResultatChargement:
    """Un fichier du contrat §7.2 à §7.5 : règles de ligne, doublons, quarantaine, historique, instantanés par clé."""
    con.register("_brut", _table_contrat(raw, list(spec.colonnes_fichier)))
    try:
        as_of = _date_extraction(con, name) if spec.date_extraction else None
        _executer_sql(con, f"valider_{spec.nature}", {"date_extraction": as_of})
    finally:
        con.unregister("_brut")
    _rejeter_doublons(con, spec)
    accepted = con.execute("SELECT count(*) FROM _verifie WHERE motif_rejet IS NULL").fetchall()[0][0]
    current = con.execute(
        _texte_sql("instantanes_systemes_en_place"),
        {"nature": spec.nature},
    ).fetchall()
    # À date égale, le nouveau fichier remplace l'ancien (une correction) ; l'annuaire, sans date, remplace toujours.
    replaced = [cle for cle, in_place, known in current if not known or as_of is None or as_of >= in_place]
    older = {cle: in_place for cle, in_place, known in current if known and as_of is not None and as_of < in_place}
    result = ResultatChargement(
        file=name,
        status="older_snapshot" if older and not replaced else "loaded",
        rows_read=raw.lignes_lues,
        accepted=accepted,
        rejected=raw.lignes_lues - accepted,
        rejections=_compter_rejets(con, raw),
        nature=spec.nature,
        date_extraction=as_of,
    )
    parts = [_phrase_comptes(result)]
    label = NATURES_FICHIER[spec.nature]
    if replaced and spec.nature == "structures":
        parts.append(f"{label} remplacé ({formats.entier(accepted)} structure{'s' if accepted > 1 else ''}).")
    elif replaced:
        parts.append(
            f"{label} : instantané du {formats.date_longue(as_of)} désormais courant pour {spec.libelle_cle} "
            f"{', '.join(cle.replace('|', ' × ') for cle in replaced)}."
        )
    if older:
        listed = ", ".join(
            f"{cle.replace('|', ' × ')} (en place : {formats.date_longue(d)})" for cle, d in sorted(older.items())
        )
        parts.append(
            f"{label} : instantané du {formats.date_longue(as_of)} plus ancien que celui en place pour {listed} : "
            "gardé dans l'historique, les chiffres affichés ne changent pas."
        )
    if not accepted:
        parts.append("Aucune ligne valide : rien n'a changé.")
    result.message = " ".join(parts)
    load_id = _enregistrer_chargement(con, result, digest, [])
    result.id_chargement = load_id
    con.execute(spec.sql_historique, {"id": load_id})
    _mettre_en_quarantaine(con, load_id, raw)
    avant = _etat_systeme(con, spec, replaced)
    con.execute(
        "UPDATE instantanes_systemes SET courant = false "
        "WHERE nature = $nature AND courant AND list_contains($cles, cle)",
        {"nature": spec.nature, "cles": replaced},
    )
    con.execute(
        _texte_sql("inserer_instantanes_systemes"),
        {"nature": spec.nature, "date_extraction": as_of, "id": load_id, "cles": replaced},
    )
    con.execute(spec.sql_retirer, {"cles": replaced})
    con.execute(spec.sql_inserer, {"id": load_id, "cles": replaced})
    cles.preparer(con)  # les clés de cellule des lignes insérées (personnes, séances), secret statistique
    if replaced:
        apres = _etat_systeme(con, spec, replaced)
        result.apercu = apercus.pour_systeme(spec.nature, spec.libelle_cle, replaced, avant, apres, seuil)
    return result


def _deja_charge(con: duckdb.DuckDBPyConnection, name: str, digest: str) -> ResultatChargement | None:
    row = con.execute(
        _texte_sql("chargement_deja_fait"),
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


# Ce qui empêche d'écrire la base (disque plein, limite de taille, base invalidée par une erreur
# d'écriture) : pas la faute du fichier, tout l'envoi échoue et la base en place ne change pas.
_ERREURS_ECRITURE = (OSError, duckdb.IOException, duckdb.FatalException)
# DuckDB signale aussi un échec d'écriture par d'autres classes (TransactionException « Failed to commit:
# Could not write file … »), reconnues à leur texte.
_INDICES_ECRITURE = (
    "could not write", "no space left", "file too large", "disk quota", "not enough space", "could not fsync",
    "could not truncate", "could not open file", "has been invalidated",
)  # fmt: skip


def _echec_ecriture(exc: BaseException) -> bool:
    """L'erreur vient-elle de l'écriture de la base (disque), et non du fichier chargé ?"""
    if isinstance(exc, _ERREURS_ECRITURE):
        return True
    # Le texte n'est lu que pour les classes où DuckDB range ces échecs (pas une erreur qui citerait une cellule).
    kinds = (duckdb.TransactionException, duckdb.InternalException, duckdb.InvalidInputException)
    return isinstance(exc, kinds) and any(hint in str(exc).lower() for hint in _INDICES_ECRITURE)


def _message_ecriture(name: str, exc: BaseException) -> str:
    text = str(exc).lower()
    full = (isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)) or any(
        hint in text for hint in ("no space left", "file too large", "disk quota", "not enough space")
    )
    cause = (
        "le disque est plein (ou la taille de fichier permise est atteinte)"
        if full
        else f"erreur d'écriture ({type(exc).__name__})"
    )
    return (
        f"« {name} » n'a pas été chargé : la base n'a pas pu être écrite, {cause}. Aucun fichier de cet envoi "
        "n'a été enregistré et la base est restée telle qu'avant le chargement. Libérez de l'espace disque "
        "puis relancez le chargement."
    )


def _echec_envoi(name: str, exc: BaseException) -> str:
    """Le message de chaque fichier d'un envoi dont la base de travail n'a pas pu être écrite ou mise en place."""
    if _echec_ecriture(exc):
        return _message_ecriture(name, exc)
    return (
        f"« {name} » n'a pas été chargé : erreur inattendue pendant l'écriture de la base ({type(exc).__name__}). "
        "Aucun fichier de cet envoi n'a été enregistré et la base est restée telle qu'avant le chargement ; "
        "signalez-le à l'équipe données."
    )


def _inattendu(name: str, exc: BaseException) -> str:
    """Le détail technique ne cite aucune valeur du fichier : le type de l'erreur seulement."""
    return (
        f"« {name} » : erreur inattendue pendant le chargement ({type(exc).__name__}). "
        "La base est restée inchangée ; signalez ce fichier à l'équipe données."
    )


def verifier_taille(size_bytes: int, name: str) -> None:
    """Refuse (FichierRefuse) un fichier au-delà de la taille permise, avant de le lire ou de l'enregistrer.

    charger_fichiers l'appelle sur `path.stat()` ; la page Importer peut l'appeler sur la taille d'un envoi
    avant de l'écrire sur le disque. Limite : $INSERTION_TAILLE_MAX_MO (200 Mo par défaut).
    """
    limit = config.taille_max_mo()
    if size_bytes > limit * 10**6:
        raise FichierRefuse(
            f"« {name} » pèse {formats.decimal(size_bytes / 10**6)} Mo, au-delà de la limite de "
            f"{formats.entier(limit)} Mo par fichier (réglage INSERTION_TAILLE_MAX_MO) : il n'a pas été lu. "
            "Découpez l'extraction en plusieurs fichiers par ALI, en gardant toutes les lignes d'une même ALI "
            "dans le même fichier (chaque fichier remplace l'instantané des ALI qu'il contient), ou "
            "enregistrez-la en Parquet, plus compact, puis chargez-les l'un après l'autre."
        )


def refus_taille(size_bytes: int, name: str) -> ResultatChargement | None:
    """Le ResultatChargement « refused » d'un fichier trop gros, None s'il passe : pour la page Importer."""
    try:
        verifier_taille(size_bytes, name)
    except FichierRefuse as exc:
        return _refuse(name, str(exc))
    return None


def _annuler(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.rollback()
    except duckdb.Error:  # la connexion peut déjà être invalidée par l'erreur elle-même
        pass


def _confirme(forcer: Forcer, result: ResultatChargement) -> bool:
    if isinstance(forcer, bool):
        return forcer
    return result.jeton in forcer


def _a_confirmer(result: ResultatChargement) -> ResultatChargement:
    """Le fichier n'est pas appliqué : le compte rendu dit ce qu'il aurait remplacé et comment confirmer."""
    result.status = "to_confirm"
    result.id_chargement = None
    result.message = " ".join(
        [
            _phrase_comptes(result, quarantaine=False),
            "Remplacement à confirmer, rien n'a été chargé : " + " ; ".join(result.apercu.raisons) + ".",
            "Vérifiez que l'export est complet. Pour remplacer quand même : bouton « Confirmer le remplacement » "
            "de la page Importer, ou `python -m insertion load --force`.",
        ]
    )
    return result


def _note_confirmation(con: duckdb.DuckDBPyConnection, result: ResultatChargement) -> None:
    """Un remplacement confirmé au-delà du seuil le dit dans son compte rendu et dans l'historique."""
    result.message += " Remplacement confirmé malgré la baisse : " + " ; ".join(result.apercu.raisons) + "."
    con.execute(
        "UPDATE chargements SET message = $message WHERE id_chargement = $id",
        {"message": result.message, "id": result.id_chargement},
    )


def _charger_octets(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    name: str,
    *,
    preparer: bool,
    forcer: Forcer = False,
    simuler: bool = False,
) -> ResultatChargement:
    """charger_octets, sauf que les erreurs d'écriture de la base remontent (charger_fichiers en fait
    l'échec de l'envoi).

    preparer : met à jour les marqueurs des personnes à épisodes multiples dans la même transaction. Ils
    dépendent de toutes les ALI : charger_fichiers ne le fait qu'une fois, après le dernier fichier de l'envoi.
    simuler : tout est fait puis la transaction est annulée (l'aperçu est celui du vrai chargement).
    """
    refused = refus_taille(len(data), name)
    if refused:
        return refused
    digest = hashlib.sha256(data).hexdigest()
    known = _deja_charge(con, name, digest)
    if known:
        return known
    try:
        raw = lecture.lire_table(data, name)
        verifier_identifiants(raw, name)
        nature = reconnaitre_fichier(raw.colonnes, name)
        if raw.lignes_lues == 0:
            raise FichierRefuse(f"« {name} » ne contient aucune ligne de données sous l'en-tête.")
    except FichierRefuse as exc:
        return _refuse(name, str(exc))
    except MemoryError:
        return _refuse(
            name,
            f"« {name} » est trop volumineux pour la mémoire disponible : découpez l'extraction en plusieurs "
            "fichiers par ALI (toutes les lignes d'une même ALI dans le même fichier), puis chargez-les.",
        )
    except Exception as exc:  # un fichier hostile ne doit jamais produire une trace Python
        return _refuse(name, _inattendu(name, exc))
    del data  # lu : la table le remplace
    seuil = config.seuil_confirmation()
    con.execute(_texte_sql("macros"))
    con.begin()
    try:
        if nature in systemes.SPECS:
            result = _charger_systeme(con, raw, name, digest, seuil, systemes.SPECS[nature])
        else:
            loader = _charger_file_active if nature == "file_active" else _charger_budget
            result = loader(con, raw, name, digest, seuil)
        result.empreinte = digest
        beyond = result.apercu is not None and result.apercu.a_confirmer
        if beyond and not _confirme(forcer, result):
            _annuler(con)  # la même transaction : l'aperçu est mesuré, rien n'est gardé
            result.simulation = simuler
            return _a_confirmer(result)
        if simuler:
            _annuler(con)
            result.simulation = True
            result.message = "Simulation, rien n'a été écrit : " + result.message
            return result
        if result.apercu is not None:
            apercus.enregistrer(con, result.id_chargement, result.apercu)
            if beyond:
                _note_confirmation(con, result)
        if preparer and _episodes_changes(result):
            db.preparer_indicateurs(con)
        con.execute("DROP TABLE IF EXISTS _verifie")
        con.commit()
    except FichierRefuse as exc:
        _annuler(con)
        return _refuse(name, str(exc))
    except Exception as exc:  # la base reste intacte ; le détail technique ne cite aucune valeur du fichier
        _annuler(con)
        if _echec_ecriture(exc):  # pas la faute du fichier : tout l'envoi échoue (charger_fichiers)
            raise
        return _refuse(name, _inattendu(name, exc))
    return result


def charger_octets(
    con: duckdb.DuckDBPyConnection, data: bytes, name: str, *, forcer: Forcer = False, simuler: bool = False
) -> ResultatChargement:
    """Charge un fichier reçu (contenu et nom) sur une connexion en écriture au schéma installé.

    Ne lève pas : un fichier illisible, hostile ou trop gros est « refused » avec un message en français.
    Un remplacement au-delà du seuil est « to_confirm » (rien n'est écrit) sauf si `forcer` le confirme
    (True, ou un ensemble de jetons dont celui de result.jeton). simuler : l'aperçu seul, rien n'est écrit
    (le numéro de chargement consommé par la séquence de DuckDB, qui n'est pas transactionnelle, est perdu).
    """
    try:
        return _charger_octets(con, data, name, preparer=True, forcer=forcer, simuler=simuler)
    except Exception as exc:
        return _refuse(name, _message_ecriture(name, exc) if _echec_ecriture(exc) else _inattendu(name, exc))


def _episodes_changes(result: ResultatChargement) -> bool:
    return result.nature == "file_active" and result.status == "loaded" and bool(result.ali_remplacees)


def _charger_chemin(con: duckdb.DuckDBPyConnection, path: Path, forcer: Forcer) -> ResultatChargement:
    """Un fichier du disque : sa taille est vérifiée avant de le lire en mémoire."""
    try:
        size = path.stat().st_size
    except OSError:
        return _refuse(path.name, f"« {path.name} » est introuvable ou illisible.")
    refused = refus_taille(size, path.name)
    if refused:
        return refused
    try:
        data = [path.read_bytes()]
    except OSError:
        return _refuse(path.name, f"« {path.name} » est introuvable ou illisible.")
    # Passé sans garder de référence ici : _charger_octets libère le contenu dès qu'il est lu (140 Mo de moins
    # pendant l'écriture de la base, à 1 M de lignes).
    return _charger_octets(con, data.pop(), path.name, preparer=False, forcer=forcer)


def charger_fichiers(
    db_path: Path | str,
    paths: Iterable[Path | str],
    progress: Callable[[int, int, str], None] | None = None,
    *,
    forcer: Forcer = False,
    simuler: bool = False,
) -> list[ResultatChargement]:
    """Charge des fichiers dans l'ordre donné, chacun dans sa propre transaction.

    On travaille sur une copie de la base, mise en place d'un coup (`os.replace`) à la fin :
    les lecteurs (l'application) gardent la base en place pendant tout le chargement, sans
    verrou DuckDB à attendre, et voient la nouvelle version dès qu'ils rouvrent le fichier.
    Un chargement tué en route laisse la base en place intacte. Si la base ne peut pas être
    écrite (disque plein…), aucun fichier de l'envoi n'est enregistré et chacun le dit ; rien
    ne lève d'exception.

    Un fichier au-delà du seuil de confirmation est « to_confirm » et n'est pas appliqué ; les autres
    fichiers de l'envoi se chargent (chacun est comparé à la base telle que les fichiers précédents
    l'ont laissée). forcer : voir charger_octets. simuler (--dry-run) : l'envoi est chargé comme d'habitude
    dans la copie de travail, qui est ensuite jetée : la base en place n'est ni réécrite ni touchée.
    """
    db_path = Path(db_path)
    paths = [Path(p) for p in paths]
    results: list[ResultatChargement] = []
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        with _write_lock(db_path):
            work = db_path.with_name(db_path.name + ".chargement")
            _remove_leftovers(work)
            try:
                if db_path.exists():
                    shutil.copyfile(db_path, work)
                with ouvrir_en_ecriture(work) as con:
                    # Chaque fichier est une transaction ; passé 16 Mo de journal (le défaut), DuckDB réécrit la
                    # copie de travail à chaque validation. Elle n'est mise en place qu'à la fin, après un
                    # CHECKPOINT : 64 Mo évitent la plupart de ces réécritures (22 fichiers d'ALI à 1 M
                    # d'épisodes : 13 s → 10 s) sans mémoire de plus (benchmarks/README.md).
                    con.execute("SET checkpoint_threshold = '64MB'")
                    for index, path in enumerate(paths):
                        if progress:
                            progress(index, len(paths), path.name)
                        results.append(_charger_chemin(con, path, forcer))
                    if not simuler and any(_episodes_changes(r) for r in results):
                        # Une fois par envoi, pas par fichier : à 10 M d'épisodes, ≈ 1,5 s chaque fois.
                        con.begin()
                        db.preparer_indicateurs(con)
                        con.commit()
                    if not simuler:  # la copie d'une simulation est jetée : rien à mettre au propre
                        con.execute("CHECKPOINT")
                changed = not db_path.exists() or any(r.status in ("loaded", "older_snapshot") for r in results)
                if changed and not simuler:
                    _fsync(work)
                    os.replace(work, db_path)  # le seul instant où la base en place change
                    _fsync_dir(db_path.parent)
            finally:
                _remove_leftovers(work, strict=False)
    except Exception as exc:  # disque plein, base de travail invalidée… : aucune trace, la base en place est intacte
        kept = [
            r if r.status in ("refused", "already_loaded") else _refuse(r.file, _echec_envoi(r.file, exc))
            for r in results
        ]
        results = kept + [_refuse(p.name, _echec_envoi(p.name, exc)) for p in paths[len(results) :]]
    if simuler:
        for r in results:
            r.simulation = True
            r.message = "Simulation, rien n'a été écrit : " + r.message
    return results
