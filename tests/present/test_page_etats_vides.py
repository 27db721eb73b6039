"""Chaque vue sur un filtre qui ne laisse aucune donnée (AppTest) : une phrase française qui dit ce qui manque et
quoi changer, à la place de graphiques vides ; jamais d'erreur.

Base : celle de tests/indicators/test_synthese.py (D = 31 décembre 2024 ; personnes orientées de mars 2023 à décembre
2024,
à Clichy-sous-Bois, La Courneuve et Montreuil ; budget 2023 et 2024). Deux filtres vides :
- une commune où personne n'habite : Aubervilliers (93001) ;
- une période finie avant la première orientation : du 1er janvier au 30 juin 2021.
"""

from __future__ import annotations

import json

import pytest

from tests.indicators.test_synthese import construire_base

COMMUNE_VIDE = {"commune": ["93001"]}
PERIODE_VIDE = {"debut": "2021-01-01", "fin": "2021-06-30"}
TERRITOIRE = "dans ce territoire : élargissez la période ou le territoire."
SANS_FILTRE = "élargissez la période ou vérifiez les extractions chargées (page Qualité des données)."


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return construire_base(tmp_path_factory.mktemp("etats_vides"))


def graphiques_vides(at) -> list[str]:
    """Les graphiques dont aucune trace n'a de point : ce qu'un état vide doit remplacer."""
    vides = []
    for graphique in at.get("plotly_chart"):
        spec = json.loads(graphique.proto.spec)
        points = [len(t.get(axe) or []) for t in spec["data"] for axe in ("x", "y", "z")]
        if not any(points):
            vides.append(spec["layout"].get("title", {}).get("text") or spec["layout"].get("xaxis", {}))
    return vides


def messages(at) -> list[str]:
    return [i.value for i in at.info]


@pytest.mark.parametrize(
    ("page", "filtre", "attendus", "sans_graphique"),
    [
        (
            "vue_ensemble",
            COMMUNE_VIDE,
            [
                "Aucune personne suivie à cette date dans ce territoire : choisissez une autre date d'observation ou "
                "élargissez le territoire.",
                f"Aucune personne suivie sur cette période {TERRITOIRE}",
            ],
            True,
        ),
        (
            "beneficiaires",
            COMMUNE_VIDE,
            [
                f"Aucune personne suivie sur cette période {TERRITOIRE}",
                f"Aucune entrée ni sortie sur cette période {TERRITOIRE}",
                "Aucune personne suivie à cette date dans ce territoire : choisissez une autre date d'observation ou "
                "élargissez le territoire.",
            ],
            True,
        ),
        (
            "diagnostics",
            COMMUNE_VIDE,
            [
                f"Aucune personne orientée sur cette période {TERRITOIRE}",
                f"Aucun diagnostic daté sur cette période {TERRITOIRE}",
            ],
            False,  # la ligne du département (mêmes filtres de profil) reste en repère dans la carte des cohortes
        ),
        (
            "sorties",
            COMMUNE_VIDE,
            [
                f"Aucune personne orientée sur cette période {TERRITOIRE}",
                f"Aucune sortie sur cette période {TERRITOIRE}",
            ],
            True,
        ),
        (
            "qualite",
            COMMUNE_VIDE,
            [
                f"Aucun épisode orienté sur cette période {TERRITOIRE}",
                # ALI03 (Aubervilliers) n'a envoyé aucune extraction : pas de point à placer sur l'axe des dates.
                "Aucune ALI de ce territoire n'a encore d'extraction en place : élargissez le territoire, ou chargez "
                "leurs extractions depuis la page Importer.",
            ],
            True,
        ),
        (
            "vue_ensemble",
            PERIODE_VIDE,
            [f"Aucune personne suivie sur cette période : {SANS_FILTRE}"],
            True,
        ),
        (
            "beneficiaires",
            PERIODE_VIDE,
            [
                f"Aucune personne suivie sur cette période : {SANS_FILTRE}",
                f"Aucune entrée ni sortie sur cette période : {SANS_FILTRE}",
            ],
            True,
        ),
        (
            "diagnostics",
            PERIODE_VIDE,
            [
                f"Aucune personne orientée sur cette période : {SANS_FILTRE}",
                "Aucune cohorte mensuelle n'a encore 90 jours de recul à la date d'observation : commencez la période "
                "plus tôt (au moins 90 jours avant la date d'observation).",
            ],
            True,
        ),
        (
            "sorties",
            PERIODE_VIDE,
            [
                f"Aucune sortie sur cette période : {SANS_FILTRE}",
                "Aucune orientation de la période n'a encore un an de recul à la date d'observation : commencez la "
                "période plus tôt (au moins un an avant la date d'observation).",
            ],
            True,
        ),
        (
            "budget",
            PERIODE_VIDE,
            [
                "Aucun crédit jusqu'en 2021, année de la date d'observation : le budget chargé commence en 2023. "
                "Choisissez une date d'observation en 2023 ou après."
            ],
            True,
        ),
        (
            "comparer",
            PERIODE_VIDE,
            [
                "Aucune ALI n'a encore d'orientation à cette date : choisissez une autre date d'observation ou "
                "vérifiez les extractions chargées (page Qualité des données)."
            ],
            True,
        ),
        ("qualite", PERIODE_VIDE, [f"Aucun épisode orienté sur cette période : {SANS_FILTRE}"], False),
        (
            # Comparer ne lit pas les filtres de territoire : un public (âge et parcours) que personne ne compose.
            "comparer",
            {"age": ["55_plus"], "parcours": ["professionnel"]},
            [
                "Aucune personne suivie sur cette période pour ce profil : élargissez la période, ou retirez un des "
                "filtres de parcours ou d'âge."
            ],
            True,
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_un_filtre_vide_donne_une_phrase_et_pas_de_graphique_vide(
    base, app_test, page, filtre, attendus, sans_graphique
):
    at = app_test(base, f"pages/{page}.py", query_params=filtre)
    assert not at.exception, [e.message for e in at.exception]
    lus = messages(at)
    for attendu in attendus:
        assert attendu in lus, lus
    # Aucun graphique sans point : chaque vide est dit par une phrase.
    assert graphiques_vides(at) == []
    if sans_graphique:
        assert not at.get("plotly_chart")


def test_sans_filtre_vide_aucune_phrase_de_vide(base, app_test):
    """Le garde-fou mord dans l'autre sens : avec des données, aucune vue ne se dit vide."""
    for page in ("vue_ensemble", "beneficiaires", "sorties"):
        at = app_test(base, f"pages/{page}.py")
        assert not [m for m in messages(at) if m.startswith(("Aucune personne", "Aucune entrée"))], page
        assert at.get("plotly_chart")
