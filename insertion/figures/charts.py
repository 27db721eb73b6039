"""Graphiques plotly en français, palette lisible par les daltoniens, réglés une seule fois.

Le plotly.js livré n'a pas de locale française : les noms de mois et les séparateurs sont
passés en clair dans la configuration du graphique (stack-notes).
"""

from __future__ import annotations

import numbers
import re
import unicodedata

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

# Okabe-Ito assombrie (RGAA : un trait ou une barre doit avoir un contraste d'au moins 3:1 contre le blanc).
# L'orange, le bleu ciel et le rose d'origine tombaient à 2,2–3,1:1 ; assombris au même ton, l'orange rejoignait
# le vermillon chez les deutéranopes : il est passé au brun orangé, et le jaune (1,3:1, qu'aucun jaune foncé ne
# sépare de l'orange) est remplacé par le lie-de-vin de Paul Tol. Les indices restent ceux d'Okabe-Ito (les pages
# disent PALETTE[1] pour l'orange). tests/figures/test_charts.py vérifie le contraste de chaque couleur et leur écart
# deux à deux en vision normale, protanope, deutéranope et tritanope (simulation de Machado et al., 2009).
PALETTE = ["#0072B2", "#A05000", "#009068", "#C870A0", "#4098C8", "#D55E00", "#882255", "#000000"]
NOMS_COULEURS = ["bleu", "brun orangé", "vert bleuté", "rose", "bleu ciel", "vermillon", "lie-de-vin", "noir"]
# Texte gris (graduations, légendes, annotations) : au moins 4,5:1 contre le blanc.
GRIS_TEXTE = "#595959"
ECHELLE_CONTINUE = "Cividis"
SEPARATEURS = ",\u202f"  # virgule décimale, espace fine insécable pour les milliers

_MOIS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
         "novembre", "décembre"]  # fmt: skip
_MOIS_COURTS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]
_JOURS = ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"]
_JOURS_COURTS = ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."]

LOCALE_FR = {
    "moduleType": "locale",
    "name": "fr",
    "dictionary": {
        "Download plot as a png": "Télécharger le graphique en PNG",
        "Zoom in": "Zoom avant",
        "Zoom out": "Zoom arrière",
        "Autoscale": "Échelle automatique",
        "Reset axes": "Réinitialiser les axes",
        "Pan": "Déplacer",
        "Zoom": "Zoom",
    },
    "format": {
        "days": _JOURS,
        "shortDays": _JOURS_COURTS,
        "months": _MOIS,
        "shortMonths": _MOIS_COURTS,
        "date": "%d/%m/%Y",
        "decimal": ",",
        "thousands": "\u202f",
        # d3-format n'écrit que « 5% » ; plotly.js ne lui passe pas le réglage `percent` d'une locale, mais il
        # passe `currency`, et d3 remplace le « % » par le suffixe monétaire quand le format porte le symbole « $ » :
        # « $.0% » s'écrit donc « 5 % ». Aucun graphique n'affiche de « $ » : les euros sont des `ticksuffix`.
        "currency": ["", "\u202f%"],
    },
}

GABARIT = "ali93"


def _installer_gabarit() -> None:
    gabarit = go.layout.Template(pio.templates["plotly_white"])
    gabarit.layout.colorway = PALETTE
    gabarit.layout.separators = SEPARATEURS
    gabarit.layout.font = {"family": "Marianne, Arial, sans-serif", "size": 14}
    gabarit.layout.hoverlabel = {"font": {"size": 14}}
    gabarit.layout.legend = {"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0}
    gabarit.layout.margin = {"t": 50, "r": 20, "b": 40, "l": 60}
    gabarit.layout.xaxis = {"hoverformat": "%B %Y"}
    gabarit.layout.colorscale = {"sequential": ECHELLE_CONTINUE}
    pio.templates[GABARIT] = gabarit
    pio.templates.default = GABARIT


_installer_gabarit()


def nom_de_fichier_sur(texte: str) -> str:
    """« ALI14 Clichy-sous-Bois » → « ali14-clichy-sous-bois », pour nommer les fichiers."""
    texte_ascii = unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", texte_ascii.lower()).strip("-")


def configuration(nom_fichier: str) -> dict:
    """Configuration plotly.js : français, et un PNG nommé d'après la vue, le territoire et la date."""
    return {
        "locale": "fr",
        "locales": {"fr": LOCALE_FR},
        "displaylogo": False,
        "modeBarButtonsToRemove": ["select2d", "lasso2d"],
        "toImageButtonOptions": {"format": "png", "filename": nom_de_fichier_sur(nom_fichier), "scale": 2},
    }


def rapport_contraste(couleur: str, fond: str = "#FFFFFF") -> float:
    """Rapport de contraste WCAG 2 (1 à 21) entre deux couleurs « #RRGGBB »."""

    def luminance(hexa: str) -> float:
        canaux = [int(hexa.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in canaux)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    claire, sombre = sorted((luminance(couleur), luminance(fond)), reverse=True)
    return (claire + 0.05) / (sombre + 0.05)


# Un format d3 de pourcentage (« .0% », « +.1% ») sans le symbole « $ » qui le fait écrire à la française.
_FORMAT_POURCENT = re.compile(r"^((?:.?[<>=^])?[-+( ]?)([^$]*%)$")
_GABARIT_POURCENT = re.compile(r"(%\{[^}:]+:)([^}$]*%)\}")
# Formats d'effectifs entiers : un pas de graduation inférieur à 1 les fait écrire « 0 1 1 2 2 ».
_FORMATS_ENTIERS = {",d", "d", ",.0f", ".0f"}
# Formats de dates au mois : un pas inférieur au mois les fait écrire « janv. 2024 janv. 2024 ».
_FORMATS_MOIS = {"%b %Y", "%B %Y", "%b", "%B", "%m/%Y"}
PAS_ENTIER_MAX = 10  # jusqu'à 10 graduations, le pas de 1 reste lisible


def pourcent_a_la_francaise(format_d3: str) -> str:
    """« .0% » → « $.0% » : écrit « 5 % » avec la locale française (voir LOCALE_FR) ; tout autre format inchangé."""
    trouve = _FORMAT_POURCENT.match(format_d3 or "")
    return f"{trouve.group(1)}${trouve.group(2)}" if trouve else format_d3


def _gabarit_francais(gabarit):
    if not isinstance(gabarit, str):
        return gabarit
    return _GABARIT_POURCENT.sub(lambda m: f"{m.group(1)}{pourcent_a_la_francaise(m.group(2))}}}", gabarit)


def _axes(fig: go.Figure) -> dict[str, object]:
    """Les axes cartésiens de la figure : « x », « y2 »… → objet d'axe de la mise en page."""
    axes = {}
    for nom in fig.layout:
        if re.fullmatch(r"[xy]axis\d*", nom):
            axes[nom[0] + nom[5:]] = fig.layout[nom]
    return axes


def _valeurs_par_axe(fig: go.Figure) -> tuple[dict[str, list], set[str]]:
    """Les valeurs posées sur chaque axe par les traces (« x », « y2 »…) et les axes dont les séries s'empilent."""
    valeurs: dict[str, list] = {}
    empiles: set[str] = set()
    empile = fig.layout.barmode in ("stack", "relative")
    for trace in fig.data:
        if trace.type not in ("scatter", "bar", "scattergl", "heatmap"):
            continue
        for lettre in ("x", "y"):
            axe = getattr(trace, f"{lettre}axis", None) or lettre
            donnees = getattr(trace, lettre, None)
            if donnees is None:
                continue
            valeurs.setdefault(axe, []).append(list(donnees))
            valeur_empilee = (trace.type == "bar" and empile) or bool(getattr(trace, "stackgroup", None))
            if valeur_empilee and lettre == ("x" if getattr(trace, "orientation", None) == "h" else "y"):
                empiles.add(axe)
    return valeurs, empiles


def _nombres(series: list[list]) -> list[list[float]]:
    return [
        [float(v) for v in serie if isinstance(v, numbers.Real) and not isinstance(v, bool) and v == v]
        for serie in series
    ]


def _dates(series: list[list]) -> list:
    dates = pd.to_datetime(pd.Series([v for serie in series for v in serie], dtype=object), errors="coerce")
    return list(dates.dropna())


def graduations_lisibles(fig: go.Figure) -> go.Figure:
    """Pourcentages « 5 % », et graduations qui ne se répètent pas, sur une figure déjà construite.

    Un axe d'effectifs entiers dont les valeurs restent petites (ou vide) prend un pas de 1 : plotly y
    choisirait 0,5 et écrirait « 0 1 1 2 2 ». Un axe de mois sur moins d'un an prend un pas d'un mois :
    plotly y graduerait les semaines et écrirait deux fois le même mois. Rien n'est changé si la page a
    déjà fixé le pas."""
    valeurs, empiles = _valeurs_par_axe(fig)
    for nom, axe in _axes(fig).items():
        if axe.tickformat:
            axe.tickformat = pourcent_a_la_francaise(axe.tickformat)
        if axe.hoverformat:
            axe.hoverformat = pourcent_a_la_francaise(axe.hoverformat)
        if axe.dtick is not None or axe.tickmode == "array" or axe.type == "category":
            continue
        series = valeurs.get(nom, [])
        if axe.tickformat in _FORMATS_ENTIERS:
            nombres = [s for s in _nombres(series) if s]
            if nom in empiles:
                borne = sum(max((abs(v) for v in s), default=0) for s in nombres)
            else:
                borne = max((abs(v) for s in nombres for v in s), default=0)
            if borne <= PAS_ENTIER_MAX:
                axe.update(dtick=1, tick0=0)
                if borne == 0 and axe.range is None:
                    axe.range = [0, 1]
        elif axe.tickformat in _FORMATS_MOIS:
            dates = _dates(series)
            if dates:
                debut, fin = min(dates), max(dates)
                if (fin.year - debut.year) * 12 + fin.month - debut.month <= 12:
                    premier = debut.replace(day=1)
                    # Libellé au milieu du mois : un point du 31 octobre est sous « oct. », pas sous « nov. ».
                    axe.update(dtick="M1", tick0=premier.strftime("%Y-%m-%d"), ticklabelmode="period")
                    if axe.range is None and fin - debut < pd.Timedelta(days=45):
                        # Quelques jours de données : plotly cadrerait entre deux débuts de mois, sans aucune
                        # graduation. On montre le mois des données et ses voisins.
                        axe.range = [
                            (premier - pd.Timedelta(days=20)).strftime("%Y-%m-%d"),
                            (fin.replace(day=1) + pd.DateOffset(months=1, days=20)).strftime("%Y-%m-%d"),
                        ]
    for trace in fig.data:
        for attribut in ("hovertemplate", "texttemplate"):
            if attribut in trace:
                trace[attribut] = _gabarit_francais(trace[attribut])
        for attribut in ("xhoverformat", "yhoverformat", "zhoverformat"):
            if getattr(trace, attribut, None):
                trace[attribut] = pourcent_a_la_francaise(trace[attribut])
        barre = getattr(trace, "colorbar", None) or getattr(getattr(trace, "marker", None), "colorbar", None)
        if barre is not None and barre.tickformat:
            barre.tickformat = pourcent_a_la_francaise(barre.tickformat)
    return fig


COULEUR_CONTEXTE = "#D3D8DE"  # les autres séries, en fond d'un petit multiple : du contexte, pas une donnée à lire


def _titre_court(nom: str) -> str:
    """« ALI14 · Clichy-sous-Bois – Montfermeil – Coubron » → « ALI14 · Clichy-sous-Bois » (titre d'un panneau)."""
    return nom.split(" – ")[0]


def series_nombreuses(fig: go.Figure, colonnes: int = 4) -> go.Figure:
    """Plus de séries que de couleurs (22 ALI) : la palette serait réutilisée, et deux ALI confondues.

    Des courbes deviennent de petits multiples : un panneau par série, titré de son nom, sa courbe en bleu
    sur les autres en gris clair, même échelle partout. Des aires empilées gardent leur total, et chaque aire
    est nommée au bout, à droite : la légende n'a plus à être lue. Une figure de 8 séries ou moins est rendue
    telle quelle."""
    traces = [t for t in fig.data if t.type == "scatter"]
    if len(traces) <= len(PALETTE) or len(traces) != len(fig.data):
        return fig
    if any(t.stackgroup for t in traces):
        return _aires_etiquetees(fig, traces)
    return _petits_multiples_courbes(fig, traces, colonnes)


def _aires_etiquetees(fig: go.Figure, traces: list) -> go.Figure:
    cumul = 0.0
    annotations = list(fig.layout.annotations)
    for i, trace in enumerate(traces):
        couleur = PALETTE[i % len(PALETTE)]
        trace.update(line={"color": couleur, "width": 1}, fillcolor=couleur)
        valeurs = [] if trace.y is None else list(trace.y)  # un tableau numpy n'a pas de valeur de vérité
        y = [float(v) if isinstance(v, numbers.Real) and v == v else 0.0 for v in valeurs]
        if not y:
            continue
        annotations.append(
            # Dans la marge droite (xref « paper ») : sur l'axe des dates, plotly l'élargirait pour loger le texte.
            {"x": 1, "y": cumul + y[-1] / 2, "xref": "paper", "yref": "y", "text": _titre_court(trace.name),
             "showarrow": False, "xanchor": "left", "xshift": 6, "font": {"size": 11, "color": "#111111"}}
        )  # fmt: skip
        cumul += y[-1]
    fig.update_layout(annotations=annotations, showlegend=False, margin={"r": 260})
    return fig


def _petits_multiples_courbes(fig: go.Figure, traces: list, colonnes: int) -> go.Figure:
    from plotly.subplots import make_subplots

    lignes = -(-len(traces) // colonnes)
    multiples = make_subplots(
        rows=lignes,
        cols=colonnes,
        shared_xaxes="all",
        shared_yaxes="all",
        subplot_titles=[_titre_court(t.name) for t in traces],
        vertical_spacing=0.3 / lignes,
        horizontal_spacing=0.03,
    )
    for k, trace in enumerate(traces):
        ligne, colonne = k // colonnes + 1, k % colonnes + 1
        # Les autres séries en une seule trace grise (segments séparés par None) : 44 traces au lieu de 484.
        x_autres, y_autres = [], []
        for autre in traces:
            if autre is not trace:
                x_autres += [*autre.x, None]
                y_autres += [*autre.y, None]
        multiples.add_trace(
            go.Scatter(x=x_autres, y=y_autres, mode="lines", line={"color": COULEUR_CONTEXTE, "width": 1},
                       hoverinfo="skip", showlegend=False),
            row=ligne, col=colonne,
        )  # fmt: skip
        multiples.add_trace(
            go.Scatter(x=trace.x, y=trace.y, name=trace.name, mode="lines", customdata=trace.customdata,
                       hovertemplate=trace.hovertemplate, line={"color": PALETTE[0], "width": 2.5}, showlegend=False),
            row=ligne, col=colonne,
        )  # fmt: skip
    axe_y = fig.layout.yaxis
    multiples.update_yaxes(tickformat=axe_y.tickformat, rangemode=axe_y.rangemode or "tozero")
    multiples.update_yaxes(title_text=axe_y.title.text, col=1, row=lignes // 2 + 1)
    multiples.update_xaxes(tickformat="%Y", hoverformat="%B %Y")
    multiples.update_annotations(font={"size": 12})  # titres des panneaux
    if fig.layout.xaxis.title.text:
        multiples.add_annotation(
            text=fig.layout.xaxis.title.text, xref="paper", yref="paper", x=0, y=0, yshift=-40, showarrow=False,
            xanchor="left", yanchor="top",
        )  # fmt: skip
    multiples.update_layout(
        height=170 * lignes + 120,
        showlegend=False,
        hovermode="closest",
        margin={"t": 40, "b": 70},
    )
    return multiples


def assombrir(couleur: str, contraste: float = 4.5, fond: str = "#FFFFFF") -> str:
    """La même teinte, assombrie juste assez pour atteindre `contraste` contre `fond` (texte : 4,5:1)."""
    rouge, vert, bleu = (int(couleur.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    facteur = 1.0
    while facteur > 0:
        essai = "#" + "".join(f"{round(c * facteur):02X}" for c in (rouge, vert, bleu))
        if rapport_contraste(essai, fond) >= contraste:
            return essai
        facteur -= 0.02
    return "#000000"


def _couleur_texte(couleur: object) -> object:
    """Une couleur de texte « #RRGGBB » trop pâle contre le blanc est assombrie ; toute autre valeur est rendue."""
    if isinstance(couleur, str) and re.fullmatch(r"#[0-9A-Fa-f]{6}", couleur) and rapport_contraste(couleur) < 4.5:
        return assombrir(couleur)
    return couleur


def textes_lisibles(fig: go.Figure) -> go.Figure:
    """Tout le texte d'une figure à 4,5:1 au moins contre le blanc (RGAA 3.2).

    Le thème plotly de Streamlit écrit graduations, titres d'axes et légendes en #808495 (3,7:1) ; une couleur
    posée dans la figure l'emporte sur ce thème : on les pose donc toutes. Une annotation ou un texte de
    barre écrit dans une couleur de la palette (3:1 seulement, assez pour un trait) est assombri."""
    if fig.layout.font.color is None:
        fig.layout.font.color = GRIS_TEXTE
    for trace in fig.data:  # un axe que seule une trace nomme (« x2 ») est créé par plotly.js, au thème de Streamlit
        for lettre in ("x", "y"):
            reference = getattr(trace, f"{lettre}axis", None)
            if reference and f"{lettre}axis{reference[1:]}" not in fig.layout:
                fig.layout[f"{lettre}axis{reference[1:]}"] = {}
    for axe in _axes(fig).values():
        if axe.tickfont.color is None:
            axe.tickfont.color = GRIS_TEXTE
        if axe.title.font.color is None:
            axe.title.font.color = GRIS_TEXTE
        axe.tickfont.color = _couleur_texte(axe.tickfont.color)
    for conteneur in (fig.layout.legend.font, fig.layout.legend.title.font, fig.layout.title.font):
        conteneur.color = _couleur_texte(conteneur.color) if conteneur.color else GRIS_TEXTE
    for annotation in fig.layout.annotations:
        annotation.font.color = _couleur_texte(annotation.font.color)
    for trace in fig.data:
        police = getattr(trace, "textfont", None)
        if police is not None and isinstance(police.color, str):
            police.color = _couleur_texte(police.color)
        barre = getattr(trace, "colorbar", None)
        if barre is not None:
            barre.tickfont.color = barre.tickfont.color or GRIS_TEXTE
            barre.title.font.color = barre.title.font.color or GRIS_TEXTE
    return fig
