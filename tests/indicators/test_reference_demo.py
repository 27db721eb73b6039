"""Avant/après (issue 15) : sur la démonstration, chaque requête de queries/, le JSON de la CLI et la note (chiffres
clés, phrases) rendent exactement les résultats écrits dans tests/reference_demo.json (les sorties publiées y ont
été écrites par le code d'avant le rangement en couches ; voir tests/reference_demo.py pour la réécrire quand un
changement de chiffres est voulu). Un déplacement de code qui change un nombre, une colonne ou une ligne échoue ici."""

from __future__ import annotations

import pytest

from tests import reference_demo

pytestmark = pytest.mark.slow  # la démonstration complète (≈ 30 à 140 s ici), puis ≈ 600 requêtes


def test_les_requetes_rendent_la_reference_sur_la_demonstration(demo_build):
    base, _, _ = demo_build
    attendu = reference_demo.lire()
    obtenu = reference_demo.calculer(base)
    obtenu["resultats"].update(reference_demo.sorties_publiees(base))

    assert obtenu["date_observation"] == attendu["date_observation"]
    assert sorted(obtenu["resultats"]) == sorted(attendu["resultats"]), "requêtes ou variantes ajoutées ou retirées"
    differents = [k for k, v in attendu["resultats"].items() if obtenu["resultats"][k] != v]
    assert not differents, f"{len(differents)} résultats ont changé, dont : {differents[:10]}"
