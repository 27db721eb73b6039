"""Référentiels livrés dans data/ : communes, ALI, motifs de sortie.

Ils sont lus depuis des CSV (séparateur ';', UTF-8) pour que le Département puisse les
remplacer par les siens, mêmes colonnes, sans toucher au code. S'y ajoute la liste des freins
périphériques, tirée du contrat (ref_freins), pour que le SQL ne la recopie pas.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import duckdb

from insertion.config import dossier_referentiels
from insertion.contrat import COLONNES_FREINS


class ReferentielInvalide(ValueError):
    """Un fichier de référentiel est absent ou mal formé."""


@dataclass(frozen=True)
class Referentiel:
    communes: tuple[dict, ...]
    ali: tuple[dict, ...]
    motifs: tuple[dict, ...]

    @property
    def codes_ali(self) -> frozenset[str]:
        return frozenset(a["code_ali"] for a in self.ali)

    @property
    def codes_communes(self) -> frozenset[str]:
        return frozenset(c["code_commune"] for c in self.communes)

    @property
    def epts(self) -> tuple[str, ...]:
        return tuple(sorted({c["ept"] for c in self.communes}))

    @property
    def codes_motifs(self) -> tuple[str, ...]:
        return tuple(m["motif_sortie"] for m in self.motifs)


def _lire(path: Path, required: list[str]) -> list[dict]:
    if not path.exists():
        raise ReferentielInvalide(f"Référentiel introuvable : {path}")
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    missing = [c for c in required if rows and c not in rows[0]]
    if not rows or missing:
        raise ReferentielInvalide(
            f"Référentiel {path.name} : colonnes attendues {', '.join(required)}"
            + (f" (absentes : {', '.join(missing)})" if missing else " (fichier vide)")
        )
    return [{k: (v or "").strip() for k, v in r.items()} for r in rows]


def _mois(value: str, path: Path) -> date:
    try:
        year, month = value.split("-")[:2]
        return date(int(year), int(month), 1)
    except ValueError as exc:
        raise ReferentielInvalide(f"{path.name} : mois d'ouverture illisible « {value} » (attendu AAAA-MM)") from exc


@lru_cache(maxsize=4)
def charger_referentiel(folder: Path | None = None) -> Referentiel:
    folder = Path(folder) if folder else dossier_referentiels()
    communes = _lire(folder / "communes.csv", ["code_commune", "nom", "ept", "date_debut", "date_fin"])
    ali_path = folder / "ali.csv"
    ali = _lire(ali_path, ["code_ali", "nom", "communes", "ouverture"])
    motifs = _lire(
        folder / "motifs_sortie.csv",
        ["motif_sortie", "libelle", "emploi_durable", "sortie_emploi", "sortie_dynamique"],
    )
    known = {c["code_commune"] for c in communes}
    for a in ali:
        a["communes"] = tuple(a["communes"].split())
        unknown = [c for c in a["communes"] if c not in known]
        if unknown:
            raise ReferentielInvalide(
                f"ali.csv : {a['code_ali']} cite des communes absentes de communes.csv : {unknown}"
            )
        a["ouverture"] = _mois(a["ouverture"], ali_path)
    for c in communes:
        for key in ("date_debut", "date_fin"):
            c[key] = date.fromisoformat(c[key]) if c[key] else None
    for m in motifs:
        for key in ("emploi_durable", "sortie_emploi", "sortie_dynamique"):
            m[key] = m[key].lower() in ("true", "1", "oui", "vrai")
    return Referentiel(tuple(communes), tuple(ali), tuple(motifs))


def installer(con: duckdb.DuckDBPyConnection, ref: Referentiel) -> None:
    """(Re)crée les tables ref_* depuis le référentiel, dans la transaction de l'appelant."""
    con.execute(
        "CREATE OR REPLACE TABLE ref_communes (code_commune VARCHAR PRIMARY KEY, nom VARCHAR, "
        "ept VARCHAR, date_debut DATE, date_fin DATE)"
    )
    con.executemany(
        "INSERT INTO ref_communes VALUES (?, ?, ?, ?, ?)",
        [(c["code_commune"], c["nom"], c["ept"], c["date_debut"], c["date_fin"]) for c in ref.communes],
    )
    con.execute("CREATE OR REPLACE TABLE ref_ali (code_ali VARCHAR PRIMARY KEY, nom VARCHAR, ouverture DATE)")
    con.executemany(
        "INSERT INTO ref_ali VALUES (?, ?, ?)", [(a["code_ali"], a["nom"], a["ouverture"]) for a in ref.ali]
    )
    con.execute("CREATE OR REPLACE TABLE ref_ali_communes (code_ali VARCHAR, code_commune VARCHAR)")
    con.executemany(
        "INSERT INTO ref_ali_communes VALUES (?, ?)",
        [(a["code_ali"], c) for a in ref.ali for c in a["communes"]],
    )
    con.execute(
        "CREATE OR REPLACE TABLE ref_motifs_sortie (motif_sortie VARCHAR PRIMARY KEY, libelle VARCHAR, "
        "emploi_durable BOOLEAN, sortie_emploi BOOLEAN, sortie_dynamique BOOLEAN)"
    )
    con.executemany(
        "INSERT INTO ref_motifs_sortie VALUES (?, ?, ?, ?, ?)",
        [
            (m["motif_sortie"], m["libelle"], m["emploi_durable"], m["sortie_emploi"], m["sortie_dynamique"])
            for m in ref.motifs
        ],
    )
    installer_freins(con)


def installer_freins(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)crée ref_freins depuis le contrat : colonne des épisodes (frein_logement…), nom court (logement…) et
    ordre du contrat. Les macros de queries/macros/freins.sql la lisent : la liste des freins n'est écrite qu'une
    fois, dans insertion/contrat.py."""
    con.execute("CREATE OR REPLACE TABLE ref_freins (colonne VARCHAR PRIMARY KEY, frein VARCHAR, ordre INTEGER)")
    con.executemany(
        "INSERT INTO ref_freins VALUES (?, ?, ?)",
        [(c, c.removeprefix("frein_"), i) for i, c in enumerate(COLONNES_FREINS, start=1)],
    )
