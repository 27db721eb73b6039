"""Vue d'ensemble, par AppTest, sur la petite base de tests/indicators/test_synthese.py (nombres comptés à la main
là-bas).

Rappel (D = 31 décembre 2024, P = [1er janvier 2023, D]) : file active 56 à D, 59 fin novembre ; entrées de
décembre 5 (novembre 12), sorties 8 (novembre 10) ; cohorte 90 j 65 à D (64 fin novembre), diagnostic numérique
22, linguistique 10 ; cohorte 12 mois 45, en emploi 7, emploi durable 4 ; budget voté 47,0 M€ en 2024
(46,0 M€ en 2023), exécuté 43,9 M€ en 2023.
"""

from __future__ import annotations

import json

import pytest

from insertion import formats
from insertion.indicators.filters import cle_widget
from insertion.store.requetes import Perimetre, Periode
from tests.indicators.test_synthese import DEBUT, D, construire_base
from tests.publie import cellule, publie

NBSP = "\u202f"
PAGE = "pages/vue_ensemble.py"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return construire_base(tmp_path_factory.mktemp("vue_ensemble"))


def metriques(at) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta or None) for m in at.metric}


def test_chiffres_cles_du_departement(base, app_test):
    # Le département est exact pour une période qui commence au plus tôt en mars 2023 (premier mois où un flux
    # ou une cohorte du département peut l'être, insertion/protect) ; les orientations de la base en partent.
    at = app_test(base, PAGE, query_params={"debut": "2023-03-01"})
    m = metriques(at)
    # File active : 56 à D contre 59 fin novembre → (56 - 59) / 59 = -5,08 %.
    assert at.metric[0].label == "File active"
    assert at.metric[0].value == "56"
    assert at.metric[0].delta == f"-5,1{NBSP}% sur un mois"
    # Entrées : 5 en décembre contre 12 en novembre → -58,3 % ; sorties 8 contre 10 → -20,0 %.
    assert m["Entrées"] == ("5", f"-58,3{NBSP}% sur un mois")
    assert m["Sorties"] == ("8", f"-20,0{NBSP}% sur un mois")
    assert any("entrées et sorties de décembre 2024" in c.value for c in at.caption)
    assert m["ALI ouvertes"] == ("22 sur 22", None)
    # Diagnostic numérique : 22/65 = 33,8 % contre 22/64 = 34,4 % → -0,53 point.
    assert m["Diagnostic numérique"] == (f"33,8{NBSP}%", f"-0,5{NBSP}pt sur un mois")
    # Linguistique 10/65, emploi à 12 mois 7/45, emploi durable 4/45 : numérateurs de 1 à 10 → non diffusés,
    # même au département (règle des taux), et sans évolution.
    assert m["Diagnostic linguistique"] == ("secret", None)
    assert m["Sortie en emploi"] == ("secret", None)
    assert m["Emploi durable"] == ("secret", None)
    # Budget : 47,0 M€ voté en 2024 contre 46,0 M€ → +2,2 % ; 2024 ouvert : exécuté 2023 = 43,9 M€ = 95,4 % du voté.
    assert m["Budget voté 2024"] == (f"47,0{NBSP}M€", f"+2,2{NBSP}% sur un an")
    assert m["Budget exécuté 2023"] == (f"43,9{NBSP}M€", None)
    assert m["Taux d'exécution 2023"] == (f"95,4{NBSP}%", None)
    # Date des données et ALI ouvertes.
    assert any("Données au 31 décembre 2024" in c.value for c in at.caption)
    assert any("Situation au 31 décembre 2024" in t.value and "22 ALI ouvertes" in t.value for t in at.markdown)
    # Les effectifs du département sans filtre sont exacts, mais des taux sont masqués : la note le dit.
    assert any("Secret statistique" in c.value for c in at.caption)


def test_courbe_de_la_file_active(base, app_test):
    at = app_test(base, PAGE)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    (trace,) = spec["data"]
    textes = [c[0] for c in trace["customdata"]]
    # De mars 2023 (première orientation : Dx le 1er mars) à décembre 2024 : 22 mois. Fin mars 2023 : Dx 8 ;
    # fin décembre 2023 : 45 ; D : 56. L'objectif de 12 600 places est tracé (aucun filtre).
    assert len(textes) == 22
    assert (textes[0], textes[9], textes[-1]) == ("8", "45", "56")
    assert any("12" + NBSP + "600" in a.get("text", "") for a in spec["layout"].get("annotations", []))


def test_une_ali_de_5_personnes_est_masquee(base, app_test):
    at = app_test(base, PAGE, query_params={"ali": ["ALI04"]})
    m = metriques(at)
    # ALI04 : G 4 + a01' 1 = 5 à D, 5 fin novembre → « secret », sans évolution.
    assert at.metric[0].value == "secret" and not at.metric[0].delta
    # Cohorte 90 j de 5 épisodes → taux non diffusé.
    assert m["Diagnostic numérique"] == ("secret", None)
    assert m["ALI ouvertes"] == ("1 sur 1", None)
    assert any("Secret statistique" in c.value for c in at.caption)


def test_le_filtre_ali_change_les_chiffres(base, app_test):
    at = app_test(base, PAGE)
    at.multiselect(key=cle_widget("ali", "vue-d-ensemble")).select("ALI14").run()
    assert not at.exception
    m = metriques(at)
    # ALI14 : 37 à D (A 20 + B 12 + C 5) contre 40 fin novembre (A 20 + Dx 8 + B 12) → -7,5 %.
    assert (at.metric[0].value, at.metric[0].delta) == ("37", f"-7,5{NBSP}% sur un mois")
    # Entrées de décembre : C 5 → masqué ; cohorte 90 j d'ALI14 : 22/45 = 48,9 %, publié sur ses effectifs
    # bruités (22 ± 3 sur 45 ± 3), stable sur un mois (même cellule, même bruit).
    assert m["Entrées"] == ("secret", None)
    params = {**Periode(as_of=D, debut=DEBUT, fin=D).parametres(), **Perimetre(alis=("ALI14",)).parametres()}
    taux = cellule(
        publie(base, "taux_diagnostic_90j", **params, groupe="departement", diagnostic="numerique"), "taux_90j"
    )
    assert abs(taux - 22 / 45) < 0.1
    assert m["Diagnostic numérique"] == (formats.pourcentage(taux), None)
    # Budget d'ALI14 : 1,5 M€ en 2024 contre 1,0 M€ en 2023 → +50,0 %.
    assert m["Budget voté 2024"] == (f"1,5{NBSP}M€", f"+50,0{NBSP}% sur un an")
    assert at.query_params["ali"] == ["ALI14"] or at.query_params["ali"] == "ALI14"


def test_la_date_d_observation_vient_du_lien(base, app_test):
    at = app_test(base, PAGE, query_params={"fin": "2024-11-30"})
    m = metriques(at)
    # D = 30 novembre : 59 ; fin octobre : A 20 + Dx 8 + E 10 + G 4 + H 15 = 57 (a01' compte avec a01) → +3,5 %.
    assert (at.metric[0].value, at.metric[0].delta) == ("59", f"+3,5{NBSP}% sur un mois")
    # Novembre est complet à D : 12 entrées (B), 10 sorties (E).
    assert m["Entrées"][0] == "12"
    assert m["Sorties"][0] == "10"
    assert any("entrées et sorties de novembre 2024" in c.value for c in at.caption)
