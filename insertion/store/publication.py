"""Publier une nouvelle version de la base sans bloquer les lecteurs : verrou, copie de travail, mise en place.

DuckDB n'admet qu'un processus écrivain et aucun lecteur pendant qu'il écrit. Qui écrit (un chargement, une
mise à niveau du schéma) prend le verrou de fichier `*.duckdb.verrou`, copie la base dans `*.duckdb.chargement`,
écrit dans la copie, puis la met en place d'un coup par `os.replace`. Un écrivain tué en route laisse la base
en place intacte ; ses restes sont effacés par le suivant.

Ce module ne connaît ni le schéma ni le chargeur : il ne manipule que des fichiers (aucun cycle d'imports).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def copie_de_travail(chemin_base: Path) -> Path:
    """Le fichier où s'écrit la prochaine version de la base."""
    return chemin_base.with_name(chemin_base.name + ".chargement")


@contextmanager
def verrou_ecriture(chemin_base: Path) -> Iterator[None]:
    """Un seul écrivain à la fois sur une base, entre processus (CLI, page Importer, mise à niveau)."""
    lock_path = chemin_base.with_name(chemin_base.name + ".verrou")
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dossier(folder: Path) -> None:
    """Le renommage survit à une coupure de courant ; sans effet sur le résultat s'il échoue."""
    try:
        fsync(folder)
    except OSError:
        pass


def nettoyer_restes(work: Path, strict: bool = True) -> None:
    """Ce qu'un chargement tué en route a pu laisser : la copie de travail, son journal, ses temporaires.

    Avant un chargement (strict), un journal qu'on ne pourrait pas supprimer serait rejoué par DuckDB
    sur la nouvelle copie : l'erreur remonte et l'envoi échoue. Après la mise en place, le ménage est
    un simple effort : le chargement suivant le refera.
    """
    try:
        for leftover in (work, work.with_name(work.name + ".wal")):
            leftover.unlink(missing_ok=True)
    except OSError:
        if strict:
            raise
    shutil.rmtree(work.with_name(work.name + ".tmp"), ignore_errors=True)
