"""Mémoire d'un vrai `streamlit run dashboard.py` après l'ouverture de chaque vue dans un navigateur.

Le serveur est lancé comme en production (headless, sans surveillant de fichiers) sur la base de l'échelle,
par le lanceur des tests navigateur (tests/streamlit_server.py) ; chaque vue est ouverte dans une nouvelle
session par un sous-processus Playwright (benchmarks/navigateur.py, Chromium de Debian). Après chaque vue,
on lit VmHWM (pic de mémoire résidente) et VmRSS dans /proc/PID/status du serveur.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.streamlit_server import VUES, ServerDidNotStart, start_server, stop_server

ROOT = Path(__file__).resolve().parent.parent
NAVIGATEUR = Path(__file__).resolve().parent / "navigateur.py"
CHROMIUM = "/usr/bin/chromium"


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


def _statut(pid: int) -> dict[str, int]:
    """VmHWM et VmRSS en octets."""
    out = {}
    for ligne in Path(f"/proc/{pid}/status").read_text().splitlines():
        cle, _, valeur = ligne.partition(":")
        if cle in ("VmHWM", "VmRSS"):
            out[cle] = int(valeur.split()[0]) * 1024
    return out


def mesure(base: Path, dossier: Path, journal=print, delai_s: float = 300.0) -> dict:
    try:
        serveur, url = start_server(base, dossier, timeout_s=120, log_path=dossier / "streamlit.log")
    except ServerDidNotStart as exc:
        raise ErreurNavigateur("streamlit run n'a pas démarré : " + exc.log[-2000:]) from None
    try:
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
        stop_server(serveur, timeout_s=15)
