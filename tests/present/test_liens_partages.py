"""Un lien partagé rouvre la vue telle qu'on l'a laissée : chaque choix qui change ce qu'on voit est dans l'URL.

Trois preuves : aucun widget de pages/ n'échappe à l'URL (lecture du code) ; sur une vraie base (AppTest), un
lien qui porte un choix rouvre la vue avec ce choix ; dans Chromium (tests/e2e/test_browser.py), les choix qu'un
essai avait vus se perdre (la mesure des Diagnostics, la carte des Sorties, l'onglet « Tableau » des
Bénéficiaires) vont dans l'URL quand on les change et reviennent quand on rouvre le lien.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.figures.test_cohortes import fixture_db

ROOT = Path(__file__).resolve().parents[2]
WIDGETS = {
    "segmented_control", "selectbox", "radio", "multiselect", "toggle", "checkbox", "date_input", "text_input",
    "slider", "select_slider", "pills", "tabs", "number_input",
}  # fmt: skip
# Ceux qui tiennent l'URL eux-mêmes, avec leur propre test d'aller-retour.
SYNCHRONISES_A_LA_MAIN = {
    ("comparer.py", "CLE_ALI"): "insertion/present/comparer.py (l'ALI choisie suit le filtre ALI)",
    ("comparer.py", "CLE_INDICATEUR"): "insertion/present/comparer.py",
}


def _widgets_sans_url() -> list[str]:
    manquants = []
    for page in sorted((ROOT / "pages").glob("*.py")):
        for noeud in ast.walk(ast.parse(page.read_text(encoding="utf-8"))):
            if not (isinstance(noeud, ast.Call) and isinstance(noeud.func, ast.Attribute)):
                continue
            if noeud.func.attr not in WIDGETS:
                continue
            options = {k.arg: k.value for k in noeud.keywords}
            cle = ast.unparse(options["key"]) if "key" in options else None
            lie = isinstance(options.get("bind"), ast.Constant) and options["bind"].value == "query-params"
            if not lie and (page.name, cle) not in SYNCHRONISES_A_LA_MAIN:
                manquants.append(f"{page.name}:{noeud.lineno} {noeud.func.attr}(key={cle})")
    return manquants


def test_every_control_of_the_pages_is_in_the_url():
    assert _widgets_sans_url() == []


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return fixture_db(tmp_path_factory.mktemp("liens"))


@pytest.mark.parametrize(
    ("page", "cle", "libelle", "valeur"),
    [
        ("pages/diagnostics.py", "mesure_diag", "Délai médian", "delai_median_j"),
        ("pages/sorties.py", "indicateur_sortie", "Emploi durable", "taux_emploi_durable"),
        ("pages/sorties.py", "pas", "Mois", "mois"),
    ],
)
def test_a_link_reopens_the_view_with_its_choice(base, app_test, page, cle, libelle, valeur):
    """Le lien porte le libellé affiché (« Délai médian ») ; rouvert, le contrôle reprend la valeur choisie."""

    def controle(at):
        return next(w for w in [*at.segmented_control, *at.radio, *at.selectbox] if w.key == cle)

    assert controle(app_test(base, page)).value != valeur
    assert controle(app_test(base, page, query_params={cle: libelle})).value == valeur
