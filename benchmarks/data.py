"""Extractions de banc d'essai : la démonstration du projet, mise à l'échelle, gardée en cache sur disque.

1. `insertion.demo.generer(cache/demo, seed=93)` écrit les extractions trimestrielles de la démonstration ;
2. les 22 derniers instantanés (31/10/2026, ~29 600 épisodes) sont chargés par le chargeur du projet
   (`insertion.ingest.chargement.charger_fichiers`) dans `cache/base.duckdb` : des valeurs déjà normalisées
   (codes, dates ISO) quel que soit le format du fichier d'origine (CSV Windows-1252, dates françaises…) ;
3. pour une échelle N, ces épisodes sont répétés : la copie k (k ≥ 1) suffixe les pseudonymes de « rk »
   (`3f9c…e1` → `3f9c…e1r17`) ; une personne garde donc son parcours (réorientation vers une autre ALI
   comprise) dans chaque copie. La dernière copie est partielle : ses lignes sont tirées dans un ordre
   déterministe (md5 de l'épisode), pour que toutes les ALI y figurent. Une seule date_extraction par fichier.
4. une ligne sur 10 000 reçoit un défaut (commune inconnue, date impossible, sexe manquant) pour que la
   quarantaine et la page Qualité aient du contenu, comme dans un vrai fichier : N lignes lues, N − N/10 000
   épisodes acceptés.

Les fichiers sont écrits à côté puis renommés : un arrêt en cours de route ne laisse pas de fichier tronqué
que l'exécution suivante prendrait pour bon.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / "cache"
SEED = 93
FORMAT_VERSION = 1  # à changer si la construction des extractions change : le cache est alors refait
DEFAUT_TOUTES_LES = 10_000  # une ligne fautive toutes les DEFAUT_TOUTES_LES lignes

ECHELLES = {"100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}


@dataclass(frozen=True)
class Extraction:
    echelle: str
    lignes: int
    fautives: int
    csv: Path
    budget: Path
    date_extraction: str

    @property
    def acceptees(self) -> int:
        return self.lignes - self.fautives


@contextmanager
def verrou(nom: str) -> Iterator[None]:
    """Exclusion entre exécutions simultanées (une CI qui lance --smoke pendant une mesure complète, par exemple)
    sur une partie du cache : on attend son tour plutôt que de se marcher dessus."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f".{nom}.verrou", "a+b") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _log(f"cache « {nom} » occupé par une autre exécution : attente…")
            fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _log(message: str) -> None:
    print(f"[données] {message}", flush=True)


def demo_files() -> tuple[list[Path], Path]:
    """Les 22 derniers instantanés de la démonstration et son budget.csv (générés une fois)."""
    from insertion.demo.calendrier import FIN

    dossier = CACHE / "demo"
    marque = dossier / ".complet"
    attendu = f"seed={SEED}"
    if not (marque.exists() and marque.read_text() == attendu):
        from insertion.demo import generer

        t = time.perf_counter()
        dossier.mkdir(parents=True, exist_ok=True)
        marque.unlink(missing_ok=True)
        generer(dossier, seed=SEED)
        marque.write_text(attendu)
        _log(f"démonstration générée dans {dossier} ({time.perf_counter() - t:.1f} s)")
    derniers = sorted(dossier.glob(f"extraction_*_{FIN.isoformat()}.*"))
    if len(derniers) != 22:
        raise RuntimeError(f"{len(derniers)} derniers instantanés trouvés dans {dossier} au lieu de 22")
    return derniers, dossier / "budget.csv"


def base_episodes() -> Path:
    """Les derniers instantanés chargés par le chargeur du projet : les lignes à répéter."""
    derniers, _ = demo_files()
    base = CACHE / "base.duckdb"
    marque = CACHE / "base.json"
    attendu = {"seed": SEED, "fichiers": [p.name for p in derniers], "version": FORMAT_VERSION}
    if base.exists() and marque.exists() and json.loads(marque.read_text()) == attendu:
        return base
    from insertion.ingest.chargement import charger_fichiers

    t = time.perf_counter()
    for ancien in (base, marque):
        ancien.unlink(missing_ok=True)
    resultats = charger_fichiers(base, derniers)
    refuses = [r.message for r in resultats if r.status != "loaded"]
    if refuses:
        raise RuntimeError("derniers instantanés de la démonstration non chargés : " + " | ".join(refuses))
    marque.write_text(json.dumps(attendu))
    _log(f"{sum(r.accepted for r in resultats)} épisodes de base chargés ({time.perf_counter() - t:.1f} s)")
    return base


def _sql_extraction(n: int, base_n: int) -> str:
    copies = -(-n // base_n)
    d = DEFAUT_TOUTES_LES
    return f"""
    COPY (
        WITH b AS (
            SELECT
                *,
                row_number() OVER (ORDER BY md5(concat_ws('|', id_beneficiaire, code_ali, date_orientation))) - 1
                    AS rang
            FROM base.episodes
        ),
        r AS (
            SELECT b.*, c.k, c.k * {base_n} + b.rang AS position
            FROM b, range({copies}) AS c(k)
            WHERE c.k * {base_n} + b.rang < {n}
        )
        SELECT
            CASE WHEN k = 0 THEN id_beneficiaire ELSE id_beneficiaire || 'r' || k END AS id_beneficiaire,
            code_ali,
            CASE WHEN position % {d} = {d // 2} THEN '93999' ELSE code_commune END AS code_commune,
            strftime(date_orientation, '%Y-%m-%d') AS date_orientation,
            type_parcours,
            CASE WHEN position % {d} = {d // 2 + 1} THEN '2025-02-31'
                 ELSE strftime(date_diag_numerique, '%Y-%m-%d') END AS date_diag_numerique,
            niveau_numerique,
            strftime(date_diag_linguistique, '%Y-%m-%d') AS date_diag_linguistique,
            niveau_linguistique,
            strftime(date_sortie, '%Y-%m-%d') AS date_sortie,
            motif_sortie,
            tranche_age,
            CASE WHEN position % {d} = {d // 2 + 2} THEN NULL ELSE sexe END AS sexe,
            composition_foyer,
            anciennete_rsa,
            strftime(date_extraction, '%Y-%m-%d') AS date_extraction
        FROM r
        ORDER BY k, code_ali, date_orientation, id_beneficiaire
    ) TO $chemin (FORMAT csv, HEADER true, DELIMITER ',')
    """


def _fautives(n: int) -> int:
    """Nombre de positions p < n avec p % d dans {d//2, d//2 + 1, d//2 + 2} (les trois défauts)."""
    d = DEFAUT_TOUTES_LES
    return sum((n - 1 - p) // d + 1 for p in (d // 2, d // 2 + 1, d // 2 + 2) if p < n)


def extraction(echelle: str) -> Extraction:
    """Le CSV d'une échelle (construit une fois, puis lu dans le cache)."""
    with verrou("donnees"):
        return _extraction(echelle)


def _extraction(echelle: str) -> Extraction:
    n = ECHELLES[echelle]
    _, budget = demo_files()
    base = base_episodes()
    chemin = CACHE / f"extraction_bench_{echelle}_2026-10-31.csv"
    marque = chemin.with_suffix(".json")
    attendu = {"lignes": n, "seed": SEED, "version": FORMAT_VERSION, "defaut_toutes_les": DEFAUT_TOUTES_LES}
    if chemin.exists() and marque.exists():
        meta = json.loads(marque.read_text())
        if {k: meta.get(k) for k in attendu} == attendu and meta.get("octets") == chemin.stat().st_size:
            return Extraction(echelle, n, meta["fautives"], chemin, budget, meta["date_extraction"])
    t = time.perf_counter()
    marque.unlink(missing_ok=True)
    provisoire = chemin.with_name(chemin.name + ".tmp")
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute("ATTACH $base AS base (READ_ONLY)", {"base": str(base)})
        ((base_n, dates),) = con.execute(
            "SELECT count(*), list(DISTINCT date_extraction) FROM base.episodes"
        ).fetchall()
        if len(dates) != 1:
            raise RuntimeError(f"les derniers instantanés ont plusieurs dates d'extraction : {dates}")
        con.execute(_sql_extraction(n, base_n), {"chemin": str(provisoire)})
    finally:
        con.close()
    os.replace(provisoire, chemin)
    meta = {
        **attendu,
        "fautives": _fautives(n),
        "date_extraction": dates[0].isoformat(),
        "octets": chemin.stat().st_size,
        "episodes_de_base": base_n,
    }
    marque.write_text(json.dumps(meta, indent=2))
    _log(f"{chemin.name} : {n:,} lignes, {meta['octets'] / 1e6:.0f} Mo ({time.perf_counter() - t:.1f} s)")
    return Extraction(echelle, n, meta["fautives"], chemin, budget, meta["date_extraction"])
