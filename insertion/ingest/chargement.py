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

Ce module enchaîne un chargement et en tient la transaction : contrôles avant écriture (insertion/ingest/controles.py),
chargement propre à chaque nature (chargement_extraits.py, chargement_systemes.py, sur les étapes communes de
etapes.py), confirmation d'un remplacement au-delà du seuil, échecs d'écriture de la base, et la copie de travail
mise en place d'un coup. Le compte rendu de chaque fichier est un ResultatChargement (compte_rendu.py).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb

from insertion import config
from insertion.contrat import COLONNES_FILE_ACTIVE  # noqa: F401  (ré-exporté pour les tests)
from insertion.ingest import apercu as apercus
from insertion.ingest import chargement_extraits, chargement_systemes, controles, etapes, formats_fichier, systemes
from insertion.ingest.compte_rendu import Forcer, ResultatChargement, phrase_comptes, refuse
from insertion.ingest.lecture import FichierRefuse
from insertion.store import db
from insertion.store.db import ouvrir_en_ecriture
from insertion.store.publication import fsync as _fsync
from insertion.store.publication import fsync_dossier as _fsync_dir
from insertion.store.publication import nettoyer_restes as _remove_leftovers
from insertion.store.publication import verrou_ecriture as _write_lock

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
            phrase_comptes(result, quarantaine=False),
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
    refused = controles.refus_taille(len(data), name)
    if refused:
        return refused
    digest = hashlib.sha256(data).hexdigest()
    known = etapes.deja_charge(con, name, digest)
    if known:
        return known
    try:
        raw = formats_fichier.lire_table(data, name)
        controles.verifier_identifiants(raw, name)
        nature = controles.reconnaitre_fichier(raw.colonnes, name)
        if raw.lignes_lues == 0:
            raise FichierRefuse(f"« {name} » ne contient aucune ligne de données sous l'en-tête.")
    except FichierRefuse as exc:
        return refuse(name, str(exc))
    except MemoryError:
        return refuse(
            name,
            f"« {name} » est trop volumineux pour la mémoire disponible : découpez l'extraction en plusieurs "
            "fichiers par ALI (toutes les lignes d'une même ALI dans le même fichier), puis chargez-les.",
        )
    except Exception as exc:  # un fichier hostile ne doit jamais produire une trace Python
        return refuse(name, _inattendu(name, exc))
    del data  # lu : la table le remplace
    seuil = config.seuil_confirmation()
    con.execute(etapes.texte_sql("macros"))
    con.begin()
    try:
        if nature in systemes.SPECS:
            result = chargement_systemes.charger_systeme(con, raw, name, digest, seuil, systemes.SPECS[nature])
        elif nature == "file_active":
            result = chargement_extraits.charger_file_active(con, raw, name, digest, seuil)
        else:
            result = chargement_extraits.charger_budget(con, raw, name, digest, seuil)
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
        return refuse(name, str(exc))
    except Exception as exc:  # la base reste intacte ; le détail technique ne cite aucune valeur du fichier
        _annuler(con)
        if _echec_ecriture(exc):  # pas la faute du fichier : tout l'envoi échoue (charger_fichiers)
            raise
        return refuse(name, _inattendu(name, exc))
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
        return refuse(name, _message_ecriture(name, exc) if _echec_ecriture(exc) else _inattendu(name, exc))


def _episodes_changes(result: ResultatChargement) -> bool:
    return result.nature == "file_active" and result.status == "loaded" and bool(result.ali_remplacees)


def _charger_chemin(con: duckdb.DuckDBPyConnection, path: Path, forcer: Forcer) -> ResultatChargement:
    """Un fichier du disque : sa taille est vérifiée avant de le lire en mémoire."""
    try:
        size = path.stat().st_size
    except OSError:
        return refuse(path.name, f"« {path.name} » est introuvable ou illisible.")
    refused = controles.refus_taille(size, path.name)
    if refused:
        return refused
    try:
        data = [path.read_bytes()]
    except OSError:
        return refuse(path.name, f"« {path.name} » est introuvable ou illisible.")
    # Passé sans garder de référence ici : _charger_octets libère le contenu dès qu'il est lu (140 Mo de moins
    # pendant l'écriture de la base, à 1 M de lignes).
    return _charger_octets(con, data.pop(), path.name, preparer=False, forcer=forcer)


def charger_fichiers(
    chemin_base: Path | str,
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
    chemin_base = Path(chemin_base)
    paths = [Path(p) for p in paths]
    resultats: list[ResultatChargement] = []
    try:
        chemin_base.parent.mkdir(parents=True, exist_ok=True)
        with _write_lock(chemin_base):
            work = chemin_base.with_name(chemin_base.name + ".chargement")
            _remove_leftovers(work)
            try:
                if chemin_base.exists():
                    shutil.copyfile(chemin_base, work)
                with ouvrir_en_ecriture(work) as con:
                    # Chaque fichier est une transaction ; passé 16 Mo de journal (le défaut), DuckDB réécrit la
                    # copie de travail à chaque validation. Elle n'est mise en place qu'à la fin, après un
                    # CHECKPOINT : 64 Mo évitent la plupart de ces réécritures (22 fichiers d'ALI à 1 M
                    # d'épisodes : 13 s → 10 s) sans mémoire de plus (benchmarks/README.md).
                    con.execute("SET checkpoint_threshold = '64MB'")
                    for index, path in enumerate(paths):
                        if progress:
                            progress(index, len(paths), path.name)
                        resultats.append(_charger_chemin(con, path, forcer))
                    if not simuler and any(_episodes_changes(r) for r in resultats):
                        # Une fois par envoi, pas par fichier : à 10 M d'épisodes, ≈ 1,5 s chaque fois.
                        con.begin()
                        db.preparer_indicateurs(con)
                        con.commit()
                    if not simuler:  # la copie d'une simulation est jetée : rien à mettre au propre
                        con.execute("CHECKPOINT")
                changed = not chemin_base.exists() or any(r.status in ("loaded", "older_snapshot") for r in resultats)
                if changed and not simuler:
                    _fsync(work)
                    os.replace(work, chemin_base)  # le seul instant où la base en place change
                    _fsync_dir(chemin_base.parent)
            finally:
                _remove_leftovers(work, strict=False)
    except Exception as exc:  # disque plein, base de travail invalidée… : aucune trace, la base en place est intacte
        kept = [
            r if r.status in ("refused", "already_loaded") else refuse(r.file, _echec_envoi(r.file, exc))
            for r in resultats
        ]
        resultats = kept + [refuse(p.name, _echec_envoi(p.name, exc)) for p in paths[len(resultats) :]]
    if simuler:
        for r in resultats:
            r.simulation = True
            r.message = "Simulation, rien n'a été écrit : " + r.message
    return resultats
