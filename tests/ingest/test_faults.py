"""Pannes pendant un chargement : processus tué (SIGKILL) et disque plein.

Le chargeur travaille sur une copie de la base et la met en place d'un coup (os.replace). Un
chargement tué à n'importe quel moment laisse donc la base exactement comme avant (ou, s'il a été
tué après la mise en place, exactement comme après) : mêmes indicateurs, mêmes tables, aucune ligne
perdue, et le chargement suivant réussit malgré les fichiers de travail laissés en route. Un disque
plein fait échouer le chargement proprement : code de sortie non nul, message en français, pas de
trace Python, base inchangée.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from insertion import indicators
from insertion.store import db
from tests.conftest import build_db, csv_bytes, dump, ligne, lignes, write

ROOT = Path(__file__).resolve().parents[2]
ALI = [("ALI14", "93014"), ("ALI04", "93027"), ("ALI01", "93066"), ("ALI08", "93048")]


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "insertion", *args]


def extraction(n: int, date_extraction: str, prefix: str) -> bytes:
    """n épisodes sur quatre ALI, avec des sorties et des diagnostics, pour que les indicateurs bougent."""
    rows = []
    for i in range(n):
        ali, commune = ALI[i % len(ALI)]
        month = 1 + i % 8
        row = ligne(
            id_beneficiaire=f"{prefix}{i:08d}",
            code_ali=ali,
            code_commune=commune,
            date_orientation=f"2023-{month:02d}-{1 + i % 28:02d}",
            date_extraction=date_extraction,
        )
        if i % 3 == 0:
            row.update(date_diag_numerique=f"2023-{month:02d}-28", niveau_numerique="autonome")
        if i % 5 == 0:
            row.update(date_sortie="2023-09-01", motif_sortie=["emploi_durable", "formation", "abandon"][i % 3])
        rows.append(row)
    return csv_bytes(rows)


def state(db_path: Path) -> tuple[dict, dict]:
    """Les indicateurs du contrat et le contenu des tables (sans l'heure des chargements)."""
    con = db.ouvrir_en_lecture(db_path)
    try:
        values = indicators.calculer(con)
    finally:
        con.close()
    tables = dump(db_path)
    tables["chargements"] = [row[:-1] for row in tables["chargements"]]  # charge_le : l'heure du chargement
    return values, tables


def leftovers(db_path: Path) -> list[str]:
    return sorted(p.name for p in db_path.parent.iterdir() if p.name.startswith(db_path.name + "."))


@dataclass
class Scenario:
    folder: Path
    base: Path  # la base avant tout chargement en panne
    big: Path  # une extraction de quelques secondes de chargement
    before: tuple[dict, dict]
    after: tuple[dict, dict]  # la base une fois la grosse extraction chargée sans panne
    duration: float  # durée d'un chargement complet par la CLI, démarrage de Python compris


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Scenario:
    folder = tmp_path_factory.mktemp("pannes")
    base = build_db(
        folder / "base.duckdb",
        {
            "ali14.csv": csv_bytes(lignes(40)),
            "ali04.csv": csv_bytes(lignes(30, code_ali="ALI04", code_commune="93027")),
            "budget.csv": b"annee;code_ali;ligne;montant_vote;montant_execute\n2023;;iae;1000;900\n",
        },
    )
    big = write(folder / "grosse_extraction.csv", extraction(160_000, "2023-09-30", "g"))
    reference = folder / "reference.duckdb"
    shutil.copyfile(base, reference)
    start = time.monotonic()
    run = subprocess.run(cli("load", str(big), "--db", str(reference), "--json"), cwd=ROOT, capture_output=True)
    duration = time.monotonic() - start
    assert run.returncode == 0, run.stderr.decode()
    before, after = state(base), state(reference)
    assert before[0] != after[0], "la grosse extraction doit changer les indicateurs"
    return Scenario(folder, base, big, before, after, duration)


def killed_after(command: list[str], delay: float) -> bool:
    """Lance la commande et la tue (SIGKILL) après delay secondes ; False si elle avait déjà fini."""
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        return True


@pytest.mark.slow
def test_load_killed_at_random_points(scenario, tmp_path):
    """Au moins dix SIGKILL répartis sur la durée du chargement ; après chacun, la base est entière."""
    live = tmp_path / "base.duckdb"
    shutil.copyfile(scenario.base, live)
    command = cli("load", str(scenario.big), "--db", str(live), "--json")
    # Douze instants répartis sur toute la durée mesurée, puis d'autres au hasard (graine fixe) s'il le faut.
    delays = [scenario.duration * k / 13 for k in range(1, 13)]
    rng = random.Random(93)
    kills: list[tuple[float, list[str], str]] = []
    attempts = 0
    while len(kills) < 10 or delays:
        assert attempts < 40, f"seulement {len(kills)} chargements tués en {attempts} essais"
        delay = delays.pop(0) if delays else rng.uniform(0.1, 0.9) * scenario.duration
        attempts += 1
        if not killed_after(command, delay):
            assert state(live) == scenario.after  # fini avant d'être tué : c'est l'état d'après
            shutil.copyfile(scenario.base, live)  # on repart de l'état d'avant
            continue
        left = leftovers(live)
        current = state(live)
        assert current in (scenario.before, scenario.after), f"base incohérente après un SIGKILL à {delay:.2f} s"
        kills.append((delay, left, "avant" if current == scenario.before else "après"))
        if current == scenario.after:  # tué après la mise en place : on repart de l'état d'avant
            shutil.copyfile(scenario.base, live)
    # Des SIGKILL en plein chargement (la copie de travail était là), pas seulement au démarrage de Python.
    mid_load = [k for k in kills if any(".chargement" in name for name in k[1])]
    assert len(mid_load) >= 3, kills
    # Le chargement suivant réussit malgré les restes, et la base est celle d'un chargement sans panne.
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    (report,) = json.loads(run.stdout)
    assert (report["status"], report["rows_read"], report["accepted"]) == ("loaded", 160_000, 160_000)
    assert state(live) == scenario.after  # aucune ligne perdue
    assert leftovers(live) == [live.name + ".verrou"]
    print(
        f"\nchargement complet : {scenario.duration:.2f} s ; {len(kills)} SIGKILL en {attempts} essais, "
        f"{len(mid_load)} en plein chargement :",
        [
            (round(d, 2), s, "copie de travail" if any(".chargement" in n for n in left) else "-")
            for d, left, s in kills
        ],
    )


# Un chargement qui se tue lui-même (SIGKILL) à un point précis du chargeur.
INJECTOR = r"""
import os, signal, sys
from insertion.ingest import chargement, chargement_extraits

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def then_die(owner, name):
    original = getattr(owner, name)
    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        die()
        return result
    setattr(owner, name, wrapper)

point = sys.argv[1]
if point == "pendant_la_copie":
    def half_copy(src, dst):
        with open(src, "rb") as source, open(dst, "wb") as target:
            target.write(source.read(os.path.getsize(src) // 2))
            target.flush()
            os.fsync(target.fileno())
        die()
    chargement.shutil.copyfile = half_copy
elif point == "apres_la_copie":
    then_die(chargement.shutil, "copyfile")
elif point == "en_pleine_transaction":
    then_die(chargement_extraits, "remplacer_episodes_courants")
elif point == "apres_le_premier_fichier":
    then_die(chargement, "_charger_chemin")
elif point == "avant_os_replace":
    then_die(chargement, "_fsync")
elif point == "apres_os_replace":
    then_die(chargement.os, "replace")
else:
    raise SystemExit("point inconnu")
from insertion.outputs.cli import main
sys.exit(main(sys.argv[2:]))
"""
POINTS = {
    "pendant_la_copie": "avant",
    "apres_la_copie": "avant",
    "en_pleine_transaction": "avant",
    "apres_le_premier_fichier": "avant",
    "avant_os_replace": "avant",
    "apres_os_replace": "après",
}


@pytest.fixture(scope="module")
def two_files(scenario) -> tuple[list[Path], tuple[dict, dict]]:
    """Deux extractions chargées ensemble, et l'état de la base quand elles le sont sans panne."""
    files = [
        write(scenario.folder / "moyenne.csv", extraction(20_000, "2023-09-30", "m")),
        write(scenario.folder / "ali22.csv", csv_bytes(lignes(5, code_ali="ALI22", code_commune="93007"))),
    ]
    reference = scenario.folder / "reference_deux.duckdb"
    shutil.copyfile(scenario.base, reference)
    run = subprocess.run(cli("load", *map(str, files), "--db", str(reference)), cwd=ROOT, capture_output=True)
    assert run.returncode == 0, run.stderr.decode()
    return files, state(reference)


@pytest.mark.slow  # un chargement par la CLI tué à chaque étape : 13 à 20 s chacun sous charge
@pytest.mark.parametrize("point", list(POINTS))
def test_load_killed_at_each_step_of_the_loader(scenario, two_files, tmp_path, point):
    files, after = two_files
    live = tmp_path / "base.duckdb"
    shutil.copyfile(scenario.base, live)
    args = ["load", *map(str, files), "--db", str(live)]
    run = subprocess.run([sys.executable, "-c", INJECTOR, point, *args], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == -signal.SIGKILL, run.stderr
    assert state(live) == (scenario.before if POINTS[point] == "avant" else after)
    # Le chargement suivant réussit malgré ce que le processus tué a laissé.
    run = subprocess.run(cli(*args), cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert state(live) == after
    assert leftovers(live) == [live.name + ".verrou"]


# ---------------------------------------------------------------- disque plein


def run_with_file_size_limit(args: list[str], limit: int) -> subprocess.CompletedProcess:
    """La commande avec RLIMIT_FSIZE : au-delà de `limit` octets, toute écriture de fichier échoue (EFBIG),
    comme sur un disque plein (Python ignore SIGXFSZ : l'écriture échoue au lieu de tuer le processus)."""

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(cli(*args), cwd=ROOT, capture_output=True, text=True, preexec_fn=limit_file_size)


def assert_clean_disk_failure(run: subprocess.CompletedProcess, files: list[Path]) -> None:
    assert run.returncode == 1, (run.returncode, run.stderr)
    assert "Traceback" not in run.stderr and "Error" not in run.stderr, run.stderr
    report = json.loads(run.stdout)
    assert [r["file"] for r in report] == [f.name for f in files]
    for r in report:
        assert r["status"] == "refused"
        assert (r["rows_read"], r["accepted"], r["rejected"]) == (0, 0, 0)
        assert "le disque est plein" in r["message"], r["message"]
        assert "Aucun fichier de cet envoi n'a été enregistré" in r["message"]
        assert "la base est restée telle qu'avant le chargement" in r["message"]


@pytest.mark.slow  # ≈ 16 s chacun sous charge (un chargement par la CLI, disque plafonné)
@pytest.mark.parametrize(
    "where",
    [
        "copie",  # la copie de la base ne tient pas
        "chargement",  # la copie tient, pas les nouvelles données (écriture DuckDB, CHECKPOINT)
    ],
)
def test_full_disk_fails_cleanly(scenario, two_files, tmp_path, where):
    files, after = two_files
    live = tmp_path / "base.duckdb"
    shutil.copyfile(scenario.base, live)
    size = live.stat().st_size
    limit = size // 2 if where == "copie" else size + 64 * 1024
    run = run_with_file_size_limit(["load", *map(str, files), "--db", str(live), "--json"], limit)
    assert_clean_disk_failure(run, files)
    assert state(live) == scenario.before
    assert leftovers(live) == [live.name + ".verrou"]
    # Sans limite, le même chargement passe : rien de l'échec ne le gêne.
    run = subprocess.run(cli("load", *map(str, files), "--db", str(live)), cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert state(live) == after


def test_full_disk_on_a_first_load_leaves_no_database(tmp_path):
    files = [write(tmp_path / "ali14.csv", csv_bytes(lignes(50)))]
    live = tmp_path / "neuve" / "base.duckdb"
    run = run_with_file_size_limit(["load", str(files[0]), "--db", str(live), "--json"], 100_000)
    assert_clean_disk_failure(run, files)
    assert not live.exists()
    assert leftovers(live) == [live.name + ".verrou"]


def test_full_disk_message_without_json(scenario, tmp_path):
    live = tmp_path / "base.duckdb"
    shutil.copyfile(scenario.base, live)
    run = run_with_file_size_limit(["load", str(scenario.big), "--db", str(live)], live.stat().st_size // 2)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stdout.startswith("[refusé] Fichier refusé : « grosse_extraction.csv » n'a pas été chargé")
    assert state(live) == scenario.before
