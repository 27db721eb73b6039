"""`python -m insertion indicators --json` : les clés des autres systèmes (contrat §7) à côté de celles de la file
active, chacune égale à ce que publie la couche de publication (tests/publie.py) pour le département.

Les bases sont celles des tests de chaque système (petits jeux calculés à la main) ; la CLI est lancée comme un
utilisateur la lance, dans un autre processus."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

from insertion import protect
from insertion.indicators.autres_systemes import actions_collectives, freins, moyens
from insertion.store import db
from insertion.store.requetes import Periode
from tests.indicators.test_actions_collectives import base as base_actions  # noqa: F401  (fixture)
from tests.indicators.test_freins import D as D_FREINS
from tests.indicators.test_freins import base as base_freins  # noqa: F401  (fixture)
from tests.indicators.test_moyens import base as base_moyens  # noqa: F401  (fixture)

D = date(2023, 6, 30)
PERIODE = Periode(as_of=D, debut=date(2023, 1, 1))


def cli_json(base, as_of: date = D, debut: date = PERIODE.debut) -> dict:
    run = subprocess.run(
        [sys.executable, "-m", "insertion", "indicators", "--db", str(base), "--as-of", as_of.isoformat(),
         "--from", debut.isoformat(), "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def publie(base, fonction, periode: Periode = PERIODE):
    con = db.ouvrir_en_lecture(base)
    try:
        with protect.publication():
            return fonction(con, periode)
    finally:
        con.close()


def attendu(v):
    return "secret" if v != v else v  # NaN : masqué


def test_actions_collectives(base_actions):  # noqa: F811
    sortie = cli_json(base_actions)
    assert {"file_active", "sorties_par_motif", "diag_numerique"} <= set(sortie)  # les clés d'avant restent
    dept = publie(base_actions, actions_collectives.seances).iloc[0]
    a = sortie["actions_collectives"]
    for colonne in ("seances", "participants", "rendez_vous_pris", "personnes_remobilisees"):
        assert a[colonne] == attendu(float(dept[colonne])), colonne
    assert a["taux_remplissage"] == pytest.approx(dept["taux_remplissage"]) or a["taux_remplissage"] == "secret"
    assert sortie["mises_en_relation"] == {}  # aucun fichier de mises en relation : rien, pas un zéro inventé


def test_moyens(base_moyens):  # noqa: F811
    sortie = cli_json(base_moyens)
    mensuels = publie(base_moyens, moyens.moyens_mensuels)
    dernier = mensuels.sort_values("mois").iloc[-1]
    m = sortie["moyens"]
    assert m["mois"] == "2023-06"
    assert m["referents_etp"] == pytest.approx(float(dernier["referents_etp"]))
    assert m["places"] == int(dernier["places"])
    assert m["file_active"] == attendu(float(dernier["file_active"]))
    if m["personnes_par_referent"] != "secret":
        assert m["personnes_par_referent"] == pytest.approx(dernier["file_active"] / float(dernier["referents_etp"]))
    # Progression vers 340 référents depuis 170 : (valeur − 170) / 170.
    assert m["progression_referents_2026"] == pytest.approx((float(dernier["referents_etp"]) - 170) / 170)


def test_freins(base_freins):  # noqa: F811
    debut = date(D_FREINS.year, 1, 1)
    sortie = cli_json(base_freins, D_FREINS, debut)
    prevalence = publie(base_freins, freins.prevalence, Periode(as_of=D_FREINS, debut=debut)).set_index("frein")
    f = sortie["freins"]
    assert list(f) == list(freins.LIBELLES)  # les sept freins, dans l'ordre du contrat
    for frein, v in f.items():
        ligne = prevalence.loc[frein]
        assert v["connus"] == attendu(float(ligne["connus"])), frein
        assert v["avec_frein"] == attendu(float(ligne["avec_frein"])), frein
        # Comme à l'écran, une part n'est montrée que si ses deux côtés (avec, sans le frein) valent 0 ou au moins 11.
        n, d = float(ligne["avec_frein"]), float(ligne["connus"])
        montree = d >= 11 and not 0 < n < 11 and not 0 < d - n < 11
        assert v["part"] == (pytest.approx(float(ligne["part"])) if montree else "secret"), frein
