"""Ce que coûtent les clés de cellule (issue 12) : chargement et requêtes, avec et sans clés.

    python benchmarks/cles.py --scale 1m --repeat 3

Chargement : `charger_fichiers` d'une extraction de l'échelle (benchmarks/data.py) sur une base neuve, dans un
processus neuf, en alternance avec et sans clés. « Sans clés » : le même chargeur, la colonne cle_personne
laissée vide (l'expression HMAC remplacée par NULL, `cles.preparer` neutralisé) ; l'écart est donc le prix du
HMAC au chargement et rien d'autre.

Requêtes : chaque fichier de queries/ qui rend des clés, sur la base chargée avec clés, avec les filtres du
tableau de bord par défaut (département et par ALI), médiane de --runs exécutions. « Avec clés » :
`requetes.executer(…, avec_cles=True)` ; « sans clés » : la même requête dont on ne lit que les colonnes hors
`cle_*` (`SELECT colonnes FROM (requête)`) : DuckDB élague les agrégats non lus, ce qui revient à la requête
d'avant les clés. Un banc d'essai, pas un test : rien n'y échoue sur un temps.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import data  # noqa: E402
from benchmarks.run import enfant, supprime_base  # noqa: E402

_EXPRESSION_CLE = "cle_hmac('p|' || v.id_beneficiaire, $ipad, $opad)"
# Garde les paramètres liés cités (DuckDB refuse un paramètre fourni que la requête ne cite pas) ; vaut NULL.
_SANS_CLE = "CAST(CASE WHEN $ipad IS NULL AND $opad IS NULL THEN 0 END AS UINTEGER)"

REQUETES = (
    "file_active", "file_active_mensuelle", "entrees_sorties", "entrees_sorties_mensuelles", "repartition_profil",
    "sorties_par_motif", "niveaux_diagnostic", "taux_diagnostic_90j", "taux_diagnostic_cohortes",
    "taux_sortie_emploi_12m", "taux_sortie_emploi_cohortes", "taux_fins_de_mois", "parcours_cohorte",
)  # fmt: skip


def charger(base: Path, fichier: Path, sans_cles: bool) -> int:
    """Processus enfant : un chargement, avec ou sans clés."""
    from insertion.ingest import chargement as loader
    from insertion.store import cles

    if sans_cles:
        assert _EXPRESSION_CLE in loader._INSERT_COURANT, "le chargeur a changé : mettre à jour benchmarks/cles.py"
        loader._INSERT_COURANT = loader._INSERT_COURANT.replace(_EXPRESSION_CLE, _SANS_CLE)
        cles.preparer = lambda con, **_: False
    resultats = loader.charger_fichiers(base, [fichier])
    refuses = [r.message for r in resultats if r.status != "loaded"]
    if refuses:
        print(" | ".join(refuses))
        return 1
    return 0


def _parametres(nom: str, groupe: str, d: date) -> dict:
    from insertion.store import requetes
    from insertion.store.requetes import Perimetre, Periode

    valeurs = {
        "groupe": groupe,
        **Periode(d, debut=date(2023, 1, 1), fin=d).parametres(),
        **Perimetre().parametres(),
        "diagnostic": "numerique",
        "dimension": "tranche_age",
        "pas": "mois",
        "dates": [date(d.year, m, 1) for m in range(1, d.month + 1)],
    }
    return {p: valeurs[p] for p in requetes.noms_parametres(requetes.texte_sql(nom))}


def recalcul(base: Path) -> float:
    """Durée du recalcul de toutes les clés d'une base chargée (ce que paient une migration et un changement
    de sel), sur une copie jetée ensuite."""
    import shutil

    import duckdb

    from insertion.store import cles

    copie = base.with_name(base.name + ".recalcul")
    supprime_base(copie)
    shutil.copyfile(base, copie)
    try:
        con = duckdb.connect(str(copie))
        try:
            con.execute("SET enable_progress_bar = false")
            t = time.perf_counter()
            cles.preparer(con, tout_recalculer=True)
            return time.perf_counter() - t
        finally:
            con.close()
    finally:
        supprime_base(copie)


def mesurer_requetes(base: Path, runs: int) -> list[tuple[str, str, float, float]]:
    from insertion.store import db, requetes

    con = db.ouvrir_en_lecture(base)
    try:
        d = requetes.date_observation(con)
        lignes = []
        for nom in REQUETES:
            for groupe in ("departement", "ali"):
                params = _parametres(nom, groupe, d)
                sql = requetes.texte_sql(nom)
                colonnes = [c for c in requetes.executer(con, nom, **params).columns]
                sans = f"SELECT {', '.join(colonnes)} FROM ({sql.rstrip().rstrip(';')}) AS q"
                avec_s, sans_s = [], []
                for _ in range(runs):  # en alternance : la charge de la machine pèse autant sur les deux
                    t = time.perf_counter()
                    requetes.executer(con, nom, avec_cles=True, **params)
                    avec_s.append(time.perf_counter() - t)
                    cur = db.curseur(con)
                    t = time.perf_counter()
                    cur.execute(sans, params).df()
                    sans_s.append(time.perf_counter() - t)
                    cur.close()
                lignes.append((nom, groupe, statistics.median(sans_s), statistics.median(avec_s)))
        return lignes
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(data.ECHELLES), default="1m")
    parser.add_argument("--repeat", type=int, default=3, help="chargements de chaque sorte")
    parser.add_argument("--runs", type=int, default=5, help="exécutions de chaque requête")
    parser.add_argument("--charger", nargs=2, metavar=("BASE", "FICHIER"), help=argparse.SUPPRESS)
    parser.add_argument("--sans-cles", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.charger:
        return charger(Path(args.charger[0]), Path(args.charger[1]), args.sans_cles)

    ext = data.extraction(args.scale)
    durees: dict[str, list[float]] = {"sans clés": [], "avec clés": []}
    bases = {sorte: data.CACHE / f"cles-{args.scale}-{i}.duckdb" for i, sorte in enumerate(durees)}
    for _ in range(args.repeat):
        for sorte, base in bases.items():
            supprime_base(base)
            commande = [sys.executable, str(Path(__file__).resolve()), "--charger", str(base), str(ext.csv)]
            r = enfant(commande + (["--sans-cles"] if sorte == "sans clés" else []))
            if r["code"] != 0:
                print(r["sortie"][-2000:])
                return 1
            durees[sorte].append(r["secondes"])
    lignes = f"{ext.lignes:,}".replace(",", "\u202f")
    print(f"\nChargement de {lignes} lignes ({args.scale}), en alternance, {args.repeat} fois chacun (s) :")
    print("| répétition | sans clés | avec clés | écart |\n|---|---|---|---|")
    ecarts = []
    for i, (sans, avec) in enumerate(zip(durees["sans clés"], durees["avec clés"], strict=True), 1):
        ecarts.append(avec - sans)
        print(f"| {i} | {sans:.2f} | {avec:.2f} | {avec - sans:+.2f} |")
    sans_m, avec_m = statistics.median(durees["sans clés"]), statistics.median(durees["avec clés"])
    print(f"| médiane | {sans_m:.2f} | {avec_m:.2f} | {statistics.median(ecarts):+.2f} (médiane des écarts) |")
    print(f"Recalcul de toutes les clés (migration, changement de sel) : {recalcul(bases['avec clés']):.2f} s")

    print(f"\nRequêtes sur la base avec clés, médiane de {args.runs} exécutions (ms) :")
    print("| requête | groupe | sans clés | avec clés | écart |\n|---|---|---|---|---|")
    total_sans = total_avec = 0.0
    for nom, groupe, sans_s, avec_s in mesurer_requetes(bases["avec clés"], args.runs):
        total_sans, total_avec = total_sans + sans_s, total_avec + avec_s
        print(f"| {nom} | {groupe} | {sans_s * 1000:.0f} | {avec_s * 1000:.0f} | {(avec_s - sans_s) * 1000:+.0f} |")
    ecart_ms = (total_avec - total_sans) * 1000
    print(f"| **total** | | {total_sans * 1000:.0f} | {total_avec * 1000:.0f} | {ecart_ms:+.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
