"""Les deux graphiques de la note de synthèse, dessinés sans navigateur.

matplotlib écrit chaque graphique en SVG, que fpdf2 embarque en vecteurs (`pdf.image(BytesIO(svg))`) : ni
Chromium ni kaleido, la note se fait partout où Python tourne. Les graphiques de l'écran restent en plotly.

Le texte reste du texte dans le SVG (`svg.fonttype = "none"`) : fpdf2 l'écrit avec la police DejaVu Sans
embarquée dans le PDF (briefing.py l'enregistre sous le même nom de famille). Il se sélectionne et se relit
dans le PDF. matplotlib mesure ce texte avec les fichiers de `insertion/fonts/`, les mêmes que ceux du PDF,
pour que la mise en page calculée soit celle qui s'imprime.

On dessine sur `matplotlib.figure.Figure`, jamais par pyplot : pas de figure globale ni d'interface graphique,
et le bouton de l'application (un fil d'exécution par clic) peut dessiner pendant qu'un autre le fait.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import matplotlib
from matplotlib import font_manager, ticker
from matplotlib.figure import Figure

from insertion import formats

FONTS = Path(__file__).resolve().parent.parent / "fonts"
POLICE = "DejaVu Sans"  # nom de famille des fichiers de FONTS, repris par le PDF
FICHIERS_POLICE = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf")
TAILLE = 7.5  # points, un peu plus petit que le texte de la note (le SVG est posé à sa taille réelle)
BLEU = "#0072B2"  # Okabe-Ito, premier de la palette (insertion/figures/charts.py)
GRIS = "#5A5A5A"
# Pas "#000000" : matplotlib n'écrit pas le noir (couleur par défaut en SVG) et fpdf2 ne remplit alors pas le texte.
TEXTE = "#111111"
GRILLE = "#DDDDDD"
MM = 1 / 25.4  # pouces par millimètre


def _installer_police() -> None:
    """Les fichiers DejaVu du projet passent devant les autres DejaVu Sans (celle livrée avec matplotlib, celle
    du système) : à score égal, matplotlib prend la première de sa liste."""
    gestionnaire = font_manager.fontManager
    dossier = str(FONTS)
    if not any(str(Path(f.fname).parent) == dossier for f in gestionnaire.ttflist):
        for nom in FICHIERS_POLICE:
            gestionnaire.addfont(str(FONTS / nom))
    nos_polices = [f for f in gestionnaire.ttflist if str(Path(f.fname).parent) == dossier]
    gestionnaire.ttflist = nos_polices + [f for f in gestionnaire.ttflist if f not in nos_polices]
    gestionnaire._findfont_cached.cache_clear()  # le cache a pu retenir une autre DejaVu Sans


_installer_police()
# Réglages globaux posés une fois : ce processus ne dessine avec matplotlib que pour la note.
matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",  # du texte, pas des tracés
        "svg.hashsalt": "ali93",  # identifiants stables : même note, même SVG
        "font.family": POLICE,
        "font.size": TAILLE,
        "axes.edgecolor": GRIS,
        "axes.labelcolor": GRIS,
        "xtick.color": GRIS,
        "ytick.color": GRIS,
        "axes.unicode_minus": False,  # le signe moins de DejaVu n'apporte rien ici
    }
)


def _figure(largeur_mm: float, hauteur_mm: float) -> Figure:
    # constrained : les étiquettes des axes entrent dans la figure, aucune n'est coupée au bord.
    return Figure(figsize=(largeur_mm * MM, hauteur_mm * MM), layout="constrained")


def _svg(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    # fpdf2 ne lit pas <metadata> et le signale à chaque image : le bloc (sans date ni auteur) est retiré.
    return re.sub(rb"\s*<metadata>.*?</metadata>", b"", buffer.getvalue(), count=1, flags=re.DOTALL)


def _axes_sobres(ax, garder: Sequence[str] = ("left", "bottom")) -> None:
    for cote, spine in ax.spines.items():
        spine.set_visible(cote in garder)
        spine.set_linewidth(0.6)
    ax.tick_params(width=0.6, length=2.5, pad=2)


def _graduations(x: Sequence[int], max_etiquettes: int) -> tuple[list[int], int]:
    """Les mois étiquetés (au plus max_etiquettes) et leur pas : tous les 1, 2, 3, 6, 12, 24… mois, alignés
    sur l'année (pas de 3 : janvier, avril, juillet, octobre ; pas de 12 : les janviers)."""
    for pas in (1, 2, 3, 6, 12, 24, 36, 60, 120):
        ticks = [i for i in x if i % pas == 0]
        if ticks and len(ticks) <= max_etiquettes:
            return ticks, pas
    return [x[0]], len(x)


def _index_mois(jour: date) -> int:
    return jour.year * 12 + jour.month - 1


def courbe_mensuelle(
    mois: Sequence[date],
    valeurs: Sequence[float | None],
    *,
    largeur_mm: float,
    hauteur_mm: float,
    vide: str = "Aucune valeur diffusable sur la période.",
) -> bytes:
    """Une série mensuelle en SVG : une valeur par mois (None = non diffusée, la courbe s'interrompt),
    des étiquettes « janv. 2024 » horizontales, alignées sur janvier quand le pas est d'un an ou plus, et la
    dernière valeur écrite au bout de la courbe."""
    fig = _figure(largeur_mm, hauteur_mm)
    ax = fig.add_subplot()
    _axes_sobres(ax)
    x = [_index_mois(m) for m in mois]
    y = [math.nan if v is None else float(v) for v in valeurs]
    montrees = [(a, b) for a, b in zip(x, y, strict=True) if not math.isnan(b)]
    if montrees:
        ax.plot(x, y, color=BLEU, linewidth=1.6, solid_capstyle="round")
        dernier_x, dernier_y = montrees[-1]
        ax.plot([dernier_x], [dernier_y], "o", color=BLEU, markersize=2.8)
        ax.annotate(
            formats.entier(dernier_y),
            (dernier_x, dernier_y),
            xytext=(0, 4),
            textcoords="offset points",
            ha="right",
            va="bottom",
            color=TEXTE,
            fontweight="bold",
        )
        ax.set_ylim(0, max(b for _, b in montrees) * 1.18 or 1)
    else:
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        ax.text(0.5, 0.5, vide, transform=ax.transAxes, ha="center", va="center", color=GRIS)
    if x:
        ax.set_xlim(x[0] - 0.5, x[-1] + 0.5)
        # Une étiquette « janv. 2024 » demande environ 13 mm à 7,5 points : une tous les 16 mm au moins.
        ticks, pas = _graduations(x, max(2, int((largeur_mm - 18) // 16)))
        ax.set_xticks(ticks, [formats.mois_court(date(i // 12, i % 12 + 1, 1)) for i in ticks])
        ax.set_xticks([i for i in x if i % max(1, pas // 4) == 0], minor=True)
        ax.tick_params(axis="x", which="minor", length=1.5, width=0.4)
    if montrees:
        ax.yaxis.set_major_locator(ticker.MaxNLocator(nbins=4, integer=True, min_n_ticks=2))
        ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: formats.entier(v)))
        ax.grid(axis="y", color=GRILLE, linewidth=0.5)
    ax.set_axisbelow(True)
    return _svg(fig)


def barres(
    libelles: Sequence[str],
    valeurs: Sequence[float | None],
    textes: Sequence[str],
    couleurs: Sequence[str],
    *,
    largeur_mm: float,
    hauteur_mm: float,
    vide: str = "Aucune sortie sur la période.",
) -> bytes:
    """Des barres horizontales en SVG, de haut en bas dans l'ordre donné, chacune sous son libellé (écrit
    au-dessus d'elle : un libellé long garde toute la largeur au lieu de tasser les barres) et suivie de son
    texte déjà au format français (« 3 465 », « secret » : une valeur masquée n'a pas de barre)."""
    fig = _figure(largeur_mm, hauteur_mm)
    ax = fig.add_subplot()
    _axes_sobres(ax, garder=("left",) if libelles else ())
    if not libelles:
        ax.text(0.5, 0.5, vide, transform=ax.transAxes, ha="center", va="center", color=GRIS)
    n = len(libelles)
    hauteurs = [0.0 if v is None or math.isnan(v) else float(v) for v in valeurs]
    plus_grande = max(hauteurs, default=0) or 1
    for i, (libelle, hauteur, texte, couleur) in enumerate(zip(libelles, hauteurs, textes, couleurs, strict=True)):
        rang = n - 1 - i
        ax.barh(rang, hauteur, color=couleur, height=0.46)
        ax.text(0, rang + 0.27, f" {libelle}", va="bottom", ha="left", color=GRIS)
        ax.text(hauteur + plus_grande * 0.015, rang, texte, va="center", ha="left", color=TEXTE, fontweight="bold")
    ax.set_xlim(0, plus_grande * 1.16)  # la place du texte de la plus grande barre
    ax.set_ylim(-0.45, n - 0.05)
    ax.set_xticks([])
    ax.set_yticks([])
    return _svg(fig)
