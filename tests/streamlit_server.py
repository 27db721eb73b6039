"""Un vrai `streamlit run dashboard.py` sur une base donnée, lancé comme en production (headless, sans
surveillant de fichiers) puis arrêté.

Servi aux tests navigateur (tests/e2e/test_browser.py, tests/store/test_concurrent.py) et à la mesure mémoire des
bancs d'essai (benchmarks/memoire.py). Bibliothèque standard seulement : benchmarks/ l'importe sans
dépendre de pytest ni de Playwright.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Les vues du tableau de bord (dashboard.py) : chemin d'URL → titre affiché.
VUES = {
    "": "Vue d'ensemble",  # la page par défaut est servie à la racine
    "beneficiaires": "Bénéficiaires suivis",
    "diagnostics": "Diagnostics",
    "sorties": "Sorties vers l'emploi",
    "budget": "Budget",
    "comparer": "Comparer les territoires",
    "partenaires": "Partenaires et emploi",
    "actions-collectives": "Actions collectives",
    "freins-reseau": "Freins et réseau",
    "moyens": "Moyens",
    "qualite": "Qualité des données",
    "importer": "Importer",
}


class ServerDidNotStart(RuntimeError):
    """Le serveur s'est arrêté, ou n'a pas répondu à temps ; `log` : ce qu'il a écrit."""

    def __init__(self, log: str) -> None:
        super().__init__("streamlit run n'a pas démarré : " + log)
        self.log = log


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    db_path: Path,
    folder: Path,
    *,
    timeout_s: float = 60,
    log_path: Path | None = None,
    port: int | None = None,
    options: list[str] | None = None,
    env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen, str]:
    """`streamlit run dashboard.py` sur un port libre, base donnée ; rend le processus et l'adresse dès que
    /_stcore/health répond. Le journal du serveur va dans log_path, par défaut folder/streamlit-PORT.log.
    port, options (« --secrets.files … ») et env : pour le test de connexion OIDC (tests/e2e/test_oidc.py)."""
    port = port or free_port()
    log = open(log_path or folder / f"streamlit-{port}.log", "w")  # noqa: SIM115 — fermé par stop_server
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
            *(options or []),
        ],  # fmt: skip
        cwd=ROOT,
        env={**os.environ, "INSERTION_DB": str(db_path), **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log = log  # type: ignore[attr-defined]
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return process, base
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            stop_server(process)
            raise ServerDidNotStart(Path(log.name).read_text())
        time.sleep(0.3)


def stop_server(process: subprocess.Popen, timeout_s: float = 10) -> None:
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.log.close()  # type: ignore[attr-defined]
