"""Le catalogue des requêtes (insertion/indicators/catalogue.py) : une entrée par fichier de queries/, et rien qui
ne se contredise entre le catalogue, les définitions, la couche de publication et la CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from insertion.config import QUERIES_DIR
from insertion.indicators import catalogue
from insertion.indicators.definitions import DEFINITIONS
from insertion.protect.diffusion import DECLARATIONS
from insertion.store import requetes
from tests.conftest import ROOT


def test_chaque_fichier_de_queries_a_son_entree_et_une_seule():
    fichiers = sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))
    assert sorted(catalogue.CATALOGUE) == fichiers  # ni requête oubliée, ni entrée sans fichier


@pytest.mark.parametrize("nom", sorted(catalogue.CATALOGUE))
def test_chaque_entree_est_complete_et_coherente(nom):
    r = catalogue.CATALOGUE[nom]
    assert r.nom == nom and r.fichier.is_file()
    assert r.titre and r.unite in catalogue.UNITES and r.sens in catalogue.SENS
    for cle in r.definitions:
        assert cle in DEFINITIONS, f"{nom} cite une définition absente : {cle}"
    # Une requête publiée l'est par sa déclaration ; une requête hors secret dit pourquoi, et n'a pas de
    # déclaration qui laisserait croire qu'elle est protégée.
    if r.hors_secret is None:
        assert nom in DECLARATIONS, f"{nom} compte des personnes sans déclaration de publication"
    else:
        assert nom not in DECLARATIONS and len(r.hors_secret) > 20
    # Les paramètres sont ceux du fichier SQL, lus là et non recopiés.
    assert r.parametres == requetes.noms_parametres(requetes.texte_sql(nom))


def test_les_definitions_renvoient_a_des_requetes_du_catalogue():
    for cle, d in DEFINITIONS.items():
        for nom in d.requetes:
            assert nom in catalogue.CATALOGUE, f"la définition {cle} cite une requête inconnue : {nom}"


def test_un_nom_hors_catalogue_est_refuse_en_francais():
    with pytest.raises(KeyError, match="Requête absente du catalogue"):
        catalogue.entree("file_active; DROP TABLE episodes")


def test_la_cli_imprime_le_catalogue():
    run = subprocess.run(
        [sys.executable, "-m", "insertion", "catalogue", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    entrees = {e["nom"]: e for e in json.loads(run.stdout)}
    assert set(entrees) == set(catalogue.CATALOGUE)
    fa = entrees["file_active"]
    assert (fa["titre"], fa["unite"], fa["sens"]) == ("File active", "personnes", "neutre")
    assert fa["definitions"] == {"file_active": "File active"}
    assert "as_of" in fa["parametres"] and fa["publication"] == "secret statistique"
    assert entrees["budget_annuel"]["publication"].startswith("hors secret : montants budgétaires")
    assert entrees["cout_par_personne"]["sens"] == "baisse"
