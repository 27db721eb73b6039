"""Mémoire d'un vrai `streamlit run dashboard.py` après l'ouverture de chaque vue dans un navigateur.

Le serveur est lancé comme en production (headless, sans surveillant de fichiers) sur la base de l'échelle ;
chaque vue est ouverte dans une nouvelle session par un sous-processus Playwright (benchmarks/navigateur.py,
Chromium de Debian). Après chaque vue, on lit VmHWM (pic de mémoire résidente) et VmRSS dans
/proc/PID/status du serveur.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAVIGATEUR = Path(__file__).resolve().parent / "navigateur.py"
CHROMIUM = "/usr/bin/chromium"

# chemin d'URL → titre (la page par défaut est servie à la racine)
VUES = {
    "": "Vue d'ensemble",
    "beneficiaires": "Bénéficiaires suivis",
    "diagnostics": "Diagnostics",
    "sorties": "Sorties vers l'emploi",
    "budget": "Budget",
    "comparer": "Comparer les territoires",
    "qualite": "Qualité des données",
    "importer": "Importer",
}


class ErreurNavigateur(RuntimeError):
    pass


def disponible() -> str | None:
    """None si la mesure est possible, sinon la raison."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} absent (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright absent (pip install -r requirements-dev.txt)"
    return None


def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _statut(pid: int) -> dict[str, int]:
    """VmHWM et VmRSS en octets."""
    out = {}
    for ligne in Path(f"/proc/{pid}/status").read_text().splitlines():
        cle, _, valeur = ligne.partition(":")
        if cle in ("VmHWM", "VmRSS"):
            out[cle] = int(valeur.split()[0]) * 1024
    return out


def mesure(base: Path, dossier: Path, journal=print, delai_s: float = 300.0) -> dict:
    port = _port_libre()
    url = f"http://127.0.0.1:{port}"
    log_path = dossier / "streamlit.log"
    with open(log_path, "w") as log:
        serveur = subprocess.Popen(
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
            ],  # fmt: skip
            cwd=ROOT,
            env={**os.environ, "INSERTION_DB": str(base)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            debut = time.perf_counter()
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reponse:
                        if reponse.status == 200:
                            break
                except OSError:
                    pass
                if serveur.poll() is not None or time.perf_counter() - debut > 120:
                    raise ErreurNavigateur("streamlit run n'a pas démarré : " + log_path.read_text()[-2000:])
                time.sleep(0.3)
            depart = _statut(serveur.pid)
            vues = {}
            for chemin, titre in VUES.items():
                r = subprocess.run(
                    [sys.executable, str(NAVIGATEUR), f"{url}/{chemin}", titre, str(delai_s)],
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    timeout=delai_s + 60,
                )
                if r.returncode != 0:
                    raise ErreurNavigateur(f"vue /{chemin} : {r.stderr.strip()[-2000:]}")
                rendu = json.loads(r.stdout.strip().splitlines()[-1])
                if rendu["exceptions"]:
                    raise ErreurNavigateur(f"vue /{chemin} : exception affichée {rendu['exceptions']}")
                statut = _statut(serveur.pid)
                vues[chemin or "/"] = {"secondes": rendu["secondes"], **statut}
                journal(
                    f"/{chemin} : {rendu['secondes']:.1f} s, VmRSS {statut['VmRSS'] / 2**20:.0f} Mio, "
                    f"VmHWM {statut['VmHWM'] / 2**20:.0f} Mio"
                )
            return {"depart": depart, "vues": vues, "VmHWM": _statut(serveur.pid)["VmHWM"]}
        finally:
            serveur.terminate()
            try:
                serveur.wait(timeout=15)
            except subprocess.TimeoutExpired:
                serveur.kill()
                serveur.wait()
