"""Ce qu'une vue passe à l'écran pour un graphique : la figure, son tableau, sa phrase de résumé, s'il masque une
case et s'il n'a rien à montrer. Un seul porteur pour les vues Freins et réseau, Moyens et Actions collectives, pour
que leurs pages n'assemblent plus ces morceaux elles-mêmes (insertion.present.graphiques.montrer les pose)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from insertion.figures.tableau import Tableau


@dataclass
class Graphique:
    figure: go.Figure
    table: Tableau | pd.DataFrame  # Tableau : les nombres publiés, que les exports écrivent tels quels
    resume: str | None = None
    masque: bool = False
    # Rien à montrer sous ces filtres : la page remplace alors le graphique par sa phrase d'état vide, qui dépend des
    # filtres (insertion.present.etats_vides) et ne peut donc pas être écrite ici.
    vide: bool = False
