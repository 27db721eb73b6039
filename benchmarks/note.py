"""La note de synthèse PDF : combien de temps pour une ALI et pour le département, sur la démonstration.

    python benchmarks/note.py                      # base de démonstration construite une fois dans cache/
    python benchmarks/note.py --repeat 5 --ali ALI08
    python benchmarks/note.py --db CHEMIN --repeat 1  # une base existante (le test de fumée le fait)

Deux mesures, chacune pour l'ALI puis pour le département (filtres par défaut : orientations depuis le
1er janvier 2023, D = dernière extraction) :
- **dans un processus** : un processus neuf importe ce que l'application a déjà chargé (insertion.outputs.briefing),
  puis fait `--repeat` notes d'affilée. La première paie les imports propres à la note (matplotlib, fpdf2,
  les polices) comme le premier clic sur le bouton « Note de synthèse » ; la médiane de toutes est ce
  qu'attend un élu qui clique (cible de l'issue 11 : ≤ 2 s pour une ALI, ≤ 4 s pour le département) ;
- **ligne de commande à froid** : `python -m insertion briefing … --out note.pdf` dans un processus neuf,
  interpréteur et tous les imports compris (médiane de `--repeat`).

Chaque PDF est relu (pypdf) : une page, le territoire, aucun mot de Chromium. Un banc d'essai, pas un test :
le code de sortie ne dépend que des erreurs, jamais des temps.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import data  # noqa: E402
from benchmarks.run import enfant  # noqa: E402

CIBLES_S = {"ali": 2.0, "departement": 4.0}

# Le processus de mesure : imports de l'application, puis les notes une à une (temps de chacune en JSON).
MESURE = """
import io, json, sys, time
t = time.perf_counter()
from insertion.outputs import briefing
from insertion.indicators import filters
from insertion.store import db
from insertion.store import requetes
import_app = time.perf_counter() - t
con = db.ouvrir_en_lecture(sys.argv[1])
derniere = requetes.date_derniere_extraction(con)
selection = filters.pour(derniere, ali=[sys.argv[2]]) if sys.argv[2] != "-" else filters.pour(derniere)
durees, pdf = [], b""
for _ in range(int(sys.argv[3])):
    t = time.perf_counter()
    pdf = briefing.note_pdf(con, selection)
    durees.append(time.perf_counter() - t)
con.close()
with open(sys.argv[4], "wb") as f:
    f.write(pdf)
print(json.dumps({"import_app": import_app, "durees": durees, "territoire": selection.territoire}))
"""


def base_demo() -> Path:
    """La démonstration complète (300 fichiers, budget, bandeau), construite une fois par insertion.demo."""
    base = data.CACHE / "note" / "demo.duckdb"
    with data.verrou("note"):
        if not base.exists():
            from insertion.demo import construire_demo

            t = time.perf_counter()
            construire_demo(base)
            print(f"[données] démonstration construite dans {base} ({time.perf_counter() - t:.0f} s)", flush=True)
    return base


def verifie_pdf(chemin: Path, territoire: str) -> None:
    import pypdf

    lecteur = pypdf.PdfReader(str(chemin))
    texte = "\n".join(page.extract_text() for page in lecteur.pages)
    if len(lecteur.pages) != 1 or territoire not in texte or "Chromium" in texte:
        raise RuntimeError(f"{chemin.name} : note inattendue ({len(lecteur.pages)} pages, territoire absent ?)")


def s(secondes: float) -> str:
    return f"{secondes:.2f}".replace(".", ",") + " s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="base à résumer (par défaut : la démonstration, dans cache/)")
    parser.add_argument("--ali", default="ALI08", help="l'ALI mesurée (ALI08, Montreuil, par défaut)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    base = args.db or base_demo()
    repeat = max(args.repeat, 1)
    print(f"Note de synthèse sur {base} ; {platform.processor() or platform.machine()}, {os.cpu_count()} cœurs, "
          f"charge {os.getloadavg()[0]:.1f} ; {repeat} note(s) par mesure", flush=True)  # fmt: skip
    lignes, resultats = [], {}
    with tempfile.TemporaryDirectory() as dossier:
        for cle, code in (("ali", args.ali), ("departement", "-")):
            sortie = Path(dossier) / f"{cle}.pdf"
            r = subprocess.run(
                [sys.executable, "-c", MESURE, str(base), code, str(repeat), str(sortie)],
                cwd=ROOT, capture_output=True, text=True, timeout=600,
            )  # fmt: skip
            if r.returncode != 0:
                print(r.stdout[-2000:] + r.stderr[-2000:])
                return 1
            mesure = json.loads(r.stdout.strip().splitlines()[-1])
            verifie_pdf(sortie, mesure["territoire"])
            froid = []
            for _ in range(repeat):
                commande = [sys.executable, "-m", "insertion", "briefing", "--db", str(base), "--out", str(sortie)]
                e = enfant(commande + (["--ali", code] if code != "-" else []))
                if e["code"] != 0:
                    print(e["sortie"][-2000:])
                    return 1
                froid.append(e["secondes"])
            verifie_pdf(sortie, mesure["territoire"])
            mediane = statistics.median(mesure["durees"])
            cible = CIBLES_S[cle]
            resultats[cle] = {**mesure, "ligne_de_commande": froid, "mediane": mediane}
            lignes.append(
                f"| {mesure['territoire']} | {s(mesure['durees'][0])} | {s(mediane)} | "
                f"{s(statistics.median(froid))} | ≤ {s(cible)} : {'atteinte' if mediane <= cible else 'manquée'} |"
            )
    print()
    print("| note | première note (imports de la note compris) | médiane dans un processus | "
          "ligne de commande à froid (médiane) | cible |")  # fmt: skip
    print("|---|---|---|---|---|")
    print("\n".join(lignes))
    print(f"\nImports de l'application avant la première note : {s(resultats['ali']['import_app'])}.")
    print(json.dumps(resultats, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
