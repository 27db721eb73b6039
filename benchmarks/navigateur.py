"""Ouvre une vue dans le Chromium de Debian et attend la fin de son rendu ; imprime une ligne JSON.

Lancé en sous-processus par benchmarks/run.py (un processus par vue) pour que le navigateur ne pèse ni sur
le processus de mesure ni sur le serveur Streamlit dont on lit la mémoire. Jamais `playwright install`.

python benchmarks/navigateur.py URL TITRE [DELAI_S]
"""

from __future__ import annotations

import json
import sys
import time

CHROMIUM = "/usr/bin/chromium"
FINI = """() => document.querySelector("[data-testid='stApp'][data-test-script-state='notRunning']")
               && !document.querySelector("[data-testid='stSkeleton'], [data-testid='stAppSkeleton']")"""


def ouvre(url: str, titre: str, delai_s: float) -> dict:
    from playwright.sync_api import sync_playwright

    delai_ms = delai_s * 1000
    with sync_playwright() as p:
        navigateur = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        try:
            page = navigateur.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
            debut = time.perf_counter()
            page.goto(url)
            page.get_by_role("heading", name=titre, exact=True).first.wait_for(timeout=delai_ms)
            page.wait_for_function(FINI, timeout=delai_ms)
            duree = time.perf_counter() - debut
            page.wait_for_timeout(500)  # un rerun déclenché par la synchronisation de l'URL peut suivre
            page.wait_for_function(FINI, timeout=delai_ms)
            erreurs = page.locator("[data-testid='stException']").all_inner_texts()
        finally:
            navigateur.close()
    return {"secondes": duree, "exceptions": [e[:300] for e in erreurs]}


if __name__ == "__main__":
    url, titre = sys.argv[1], sys.argv[2]
    delai = float(sys.argv[3]) if len(sys.argv) > 3 else 300.0
    print(json.dumps(ouvre(url, titre, delai), ensure_ascii=False))
