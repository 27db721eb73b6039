"""Mise en forme de la vue « Moyens » (pages/moyens.py) : figures plotly, tableaux au format français et phrases
de résumé, sans Streamlit. Les données arrivent publiées (insertion.protect) : une file active masquée est NaN et
s'écrit « secret », ses rapports aussi ; un rapport sans référent ou sans place est sans objet (« – »).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from insertion import formats
from insertion.contrat import ANNEE_CIBLES
from insertion.figures import charts, resumes
from insertion.figures import tableau as tb
from insertion.figures.graphique import Graphique
from insertion.figures.tableau import Tableau
from insertion.indicators.autres_systemes.moyens import CIBLES, progression
from insertion.protect.secret import LIBELLE_MASQUE

# Mesure → (titre du panneau, unité, couleur).
MESURES = {
    "referents_etp": ("Référents (ETP)", "ETP", charts.PALETTE[0]),
    "places": ("Places d'accompagnement", "places", charts.PALETTE[2]),
}


def _vide(v: object) -> bool:
    return v is None or pd.isna(v)


def etp(v: object) -> str:
    return formats.SANS_OBJET if _vide(v) else formats.decimal(float(v), 1)


def entier(v: object) -> str:
    return formats.SANS_OBJET if _vide(v) else formats.entier(float(v))


def pct(v: object) -> str:
    return formats.SANS_OBJET if _vide(v) else formats.pourcentage(float(v))


def euros(v: object) -> str:
    return formats.SANS_OBJET if _vide(v) else formats.euros(float(v))


def _masque(file_active: object) -> bool:
    """La file active publiée est NaN : masquée par le secret statistique (un zéro aussi l'est)."""
    return _vide(file_active)


def ecrire_rapport(valeur: object, file_active: object, ecrire) -> str:
    """« secret » quand la file active est masquée, « – » sans référent ou sans place, sinon la valeur."""
    if _masque(file_active):
        return LIBELLE_MASQUE
    return ecrire(valeur)


def masques(df: pd.DataFrame) -> pd.Series:
    return df["file_active"].isna() if not df.empty else pd.Series(dtype=bool)


# --- Progression vers les cibles 2026 ----------------------------------------------------------------------------


def figure_cibles(mensuels: pd.DataFrame) -> go.Figure:
    """Deux panneaux côte à côte : référents et places du département, mois par mois, avec la valeur de départ
    et la cible 2026 en lignes pointillées annotées ; l'axe des mois va jusqu'à décembre 2026."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=[MESURES[m][0] for m in MESURES], horizontal_spacing=0.1)
    fin = pd.Timestamp(ANNEE_CIBLES, 12, 31)
    debut = pd.Timestamp(mensuels["mois"].min()) if not mensuels.empty else pd.Timestamp(ANNEE_CIBLES, 1, 1)
    for col, (mesure, (titre, unite, couleur)) in enumerate(MESURES.items(), start=1):
        ecrire = etp if mesure == "referents_etp" else entier
        textes = [ecrire(v) for v in mensuels[mesure]]
        fig.add_trace(
            go.Scatter(
                x=mensuels["mois"],
                y=mensuels[mesure],
                name=titre,
                mode="lines",
                line={"color": couleur, "width": 3},
                customdata=textes,
                hovertemplate="%{x|%B %Y} · " + titre.lower() + " : %{customdata}<extra></extra>",
            ),
            row=1,
            col=col,
        )
        depart, cible = CIBLES[mesure]
        for valeur, libelle, trait in (
            (cible, f"Cible {ANNEE_CIBLES} : {formats.entier(cible)} {unite}", "dot"),
            (depart, f"Départ : {formats.entier(depart)} {unite}", "dash"),
        ):
            fig.add_trace(
                go.Scatter(
                    x=[debut, fin],
                    y=[valeur, valeur],
                    name=libelle,
                    mode="lines",
                    line={"color": charts.GRIS_TEXTE, "dash": trait, "width": 2},
                    hovertemplate=libelle + "<extra></extra>",
                    showlegend=False,
                ),
                row=1,
                col=col,
            )
            fig.add_annotation(
                x=debut,
                y=valeur,
                text=libelle,
                showarrow=False,
                xanchor="left",
                yanchor="bottom",
                font={"color": charts.GRIS_TEXTE, "size": 12},
                row=1,
                col=col,
            )
        fig.update_yaxes(rangemode="tozero", range=[0, cible * 1.12], title_text=unite.capitalize(), row=1, col=col)
    fig.update_xaxes(range=[debut, fin], tickformat="%b %Y", title_text="Mois")
    fig.update_layout(showlegend=False, height=440)
    return fig


def table_cibles(mensuels: pd.DataFrame, *, avec_progression: bool = True) -> Tableau:
    """Le graphique des cibles en tableau ; sans les colonnes de progression pour une sélection d'ALI (les cibles
    sont celles du département entier)."""
    table = Tableau(
        pd.DataFrame(
            {
                "Mois": mensuels["mois"].to_list(),
                "ALI déclarantes": mensuels["alis_declarees"].to_list(),
                "Référents (ETP)": mensuels["referents_etp"].to_list(),
                "Progression vers 340 référents": [progression(v, "referents_etp") for v in mensuels["referents_etp"]],
                "Places": mensuels["places"].to_list(),
                "Progression vers 12 600 places": [progression(v, "places") for v in mensuels["places"]],
                "Référents formés par l'École des CIP": mensuels["cip_ecole"].to_list(),
            },
            dtype=object,
        ),
        {
            "Mois": tb.mois(),
            "ALI déclarantes": tb.entier(),
            "Référents (ETP)": tb.decimal(1),
            "Progression vers 340 référents": tb.pourcentage(),
            "Places": tb.entier(),
            "Progression vers 12 600 places": tb.pourcentage(),
            "Référents formés par l'École des CIP": tb.entier(),
        },
    )
    if not avec_progression:
        table = table.colonnes(
            [c for c in table.columns if c not in ("Progression vers 340 référents", "Progression vers 12 600 places")]
        )
    return table


def resume_cibles(mensuels: pd.DataFrame) -> str:
    mois = [formats.mois(pd.Timestamp(m).date()) for m in mensuels["mois"]]
    phrases = []
    for mesure, sujet, ecrire in (
        ("referents_etp", "Le nombre de référents (ETP)", etp),
        ("places", "Le nombre de places", entier),
    ):
        phrase = resumes.evolution(resumes.points(mois, mensuels[mesure]), sujet=sujet, ecrire=ecrire)
        avance = progression(mensuels[mesure].iloc[-1], mesure) if not mensuels.empty else None
        if avance is not None:
            cible = formats.entier(CIBLES[mesure][1])
            phrase = phrase[:-1] + f", soit {pct(avance)} du chemin vers la cible {ANNEE_CIBLES} ({cible})."
        phrases.append(phrase)
    return " ".join(phrases)


# --- Par ALI : personnes par référent et occupation --------------------------------------------------------------


def figure_par_ali(dernier: pd.DataFrame, libelles: list[str]) -> go.Figure:
    """Deux panneaux de barres horizontales, une barre par ALI : personnes suivies par référent, taux
    d'occupation des places (repère pointillé à 100 %). Une barre masquée est absente (« secret » au survol)."""
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.06,
        subplot_titles=("Personnes suivies par référent (ETP)", "Taux d'occupation des places"),
    )
    for col, (colonne, nom, couleur, ecrire) in enumerate(
        (
            ("personnes_par_referent", "Personnes par référent", charts.PALETTE[0], ecrire_decimal),
            ("taux_occupation", "Taux d'occupation", charts.PALETTE[2], pct),
        ),
        start=1,
    ):
        textes = [ecrire_rapport(v, fa, ecrire) for v, fa in zip(dernier[colonne], dernier["file_active"], strict=True)]
        fig.add_trace(
            go.Bar(
                y=libelles,
                x=dernier[colonne],
                orientation="h",
                marker_color=couleur,
                name=nom,
                text=textes,
                textposition="outside",
                cliponaxis=False,
                customdata=textes,
                hovertemplate="%{y}<br>" + nom + " : %{customdata}<extra></extra>",
            ),
            row=1,
            col=col,
        )
    fig.add_vline(x=1, line_dash="dot", line_color=charts.GRIS_TEXTE, row=1, col=2)
    fig.update_xaxes(tickformat=",.0f", row=1, col=1)
    fig.update_xaxes(tickformat=charts.pourcent_a_la_francaise(".0%"), row=1, col=2)
    fig.update_yaxes(automargin=True, tickfont={"size": 12})
    fig.update_layout(showlegend=False, height=max(360, 34 * len(libelles) + 140), margin={"l": 20, "r": 60})
    return fig


def ecrire_decimal(v: object) -> str:
    return formats.SANS_OBJET if _vide(v) else formats.decimal(float(v), 1)


def _secret_si_masque(valeurs: pd.Series, file_active: pd.Series) -> list[object]:
    """« secret » quand la file active publiée est masquée (jamais la valeur), sinon la valeur (None : sans objet)."""
    return [LIBELLE_MASQUE if _masque(fa) else v for v, fa in zip(valeurs, file_active, strict=True)]


def table_par_ali(dernier: pd.DataFrame, libelles: list[str]) -> Tableau:
    return Tableau(
        pd.DataFrame(
            {
                "ALI": libelles,
                "Mois": dernier["mois"].to_list(),
                "Référents (ETP)": dernier["referents_etp"].to_list(),
                "Places": dernier["places"].to_list(),
                "Personnes suivies": _secret_si_masque(dernier["file_active"], dernier["file_active"]),
                "Personnes par référent": _secret_si_masque(dernier["personnes_par_referent"], dernier["file_active"]),
                "Taux d'occupation": _secret_si_masque(dernier["taux_occupation"], dernier["file_active"]),
            },
            dtype=object,
        ),
        {
            "Mois": tb.mois(),
            "Référents (ETP)": tb.decimal(1),
            "Places": tb.entier(),
            "Personnes suivies": tb.entier(),
            "Personnes par référent": tb.decimal(1),
            "Taux d'occupation": tb.pourcentage(),
        },
    )


def resume_par_ali(dernier: pd.DataFrame, libelles: list[str], mois: str) -> str:
    caches = masques(dernier).tolist()
    return (
        resumes.extremes(
            resumes.points(libelles, dernier["personnes_par_referent"], caches),
            mesure=f"Personnes suivies par référent {mois}",
            ecrire=ecrire_decimal,
        )
        + " "
        + resumes.extremes(
            resumes.points(libelles, dernier["taux_occupation"], caches),
            mesure=f"Taux d'occupation des places {mois}",
            ecrire=pct,
            plus="le plus élevé",
            moins="le plus faible",
        )
    )


# --- Coût par place ----------------------------------------------------------------------------------------------


def figure_cout(cout: pd.DataFrame) -> go.Figure:
    x = [str(a) for a in cout["annee"]]
    textes = [euros(v) for v in cout["cout_par_place"]]
    fig = go.Figure(
        go.Bar(
            x=x,
            y=cout["cout_par_place"],
            marker_color=charts.PALETTE[5],
            name="Coût par place",
            text=textes,
            textposition="outside",
            cliponaxis=False,
            customdata=textes,
            hovertemplate="%{x} : %{customdata} par place<extra></extra>",
        )
    )
    fig.update_xaxes(type="category", title_text="Année")
    fig.update_yaxes(tickformat=",.0f", ticksuffix="\u202f€", title_text="Euros par place", rangemode="tozero")
    fig.update_layout(showlegend=False, height=380)
    return fig


def table_cout(cout: pd.DataFrame) -> Tableau:
    return Tableau(
        pd.DataFrame(
            {
                "Année": cout["annee"].to_list(),
                # Un exercice sans montant exécuté est en cours : la case le dit, à l'écran comme dans les exports.
                "Montant exécuté": ["exercice en cours" if _vide(v) else v for v in cout["montant_execute"]],
                "Mois déclarés": cout["mois_declares"].to_list(),
                "Places moyennes": cout["places_moyennes"].to_list(),
                "Coût par place": cout["cout_par_place"].to_list(),
            },
            dtype=object,
        ),
        {
            "Année": tb.annee(),
            "Montant exécuté": tb.millions_euros(),
            "Mois déclarés": tb.entier(),
            "Places moyennes": tb.entier(),
            "Coût par place": tb.euros(),
        },
    )


def resume_cout(cout: pd.DataFrame) -> str:
    return resumes.evolution(
        resumes.points([str(a) for a in cout["annee"]], cout["cout_par_place"]),
        sujet="Le coût par place",
        ecrire=formats.euros,
    )


# --- Ce que la page pose (pages/moyens.py) --------------------------------------------------------------------
# La page ne fait que la mise en page : notes, cartes, graphiques, tableaux et phrases se décident ici.

VIDE = (
    "Aucun moyen déclaré pour cette période et ces ALI : chargez un fichier de moyens (page Importer) ou "
    "élargissez la période."
)
VIDE_ALI = "Aucune ALI n'a déclaré de moyens pour cette période."
VIDE_COUT = "Pas de coût par place : aucune année budgétaire n'a de places déclarées pour ces ALI."
NOTE_SELECTION_CIBLES = (
    "Les cibles sont celles du Département entier : une sélection d'ALI n'a pas à les atteindre seule."
)
LEGENDE_ALI = (
    "Dernier mois déclaré par chaque ALI. Personnes suivies publiées avec le secret statistique : les rapports "
    "sont calculés sur la valeur publiée."
)


def notes(autres_filtres: list[str]) -> str:
    """La note sous le titre ; `autres_filtres` : les filtres posés qui ne s'appliquent pas (etats_vides)."""
    textes = [
        "Moyens déclarés par les ALI, mois par mois ; les personnes suivies sont celles des ALI qui ont déclaré "
        "leurs moyens pour le mois. Les moyens ne sont connus que par ALI : seul le filtre ALI s'applique."
    ]
    if autres_filtres:
        textes.append("Filtres sans effet sur cette vue : " + ", ".join(autres_filtres) + ".")
    return " ".join(textes)


def par_mois(mensuels: pd.DataFrame) -> pd.DataFrame:
    """La série départementale publiée, dans l'ordre des mois."""
    return mensuels.sort_values("mois").reset_index(drop=True)


def legende_dernier_mois(mensuels: pd.DataFrame) -> str:
    dernier = mensuels.iloc[-1]
    mois = formats.mois(pd.Timestamp(dernier["mois"]).date())
    return f"Chiffres du dernier mois déclaré : {mois} ({entier(dernier['alis_declarees'])} ALI)."


def _nombre(v: object) -> float | None:
    return None if _vide(v) else float(v)


def chiffres_cles(mensuels: pd.DataFrame, selection: bool) -> list[dict]:
    """Les six cartes (arguments de ui.chiffre_cle) du dernier mois déclaré : référents et places (évolution sur un an,
    courbe), personnes par référent, occupation, progression vers les deux cibles (sans objet pour une sélection
    d'ALI, qui n'a pas à atteindre seule les cibles du Département). `mensuels` : trié par mois (par_mois)."""
    dernier = mensuels.iloc[-1]
    il_y_a_un_an = mensuels[mensuels["mois"] == pd.Timestamp(dernier["mois"]) - pd.DateOffset(years=1)]
    un_an = il_y_a_un_an.iloc[0] if not il_y_a_un_an.empty else None

    def evolution(colonne: str) -> str | None:
        return formats.evolution_pourcentage(
            _nombre(dernier[colonne]), None if un_an is None else _nombre(un_an[colonne])
        )

    cartes = [
        {
            "label": "Référents (ETP)",
            "valeur": etp(dernier["referents_etp"]),
            "evolution": evolution("referents_etp"),
            "description": "sur un an",
            "serie": [float(v) for v in mensuels["referents_etp"]],
            "aide": "Référents d'accompagnement en équivalents temps plein, déclarés par les ALI pour le mois.",
        },
        {
            "label": "Places",
            "valeur": entier(dernier["places"]),
            "evolution": evolution("places"),
            "description": "sur un an",
            "serie": [float(v) for v in mensuels["places"]],
            "aide": "Places d'accompagnement déclarées par les ALI pour le mois.",
        },
        {
            "label": "Personnes par référent",
            "valeur": ecrire_rapport(dernier["personnes_par_referent"], dernier["file_active"], ecrire_decimal),
            "sens": "off",
            "aide": "Personnes suivies en fin de mois par les ALI déclarantes, divisées par leurs référents (ETP).",
        },
        {
            "label": "Taux d'occupation",
            "valeur": ecrire_rapport(dernier["taux_occupation"], dernier["file_active"], pct),
            "sens": "off",
            "aide": "Personnes suivies en fin de mois par les ALI déclarantes, divisées par leurs places.",
        },
    ]
    for mesure, quoi in (("referents_etp", "référents"), ("places", "places")):
        depart, cible = CIBLES[mesure]
        cartes.append(
            {
                "label": f"Cible {quoi} {ANNEE_CIBLES}",
                "valeur": formats.SANS_OBJET if selection else pct(progression(_nombre(dernier[mesure]), mesure)),
                "aide": (
                    f"Progression vers la cible du Département : (valeur du dernier mois − {formats.entier(depart)}) "
                    f"/ ({formats.entier(cible)} − {formats.entier(depart)}). "
                    + ("Cible départementale : sans objet pour une sélection d'ALI." if selection else "")
                ).strip(),
            }
        )
    return cartes


def secret_dernier_mois(mensuels: pd.DataFrame) -> bool:
    """Les personnes suivies du dernier mois sont masquées : la page le signale sous les cartes."""
    return bool(masques(mensuels).iloc[-1])


def graphique_cibles(mensuels: pd.DataFrame, selection: bool) -> Graphique:
    """Référents et places vers les cibles ; la progression n'est dans le tableau que pour le Département entier."""
    return Graphique(
        figure_cibles(mensuels), table_cibles(mensuels, avec_progression=not selection), resume_cibles(mensuels)
    )


def derniers_par_ali(par_ali: pd.DataFrame) -> pd.DataFrame:
    """Le dernier mois déclaré de chaque ALI, dans l'ordre inverse des codes (barres horizontales : ALI01 en haut)."""
    derniers = par_ali.sort_values("mois").groupby("groupe", as_index=False).tail(1)
    return derniers.sort_values("groupe", ascending=False).reset_index(drop=True)


def graphique_par_ali(par_ali: pd.DataFrame, noms: dict[str, str]) -> Graphique:
    """Personnes par référent et occupation au dernier mois déclaré de chaque ALI ; tableau dans l'ordre des codes."""
    derniers = derniers_par_ali(par_ali)
    libelles_ali = [noms.get(g, g) for g in derniers["groupe"]]
    return Graphique(
        figure_par_ali(derniers, libelles_ali),
        _a_rebours(table_par_ali(derniers, libelles_ali)),
        resume_par_ali(derniers, libelles_ali, "au dernier mois déclaré"),
        bool(masques(derniers).any()),
    )


def _a_rebours(t: Tableau) -> Tableau:
    """Les lignes dans l'ordre inverse : le tableau se lit dans l'ordre des codes, les barres à rebours."""
    return Tableau(t.valeurs.iloc[::-1].reset_index(drop=True), t.natures)


def cout_declare(cout: pd.DataFrame) -> pd.DataFrame:
    """Les années budgétaires qui ont au moins un mois de places déclarées."""
    return cout[cout["mois_declares"] > 0].reset_index(drop=True)


def note_cout(selection: bool) -> str:
    return "Montant exécuté de l'année (budget) divisé par la moyenne des places déclarées des mois de l'année. " + (
        "Crédits ventilés aux ALI retenues seulement."
        if selection
        else "Tous les crédits de l'insertion, ventilés par ALI ou non."
    )


def graphique_cout(cout: pd.DataFrame) -> Graphique:
    return Graphique(figure_cout(cout), table_cout(cout), resume_cout(cout))
