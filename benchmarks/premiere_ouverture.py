"""Premier lancement sur la démonstration (issue 16) : où va le temps avant la première page, et combien en
reste-t-il en arrière-plan. Imprime une ligne par étape.

python benchmarks/premiere_ouverture.py [--dossier DOSSIER]

Étapes mesurées, dans un dossier neuf : génération des fichiers ; chargement des fichiers des chiffres du jour
(la base que la première page lit : insertion.demo.construire_demo_en_deux_temps) ; chargement complet, historique
compris, fait en arrière-plan par l'application. La dernière ligne découpe le chargement complet par fonction du
chargeur (cProfile) : lecture, recherche d'identifiants, règles de validation (SQL), écriture.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossier", type=Path, help="dossier de travail (défaut : temporaire)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        dossier = args.dossier or Path(tmp)
        from insertion import demo

        debut = time.perf_counter()
        paths = demo.generer(dossier / demo.DOSSIER_DEMO)
        generation = time.perf_counter() - debut
        premiers = demo.fichiers_premiere_ouverture(paths)
        debut = time.perf_counter()
        demo._charger_et_placer(dossier / "premiere.duckdb", premiers, ".premiere", None)
        premiere = time.perf_counter() - debut
        profil = cProfile.Profile()
        debut = time.perf_counter()
        profil.enable()
        demo._charger_et_placer(dossier / "complete.duckdb", paths, ".construction", None)
        profil.disable()
        complete = time.perf_counter() - debut
    print(f"génération des fichiers : {generation:.1f} s ({len(paths)} fichiers)")
    print(f"chargement des chiffres du jour : {premiere:.1f} s ({len(premiers)} fichiers)")
    print(f"avant la première page : {generation + premiere:.1f} s (plus l'ouverture de la page)")
    print(f"chargement complet, en arrière-plan : {complete:.1f} s ({len(paths)} fichiers)")
    stats = pstats.Stats(profil).stats
    par_fonction = {f"{Path(f).stem}.{nom}": cumul for (f, _, nom), (_, _, _, cumul, _) in stats.items()}
    etapes = {
        "lecture des fichiers": "formats_fichier.lire_table",
        "recherche d'identifiants": "controles.verifier_identifiants",
        "règles de validation (SQL)": "etapes.executer_sql",
        "épisodes courants": "chargement_extraits.remplacer_episodes_courants",
    }
    print(" ; ".join(f"{libelle} {par_fonction.get(cle, 0.0):.1f} s" for libelle, cle in etapes.items()))


if __name__ == "__main__":
    main()
