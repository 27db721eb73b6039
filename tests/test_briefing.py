"""La note de synthèse PDF, rouverte : une page, le territoire, la date, les chiffres en français."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from insertion import briefing, db, filters, formats, indicators, queries
from insertion.queries import Perimetre
from tests.conftest import build_db, csv_bytes, lignes

ROOT = Path(__file__).resolve().parent.parent
ARTEFACTS = ROOT / "artifacts" / "notes"


def text_of(data: bytes) -> tuple[int, str]:
    import io

    reader = pypdf.PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def render_png(pdf_path: Path) -> list[Path]:
    """La note en PNG pour qu'une personne la regarde (pdftoppm, comme en CI)."""
    assert shutil.which("pdftoppm"), "pdftoppm (poppler-utils) est installé par .ci/run"
    prefix = ARTEFACTS / pdf_path.stem
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf_path), str(prefix)], check=True)
    return sorted(ARTEFACTS.glob(f"{pdf_path.stem}*.png"))


@pytest.mark.slow
def test_departement_note_on_demo_data(demo_build):
    db_path, _, _ = demo_build
    con = db.open_read_only(db_path)
    try:
        derniere = queries.latest_extraction(con)
        selection = filters.pour(derniere)
        note = briefing.preparer(con, selection)
        data = briefing.rendre_pdf(note)
        expected = indicators.compute(con, debut=selection.periode.debut)
    finally:
        con.close()
    pages, text = text_of(data)
    assert pages <= 2
    assert "Note de synthèse — Seine-Saint-Denis" in text
    assert "Données au 31 octobre 2026" in text
    # Chaque chiffre clé, au format français, est bien celui des indicateurs.
    assert formats.entier(expected["file_active"]) in text
    assert formats.entier(expected["entrees"]) in text and formats.entier(expected["sorties"]) in text
    assert formats.pourcentage(expected["diag_numerique"]["taux_90j"]) in text
    assert formats.pourcentage(expected["diag_linguistique"]["taux_90j"]) in text
    assert formats.pourcentage(expected["sortie_emploi_12m"]["taux"]) in text
    assert len(note.chiffres) == 6 and all(c.valeur in text for c in note.chiffres)
    assert "Secret statistique" in text
    assert "M€" in text  # la phrase budgétaire, avec le signe euro rendu
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / "note_departement.pdf"
    path.write_bytes(data)
    pngs = render_png(path)
    assert len(pngs) == pages and all(p.stat().st_size > 20_000 for p in pngs)


def test_small_ali_note_masks_counts_below_eleven(tmp_path):
    # 4 personnes en ALI14, orientées le 15/03/2023, extraction au 30/06/2023 : 4 < 11, donc « < 11 ».
    db_path = build_db(tmp_path / "petite.duckdb", {"x.csv": csv_bytes(lignes(4))})
    con = db.open_read_only(db_path)
    try:
        selection = filters.pour(queries.latest_extraction(con), ali=["ALI14"])
        note = briefing.preparer(con, selection)
        data = briefing.rendre_pdf(note)
    finally:
        con.close()
    _, text = text_of(data)
    assert note.chiffres[0].valeur == "< 11" and note.masque
    assert "< 11" in text and "ALI14" in text
    assert "compte 4 personnes" not in text
    assert "ne sont pas diffusés" in text


@pytest.mark.slow
def test_cli_all_ali_writes_22_valid_notes(demo_build, tmp_path):
    db_path, _, _ = demo_build
    out = tmp_path / "notes"
    run = subprocess.run(
        [sys.executable, "-m", "insertion", "briefing", "--db", str(db_path), "--all-ali", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    files = sorted(out.glob("*.pdf"))
    assert len(files) == 22
    for path in files:
        pages, text = text_of(path.read_bytes())
        code = path.name.split("_")[1]
        assert 1 <= pages <= 2 and code in text and "Données au 31 octobre 2026" in text, path.name


@pytest.mark.slow
def test_cli_one_note_for_an_ept(demo_build, tmp_path):
    db_path, _, _ = demo_build
    target = tmp_path / "ept.pdf"
    run = subprocess.run(
        [sys.executable, "-m", "insertion", "briefing", "--db", str(db_path), "--ept", "Est Ensemble",
         "--from", "2025-01-01", "--to", "2025-12-31", "--out", str(target)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    _, text = text_of(target.read_bytes())
    assert "EPT Est Ensemble" in text and "31 décembre 2025" in text
    con = db.open_read_only(db_path)
    try:
        expected = indicators.compute(con, as_of="2025-12-31", perimetre=Perimetre(epts=("Est Ensemble",)))
    finally:
        con.close()
    assert formats.entier(expected["file_active"]) in text
    assert "ept.pdf" in run.stdout and " s" in run.stdout  # la CLI dit où elle a écrit et en combien de temps
