"""Les dates des tableaux téléchargés depuis une vue (AppTest, vrais fichiers) : ISO dans le CSV, cellules date
dans le classeur. Base de tests/indicators/test_synthese.py : file active du département de mars 2023 (8) à décembre
2024 (56),
22 mois."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pandas as pd
import pytest

from tests.indicators.test_synthese import construire_base


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return construire_base(tmp_path_factory.mktemp("exports_dates"))


def test_la_file_active_mensuelle_s_exporte_avec_des_mois(base, app_test, telechargements):
    app_test(base, "pages/vue_ensemble.py")
    fichiers = {t.nom: t for t in telechargements if t.nom and "evolution-de-la-file-active" in t.nom}
    (csv_,) = [t for n, t in fichiers.items() if n.endswith(".csv")]
    (xlsx,) = [t for n, t in fichiers.items() if n.endswith(".xlsx")]

    table = pd.read_csv(io.BytesIO(csv_.octets()), sep=";", encoding="utf-8-sig", dtype={"Mois": str})
    assert list(table.columns) == ["Mois", "File active (fin de mois)"]
    assert len(table) == 22
    assert (table["Mois"].iloc[0], table["Mois"].iloc[-1]) == ("2023-03", "2024-12")
    assert (table["File active (fin de mois)"].iloc[0], table["File active (fin de mois)"].iloc[-1]) == (8, 56)

    feuille = openpyxl.load_workbook(io.BytesIO(xlsx.octets()))["Données"]
    mois = [c for (c,) in feuille.iter_rows(min_row=2, min_col=1, max_col=1)]
    assert all(c.is_date for c in mois) and len(mois) == 22
    assert (mois[0].value, mois[-1].value) == (datetime(2023, 3, 1), datetime(2024, 12, 1))
    assert mois[0].number_format == "[$-40C]mmmm yyyy"
