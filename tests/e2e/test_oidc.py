"""Bout en bout : une vraie connexion OpenID Connect dans Chromium (issue 13).

Un fournisseur d'identité local (`oidc-provider-mock`, paquet de l'index, requirements-dev.txt) porte un
utilisateur par rôle ; `streamlit run dashboard.py` est lancé avec une section [auth] qui pointe vers lui
(`--secrets.files`) et un fichier des rôles de test. Pour chaque rôle, le navigateur clique « Se connecter »,
choisit l'utilisateur sur la page du fournisseur, revient sur l'application par /oauth2callback, puis on
vérifie ce que la navigation montre, qu'Importer reste fermé par lien direct sauf à l'administrateur, et
que « Se déconnecter » ramène à l'accueil de connexion.

Base : ALI14, 12 personnes (extraction du 30 juin 2023) ; pas de démonstration à construire.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import build_db, csv_bytes, lignes

# Le Chromium de Debian, son refus en CI s'il manque, et le navigateur partagé du module : ceux de test_browser.
from tests.e2e.test_browser import browser  # noqa: F401  (fixture)
from tests.streamlit_server import free_port, start_server, stop_server

UTILISATEURS = {
    "admin": {"email": "admin@cg93.fr", "siret": "22930008201453", "role": "administrateur_donnees"},
    "dep": {"email": "dep@cg93.fr", "siret": "22930008201453", "role": "departement"},
    "dir14": {"email": "dir14@ali14.fr", "siret": "12345678900011", "role": "direction_ali"},
    "elu": {"email": "elu@cg93.fr", "siret": "22930008201453", "role": "elu"},
}
LIBELLES = {
    "administrateur_donnees": "Administrateur·rice des données",
    "departement": "Département",
    "direction_ali": "Direction d'ALI",
    "elu": "Élu·e",
}


def _attendre(url: str, process: subprocess.Popen, journal: Path, timeout_s: float = 30) -> None:
    fin = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as reponse:
                if reponse.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > fin or process.poll() is not None:
            process.terminate()
            raise RuntimeError("oidc-provider-mock n'a pas démarré : " + journal.read_text())
        time.sleep(0.3)


@pytest.fixture(scope="module")
def fournisseur(tmp_path_factory):
    """oidc-provider-mock sur un port libre, un utilisateur prédéfini par rôle (claims du jeton d'identité)."""
    dossier = tmp_path_factory.mktemp("oidc")
    port = free_port()
    options = []
    for sub, u in UTILISATEURS.items():
        options += ["--user-claims", json.dumps({"sub": sub, "email": u["email"], "siret": u["siret"]})]
    journal = dossier / "oidc.log"
    with open(journal, "w") as sortie:
        process = subprocess.Popen(
            [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), "--require-nonce", *options],
            stdout=sortie,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _attendre(f"{base}/.well-known/openid-configuration", process, journal)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def serveur(fournisseur, tmp_path_factory):
    dossier = tmp_path_factory.mktemp("oidc-app")
    base_donnees = build_db(dossier / "insertion.duckdb", {"ali14_juin.csv": csv_bytes(lignes(12))})
    roles = dossier / "roles.toml"
    roles.write_text(
        "".join(
            f'[[personne]]\nemail = "{u["email"]}"\nrole = "{u["role"]}"\n'
            + ('ali = "ALI14"\n' if u["role"] == "direction_ali" else "")
            + f'siret = "{u["siret"]}"\n\n'
            for u in UTILISATEURS.values()
        ),
        encoding="utf-8",
    )
    port = free_port()
    secrets = dossier / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "secret-de-test-de-bout-en-bout-assez-long"\n'
        'client_id = "ali93"\n'
        'client_secret = "secret"\n'
        f'server_metadata_url = "{fournisseur}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    process, base = start_server(
        base_donnees,
        dossier,
        port=port,
        options=["--secrets.files", str(secrets)],
        env={"INSERTION_ROLES": str(roles), "INSERTION_AUDIT": str(dossier / "audit.duckdb")},
    )
    try:
        yield base, dossier
    finally:
        stop_server(process)


def _fini(page, timeout_ms: int = 60_000) -> None:
    page.wait_for_function(
        """() => document.querySelector("[data-testid='stApp'][data-test-script-state='notRunning']")
                 && !document.querySelector("[data-testid='stSkeleton'], [data-testid='stAppSkeleton']")""",
        timeout=timeout_ms,
    )
    page.wait_for_timeout(500)


def _connecter(contexte, base: str, sub: str):
    page = contexte.new_page()
    page.goto(base)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/oauth2/authorize**", timeout=30_000)
    page.locator(f"button[name='sub'][value='{sub}']").click()
    page.wait_for_url(f"{base}/**", timeout=30_000)
    page.get_by_text("Connecté·e :").first.wait_for(timeout=60_000)
    _fini(page)
    return page


def _liens_navigation(page) -> list[str]:
    # Le texte d'un lien commence par le nom de son icône Material (« euro », « home ») : le titre est la fin.
    return [t.strip().split("\n")[-1] for t in page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()]


ATTENDUES = {
    "admin": {"Vue d'ensemble", "Comparer les territoires", "Qualité des données", "Importer", "Journal d'audit"},
    "dep": {"Vue d'ensemble", "Comparer les territoires", "Qualité des données"},
    # La direction d'ALI ouvre la page Qualité, réduite à sa seule ALI (test_connexion le vérifie).
    "dir14": {"Vue d'ensemble", "Comparer les territoires", "Budget", "Qualité des données"},
    "elu": {"Vue d'ensemble", "Comparer les territoires"},
}
INTERDITES = {
    "admin": set(),
    "dep": {"Importer", "Journal d'audit"},
    "dir14": {"Importer", "Journal d'audit"},
    "elu": {"Importer", "Journal d'audit", "Qualité des données", "Budget", "Bénéficiaires suivis"},
}


def test_sans_connexion_l_application_ne_montre_que_la_connexion(serveur, browser):  # noqa: F811 (fixture)
    base, _ = serveur
    page = browser.new_page()
    page.goto(base)
    page.get_by_role("button", name="Se connecter").wait_for(timeout=60_000)
    _fini(page)
    assert page.locator("[data-testid='stMetric']").count() == 0
    assert "Mode local" not in page.inner_text("body")
    page.close()


@pytest.mark.parametrize("sub", list(UTILISATEURS))
def test_connexion_oidc_par_role(serveur, browser, sub):  # noqa: F811 (fixture)
    base, _ = serveur
    contexte = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    try:
        page = _connecter(contexte, base, sub)
        corps = page.inner_text("body")
        assert f"{UTILISATEURS[sub]['email']} · {LIBELLES[UTILISATEURS[sub]['role']]}" in corps
        assert "Mode local" not in corps
        assert page.locator("[data-testid='stMetric']").count() > 0  # la vue d'ensemble est servie
        liens = set(_liens_navigation(page))
        assert ATTENDUES[sub] <= liens, liens
        assert not (INTERDITES[sub] & liens), liens

        # Importer par lien direct : seul l'administrateur voit le sélecteur de fichiers.
        page.goto(f"{base}/importer")
        _fini(page)
        uploader = page.locator("[data-testid='stFileUploader']").count()
        assert uploader == (1 if sub == "admin" else 0)

        # Se déconnecter : le cookie est effacé, le fournisseur ferme sa session (RP-Initiated Logout, il
        # demande confirmation), puis retour à l'accueil de connexion de l'application.
        page.goto(base)
        _fini(page)
        page.get_by_role("button", name="Se déconnecter").click()
        page.wait_for_url("**/oauth2/end_session**", timeout=30_000)
        page.get_by_role("button", name="End session").click()
        page.get_by_role("button", name="Se connecter").wait_for(timeout=60_000)
        assert page.url.startswith(base)
    finally:
        contexte.close()
