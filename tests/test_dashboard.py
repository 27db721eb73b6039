"""Le tableau de bord minimal, par le vrai script Streamlit (AppTest), sur une petite base."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from insertion.loader import load_files
from tests.conftest import csv_bytes, ligne, lignes, write

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def small_db(tmp_path, monkeypatch):
    rows = lignes(12, date_extraction="2024-12-31")
    rows[0].update(date_sortie="2024-12-31", motif_sortie="abandon")  # sorti le jour D : plus suivi
    rows.append(ligne(id_beneficiaire="b0000001", code_ali="ALI04", code_commune="93027", date_extraction="2024-12-31"))
    db = tmp_path / "app.duckdb"
    results = load_files(db, [write(tmp_path / "x.csv", csv_bytes(rows))])
    assert [r.status for r in results] == ["loaded"]
    monkeypatch.setenv("INSERTION_DB", str(db))
    return db


def test_dashboard_shows_file_active_and_data_date(small_db):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception
    # 12 personnes en ALI14 dont b1 sorti le jour D, mais b1 est aussi suivi en ALI04 : 12 personnes distinctes.
    assert at.metric[0].value == "12"
    assert any("31 décembre 2024" in c.value for c in at.caption)
