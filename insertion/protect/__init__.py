"""Couche de publication (issue 12) : au-dessus des indicateurs, sous les figures et la présentation.
Tout ce qui sort (pages, exports, note PDF, CLI) passe par `publication()` ; voir diffusion.py."""

from insertion.protect.diffusion import (
    DECLARATIONS,
    en_publication,
    poser_publication,
    publication,
    publier_requete,
)

__all__ = ["DECLARATIONS", "en_publication", "poser_publication", "publication", "publier_requete"]
