"""Ce que coûte chaque méthode de secret statistique au niveau des ALI, mesuré sur la base de démonstration.

    python -m insertion demo --db /tmp/secret_demo/demo.duckdb      # une fois (≈ 1 à 3 min)
    python benchmarks/secret_precision.py --db /tmp/secret_demo/demo.duckdb [--sels 10]

Les cellules sont celles qu'un directeur d'ALI regarde, de l'ouverture de son ALI (référentiel) à D :
- file active de chaque ALI à chaque fin de mois ;
- entrées et sorties de chaque ALI par mois ;
- taux de sortie en emploi à 12 mois de chaque ALI par trimestre d'orientation (cohortes avec 12 mois de
  recul), et sur toute la période.
Valeurs vraies : les requêtes du projet (insertion.indicators, queries/), sur une connexion en lecture seule.
Clés de cellule : calculées en SQL (HMAC des pseudonymes avec des pads liés en paramètres, sommes de clés
par événements pour la file active), vérifiées contre les clés de insertion.protect.protection et contre un calcul
direct ; le script s'arrête si un effectif ou une clé diffère.

Méthodes comparées : seuil seul (règle primaire d'aujourd'hui, sans masquage secondaire), arrondi à 5
(règle « 10-5 » : masqué sous 11, arrondi à 5 au-delà), tableaux fixes avec suppression complémentaire
(heuristique sur la hiérarchie ALI ⊂ EPT et les trimestres), et clés de cellule pour trois tables p.
Les métriques sont moyennées sur --sels sels (les maxima sont pris sur tous). Enfin, une attaque par
moyenne : l'attaquant estime chaque file active masquée d'une tranche d'âge d'une ALI par la file active
de l'ALI moins les quatre autres tranches, et moyenne cette estimation sur les k derniers mois.
Avec --croises N : N tableaux croisés 2 × 2 à bruits adverses par nombre de bruits extrêmes, puis les vrais
tableaux « sorties par motif » de la démo (EPT × motif et ALI × motif, chaque mois, 2 sels), attaqués par
programme linéaire (scipy) : combien de cases de 1 à 10 se trouvent fixées, avec un département exact ou
bruité en marge.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from insertion import indicators  # noqa: E402
from insertion.config import SEUIL_SECRET, chemin_base_par_defaut  # noqa: E402
from insertion.protect import protection
from insertion.store import cles as cles_hmac  # noqa: E402
from insertion.store import db
from insertion.store.requetes import Periode, executer, noms_parametres  # noqa: E402

MODULE = cles_hmac.MODULE
DEBUT = date(2023, 1, 1)
AGES = ("moins_25", "25_34", "35_44", "45_54", "55_plus")

# --- SQL (paramètres liés uniquement) ----------------------------------------------------------------

# Clé d'enregistrement : les 32 premiers bits de HMAC-SHA256(sel, message), comme cles._cle ; les pads du
# sel sont liés en paramètres ($ipad, $opad). Macro temporaire : la base reste attachée en lecture seule.
SQL_MACROS_CLE = (
    """CREATE OR REPLACE TEMP MACRO cle_hmac(message, ipad, opad) AS
    CAST(CAST('0x' || left(sha256(opad || unhex(sha256(ipad || encode(message)))), 8) AS UBIGINT) AS BIGINT)""",
    # Un épisode : (pseudonyme, ALI, date d'orientation), comme cles_hmac.cle_episode.
    """CREATE OR REPLACE TEMP MACRO cle_episode(id, ali, orientation, ipad, opad) AS
    cle_hmac('e|' || id || '|' || ali || '|' || strftime(orientation, '%Y-%m-%d'), ipad, opad)""",
)
# File active de fin de mois et somme des clés de ses personnes, par la formulation en événements du projet
# (macro file_active_evenements) : +clé au premier mois actif, −clé au mois qui suit le dernier, somme
# cumulée. Les personnes à épisodes simultanés passent par la fusion de leurs intervalles, comme dans la macro.
SQL_FILE_ACTIVE = """
WITH ep AS (
    SELECT
        CASE $regroupement WHEN 'ali' THEN code_ali WHEN 'ali_age' THEN code_ali || '|' || tranche_age END AS groupe,
        id_beneficiaire,
        episodes_simultanes,
        m_orientation AS m_debut,
        CASE WHEN date_sortie <= CAST($d AS DATE) THEN m_sortie - 1
             ELSE year(CAST($d AS DATE)) * 12 + month(CAST($d AS DATE)) - 1 END AS m_fin,
        cle_hmac('p|' || id_beneficiaire, $ipad, $opad) AS cle
    FROM episodes
    WHERE date_orientation <= CAST($d AS DATE)
),
simultanes AS (
    SELECT groupe, id_beneficiaire, cle, m_debut AS m, 1 AS delta FROM ep WHERE episodes_simultanes AND m_fin >= m_debut
    UNION ALL
    SELECT groupe, id_beneficiaire, cle, m_fin + 1, -1 FROM ep WHERE episodes_simultanes AND m_fin >= m_debut
),
couverture AS (
    SELECT groupe, m, delta, cle,
        sum(delta) OVER (PARTITION BY groupe, id_beneficiaire ORDER BY m ROWS UNBOUNDED PRECEDING) AS apres
    FROM simultanes
),
evenements AS (
    SELECT groupe, m_debut AS m, 1 AS delta, cle AS delta_cle FROM ep
    WHERE NOT episodes_simultanes AND m_fin >= m_debut
    UNION ALL
    SELECT groupe, m_fin + 1, -1, -cle FROM ep WHERE NOT episodes_simultanes AND m_fin >= m_debut
    UNION ALL
    SELECT groupe, m, CAST(apres > 0 AS INTEGER) - CAST(apres - delta > 0 AS INTEGER),
        (CAST(apres > 0 AS INTEGER) - CAST(apres - delta > 0 AS INTEGER)) * cle
    FROM couverture
),
par_mois AS (
    SELECT groupe, m, sum(delta) AS delta, sum(delta_cle) AS delta_cle FROM evenements GROUP BY groupe, m
),
grille AS (
    SELECT g.groupe, unnest(generate_series((SELECT min(m) FROM par_mois), $m_fin)) AS m
    FROM (SELECT DISTINCT groupe FROM ep) AS g
)
SELECT grille.groupe, grille.m,
    CAST(sum(coalesce(p.delta, 0)) OVER w AS BIGINT) AS n,
    CAST(sum(coalesce(p.delta_cle, 0)) OVER w % $module AS BIGINT) AS cle
FROM grille LEFT JOIN par_mois AS p USING (groupe, m)
WINDOW w AS (PARTITION BY grille.groupe ORDER BY grille.m)
"""

# Le même calcul, directement : à chaque fin de mois, les personnes distinctes actives et la somme de leurs clés.
SQL_FILE_ACTIVE_DIRECTE = """
WITH fins AS (
    SELECT m, least(last_day(make_date(CAST(m // 12 AS INTEGER), CAST(m % 12 + 1 AS INTEGER), 1)),
                    CAST($d AS DATE)) AS r
    FROM (SELECT unnest(generate_series($m_debut, $m_fin)) AS m)
),
actives AS (
    SELECT DISTINCT e.code_ali, f.m, e.id_beneficiaire, cle_hmac('p|' || e.id_beneficiaire, $ipad, $opad) AS cle
    FROM episodes AS e JOIN fins AS f
      ON e.date_orientation <= f.r AND (e.date_sortie IS NULL OR e.date_sortie > f.r)
)
SELECT code_ali AS groupe, m, count(*) AS n, CAST(sum(cle) % $module AS BIGINT) AS cle
FROM actives GROUP BY code_ali, m
"""

SQL_FLUX = """
WITH ep AS (
    SELECT code_ali, m_orientation, m_sortie, date_sortie,
        cle_episode(id_beneficiaire, code_ali, date_orientation, $ipad, $opad) AS cle
    FROM episodes WHERE date_orientation <= CAST($d AS DATE)
)
SELECT 'entrees' AS flux, code_ali AS groupe, m_orientation AS m, count(*) AS n,
    CAST(sum(cle) % $module AS BIGINT) AS cle
FROM ep GROUP BY code_ali, m_orientation
UNION ALL
SELECT 'sorties', code_ali, m_sortie, count(*), CAST(sum(cle) % $module AS BIGINT)
FROM ep WHERE date_sortie <= CAST($d AS DATE) GROUP BY code_ali, m_sortie
"""

# Taux de sortie en emploi à 12 mois (contrat §5.3) par ALI et trimestre d'orientation, avec les clés du
# dénominateur (la cohorte) et du numérateur (ses sorties en emploi dans les 365 jours).
SQL_TAUX = """
WITH c AS (
    SELECT code_ali, m_orientation - m_orientation % 3 AS trimestre,
        sortie_12_mois(sortie_emploi, date_orientation, date_sortie, CAST($d AS DATE)) AS emploi,
        cle_episode(id_beneficiaire, code_ali, date_orientation, $ipad, $opad) AS cle
    FROM episodes
    WHERE date_orientation BETWEEN CAST($debut AS DATE) AND CAST($d AS DATE) - 365
)
SELECT code_ali AS groupe, trimestre, count(*) AS den, CAST(sum(cle) % $module AS BIGINT) AS cle_den,
    CAST(sum(emploi) AS BIGINT) AS num,
    CAST(coalesce(sum(cle) FILTER (WHERE emploi = 1), 0) % $module AS BIGINT) AS cle_num
FROM c GROUP BY GROUPING SETS ((code_ali, trimestre), (code_ali))
"""

SQL_SORTIES_MOTIFS = """
SELECT code_ali, ept, coalesce(motif_sortie, 'non_renseigne') AS motif, m_sortie AS m, count(*) AS n,
    CAST(sum(cle_episode(id_beneficiaire, code_ali, date_orientation, $ipad, $opad)) % $module AS BIGINT) AS cle
FROM episodes
WHERE date_sortie <= CAST($d AS DATE) AND date_orientation <= CAST($d AS DATE)
GROUP BY ALL
"""

SQL_EPT = """
SELECT DISTINCT a.code_ali, c.ept, CAST(year(r.ouverture) * 12 + month(r.ouverture) - 1 AS INTEGER) AS m_ouverture
FROM ref_ali_communes AS a
JOIN ref_communes AS c USING (code_commune)
JOIN ref_ali AS r USING (code_ali)
"""


def connecter(chemin: Path) -> duckdb.DuckDBPyConnection:
    """La base attachée en lecture seule (comme l'application) ; rien n'y est écrit, pas même une mise à niveau."""
    if not chemin.exists():
        raise SystemExit(f"Base introuvable : {chemin}. Lancez d'abord python -m insertion demo --db {chemin}.")
    con = duckdb.connect()
    con.execute("ATTACH $path AS base (READ_ONLY)", {"path": str(chemin)})
    con.execute("USE base")
    for macro in SQL_MACROS_CLE:
        con.execute(macro)
    if db.version(con) != db.VERSION_SCHEMA:
        raise SystemExit("Base d'une autre version du schéma : reconstruisez la démonstration.")
    return con


def executer_sql(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> pd.DataFrame:
    """La requête avec les seuls paramètres qu'elle cite (DuckDB refuse les autres)."""
    return con.execute(sql, {p: params[p] for p in noms_parametres(sql)}).df()


def m_de(d: date) -> int:
    return d.year * 12 + d.month - 1


# --- Cellules vraies et leurs clés -------------------------------------------------------------------


@dataclass
class Cellules:
    file_active: pd.DataFrame  # groupe, ept, m, n, cle
    entrees: pd.DataFrame
    sorties: pd.DataFrame
    taux: pd.DataFrame  # groupe, ept, trimestre (NaN = toute la période), den, cle_den, num, cle_num
    departement: pd.DataFrame  # m, n (file active exacte du département)
    ages: pd.DataFrame  # groupe (ALI), age, m, n, cle


def cellules(con: duckdb.DuckDBPyConnection, d: date, sel: bytes, verifier: bool) -> Cellules:
    ipad, opad = cles_hmac.pads_hmac(sel)
    cles = {"ipad": ipad, "opad": opad, "module": MODULE}
    m_fin = m_de(d)
    ref = con.execute(SQL_EPT).df().drop_duplicates("code_ali").set_index("code_ali")
    periode = Periode(as_of=d, debut=DEBUT, fin=d)

    fa = executer_sql(con, SQL_FILE_ACTIVE, {**cles, "regroupement": "ali", "d": d, "m_fin": m_fin})
    es = executer_sql(con, SQL_FLUX, {**cles, "d": d})
    tx = executer_sql(con, SQL_TAUX, {**cles, "d": d, "debut": DEBUT})
    ages = executer_sql(con, SQL_FILE_ACTIVE, {**cles, "regroupement": "ali_age", "d": d, "m_fin": m_fin})
    ages[["groupe", "age"]] = ages["groupe"].str.split("|", expand=True)

    if verifier:
        _verifier(con, d, sel, cles, periode, fa, es, tx)

    def ouvertes(df: pd.DataFrame) -> pd.DataFrame:
        df = df.join(ref, on="groupe")
        return df[(df["m"] >= df["m_ouverture"]) & (df["m"] <= m_fin)].reset_index(drop=True)

    grille = pd.DataFrame([(a, m) for a in ref.index for m in range(m_de(DEBUT), m_fin + 1)], columns=["groupe", "m"])

    def flux(nom: str) -> pd.DataFrame:
        f = es[es["flux"] == nom].drop(columns="flux")
        f = grille.merge(f, on=["groupe", "m"], how="left").fillna({"n": 0, "cle": 0})
        return ouvertes(f.astype({"n": "int64", "cle": "int64"}))

    dep = indicators.file_active_mensuelle(con, periode, groupe="departement")
    dep = pd.DataFrame({"m": [m_de(x) for x in pd.to_datetime(dep["mois"]).dt.date], "n": dep["file_active"]})
    tx = tx.join(ref, on="groupe")
    return Cellules(ouvertes(fa), flux("entrees"), flux("sorties"), tx, dep, ages)


def _verifier(con, d, sel, cles, periode, fa, es, tx) -> None:
    """Les effectifs sont ceux du projet ; les clés SQL sont celles de protection ; la somme des clés par
    événements égale la somme directe des clés des personnes actives."""
    echantillon = con.execute(
        "SELECT id_beneficiaire, code_ali, date_orientation FROM episodes ORDER BY id_beneficiaire LIMIT 50"
    ).fetchall()
    for i, ali, orientation in echantillon:
        sql_p, sql_e = con.execute(
            "SELECT cle_hmac('p|' || $i, $ipad, $opad), cle_episode($i, $a, CAST($o AS DATE), $ipad, $opad)",
            {"ipad": cles["ipad"], "opad": cles["opad"], "i": i, "a": ali, "o": orientation},
        ).fetchone()
        assert sql_p == cles_hmac.cle_personne(i, sel), "clé de personne SQL ≠ cles_hmac.cle_personne"
        assert sql_e == cles_hmac.cle_episode(i, ali, orientation, sel), "clé d'épisode SQL ≠ cles_hmac.cle_episode"

    projet = indicators.file_active_mensuelle(con, periode, groupe="ali")
    projet = pd.DataFrame(
        {"groupe": projet["groupe"], "m": [m_de(x) for x in pd.to_datetime(projet["mois"]).dt.date],
         "n_projet": projet["file_active"]}
    )  # fmt: skip
    comparaison = fa.merge(projet, on=["groupe", "m"], how="outer").fillna(0)
    assert (comparaison["n"] == comparaison["n_projet"]).all(), "file active ≠ file_active_mensuelle du projet"
    directe = executer_sql(con, SQL_FILE_ACTIVE_DIRECTE, {**cles, "d": d, "m_debut": m_de(DEBUT), "m_fin": m_de(d)})
    comparaison = fa[fa["n"] > 0].merge(directe, on=["groupe", "m"], how="outer", suffixes=("", "_directe"))
    assert (comparaison["n"] == comparaison["n_directe"]).all(), "événements ≠ calcul direct (effectifs)"
    assert (comparaison["cle"] == comparaison["cle_directe"]).all(), "somme des clés par événements ≠ directe"

    projet = indicators.entrees_sorties_mensuelles(con, periode, groupe="ali")
    projet["m"] = [m_de(x) for x in pd.to_datetime(projet["mois"]).dt.date]
    for nom in ("entrees", "sorties"):
        f = es[es["flux"] == nom].set_index(["groupe", "m"])["n"]
        p = projet.set_index(["groupe", "m"])[nom]
        p = p[p > 0]
        assert f.sort_index().equals(p.sort_index().astype(f.dtype)), f"{nom} ≠ entrees_sorties_mensuelles"

    projet = executer(
        con, "taux_sortie_emploi_cohortes", pas="trimestre", groupe="ali", **periode.parametres(),
        alis=None, epts=None, communes=None, parcours=None, ages=None, sexes=None,
    )  # fmt: skip
    projet = projet[projet["recul_complet"]]
    projet["trimestre"] = [m_de(x) for x in pd.to_datetime(projet["cohorte"]).dt.date]
    mien = tx.dropna(subset=["trimestre"]).astype({"trimestre": "int64"}).set_index(["groupe", "trimestre"])
    projet = projet.set_index(["groupe", "trimestre"])
    commun = projet.index.intersection(mien.index)
    assert len(commun) == len(projet), "cohortes du projet absentes du calcul"
    assert (mien.loc[commun, "den"].to_numpy() == projet.loc[commun, "denominateur"].to_numpy()).all()
    assert (mien.loc[commun, "num"].to_numpy() == projet.loc[commun, "n_sortie_emploi"].to_numpy()).all()


# --- Méthodes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Methode:
    nom: str
    reglage: protection.Reglage | None = None  # clés de cellule
    arrondi: int = 0  # base d'arrondi
    suppression: bool = False  # tableaux fixes + suppression complémentaire
    seuil_seul: bool = False

    def effectifs(self, n: np.ndarray, cles: np.ndarray) -> np.ndarray:
        """Valeurs publiées (float, NaN = masqué), hors masquage secondaire."""
        s = SEUIL_SECRET
        n = np.asarray(n, dtype=np.int64)
        if self.reglage is not None:
            return protection.publier_effectifs(n, cles, reglage=self.reglage).to_numpy(
                dtype="float64", na_value=np.nan
            )
        if self.arrondi:
            b = self.arrondi
            arrondi = (np.floor(n / b + 0.5) * b).astype("float64")
            return np.where((n >= s) & (arrondi >= s), arrondi, np.nan)
        # seuil seul et suppression : 1 à 10 masqués, zéro montré (règle d'aujourd'hui)
        return np.where((n >= 1) & (n < s), np.nan, n.astype("float64"))

    def taux(self, num, cle_num, den, cle_den) -> float:
        s = SEUIL_SECRET
        if self.reglage is not None:
            r = protection.publier_taux(int(num), int(cle_num), int(den), int(cle_den), reglage=self.reglage)
            return np.nan if r == protection.LIBELLE_MASQUE else float(r)
        if self.arrondi:
            pub = self.effectifs(np.array([num, den - num, den]), np.zeros(3, dtype=np.int64))
            return np.nan if np.isnan(pub).any() else pub[0] / pub[2]
        if self.suppression:  # règle de l'issue sur les valeurs vraies : numérateur et complément 0 ou ≥ seuil
            ok = den >= s and not (1 <= num < s) and not (1 <= den - num < s)
            return num / den if ok else np.nan
        return num / den if den >= s else np.nan  # règle d'aujourd'hui : dénominateur ≥ seuil


def suppression_complementaire(df: pd.DataFrame, pub: np.ndarray, flux: bool) -> np.ndarray:
    """Heuristique de masquage secondaire sur les tableaux fixes : tant qu'un groupe dont le total est publié
    (les ALI d'un EPT un même mois ; pour un flux, aussi les mois d'un trimestre d'une ALI) n'a qu'une case
    masquée, on masque la plus petite case non nulle publiée du groupe. Borne basse du vrai coût : une
    suppression complémentaire complète (intervalles de protection, tableaux liés par les filtres) masque plus."""
    pub = pub.copy()
    groupes = [df.groupby(["ept", "m"]).indices]
    if flux:
        groupes.append(df.assign(t=df["m"] - df["m"] % 3).groupby(["groupe", "t"]).indices)
    n = df["n"].to_numpy()
    change = True
    while change:
        change = False
        for familles in groupes:
            for lignes in familles.values():
                masquees = np.isnan(pub[lignes])
                if masquees.sum() == 1 and len(lignes) > 1:
                    candidats = [i for i in lignes if not np.isnan(pub[i]) and n[i] > 0]
                    if candidats:
                        pub[min(candidats, key=lambda i: n[i])] = np.nan
                        change = True
    return pub


METHODES = [
    Methode("Seuil seul (règle primaire actuelle)", seuil_seul=True),
    Methode("Arrondi à 5, masqué sous 11 (« 10-5 »)", arrondi=5),
    Methode("Tableaux fixes + suppression complémentaire", suppression=True),
    Methode("Clés de cellule D=2, V=1", reglage=protection.Reglage(table=protection.TableP.entropie_maximale(2, 1.0))),
    Methode("Clés de cellule D=3, V=1 (retenue)", reglage=protection.REGLAGE),
    Methode(
        "Clés de cellule D=3, V=1,5", reglage=protection.Reglage(table=protection.TableP.entropie_maximale(3, 1.5))
    ),
]


def mesurer_effectifs(methode: Methode, df: pd.DataFrame, flux: bool) -> dict:
    n = df["n"].to_numpy()
    pub = methode.effectifs(n, df["cle"].to_numpy())
    if methode.suppression:
        pub = suppression_complementaire(df, pub, flux)
    visibles = ~np.isnan(pub)
    ecarts = np.abs(pub[visibles] - n[visibles])
    masquees = ~visibles
    return {
        "ecart_moyen": float(ecarts.mean()) if ecarts.size else 0.0,
        "ecart_max": float(ecarts.max()) if ecarts.size else 0.0,
        "ecart_relatif_moyen": float((ecarts / np.maximum(n[visibles], 1)).mean()) if ecarts.size else 0.0,
        "modifiees": float((ecarts > 0).mean()) if ecarts.size else 0.0,
        "masquees": float(masquees.mean()),
        "masquees_zero": float((masquees & (n == 0)).mean()),
        "masquees_11_plus": float((masquees & (n >= SEUIL_SECRET)).mean()),
        "cases": int(len(n)),
    }


def mesurer_taux(methode: Methode, tx: pd.DataFrame) -> dict:
    vrais = tx["num"] / tx["den"]
    pub = np.array([methode.taux(*row) for row in tx[["num", "cle_num", "den", "cle_den"]].itertuples(index=False)])
    visibles = ~np.isnan(pub)
    ecart_pts = np.abs(pub[visibles] - vrais[visibles].to_numpy()) * 100
    positifs = visibles & (vrais.to_numpy() > 0)
    relatif = np.abs(pub[positifs] - vrais[positifs].to_numpy()) / vrais[positifs].to_numpy()
    return {
        "non_publies": float((~visibles).mean()),
        "ecart_pts_moyen": float(ecart_pts.mean()) if ecart_pts.size else 0.0,
        "ecart_pts_max": float(ecart_pts.max()) if ecart_pts.size else 0.0,
        "ecart_relatif_moyen": float(relatif.mean()) if relatif.size else 0.0,
        "ecart_relatif_max": float(relatif.max()) if relatif.size else 0.0,
        "cases": int(len(tx)),
    }


def ecart_departement(methode: Methode, c: Cellules) -> dict:
    """Somme des ALI publiées face au département exact, les mois où toutes les ALI ouvertes sont publiées."""
    if methode.reglage is None and not methode.arrondi:
        return {}
    fa = c.file_active.assign(pub=methode.effectifs(c.file_active["n"].to_numpy(), c.file_active["cle"].to_numpy()))
    par_mois = fa.groupby("m").agg(somme=("pub", "sum"), manque=("pub", lambda s: s.isna().sum()))
    par_mois = par_mois[par_mois["manque"] == 0].join(c.departement.set_index("m"))
    ecarts = (par_mois["somme"] - par_mois["n"]).abs()
    return {"dep_moyen": float(ecarts.mean()), "dep_max": float(ecarts.max()), "dep_mois": int(len(ecarts))}


FENETRES = (1, 3, 6, 12, 24)


def attaque_par_moyenne(methode: Methode, c: Cellules) -> dict:
    """Chaque file active d'une tranche d'âge d'une ALI (une question permise : un filtre de profil) masquée
    un mois m et vraie de 1 à 10 : l'attaquant l'estime chaque mois par la file active de l'ALI moins les
    quatre autres tranches publiées, moyenne cette estimation sur les mois m − k + 1 … m où elle existe,
    arrondit. Part des cases retrouvées exactement (sur la démo, la vraie valeur change d'un mois à l'autre)."""
    if methode.suppression:
        return {}
    ages = c.ages.assign(pub=methode.effectifs(c.ages["n"].to_numpy(), c.ages["cle"].to_numpy()))
    vrais = ages.pivot_table(index=["groupe", "m"], columns="age", values="n", fill_value=0)
    vrais = vrais.reindex(columns=list(AGES), fill_value=0)
    publies = ages.set_index(["groupe", "m", "age"])["pub"].unstack("age")
    publies = publies.reindex(index=vrais.index, columns=list(AGES))  # une tranche absente : masquée (zéro)
    total = c.file_active.set_index(["groupe", "m"])
    total = pd.Series(methode.effectifs(total["n"].to_numpy(), total["cle"].to_numpy()), index=total.index)
    total = total.reindex(vrais.index)
    resultats = {k: [] for k in FENETRES}
    for _, lignes in vrais.groupby(level="groupe"):
        index = lignes.index
        for age in AGES:
            autres = publies.loc[index, [a for a in AGES if a != age]]
            estimation = (total.loc[index] - autres.sum(axis=1, min_count=4)).to_numpy()  # NaN si une case manque
            cibles = np.flatnonzero(
                (lignes[age].to_numpy() >= 1) & (lignes[age].to_numpy() < SEUIL_SECRET)
                & np.isnan(publies.loc[index, age].to_numpy())
            )  # fmt: skip
            for i in cibles:
                for k in FENETRES:
                    e = estimation[max(0, i - k + 1) : i + 1]
                    e = e[~np.isnan(e)]
                    resultats[k].append(bool(e.size) and round(float(e.mean())) == lignes[age].iloc[i])
    return {k: (float(np.mean(v)) if v else 0.0, len(v)) for k, v in resultats.items()}


def attaque_pire_cas(methode: Methode, rng: np.random.Generator, essais: int = 4_000) -> dict:
    """Le pire cas de l'attaque par moyenne : une petite case X (de 1 à 10 personnes) constante pendant k mois,
    les quatre autres cases de sa ventilation (50 à 200 personnes) et donc le total changent chaque mois, d'où
    de nouvelles clés. L'attaquant moyenne total − autres sur k mois et arrondit : part des X retrouvés."""
    if methode.suppression or methode.seuil_seul:
        return {}
    resultats = {}
    for k in FENETRES:
        x = rng.integers(1, SEUIL_SECRET, size=(essais, 1))
        autres = rng.integers(50, 200, size=(essais, k, 4))
        cles = rng.integers(0, MODULE, size=(essais, k, 5))
        pub_autres = methode.effectifs(autres.reshape(-1), cles[..., :4].reshape(-1)).reshape(essais, k, 4)
        pub_total = methode.effectifs((autres.sum(axis=2) + x).reshape(-1), cles[..., 4].reshape(-1))
        estimation = pub_total.reshape(essais, k) - pub_autres.sum(axis=2)
        resultats[k] = (float((np.round(estimation.mean(axis=1)) == x[:, 0]).mean()), essais)
    return resultats


def croises_adverses(tableaux: int, rng: np.random.Generator, exactes: bool = False) -> dict[int, tuple[int, int]]:
    """Tableaux croisés 2 × 2 (cases, totaux de lignes et de colonnes, total général) de petites valeurs, le
    bruit de K cellules mis à ±3 par l'adversaire et les autres entre −2 et +2 : combien de cases de 1 à 10
    un programme linéaire fixe-t-il ? Deux cellules qui réunissent les mêmes personnes ont le même bruit.
    exactes : lignes et total général publiés exactement (ce que donnerait une file active d'ALI exacte)."""
    from scipy.optimize import linprog

    reglage = protection.REGLAGE
    d_max, table = reglage.table.bruit_max, reglage.table
    relations = [(4, [0, 1]), (5, [2, 3]), (6, [0, 2]), (7, [1, 3]), (8, [0, 1, 2, 3])]
    a_eq = np.zeros((5, 9))
    for k, (total, parties) in enumerate(relations):
        a_eq[k, total], a_eq[k, parties] = -1, 1
    resultats = {}
    for extremes in (1, 2, 3, 4):
        figees = 0
        for _ in range(tableaux):
            cases = rng.choice([0, 1, 2, 3, 5, 8, 10, 11, 12, 13, 14, 15, 20, 30], size=4)
            vraies = [*cases, cases[0] + cases[1], cases[2] + cases[3], cases[0] + cases[2], cases[1] + cases[3]]
            vraies.append(cases.sum())
            bruits = rng.integers(-d_max + 1, d_max, size=9)
            bruits[rng.choice(9, size=extremes, replace=False)] = rng.choice([-d_max, d_max], size=extremes)
            ensembles = [frozenset({k}) if cases[k] else frozenset() for k in range(4)]
            ensembles += [ensembles[a] | ensembles[b] for a, b in ((0, 1), (2, 3), (0, 2), (1, 3))]
            ensembles.append(frozenset().union(*ensembles[:4]))
            premier = {e: i for i, e in reversed(list(enumerate(ensembles)))}  # même personnes, même bruit
            boites = []
            for i, n in enumerate(vraies):
                exacte = exactes and i in (4, 5, 8)
                publie = protection.publier_effectif(
                    int(n), table.cle_pour(int(bruits[premier[ensembles[i]]])), exempt=exacte, reglage=reglage
                )
                boites.append(protection.valeurs_compatibles(publie, exempt=exacte, reglage=reglage))
            bornes = [(b.start, b.stop - 1) for b in boites]
            for k in range(4):
                if not 1 <= cases[k] < reglage.seuil:
                    continue
                c = np.zeros(9)
                c[k] = 1
                bas = linprog(c, A_eq=a_eq, b_eq=np.zeros(5), bounds=bornes, method="highs").fun
                haut = -linprog(-c, A_eq=a_eq, b_eq=np.zeros(5), bounds=bornes, method="highs").fun
                figees += haut - bas < 0.5
        resultats[extremes] = (figees, tableaux)
    return resultats


def _boite(n: int, cle: int, mode: str, reglage: protection.Reglage) -> range:
    """Boîte de l'attaquant pour une cellule : 'protegee' (règle retenue), 'exacte' (département sans
    filtre), 'bruitee' (variante : département bruité sans masquage, publié max(0, n + bruit))."""
    if mode == "exacte":
        return range(n, n + 1)
    if mode == "bruitee":
        v = max(0, n + reglage.table.bruit(cle))
        return range(max(0, v - reglage.table.bruit_max), v + reglage.table.bruit_max + 1)
    return protection.valeurs_compatibles(protection.publier_effectif(n, cle, reglage=reglage), reglage=reglage)


def lp_tableau(n: np.ndarray, cles: np.ndarray, mode_marges_colonnes: str, reglage: protection.Reglage) -> int:
    """Un tableau croisé publié (cases, totaux de lignes protégés, totaux de colonnes et total général selon
    mode_marges_colonnes) : nombre de cases vraies de 1 à 10 qu'un programme linéaire fixe."""
    from scipy.optimize import linprog

    r, c = n.shape
    vraies = list(n.flatten())
    cles_ = [int(x) for x in cles.flatten()]
    modes = ["protegee"] * (r * c)
    relations = []
    for i in range(r):
        relations.append((len(vraies), [i * c + j for j in range(c)]))
        vraies.append(int(n[i].sum()))
        cles_.append(int(cles[i].sum()) % MODULE)
        modes.append("protegee")
    for j in range(c):
        relations.append((len(vraies), [i * c + j for i in range(r)]))
        vraies.append(int(n[:, j].sum()))
        cles_.append(int(cles[:, j].sum()) % MODULE)
        modes.append(mode_marges_colonnes)
    relations.append((len(vraies), list(range(r * c))))
    vraies.append(int(n.sum()))
    cles_.append(int(cles.sum()) % MODULE)
    modes.append(mode_marges_colonnes)
    boites = [_boite(int(v), k, m, reglage) for v, k, m in zip(vraies, cles_, modes, strict=True)]
    a_eq = np.zeros((len(relations), len(vraies)))
    for k, (total, parties) in enumerate(relations):
        a_eq[k, total], a_eq[k, parties] = -1, 1
    bornes = [(b.start, b.stop - 1) for b in boites]
    figees = 0
    for k in range(r * c):
        if not 1 <= vraies[k] < reglage.seuil:
            continue
        objectif = np.zeros(len(vraies))
        objectif[k] = 1
        bas = linprog(objectif, A_eq=a_eq, b_eq=np.zeros(len(relations)), bounds=bornes, method="highs").fun
        haut = -linprog(-objectif, A_eq=a_eq, b_eq=np.zeros(len(relations)), bounds=bornes, method="highs").fun
        figees += haut - bas < 0.5
    return figees


def lp_sorties_par_motif(con: duckdb.DuckDBPyConnection, d: date, sel: bytes) -> dict[str, tuple[int, int, int]]:
    """Les tableaux croisés réels de la démo, chaque mois : EPT × motif de sortie (marges de colonnes = le
    département par motif) et, dans chaque EPT, ALI × motif (toutes marges protégées). Une ligne par EPT ou
    ALI ouverte ce mois-là (référentiel), zéros compris : l'attaquant sait lesquelles existent, pas où sont
    les zéros (masqués). Département en marge : exact sans condition (règle du contrat), exact seulement
    depuis que deux EPT ont une ALI ouverte (règle retenue, protégé avant), ou bruité sans masquage.
    Pour chaque variante : (cases de 1 à 10 fixées, cases de 1 à 10 examinées, tableaux)."""
    ipad, opad = cles_hmac.pads_hmac(sel)
    df = executer_sql(con, SQL_SORTIES_MOTIFS, {"ipad": ipad, "opad": opad, "module": MODULE, "d": d})
    ref = con.execute(SQL_EPT).df().drop_duplicates("code_ali")
    premier = protection.premier_mois_exempte(
        (e, mois)
        for e, mois in zip(ref["ept"], [date(m // 12, m % 12 + 1, 1) for m in ref["m_ouverture"]], strict=True)
    )
    motifs = con.execute("SELECT motif_sortie FROM ref_motifs_sortie ORDER BY motif_sortie").df()["motif_sortie"]
    reglage = protection.REGLAGE
    resultats = {}

    def tableau(sous: pd.DataFrame, lignes: str, index: list[str]) -> tuple[np.ndarray, np.ndarray]:
        grouper = sous.groupby([lignes, "motif"])
        n = grouper["n"].sum().unstack("motif").reindex(index=index, columns=motifs).fillna(0).astype("int64")
        cles = (grouper["cle"].sum() % MODULE).unstack("motif")
        cles = cles.reindex(index=index, columns=motifs).fillna(0).astype("int64")
        return n.to_numpy(), cles.to_numpy()

    mois_donnees = sorted(m for m in df["m"].unique() if m <= m_de(d))

    def exemption(m: int) -> str:
        return "exacte" if premier is not None and date(m // 12, m % 12 + 1, 1) >= premier else "protegee"

    variantes = (
        ("EPT × motif, département exact sans condition", lambda m: "exacte"),
        ("EPT × motif, département exact dès deux EPT ouverts", exemption),
        ("EPT × motif, département bruité", lambda m: "bruitee"),
    )
    for nom, mode in variantes:
        figees = petites = tableaux = 0
        for m in mois_donnees:
            epts = sorted(ref.loc[ref["m_ouverture"] <= m, "ept"].unique())
            n, cles = tableau(df[df["m"] == m], "ept", epts)
            figees += lp_tableau(n, cles, mode(m), reglage)
            petites += int(((n >= 1) & (n < reglage.seuil)).sum())
            tableaux += 1
        resultats[nom] = (figees, petites, tableaux)
    figees = petites = tableaux = 0
    for m in mois_donnees:
        ouvertes = ref[ref["m_ouverture"] <= m]
        for ept, alis in ouvertes.groupby("ept")["code_ali"]:
            n, cles = tableau(df[(df["m"] == m) & (df["ept"] == ept)], "code_ali", sorted(alis))
            figees += lp_tableau(n, cles, "protegee", reglage)
            petites += int(((n >= 1) & (n < reglage.seuil)).sum())
            tableaux += 1
    resultats["ALI d'un EPT × motif, tout protégé"] = (figees, petites, tableaux)
    return resultats


# --- Sortie -----------------------------------------------------------------------------------------


def pct(x: float) -> str:
    return f"{100 * x:.1f} %".replace(".", ",")


def nb(x: float, chiffres: int = 2) -> str:
    return f"{x:.{chiffres}f}".replace(".", ",")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=chemin_base_par_defaut())
    parser.add_argument("--sels", type=int, default=10, help="nombre de sels tirés (les métriques en sont la moyenne)")
    parser.add_argument(
        "--croises",
        type=int,
        default=0,
        help="tableaux 2 × 2 à bruits adverses par nombre de bruits extrêmes (0 : non)",
    )
    args = parser.parse_args(argv)
    con = connecter(args.db)
    d = con.execute("SELECT max(date_extraction) FROM episodes").fetchone()[0]
    debut_chrono = time.perf_counter()
    mesures: dict[str, list[dict]] = {}
    for k in range(args.sels):
        sel = f"banc-secret-precision-{k}".encode()
        c = cellules(con, d, sel, verifier=(k == 0))
        for methode in METHODES:
            ligne = {
                "fa": mesurer_effectifs(methode, c.file_active, flux=False),
                "entrees": mesurer_effectifs(methode, c.entrees, flux=True),
                "sorties": mesurer_effectifs(methode, c.sorties, flux=True),
                "taux_trimestre": mesurer_taux(methode, c.taux.dropna(subset=["trimestre"])),
                "taux_periode": mesurer_taux(methode, c.taux[c.taux["trimestre"].isna()]),
                "dep": ecart_departement(methode, c),
                "attaque": attaque_par_moyenne(methode, c),
                "pire_cas": attaque_pire_cas(methode, np.random.default_rng(k)),
            }
            mesures.setdefault(methode.nom, []).append(ligne)
    duree = time.perf_counter() - debut_chrono

    def moyenne(nom: str, famille: str, cle: str) -> float:
        valeurs = [m[famille][cle] for m in mesures[nom] if cle in m[famille]]
        return max(valeurs) if cle.endswith("_max") else float(np.mean(valeurs))

    print(f"Base : {args.db} ; D = {d:%d/%m/%Y} ; seuil {SEUIL_SECRET} ; {args.sels} sel(s) ; {duree:.0f} s")
    premiere = mesures[METHODES[0].nom][0]
    for famille, titre in (
        ("fa", "File active de fin de mois par ALI"),
        ("entrees", "Entrées par ALI et par mois"),
        ("sorties", "Sorties par ALI et par mois"),
    ):
        print(f"\n### {titre} ({premiere[famille]['cases']} cases)\n")
        print("| méthode | écart moyen | écart max | écart relatif moyen | cases modifiées | cases masquées "
              "| dont vraies 0 | dont vraies ≥ 11 |")  # fmt: skip
        print("|---|---|---|---|---|---|---|---|")
        for methode in METHODES:

            def v(cle: str, nom: str = methode.nom, famille: str = famille) -> float:
                return moyenne(nom, famille, cle)

            print(
                f"| {methode.nom} | {nb(v('ecart_moyen'))} | {nb(v('ecart_max'), 0)} | {pct(v('ecart_relatif_moyen'))} "
                f"| {pct(v('modifiees'))} | {pct(v('masquees'))} | {pct(v('masquees_zero'))} "
                f"| {pct(v('masquees_11_plus'))} |"
            )
    for famille, titre in (
        ("taux_trimestre", "Taux de sortie en emploi à 12 mois par ALI et trimestre d'orientation"),
        ("taux_periode", "Taux de sortie en emploi à 12 mois par ALI, toute la période"),
    ):
        print(f"\n### {titre} ({premiere[famille]['cases']} taux)\n")
        print("| méthode | taux non publiés | écart moyen (points) | écart max (points) | écart relatif moyen "
              "| écart relatif max |")  # fmt: skip
        print("|---|---|---|---|---|---|")
        for methode in METHODES:

            def v(cle: str, nom: str = methode.nom, famille: str = famille) -> float:
                return moyenne(nom, famille, cle)

            print(
                f"| {methode.nom} | {pct(v('non_publies'))} | {nb(v('ecart_pts_moyen'))} | {nb(v('ecart_pts_max'))} "
                f"| {pct(v('ecart_relatif_moyen'))} | {pct(v('ecart_relatif_max'))} |"
            )
    print("\n### Somme des ALI publiées face au département exact (file active, mois sans case masquée)\n")
    print("| méthode | écart moyen | écart max | mois |")
    print("|---|---|---|---|")
    for methode in METHODES:
        if mesures[methode.nom][0]["dep"]:
            dep = mesures[methode.nom]
            print(
                f"| {methode.nom} | {nb(float(np.mean([x['dep']['dep_moyen'] for x in dep])), 1)} "
                f"| {nb(max(x['dep']['dep_max'] for x in dep), 0)} | {dep[0]['dep']['dep_mois']} |"
            )
    for cle, titre in (
        ("attaque", "Attaque par moyenne sur la démo : tranche d'âge masquée (1 à 10) d'une ALI, retrouvée exactement"),
        (
            "pire_cas",
            "Attaque par moyenne, pire cas simulé : case de 1 à 10 constante pendant k mois, retrouvée exactement",
        ),
    ):
        print(f"\n### {titre}\n")
        print("| méthode | " + " | ".join(f"k = {k} mois" for k in FENETRES) + " | cases attaquées |")
        print("|---|" + "---|" * (len(FENETRES) + 1))
        for methode in METHODES:
            att = [x[cle] for x in mesures[methode.nom] if x[cle]]
            if not att:
                continue
            parts = [pct(float(np.mean([a[k][0] for a in att]))) for k in FENETRES]
            print(f"| {methode.nom} | {' | '.join(parts)} | {att[0][1][1]} |")
    if args.croises:
        print("\n### Tableaux croisés 2 × 2 à bruits adverses : cases de 1 à 10 fixées par programme linéaire\n")
        print("| marges | 1 bruit extrême | 2 | 3 | 4 | tableaux par colonne |")
        print("|---|---|---|---|---|---|")
        for exactes, nom in ((False, "toutes bruitées"), (True, "lignes et total exacts")):
            r = croises_adverses(args.croises, np.random.default_rng(93), exactes)
            print(f"| {nom} | " + " | ".join(str(r[k][0]) for k in (1, 2, 3, 4)) + f" | {args.croises} |")
        print("\n### Sorties par motif de la démo, chaque mois : cases de 1 à 10 fixées par programme linéaire\n")
        print("| tableau | cases fixées | cases de 1 à 10 examinées | tableaux | sels |")
        print("|---|---|---|---|---|")
        cumul: dict[str, list[int]] = {}
        sels_lp = min(args.sels, 2)
        for k in range(sels_lp):
            for nom, valeurs in lp_sorties_par_motif(con, d, f"banc-secret-precision-{k}".encode()).items():
                cumul.setdefault(nom, [0, 0, 0])
                cumul[nom] = [a + b for a, b in zip(cumul[nom], valeurs, strict=True)]
        for nom, (figees, petites, tableaux) in cumul.items():
            print(f"| {nom} | {figees} | {petites} | {tableaux} | {sels_lp} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
