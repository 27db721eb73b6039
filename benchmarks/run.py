"""Banc d'essai à l'échelle nationale : une commande, un tableau par échelle (voir benchmarks/README.md).

    python benchmarks/run.py                 # 100k et 1m, médiane de 5 après un échauffement
    python benchmarks/run.py --10m           # ajoute 10m (~1,5 Go de CSV, mis en cache)
    python benchmarks/run.py --scales 1m --repeat 3
    python benchmarks/run.py --smoke         # CI : 100k, une répétition, sans navigateur

Mesure, pour chaque échelle, dans la même exécution :
- chargement : `python -m insertion load FICHIER --db BASE` (base neuve à chaque fois) à côté d'un
  `CREATE TABLE t AS SELECT * FROM read_csv(FICHIER, all_varchar=true)` nu du même fichier ;
- chaque requête de queries/ avec les filtres par défaut du tableau de bord et avec une ALI, à côté de sa
  version pandas (benchmarks/reference.py), dont le résultat doit être égal ;
- chaque vue rendue par AppTest, à froid et à chaud ;
- la mémoire d'un vrai `streamlit run` après l'ouverture de chaque vue dans Chromium, et la taille de la base.

Écrit benchmarks/results-<échelle>.json. Ce n'est pas un test chronométré : le code de sortie ne dépend que
des erreurs (refus de chargement, résultat pandas différent du SQL, exception d'une vue), jamais des temps.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.vues import silence_streamlit  # noqa: E402

silence_streamlit()

from benchmarks import data, indicateurs, memoire, reference, vues  # noqa: E402

DOSSIER = Path(__file__).resolve().parent
CIBLE_CHARGEMENT = 0.5  # débit du chargeur / débit de DuckDB nu
CIBLE_RAPPORT_PANDAS = 5.0  # la requête SQL au moins 5 fois plus rapide que pandas
CIBLES_MS = {"100k": 50.0, "1m": 50.0, "10m": 300.0}
# Vues (AppTest) : (à chaud, à froid) en secondes ; à 10m, seule la vue à chaud a une cible.
CIBLES_VUES_S = {"100k": (0.3, 1.5), "1m": (0.3, 1.5), "10m": (1.0, None)}
CIBLE_MEMOIRE_MIO = 600  # pic de mémoire de l'application à 10m (Mo de l'issue, lus ici en Mio : plus strict)
PLAFOND_PANDAS_S = 5.0  # une référence pandas plus lente que cela (10 M) n'est mesurée que 3 fois
NU = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("SET enable_progress_bar = false")
con.execute("CREATE TABLE t AS SELECT * FROM read_csv($f, all_varchar=true)", {"f": sys.argv[2]})
n = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
con.close()
print(n)
"""


def journal(message: str) -> None:
    print(f"  {message}", flush=True)


# --- machine -----------------------------------------------------------------------------------------------


def machine() -> dict:
    modele = "inconnu"
    try:
        for ligne in Path("/proc/cpuinfo").read_text().splitlines():
            if ligne.startswith("model name"):
                modele = ligne.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    except OSError:
        nproc = ""
    nproc = nproc or str(len(os.sched_getaffinity(0)))
    import duckdb
    import pandas
    import streamlit

    memoire_totale = None
    try:
        for ligne in Path("/proc/meminfo").read_text().splitlines():
            if ligne.startswith("MemTotal:"):
                memoire_totale = int(ligne.split()[1]) * 1024
    except OSError:
        pass
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": nproc,
        "cpu": modele,
        "memoire_octets": memoire_totale,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pandas.__version__,
        "streamlit": streamlit.__version__,
    }


# --- outils de mesure --------------------------------------------------------------------------------------


class Charge:
    """CPU consommé par les autres processus de la machine pendant une phase (en cœurs, moyenne).

    Sur une machine partagée (2 cœurs), un test lancé à côté divise par deux ce que DuckDB obtient de ses
    deux fils d'exécution : on l'écrit à côté des temps, pour savoir comment les lire."""

    def __init__(self) -> None:
        self.debut = (time.perf_counter(), self._systeme(), self._nous())

    @staticmethod
    def _systeme() -> float:
        champs = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in champs[:8])
        return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _nous() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def fin(self) -> float:
        t0, s0, n0 = self.debut
        duree = time.perf_counter() - t0
        return max(0.0, ((self._systeme() - s0) - (self._nous() - n0)) / duree) if duree > 0 else 0.0


def sonde_duckdb() -> dict:
    """Gain des 2 fils de DuckDB (temps à 1 fil / temps à 2 fils) sur une agrégation de référence : ≈ 1,3–1,8 quand
    les deux cœurs sont libres ; ≤ 1 quand un autre processus en occupe un (les deux fils se gênent)."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE t AS SELECT hash(i) % 1000003 AS k FROM range(4000000) AS r(i)")
        sql = "SELECT count(DISTINCT k) FROM t"
        temps = {}
        for fils in (1, 2):
            con.execute({1: "SET threads = 1", 2: "SET threads = 2"}[fils])
            temps[fils], _, _ = chrono(lambda: con.execute(sql).fetchall(), 5, 1)
    finally:
        con.close()
    return {"un_fil_ms": temps[1] * 1000, "deux_fils_ms": temps[2] * 1000, "efficacite": temps[1] / temps[2]}


def chrono(fonction, repetitions: int, echauffement: int, plafond_s: float | None = None):
    """(médiane en s, tous les temps, dernier résultat) ; l'échauffement n'est pas compté.

    plafond_s : si l'échauffement dépasse cette durée, 3 répétitions au plus (références pandas à 10 M)."""
    resultat = None
    for _ in range(echauffement):
        t = time.perf_counter()
        resultat = fonction()
        if plafond_s is not None and time.perf_counter() - t > plafond_s:
            repetitions = min(repetitions, 3)
    temps = []
    for _ in range(repetitions):
        t = time.perf_counter()
        resultat = fonction()
        temps.append(time.perf_counter() - t)
    return statistics.median(temps), temps, resultat


def enfant(commande: list[str], env: dict | None = None) -> dict:
    """Lance un processus et rend sa durée, son temps CPU (user + sys), son pic de mémoire et sa sortie."""
    with tempfile.TemporaryFile("w+") as sortie:
        t = time.perf_counter()
        p = subprocess.Popen(commande, cwd=ROOT, env=env, stdout=sortie, stderr=subprocess.STDOUT)
        _, statut, usage = os.wait4(p.pid, 0)
        duree = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(statut)
        sortie.seek(0)
        texte = sortie.read()
    return {
        "secondes": duree,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "pic_octets": usage.ru_maxrss * 1024,
        "code": p.returncode,
        "sortie": texte,
    }


def rechauffe_fichier(chemin: Path) -> None:
    """Lit le fichier une fois : les deux chargements partent du cache de pages du système."""
    with open(chemin, "rb") as f:
        while f.read(1 << 24):
            pass


def supprime_base(chemin: Path) -> None:
    for suffixe in ("", ".wal", ".verrou", ".chargement", ".chargement.wal"):
        Path(str(chemin) + suffixe).unlink(missing_ok=True)


# --- chargement --------------------------------------------------------------------------------------------


def mesure_chargement(ext: data.Extraction, travail: Path, repetitions: int) -> tuple[dict, Path]:
    """Chargeur du projet et DuckDB nu, en alternance ; rend aussi une base chargée (la dernière)."""
    from insertion import config

    env = dict(os.environ)
    # Limites d'un fichier reçu (insertion/config.py : 200 Mo, 5 M lignes) : relevées pour 10m seulement.
    if ext.csv.stat().st_size > config.taille_max_mo() * 10**6 or ext.lignes > config.lignes_max():
        env["INSERTION_TAILLE_MAX_MO"] = str(ext.csv.stat().st_size // 10**6 + 100)
        env["INSERTION_LIGNES_MAX"] = str(ext.lignes + 1)
    rechauffe_fichier(ext.csv)
    nu, projet = [], []
    base = travail / "projet.duckdb"
    for i in range(repetitions):
        base_nue = travail / "nu.duckdb"
        supprime_base(base_nue)
        r = enfant([sys.executable, "-c", NU, str(base_nue), str(ext.csv)])
        if r["code"] != 0 or int(r["sortie"].split()[-1]) != ext.lignes:
            raise RuntimeError(f"DuckDB nu : {r['sortie'][-2000:]}")
        nu.append(r)
        supprime_base(base_nue)
        supprime_base(base)
        r = enfant([sys.executable, "-m", "insertion", "load", str(ext.csv), "--db", str(base), "--json"], env)
        if r["code"] != 0:
            raise RuntimeError(f"chargement refusé : {r['sortie'][-3000:]}")
        (res,) = json.loads(r["sortie"][r["sortie"].index("[") :])
        if res["status"] != "loaded" or res["accepted"] != ext.acceptees or res["rows_read"] != ext.lignes:
            raise RuntimeError(f"chargement inattendu : {res}")
        projet.append(r)
        journal(
            f"chargement {i + 1}/{repetitions} : projet {r['secondes']:.1f} s (CPU {r['cpu_s']:.1f} s), "
            f"DuckDB nu {nu[-1]['secondes']:.2f} s"
        )

    def resume(mesures: list[dict]) -> dict:
        s = statistics.median(m["secondes"] for m in mesures)
        return {
            "secondes": s,
            "lignes_par_s": ext.lignes / s,
            "cpu_s": statistics.median(m["cpu_s"] for m in mesures),
            "pic_octets": max(m["pic_octets"] for m in mesures),
            "tous_s": [m["secondes"] for m in mesures],
        }

    resultat = {"repetitions": repetitions, "lignes": ext.lignes, "projet": resume(projet), "duckdb_nu": resume(nu)}
    resultat["rapport"] = resultat["projet"]["lignes_par_s"] / resultat["duckdb_nu"]["lignes_par_s"]
    resultat["atteint"] = resultat["rapport"] >= CIBLE_CHARGEMENT
    return resultat, base


def prepare_base(base_chargee: Path, ext: data.Extraction, travail: Path) -> Path:
    """La base servie aux requêtes et à l'application : l'extraction plus le budget de la démonstration."""
    servie = travail / "insertion.duckdb"
    supprime_base(servie)
    shutil.move(base_chargee, servie)
    r = enfant([sys.executable, "-m", "insertion", "load", str(ext.budget), "--db", str(servie)])
    if r["code"] != 0:
        raise RuntimeError(f"budget refusé : {r['sortie'][-2000:]}")
    return servie


# --- requêtes ----------------------------------------------------------------------------------------------


def mesure_requetes(base: Path, echelle: str, repetitions: int, echauffement: int, erreurs: list) -> dict:
    from insertion.indicators import filters
    from insertion.store import db, requetes

    con = db.ouvrir_en_lecture(base)
    try:
        derniere = requetes.date_derniere_extraction(con)
        t = time.perf_counter()
        donnees = reference.Donnees.lire(con)
        lecture = time.perf_counter() - t
        journal(f"épisodes lus dans un DataFrame pandas : {len(donnees.episodes):,} lignes en {lecture:.1f} s")
        selections = {
            "defaut": filters.pour(derniere),
            indicateurs.UNE_ALI: filters.pour(derniere, ali=[indicateurs.UNE_ALI]),
        }
        lignes = []
        for cas in indicateurs.tous_les_cas():
            for cle, selection in selections.items():
                if cle != "defaut" and not cas.filtre_ali:
                    continue
                ligne = {"nom": cas.nom, "requete": cas.requete, "groupe": cas.groupe, "variante": cas.variante,
                         "filtre": cle, "episodes": cas.episodes}  # fmt: skip
                try:
                    s_sql, tous_sql, res_sql = chrono(
                        lambda c=cas, f=selection: c.sql(con, f), repetitions, echauffement
                    )
                    s_pd, tous_pd, res_pd = chrono(
                        lambda c=cas, f=selection: c.ref(donnees, f), repetitions, echauffement, PLAFOND_PANDAS_S
                    )
                    reference.egal(res_sql, res_pd, f"{cas.nom} ({cle})")
                    ligne.update(
                        sql_ms=s_sql * 1000,
                        pandas_ms=s_pd * 1000,
                        rapport=s_pd / s_sql,
                        lignes_resultat=len(res_sql),
                        sql_tous_ms=[x * 1000 for x in tous_sql],
                        pandas_tous_ms=[x * 1000 for x in tous_pd],
                    )
                    ligne["atteint_temps"] = ligne["sql_ms"] <= CIBLES_MS[echelle]
                    ligne["atteint_rapport"] = ligne["rapport"] >= CIBLE_RAPPORT_PANDAS
                except Exception as exc:  # noté, puis on continue : le tableau dit quelle ligne a échoué
                    ligne["erreur"] = f"{type(exc).__name__}: {exc}"
                    erreurs.append(f"requête {cas.nom} ({cle}) : {ligne['erreur']}")
                    traceback.print_exc()
                lignes.append(ligne)
        return {"lecture_pandas_s": lecture, "episodes": len(donnees.episodes), "lignes": lignes}
    finally:
        con.close()


# --- tableaux ----------------------------------------------------------------------------------------------


def _ms(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}"


def _n(x: float) -> str:
    """12 345 678 (espaces comme séparateurs de milliers)."""
    return f"{x:,.0f}".replace(",", " ")


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("atteint" if ok else "**manqué**")


def _cibles_vues(echelle: str) -> str:
    chaud, froid = CIBLES_VUES_S[echelle]
    return f"≤ {chaud:.1f} s à chaud" + (f", ≤ {froid:.1f} s à froid" if froid else " (pas de cible à froid)")


def _verdict_vue(echelle: str, v: dict) -> str:
    chaud, froid = CIBLES_VUES_S[echelle]
    ok = v["chaud_s"] <= chaud and (froid is None or v["froid_s"] <= froid)
    return "atteintes" if ok else "**manquées**"


def tableau(r: dict) -> str:
    m, ch = r["machine"], r.get("chargement")
    cible_ms = CIBLES_MS[r["echelle"]]
    out = [
        f"### {r['echelle']} — {_n(r['lignes'])} lignes ({_n(r['episodes_acceptes'])} épisodes acceptés)",
        "",
        f"{m['date'][:10]} · `nproc` {m['nproc']} · {m['cpu']} · Python {m['python']}, DuckDB {m['duckdb']}, "
        f"pandas {m['pandas']}, Streamlit {m['streamlit']} · répétitions : {r['repetitions']}",
        "",
        "État de la machine : gain des 2 fils de DuckDB sur une agrégation de référence (≈ 1,3–1,8 quand les deux "
        "cœurs sont libres, ≤ 1 quand un autre processus en prend un) "
        f"{r['sonde_duckdb_avant']['efficacite']:.2f} avant, "
        f"{r['sonde_duckdb_apres']['efficacite']:.2f} après ; CPU pris par les autres processus (cœurs) : "
        + ", ".join(f"{k} {v:.2f}" for k, v in r["charge_autres_coeurs"].items())
        + ".",
        "",
    ]
    if ch:
        p, n = ch["projet"], ch["duckdb_nu"]
        out += [
            f"**Chargement** (médiane de {ch['repetitions']}, base neuve à chaque fois ; CSV de "
            f"{r['csv_octets'] / 1e6:.0f} Mo)",
            "",
            "| | durée | lignes/s | CPU | pic mémoire | rapport (cible ≥ 0,5) |",
            "|---|---:|---:|---:|---:|---|",
            f"| `python -m insertion load` | {p['secondes']:.2f} s | {_n(p['lignes_par_s'])} | {p['cpu_s']:.1f} s | "
            f"{_n(p['pic_octets'] / 2**20)} Mio | {ch['rapport']:.3f} — {_verdict(ch['atteint'])} |",
            f"| DuckDB nu `read_csv(all_varchar)` | {n['secondes']:.2f} s | {_n(n['lignes_par_s'])} | "
            f"{n['cpu_s']:.1f} s | {_n(n['pic_octets'] / 2**20)} Mio | |",
            "",
        ]
    rq = r.get("requetes")
    if rq:
        out += [
            f"**Requêtes** (médiane de {r['repetitions']} après échauffement, ms ; cible ≤ {cible_ms:.0f} ms et "
            f"≥ {CIBLE_RAPPORT_PANDAS:.0f}× plus rapide que pandas ; épisodes lus dans pandas une fois : "
            f"{rq['lecture_pandas_s']:.1f} s)",
            "",
            "| requête | groupe | variante | filtre | SQL | pandas | × | ≤ cible | ≥ 5× |",
            "|---|---|---|---|---:|---:|---:|---|---|",
        ]
        for lg in rq["lignes"]:
            debut = f"| {lg['requete']} | {lg['groupe'] or '—'} | {lg['variante'] or '—'} | {lg['filtre']} |"
            if "erreur" in lg:
                out.append(f"{debut} ERREUR | | | | {lg['erreur'][:80]} |")
                continue
            out.append(
                f"{debut} {_ms(lg['sql_ms'])} | {_ms(lg['pandas_ms'])} | {lg['rapport']:.1f} | "
                f"{_verdict(lg['atteint_temps'])} | {_verdict(lg['atteint_rapport'])} |"
            )
        ok = [lg for lg in rq["lignes"] if "erreur" not in lg]
        ep = [lg for lg in ok if lg["episodes"]]
        out += [
            "",
            f"Cible de temps atteinte : {sum(lg['atteint_temps'] for lg in ok)}/{len(ok)} lignes ; "
            f"rapport pandas ≥ {CIBLE_RAPPORT_PANDAS:.0f}× : {sum(lg['atteint_rapport'] for lg in ok)}/{len(ok)} "
            f"(requêtes sur les épisodes : temps {sum(lg['atteint_temps'] for lg in ep)}/{len(ep)}, "
            f"rapport {sum(lg['atteint_rapport'] for lg in ep)}/{len(ep)}).",
            "",
        ]
    vu = r.get("vues")
    if vu:
        out += [
            f"**Vues** (AppTest, médiane de {r['repetitions']} ; froid = caches Streamlit vidés ; cibles : "
            f"{_cibles_vues(r['echelle'])})",
            "",
            "| vue | froid | chaud | cibles |",
            "|---|---:|---:|---|",
        ]
        out += [
            f"| {page} | {v['froid_s']:.2f} s | {v['chaud_s']:.2f} s | {_verdict_vue(r['echelle'], v)} |"
            for page, v in vu.items()
        ]
        out.append("")
    me = r.get("memoire")
    out.append(f"**Base** : {_n(r['base_octets'] / 2**20)} Mio.")
    if me:
        pages = " · ".join(f"{k} {v['secondes']:.1f} s" for k, v in me["vues"].items())
        out += [
            "",
            f"**Mémoire de `streamlit run`** : pic (VmHWM) {_n(me['VmHWM'] / 2**20)} Mio après les 8 vues "
            f"(au démarrage : {_n(me['depart']['VmHWM'] / 2**20)} Mio) ; cible ≤ {CIBLE_MEMOIRE_MIO} Mio à 10m"
            + (
                f" : **{'atteinte' if me['VmHWM'] / 2**20 <= CIBLE_MEMOIRE_MIO else 'manquée'}**. "
                if r["echelle"] == "10m"
                else ". "
            )
            + f"Première ouverture de chaque vue dans Chromium : {pages}.",
        ]
    elif r.get("memoire_absente"):
        out += ["", f"Mémoire de `streamlit run` : non mesurée ({r['memoire_absente']})."]
    if r["erreurs"]:
        out += ["", "**Erreurs** :", *[f"- {e}" for e in r["erreurs"]]]
    return "\n".join(out)


# --- une échelle -------------------------------------------------------------------------------------------


def une_echelle(echelle: str, args, infos: dict) -> dict:
    debut = time.perf_counter()
    print(f"\n== {echelle} ==", flush=True)
    ext = data.extraction(echelle)
    # --smoke a son propre dossier de travail : une CI peut le lancer pendant une mesure complète.
    nom = f"smoke-{echelle}" if args.smoke else echelle
    travail = DOSSIER / "cache" / nom
    travail.mkdir(parents=True, exist_ok=True)
    with data.verrou(nom):
        return _une_echelle(echelle, ext, travail, debut, args, infos)


def _une_echelle(echelle: str, ext: data.Extraction, travail: Path, debut: float, args, infos: dict) -> dict:
    erreurs: list[str] = []
    r = {
        "echelle": echelle,
        "lignes": ext.lignes,
        "episodes_acceptes": ext.acceptees,
        "csv": str(ext.csv.relative_to(ROOT)),
        "csv_octets": ext.csv.stat().st_size,
        "repetitions": args.repeat,
        "machine": infos,
        "erreurs": erreurs,
    }
    charge = r["charge_autres_coeurs"] = {}
    r["sonde_duckdb_avant"] = sonde_duckdb()
    # Chargement : moins de répétitions aux grandes échelles (≈ 15–25 s par chargement à 1 M).
    rep_chargement = args.repeat if echelle == "100k" else (min(args.repeat, 3) if echelle == "1m" else 1)
    print(f"-- chargement ({rep_chargement} répétition(s))", flush=True)
    c = Charge()
    ch, base_chargee = mesure_chargement(ext, travail, rep_chargement)
    charge["chargement"] = c.fin()
    r["chargement"] = ch
    base = prepare_base(base_chargee, ext, travail)
    r["base"] = str(base.relative_to(ROOT))
    r["base_octets"] = base.stat().st_size
    print("-- requêtes", flush=True)
    c = Charge()
    r["requetes"] = mesure_requetes(base, echelle, args.repeat, args.echauffement, erreurs)
    charge["requetes"] = c.fin()
    print("-- vues (AppTest)", flush=True)
    c = Charge()
    try:
        r["vues"] = vues.mesure(base, args.repeat, args.echauffement > 0, journal)
    except Exception as exc:
        erreurs.append(f"vues : {type(exc).__name__}: {exc}")
        traceback.print_exc()
    charge["vues"] = c.fin()
    if args.navigateur:
        absent = memoire.disponible()
        if absent:
            r["memoire_absente"] = absent
            print(f"-- mémoire : non mesurée ({absent})", flush=True)
        else:
            # Pas de mesure de charge ici : les processus de Chromium, rattachés à init, compteraient comme « autres ».
            print("-- mémoire (streamlit run + Chromium)", flush=True)
            try:
                r["memoire"] = memoire.mesure(base, travail, journal)
            except Exception as exc:
                erreurs.append(f"mémoire : {type(exc).__name__}: {exc}")
                traceback.print_exc()
    else:
        r["memoire_absente"] = "--smoke ou --no-browser"
    r["sonde_duckdb_apres"] = sonde_duckdb()
    r["duree_totale_s"] = time.perf_counter() - debut
    return r


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="100k,1m", help="échelles parmi 100k, 1m, 10m (défaut : 100k,1m)")
    parser.add_argument("--10m", dest="dix_millions", action="store_true", help="ajoute l'échelle 10m (~1,5 Go)")
    parser.add_argument("--repeat", type=int, default=5, help="répétitions mesurées (médiane), défaut 5")
    parser.add_argument("--smoke", action="store_true", help="CI : 100k, 1 répétition, sans échauffement ni navigateur")
    parser.add_argument("--no-browser", dest="navigateur", action="store_false", help="sans la mesure mémoire")
    args = parser.parse_args(argv)
    echelles = [e.strip().lower() for e in args.scales.split(",") if e.strip()]
    if args.dix_millions and "10m" not in echelles:
        echelles.append("10m")
    args.echauffement = 1
    if args.smoke:
        echelles, args.repeat, args.echauffement, args.navigateur = ["100k"], 1, 0, False
    inconnues = [e for e in echelles if e not in data.ECHELLES]
    if inconnues or args.repeat < 1:
        parser.error(f"échelles possibles : {', '.join(data.ECHELLES)} ; --repeat ≥ 1")
    infos = machine()
    print(f"{infos['date']} · nproc {infos['nproc']} · {infos['cpu']}", flush=True)
    debut = time.perf_counter()
    resultats, erreurs = [], []
    for echelle in echelles:
        try:
            r = une_echelle(echelle, args, infos)
        except Exception as exc:
            traceback.print_exc()
            erreurs.append(f"{echelle} : {type(exc).__name__}: {exc}")
            continue
        resultats.append(r)
        erreurs += [f"{echelle} : {e}" for e in r["erreurs"]]
        # --smoke n'écrase pas les résultats publiés : son JSON reste dans le cache.
        sortie = (
            DOSSIER / "cache" / f"results-smoke-{echelle}.json" if args.smoke else DOSSIER / f"results-{echelle}.json"
        )
        sortie.write_text(json.dumps(r, indent=2, ensure_ascii=False, default=str))
    for r in resultats:
        print("\n" + tableau(r), flush=True)
    print(f"\nDurée totale : {time.perf_counter() - debut:.0f} s", flush=True)
    if erreurs:
        print("\nERREURS :\n" + "\n".join(f"- {e}" for e in erreurs), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
