"""Bout en bout : `streamlit run dashboard.py` sur une base absente, piloté par un vrai Chromium.

Le serveur part sans base : la première page construit la démonstration (comme chez un nouvel
utilisateur), puis chaque vue est ouverte, y compris par un lien profond à froid. Une capture
par vue est gardée dans artifacts/screenshots/ pour qu'une personne puisse les regarder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from insertion import formats
from tests.streamlit_server import VUES, start_server, stop_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"

# Un Chromium et un serveur occupent les deux cœurs : sous xdist, ces tests passent l'un après l'autre
# sur un même worker (groupe « processeur », conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("processeur")]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("Chromium est absent : .ci/run doit l'installer (apt-get install chromium).")
    pytest.skip("Chromium absent (apt-get install chromium) : test navigateur non lancé.", allow_module_level=True)


LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("navigateur")
    db_path = folder / "insertion.duckdb"
    process, base = start_server(db_path, folder)
    try:
        yield base, db_path
    finally:
        stop_server(process)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


def _noter_si_exterieure(page, url: str, origine: str) -> None:
    if not url.startswith((origine, "data:", "blob:")):
        page.requetes_exterieures.append(url)


def open_view(browser, url: str, title: str, timeout_ms: int = 60_000, height: int = 900):
    # Streamlit fait défiler un conteneur interne : une capture « pleine page » exige une fenêtre haute.
    page = browser.new_page(viewport={"width": 1280, "height": height}, locale="fr-FR")
    # Toute requête vers une autre adresse que le serveur (icône, police…) échouerait hors ligne.
    origine = "/".join(url.split("/")[:3])
    page.requetes_exterieures = []
    page.on("request", lambda r: _noter_si_exterieure(page, r.url, origine))
    page.goto(url)
    page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=timeout_ms)
    # Fini : le script ne tourne plus et plus aucun squelette d'élément en attente.
    page.wait_for_function(
        """() => document.querySelector("[data-testid='stApp'][data-test-script-state='notRunning']")
                 && !document.querySelector("[data-testid='stSkeleton'], [data-testid='stAppSkeleton']")""",
        timeout=timeout_ms,
    )
    page.wait_for_timeout(1500)  # les graphiques plotly se dessinent après la fin du script
    page.wait_for_function(
        """() => document.querySelector("[data-testid='stApp'][data-test-script-state='notRunning']")
                 && !document.querySelector("[data-testid='stSkeleton']")""",
        timeout=timeout_ms,
    )
    return page


# axe-core (RGAA) : aucune violation « serious » ou « critical », sauf une, de Streamlit 1.67 lui-même. Sa
# navigation latérale par sections (dashboard.py : « Indicateurs », « Données ») est un
# <ul data-testid="stSidebarNavItems"> dont les enfants sont des <div> (titre de section puis <li>) : axe signale
# « list » sur le <ul> et « listitem » sur chaque <li>. Le balisage est celui du composant SidebarNav de
# Streamlit, qu'une application ne peut pas changer (seul remède : renoncer aux sections). Ces deux règles sont
# donc ignorées pour les seuls éléments de cette navigation ; partout ailleurs dans la page, elles comptent.
REGLES_NAVIGATION_STREAMLIT = {"list", "listitem"}
NAVIGATION_STREAMLIT = "[data-testid='stSidebarNavItems']"


def violations_graves(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    graves = []
    for violation in Axe().run(page).response["violations"]:
        if violation["impact"] not in ("serious", "critical"):
            continue
        noeuds = [
            n["target"]
            for n in violation["nodes"]
            if not (violation["id"] in REGLES_NAVIGATION_STREAMLIT and _dans_la_navigation(page, n["target"]))
        ]
        if noeuds:
            graves.append(f"{violation['id']} ({violation['impact']}) : {violation['help']} — {noeuds[:5]}")
    return graves


def _dans_la_navigation(page, cible: list) -> bool:
    if len(cible) != 1:  # élément dans un cadre (iframe) : jamais la navigation de Streamlit
        return False
    return page.evaluate(
        "([s, nav]) => { const e = document.querySelector(s); return !!(e && e.closest(nav)); }",
        [cible[0], NAVIGATION_STREAMLIT],
    )


def assert_no_exception(page) -> None:
    boxes = page.locator("[data-testid='stException']")
    assert boxes.count() == 0, boxes.first.inner_text()
    assert "Page not found" not in page.inner_text("body")


def test_cold_deep_link_builds_demo_and_opens_the_view(server, browser):
    """Premier contact d'un serveur neuf : un lien profond, base absente. La page doit se suffire."""
    base, db_path = server
    assert not db_path.exists()
    page = open_view(browser, f"{base}/beneficiaires", "Bénéficiaires suivis", timeout_ms=180_000)
    assert_no_exception(page)
    assert db_path.exists()
    assert "Données de démonstration" in page.inner_text("body")
    page.close()


@pytest.mark.parametrize("path", list(VUES), ids=[p or "accueil" for p in VUES])
def test_every_view_opens_without_error(server, browser, path):
    base, db_path = server
    if not db_path.exists():  # la démonstration est construite par le premier test ; ordre non garanti
        open_view(browser, f"{base}/", VUES[""], timeout_ms=180_000).close()
    page = open_view(browser, f"{base}/{path}", VUES[path], height=3600)
    assert_no_exception(page)
    # Page déclarée en français (Streamlit sert lang="en"), rien de chargé hors du serveur (icône comprise).
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert page.requetes_exterieures == []
    icones = page.evaluate("[...document.querySelectorAll('link[rel~=icon]')].map(l => l.href)")
    assert icones and all(i.startswith(base) for i in icones), icones
    assert violations_graves(page) == []
    # Aucun libellé de carte coupé par « … » à 1 280 px : le texte déborde-t-il de sa boîte ?
    coupes = page.evaluate(
        """() => [...document.querySelectorAll("[data-testid='stMetricLabel'] *")]
                 .filter(e => getComputedStyle(e).textOverflow === "ellipsis" && e.scrollWidth > e.clientWidth + 1)
                 .map(e => e.innerText)"""
    )
    assert coupes == [], coupes
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{path or 'vue-ensemble'}.png"), full_page=True)
    page.close()


def _expected_file_active(db_path: Path, ali: str | None = None) -> str:
    from insertion import indicators
    from insertion.store import db
    from insertion.store.requetes import Perimetre

    con = db.ouvrir_en_lecture(db_path)
    try:
        perimetre = Perimetre(alis=(ali,)) if ali else Perimetre()
        return formats.entier(indicators.calculer(con, perimetre=perimetre)["file_active"])
    finally:
        con.close()


def test_home_shows_the_file_active_in_french_format(server, browser):
    base, db_path = server
    page = open_view(browser, f"{base}/", VUES[""], timeout_ms=180_000)
    assert_no_exception(page)
    expected = _expected_file_active(db_path)
    assert "\u202f" in expected  # plus de mille personnes : séparateur de milliers français
    assert expected in page.inner_text("[data-testid='stMetric'] >> nth=0")
    assert "Données au 31 octobre 2026" in page.inner_text("body")
    page.close()


def test_a_link_with_filters_reopens_the_same_view(server, browser):
    base, db_path = server
    page = open_view(browser, f"{base}/?ali=ALI14", VUES[""], timeout_ms=180_000)
    assert_no_exception(page)
    expected = _expected_file_active(db_path, "ALI14")
    assert expected in page.inner_text("[data-testid='stMetric'] >> nth=0")
    assert "ALI14" in page.inner_text("[data-testid='stSidebar']")
    assert "ali=ALI14" in page.url
    page.close()


def test_a_link_keeps_the_choices_of_the_view(server, browser):
    """Les choix qu'un essai avait vus se perdre : la mesure des Diagnostics, l'indicateur de la carte des Sorties et
    l'onglet « Tableau » du classement des Bénéficiaires vont dans l'URL et reviennent quand on rouvre le lien."""
    base, _ = server
    open_view(browser, f"{base}/", VUES[""], timeout_ms=180_000).close()
    page = open_view(browser, f"{base}/diagnostics", VUES["diagnostics"])
    page.get_by_role("radio", name="Délai médian", exact=True).click()
    page.wait_for_function("() => location.search.includes('mesure_diag=')", timeout=30_000)
    lien = page.url
    page.close()
    rouvert = open_view(browser, lien, VUES["diagnostics"])
    actif = rouvert.locator("[role='radio'][aria-checked='true']").all_inner_texts()
    assert "Délai médian" in actif, actif
    rouvert.close()

    for chemin, attendu in (("sorties?indicateur_sortie=Emploi+durable", "Emploi durable"),):
        page = open_view(browser, f"{base}/{chemin}", VUES[chemin.split("?")[0]])
        actif = page.locator("[role='radio'][aria-checked='true']").all_inner_texts()
        assert attendu in actif, actif
        page.close()

    page = open_view(browser, f"{base}/beneficiaires?classement=Tableau", VUES["beneficiaires"])
    onglets = page.locator("[role='tab'][aria-selected='true']").all_inner_texts()
    assert "Tableau" in onglets, onglets
    page.close()
