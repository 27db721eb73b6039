"""Journal d'audit (insertion/protect/audit.py et son usage dans l'application, issue 13).

Le journal vit dans son propre fichier, à côté de la base des indicateurs ; les sessions AppTest sont
celles de tests/present/test_connexion.py (section [auth] et st.user simulés, vrai fichier des rôles).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from insertion.figures.journal import tableau_journal
from insertion.outputs import exports
from insertion.present import qualite
from insertion.protect import acces, audit
from tests.conftest import ROOT, csv_bytes, lignes
from tests.present import test_connexion
from tests.present.test_connexion import AUTH, session, utilisateur

# Les fixtures de tests/present/test_connexion.py : petite base d'ALI14 et fichier des rôles des quatre rôles.
base = test_connexion.base
roles = test_connexion.roles

QUI = audit.Auteur("a1b2c3d4e5f6a7b8", "departement", "22930008201453")


@pytest.fixture(autouse=True)
def journaux_fermes():
    yield
    audit.fermer()


def test_enregistrer_puis_lire(tmp_path):
    chemin = tmp_path / "audit.duckdb"
    quand = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    audit.enregistrer(QUI, "vue", vue="Budget", filtres=[("ALI", "ALI14 · Clichy")], chemin=chemin, quand=quand)
    audit.enregistrer(QUI, "export", vue="Budget", detail="CSV", chemin=chemin, quand=quand + timedelta(minutes=1))
    j = audit.lire(chemin=chemin)
    assert j["action"].tolist() == ["export", "vue"]  # le plus récent d'abord
    assert j.loc[1, "filtres"] == '{"ALI": "ALI14 · Clichy"}'
    assert j.loc[0, "detail"] == "CSV" and j.loc[0, "sujet"] == QUI.sujet
    t = tableau_journal(j)
    assert t.texte.loc[1, "Date et heure (UTC)"] == "02/03/2026 09:30:00"
    assert list(t.columns)[:3] == ["Date et heure (UTC)", "Personne (pseudonyme)", "Rôle"]
    # L'export garde l'instant : ISO à la seconde dans le CSV, que le tableur trie comme une date.
    lignes = exports.ecrire_csv(t).decode("utf-8-sig").splitlines()
    assert lignes[2].startswith("2026-03-02 09:30:00;")
    with pytest.raises(ValueError, match="inconnue"):
        audit.enregistrer(QUI, "effacer", chemin=chemin)


def test_conservation_reglable(tmp_path, monkeypatch):
    chemin = tmp_path / "audit.duckdb"
    maintenant = datetime.now(UTC)
    for jours in (400, 100, 1):
        audit.enregistrer(QUI, "vue", vue=f"il y a {jours} j", chemin=chemin, quand=maintenant - timedelta(days=jours))
    assert len(audit.lire(chemin=chemin)) == 3  # écrites après la purge de l'ouverture
    audit.fermer()
    monkeypatch.delenv("INSERTION_AUDIT_JOURS", raising=False)
    audit.enregistrer(QUI, "vue", vue="maintenant", chemin=chemin)  # réouverture : purge à 365 jours
    assert audit.lire(chemin=chemin)["vue"].tolist() == ["maintenant", "il y a 1 j", "il y a 100 j"]
    audit.fermer()
    monkeypatch.setenv("INSERTION_AUDIT_JOURS", "30")
    audit.enregistrer(QUI, "vue", vue="encore", chemin=chemin)
    assert audit.lire(chemin=chemin)["vue"].tolist() == ["encore", "maintenant", "il y a 1 j"]


@pytest.mark.parametrize(("texte", "jours"), [("", 365), ("90", 90), ("0", 365), ("-3", 365), ("un an", 365)])
def test_conservation_lue_de_l_environnement(monkeypatch, texte, jours):
    monkeypatch.setenv("INSERTION_AUDIT_JOURS", texte)
    assert audit.conservation_jours() == jours


def test_le_journal_est_a_cote_de_la_base_sauf_reglage(tmp_path, monkeypatch):
    monkeypatch.delenv("INSERTION_AUDIT", raising=False)
    monkeypatch.setenv("INSERTION_DB", str(tmp_path / "x" / "base.duckdb"))
    assert audit.chemin_audit() == tmp_path / "x" / "audit.duckdb"
    monkeypatch.setenv("INSERTION_AUDIT", str(tmp_path / "ailleurs.duckdb"))
    assert audit.chemin_audit() == tmp_path / "ailleurs.duckdb"


def journal_de(base) -> list[dict]:
    return audit.lire(chemin=base.with_name("audit.duckdb")).to_dict("records")


def test_une_vue_est_journalisee_une_fois_par_filtres_avec_un_pseudonyme(base, roles, monkeypatch):
    at = session(base, monkeypatch, utilisateur("dep@cg93.fr"))
    lignes_ = journal_de(base)
    assert sorted((r["action"], r["vue"], r["role"]) for r in lignes_) == [
        ("connexion", None, "departement"),
        ("vue", "Vue d'ensemble", "departement"),
    ]
    # Les utilisateurs de test n'ont pas de claim siret : le repli sur l'e-mail est noté, et dit à l'écran.
    (connexion_,) = [r for r in lignes_ if r["action"] == "connexion"]
    assert "claim « siret »" in connexion_["detail"]
    assert any("claim « siret »" in c.value for c in at.sidebar.caption)
    sujet = lignes_[0]["sujet"]
    assert sujet == acces.pseudonyme("sub-dep@cg93.fr", AUTH["cookie_secret"])
    assert not any("dep@cg93.fr" in str(v) for r in lignes_ for v in r.values())
    assert "Période d'orientation" in lignes_[0]["filtres"]
    at.run()  # réexécution sans changement : pas de nouvelle ligne (ni nouvelle connexion)
    assert len(journal_de(base)) == 2
    at.switch_page("pages/budget.py").run()
    assert [r["vue"] for r in journal_de(base) if r["action"] == "vue"] == ["Budget", "Vue d'ensemble"]
    assert len(journal_de(base)) == 3


def test_refus_de_page_et_import_force_journalises(base, roles, monkeypatch):
    session(base, monkeypatch, utilisateur("elu@cg93.fr"), page="pages/importer.py")
    at = AppTest.from_function(_import_force, args=(str(base),), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = utilisateur("elu@cg93.fr")
    at.run()
    refus = [(r["action"], r["vue"], r["detail"], r["role"]) for r in journal_de(base) if r["action"] == "refus"]
    assert refus == [
        ("refus", None, "action refusée : importer", "elu"),
        ("refus", "Importer", "page non permise au rôle", "elu"),
    ]


def _import_force(db_path: str) -> None:
    from insertion.present import qualite as q
    from tests.conftest import csv_bytes as cb
    from tests.conftest import lignes as li

    try:
        q.importer([("force.csv", cb(li(3)))], db_path)
    except PermissionError:
        pass


def _export(etiquette: str) -> None:
    """Ce que fait un clic sur un bouton d'export : la fabrique tracée est appelée."""
    import streamlit as st

    from insertion.present import connexion

    fabrique = connexion.trace(lambda: b"contenu", "export", vue="Budget", filtres=[("ALI", "ALI14")], detail=etiquette)
    st.write(fabrique().decode())


def test_un_export_est_journalise_au_clic(base, roles, monkeypatch):
    monkeypatch.setenv("INSERTION_DB", str(base))
    at = AppTest.from_function(_export, args=("CSV",), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = utilisateur("dir14@ali14.fr")
    at.run()
    assert not at.exception and at.markdown[0].value == "contenu"
    (ligne,) = journal_de(base)
    assert (ligne["action"], ligne["vue"], ligne["detail"], ligne["filtres"]) == (
        "export",
        "Budget",
        "CSV",
        '{"ALI": "ALI14"}',
    )
    assert ligne["role"] == "direction_ali"


def test_import_et_journal_pour_l_administrateur_seulement(base, roles, monkeypatch):
    at = session(base, monkeypatch, utilisateur("admin@cg93.fr"))
    at.switch_page("pages/importer.py").run()
    at.session_state[qualite.CLE_DEPOT] = [("ali14_septembre.csv", csv_bytes(lignes(15, date_extraction="2023-09-30")))]
    at.run()
    at.button(key="importer_charger").click().run()
    assert not at.exception
    (imp,) = [r for r in journal_de(base) if r["action"] == "import"]
    assert "ali14_septembre.csv (loaded)" in imp["detail"] and imp["role"] == "administrateur_donnees"
    # La base des indicateurs a été remplacée par le chargement ; le journal, à part, n'a rien perdu.
    con = duckdb.connect(str(base), read_only=True)
    assert "journal" not in {t for (t,) in con.execute("SHOW TABLES").fetchall()}
    con.close()
    at.switch_page("pages/journal.py").run()
    assert not at.exception
    t = at.dataframe[0].value
    assert {"vue", "import"} <= set(t["Action"])
    assert [b.label for b in at.get("download_button") if "journal" in b.label] == ["Télécharger le journal (CSV)"]


def test_journal_illisible_sans_connexion_rien_n_est_servi(base, roles, monkeypatch, tmp_path):
    obstacle = tmp_path / "un-fichier"
    obstacle.write_text("x")
    monkeypatch.setenv("INSERTION_AUDIT", str(obstacle / "audit.duckdb"))  # dossier impossible à créer
    at = session(base, monkeypatch, utilisateur("dep@cg93.fr"))
    assert "Journal d'audit indisponible" in at.error[0].value
    assert at.metric == [] or not list(at.metric)


def test_page_journal_pages_des_vues(base, roles, monkeypatch):
    assert acces.VUES["journal"][0] == "pages/journal.py" and (ROOT / "pages" / "journal.py").exists()
    at = session(base, monkeypatch, utilisateur("dep@cg93.fr"), page="pages/journal.py")
    assert "ne donne pas accès" in at.error[0].value and not at.dataframe
