"""Le compte rendu d'un chargement : statut, lignes lues, acceptées et rejetées, message en français, aperçu de ce
que le fichier remplace et jeton qui confirme ce remplacement-là.

La CLI (`python -m insertion load --json`) et la page Importer le montrent tel quel.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from datetime import date

from insertion import formats
from insertion.ingest import apercu as apercus

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


def refuse(name: str, message: str) -> ResultatChargement:
    return ResultatChargement(file=name, status="refused", message=f"Fichier refusé : {message}")


def phrase_comptes(result: ResultatChargement, quarantaine: bool = True) -> str:
    return (
        f"« {result.file} » : {formats.entier(result.rows_read)} ligne{'s' if result.rows_read > 1 else ''} "
        f"lue{'s' if result.rows_read > 1 else ''}, {formats.entier(result.accepted)} "
        f"acceptée{'s' if result.accepted > 1 else ''}, {formats.entier(result.rejected)} "
        f"rejetée{'s' if result.rejected > 1 else ''}"
        + (" (voir la page Qualité des données)." if result.rejected and quarantaine else ".")
    )
