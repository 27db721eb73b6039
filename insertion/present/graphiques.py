"""Pose un graphique préparé par une vue (insertion.figures.graphique.Graphique) : le même appel à ui.graphique
pour chaque graphique d'une page, sans que la page recopie figure, tableau, résumé et secret un par un."""

from __future__ import annotations

from collections.abc import Iterable

from insertion.figures.graphique import Graphique
from insertion.present import ui
from insertion.present.app import Contexte


def montrer(
    ctx: Contexte,
    vue: str,
    g: Graphique,
    cle: str,
    tableau: str,
    definitions: Iterable[str],
    *,
    vide: str | None = None,
) -> None:
    """`vide` : la phrase qui remplace le graphique quand la vue n'a rien à montrer (g.vide)."""
    ui.graphique(
        ctx,
        g.figure,
        vue=vue,
        table=g.table,
        definitions=list(definitions),
        masque=g.masque,
        cle=cle,
        tableau=tableau,
        resume=g.resume,
        vide=vide if g.vide else None,
    )
