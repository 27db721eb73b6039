"""La mesure de performance tourne en CI à petite échelle (100 k) : elle ne doit pas échouer, et ses
résultats SQL sont comparés à une implémentation pandas (le script s'arrête s'ils diffèrent)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Le banc d'essai occupe le processeur : sous xdist, il passe sur le worker des tests navigateur, après eux
# ou avant, jamais en même temps (groupe « processeur », conftest.py).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("processeur")]


def test_benchmark_smoke_runs_and_prints_its_tables():
    run = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--smoke"], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "| vue |" in run.stdout and "pages/vue_ensemble.py" in run.stdout
    assert "file_active_mensuelle" in run.stdout


def test_batch_benchmark_loads_one_file_per_ali():
    # Après le test précédent, l'extraction 100k est en cache : seuls le découpage et le chargement restent.
    run = subprocess.run(
        [sys.executable, "benchmarks/lot.py", "--scale", "100k", "--repeat", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "22 fichiers, 100 000 lignes" in run.stdout and "médiane de 1" in run.stdout


def test_note_benchmark_times_one_ali_and_the_departement(demo_build):
    # La base de démonstration de la session : le script ne reconstruit pas la sienne (≈ 50 s).
    db_path, _, _ = demo_build
    run = subprocess.run(
        [sys.executable, "benchmarks/note.py", "--db", str(db_path), "--repeat", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "| ALI08 · Montreuil |" in run.stdout and "| Seine-Saint-Denis |" in run.stdout
    assert "≤ 2,00 s" in run.stdout and "≤ 4,00 s" in run.stdout
