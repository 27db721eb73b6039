"""Le secret et les figures de la vue « Sorties vers l'emploi » : protection des taux de sortie et des étapes du
parcours, parts et textes de survol, figures plotly (motifs de sortie, barres superposées, courbes des cohortes,
entonnoir du parcours), que `VueSorties` (insertion/figures/sorties.py) assemble en graphiques.

Ni Streamlit ni SQL ici ; le secret passe toujours par insertion.figures.cohortes (donc `secret.proteger`).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from insertion import formats
from insertion.figures import charts, cohortes
from insertion.figures.cohortes import COULEURS_GROUPES, GROUPES_SORTIE
from insertion.indicators import libelles
from insertion.protect import secret

MOTIFS_COURTS = libelles.MOTIFS_COURTS


COULEURS_ETAPES = {
    "orientes": charts.PALETTE[0],
    "diag_numerique_90j": charts.PALETTE[3],
    "diag_linguistique_90j": charts.PALETTE[3],
    "sortis_12m": charts.PALETTE[1],
    "sortis_emploi_12m": COULEURS_GROUPES["emploi_transition"],
    "sortis_emploi_durable_12m": COULEURS_GROUPES["emploi_durable"],
}


def proteger_sortie(df: pd.DataFrame, departement: bool | pd.Series) -> secret.Protege:
    """Taux de sortie en emploi et en emploi durable à 12 mois, sur leur dénominateur ; le taux d'un
    numérateur masqué (de 1 à seuil − 1 hors exemption) est masqué aussi."""
    prot = secret.proteger(
        df,
        effectifs=["denominateur", "n_sortie_emploi", "n_emploi_durable"],
        taux={"taux_sortie_emploi": "denominateur", "taux_emploi_durable": "denominateur"},
        numerateurs={"taux_sortie_emploi": "n_sortie_emploi", "taux_emploi_durable": "n_emploi_durable"},
        departement=departement,
    )
    cohortes.ou_masque(prot, "taux_sortie_emploi", prot.masque["n_sortie_emploi"])
    cohortes.ou_masque(prot, "taux_emploi_durable", prot.masque["n_emploi_durable"])
    return prot


def etapes_parcours(ligne: pd.Series | dict) -> pd.DataFrame:
    """Les étapes d'une cohorte (une ligne de parcours_cohorte.sql) : etape, libelle, effectif, orientes,
    part (de la cohorte)."""
    # Valeurs publiées : une case masquée reste NaN (jamais 0), et sa part aussi.
    orientes = float(ligne["orientes"])
    rows = [
        {"etape": cle, "libelle": nom, "effectif": float(ligne[cle]), "orientes": orientes}
        for cle, nom in cohortes.ETAPES_PARCOURS.items()
    ]
    out = pd.DataFrame(rows)
    out["part"] = out["effectif"] / orientes if orientes else float("nan")
    return out


def proteger_parcours(etapes: pd.DataFrame, departement: bool) -> secret.Protege:
    """Les étapes se recouvrent (ce n'est pas une ventilation) : pas de masquage secondaire ; une part est
    masquée avec son effectif, et toutes quand la cohorte compte moins de personnes que le seuil."""
    return cohortes.proteger_parts(
        etapes, effectif="effectif", part="part", total="orientes", ventilation=None, departement=departement
    )


def texte_part_emploi(part: float | None, n_emploi: float | None, a_masque: bool) -> str:
    """La valeur de la carte « Part des sorties en emploi » : la part, sinon « secret » quand un effectif est
    masqué ou que la part seule ne se diffuse pas (n_emploi connu), sinon « – » (aucune sortie)."""
    if part is not None:
        return formats.pourcentage(part)
    return secret.LIBELLE_MASQUE if a_masque or n_emploi is not None else formats.SANS_OBJET


def survols_ali(aff: pd.DataFrame) -> list[str]:
    """Le survol des barres par ALI : les deux taux et leur dénominateur, tels qu'affichés (« secret » compris)."""
    return [
        f"<b>{t}</b><br>Sortie en emploi : {e}<br>dont emploi durable : {d}<br>Orientations avec un an de recul : {n}"
        for t, e, d, n in zip(
            aff["territoire"], aff["taux_sortie_emploi"], aff["taux_emploi_durable"], aff["denominateur"], strict=True
        )
    ]


def survols_cohortes(aff: pd.DataFrame) -> list[str]:
    """Le survol des courbes par cohorte (colonnes territoire et cohorte_libelle déjà posées)."""
    return [
        f"<b>{t}</b><br>Orientés : {c}<br>Sortie en emploi : {e}<br>dont emploi durable : {d}<br>Orientations : {n}"
        for t, c, e, d, n in zip(
            aff["territoire"],
            aff["cohorte_libelle"],
            aff["taux_sortie_emploi"],
            aff["taux_emploi_durable"],
            aff["denominateur"],
            strict=True,
        )
    ]


def figure_motifs(m_ici: pd.DataFrame, prot: secret.Protege, aff: pd.DataFrame, territoire: str) -> go.Figure:
    """Sorties par motif en barres horizontales, une trace par groupe de sortie (motifs de `motifs_ordonnes`) ;
    « secret » au pied d'une barre masquée."""
    fig = go.Figure()
    for code, nom in GROUPES_SORTIE.items():
        lignes = (m_ici["groupe_sortie"] == code).to_numpy()
        if not lignes.any():
            continue
        fig.add_trace(
            go.Bar(
                y=list(aff["court"][lignes]),
                x=list(prot.donnees["sorties"][lignes]),
                name=nom,
                orientation="h",
                marker_color=COULEURS_GROUPES[code],
                text=list(aff["sorties"][lignes]),
                textposition="outside",
                cliponaxis=False,
                customdata=list(zip(aff["libelle"][lignes], aff["sorties"][lignes], strict=True)),
                hovertemplate="<b>%{customdata[0]}</b><br>Sorties : %{customdata[1]}<extra></extra>",
            )
        )
    cohortes.annoter_masques(
        fig, list(aff["court"]), [secret.libelle_masque() if m else None for m in prot.masque["sorties"]]
    )
    fig.update_layout(
        title=f"{territoire} : sorties par motif",
        height=cohortes.hauteur(len(m_ici), 34),
        yaxis={"autorange": "reversed", "title": None, "categoryorder": "array", "categoryarray": list(aff["court"])},
        xaxis={"title": None, "tickformat": ",.0f"},
        margin={"r": 60},
    )
    return fig


def textes_parcours(aff: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Le texte de chaque étape de l'entonnoir (l'effectif, puis « effectif (part) ») et son survol."""
    textes = [e if i == 0 else f"{e} ({p})" for i, (e, p) in enumerate(zip(aff["effectif"], aff["part"], strict=True))]
    survols = [
        f"<b>{lib}</b><br>Personnes : {e}<br>Part de la cohorte : {p}"
        for lib, e, p in zip(aff["libelle"], aff["effectif"], aff["part"], strict=True)
    ]
    return textes, survols


def motifs_ordonnes(motifs: pd.DataFrame) -> pd.DataFrame:
    """Les motifs d'un territoire rangés par groupe de sortie puis par effectif décroissant, avec leur groupe
    et un libellé court pour l'axe du graphique."""
    out = motifs.reset_index(drop=True)
    out = out.assign(groupe_sortie=cohortes.groupe_sortie(out).to_numpy() if len(out) else [])
    out["court"] = [MOTIFS_COURTS.get(m, lib) for m, lib in zip(out["motif_sortie"], out["libelle"], strict=True)]
    rang = out["groupe_sortie"].map({g: i for i, g in enumerate(GROUPES_SORTIE)})
    out = out.assign(_rang=rang).sort_values(["_rang", "sorties"], ascending=[True, False], kind="stable")
    return out.drop(columns="_rang").reset_index(drop=True)


def part_emploi(groupes: secret.Protege) -> tuple[float | None, float | None]:
    """Sorties en emploi (emploi durable + transition) d'un seul territoire et leur part de ses sorties ;
    (None, None) sans sortie, ou quand l'un des deux groupes ou sa part est masqué."""
    d = groupes.donnees
    if d.empty:
        return None, None
    emploi = d[d["groupe_sortie"].isin(["emploi_durable", "emploi_transition"])]
    if emploi.empty:  # aucune sortie en emploi : 0, et une part nulle si les parts sont diffusées
        return 0.0, (None if d["part"].isna().all() else 0.0)
    if emploi[["sorties", "part"]].isna().to_numpy().any():
        return None, None
    n = float(emploi["sorties"].sum())
    # La part est un taux : règle des taux sur (sorties en emploi, toutes les sorties du territoire).
    if not secret.taux_publiable(n, d["total"].iloc[0], groupes.seuil):
        return n, None
    return n, float(emploi["part"].sum())


def barres_superposees(
    noms: list[str],
    series: list[tuple[str, list[float | None], list[str], str]],
    references: list[tuple[float | None, str, str]],
    *,
    titre: str,
    masques: list[str | None] | None = None,
) -> go.Figure:
    """Taux par territoire en barres horizontales superposées (la seconde série, incluse dans la première,
    plus étroite par-dessus) ; une ligne verticale par valeur de référence (valeur, libellé, style de trait).
    series : (nom, valeurs, textes de survol, couleur)."""
    fig = go.Figure()
    for i, (nom, valeurs, survols, couleur) in enumerate(series):
        fig.add_trace(
            go.Bar(
                x=[None if v is None or pd.isna(v) else v for v in valeurs],
                y=noms,
                name=nom,
                orientation="h",
                marker_color=couleur,
                width=0.8 if i == 0 else 0.45,
                customdata=survols,
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
    # Les valeurs en colonne dans la marge droite, une ligne par territoire (« 14,1 % · 7,9 % ») : au bout des
    # barres, elles croisaient les lignes du département, et la barre étroite n'a pas la place d'un texte.
    textes = [
        " · ".join(
            cohortes.texte_barre(None if v is None or pd.isna(v) else v, True) or formats.SANS_OBJET for v in ligne
        )
        for ligne in zip(*(valeurs for _, valeurs, _, _ in series), strict=True)
    ]
    en_tete = "<br>".join(("" if i == 0 else "· ") + nom for i, (nom, _, _, _) in enumerate(series))
    for nom, texte in zip(noms, textes, strict=True):
        if texte.strip(" ·" + formats.SANS_OBJET):
            fig.add_annotation(
                x=1, xref="paper", xanchor="left", xshift=8, y=nom, yref="y", text=texte, showarrow=False,
                font={"size": 12},
            )  # fmt: skip
    fig.add_annotation(
        x=1, xref="paper", xanchor="left", xshift=8, y=1, yref="paper", yanchor="bottom", text=en_tete,
        showarrow=False, font={"size": 11},
    )  # fmt: skip
    for valeur_ref, libelle, trait in references:
        if valeur_ref is None:
            continue
        fig.add_vline(x=valeur_ref, line_dash=trait, line_color=cohortes.COULEUR_REFERENCE, line_width=2)
        # La ligne verticale n'a pas d'entrée de légende : une trace vide la nomme.
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                name=libelle,
                line={"color": cohortes.COULEUR_REFERENCE, "dash": trait, "width": 2},
                hoverinfo="skip",
            )
        )
    fig.update_layout(
        barmode="overlay",
        title=titre,
        height=cohortes.hauteur(len(noms)) + 60,
        xaxis={"title": None, "tickformat": ".0%", "rangemode": "tozero"},
        yaxis={"autorange": "reversed", "title": None},
        margin={"t": 60, "r": 150},
    )
    if masques:
        cohortes.annoter_masques(fig, noms, masques)
    return fig


def courbes_cohortes(
    cohortes_: list,
    series: list[tuple[str, list[float | None], list[str], str, str]],
    *,
    titre_axe: str,
) -> go.Figure:
    """Un taux par cohorte (axe du temps) ; series : (nom, valeurs, textes de survol, couleur, trait).
    Une valeur masquée laisse un trou dans la courbe."""
    fig = go.Figure()
    x = [pd.Timestamp(c) for c in cohortes_]
    for nom, valeurs, survols, couleur, trait in series:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[None if v is None or pd.isna(v) else v for v in valeurs],
                name=nom,
                mode="lines+markers",
                line={"color": couleur, "dash": trait, "width": 3 if trait == "solid" else 2},
                customdata=survols,
                hovertemplate="%{customdata}<extra></extra>",
                connectgaps=False,
            )
        )
    fig.update_layout(
        height=460,
        yaxis={"title": titre_axe, "tickformat": ".0%", "rangemode": "tozero"},
        xaxis={"title": None, "tickformat": "%b %Y"},
        hovermode="closest",
    )
    return fig


def entonnoir(
    etapes: pd.DataFrame, donnees: pd.DataFrame, textes: list[str], survols: list[str], masque: pd.Series
) -> go.Figure:
    """Entonnoir du parcours d'une cohorte ; une étape masquée n'a pas de barre : son libellé porte son
    texte (« secret »)."""
    noms = [f"{nom} : {t}" if m else nom for nom, t, m in zip(etapes["libelle"], textes, masque, strict=True)]
    fig = go.Figure(
        go.Funnel(
            y=noms,
            x=[None if pd.isna(v) else v for v in donnees["effectif"]],
            text=textes,
            textinfo="text",
            textposition="outside",
            cliponaxis=False,
            marker={"color": [COULEURS_ETAPES.get(e, cohortes.COULEUR_BARRE) for e in etapes["etape"]]},
            customdata=survols,
            hovertemplate="%{customdata}<extra></extra>",
            connector={"fillcolor": "#EEEEEE"},
        )
    )
    fig.update_layout(height=cohortes.hauteur(len(etapes), 60, 120), yaxis={"title": None}, showlegend=False)
    return fig
