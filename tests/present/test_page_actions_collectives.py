"""Vue « Actions collectives », par AppTest, sur le petit jeu de tests/indicators/test_actions_collectives.py (D = 30
juin 2023,
période par défaut du 1er janvier au 30 juin 2023) : 8 séances dans la période, dont 3 Jeudis de l'insertion à Pantin
(Quatre-Chemins deux fois, Courtillières), 141 participants, 114 places connues (70 participants sur ces séances),
38 rendez-vous pris, 15 personnes remobilisées ; 8 épisodes débutants en numérique, 4 venus à un atelier.

Les effectifs de personnes sont publiés par la couche de publication (bruit lu à la clé, jamais exemptés) : l'écran
doit montrer ce qu'elle publie (tests/publie.py), jamais la valeur exacte d'une case qu'elle masque.
"""

from __future__ import annotations

import math

import pytest

from insertion import formats
from tests.conftest import build_db, csv_bytes
from tests.indicators.test_actions_collectives import ANNUAIRE, PERIODE, SEANCES, episodes, participations
from tests.publie import publie, texte_entier

PAGE = "pages/actions_collectives.py"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_db(
        tmp_path_factory.mktemp("page_actions") / "base.duckdb",
        {
            "annuaire.csv": csv_bytes(ANNUAIRE),
            "extraction_ALI14_2023-06-30.csv": csv_bytes(episodes()),
            "actions.csv": csv_bytes(SEANCES),
            "participations.csv": csv_bytes(participations()),
        },
    )


def publie_seances(base, groupe="departement", types=None):
    return publie(
        base, "actions_collectives", **PERIODE.parametres(), alis=None, epts=None, communes=None, groupe=groupe,
        pas="periode", types=types,
    )  # fmt: skip


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table(at, colonne: str):
    return next(d.value for d in at.dataframe if colonne in d.value.columns)


def test_chiffres_cles_publies(base, app_test):
    at = app_test(base, PAGE)
    assert at.title[0].value == "Actions collectives"
    m = metrics(at)
    dep = publie_seances(base).iloc[0]
    # Les séances ne sont pas des personnes : exactes.
    assert m["Séances"] == "8"
    assert m["Participants"] == texte_entier(dep["participants"])
    # Les rapports, sur les effectifs publiés : participants à places publiés / 114 places ; rendez-vous / 8.
    pp = dep["participants_places"]
    assert m["Taux de remplissage"] == ("secret" if math.isnan(pp) else formats.pourcentage(pp / 114))
    rdv = dep["rendez_vous_pris"]
    assert m["Rendez-vous par séance"] == ("secret" if math.isnan(rdv) else formats.decimal(rdv / 8, 1))
    assert m["Personnes remobilisées"] == texte_entier(dep["personnes_remobilisees"])
    # 8 débutants, 4 venus à un atelier : sous le seuil, la part n'est pas diffusée.
    assert m["Débutants en atelier"] == "secret"


def test_quartiers_de_pantin_et_cases_secret(base, app_test):
    at = app_test(base, PAGE)
    quartiers = table(at, "Quartier (commune)")
    assert list(quartiers["Quartier (commune)"]) == ["Courtillières (Pantin)", "Quatre-Chemins (Pantin)"]
    publies = publie_seances(base, "quartier").set_index("groupe")
    for nom, ligne in zip(quartiers["Quartier (commune)"], quartiers.to_dict("records"), strict=True):
        quartier = nom.split(" (")[0]
        assert ligne["Participants"] == texte_entier(publies.at[quartier, "participants"])
        assert ligne["Séances"] == str(int(publies.at[quartier, "seances"]))
        # Sans places connues, pas de taux de remplissage : sans objet, pas secret.
    courtillieres = quartiers.iloc[0]
    assert courtillieres["Taux de remplissage"] == formats.SANS_OBJET
    # 7 personnes remobilisées aux Courtillières, 3 + 5 aux Quatre-Chemins : sous 11, « secret », jamais le nombre.
    assert list(quartiers["Personnes remobilisées"]) == ["secret", "secret"]
    # Les ateliers numériques ne renseignent pas de rendez-vous : « – » (sans objet), pas « secret » ni 0.
    types = table(at, "Type d'action")
    ateliers = types[types["Type d'action"] == "Atelier numérique"].iloc[0]
    assert ateliers["Rendez-vous pris"] == formats.SANS_OBJET
    # Chaque graphique a sa phrase.
    phrases = [md.value for md in at.markdown if "material/short_text" in md.value]
    assert len(phrases) == 5, phrases
    assert any("Participants par mois" in p for p in phrases)


def test_filtre_du_type_lu_et_ecrit_dans_l_url(base, app_test):
    at = app_test(base, PAGE, query_params={"types_action": ["aller_vers", "atelier_cuisine"]})
    # Le type inconnu est ignoré ; les 3 Jeudis de l'insertion restent.
    assert at.multiselect(key="types_action").value == ["aller_vers"]
    assert metrics(at)["Séances"] == "3"
    dep = publie_seances(base, types=["aller_vers"]).iloc[0]
    assert metrics(at)["Participants"] == texte_entier(dep["participants"])
    at.multiselect(key="types_action").select("atelier_numerique").run()
    assert not at.exception
    assert at.query_params["types_action"] == ["aller_vers", "atelier_numerique"]
    assert metrics(at)["Séances"] == "6"
    at.multiselect(key="types_action").set_value([]).run()
    assert "types_action" not in at.query_params
    assert metrics(at)["Séances"] == "8"


def test_aucune_seance_dit_quoi_changer(base, app_test):
    at = app_test(base, PAGE, query_params={"types_action": ["job_dating"]})
    assert not at.metric
    assert any("Aucune séance de ces types" in i.value for i in at.info)


def test_filtre_de_profil_dit_en_legende(base, app_test):
    at = app_test(base, PAGE, query_params={"sexe": ["F"]})
    assert any("le filtre sexe ne s'applique pas aux séances" in c.value for c in at.caption)
    # Les séances ne changent pas ; les débutants, si (tous sont des femmes ici : 8, toujours sous le seuil).
    assert metrics(at)["Séances"] == "8"


def test_mise_en_forme_secret_regle_du_total_et_zeros_de_structure():
    """insertion.figures.actions_collectives.proteger sur un résultat publié écrit à la main (NaN : masqué par la
    couche de publication)."""
    import numpy as np
    import pandas as pd

    from insertion.figures import actions_collectives as vue

    nan = np.nan
    publie_ = pd.DataFrame(
        {
            "groupe": ["aller_vers", "atelier_numerique", "information_collective"],
            "code_commune": [None] * 3,
            "mois": [None] * 3,
            "seances": [3, 4, 2],
            "places": [nan, 32, 40],
            "participants": [93.0, 27.0, nan],
            "participants_places": [nan, 27.0, nan],
            "rendez_vous_pris": [28.0, nan, 12.0],
            "personnes_remobilisees": [15.0, nan, nan],
            "seances_rendez_vous": [3, 0, 2],
            "seances_remobilisees": [3, 0, 0],
            "taux_remplissage": [nan, 27 / 32, nan],
            "rendez_vous_par_seance": [28 / 3, nan, 6.0],
        }
    )
    t = vue.proteger(publie_, ventilation=[])
    a = t.affiche
    # Participants : une case masquée (information collective) ; la plus petite suivante (27) l'est aussi.
    assert list(a["participants"]) == ["93", "secret", "secret"]
    # Sans places connues, le taux est sans objet ; le participant « à places » structurel (0) ne compte pas comme
    # case masquée, mais l'information collective l'est : la règle du total masque l'atelier, et son taux avec lui.
    assert list(a["taux_remplissage"]) == [formats.SANS_OBJET, "secret", "secret"]
    # Rendez-vous non renseignés aux ateliers : « – », et pas de règle du total déclenchée par ce zéro.
    assert list(a["rendez_vous_pris"]) == ["28", formats.SANS_OBJET, "12"]
    assert list(a["rendez_vous_par_seance"]) == [formats.decimal(28 / 3, 1), formats.SANS_OBJET, "6,0"]
    assert list(a["personnes_remobilisees"]) == ["15", formats.SANS_OBJET, formats.SANS_OBJET]
    # Séances et places ne sont jamais masquées.
    assert list(a["seances"]) == ["3", "4", "2"] and list(a["places"]) == [formats.SANS_OBJET, "32", "40"]
    assert t.a_masque


def test_la_page_ne_lit_aucune_valeur_brute(base, app_test, monkeypatch, tmp_path):
    """Chaque requête déclarée que la page lance passe par la couche de publication (comme
    tests/store/test_publication.py
    pour les autres vues). Une copie de la base : ses requêtes ne sont pas déjà dans le cache des pages."""
    import shutil

    from insertion import protect
    from insertion.store import requetes

    copie = shutil.copy(base, tmp_path / "copie.duckdb")
    vues: list[tuple[str, bool]] = []
    original = requetes.texte_sql

    def espion(nom: str) -> str:
        vues.append((nom, protect.en_publication()))
        return original(nom)

    monkeypatch.setattr(requetes, "texte_sql", espion)
    app_test(copie, PAGE, query_params={"ali": ["ALI14"]})
    lues = {nom for nom, _ in vues}
    assert {"actions_collectives", "ateliers_apres_diagnostic"} <= lues
    assert {nom for nom, publiee in vues if not publiee and nom in protect.DECLARATIONS} == set()


@pytest.mark.slow
def test_demo_les_jeudis_de_pantin_et_les_ateliers_d_ali14(demo_build, app_test):
    """Sur la démonstration : les « Jeudis de l'insertion » de Pantin, un par quartier en juin 2023, et les
    débutants d'ALI14, seule ALI à envoyer ses participations, presque tous venus à un atelier."""
    from insertion.demo.systemes import QUARTIERS_PANTIN

    base, _, _ = demo_build
    at = app_test(base, PAGE, query_params={"types_action": ["aller_vers"]})
    quartiers = table(at, "Quartier (commune)")
    assert sorted(quartiers["Quartier (commune)"]) == sorted(f"{q} (Pantin)" for q in QUARTIERS_PANTIN)
    assert set(table(at, "Mois")["Mois"]) == {"juin 2023"}
    assert metrics(at)["Séances"] == str(len(QUARTIERS_PANTIN))
    ateliers = table(at, "Venus à un atelier numérique dans les 60 jours").set_index("ALI")
    part = ateliers.loc["ALI14 · Clichy-sous-Bois – Montfermeil – Coubron", "Part"]
    assert part != "secret" and float(part.split("\u202f")[0].replace(",", ".")) > 50
