"""La complétude de la vue « Qualité des données » : part des épisodes courants du périmètre filtré dont chaque
champ facultatif est renseigné, pour le territoire et par ALI, protégée par le secret statistique, en tableaux,
graphiques et phrases, sans Streamlit ni SQL.

Secret statistique (contrat §6) : la complétude compte des épisodes du périmètre filtré (âge, sexe, parcours…) par
ALI : ses effectifs et ses parts sont protégés comme ailleurs (`proteger_completude`), car « 2 sorties sur 2
renseignées » sous trois filtres de profil dit combien de personnes sont sorties.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from insertion import formats
from insertion.figures import charts, resumes
from insertion.figures import tableau as tb
from insertion.figures.tableau import Nature, Tableau
from insertion.indicators import libelles
from insertion.indicators.filters import Filtres
from insertion.protect import secret

# (colonne, libellé, colonne du dénominateur dans qualite_completude.sql)
CHAMPS_FACULTATIFS = [
    ("date_diag_numerique", "Date du diagnostic numérique", "episodes"),
    ("niveau_numerique", "Niveau numérique", "episodes"),
    ("date_diag_linguistique", "Date du diagnostic linguistique", "episodes"),
    ("niveau_linguistique", "Niveau linguistique", "episodes"),
    ("motif_sortie", "Motif de sortie (parmi les sorties)", "sorties"),
    ("composition_foyer", "Composition du foyer", "episodes"),
    ("anciennete_rsa", "Ancienneté au RSA", "episodes"),
]


# Libellés courts des colonnes de la carte de chaleur (7 colonnes à côté des noms d'ALI, à 1 280 px).
CHAMPS_COURTS = [
    "Date diag. numérique",
    "Niveau numérique",
    "Date diag. linguistique",
    "Niveau linguistique",
    "Motif de sortie",
    "Composition du foyer",
    "Ancienneté RSA",
]


def completude(df: pd.DataFrame) -> pd.DataFrame:
    """Format long : groupe, champ, libelle, renseignes, denominateur, taux (NaN si dénominateur nul)."""
    lignes = []
    for _, r in df.iterrows():
        for champ, libelle, denominateur in CHAMPS_FACULTATIFS:
            # Effectifs publiés (insertion/protect) : une case masquée reste NaN, son taux aussi.
            den = float(r[denominateur])
            num = float(r[champ])
            lignes.append(
                {
                    "groupe": r["groupe"],
                    "champ": champ,
                    "libelle": libelle,
                    "renseignes": num,
                    "denominateur": den,
                    "taux": num / den if den and not math.isnan(den) else float("nan"),
                }
            )
    return pd.DataFrame(lignes, columns=["groupe", "champ", "libelle", "renseignes", "denominateur", "taux"])


def proteger_completude(longue: pd.DataFrame, *, departement: bool) -> secret.Protege:
    """La complétude (`completude`) protégée : épisodes renseignés et dénominateurs sont des effectifs
    (masqués de 1 à seuil − 1 hors exemption), la part renseignée est un taux (règle des taux de `secret`).
    departement : `secret.departement_exempte` du périmètre pour la ligne de l'ensemble ; False par ALI."""
    return secret.proteger(
        longue,
        effectifs=["renseignes", "denominateur"],
        taux={"taux": "denominateur"},
        numerateurs={"taux": "renseignes"},
        departement=departement,
    )


def tableau_completude(prot: secret.Protege, libelle_groupe: Callable[[str], str]) -> Tableau:
    """Une ligne par groupe, une colonne de part renseignée par champ (en %), plus les dénominateurs (épisodes
    courants, sorties), depuis la complétude protégée (`proteger_completude`) : « secret » dans les cases masquées,
    jamais la valeur ; « – » pour une part sans dénominateur."""
    longue = prot.donnees
    if longue.empty:
        return Tableau(pd.DataFrame())
    publiee = longue.assign(taux=tb.publie(prot, "taux"), denominateur=tb.publie(prot, "denominateur"))
    lignes = []
    for groupe, part in publiee.groupby("groupe", sort=True):
        ligne: dict[str, object] = {"Territoire": libelle_groupe(groupe)}
        for _, r in part.iterrows():
            ligne[r["libelle"]] = r["taux"]
        ligne["Épisodes courants"] = part["denominateur"][part["champ"] != "motif_sortie"].iloc[0]
        ligne["Sorties"] = part["denominateur"][part["champ"] == "motif_sortie"].iloc[0]
        lignes.append(ligne)
    natures: dict[str, Nature] = {libelle: tb.pourcentage() for _, libelle, _ in CHAMPS_FACULTATIFS}
    natures["Épisodes courants"] = natures["Sorties"] = tb.entier()
    return Tableau(pd.DataFrame(lignes, dtype=object), natures)


def parametres_completude(filtres: Filtres) -> dict:
    """Le périmètre filtré et la période (début, fin) : les épisodes dont la complétude est mesurée."""
    periode = filtres.periode.parametres()
    return {**filtres.perimetre.parametres(), "debut": periode["debut"], "fin": periode["fin"]}


def completude_ensemble(df: pd.DataFrame, filtres: Filtres) -> secret.Protege:
    """La complétude de l'ensemble du périmètre (qualite_completude groupée par département), protégée :
    l'ensemble n'est exempté du secret que sans aucun filtre."""
    return proteger_completude(completude(df), departement=secret.departement_exempte(filtres.perimetre))


def completude_par_ali(df: pd.DataFrame) -> secret.Protege:
    """La complétude par ALI (qualite_completude groupée par ALI), protégée sans exemption."""
    return proteger_completude(completude(df), departement=False)


def figure_completude_ensemble(prot: secret.Protege, territoire: str) -> go.Figure:
    """Part renseignée de chaque champ facultatif sur le périmètre (« secret » dans les barres masquées)."""
    ensemble = prot.donnees
    textes = prot.affichage({"taux": formats.pourcentage, "renseignes": formats.entier, "denominateur": formats.entier})
    fig = go.Figure(
        go.Bar(
            x=ensemble["taux"],
            y=ensemble["libelle"],
            orientation="h",
            marker_color=charts.PALETTE[0],
            customdata=textes[["taux", "renseignes", "denominateur"]].to_numpy(),
            hovertemplate="%{y}<br>%{customdata[0]} renseigné<br>%{customdata[1]} sur %{customdata[2]}<extra></extra>",
            text=list(textes["taux"]),
            textposition="auto",
        )
    )
    fig.update_layout(
        title=f"Ensemble du périmètre : {territoire}",
        height=380,
        xaxis={"title": "Part renseignée", "tickformat": ".0%", "range": [0, 1]},
        yaxis={"title": None, "autorange": "reversed", "automargin": True},
    )
    return fig


def resume_completude(prot: secret.Protege) -> str:
    ensemble = prot.donnees
    return resumes.extremes(
        resumes.points(ensemble["libelle"], ensemble["taux"], prot.masque["taux"]),
        mesure="Part des épisodes où le champ est renseigné",
        ecrire=formats.pourcentage,
        categorie="champ",
    )


def figure_completude_ali(prot: secret.Protege) -> go.Figure:
    """Carte de chaleur : une ligne par ALI, une colonne par champ facultatif, la part renseignée écrite
    dans chaque case (« secret » si masquée, « – » sans épisode)."""
    noms_ali = libelles.ali()
    par_ali = prot.donnees
    champs = [libelle for _, libelle, _ in CHAMPS_FACULTATIFS]
    etiquettes = ["<br>".join(textwrap.wrap(c, 12, break_long_words=False)) for c in CHAMPS_COURTS]  # à 1 280 px
    groupes = sorted(par_ali["groupe"].unique())
    grille = par_ali.pivot(index="groupe", columns="libelle", values="taux").reindex(index=groupes, columns=champs)
    textes = (
        prot.affichage({"taux": formats.pourcentage})
        .pivot(index="groupe", columns="libelle", values="taux")
        .reindex(index=groupes, columns=champs)
        .fillna("–")
        .to_numpy()
        .tolist()
    )
    fig = go.Figure(
        go.Heatmap(
            z=grille.to_numpy(),
            x=etiquettes,
            y=[noms_ali.get(g, g) for g in groupes],
            zmin=0,
            zmax=1,
            colorscale=charts.ECHELLE_CONTINUE,
            text=textes,
            texttemplate="%{text}",
            colorbar={
                "title": {"text": "Part renseignée", "side": "top"},
                "tickformat": ".0%",
                "orientation": "h",
                "y": -0.02,
                "yanchor": "top",
                "len": 0.6,
                "thickness": 14,
            },
            customdata=[[[c, t] for c, t in zip(champs, ligne, strict=True)] for ligne in textes],
            hovertemplate="%{y}<br>%{customdata[0]} : %{customdata[1]}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    fig.update_layout(
        title="Par ALI",
        height=max(360, 30 * len(groupes) + 260),
        xaxis={"title": None, "side": "top", "tickangle": 0, "automargin": True, "tickfont": {"size": 12}},
        yaxis={"title": None, "autorange": "reversed", "automargin": True},
    )
    return fig


def table_completude_ali(prot: secret.Protege) -> Tableau:
    noms_ali = libelles.ali()
    return tableau_completude(prot, lambda g: noms_ali.get(g, g))
