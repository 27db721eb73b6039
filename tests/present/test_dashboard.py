"""Le squelette de l'application (navigation, filtres, base de démonstration), par AppTest."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from insertion.indicators.filters import cle_widget
from insertion.store.requetes import Perimetre
from tests.conftest import build_db, csv_bytes, ligne, lignes
from tests.publie import cellule, publie, texte_entier

HOME_ALI = cle_widget("ali", "vue-d-ensemble")


def url(at, key: str) -> list[str]:
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


@pytest.fixture
def small_db(tmp_path):
    rows = lignes(12, date_extraction="2024-12-31")
    rows[0].update(date_sortie="2024-12-31", motif_sortie="abandon")  # sorti le jour D : plus suivi
    rows.append(ligne(id_beneficiaire="b0000001", code_ali="ALI04", code_commune="93027", date_extraction="2024-12-31"))
    return build_db(tmp_path / "app.duckdb", {"x.csv": csv_bytes(rows)})


def test_home_shows_file_active_and_data_date(small_db, app_test):
    at = app_test(small_db)
    # 12 personnes en ALI14 dont b1 sorti le jour D, mais b1 est aussi suivi en ALI04 : 12 personnes distinctes.
    assert at.metric[0].value == "12"
    assert any("31 décembre 2024" in c.value for c in at.caption)


def test_filters_come_from_the_url_and_unknown_values_are_ignored(small_db, app_test):
    at = app_test(small_db, query_params={"ali": ["ALI04", "ALI99"], "debut": "2024-01-01"})
    assert at.multiselect(key=HOME_ALI).value == ["ALI04"]
    assert at.metric[0].value == "secret"  # b1 seul en ALI04 : effectif masqué sous le département
    assert any("ali=ALI99" in w.value for w in at.sidebar.warning)
    assert url(at, "ali") == ["ALI04"] and url(at, "debut") == ["2024-01-01"]


def test_filters_survive_a_page_switch_and_stay_in_the_url(small_db, app_test):
    at = app_test(small_db)
    at.multiselect(key=HOME_ALI).select("ALI04").run()
    assert url(at, "ali") == ["ALI04"]
    at.switch_page("pages/qualite.py").run()
    assert not at.exception
    assert at.multiselect(key=cle_widget("ali", "qualite-des-donnees")).value == ["ALI04"]
    assert url(at, "ali") == ["ALI04"]


def test_a_filter_changed_on_another_page_is_seen_back_home(small_db, app_test):
    at = app_test(small_db)
    at.multiselect(key=HOME_ALI).select("ALI04").run()
    at.switch_page("pages/qualite.py").run()
    other = cle_widget("ali", "qualite-des-donnees")
    at.multiselect(key=other).unselect("ALI04").select("ALI14").run()
    at.switch_page("pages/vue_ensemble.py").run()
    assert at.multiselect(key=HOME_ALI).value == ["ALI14"]
    assert url(at, "ali") == ["ALI14"]
    # Les 12 d'ALI14 moins b1, sorti le jour D : 11, publiés avec le bruit de la clé de leur case (11 + bruit,
    # masqué si moins de 11).
    publiee = publie(
        small_db,
        "file_active",
        as_of=date(2024, 12, 31),
        groupe="departement",
        **Perimetre(alis=("ALI14",)).parametres(),
    )
    assert at.metric[0].value == texte_entier(cellule(publiee, "file_active"))


def test_every_view_offers_the_briefing_note(small_db, app_test):
    for page in ("pages/vue_ensemble.py", "pages/qualite.py"):
        at = app_test(small_db, page)
        labels = [b.proto.label for b in at.sidebar.get("download_button")]
        assert "Note de synthèse (PDF)" in labels, page


@pytest.mark.parametrize("page", ["pages/comparer.py", "pages/qualite.py", "pages/beneficiaires.py"])
def test_tables_can_be_taken_away_as_csv_and_excel(small_db, app_test, page):
    at = app_test(small_db, page)
    labels = [b.proto.label for b in at.main.get("download_button")]
    assert labels.count("Télécharger (CSV)") >= 1 and labels.count("Télécharger (CSV)") == labels.count(
        "Télécharger (Excel)"
    ), labels


def test_first_start_message_is_gone_once_the_demo_is_built(tmp_path, monkeypatch, app_test):
    """Premier lancement sans base : le message « Première ouverture » et la barre suivent la construction, puis
    disparaissent ; ni la page construite ni les exécutions suivantes ne les montrent au-dessus du titre.
    La démonstration complète est remplacée ici par une petite base (le test navigateur du lien profond à froid
    construit la vraie), mais la construction passe par le même chemin et le même rappel de progression."""
    import insertion.demo

    appels: list[tuple[int, int]] = []

    fini = threading.Event()

    def petite_demo(path, progress=None):
        for i in range(3):
            progress(i, 3, f"extraction {i + 1}")
            appels.append((i, 3))
        build_db(path, {"x.csv": csv_bytes(lignes(12, date_extraction="2024-12-31"))})
        return fini.set  # l'historique, chargé en arrière-plan après la première page

    monkeypatch.setattr(insertion.demo, "construire_demo_en_deux_temps", petite_demo)
    base = tmp_path / "demo.duckdb"
    at = app_test(base)
    assert base.exists() and appels == [(0, 3), (1, 3), (2, 3)]
    assert fini.wait(timeout=30)  # la suite du chargement est bien lancée, sans bloquer la page
    assert not [i for i in at.info if "Première ouverture" in i.value]
    assert "12" in [m.value for m in at.metric]
    at.run()
    assert not at.exception
    assert not [i for i in at.info if "Première ouverture" in i.value]
