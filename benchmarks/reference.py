"""Les indicateurs de queries/ écrits simplement en pandas : ce qu'un analyste écrirait à partir de la table des
épisodes lue une fois dans un DataFrame (et des petites tables : référentiels, budget, chargements).

C'est la référence du banc d'essai : chaque résultat est comparé à celui du SQL (`egal`), pour que la
comparaison des temps porte sur le même calcul. Les définitions suivent les commentaires des fichiers SQL
(contrat §5) ; les séries mensuelles sont calculées mois par mois (une fin de mois, des personnes distinctes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from insertion.contrat import COLONNES_FREINS
from insertion.store.requetes import Perimetre, Periode

DEP = "Seine-Saint-Denis"
JOURS_90 = pd.Timedelta(days=90)
JOURS_365 = pd.Timedelta(days=365)
_COLONNES_GROUPE = {"ali": "code_ali", "ept": "ept", "commune": "code_commune"}
_FILTRES = (
    ("alis", "code_ali"),
    ("epts", "ept"),
    ("communes", "code_commune"),
    ("parcours", "type_parcours"),
    ("ages", "tranche_age"),
    ("sexes", "sexe"),
)


@dataclass
class Donnees:
    """Les tables lues une fois ; `episodes` porte l'EPT de la commune (jointure faite à la lecture)."""

    episodes: pd.DataFrame
    motifs: pd.DataFrame
    ref_ali: pd.DataFrame
    ref_ali_communes: pd.DataFrame
    ref_communes: pd.DataFrame
    budget: pd.DataFrame
    chargements: pd.DataFrame
    quarantaine: pd.DataFrame
    instantanes: pd.DataFrame

    @classmethod
    def lire(cls, con: duckdb.DuckDBPyConnection) -> Donnees:
        def t(nom: str) -> pd.DataFrame:
            return con.table(nom).df()  # noms fixes, écrits ici ; aucun SQL composé

        communes = t("ref_communes")
        # Les seules colonnes du contrat, comme un analyste les recevrait : pas les colonnes que le chargeur
        # prépare pour le SQL (ept, mois entiers, groupes de motifs, marqueurs de personnes).
        contrat = con.table("episodes_historique").columns
        episodes = t("episodes")[contrat].merge(communes[["code_commune", "ept"]], on="code_commune", how="inner")
        return cls(
            episodes=episodes,
            motifs=t("ref_motifs_sortie"),
            ref_ali=t("ref_ali"),
            ref_ali_communes=t("ref_ali_communes"),
            ref_communes=communes,
            budget=t("budget"),
            chargements=t("chargements"),
            quarantaine=t("quarantaine"),
            instantanes=t("instantanes"),
        )

    def perimetre(self, p: Perimetre) -> pd.DataFrame:
        e = self.episodes
        masque = None
        for champ, colonne in _FILTRES:
            valeurs = getattr(p, champ)
            if valeurs:
                m = e[colonne].isin(valeurs)
                masque = m if masque is None else masque & m
        return e if masque is None else e[masque]


# --- petits outils ---------------------------------------------------------------------------------------


def _bornes(periode: Periode) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    p = periode.parametres()
    return pd.Timestamp(p["as_of"]), pd.Timestamp(p["debut"]), pd.Timestamp(p["fin"])


def _groupe(df: pd.DataFrame, groupe: str) -> pd.Series:
    if groupe == "departement":
        return pd.Series(DEP, index=df.index, name="groupe")
    return df[_COLONNES_GROUPE[groupe]].rename("groupe")


def _debut_mois(s: pd.Series) -> pd.Series:
    return s.dt.to_period("M").dt.to_timestamp()


def _cohorte(p: pd.DataFrame, pas: str, debut: pd.Timestamp) -> pd.Series:
    if pas == "mois":
        return _debut_mois(p["date_orientation"])
    if pas == "trimestre":
        return p["date_orientation"].dt.to_period("Q").dt.to_timestamp()
    return pd.Series(debut, index=p.index)


def _fin_cohorte(cohorte: pd.Series, pas: str, fin: pd.Timestamp) -> pd.Series:
    if pas == "mois":
        derniere = cohorte + pd.offsets.MonthEnd(1)
    elif pas == "trimestre":
        derniere = cohorte + pd.offsets.MonthEnd(3)
    else:
        derniere = pd.Series(fin, index=cohorte.index)
    return derniere.where(derniere <= fin, fin)


def _drapeaux_motif(p: pd.DataFrame, motifs: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    motif = p["motif_sortie"].fillna("non_renseigne")
    emploi = dict(zip(motifs["motif_sortie"], motifs["sortie_emploi"], strict=True))
    durable = dict(zip(motifs["motif_sortie"], motifs["emploi_durable"], strict=True))
    return (
        motif.map(emploi).fillna(False).astype(bool),
        motif.map(durable).fillna(False).astype(bool),
    )


def _taux(n: pd.Series, d: pd.Series) -> pd.Series:
    return n / d.where(d != 0)


def _actifs_fin_de_mois(ep: pd.DataFrame, g: pd.Series, r: pd.Timestamp) -> pd.Series:
    """Personnes distinctes actives à la date r, par groupe."""
    actif = (ep["date_orientation"] <= r) & (ep["date_sortie"].isna() | (ep["date_sortie"] > r))
    return ep["id_beneficiaire"][actif].groupby(g[actif]).nunique()


# --- contrat §5.1 : file active, entrées, sorties --------------------------------------------------------


def file_active(d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str) -> pd.DataFrame:
    D, _, _ = _bornes(periode)
    p = d.perimetre(perimetre)
    actif = (p["date_orientation"] <= D) & (p["date_sortie"].isna() | (p["date_sortie"] > D))
    n = p["id_beneficiaire"].where(actif).groupby(_groupe(p, groupe)).nunique()
    return n.rename("file_active").reset_index().sort_values("groupe", ignore_index=True)


def file_active_mensuelle(d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str) -> pd.DataFrame:
    D, debut, fin = _bornes(periode)
    p = d.perimetre(perimetre)
    ep = p[p["date_orientation"] <= D]
    colonnes = ["groupe", "mois", "date_reference", "file_active"]
    if ep.empty:
        return pd.DataFrame(columns=colonnes)
    g = _groupe(ep, groupe)
    groupes = sorted(g.unique())
    premier = max(debut.to_period("M").to_timestamp(), ep["date_orientation"].min().to_period("M").to_timestamp())
    lignes = []
    for mois in pd.date_range(premier, fin.to_period("M").to_timestamp(), freq="MS"):
        r = min(mois + pd.offsets.MonthEnd(1), D)
        n = _actifs_fin_de_mois(ep, g, r)
        lignes += [(grp, mois, r, int(n.get(grp, 0))) for grp in groupes]
    return pd.DataFrame(lignes, columns=colonnes).sort_values(["groupe", "mois"], ignore_index=True)


def entrees_sorties(d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str) -> pd.DataFrame:
    _, debut, fin = _bornes(periode)
    p = d.perimetre(perimetre)
    t = pd.DataFrame(
        {
            "groupe": _groupe(p, groupe),
            "entrees": p["date_orientation"].between(debut, fin),
            "sorties": p["date_sortie"].between(debut, fin),
        }
    )
    return t.groupby("groupe", as_index=False).sum().sort_values("groupe", ignore_index=True)


def entrees_sorties_mensuelles(d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str) -> pd.DataFrame:
    _, debut, fin = _bornes(periode)
    p = d.perimetre(perimetre)
    p = p[p["date_orientation"] <= fin]
    colonnes = ["groupe", "mois", "entrees", "sorties"]
    if p.empty:
        return pd.DataFrame(columns=colonnes)
    g = _groupe(p, groupe)
    e = p["date_orientation"].between(debut, fin)
    s = p["date_sortie"].between(debut, fin)
    entrees = g[e].groupby([g[e], _debut_mois(p["date_orientation"][e])]).size()
    sorties = g[s].groupby([g[s], _debut_mois(p["date_sortie"][s])]).size()
    premier = max(debut, p["date_orientation"].min()).to_period("M").to_timestamp()
    mois = pd.date_range(premier, fin.to_period("M").to_timestamp(), freq="MS")
    grille = pd.MultiIndex.from_product([sorted(g.unique()), mois], names=["groupe", "mois"])
    out = pd.DataFrame(
        {
            "entrees": entrees.reindex(grille, fill_value=0).to_numpy(),
            "sorties": sorties.reindex(grille, fill_value=0).to_numpy(),
        },
        index=grille,
    )
    return out.reset_index()


# --- contrat §5.2 : diagnostics --------------------------------------------------------------------------


def _diag(d: Donnees, periode: Periode, perimetre: Perimetre, diagnostic: str) -> tuple[pd.DataFrame, pd.Series]:
    _, debut, fin = _bornes(periode)
    p = d.perimetre(perimetre)
    p = p[p["date_orientation"].between(debut, fin)]
    return p, p[f"date_diag_{diagnostic}"]


def taux_diagnostic_90j(
    d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str, diagnostic: str
) -> pd.DataFrame:
    D, _, _ = _bornes(periode)
    p, diag = _diag(d, periode, perimetre, diagnostic)
    cohorte = p["date_orientation"] <= D - JOURS_90
    t = pd.DataFrame(
        {
            "groupe": _groupe(p, groupe),
            "denominateur": cohorte,
            "numerateur": cohorte & (diag <= p["date_orientation"] + JOURS_90),
            "diagnostics": diag <= D,
            "delai": (diag - p["date_orientation"]).dt.days.where(diag <= D),
        }
    )
    a = t.groupby("groupe").agg(
        denominateur=("denominateur", "sum"),
        numerateur=("numerateur", "sum"),
        delai_median_j=("delai", "median"),
        diagnostics=("diagnostics", "sum"),
    )
    a["taux_90j"] = _taux(a["numerateur"], a["denominateur"])
    a = a.reset_index().sort_values("groupe", ignore_index=True)
    return a[["groupe", "denominateur", "numerateur", "taux_90j", "delai_median_j", "diagnostics"]]


def taux_diagnostic_cohortes(
    d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str, diagnostic: str
) -> pd.DataFrame:
    D, _, fin = _bornes(periode)
    p, diag = _diag(d, periode, perimetre, diagnostic)
    cohorte = p["date_orientation"] <= D - JOURS_90
    dates = diag <= D
    t = pd.DataFrame(
        {
            "groupe": _groupe(p, groupe),
            "cohorte": _debut_mois(p["date_orientation"]),
            "orientations": 1,
            "denominateur": cohorte,
            "numerateur": cohorte & (diag <= p["date_orientation"] + JOURS_90),
            "diagnostics": dates,
            "delai": (diag - p["date_orientation"]).dt.days.where(dates),
        }
    )
    a = t.groupby(["groupe", "cohorte"]).agg(
        orientations=("orientations", "sum"),
        denominateur=("denominateur", "sum"),
        numerateur=("numerateur", "sum"),
        diagnostics=("diagnostics", "sum"),
        delai_median_j=("delai", "median"),
    )
    a = a.reset_index()
    a["recul_complet"] = _fin_cohorte(a["cohorte"], "mois", fin) <= D - JOURS_90
    a["taux_90j"] = _taux(a["numerateur"], a["denominateur"])
    colonnes = ["groupe", "cohorte", "recul_complet", "orientations", "denominateur", "numerateur", "taux_90j"]
    return a[colonnes + ["diagnostics", "delai_median_j"]].sort_values(["groupe", "cohorte"], ignore_index=True)


def niveaux_diagnostic(
    d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str, diagnostic: str
) -> pd.DataFrame:
    D, _, _ = _bornes(periode)
    p, diag = _diag(d, periode, perimetre, diagnostic)
    p = p[diag <= D]
    t = pd.DataFrame({"groupe": _groupe(p, groupe), "niveau": p[f"niveau_{diagnostic}"].fillna("non_renseigne")})
    n = t.groupby(["groupe", "niveau"]).size().rename("episodes").reset_index()
    return n.sort_values(["groupe", "niveau"], ignore_index=True)


# --- contrat §5.3 et §5.4 : sorties ----------------------------------------------------------------------


def _emploi(d: Donnees, periode: Periode, perimetre: Perimetre) -> pd.DataFrame:
    D, debut, fin = _bornes(periode)
    p = d.perimetre(perimetre)
    p = p[p["date_orientation"].between(debut, fin)]
    emploi, durable = _drapeaux_motif(p, d.motifs)
    cohorte = p["date_orientation"] <= D - JOURS_365
    sorti = p["date_sortie"] <= p["date_orientation"] + JOURS_365
    return p, cohorte, cohorte & sorti & emploi, cohorte & sorti & durable


def taux_sortie_emploi_12m(d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str) -> pd.DataFrame:
    p, cohorte, emploi, durable = _emploi(d, periode, perimetre)
    t = pd.DataFrame(
        {"groupe": _groupe(p, groupe), "denominateur": cohorte, "n_sortie_emploi": emploi, "n_emploi_durable": durable}
    )
    a = t.groupby("groupe").sum()
    a["taux_sortie_emploi"] = _taux(a["n_sortie_emploi"], a["denominateur"])
    a["taux_emploi_durable"] = _taux(a["n_emploi_durable"], a["denominateur"])
    a = a.reset_index().sort_values("groupe", ignore_index=True)
    return a[["groupe", "denominateur", "n_sortie_emploi", "taux_sortie_emploi", "n_emploi_durable",
              "taux_emploi_durable"]]  # fmt: skip


def taux_sortie_emploi_cohortes(
    d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str, pas: str
) -> pd.DataFrame:
    D, debut, fin = _bornes(periode)
    p, cohorte, emploi, durable = _emploi(d, periode, perimetre)
    t = pd.DataFrame(
        {
            "groupe": _groupe(p, groupe),
            "cohorte": _cohorte(p, pas, debut),
            "orientations": 1,
            "denominateur": cohorte,
            "n_sortie_emploi": emploi,
            "n_emploi_durable": durable,
        }
    )
    a = t.groupby(["groupe", "cohorte"]).sum().reset_index()
    a["fin_cohorte"] = _fin_cohorte(a["cohorte"], pas, fin)
    a["recul_complet"] = a["fin_cohorte"] <= D - JOURS_365
    a["taux_sortie_emploi"] = _taux(a["n_sortie_emploi"], a["denominateur"])
    a["taux_emploi_durable"] = _taux(a["n_emploi_durable"], a["denominateur"])
    colonnes = ["groupe", "cohorte", "fin_cohorte", "recul_complet", "orientations", "denominateur",
                "n_sortie_emploi", "taux_sortie_emploi", "n_emploi_durable", "taux_emploi_durable"]  # fmt: skip
    return a[colonnes].sort_values(["groupe", "cohorte"], ignore_index=True)


def sorties_par_motif(d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str) -> pd.DataFrame:
    _, debut, fin = _bornes(periode)
    p = d.perimetre(perimetre)
    p = p[p["date_sortie"].between(debut, fin)]
    t = pd.DataFrame({"groupe": _groupe(p, groupe), "motif_sortie": p["motif_sortie"].fillna("non_renseigne")})
    n = t.groupby(["groupe", "motif_sortie"]).size().rename("sorties").reset_index()
    m = d.motifs.set_index("motif_sortie")
    n["libelle"] = n["motif_sortie"].map(m["libelle"]).fillna(n["motif_sortie"])
    for colonne in ("emploi_durable", "sortie_emploi", "sortie_dynamique"):
        n[colonne] = n["motif_sortie"].map(m[colonne]).fillna(False).astype(bool)
    n = n.sort_values(["groupe", "sorties", "motif_sortie"], ascending=[True, False, True], ignore_index=True)
    return n[["groupe", "motif_sortie", "libelle", "emploi_durable", "sortie_emploi", "sortie_dynamique", "sorties"]]


def sorties_par_groupe(d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str) -> pd.DataFrame:
    """Les sorties par motif, regroupées selon le contrat §3 (un motif hors référentiel va dans « autres »)."""
    n = sorties_par_motif(d, periode, perimetre, groupe)
    n["groupe_sortie"] = [
        "emploi_durable" if e else "emploi_transition" if s else "formation" if dyn else "autres"
        for e, s, dyn in zip(n["emploi_durable"], n["sortie_emploi"], n["sortie_dynamique"], strict=True)
    ]
    g = n.groupby(["groupe", "groupe_sortie"], as_index=False)["sorties"].sum()
    ordre = {"emploi_durable": 1, "emploi_transition": 2, "formation": 3, "autres": 4}
    g = g.assign(_r=g["groupe_sortie"].map(ordre)).sort_values(["groupe", "_r"], ignore_index=True)
    return g[["groupe", "groupe_sortie", "sorties"]]


def parcours_cohorte(d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str, pas: str) -> pd.DataFrame:
    D, debut, fin = _bornes(periode)
    p = d.perimetre(perimetre)
    p = p[p["date_orientation"].between(debut, fin) & (p["date_orientation"] <= D - JOURS_365)]
    emploi, durable = _drapeaux_motif(p, d.motifs)
    num = p["date_diag_numerique"] <= p["date_orientation"] + JOURS_90
    ling = p["date_diag_linguistique"] <= p["date_orientation"] + JOURS_90
    sorti = p["date_sortie"] <= p["date_orientation"] + JOURS_365
    t = pd.DataFrame(
        {
            "groupe": _groupe(p, groupe),
            "cohorte": _cohorte(p, pas, debut),
            "orientes": 1,
            "diag_numerique_90j": num,
            "diag_linguistique_90j": ling,
            "diag_un_90j": num | ling,
            "diag_deux_90j": num & ling,
            "sortis_12m": sorti,
            "sortis_emploi_12m": sorti & emploi,
            "sortis_emploi_durable_12m": sorti & durable,
        }
    )
    a = t.groupby(["groupe", "cohorte"]).sum().reset_index()
    a.insert(2, "fin_cohorte", _fin_cohorte(a["cohorte"], pas, fin))
    a.insert(3, "recul_complet", a["fin_cohorte"] <= D - JOURS_365)
    return a.sort_values(["groupe", "cohorte"], ignore_index=True)


def repartition_profil(d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str, dimension: str) -> pd.DataFrame:
    D, _, _ = _bornes(periode)
    p = d.perimetre(perimetre)
    p = p[(p["date_orientation"] <= D) & (p["date_sortie"].isna() | (p["date_sortie"] > D))]
    t = pd.DataFrame(
        {
            "groupe": _groupe(p, groupe),
            "id_beneficiaire": p["id_beneficiaire"],
            "date_orientation": p["date_orientation"],
            "code_ali": p["code_ali"],
            "modalite": p[dimension].fillna("non_renseigne"),
        }
    )
    # Une personne compte une fois par groupe : son épisode actif le plus récent.
    t = t.sort_values(["groupe", "id_beneficiaire", "date_orientation", "code_ali", "modalite"],
                      ascending=[True, True, False, True, True])  # fmt: skip
    t = t.drop_duplicates(["groupe", "id_beneficiaire"])
    n = t.groupby(["groupe", "modalite"]).size().rename("file_active").reset_index()
    n["total"] = n.groupby("groupe")["file_active"].transform("sum")
    return n.sort_values(["groupe", "modalite"], ignore_index=True)


# --- contrat §7.1 : freins périphériques ------------------------------------------------------------------

_NOMS_FREINS = [c.removeprefix("frein_") for c in COLONNES_FREINS]


def _personnes_actives(d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str) -> pd.DataFrame:
    """La file active à D, une ligne par (groupe, personne) : son épisode actif le plus récent."""
    D, _, _ = _bornes(periode)
    p = d.perimetre(perimetre)
    p = p[(p["date_orientation"] <= D) & (p["date_sortie"].isna() | (p["date_sortie"] > D))]
    t = p.assign(groupe=_groupe(p, groupe))
    t = t.sort_values(["groupe", "id_beneficiaire", "date_orientation", "code_ali"],
                      ascending=[True, True, False, True])  # fmt: skip
    return t.drop_duplicates(["groupe", "id_beneficiaire"])


def freins_prevalence(d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str) -> pd.DataFrame:
    t = _personnes_actives(d, periode, perimetre, groupe)
    lignes = []
    for g, x in t.groupby("groupe"):
        for nom, colonne in zip(_NOMS_FREINS, COLONNES_FREINS, strict=True):
            connus, avec = int(x[colonne].isin(["oui", "non"]).sum()), int((x[colonne] == "oui").sum())
            lignes.append((g, nom, connus, avec, avec / connus if connus else np.nan))
    return pd.DataFrame(lignes, columns=["groupe", "frein", "connus", "avec_frein", "part"])


def freins_par_personne(d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str) -> pd.DataFrame:
    t = _personnes_actives(d, periode, perimetre, groupe)
    t = t[t[COLONNES_FREINS].isin(["oui", "non"]).sum(axis=1) > 0]
    nb = (t[COLONNES_FREINS] == "oui").sum(axis=1).clip(upper=4)
    lignes = []
    for g, n in nb.groupby(t["groupe"]):
        for classe in range(5):
            k = int((n == classe).sum())
            lignes.append((g, classe, k, len(n), k / len(n)))
    return pd.DataFrame(lignes, columns=["groupe", "nb_freins", "personnes", "total", "part"])


def freins_sortie_emploi(d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str) -> pd.DataFrame:
    p, cohorte, emploi, _ = _emploi(d, periode, perimetre)
    c = p[cohorte].assign(groupe=_groupe(p, groupe)[cohorte], emploi=emploi[cohorte])
    lignes = []
    for g, x in c.groupby("groupe"):
        for nom, colonne in zip(_NOMS_FREINS, COLONNES_FREINS, strict=True):
            for avec in ("oui", "non"):
                y = x[x[colonne] == avec]
                lignes.append((g, nom, avec, len(y), int(y["emploi"].sum()), y["emploi"].mean() if len(y) else np.nan))
    return pd.DataFrame(
        lignes, columns=["groupe", "frein", "avec", "denominateur", "n_sortie_emploi", "taux_sortie_emploi"]
    )


def taux_fins_de_mois(
    d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str, dates: list[date]
) -> pd.DataFrame:
    _, debut, fin = _bornes(periode)
    p = d.perimetre(perimetre)
    p = p[p["date_orientation"].between(debut, fin)]
    emploi, durable = _drapeaux_motif(p, d.motifs)
    g = _groupe(p, groupe)
    num = p["date_diag_numerique"] <= p["date_orientation"] + JOURS_90
    ling = p["date_diag_linguistique"] <= p["date_orientation"] + JOURS_90
    sorti = p["date_sortie"] <= p["date_orientation"] + JOURS_365
    morceaux = []
    for r in sorted({pd.Timestamp(x) for x in dates}):
        c90 = p["date_orientation"] <= r - JOURS_90
        c12 = p["date_orientation"] <= r - JOURS_365
        t = pd.DataFrame(
            {
                "groupe": g,
                "denominateur_90j": c90,
                "n_diag_numerique": c90 & num,
                "n_diag_linguistique": c90 & ling,
                "denominateur_12m": c12,
                "n_sortie_emploi": c12 & sorti & emploi,
                "n_emploi_durable": c12 & sorti & durable,
            }
        )
        a = t.groupby("groupe").sum().reset_index()
        a.insert(1, "date_reference", r)
        morceaux.append(a)
    colonnes = ["groupe", "date_reference", "denominateur_90j", "n_diag_numerique", "taux_diag_numerique",
                "n_diag_linguistique", "taux_diag_linguistique", "denominateur_12m", "n_sortie_emploi",
                "taux_sortie_emploi", "n_emploi_durable", "taux_emploi_durable"]  # fmt: skip
    if p.empty:
        return pd.DataFrame(columns=colonnes)
    a = pd.concat(morceaux, ignore_index=True)
    a["taux_diag_numerique"] = _taux(a["n_diag_numerique"], a["denominateur_90j"])
    a["taux_diag_linguistique"] = _taux(a["n_diag_linguistique"], a["denominateur_90j"])
    a["taux_sortie_emploi"] = _taux(a["n_sortie_emploi"], a["denominateur_12m"])
    a["taux_emploi_durable"] = _taux(a["n_emploi_durable"], a["denominateur_12m"])
    return a[colonnes].sort_values(["groupe", "date_reference"], ignore_index=True)


# --- contrat §5.5 : budget -------------------------------------------------------------------------------


def _budget(d: Donnees, perimetre: Perimetre) -> pd.DataFrame:
    b = d.budget
    return b[b["code_ali"].isin(perimetre.alis)] if perimetre.alis else b


def budget_annuel(d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str) -> pd.DataFrame:
    b = _budget(d, perimetre)
    b = b.assign(groupe=DEP if groupe == "departement" else b["code_ali"].fillna("non_reparti"))

    def agrege(cles: list[str]) -> pd.DataFrame:
        a = b.groupby(cles).agg(
            montant_vote=("montant_vote", "sum"),
            executes=("montant_execute", "count"),
            lignes=("montant_execute", "size"),
            somme_execute=("montant_execute", "sum"),
        )
        a["montant_execute"] = a["somme_execute"].where(a["executes"] == a["lignes"])
        return a.reset_index()

    lignes = agrege(["groupe", "annee", "ligne"]).assign(est_total=0)
    totaux = agrege(["groupe", "annee"]).assign(ligne="total", est_total=1)
    a = pd.concat([lignes, totaux], ignore_index=True)
    a["taux_execution"] = a["montant_execute"] / a["montant_vote"].where(a["montant_vote"] != 0)
    base = a[a["annee"] == 2021].set_index(["groupe", "ligne"])
    cle = pd.MultiIndex.from_frame(a[["groupe", "ligne"]])
    for colonne, indice in (("montant_vote", "indice_vote_2021"), ("montant_execute", "indice_execute_2021")):
        ref = base[colonne].reindex(cle).to_numpy()
        a[indice] = 100 * a[colonne] / np.where(ref == 0, np.nan, ref)
    a = a.sort_values(["groupe", "annee", "est_total", "ligne"], ignore_index=True)
    return a[["groupe", "annee", "ligne", "montant_vote", "montant_execute", "taux_execution", "indice_vote_2021",
              "indice_execute_2021"]]  # fmt: skip


def cout_par_personne(d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str) -> pd.DataFrame:
    D, _, _ = _bornes(periode)
    b = _budget(d, perimetre)
    if groupe == "ali":
        b = b[b["code_ali"].notna()]
    b = b.assign(groupe=DEP if groupe == "departement" else b["code_ali"])
    bg = b.groupby(["groupe", "annee"]).agg(
        executes=("montant_execute", "count"), lignes=("montant_execute", "size"), somme=("montant_execute", "sum")
    )
    bg["montant_execute"] = bg["somme"].where(bg["executes"] == bg["lignes"])
    bg = bg.reset_index()
    colonnes = ["groupe", "annee", "montant_execute", "mois_observes", "file_active_moyenne", "cout_par_personne"]
    if bg.empty:
        return pd.DataFrame(columns=colonnes)
    # File active de fin de mois (personnes distinctes), de janvier de la première année budgétaire au mois de D.
    p = d.perimetre(Perimetre(alis=perimetre.alis))
    ep = p[p["date_orientation"] <= D]
    g = _groupe(ep, groupe)
    groupes = sorted(bg["groupe"].unique())
    lignes = []
    for mois in pd.date_range(pd.Timestamp(int(bg["annee"].min()), 1, 1), D.to_period("M").to_timestamp(), freq="MS"):
        n = _actifs_fin_de_mois(ep, g, min(mois + pd.offsets.MonthEnd(1), D))
        lignes += [(grp, mois.year, int(n.get(grp, 0))) for grp in groupes]
    serie = pd.DataFrame(lignes, columns=["groupe", "annee", "file_active"])
    moy = serie.groupby(["groupe", "annee"]).agg(
        mois_observes=("file_active", "size"), file_active_moyenne=("file_active", "mean")
    )
    out = bg.merge(moy.reset_index(), on=["groupe", "annee"], how="left")
    out["mois_observes"] = out["mois_observes"].fillna(0).astype("int64")
    fa = out["file_active_moyenne"]
    out["cout_par_personne"] = out["montant_execute"] / fa.where(fa != 0)
    return out[colonnes].sort_values(["groupe", "annee"], ignore_index=True)


# --- référentiel et qualité ------------------------------------------------------------------------------


def _territoire(d: Donnees, perimetre: Perimetre) -> pd.Series:
    """ALI retenues par les filtres de territoire (une ALI dont une commune est retenue)."""
    ac = d.ref_ali_communes.merge(d.ref_communes[["code_commune", "ept"]], on="code_commune")
    if perimetre.alis:
        ac = ac[ac["code_ali"].isin(perimetre.alis)]
    if perimetre.epts:
        ac = ac[ac["ept"].isin(perimetre.epts)]
    if perimetre.communes:
        ac = ac[ac["code_commune"].isin(perimetre.communes)]
    return ac["code_ali"].drop_duplicates()


def _filtre_territoire(perimetre: Perimetre) -> bool:
    return bool(perimetre.alis or perimetre.epts or perimetre.communes)


def ali_ouvertes(d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str) -> pd.DataFrame:
    D, _, _ = _bornes(periode)
    a = d.ref_ali
    if _filtre_territoire(perimetre):
        a = a[a["code_ali"].isin(_territoire(d, perimetre))]
    a = a.assign(ouverte=a["ouverture"] <= D).sort_values("code_ali", ignore_index=True)
    return a[["code_ali", "nom", "ouverture", "ouverte"]]


def qualite_chargements(d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str) -> pd.DataFrame:
    c = d.chargements.copy()
    for colonne in ("ali_remplacees", "ali_historique", "annees_remplacees"):
        c[colonne] = [", ".join(str(x) for x in sorted(v)) for v in c[colonne]]
    c = c.sort_values(["charge_le", "id_chargement"], ascending=False, ignore_index=True)
    return c[["id_chargement", "fichier", "nature", "statut", "date_extraction", "lignes_lues", "acceptees",
              "rejetees", "ali_remplacees", "ali_historique", "annees_remplacees", "message", "charge_le"]]  # fmt: skip


def _quarantaine(d: Donnees, perimetre: Perimetre) -> pd.DataFrame:
    q = d.quarantaine.merge(d.chargements[["id_chargement", "fichier"]], on="id_chargement")
    if _filtre_territoire(perimetre):
        q = q[q["code_ali"].isin(_territoire(d, perimetre))]
    return q


def qualite_rejets(d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str) -> pd.DataFrame:
    q = _quarantaine(d, perimetre)
    cles = ["id_chargement", "fichier", "code_ali", "colonne", "motif"]
    n = q.groupby(cles, dropna=False).size().rename("lignes").reset_index()
    return n.sort_values(["id_chargement", "lignes", "motif"], ascending=[False, False, True], ignore_index=True)


def qualite_quarantaine(d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str, limite: int) -> pd.DataFrame:
    q = _quarantaine(d, perimetre).sort_values(["id_chargement", "ligne"], ascending=[False, True])
    return q[["id_chargement", "fichier", "ligne", "code_ali", "colonne", "motif", "detail"]].head(limite)


def date_observation(d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str) -> pd.DataFrame:
    courant = d.instantanes[d.instantanes["courant"]]
    f = courant[courant["code_ali"].isin(_territoire(d, perimetre))][["code_ali", "date_extraction"]]
    f = f.assign(date_commune=f["date_extraction"].min(), plus_recente=f["date_extraction"].max())
    return f.sort_values("code_ali", ignore_index=True)


def qualite_fraicheur(d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str, derniere: date) -> pd.DataFrame:
    derniere = pd.Timestamp(derniere)
    seuil = derniere  # en retard : une extraction plus ancienne que la plus récente en place
    a = d.ref_ali[d.ref_ali["code_ali"].isin(_territoire(d, perimetre))]
    courant = d.instantanes[d.instantanes["courant"]][["code_ali", "date_extraction", "lignes", "id_chargement"]]
    f = a.merge(courant, on="code_ali", how="left").merge(
        d.chargements[["id_chargement", "fichier"]], on="id_chargement", how="left"
    )
    f["ouverte"] = f["ouverture"] <= derniere
    f["seuil"] = seuil
    f["anciennete_j"] = (derniere - f["date_extraction"]).dt.days
    f["en_retard"] = f["ouverte"] & (f["date_extraction"].isna() | (f["date_extraction"] < seuil))
    f["statut"] = np.select(
        [~f["ouverte"], f["date_extraction"].isna(), f["en_retard"]], ["non_ouverte", "aucune", "en_retard"], "a_jour"
    )
    f = f.sort_values("code_ali", ignore_index=True)
    return f[["code_ali", "nom", "ouverture", "ouverte", "date_extraction", "lignes", "fichier", "seuil",
              "anciennete_j", "en_retard", "statut"]]  # fmt: skip


def qualite_completude(d: Donnees, periode: Periode, perimetre: Perimetre, groupe: str) -> pd.DataFrame:
    _, debut, fin = _bornes(periode)
    p = d.perimetre(perimetre)
    p = p[p["date_orientation"].between(debut, fin)]
    t = pd.DataFrame({"groupe": _groupe(p, groupe), "episodes": 1})
    for colonne in ("date_diag_numerique", "niveau_numerique", "date_diag_linguistique", "niveau_linguistique",
                    "composition_foyer", "anciennete_rsa"):  # fmt: skip
        t[colonne] = p[colonne].notna()
    t["sorties"] = p["date_sortie"].notna()
    t["motif_sortie"] = p["date_sortie"].notna() & p["motif_sortie"].notna() & (p["motif_sortie"] != "non_renseigne")
    return t.groupby("groupe").sum().reset_index().sort_values("groupe", ignore_index=True)


# --- comparaison -----------------------------------------------------------------------------------------


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for colonne in df.columns:
        s = df[colonne]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[colonne] = pd.to_datetime(s).astype("datetime64[ns]")
        elif pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            out[colonne] = pd.to_numeric(s).astype("float64")
        elif s.notna().any() and all(isinstance(v, date) for v in s.dropna()):
            out[colonne] = pd.to_datetime(s).astype("datetime64[ns]")
        else:
            out[colonne] = s.astype(object).where(s.notna(), None)
    return pd.DataFrame(out, index=range(len(df)))


def egal(sql: pd.DataFrame, ref: pd.DataFrame, quoi: str) -> None:
    """Même colonnes, mêmes lignes (ordre des ex æquo ignoré), mêmes valeurs (flottants à 1e-9 près)."""
    assert list(sql.columns) == list(ref.columns), f"{quoi} : colonnes {list(sql.columns)} != {list(ref.columns)}"
    assert len(sql) == len(ref), f"{quoi} : {len(sql)} lignes en SQL, {len(ref)} en pandas"
    a, b = _normalise(sql), _normalise(ref.reset_index(drop=True))
    cles = [c for c in a.columns if a[c].dtype != "float64"] + [c for c in a.columns if a[c].dtype == "float64"]

    def cle(s: pd.Series) -> pd.Series:
        return s.astype(str) if s.dtype == object else s

    if len(a):
        a = a.sort_values(cles, na_position="last", ignore_index=True, key=cle)
        b = b.sort_values(cles, na_position="last", ignore_index=True, key=cle)
    for c in a.columns:
        x, y = a[c], b[c]
        if x.dtype == "float64" or y.dtype == "float64":
            ok = np.isclose(x.astype("float64"), y.astype("float64"), rtol=1e-9, atol=1e-9, equal_nan=True)
        else:
            ok = np.array([(pd.isna(u) and pd.isna(v)) or u == v for u, v in zip(x, y, strict=True)])
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            raise AssertionError(f"{quoi} : colonne {c}, ligne {i} : SQL {x.iloc[i]!r} != pandas {y.iloc[i]!r}")
