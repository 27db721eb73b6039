"""Ce qu'une vue passe à l'écran pour un graphique : la figure, son tableau, sa phrase de résumé, s'il masque une
case et s'il n'a rien à montrer. Un seul porteur pour toutes les vues (Bénéficiaires suivis, Vue d'ensemble,
Diagnostics, Sorties vers l'emploi, Budget, Freins et réseau, Moyens, Actions collectives), pour que leurs pages
n'assemblent plus ces morceaux elles-mêmes : elles le posent (insertion.present.graphiques.montrer, ou
`ui.graphique(ctx, g.figure, vue=…, **g.options())` quand la vue a aussi choisi sa clé, son nom et ses définitions).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import plotly.graph_objects as go

from insertion.figures.tableau import Tableau


@dataclass
class Graphique:
    figure: go.Figure
    table: Tableau  # les nombres publiés, que l'écran écrit en français et que les exports écrivent tels quels
    resume: str | None = None
    masque: bool = False
    # Rien à montrer sous ces filtres : la page remplace alors le graphique par sa phrase d'état vide, qui dépend des
    # filtres (insertion.present.etats_vides) et ne peut donc pas être écrite ici.
    vide: bool = False
    # Ce que seules certaines vues choisissent elles-mêmes (Diagnostics, Sorties) ; les autres pages les passent à
    # l'appel : définitions de la « Méthode », clé du widget, nom du tableau dans les noms de fichiers.
    definitions: list = field(default_factory=list)
    cle: str | None = None
    tableau: str | None = None
    legende: str = ""  # la phrase posée au-dessus du graphique, quand la vue en a une

    def options(self) -> dict:
        """Les arguments nommés de `ui.graphique`, hors figure et vue."""
        return {
            "table": self.table,
            "definitions": self.definitions,
            "masque": self.masque,
            "cle": self.cle,
            "tableau": self.tableau,
            "resume": self.resume,
        }
