"""Journal d'audit : qui a vu, exporté, chargé quoi, et quand (issue 13). Sans Streamlit.

Dans son propre fichier DuckDB ($INSERTION_AUDIT, sinon à côté de la base : data/audit.duckdb), jamais dans la base des
indicateurs : celle-ci est réécrite en copie et remplacée d'un coup à chaque chargement (loader.charger_fichiers),
un journal qu'elle contiendrait serait perdu à chaque envoi, ou bloquerait la copie.

Qui : le sujet OIDC pseudonymisé (acces.pseudonyme, HMAC avec une clé du serveur : on suit une personne
sans stocker son identifiant), son rôle et son organisation. Conservation : $INSERTION_AUDIT_JOURS jours
(365 par défaut) ; les lignes plus anciennes sont effacées à l'ouverture du journal, puis une fois par jour.

Un seul processus écrit (le serveur Streamlit) : une connexion par fichier, partagée par les sessions sous
un verrou (DuckDB n'accepte qu'un processus en écriture, et une connexion n'est pas sûre entre fils).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from insertion.config import chemin_base_par_defaut

CONSERVATION_JOURS_DEFAUT = 365
ACTIONS = ("vue", "export", "note", "import", "confirmation", "refus", "connexion")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS journal (
    quand TIMESTAMP NOT NULL,  -- UTC : TIMESTAMPTZ demanderait pytz pour être relu en Python
    sujet VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    organisation VARCHAR,
    action VARCHAR NOT NULL,
    vue VARCHAR,
    filtres VARCHAR,
    detail VARCHAR
)
"""
_INSERT = """
INSERT INTO journal VALUES ($quand, $sujet, $role, $organisation, $action, $vue, $filtres, $detail)
"""
_PURGE = "DELETE FROM journal WHERE quand < $limite"
_LIRE = """
SELECT quand, sujet, role, organisation, action, vue, filtres, detail
FROM journal
WHERE quand >= $depuis
ORDER BY quand DESC
LIMIT $limite
"""


def chemin_audit() -> Path:
    """$INSERTION_AUDIT, sinon audit.duckdb à côté de la base des indicateurs (data/audit.duckdb par défaut) :
    une base de test ou de démonstration a ainsi son propre journal."""
    env = os.environ.get("INSERTION_AUDIT", "").strip()
    return Path(env) if env else chemin_base_par_defaut().with_name("audit.duckdb")


def conservation_jours() -> int:
    """$INSERTION_AUDIT_JOURS (entier > 0), sinon 365 ; une valeur illisible compte pour le défaut."""
    texte = os.environ.get("INSERTION_AUDIT_JOURS", "").strip().replace(" ", "")
    try:
        jours = int(texte) if texte else CONSERVATION_JOURS_DEFAUT
    except ValueError:
        return CONSERVATION_JOURS_DEFAUT
    return jours if jours > 0 else CONSERVATION_JOURS_DEFAUT


@dataclass(frozen=True)
class Auteur:
    """Qui agit, tel que le journal le garde : jamais l'e-mail ni le sub en clair."""

    sujet: str  # pseudonyme
    role: str
    organisation: str | None


class _Journal:
    def __init__(self, chemin: Path) -> None:
        chemin.parent.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(str(chemin))
        self.con.execute(_SCHEMA)
        self.verrou = threading.Lock()
        self.derniere_purge = 0.0

    def purger_si_besoin(self, maintenant: datetime) -> None:
        if self.derniere_purge and time.monotonic() - self.derniere_purge < 86_400:
            return
        self.con.execute(_PURGE, {"limite": maintenant - timedelta(days=conservation_jours())})
        self.derniere_purge = time.monotonic()


_journaux: dict[Path, _Journal] = {}
_verrou_global = threading.Lock()
_OUVERTS_MAX = 4  # un serveur n'en a qu'un ; les tests en ouvrent un par base


def _journal(chemin: Path | None = None) -> _Journal:
    chemin = (chemin or chemin_audit()).resolve()
    with _verrou_global:
        if chemin not in _journaux:
            while len(_journaux) >= _OUVERTS_MAX:
                ancien = _journaux.pop(next(iter(_journaux)))
                with ancien.verrou:
                    ancien.con.close()
            _journaux[chemin] = _Journal(chemin)
        return _journaux[chemin]


def fermer() -> None:
    """Ferme les journaux ouverts (tests, arrêt propre) : un autre processus peut alors les lire."""
    with _verrou_global:
        for j in _journaux.values():
            with j.verrou:
                j.con.close()
        _journaux.clear()


def _utc(moment: datetime) -> datetime:
    """En UTC sans fuseau, comme la colonne ; un moment sans fuseau est pris pour de l'UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _texte_filtres(filtres: Iterable[tuple[str, str]] | None) -> str | None:
    if not filtres:
        return None
    return json.dumps(dict(filtres), ensure_ascii=False, sort_keys=True)


def enregistrer(
    auteur: Auteur,
    action: str,
    *,
    vue: str | None = None,
    filtres: Iterable[tuple[str, str]] | None = None,
    detail: str | None = None,
    chemin: Path | None = None,
    quand: datetime | None = None,
) -> None:
    """Ajoute une ligne au journal. Lève si le journal ne peut pas être écrit : à l'appelant de décider
    (l'application refuse alors de servir, plutôt que de servir sans trace)."""
    if action not in ACTIONS:
        raise ValueError(f"Action de journal inconnue : {action}")
    quand = _utc(quand or datetime.now(UTC))
    j = _journal(chemin)
    with j.verrou:
        j.purger_si_besoin(quand)
        j.con.execute(
            _INSERT,
            {
                "quand": quand,
                "sujet": auteur.sujet,
                "role": auteur.role,
                "organisation": auteur.organisation,
                "action": action,
                "vue": vue,
                "filtres": _texte_filtres(filtres),
                "detail": detail,
            },
        )


def lire(depuis: datetime | None = None, limite: int = 5_000, chemin: Path | None = None) -> pd.DataFrame:
    """Les lignes du journal, les plus récentes d'abord."""
    depuis = _utc(depuis or datetime(1970, 1, 1, tzinfo=UTC))
    j = _journal(chemin)
    with j.verrou:
        curseur = j.con.execute(_LIRE, {"depuis": depuis, "limite": limite})
        colonnes = [d[0] for d in curseur.description]
        rows = curseur.fetchall()
    return pd.DataFrame(rows, columns=colonnes, dtype=object)  # NULL reste None (et non NaN)


COLONNES = {
    "quand": "Date et heure (UTC)",
    "sujet": "Personne (pseudonyme)",
    "role": "Rôle",
    "organisation": "Organisation",
    "action": "Action",
    "vue": "Vue",
    "filtres": "Filtres",
    "detail": "Détail",
}
