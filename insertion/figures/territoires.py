"""Comparer les territoires.

Comparer : une ALI face à chacune des autres et au département (médiane et quartiles des ALI) sur
chaque indicateur, en petits multiples, et une carte des territoires colorée par l'indicateur choisi.

Carte : une vraie choroplèthe des communes, dont les contours sont livrés dans data/communes.geojson
(france-geojson, Licence Ouverte ; le calcul pur, fusions de communes à une date et contours des EPT et des
ALI, est dans insertion/figures/carte.py). La carte en tuiles (chaque commune est une case d'une grille,
data/tuiles_communes.csv, position approximative) reste le repli quand le fichier de contours manque ou ne
peut pas être lu : chaque case est colorée par la valeur de son ALI ; un trait épais sépare les ALI.

Secret statistique : les valeurs par ALI sont sous le département (effectifs de 1 à seuil − 1 masqués, avec
masquage secondaire : les ALI forment une ventilation dont le total départemental est montré) ; un taux
sur moins de `secret.SEUIL_SECRET` personnes n'est diffusé à aucun niveau ; le coût par personne d'une ALI dont la
file active moyenne est inférieure au seuil n'est pas diffusé. Médiane et quartiles sont calculés sur les seules
valeurs diffusées : aucun repère ne se déduit d'une case masquée.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from insertion import formats
from insertion.contrat import DEPARTEMENT
from insertion.figures import charts
from insertion.figures import tableau as tb
from insertion.figures.tableau import Nature, Tableau
from insertion.indicators import catalogue
from insertion.protect import secret

COULEUR_CHOISIE = charts.PALETTE[1]  # orange Okabe-Ito : l'ALI choisie
COULEUR_AUTRES = "#7A8899"  # gris bleuté : les autres ALI (3,6:1 contre le blanc, RGAA : 3:1 pour une barre)


# --- Indicateurs comparés ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicateur:
    cle: str  # colonne du tableau par ALI
    libelle: str
    nature: str  # 'effectif', 'taux' ou 'euros'
    denominateur: str | None  # colonne du dénominateur (taux, coût) : secret et méthode
    definition: str  # clé de insertion.indicators.definitions.DEFINITIONS
    court: str  # libellé des cartes KPI, lisible sans être tronqué à 1280 px
    requete: str  # son entrée du catalogue (insertion.indicators.catalogue), qui dit son sens favorable

    @property
    def sens(self) -> str:
        """Pour le delta des cartes KPI (st.metric) : 'normal' quand une hausse est un progrès, 'inverse' quand
        c'est une baisse, 'off' (gris) pour un effectif, ni progrès ni recul."""
        return catalogue.SENS_ECART[catalogue.entree(self.requete).sens]

    @property
    def format(self) -> Callable[[object], str]:
        return FORMATS[self.nature]

    @property
    def echelle(self) -> float:
        """Les taux sont tracés en pourcentage (0,385 → 38,5) pour écrire « 38 % » à la française sur les axes."""
        return 100.0 if self.nature == "taux" else 1.0

    @property
    def axe(self) -> dict:
        """Format d'axe (ou de barre de couleur) plotly : nombres français grâce aux séparateurs du modèle."""
        suffixe = {"effectif": "", "taux": "\u202f%", "euros": "\u202f€"}[self.nature]
        return {"tickformat": ",.0f", "ticksuffix": suffixe}


def _pourcentage(v: object) -> str:
    return formats.pourcentage(None if v is None else float(v))


def _entier(v: object) -> str:
    return formats.entier(None if v is None else float(v))


def _euros(v: object) -> str:
    return formats.euros(None if v is None else float(v))


FORMATS: dict[str, Callable[[object], str]] = {"effectif": _entier, "taux": _pourcentage, "euros": _euros}


INDICATEURS: tuple[Indicateur, ...] = (
    Indicateur("file_active", "File active à la date d'observation", "effectif", None, "file_active", "File active",
               "file_active"),
    Indicateur("entrees", "Entrées sur la période", "effectif", None, "entrees_sorties", "Entrées", "entrees_sorties"),
    Indicateur("sorties", "Sorties sur la période", "effectif", None, "entrees_sorties", "Sorties", "entrees_sorties"),
    Indicateur("taux_diag_numerique", "Diagnostic numérique à 90 jours", "taux", "den_diag_numerique",
               "diag_numerique", "Diag. numérique 90 j", "taux_diagnostic_90j"),
    Indicateur("taux_diag_linguistique", "Diagnostic linguistique à 90 jours", "taux", "den_diag_linguistique",
               "diag_linguistique", "Diag. linguistique 90 j", "taux_diagnostic_90j"),
    Indicateur("taux_sortie_emploi", "Sortie en emploi à 12 mois", "taux", "den_sortie_emploi", "sortie_emploi_12m",
               "Emploi à 12 mois", "taux_sortie_emploi_12m"),
    Indicateur("taux_emploi_durable", "Sortie en emploi durable à 12 mois", "taux", "den_sortie_emploi",
               "sortie_emploi_12m", "Emploi durable 12 mois", "taux_sortie_emploi_12m"),
    Indicateur("cout_par_personne", "Coût par personne suivie", "euros", "file_active_moyenne", "cout_par_personne",
               "Coût par personne", "cout_par_personne"),
)  # fmt: skip
PAR_CLE = {i.cle: i for i in INDICATEURS}
EFFECTIFS = [i.cle for i in INDICATEURS if i.nature == "effectif"]
TAUX = {i.cle: i.denominateur for i in INDICATEURS if i.denominateur}


def annee_cout(cout_departement: pd.DataFrame, annee_max: int) -> int | None:
    """L'année du coût par personne comparé : la plus récente, au plus tard celle de D, dont le coût
    départemental est connu (l'exercice en cours n'a pas encore de montant exécuté)."""
    if cout_departement.empty:
        return None
    c = cout_departement
    # Connu : calculé, ou masqué par le secret (file active moyenne masquée : NaN), pas seulement calculé ;
    # sinon une valeur masquée se lirait « sans objet ».
    masque = (
        c["file_active_moyenne"].isna() & c["montant_execute"].notna()
        if {"file_active_moyenne", "montant_execute"} <= set(c.columns)
        else False
    )
    calcule_ou_masque = c["cout_par_personne"].notna() | masque
    connues = c[(c["annee"] <= annee_max) & calcule_ou_masque]
    return int(connues["annee"].max()) if not connues.empty else None


def ali_presentes(entrees_sans_filtre: pd.DataFrame) -> list[str]:
    """Les ALI comparées : celles qui ont au moins une orientation à D dans la base (tous publics).

    Une ALI ouverte sans extraction reçue n'a pas une file active nulle : elle n'a pas de données, elle
    est donc laissée hors des médianes et quartiles plutôt que comptée à 0.

    Des entrées publiées masquées (NaN : de 0 à seuil − 1 sous le secret statistique) gardent l'ALI : elle est
    comparée, ses valeurs se lisent « secret » (la retirer de la vue ne dirait rien de plus, et l'ALI choisie
    dans la barre latérale disparaîtrait). Sauf si aucune ALI n'a d'entrées diffusées : sans une valeur
    diffusée, il n'y a ni médiane ni rang, rien à comparer (et, avant toute orientation, toutes valent 0)."""
    if entrees_sans_filtre.empty:
        return []
    entrees = pd.to_numeric(entrees_sans_filtre["entrees"], errors="coerce")
    if not (entrees > 0).any():
        return []
    return sorted(entrees_sans_filtre.loc[entrees.isna() | (entrees > 0), "groupe"].astype(str))


def assembler(
    groupes: Iterable[str],
    *,
    file_active: pd.DataFrame,
    entrees_sorties: pd.DataFrame,
    diag_numerique: pd.DataFrame,
    diag_linguistique: pd.DataFrame,
    sortie_emploi: pd.DataFrame,
    cout: pd.DataFrame,
) -> pd.DataFrame:
    """Un tableau « une ligne par groupe » de tous les indicateurs comparés, à partir des sorties des
    fonctions de insertion.indicators (colonne `groupe`). `cout` : les lignes d'une seule année.

    Un groupe absent d'une requête (aucun épisode retenu par les filtres de population) a des effectifs
    nuls et des taux non calculables (dénominateur 0). Une case présente mais vide (NaN : masquée par la
    couche de publication, insertion.protect) reste vide, donc « secret » : jamais 0."""
    index = pd.Index(list(groupes), name="groupe")
    zeros = EFFECTIFS + ["den_diag_numerique", "den_diag_linguistique", "den_sortie_emploi", "file_active_moyenne"]

    def prendre(df: pd.DataFrame, colonnes: dict[str, str]) -> pd.DataFrame:
        part = df.set_index("groupe")[list(colonnes)] if not df.empty else pd.DataFrame(columns=list(colonnes))
        part = part.rename(columns=colonnes).reindex(index).astype("float64")
        absents = ~index.isin(df["groupe"] if not df.empty else [])
        for colonne in part.columns.intersection(zeros):
            part.loc[absents, colonne] = 0.0
        return part

    table = pd.concat(
        [
            prendre(file_active, {"file_active": "file_active"}),
            prendre(entrees_sorties, {"entrees": "entrees", "sorties": "sorties"}),
            prendre(diag_numerique, {"taux_90j": "taux_diag_numerique", "denominateur": "den_diag_numerique"}),
            prendre(diag_linguistique, {"taux_90j": "taux_diag_linguistique", "denominateur": "den_diag_linguistique"}),
            prendre(
                sortie_emploi,
                {
                    "taux_sortie_emploi": "taux_sortie_emploi",
                    "taux_emploi_durable": "taux_emploi_durable",
                    "denominateur": "den_sortie_emploi",
                },
            ),
            prendre(cout, {"cout_par_personne": "cout_par_personne", "file_active_moyenne": "file_active_moyenne"}),
        ],
        axis=1,
    ).astype("float64")
    return table.reset_index()


def proteger(table: pd.DataFrame, *, departement: bool) -> secret.Protege:
    """Le secret statistique du tableau par groupe : effectifs (avec masquage secondaire entre ALI, dont
    le total départemental est montré), taux (règle des taux de `secret`), coût d'une petite ALI."""
    return secret.proteger(
        table,
        effectifs=EFFECTIFS,
        taux=dict(TAUX),
        ventilation=None if departement else [],
        departement=departement,
    )


def reperes(donnees: pd.DataFrame) -> pd.DataFrame:
    """Médiane et quartiles des ALI, sur les seules valeurs diffusées (NaN = masqué ou non calculable) :
    index = clé d'indicateur ; colonnes n (ALI retenues), q1, mediane, q3 (interpolation linéaire)."""
    lignes = {}
    for ind in INDICATEURS:
        valeurs = donnees[ind.cle].dropna().astype(float)
        if valeurs.empty:
            lignes[ind.cle] = {"n": 0, "q1": math.nan, "mediane": math.nan, "q3": math.nan}
            continue
        q = valeurs.quantile([0.25, 0.5, 0.75])
        lignes[ind.cle] = {"n": len(valeurs), "q1": q[0.25], "mediane": q[0.5], "q3": q[0.75]}
    return pd.DataFrame.from_dict(lignes, orient="index")


def rang(donnees: pd.DataFrame, cle: str, code: str) -> tuple[int, int] | None:
    """(rang, nombre d'ALI) de l'ALI parmi les valeurs diffusées, 1 = la plus élevée ; None si masquée."""
    valeurs = donnees.set_index("groupe")[cle]
    if code not in valeurs.index or pd.isna(valeurs[code]):
        return None
    diffusees = valeurs.dropna()
    return int((diffusees > valeurs[code]).sum()) + 1, len(diffusees)


def _texte(ind: Indicateur, x: float) -> str:
    return ind.format(None if pd.isna(x) else x)


def comparaison(
    prot_ali: secret.Protege, prot_departement: secret.Protege, code: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """L'ALI `code` face aux autres et au département, une ligne par indicateur.

    Renvoie (valeurs, textes) : valeurs numériques (valeur, masque, mediane, q1, q3, departement…) pour
    les cartes et les deltas ; textes au format français, libellés de colonnes prêts pour l'écran."""
    rep = reperes(prot_ali.donnees)
    textes_ali = prot_ali.affichage({i.cle: i.format for i in INDICATEURS}).set_index("groupe")
    textes_dep = prot_departement.affichage({i.cle: i.format for i in INDICATEURS})
    donnees_ali = prot_ali.donnees.set_index("groupe")
    masque_ali = prot_ali.masque.set_index(prot_ali.donnees["groupe"])
    valeurs, textes = [], []
    for ind in INDICATEURS:
        present = code in donnees_ali.index
        valeur = donnees_ali.at[code, ind.cle] if present else math.nan
        r = rang(prot_ali.donnees, ind.cle, code)
        n = int(rep.at[ind.cle, "n"])

        valeurs.append(
            {
                "cle": ind.cle,
                "valeur": valeur,
                "masque": bool(masque_ali.at[code, ind.cle]) if present and ind.cle in masque_ali else False,
                "rang": None if r is None else r[0],
                "n": n,
                "q1": rep.at[ind.cle, "q1"],
                "mediane": rep.at[ind.cle, "mediane"],
                "q3": rep.at[ind.cle, "q3"],
                "departement": prot_departement.donnees[ind.cle].iloc[0] if len(prot_departement.donnees) else math.nan,
            }
        )
        textes.append(
            {
                "Indicateur": ind.libelle,
                "ALI choisie": textes_ali.at[code, ind.cle] if present else formats.SANS_OBJET,
                "Rang (1 = valeur la plus haute)": f"{r[0]} sur {r[1]}" if r else formats.SANS_OBJET,
                "1er quartile des ALI": _texte(ind, rep.at[ind.cle, "q1"]),
                "Médiane des ALI": _texte(ind, rep.at[ind.cle, "mediane"]),
                "3e quartile des ALI": _texte(ind, rep.at[ind.cle, "q3"]),
                "ALI retenues": formats.entier(n),
                DEPARTEMENT: textes_dep[ind.cle].iloc[0] if len(textes_dep) else formats.SANS_OBJET,
            }
        )
    return pd.DataFrame(valeurs), pd.DataFrame(textes)


RANG = "Rang (1 = valeur la plus haute)"
UNITES_EXPORT = {"effectif": "nombre", "taux": "%", "euros": "€"}


# La nature de tableau de chaque genre d'indicateur : mêmes textes que FORMATS à l'écran, un nombre dans les exports
# (« 38,5 % » → 38,5 sous « (%) », « 1 759 € » → 1759 sous « (€) »).
NATURES_TABLEAU: dict[str, Nature] = {"effectif": tb.entier(), "taux": tb.pourcentage(), "euros": tb.euros()}


def tableau_ali(prot_ali: secret.Protege, noms: dict[str, str]) -> Tableau:
    """Le tableau par ALI des petits multiples : les valeurs publiées, « secret » pour une case masquée (jamais la
    valeur), un effectif, un taux en % ou un coût en € selon l'indicateur."""
    return tb.depuis_protege(
        prot_ali,
        {i.cle: (i.libelle, NATURES_TABLEAU[i.nature]) for i in INDICATEURS},
        avant={"ALI": [noms.get(g, g) for g in prot_ali.donnees["groupe"]]},
    )


def ali_par_defaut(codes: list[str], filtre_alis: Iterable[str]) -> str | None:
    """Le premier ALI du filtre de la barre latérale s'il est comparable, sinon la première ALI."""
    for code in filtre_alis:
        if code in codes:
            return code
    return codes[0] if codes else None


# --- Petits multiples ---------------------------------------------------------------------------------


def _court(code: str) -> str:
    """« ALI14 » → « 14 » : l'axe des 22 ALI reste lisible."""
    return code[3:] if code.upper().startswith("ALI") and len(code) > 3 else code


def _etiquette(code: str, noms: dict[str, str]) -> str:
    """« ALI14 » → « 14 Clichy-sous-Bois » : le numéro garde l'axe court, la première commune nomme l'ALI."""
    nom = noms.get(code, "").split(" · ", 1)[-1].split(" – ")[0].strip()
    return f"{_court(code)} {nom}" if nom and nom != code else _court(code)


def petits_multiples(prot_ali: secret.Protege, code: str | None, noms: dict[str, str], colonnes: int = 2) -> go.Figure:
    """Un petit graphique par indicateur : les ALI en barres, de la plus haute à la plus basse, l'ALI
    choisie en orange, la médiane des ALI en tirets et l'écart interquartile en bande grisée. Une ALI
    dont la valeur n'est pas diffusée n'a pas de barre ; son libellé (« secret ») est écrit à la
    place."""
    donnees = prot_ali.donnees
    rep = reperes(donnees)
    lignes = math.ceil(len(INDICATEURS) / colonnes)
    fig = make_subplots(
        rows=lignes,
        cols=colonnes,
        subplot_titles=[i.libelle for i in INDICATEURS],
        vertical_spacing=0.12,
        horizontal_spacing=0.08,
    )
    textes = prot_ali.affichage({i.cle: i.format for i in INDICATEURS})
    formes: list[dict] = []
    axes: dict[str, dict] = {}
    for k, ind in enumerate(INDICATEURS):
        row, col = k // colonnes + 1, k % colonnes + 1
        ordre = donnees.assign(_texte=textes[ind.cle]).sort_values(ind.cle, ascending=False, na_position="last")
        x = [_etiquette(g, noms) for g in ordre["groupe"]]
        couleurs = [COULEUR_CHOISIE if g == code else COULEUR_AUTRES for g in ordre["groupe"]]
        fig.add_trace(
            go.Bar(
                x=x,
                y=ordre[ind.cle] * ind.echelle,
                marker_color=couleurs,
                customdata=list(zip([noms.get(g, g) for g in ordre["groupe"]], ordre["_texte"], strict=True)),
                hovertemplate="%{customdata[0]}<br>" + ind.libelle + " : %{customdata[1]}<extra></extra>",
                showlegend=False,
                name=ind.libelle,
            ),
            row=row,
            col=col,
        )
        masquees = ordre[ordre[ind.cle].isna()]
        if not masquees.empty:
            fig.add_trace(
                go.Scatter(
                    x=[_etiquette(g, noms) for g in masquees["groupe"]],
                    y=[0] * len(masquees),
                    mode="text",
                    text=masquees["_texte"],
                    textposition="top center",
                    textfont={"size": 10, "color": "#555555"},
                    hoverinfo="skip",
                    showlegend=False,
                ),
                row=row,
                col=col,
            )
        axe = "" if k == 0 else str(k + 1)  # axes du sous-graphique k : x, y, puis x2, y2…
        if rep.at[ind.cle, "n"] > 0:
            # Formes écrites directement, posées en une fois : add_hrect/add_hline par sous-graphique
            # revalident toute la figure à chaque appel (0,6 s sur 0,9 s de rendu, même à chaud).
            q1, q3, mediane = (rep.at[ind.cle, c] * ind.echelle for c in ("q1", "q3", "mediane"))
            bornes = {"xref": f"x{axe} domain", "yref": f"y{axe}", "x0": 0, "x1": 1}
            formes.append(
                {"type": "rect", **bornes, "y0": q1, "y1": q3, "fillcolor": "#999999", "opacity": 0.18,
                 "line": {"width": 0}, "layer": "below"}
            )  # fmt: skip
            formes.append(
                {"type": "line", **bornes, "y0": mediane, "y1": mediane,
                 "line": {"dash": "dash", "color": "#333333", "width": 1.5}}
            )  # fmt: skip
        axes[f"yaxis{axe}"] = {**ind.axe, "rangemode": "tozero"}
        axes[f"xaxis{axe}"] = {"type": "category", "tickfont": {"size": 10}, "tickangle": -60, "automargin": True}
    fig.update_layout(
        **axes,
        shapes=formes,
        height=390 * lignes,
        showlegend=False,
        margin={"t": 60, "b": 30},
        bargap=0.15,
    )
    return fig


# --- Tuiles des communes -------------------------------------------------------------------------------


# --- Vraie carte des communes (contours livrés dans data/communes.geojson) --------------------------------------
