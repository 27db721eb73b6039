"""Graphiques plotly en PNG côté serveur, avec kaleido 1.x et le Chromium du système.

kaleido trouve /usr/bin/chromium tout seul (ou $BROWSER_PATH) ; on n'appelle jamais
kaleido.get_chrome(), qui télécharge un navigateur. Pour une série d'images (notes de synthèse
en lot), `serveur_images()` garde un seul Chromium ouvert : ~0,15 s par image au lieu de ~2 s.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import plotly.graph_objects as go

from insertion import charts


class ChromiumAbsent(RuntimeError):
    pass


def chromium_path() -> str:
    path = os.environ.get("BROWSER_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise ChromiumAbsent(
            "Les images des graphiques demandent Chromium sur le serveur : installez-le "
            "(apt-get install chromium) ou indiquez son chemin dans $BROWSER_PATH."
        )
    return path


def png(fig: go.Figure, width: int = 900, height: int = 450, scale: float = 2) -> bytes:
    """Le graphique en PNG, avec le gabarit et les séparateurs français du tableau de bord."""
    os.environ.setdefault("BROWSER_PATH", chromium_path())
    figure = go.Figure(fig)
    figure.update_layout(template=charts.TEMPLATE, separators=charts.SEPARATEURS)
    return figure.to_image(format="png", width=width, height=height, scale=scale)


@contextmanager
def serveur_images() -> Iterator[None]:
    import kaleido

    os.environ.setdefault("BROWSER_PATH", chromium_path())
    kaleido.start_sync_server(silence_warnings=True)
    try:
        yield
    finally:
        kaleido.stop_sync_server(silence_warnings=True)
