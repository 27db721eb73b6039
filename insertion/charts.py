"""Graphiques plotly en français, palette lisible par les daltoniens, réglés une seule fois.

Le plotly.js livré n'a pas de locale française : les noms de mois et les séparateurs sont
passés en clair dans la configuration du graphique (stack-notes).
"""

from __future__ import annotations

import re
import unicodedata

import plotly.graph_objects as go
import plotly.io as pio

# Okabe-Ito : huit couleurs distinguables par les principales formes de daltonisme.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# Au-delà de 8 séries (22 ALI), on complète avec la palette « Safe » de plotly, elle aussi adaptée.
PALETTE_ETENDUE = PALETTE + [
    "#88CCEE", "#CC6677", "#DDCC77", "#117733", "#332288", "#AA4499", "#44AA99", "#999933", "#882255",
    "#661100", "#6699CC", "#888888", "#4B0092", "#1AFF1A",
]  # fmt: skip
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
    },
}

TEMPLATE = "ali93"


def _install_template() -> None:
    template = go.layout.Template(pio.templates["plotly_white"])
    template.layout.colorway = PALETTE_ETENDUE
    template.layout.separators = SEPARATEURS
    template.layout.font = {"family": "Marianne, Arial, sans-serif", "size": 14}
    template.layout.hoverlabel = {"font": {"size": 14}}
    template.layout.legend = {"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0}
    template.layout.margin = {"t": 50, "r": 20, "b": 40, "l": 60}
    template.layout.xaxis = {"hoverformat": "%B %Y"}
    template.layout.colorscale = {"sequential": ECHELLE_CONTINUE}
    pio.templates[TEMPLATE] = template
    pio.templates.default = TEMPLATE


_install_template()


def slug(text: str) -> str:
    """« ALI14 Clichy-sous-Bois » → « ali14-clichy-sous-bois », pour nommer les fichiers."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def config(nom_fichier: str) -> dict:
    """Configuration plotly.js : français, et un PNG nommé d'après la vue, le territoire et la date."""
    return {
        "locale": "fr",
        "locales": {"fr": LOCALE_FR},
        "displaylogo": False,
        "modeBarButtonsToRemove": ["select2d", "lasso2d"],
        "toImageButtonOptions": {"format": "png", "filename": slug(nom_fichier), "scale": 2},
    }
