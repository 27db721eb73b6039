"""Aucune donnée ne part vers le navigateur en HTML brut (issue 15).

Streamlit échappe le HTML d'un texte (st.markdown, st.caption…) tant que unsafe_allow_html n'est pas vrai : un nom
de fichier importé, une valeur d'extraction, un libellé de la base ou de l'URL (« <script> », « <img onerror> »)
s'affiche alors comme du texte. Les deux seules portes vers du HTML brut sont unsafe_allow_html=… et st.html(…) :
ce test lit le code (arbre syntaxique, pas une recherche de texte, qui manquerait `unsafe_allow_html = True` ou une
variable) et n'admet que st.html sur une constante du module, sans donnée. tests/test_project.py garde en plus
la recherche de texte historique."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def _sources() -> list[Path]:
    return [*(ROOT / "insertion").rglob("*.py"), *(ROOT / "pages").rglob("*.py"), ROOT / "dashboard.py"]


def _constantes_du_module(arbre: ast.Module) -> set[str]:
    """Les noms affectés au niveau du module à un texte fixe (littéral, ou f-string de constantes du module)."""
    noms: set[str] = set()
    for noeud in arbre.body:
        if isinstance(noeud, ast.Assign) and len(noeud.targets) == 1 and isinstance(noeud.targets[0], ast.Name):
            valeur = noeud.value
            fixe = isinstance(valeur, ast.Constant) or (
                isinstance(valeur, ast.JoinedStr)
                and all(
                    isinstance(v, ast.Constant)
                    or (isinstance(v, ast.FormattedValue) and isinstance(v.value, ast.Name) and v.value.id in noms)
                    for v in valeur.values
                )
            )
            if fixe:
                noms.add(noeud.targets[0].id)
    return noms


def _portes_html(chemin: Path) -> list[str]:
    """Les appels qui pourraient rendre une donnée en HTML brut, « fichier:ligne : raison »."""
    arbre = ast.parse(chemin.read_text(encoding="utf-8"))
    constantes = _constantes_du_module(arbre)
    ecarts = []
    for noeud in ast.walk(arbre):
        if not isinstance(noeud, ast.Call):
            continue
        ou = f"{chemin.relative_to(ROOT)}:{noeud.lineno}"
        for mot in noeud.keywords:
            if mot.arg is None:
                continue  # **options : le dictionnaire est vérifié où il est écrit (dict(…) ou {…})
            if mot.arg == "unsafe_allow_html" and not (
                isinstance(mot.value, ast.Constant) and mot.value.value is False
            ):
                ecarts.append(f"{ou} : unsafe_allow_html={ast.unparse(mot.value)}")
        if isinstance(noeud.func, ast.Attribute) and noeud.func.attr == "html":
            argument = noeud.args[0] if noeud.args else None
            if not (isinstance(argument, ast.Name) and argument.id in constantes):
                ecarts.append(f"{ou} : st.html sur {ast.unparse(argument) if argument else '?'}, pas une constante")
    for noeud in ast.walk(arbre):
        if isinstance(noeud, ast.Dict):
            for cle in noeud.keys:
                if isinstance(cle, ast.Constant) and cle.value == "unsafe_allow_html":
                    ecarts.append(f"{chemin.relative_to(ROOT)}:{cle.lineno} : unsafe_allow_html dans un dictionnaire")
    return ecarts


def test_aucun_html_brut_hors_constantes():
    ecarts = [e for chemin in _sources() for e in _portes_html(chemin)]
    assert ecarts == []


def test_le_controle_voit_les_portes_vers_le_html_brut(tmp_path, monkeypatch):
    """Le contrôle lui-même : chaque forme d'un libellé hostile rendu en HTML brut est signalée."""
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    source = tmp_path / "page.py"
    source.write_text(
        "import streamlit as st\n"
        "FIXE = '<span hidden></span>'\n"
        "nom = st.query_params.get('nom', '<img src=x onerror=alert(1)>')\n"
        "st.html(FIXE)\n"  # admis : une constante du module
        "st.markdown(nom)\n"  # admis : Streamlit échappe le HTML
        "st.markdown(f'<b>{nom}</b>', unsafe_allow_html=True)\n"
        "oui = True\n"
        "st.caption(nom, unsafe_allow_html = oui)\n"
        "st.html(f'<p>{nom}</p>')\n"
        "st.markdown(nom, **{'unsafe_allow_html': True})\n"
        "st.write(nom, **dict(unsafe_allow_html=True))\n",
        encoding="utf-8",
    )
    assert sorted(e.split(" : ")[0] for e in _portes_html(source)) == [
        "page.py:10",
        "page.py:11",
        "page.py:6",
        "page.py:8",
        "page.py:9",
    ]
