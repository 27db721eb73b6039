"""Graphiques : contraste et palette lisibles (RGAA), pourcentages « 5 % », graduations qui ne se répètent pas,
courbes d'étincelle sur un axe honnête."""

from __future__ import annotations

import itertools
import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import pytest

from insertion.figures import charts
from insertion.present import ui

ROOT = Path(__file__).resolve().parents[2]

# Simulation des dichromasies de Machado, Oliveira et Fernandes (2009), sévérité 1, en RGB linéaire.
DICHROMASIES = {
    "protanopie": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deutéranopie": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopie": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
    "vision normale": np.eye(3).tolist(),
}
# Écart CIELAB (ΔE 1976) minimal entre deux couleurs de la palette, dans chaque vision. Vers 2,3 un écart
# se devine à peine ; à 10, deux aplats voisins se distinguent nettement. L'Okabe-Ito d'origine tenait 16 ;
# assombrie sans précaution (orange et jaune foncés), elle tombait à 2,8 chez les protanopes.
ECART_MINIMAL = 10


def _lineaire(hexa: str) -> np.ndarray:
    c = np.array([int(hexa[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(rgb_lineaire: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ np.clip(
        rgb_lineaire, 0, 1
    )
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_rapport_de_contraste_wcag_sur_des_couples_connus():
    # Valeurs de référence WCAG : noir/blanc 21:1, blanc/blanc 1:1, #777777 juste sous 4,5:1, #767676 juste dessus.
    assert charts.rapport_contraste("#000000") == pytest.approx(21.0)
    assert charts.rapport_contraste("#FFFFFF") == pytest.approx(1.0)
    assert charts.rapport_contraste("#777777") < 4.5 < charts.rapport_contraste("#767676")
    assert charts.rapport_contraste("#FFFFFF", "#000000") == charts.rapport_contraste("#000000", "#FFFFFF")


@pytest.mark.parametrize("couleur", charts.PALETTE, ids=charts.NOMS_COULEURS)
def test_chaque_couleur_de_trait_ou_de_barre_tient_3_pour_1_contre_le_blanc(couleur):
    assert charts.rapport_contraste(couleur) >= 3.0, couleur


def test_le_gris_des_textes_tient_4_5_pour_1():
    assert charts.rapport_contraste(charts.GRIS_TEXTE) >= 4.5


@pytest.mark.parametrize("vision", list(DICHROMASIES))
def test_les_couleurs_restent_distinguables_par_les_daltoniens(vision):
    matrice = np.array(DICHROMASIES[vision])
    labs = {c: _lab(matrice @ _lineaire(c)) for c in charts.PALETTE}
    ecarts = {(a, b): float(np.linalg.norm(labs[a] - labs[b])) for a, b in itertools.combinations(charts.PALETTE, 2)}
    pire = min(ecarts, key=ecarts.get)
    assert ecarts[pire] >= ECART_MINIMAL, (vision, pire, round(ecarts[pire], 1))


def test_le_theme_streamlit_reprend_la_palette_et_des_textes_secondaires_contrastes():
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
    assert theme["chartCategoricalColors"] == charts.PALETTE
    # Légendes et aides de Streamlit : la couleur du texte à 60 % d'opacité sur fond blanc.
    texte = np.array([int(theme["textColor"][i : i + 2], 16) for i in (1, 3, 5)])
    attenue = "#" + "".join(f"{round(0.6 * v + 0.4 * 255):02X}" for v in texte)
    assert charts.rapport_contraste(attenue) >= 4.5, attenue
    # Baisses en vermillon, hausses en bleu : ce sont aussi des traits (3:1).
    assert charts.rapport_contraste(theme["redColor"]) >= 3.0
    assert charts.rapport_contraste(theme["greenColor"]) >= 3.0


# --- Pourcentages à la française --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("avant", "apres"),
    [(".0%", "$.0%"), (".1%", "$.1%"), ("+.1%", "+$.1%"), ("$.0%", "$.0%"), (",.0f", ",.0f"), ("%b %Y", "%b %Y")],
)
def test_pourcent_a_la_francaise(avant, apres):
    assert charts.pourcent_a_la_francaise(avant) == apres


def test_la_locale_ecrit_le_pourcentage_avec_une_espace_fine():
    # d3 remplace le « % » par le suffixe monétaire quand le format porte « $ » (voir charts.LOCALE_FR).
    assert charts.LOCALE_FR["format"]["currency"] == ["", "\u202f%"]


def test_axes_barre_de_couleur_et_survols_passent_au_format_francais():
    fig = go.Figure(
        [
            go.Bar(x=[0.05, 0.5], y=["a", "b"], orientation="h", hovertemplate="%{y} : %{x:.1%}<extra></extra>"),
            go.Heatmap(z=[[0.1, 0.2]], colorbar={"tickformat": ".0%"}, yaxis="y2"),
        ],
        layout={"xaxis": {"tickformat": ".0%"}, "yaxis2": {"tickformat": ",.0f"}},
    )
    charts.graduations_lisibles(fig)
    assert fig.layout.xaxis.tickformat == "$.0%"
    assert fig.data[0].hovertemplate == "%{y} : %{x:$.1%}<extra></extra>"
    assert fig.data[1].colorbar.tickformat == "$.0%"
    assert fig.layout.yaxis2.tickformat == ",.0f"


# --- Graduations qui ne se répètent pas ------------------------------------------------------------------


def test_petits_effectifs_entiers_gradues_de_un_en_un():
    fig = go.Figure(go.Bar(x=[3, 1, 2], y=["A", "B", "C"], orientation="h"), layout={"xaxis_tickformat": ",d"})
    charts.graduations_lisibles(fig)
    assert (fig.layout.xaxis.dtick, fig.layout.xaxis.tick0) == (1, 0)
    assert fig.layout.yaxis.dtick is None  # l'axe des catégories ne bouge pas


def test_grands_effectifs_laisses_a_plotly():
    fig = go.Figure(go.Bar(x=["A", "B"], y=[120, 4]), layout={"yaxis_tickformat": ",.0f"})
    charts.graduations_lisibles(fig)
    assert fig.layout.yaxis.dtick is None


def test_barres_empilees_comptees_par_leur_total():
    # 6 + 7 = 13 une fois empilées : un pas de 1 ferait 13 graduations, plotly choisit mieux.
    fig = go.Figure(
        [go.Bar(x=["A"], y=[6]), go.Bar(x=["A"], y=[7])], layout={"barmode": "stack", "yaxis_tickformat": ",d"}
    )
    charts.graduations_lisibles(fig)
    assert fig.layout.yaxis.dtick is None
    fig = go.Figure(
        [go.Bar(x=["A"], y=[3]), go.Bar(x=["A"], y=[4])], layout={"barmode": "stack", "yaxis_tickformat": ",d"}
    )
    charts.graduations_lisibles(fig)
    assert fig.layout.yaxis.dtick == 1


def test_graphique_vide_sans_graduations_negatives_ni_repetees():
    fig = go.Figure(go.Bar(x=[], y=[], orientation="h"), layout={"xaxis_tickformat": ",d"})
    charts.graduations_lisibles(fig)
    assert fig.layout.xaxis.dtick == 1 and tuple(fig.layout.xaxis.range) == (0, 1)


def test_pas_fixe_par_la_page_respecte():
    fig = go.Figure(go.Bar(x=["A"], y=[2]), layout={"yaxis": {"tickformat": ",d", "dtick": 5}})
    charts.graduations_lisibles(fig)
    assert fig.layout.yaxis.dtick == 5


def test_quelques_semaines_de_dates_graduees_au_mois():
    fig = go.Figure(
        go.Scatter(x=["2026-09-28", "2026-10-03", "2026-10-31"], y=["ALI01", "ALI02", "ALI03"], mode="markers"),
        layout={"xaxis_tickformat": "%b %Y"},
    )
    charts.graduations_lisibles(fig)
    assert fig.layout.xaxis.dtick == "M1" and fig.layout.xaxis.tick0 == "2026-09-01"
    assert fig.layout.xaxis.ticklabelmode == "period"


def test_plusieurs_annees_de_mois_laissees_a_plotly():
    fig = go.Figure(go.Scatter(x=["2021-01-31", "2026-10-31"], y=[1, 2]), layout={"xaxis_tickformat": "%b %Y"})
    charts.graduations_lisibles(fig)
    assert fig.layout.xaxis.dtick is None


# --- Courbes d'étincelle --------------------------------------------------------------------------------


def test_courbe_d_etincelle_part_de_zero():
    spec = ui.courbe_etincelle([1000.0, 1010.0, 1005.0])
    y = spec["encoding"]["y"]
    assert y["scale"]["zero"] is True and y["scale"]["nice"] is False
    assert [p["valeur"] for p in spec["data"]["values"]] == [1000.0, 1010.0, 1005.0]


def test_courbe_d_etincelle_d_un_taux_sur_une_etendue_fixe():
    spec = ui.courbe_etincelle([33.8, 34.4], etendue=(0, 100))
    assert spec["encoding"]["y"]["scale"]["domain"] == [0, 100]


def test_les_cartes_de_la_vue_d_ensemble_portent_une_courbe_a_partir_de_zero(tmp_path, app_test):
    from tests.indicators.test_synthese import construire_base

    at = app_test(construire_base(tmp_path), "pages/vue_ensemble.py")
    elements = at.get("vega_lite_chart")
    assert elements, "aucune courbe d'étincelle"
    for element in elements:
        echelle = json.loads(element.proto.spec)["encoding"]["y"]["scale"]
        assert echelle.get("zero") is True or "domain" in echelle
    # Streamlit sort les données de la spécification (Arrow) : ce sont les séries des cartes, la file active
    # finit par les 56 personnes suivies à D.
    series = [pa.ipc.open_stream(e.proto.data.data).read_pandas()["valeur"].tolist() for e in elements]
    assert any(s[-1] == 56 for s in series), series


# --- Plus de séries que de couleurs ------------------------------------------------------------------------

NOMS_22 = [f"ALI{i:02d} · Commune {i} – Voisine {i}" for i in range(1, 23)]
MOIS = ["2026-08-31", "2026-09-30", "2026-10-31"]


def _courbes(n: int, empilees: bool = False) -> go.Figure:
    fig = go.Figure(
        [
            # Des colonnes pandas, comme la page : plotly les garde en tableaux numpy (sans valeur de vérité).
            go.Scatter(
                x=pd.Series(pd.to_datetime(MOIS)),
                y=pd.Series([10 * i, 10 * i + 1, 10 * i + 2]),
                name=nom,
                mode="lines",
                stackgroup="g" if empilees else None,
                customdata=[[str(10 * i)]] * 3,
                hovertemplate="%{customdata[0]}<extra></extra>",
            )
            for i, nom in enumerate(NOMS_22[:n], start=1)
        ]  # fmt: skip
    )
    fig.update_layout(xaxis_title="Mois", yaxis_title="Personnes suivies", yaxis_tickformat=",.0f")
    return fig


def test_huit_series_gardent_leurs_couleurs_et_leur_legende():
    fig = _courbes(8)
    assert charts.series_nombreuses(fig) is fig and len(fig.data) == 8


def test_vingt_deux_courbes_en_petits_multiples_nommes():
    fig = charts.series_nombreuses(_courbes(22))
    nommees = [t for t in fig.data if t.name]
    # Un panneau par ALI, titré de son nom court, sa courbe en bleu ; aucune couleur ne sert à deux ALI.
    assert [t.name for t in nommees] == NOMS_22
    assert {t.line.color for t in nommees} == {charts.PALETTE[0]}
    titres = [a.text for a in fig.layout.annotations if a.text != "Mois"]
    assert titres == [f"ALI{i:02d} · Commune {i}" for i in range(1, 23)]
    assert fig.layout.showlegend is False
    # Chaque panneau : sa série (survol conservé) sur les 21 autres en gris, à la même échelle.
    assert list(nommees[4].y) == [50, 51, 52] and nommees[4].customdata[0][0] == "50"
    contexte = fig.data[fig.data.index(nommees[4]) - 1]
    assert contexte.hoverinfo == "skip" and sum(v is None for v in contexte.y) == 21
    references = {fig.layout[a].matches for a in fig.layout if a.startswith("yaxis")}
    assert len(references - {None}) == 1  # tous les axes des ordonnées suivent le même : une seule échelle


def test_vingt_deux_aires_empilees_nommees_au_bout():
    fig = charts.series_nombreuses(_courbes(22, empilees=True))
    assert len(fig.data) == 22 and fig.layout.showlegend is False
    etiquettes = {a.text: a.y for a in fig.layout.annotations}
    assert list(etiquettes) == [f"ALI{i:02d} · Commune {i}" for i in range(1, 23)]
    # Au milieu de son aire au dernier mois : ALI01 (12) de 0 à 12, ALI02 (22) de 12 à 34.
    assert etiquettes["ALI01 · Commune 1"] == 6 and etiquettes["ALI02 · Commune 2"] == 23


# --- Texte des figures à 4,5:1 ------------------------------------------------------------------------------


def test_assombrir_garde_la_teinte_et_atteint_4_5():
    for couleur in charts.PALETTE:
        sombre = charts.assombrir(couleur)
        assert charts.rapport_contraste(sombre) >= 4.5
        # Même teinte : les trois canaux réduits dans la même proportion (à l'arrondi près).
        avant = [int(couleur[i : i + 2], 16) for i in (1, 3, 5)]
        apres = [int(sombre[i : i + 2], 16) for i in (1, 3, 5)]
        rapports = {round(b / a, 1) for a, b in zip(avant, apres, strict=True) if a > 20}
        assert len(rapports) <= 1, (couleur, sombre)
    assert charts.assombrir("#595959") == "#595959"  # déjà lisible : inchangé


def test_graduations_legendes_et_annotations_posees_en_couleur_lisible():
    fig = go.Figure(
        [go.Bar(x=["a"], y=[1], text=["1"], textfont={"color": "#D55E00"}), go.Heatmap(z=[[1]], xaxis="x2")],
        layout={"annotations": [{"text": "Plus récente", "font": {"color": "#D55E00"}}, {"text": "sans couleur"}]},
    )
    charts.textes_lisibles(fig)
    # Posées dans la figure, elles l'emportent sur le gris #808495 (3,7:1) du thème plotly de Streamlit.
    for couleur in (
        fig.layout.font.color,
        fig.layout.xaxis.tickfont.color,
        fig.layout.yaxis.title.font.color,
        fig.layout.xaxis2.tickfont.color,
        fig.layout.legend.font.color,
        fig.data[1].colorbar.tickfont.color,
        fig.layout.annotations[0].font.color,
        fig.data[0].textfont.color,
    ):
        assert charts.rapport_contraste(couleur) >= 4.5, couleur
    assert fig.layout.annotations[1].font.color is None  # hérite de la police de la figure, lisible


def test_une_seule_date_garde_des_graduations_de_mois():
    # Toutes les ALI à jour le même jour (page Qualité) : sans cadre, aucun début de mois dans l'axe.
    fig = go.Figure(go.Scatter(x=["2026-10-31"] * 3, y=["A", "B", "C"]), layout={"xaxis_tickformat": "%b %Y"})
    charts.graduations_lisibles(fig)
    assert fig.layout.xaxis.dtick == "M1"
    debut, fin = fig.layout.xaxis.range
    assert debut < "2026-10-01" and fin > "2026-11-01"


# --- Les barres de taux par ALI portent leurs valeurs ---------------------------------------------------------


def test_barres_par_ali_portent_leur_valeur_sauf_masquee():
    from insertion.figures import diagnostics_figures

    fig = diagnostics_figures.barres_territoires(
        ["ALI01 · Saint-Denis", "ALI04 · La Courneuve", "ALI14 · Clichy-sous-Bois"],
        [0.758, None, 0.679],
        ["a", "b", "c"],
        titre_axe="Taux",
        pourcentage=True,
        reference=0.72,
        libelle_reference="Seine-Saint-Denis : 72,0 %",
        masques=[None, "n.d.", None],
    )
    (barres,) = [t for t in fig.data if t.type == "bar"]
    assert list(barres.text) == ["75,8\u202f%", "", "67,9\u202f%"]
    # Délai médian : en jours, sans décimale quand il est entier.
    fig = diagnostics_figures.barres_territoires(
        ["A", "B"], [33.0, 33.5], ["a", "b"], titre_axe="Jours", pourcentage=False
    )
    assert list(fig.data[0].text) == ["33", "33,5"]


def test_barres_superposees_donnent_leurs_deux_valeurs_en_colonne():
    from insertion.figures import sorties_figures

    fig = sorties_figures.barres_superposees(
        ["ALI01 · Saint-Denis", "ALI04 · La Courneuve"],
        [("Sortie en emploi", [0.141, None], ["a", "b"], charts.PALETTE[4]),
         ("dont emploi durable", [0.079, None], ["a", "b"], charts.PALETTE[2])],
        [(0.14, "Seine-Saint-Denis, emploi : 14,0 %", "dash")],
        titre="Part",
        masques=[None, "n.d."],
    )  # fmt: skip
    textes = {a.y: a.text for a in fig.layout.annotations if a.xref == "paper" and a.yref == "y"}
    # ALI04 masquée : ni barre ni colonne de valeurs (son « n.d. » est écrit à la place de la barre).
    assert textes == {"ALI01 · Saint-Denis": "14,1\u202f% · 7,9\u202f%"}
