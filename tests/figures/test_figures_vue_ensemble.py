"""insertion.figures.vue_ensemble sur des chiffres clés et une série écrits à la main (seuil du secret : 11)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from insertion.figures import vue_ensemble as fve
from insertion.indicators import resultats_synthese, synthese
from insertion.indicators.resultats_synthese import ChiffreCle, Valeur
from insertion.protect import secret
from insertion.store.requetes import Perimetre

NBSP = "\u202f"
MAI, JUIN = date(2024, 5, 1), date(2024, 6, 1)


def chiffre(nature: str, actuel: float | None, precedent: float | None, masque: bool = False) -> ChiffreCle:
    return ChiffreCle(
        cle="x",
        libelle="X",
        nature=nature,
        actuel=Valeur(JUIN, actuel, "texte", masque=masque),
        precedent=Valeur(MAI, precedent, "texte"),
        comparaison="sur un mois",
        serie=(),
        definition="file_active",
        aide="Aide.",
    )


def test_evolution_d_un_effectif_en_pourcentage():
    # 110 contre 100 : + 10 %.
    assert fve.evolution(chiffre(resultats_synthese.EFFECTIF, 110, 100)) == (f"+10,0{NBSP}% sur un mois", "Aide.")


def test_evolution_d_un_taux_en_points():
    # 0,42 contre 0,40 : + 2 points.
    assert fve.evolution(chiffre(resultats_synthese.TAUX, 0.42, 0.40)) == (f"+2,0{NBSP}pt sur un mois", "Aide.")


def test_un_ecart_arrondi_nul_se_dit_stable_dans_l_aide():
    assert fve.evolution(chiffre(resultats_synthese.EFFECTIF, 10_000, 10_001)) == (
        None,
        "Aide. Stable sur un mois (écart arrondi nul).",
    )


def test_une_valeur_masquee_n_a_pas_d_evolution():
    assert fve.evolution(chiffre(resultats_synthese.EFFECTIF, None, 100, masque=True)) == (None, "Aide.")


def test_entete_et_legende_du_budget():
    assert fve.entete("30 juin 2024", "Seine-Saint-Denis", 1, 22, False) == (
        "**Situation au 30 juin 2024** · Seine-Saint-Denis · **1 ALI ouverte** sur 22"
    )
    assert fve.entete("30 juin 2024", "ALI04", 2, 3, True).endswith(
        "**2 ALI ouvertes** sur 3 dans le territoire retenu"
    )
    assert fve.legende_budget(False, False) == "Budget : tous les crédits d'insertion du Département."
    avec = fve.legende_budget(True, True)
    assert avec.startswith("Budget : crédits ventilés aux ALI retenues. Le budget n'est ventilé que par ALI")


@dataclass
class Ligne:
    valeur: str


def test_a_masque_voit_une_carte_ou_une_ligne_masquee():
    claires = [chiffre(resultats_synthese.EFFECTIF, 110, 100)]
    assert not fve.a_masque(claires, [Ligne("12")])
    assert fve.a_masque(claires + [chiffre(resultats_synthese.EFFECTIF, None, 100, masque=True)], [])
    assert fve.a_masque(claires, [Ligne(secret.LIBELLE_MASQUE)])


def serie() -> pd.DataFrame:
    return pd.DataFrame({"mois": [date(2024, 4, 30), date(2024, 5, 31), date(2024, 6, 30)], "file_active": [8, 12, 15]})


def test_file_active_du_departement_avec_l_objectif():
    vue = fve.file_active(serie(), Perimetre())
    # Département sans filtre : exempté, rien de masqué ; l'objectif 2026 est tracé.
    assert not vue.masque
    assert vue.table.texte.values.tolist() == [["avril 2024", "8"], ["mai 2024", "12"], ["juin 2024", "15"]]
    assert list(vue.figure.data[0].y) == [8, 12, 15]
    assert [s.y0 for s in vue.figure.layout.shapes] == [synthese.OBJECTIF_PLACES_2026]
    # 8 → 15 : + 87,5 %.
    assert vue.resume.startswith("La file active passe de 8 à 15 personnes entre avril 2024 et juin 2024 (+87,5")


def test_file_active_d_une_ali_masque_les_petits_mois_sans_objectif():
    vue = fve.file_active(serie(), Perimetre(alis=("ALI04",)))
    # 8 est sous le seuil : masqué ; pas de ventilation, donc pas de masquage secondaire.
    assert vue.masque
    assert vue.table.texte["File active (fin de mois)"].tolist() == ["secret", "12", "15"]
    # Le masque passe dans les valeurs : l'export n'a que « secret » là où l'écran le dit.
    assert vue.table.valeurs["File active (fin de mois)"].tolist() == ["secret", 12, 15]
    assert not vue.figure.layout.shapes
    # Le premier point est masqué : l'évolution n'est pas chiffrée.
    assert "8" not in vue.resume and "secret statistique" in vue.resume
