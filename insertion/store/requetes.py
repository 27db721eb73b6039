"""Les indicateurs sont des fichiers SQL de queries/, chargés par leur nom.

Les paramètres sont toujours liés (`$nom` dans le SQL), jamais insérés dans le texte :
un analyste peut lire et modifier un indicateur sans toucher au Python.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from functools import cache

import duckdb
import pandas as pd

from insertion.config import QUERIES_DIR
from insertion.store import db

_PARAM = re.compile(r"(?<![\w$])\$([A-Za-z_]\w*)")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class RequeteInconnue(LookupError):
    pass


@cache
def texte_sql(name: str) -> str:
    """Le texte de queries/<name>.sql ; le nom est vérifié pour ne jamais sortir du dossier."""
    if not _NAME.match(name) or not (QUERIES_DIR / f"{name}.sql").is_file():
        raise RequeteInconnue(f"Requête inconnue : {name!r} (fichiers disponibles dans {QUERIES_DIR})")
    return (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")


@cache
def noms_parametres(sql: str) -> tuple[str, ...]:
    """Les paramètres cités par le SQL, hors commentaires (en cache : le texte d'un fichier ne change pas)."""
    without_comments = re.sub(r"--[^\n]*", "", sql)
    return tuple(sorted(set(_PARAM.findall(without_comments))))


@dataclass(frozen=True)
class Perimetre:
    """Les filtres de l'utilisateur ; un tuple vide signifie « pas de filtre »."""

    alis: tuple[str, ...] = ()
    epts: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    parcours: tuple[str, ...] = ()
    ages: tuple[str, ...] = ()
    sexes: tuple[str, ...] = ()

    def parametres(self) -> dict[str, list[str] | None]:
        return {name: (list(values) if values else None) for name, values in self.__dict__.items()}


@dataclass(frozen=True)
class Periode:
    """P = [debut, fin] des dates d'orientation, toujours plafonnée à la date d'observation D."""

    as_of: date
    debut: date | None = None
    fin: date | None = None

    def parametres(self) -> dict:
        fin = min(self.fin, self.as_of) if self.fin else self.as_of
        return {"as_of": self.as_of, "debut": self.debut or date(1900, 1, 1), "fin": fin}


PREFIXE_CLE = "cle_"

# Couche de publication (insertion.protect, issue 12). Quand une page, la note ou la CLI la pose, chaque
# requête lui passe son résultat brut, clés comprises, et rend ce qu'elle publie : aucun chemin de lecture
# (indicateur, fichier SQL, cache d'une page) ne peut alors sortir une valeur brute. Le magasin n'importe
# pas la couche du dessus : elle se pose ici, comme une fonction.
Publication = Callable[[str, dict, pd.DataFrame], pd.DataFrame]
PUBLICATION: ContextVar[Publication | None] = ContextVar("publication", default=None)


def executer(con: duckdb.DuckDBPyConnection, name: str, *, avec_cles: bool = False, **params) -> pd.DataFrame:
    """Exécute queries/<name>.sql sur un curseur dédié, avec les seuls paramètres qu'il cite.

    Les colonnes de clés de cellule (`cle_<effectif>`, secret statistique, issue 12) ne sortent qu'avec
    avec_cles=True : elles sont pour la couche de publication, pas pour les pages, exports, notes ni la CLI.
    """
    sql = texte_sql(name)
    wanted = noms_parametres(sql)
    missing = [p for p in wanted if p not in params]
    if missing:
        raise TypeError(f"Requête {name} : paramètres manquants {missing}")
    cur = db.curseur(con)
    try:
        df = cur.execute(sql, {p: params[p] for p in wanted}).df()
    finally:
        cur.close()
    publier = PUBLICATION.get()
    if publier is not None:
        return publier(name, {p: params[p] for p in wanted}, df)
    if not avec_cles:
        cles = [c for c in df.columns if str(c).startswith(PREFIXE_CLE)]
        if cles:
            df = df.drop(columns=cles)
    return df


def date_derniere_extraction(con: duckdb.DuckDBPyConnection) -> date | None:
    """La plus récente date_extraction en place, toutes ALI confondues (None : la base est vide).

    Ce n'est pas la date D par défaut (voir `date_observation`) : c'est la référence de la fraîcheur,
    une ALI dont l'instantané courant est plus ancien est en retard (page Qualité).
    """
    cur = db.curseur(con)
    try:
        ((latest,),) = cur.execute("SELECT max(date_extraction) FROM episodes").fetchall()
    finally:
        cur.close()
    return latest


@dataclass(frozen=True)
class DatesDonnees:
    """Les dates des données d'un territoire (queries/date_observation.sql).

    commune : la dernière date que toutes ses ALI ont fournie, la date D par défaut ;
    plus_recente : la plus récente de leurs extractions, la borne haute de D ;
    par_ali : (code ALI, date de son instantané courant), pour nommer les ALI en avance ou en retard.
    """

    commune: date
    plus_recente: date
    par_ali: tuple[tuple[str, date], ...] = ()

    def en_avance(self, d: date) -> tuple[tuple[str, date], ...]:
        """Les ALI dont les données vont au-delà de d."""
        return tuple((code, jour) for code, jour in self.par_ali if jour > d)

    def en_retard(self, d: date) -> tuple[tuple[str, date], ...]:
        """Les ALI dont les données s'arrêtent avant d : leurs chiffres à d sont incomplets."""
        return tuple((code, jour) for code, jour in self.par_ali if jour < d)


def dates_donnees(con: duckdb.DuckDBPyConnection, perimetre: Perimetre = Perimetre()) -> DatesDonnees | None:
    """Les dates des données du territoire du périmètre (filtres ALI, EPT, commune) ; None si la base est vide.

    Un territoire sans aucun épisode en place (une ALI qui n'a encore rien envoyé) prend les dates du
    département : il n'a rien à dater, et la date du département reste la plus parlante.
    """
    territoire = {k: v for k, v in perimetre.parametres().items() if k in ("alis", "epts", "communes")}
    df = executer(con, "date_observation", **territoire)
    if df.empty:
        if any(v is not None for v in territoire.values()):
            departement = dates_donnees(con)
            return None if departement is None else DatesDonnees(departement.commune, departement.plus_recente)
        return None
    jours = [pd.Timestamp(v).date() for v in df["date_extraction"]]
    return DatesDonnees(
        pd.Timestamp(df["date_commune"].iloc[0]).date(),
        pd.Timestamp(df["plus_recente"].iloc[0]).date(),
        tuple(zip(df["code_ali"], jours, strict=True)),
    )


def date_observation(con: duckdb.DuckDBPyConnection, perimetre: Perimetre = Perimetre()) -> date | None:
    """La date D par défaut d'un périmètre, la même dans l'application, `indicators` et `briefing` :
    la dernière date que toutes les ALI du territoire ayant des données en place ont fournie (la plus
    ancienne de leurs dates d'extraction courantes). None : la base est vide."""
    dates = dates_donnees(con, perimetre)
    return None if dates is None else dates.commune


def est_demo(con: duckdb.DuckDBPyConnection) -> bool:
    """Vrai quand la base contient les données de démonstration (bandeau dans l'application)."""
    cur = db.curseur(con)
    try:
        rows = cur.execute("SELECT valeur FROM meta WHERE cle = 'donnees_demo'").fetchall()
    finally:
        cur.close()
    return bool(rows) and rows[0][0] == "oui"
