"""Le réseau de la vue « Freins et réseau » (pages/freins_reseau.py), sans Streamlit : par commune, les freins des
personnes suivies face aux structures qui les couvrent (prévalence publiée par commune, jamais exemptée), et
l'annuaire des structures, en tableaux, graphiques et phrases.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from insertion import formats
from insertion.contrat import DOMAINES, TYPES_STRUCTURE
from insertion.figures import charts, resumes
from insertion.figures import tableau as tb
from insertion.figures.freins import FORMATS_PREVALENCE, proteger_prevalence
from insertion.figures.graphique import Graphique
from insertion.figures.tableau import Tableau
from insertion.indicators.autres_systemes.freins import DOMAINE_DU_FREIN
from insertion.protect import secret


def vis_a_vis(prot: secret.Protege, couverture: pd.DataFrame) -> pd.DataFrame:
    """Une ligne par (commune, frein) : part publiée des personnes suivies avec le frein et structures de la
    commune qui le couvrent. prot : prévalence par commune protégée ; couverture : freins.couverture."""
    aff = prot.affichage(FORMATS_PREVALENCE)
    # Le texte de la part pour la figure ; les valeurs publiées (« secret » dans une case masquée) pour le tableau.
    d = prot.donnees.assign(
        texte_part=aff["part"],
        publie_connus=tb.publie(prot, "connus"),
        publie_avec=tb.publie(prot, "avec_frein"),
        publie_part=tb.publie(prot, "part"),
        masque=prot.masque["part"],
    )
    cov = couverture.rename(columns={"code_commune": "groupe"})[["groupe", "commune", "frein", "structures"]]
    return d.merge(cov, on=["groupe", "frein"], how="left").assign(
        commune=lambda t: t["commune"].fillna(t["groupe"]), structures=lambda t: t["structures"].fillna(0).astype(int)
    )


def figure_vis_a_vis(lignes: pd.DataFrame) -> go.Figure:
    """Pour une commune : la part de chaque frein (barres) et, en face, le nombre de structures qui le couvrent."""
    textes = [f"{p} · {_structures(s)}" for p, s in zip(lignes["texte_part"], lignes["structures"], strict=True)]
    fig = go.Figure(
        go.Bar(
            y=list(lignes["libelle"]),
            x=list(lignes["part"].fillna(0)),
            orientation="h",
            marker_color=charts.PALETTE[0],
            text=textes,
            textposition="outside",
            cliponaxis=False,
            hovertemplate="<b>%{y}</b><br>%{text}<extra></extra>",
        )
    )
    fig.update_layout(
        height=max(320, 140 + 40 * len(lignes)),
        xaxis={"title": "Part des personnes suivies avec le frein", "tickformat": ".0%", "rangemode": "tozero"},
        yaxis={"autorange": "reversed", "title": None},
        showlegend=False,
        margin={"r": 170},
    )
    return fig


def _structures(n: int) -> str:
    return f"{formats.entier(n)} structure{'s' if n > 1 else ''} du réseau"


def table_vis_a_vis(lignes: pd.DataFrame) -> Tableau:
    return Tableau(
        pd.DataFrame(
            {
                "Commune": tb.textes(lignes["commune"]),
                "Frein": tb.textes(lignes["libelle"]),
                "Personnes suivies (réponse connue)": lignes["publie_connus"].to_list(),
                "Personnes avec le frein": lignes["publie_avec"].to_list(),
                "Part avec le frein": lignes["publie_part"].to_list(),
                "Domaine de l'annuaire": tb.textes(lignes["frein"].map(DOMAINE_DU_FREIN).map(DOMAINES)),
                "Structures de la commune qui le couvrent": lignes["structures"].to_list(),
            },
            dtype=object,
        ),
        {
            "Personnes suivies (réponse connue)": tb.entier(),
            "Personnes avec le frein": tb.entier(),
            "Part avec le frein": tb.pourcentage(),
            "Structures de la commune qui le couvrent": tb.entier(),
        },
    )


def resume_vis_a_vis(lignes: pd.DataFrame, commune: str) -> str:
    diffuses = lignes[lignes["part"].notna()]
    sans = list(lignes["libelle"][lignes["structures"] == 0])
    fin = (
        f" Aucune structure de la commune ne couvre : {', '.join(sans).lower()}."
        if sans
        else " Chaque frein est couvert par au moins une structure de la commune."
    )
    if diffuses.empty:
        return f"{commune} : aucune part de frein diffusée ({resumes.SECRET} ou aucune réponse connue)." + fin
    haut = diffuses.loc[diffuses["part"].idxmax()]
    n = int(haut["structures"])
    couvert = f"couvert par {_structures(n)}" if n else "qu'aucune structure de la commune ne couvre"
    return (
        f"{commune} : le frein le plus fréquent parmi les personnes suivies est « {haut['libelle']} » "
        f"({formats.pourcentage(float(haut['part']))}), {couvert}." + fin
    )


def table_annuaire(df: pd.DataFrame) -> Tableau:
    """L'annuaire en français : libellés des types et des domaines, listes écrites en toutes lettres."""

    def liste(valeurs, noms: dict[str, str] | None = None) -> str:
        valeurs = [] if valeurs is None else list(valeurs)
        return ", ".join(noms.get(v, v) if noms else v for v in valeurs)

    # Rien que du texte : un Tableau quand même, pour que l'export ne relise pas un nom de structure en nombre.
    return Tableau(
        pd.DataFrame(
            {
                "Structure": df["nom_structure"],
                "Type": [TYPES_STRUCTURE.get(t, t) for t in df["type"]],
                "Commune": df["commune"].fillna(df["code_commune"]),
                "Domaines": [liste(d, DOMAINES) for d in df["domaines"]],
                "Réseaux": [liste(r) for r in df["reseaux"]],
                "Site web": df["site_web"].fillna(""),
            },
            dtype=object,
        )
    )


def reseaux(df: pd.DataFrame) -> list[str]:
    """Les réseaux cités dans l'annuaire, triés."""
    return sorted({r for liste in df["reseaux"] if liste is not None for r in liste})


SANS_ANNUAIRE = "Aucun annuaire des structures n'est chargé : chargez un fichier « structures » (page Importer)."


NOTE_DEMO_ANNUAIRE = (
    ":material/science: Données de démonstration : annuaire fictif, aucune coordonnée de structure réelle."
)


def prevalence_communes(df: pd.DataFrame) -> secret.Protege:
    """La prévalence par commune, publiée par commune : jamais exemptée."""
    return proteger_prevalence(df, departement=False)


def codes_communes(prot: secret.Protege) -> tuple[str, ...]:
    """Les communes des personnes suivies, paramètre de freins.couverture."""
    return tuple(sorted(set(prot.donnees["groupe"])))


def communes_reseau(lignes: pd.DataFrame) -> tuple[dict[str, str], str | None]:
    """Les communes du choix ({code: nom}) et celle proposée d'abord : la mieux couverte par le réseau."""
    communes = dict(zip(lignes["groupe"], lignes["commune"], strict=False))
    if not communes:
        return communes, None
    return communes, lignes.groupby("groupe")["structures"].sum().idxmax()


def graphique_vis_a_vis(lignes: pd.DataFrame, code: str, commune: str) -> Graphique:
    """La commune choisie face à son réseau ; le tableau garde toutes les communes."""
    choisies = lignes[lignes["groupe"] == code]
    return Graphique(
        figure_vis_a_vis(choisies),
        table_vis_a_vis(lignes),
        resume_vis_a_vis(choisies, commune),
        bool(choisies["masque"].any()),
    )


def communes_annuaire(df: pd.DataFrame) -> dict[str, str]:
    """{code: nom} des communes de l'annuaire, triées par nom (le code quand le nom manque)."""
    noms = dict(zip(df["code_commune"], df["commune"].fillna(df["code_commune"]), strict=False))
    return {code: noms[code] for code in sorted(noms, key=noms.get)}


def phrase_annuaire(trouvees: int, total: int) -> str:
    return f"{formats.entier(trouvees)} structure{'s' if trouvees > 1 else ''} sur {formats.entier(total)}."
