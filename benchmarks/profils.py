"""Profils pour comprendre une mesure de benchmarks/run.py (à lancer après lui : il prépare les bases).

    python benchmarks/profils.py load --scale 1m              # cProfile du chargement (en processus)
    python benchmarks/profils.py query file_active_mensuelle --groupe ali --scale 1m [--ali]
                                                              # EXPLAIN ANALYZE de chaque requête DuckDB lancée
    python benchmarks/profils.py view pages/comparer.py --scale 1m   # cProfile d'un rendu AppTest à froid

Les bases et extractions sont celles du cache (benchmarks/cache/<échelle>/insertion.duckdb).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.vues import silence_streamlit  # noqa: E402

silence_streamlit()

from benchmarks import data, indicateurs, vues  # noqa: E402


def _base(echelle: str) -> Path:
    base = Path(__file__).resolve().parent / "cache" / echelle / "insertion.duckdb"
    if not base.exists():
        sys.exit(f"{base} absent : lancez d'abord python benchmarks/run.py --scales {echelle}")
    return base


def _stats(profil: cProfile.Profile, haut: int) -> str:
    out = io.StringIO()
    for tri in ("cumulative", "tottime"):
        pstats.Stats(profil, stream=out).strip_dirs().sort_stats(tri).print_stats(haut)
    return out.getvalue()


def profile_load(echelle: str, haut: int) -> None:
    from insertion.outputs import cli

    ext = data.extraction(echelle)
    with tempfile.TemporaryDirectory() as dossier:
        profil = cProfile.Profile()
        t = time.perf_counter()
        profil.enable()
        code = cli.main(["load", str(ext.csv), "--db", str(Path(dossier) / "p.duckdb")])
        profil.disable()
        print(f"\nchargement de {ext.csv.name} : code {code}, {time.perf_counter() - t:.1f} s sous cProfile\n")
    print(_stats(profil, haut))


_DETAILS = ("Table", "Join Type", "Conditions", "Groups", "Aggregates", "Function", "Filters", "Partitions")


def _arbre(noeud: dict, profondeur: int = 0) -> list[str]:
    """Une ligne par opérateur : type, lignes produites, temps (somme des fils d'exécution), détails courts."""
    extra = noeud.get("extra_info") or {}
    details = " ; ".join(f"{k}: {extra[k]}" for k in _DETAILS if k in extra)
    lignes = []
    if noeud.get("type") not in ("RESULT_COLLECTOR", "EXPLAIN_ANALYZE"):
        lignes.append(
            f"{'  ' * profondeur}{noeud.get('type', '?'):<22} {noeud.get('intermediate_rows', 0):>10,} lignes "
            f"{noeud.get('timing', 0) * 1000:8.1f} ms  {details[:110]}"
        )
        profondeur += 1
    for enfant in noeud.get("children", []):
        lignes += _arbre(enfant, profondeur)
    return lignes


class _Explique:
    """Curseur qui fait précéder chaque requête d'un EXPLAIN ANALYZE imprimé (arbre compact)."""

    def __init__(self, cur) -> None:
        self._cur = cur

    def execute(self, sql: str, params=None):
        if "duckdb_databases" not in sql and not sql.strip().upper().startswith("USE "):
            ((_, texte),) = self._cur.execute("EXPLAIN (ANALYZE, FORMAT json) " + sql, params).fetchall()
            plan = json.loads(texte)
            t = time.perf_counter()
            self._cur.execute(sql, params).fetchall()
            print(f"(sans profilage : {(time.perf_counter() - t) * 1000:.1f} ms)")
            for racine in plan.get("operator", [plan]):
                print("\n".join(_arbre(racine)))
        return self._cur.execute(sql, params)

    def __getattr__(self, nom):
        return getattr(self._cur, nom)


def profile_query(echelle: str, requete: str, groupe: str | None, variante: str | None, une_ali: bool) -> None:
    from insertion.indicators import filters
    from insertion.store import db, requetes

    cas = [
        c
        for c in indicateurs.tous_les_cas()
        if c.requete == requete
        and (groupe is None or c.groupe == groupe)
        and (variante is None or c.variante == variante)
    ]
    if not cas:
        sys.exit(f"aucun cas pour {requete} {groupe or ''} {variante or ''}")
    con = db.ouvrir_en_lecture(_base(echelle))
    derniere = requetes.date_derniere_extraction(con)
    selection = filters.pour(derniere, ali=[indicateurs.UNE_ALI]) if une_ali else filters.pour(derniere)
    curseur = db.curseur
    db.curseur = lambda c: _Explique(curseur(c))
    try:
        for c in cas[:1]:
            print(f"== {c.nom} ({'ALI14' if une_ali else 'filtres par défaut'}) ==")
            c.sql(con, selection)
    finally:
        db.curseur = curseur
        con.close()


def profile_view(echelle: str, page: str, haut: int) -> None:
    """cProfile du rendu à froid : le script d'AppTest tourne dans un autre fil, profilé lui aussi."""
    import threading

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["INSERTION_DB"] = str(_base(echelle))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=900)
    at.run()
    at.switch_page(page).run()  # échauffement (imports)
    st.cache_data.clear()
    st.cache_resource.clear()
    profils: list[cProfile.Profile] = []
    run = threading.Thread.run

    def run_profile(fil: threading.Thread) -> None:
        profil = cProfile.Profile()
        profils.append(profil)
        profil.enable()
        try:
            run(fil)
        finally:
            profil.disable()

    threading.Thread.run = run_profile
    t = time.perf_counter()
    try:
        at.switch_page(page).run()
    finally:
        threading.Thread.run = run
    print(f"{page} à froid : {time.perf_counter() - t:.2f} s (sous cProfile)")
    vues._verifie(at, page)
    out = io.StringIO()
    stats = pstats.Stats(*profils, stream=out).strip_dirs()
    for tri in ("cumulative", "tottime"):
        stats.sort_stats(tri).print_stats(haut)
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("quoi", choices=["load", "query", "view"])
    parser.add_argument("nom", nargs="?", help="requête (query) ou page (view)")
    parser.add_argument("--scale", default="1m", choices=list(data.ECHELLES))
    parser.add_argument("--groupe")
    parser.add_argument("--variante")
    parser.add_argument("--ali", action="store_true", help=f"filtre une ALI ({indicateurs.UNE_ALI})")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    if args.quoi == "load":
        profile_load(args.scale, args.top)
    elif args.quoi == "query":
        profile_query(args.scale, args.nom, args.groupe, args.variante, args.ali)
    else:
        profile_view(args.scale, args.nom or "pages/vue_ensemble.py", args.top)


if __name__ == "__main__":
    main()
