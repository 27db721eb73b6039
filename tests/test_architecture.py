"""La forme du code reste celle du README (« Architecture ») : les contrats import-linter de pyproject.toml
(les couches du README ; Streamlit seulement dans insertion.present) sont tenus.
Imports dans les fonctions compris : un cycle caché dans une fonction casse aussi le contrat des couches."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _lint_imports(*args: str) -> subprocess.CompletedProcess:
    binaire = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert binaire, "lint-imports introuvable : pip install -r requirements-dev.txt"
    return subprocess.run(
        [binaire, "--no-cache", *args], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )


def test_les_contrats_d_architecture_sont_tenus():
    resultat = _lint_imports()
    assert resultat.returncode == 0, resultat.stdout + resultat.stderr
    assert "0 broken" in resultat.stdout and "2 kept" in resultat.stdout, resultat.stdout


def test_un_import_interdit_est_vu(tmp_path):
    """Le garde-fou mord : un contrat que le code actuel enfreint (le chargeur lit le magasin) est cassé."""
    config = tmp_path / "contrat_faux.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "insertion"\n\n'
        '[[tool.importlinter.contracts]]\nname = "faux"\ntype = "forbidden"\n'
        'source_modules = ["insertion.ingest"]\nforbidden_modules = ["insertion.store"]\n',
        encoding="utf-8",
    )
    resultat = _lint_imports(str(config))
    assert resultat.returncode != 0 and "BROKEN" in resultat.stdout, resultat.stdout
    assert "insertion.ingest.chargement -> insertion.store" in resultat.stdout, resultat.stdout


SOCLE = {"__init__.py", "__main__.py", "contrat.py", "config.py", "formats.py"}
COUCHES = {"store", "ingest", "protect", "indicators", "demo", "figures", "outputs", "present"}


def test_la_racine_du_paquet_ne_tient_que_le_socle_et_les_couches():
    """Un nouveau module va dans sa couche : à la racine, le socle (vocabulaire du contrat, réglages, formats
    français) et un dossier par couche, rien d'autre (un module posé à côté échapperait au contrat des couches)."""
    racine = ROOT / "insertion"
    modules = {p.name for p in racine.glob("*.py")}
    paquets = {p.name for p in racine.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert modules == SOCLE
    assert paquets == COUCHES


def test_aucun_cycle_d_imports():
    """Le contrat des couches laisse passer un cycle à l'intérieur d'une couche (un paquet et ses modules, cachés
    par des imports dans les fonctions) : ici, aucun module n'importe, même de loin, un module qui l'importe."""
    import grimp

    graphe = grimp.build_graph("insertion")
    cycles = sorted(
        f"{a} → {b} → … → {a}"
        for a in graphe.modules
        for b in graphe.find_modules_directly_imported_by(a)
        if graphe.chain_exists(importer=b, imported=a)
    )
    assert cycles == []


PAGE_MAX_LIGNES = 150
# Ce qu'une page ne fait plus (issue 15) : du SQL, le secret statistique, la construction d'une figure.
INTERDITS_DANS_LES_PAGES = {
    "SQL": re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b\s"),
    "secret statistique": re.compile(r"\bsecret\.(proteger|taux_publiable|mediane_publiee|Protege)\b"),
    "figure construite": re.compile(r"\b(go\.[A-Z]\w*\(|px\.\w+\(|make_subplots\(|update_layout\(|add_trace\()"),
}


def test_les_pages_ne_font_que_la_mise_en_page():
    fautes = []
    for page in sorted((ROOT / "pages").glob("*.py")):
        texte = page.read_text(encoding="utf-8")
        if len(texte.splitlines()) > PAGE_MAX_LIGNES:
            fautes.append(f"{page.name} : {len(texte.splitlines())} lignes (au plus {PAGE_MAX_LIGNES})")
        for quoi, motif in INTERDITS_DANS_LES_PAGES.items():
            if motif.search(texte):
                fautes.append(f"{page.name} : {quoi} ({motif.search(texte).group(0).strip()})")
    assert fautes == []


MODULE_MAX_LIGNES = 500


def test_aucun_module_ne_depasse_500_lignes():
    """Un module = une idée qui se nomme : au-delà de 500 lignes, il en tient plusieurs (issue 15)."""
    longueurs = {
        p.relative_to(ROOT).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
        for p in sorted((ROOT / "insertion").rglob("*.py"))
    }
    assert {chemin: n for chemin, n in longueurs.items() if n > MODULE_MAX_LIGNES} == {}
