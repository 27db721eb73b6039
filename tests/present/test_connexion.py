"""Connexion, rôles et mode local dans l'application (insertion/present/connexion.py, issue 13), par AppTest.

AppTest simule la session : `at.secrets` porte une section [auth] (comme .streamlit/secrets.toml) et
`at.user` ce que Streamlit aurait lu du jeton d'identité (st.user). Le fichier des rôles est un vrai
fichier, désigné par $INSERTION_ROLES.

Base : ALI14, 12 personnes orientées le 15 mars 2023, extraction du 30 juin 2023 → file active 12.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from insertion.present import qualite
from insertion.protect import acces
from tests.conftest import ROOT, build_db, csv_bytes, dump, ligne, lignes

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "un-secret-de-test-assez-long-pour-signer",
    "client_id": "ali93",
    "client_secret": "secret",
    "server_metadata_url": "http://localhost:9400/.well-known/openid-configuration",
}

ROLES = """
[[personne]]
email = "dep@cg93.fr"
role = "departement"

[[personne]]
email = "dir14@ali14.fr"
role = "direction_ali"
ali = "ALI14"

[[personne]]
email = "elu@cg93.fr"
role = "elu"

[[personne]]
email = "admin@cg93.fr"
role = "administrateur_donnees"
"""

TOUTES = [f for f, _t, _u in acces.VUES.values() if (ROOT / f).exists()]
IMPORTER = "pages/importer.py"
INDICATEURS = [
    "vue_ensemble", "beneficiaires", "diagnostics", "sorties", "partenaires", "actions_collectives", "freins_reseau",
    "budget", "moyens", "comparer",
]  # fmt: skip


@pytest.fixture
def base(tmp_path):
    return build_db(tmp_path / "acces.duckdb", {"ali14_juin.csv": csv_bytes(lignes(12))})


@pytest.fixture
def roles(tmp_path, monkeypatch):
    chemin = tmp_path / "roles.toml"
    chemin.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("INSERTION_ROLES", str(chemin))
    return chemin


def utilisateur(email: str, iat: float | None = None) -> dict:
    return {"is_logged_in": True, "sub": f"sub-{email}", "email": email, "iat": int(iat or time.time())}


def session(base: Path, monkeypatch, user: dict | None, page: str = "dashboard.py") -> AppTest:
    """Une session connectée (user) ou non (None), avec [auth] configuré, ouverte sur `page`."""
    monkeypatch.setenv("INSERTION_DB", str(base))
    at = AppTest.from_file(str(ROOT / page), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = user if user is not None else {"is_logged_in": False}
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def pages_ouvertes(at: AppTest) -> list[str]:
    """Les pages que la navigation propose : switch_page refuse une page qu'elle n'a pas enregistrée."""
    ouvertes = []
    for fichier in TOUTES:
        try:
            at.switch_page(fichier)
        except ValueError:
            continue
        ouvertes.append(fichier)
    return ouvertes


def cartes(at: AppTest) -> list[str]:
    return [m.value for m in at.metric]


# --- Mode local --------------------------------------------------------------------------------------------


def test_mode_local_sans_auth_bandeau_et_tout_ouvert(base, app_test):
    at = app_test(base)
    assert any("Mode local : pas de connexion, toutes les fonctions ouvertes" in m.value for m in at.markdown)
    assert "12" in cartes(at)
    assert pages_ouvertes(at) == [f for f in TOUTES]
    at.switch_page(IMPORTER).run()
    assert at.button(key="importer_charger") is not None


@pytest.fixture
def adresse():
    """Change server.address le temps d'un test (comme --server.address), puis remet la valeur d'origine."""
    avant = st_config.get_option("server.address")
    yield lambda valeur: st_config.set_option("server.address", valeur)
    st_config.set_option("server.address", avant)


@pytest.mark.parametrize("valeur", ["0.0.0.0", "", "192.168.1.20"])
def test_mode_local_refuse_sur_une_adresse_du_reseau(base, monkeypatch, adresse, valeur):
    monkeypatch.delenv("INSERTION_MODE_LOCAL_RESEAU", raising=False)
    monkeypatch.setenv("INSERTION_DB", str(base))
    adresse(valeur)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception
    assert at.error and "Démarrage refusé" in at.error[0].value
    assert cartes(at) == [] and pages_ouvertes(at) == ["pages/vue_ensemble.py"]


def test_mode_local_sur_le_reseau_seulement_par_reglage_explicite(base, monkeypatch, adresse):
    monkeypatch.setenv("INSERTION_DB", str(base))
    monkeypatch.setenv("INSERTION_MODE_LOCAL_RESEAU", "1")
    adresse("0.0.0.0")
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.error and "12" in cartes(at)
    assert any("Mode local" in m.value for m in at.markdown)


# --- Avec [auth] : rôles -----------------------------------------------------------------------------------


def test_sans_connexion_seul_le_bouton_de_connexion(base, roles, monkeypatch):
    at = session(base, monkeypatch, None)
    assert [b.label for b in at.button] == ["Se connecter"]
    assert cartes(at) == []
    assert not any("Mode local" in m.value for m in at.markdown)
    assert pages_ouvertes(at) == ["pages/vue_ensemble.py"]


@pytest.mark.parametrize(
    ("email", "attendues"),
    [
        ("dep@cg93.fr", [*INDICATEURS, "qualite"]),
        ("dir14@ali14.fr", [*INDICATEURS, "qualite"]),
        ("elu@cg93.fr", ["vue_ensemble", "comparer"]),
        ("admin@cg93.fr", list(acces.VUES)),
    ],
)
def test_la_navigation_ne_montre_que_les_vues_du_role(base, roles, monkeypatch, email, attendues):
    at = session(base, monkeypatch, utilisateur(email))
    assert "12" in cartes(at)
    assert pages_ouvertes(at) == [acces.VUES[v][0] for v in attendues if acces.VUES[v][0] in TOUTES]
    assert any(email in c.value for c in at.sidebar.caption)
    assert "Se déconnecter" in [b.label for b in at.sidebar.button]


@pytest.mark.parametrize(
    ("email", "page"),
    [
        ("elu@cg93.fr", "pages/beneficiaires.py"),
        ("elu@cg93.fr", "pages/qualite.py"),
        ("elu@cg93.fr", IMPORTER),
        ("dep@cg93.fr", IMPORTER),
        ("dir14@ali14.fr", IMPORTER),
        ("dir14@ali14.fr", "pages/journal.py"),
    ],
)
def test_un_lien_direct_vers_une_page_interdite_est_refuse(base, roles, monkeypatch, email, page):
    """La page lancée seule, comme au premier lien profond d'un serveur neuf (stack-notes) : elle se refuse."""
    at = session(base, monkeypatch, utilisateur(email), page=page)
    assert at.error and "ne donne pas accès" in at.error[0].value
    assert cartes(at) == [] and not at.dataframe
    assert not [b for b in at.button if b.key == "importer_charger"]


def test_l_elu_n_a_pas_d_export_mais_a_la_note(base, roles, monkeypatch):
    at = session(base, monkeypatch, utilisateur("elu@cg93.fr"))
    at.switch_page("pages/comparer.py").run()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert "Note de synthèse (PDF)" in labels
    assert not [label for label in labels if "CSV" in label or "Excel" in label]
    dep = session(base, monkeypatch, utilisateur("dep@cg93.fr"))
    dep.switch_page("pages/comparer.py").run()
    assert any("CSV" in b.label for b in dep.get("download_button"))


def test_personne_sans_role_refusee(base, roles, monkeypatch):
    at = session(base, monkeypatch, utilisateur("inconnu@ailleurs.fr"))
    assert "Aucun rôle pour inconnu@ailleurs.fr" in at.error[0].value
    assert cartes(at) == [] and pages_ouvertes(at) == ["pages/vue_ensemble.py"]


def test_session_trop_ancienne_fermee(base, roles, monkeypatch):
    monkeypatch.setenv("INSERTION_SESSION_HEURES", "8")
    at = session(base, monkeypatch, utilisateur("admin@cg93.fr", iat=time.time() - 9 * 3600))
    assert cartes(at) == []
    assert at.user.get("is_logged_in") is False  # st.logout a été appelé
    récente = session(base, monkeypatch, utilisateur("admin@cg93.fr", iat=time.time() - 7 * 3600))
    assert "12" in cartes(récente)


@pytest.mark.parametrize(
    ("contenu", "attendu"),
    [("", "vide"), ('[[personne]]\nemail = "elu@cg93.fr"\nrole = "maire"\n', "rôle inconnu « maire »")],
)
def test_fichier_des_roles_fautif_aucun_acces(base, roles, monkeypatch, contenu, attendu):
    roles.write_text(contenu, encoding="utf-8")
    for user in (None, utilisateur("admin@cg93.fr")):
        at = session(base, monkeypatch, user)
        assert attendu in at.error[0].value
        assert cartes(at) == [] and pages_ouvertes(at) == ["pages/vue_ensemble.py"]
        assert "Se connecter" not in [b.label for b in at.button]


def test_fichier_des_roles_absent_aucun_acces(base, roles, monkeypatch):
    roles.unlink()
    at = session(base, monkeypatch, utilisateur("admin@cg93.fr"))
    assert "introuvable" in at.error[0].value and cartes(at) == []


# --- Écritures : côté serveur ------------------------------------------------------------------------------


def test_l_administrateur_importe(base, roles, monkeypatch):
    at = session(base, monkeypatch, utilisateur("admin@cg93.fr"))
    at.switch_page(IMPORTER).run()
    at.session_state[qualite.CLE_DEPOT] = [("ali14_septembre.csv", csv_bytes(lignes(15, date_extraction="2023-09-30")))]
    at.run()
    at.button(key="importer_charger").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.success[0].value.startswith("**ali14_septembre.csv** — Chargé.")


def _import_force(db_path: str) -> None:
    """Ce que ferait une requête forgée qui atteindrait le code d'écriture sans passer par la page."""
    import streamlit as st

    from insertion.present import qualite as q
    from tests.conftest import csv_bytes as cb
    from tests.conftest import lignes as li

    try:
        q.importer([("force.csv", cb(li(15, date_extraction="2023-09-30")))], db_path)
    except PermissionError as exc:
        st.error(f"refusé : {exc}")
    else:
        st.success("chargé")


@pytest.mark.parametrize("email", ["elu@cg93.fr", "dep@cg93.fr", "dir14@ali14.fr", None])
def test_import_force_refuse_cote_serveur(base, roles, monkeypatch, email):
    monkeypatch.setenv("INSERTION_DB", str(base))  # le journal d'audit du refus va à côté de la base de test
    avant = dump(base)
    at = AppTest.from_function(_import_force, args=(str(base),), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = utilisateur(email) if email else {"is_logged_in": False}
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.success and at.error[0].value.startswith("refusé : ")
    assert dump(base) == avant


def test_import_force_accepte_pour_l_administrateur(base, roles, monkeypatch):
    """Le même appel, pour un administrateur : le contrôle ne bloque que ce qu'il doit bloquer."""
    monkeypatch.setenv("INSERTION_DB", str(base))
    at = AppTest.from_function(_import_force, args=(str(base),), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = utilisateur("admin@cg93.fr")
    at.run()
    assert not at.exception and at.success


def test_depot_force_dans_la_session_d_un_elu_ne_charge_rien(base, roles, monkeypatch):
    """Un élu qui déposerait des fichiers dans sa session et ouvrirait Importer par lien direct."""
    avant = dump(base)
    monkeypatch.setenv("INSERTION_DB", str(base))
    at = AppTest.from_file(str(ROOT / IMPORTER), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = utilisateur("elu@cg93.fr")
    at.session_state[qualite.CLE_DEPOT] = [("force.csv", csv_bytes(lignes(15, date_extraction="2023-09-30")))]
    at.run()
    assert "ne donne pas accès" in at.error[0].value
    assert dump(base) == avant


# --- Détail protégé : la page Qualité d'une direction d'ALI ne montre que son ALI ------------------------------


@pytest.fixture
def base_rejets(tmp_path):
    """ALI14 : 12 personnes + 2 lignes sans sexe ; ALI04 (La Courneuve) : 5 personnes + 3 lignes sans sexe."""
    rows = lignes(12) + [dict(r, id_beneficiaire=f"b00001{i:02d}", sexe="") for i, r in enumerate(lignes(2))]
    ali04 = {"code_ali": "ALI04", "code_commune": "93027"}
    rows += [dict(r, **ali04, id_beneficiaire=f"b00002{i:02d}") for i, r in enumerate(lignes(5))]
    rows += [dict(r, **ali04, id_beneficiaire=f"b00003{i:02d}", sexe="") for i, r in enumerate(lignes(3))]
    return build_db(tmp_path / "rejets.duckdb", {"deux_ali.csv": csv_bytes(rows)})


def _lignes_rejetees(at: AppTest) -> str:
    (carte,) = [m for m in at.metric if m.label == "Lignes rejetées"]
    return carte.value


def test_la_direction_ne_voit_que_les_rejets_de_son_ali(base_rejets, roles, monkeypatch):
    dep = session(base_rejets, monkeypatch, utilisateur("dep@cg93.fr"), page="pages/qualite.py")
    assert _lignes_rejetees(dep) == "5"
    direction = session(base_rejets, monkeypatch, utilisateur("dir14@ali14.fr"), page="pages/qualite.py")
    assert not direction.exception
    assert _lignes_rejetees(direction) == "2"
    assert any("limité à votre ALI (ALI14)" in i.value for i in direction.info)
    tableaux = " ".join(d.value.to_csv() for d in direction.dataframe)
    assert "ALI04" not in tableaux and "Courneuve" not in tableaux
    # L'historique des chargements (tous les fichiers) n'est pas servi : ni tableau, ni compte.
    assert not [d for d in direction.dataframe if d.key == "historique"]
    assert any("réservé aux administrateur·rice·s" in i.value for i in direction.info)
    # Le choix d'un chargement ne propose que le fichier, avec ses seules lignes rejetées d'ALI14.
    assert direction.selectbox(key="qualite_chargement").options == [
        "Tous les chargements",
        "n° 1 · deux_ali.csv (2 lignes rejetées)",
    ]


def test_la_direction_d_ali_voit_la_sienne_mise_en_avant(tmp_path, roles, monkeypatch):
    """Deux ALI ont des orientations : ALI04 vient en premier, c'est le choix par défaut du Département ; la
    direction de l'ALI14 arrive sur la comparaison avec la sienne en avant."""
    base = build_db(
        tmp_path / "deux_ali.duckdb",
        {
            "ali14_juin.csv": csv_bytes(lignes(12)),
            "ali04_juin.csv": csv_bytes(
                [ligne(id_beneficiaire=f"q{i:07d}", code_ali="ALI04", code_commune="93027") for i in range(12)]
            ),
        },
    )
    choix = {}
    for email in ("dep@cg93.fr", "dir14@ali14.fr"):
        at = session(base, monkeypatch, utilisateur(email))
        at.switch_page("pages/comparer.py").run()
        assert not at.exception, [e.message for e in at.exception]
        choix[email] = at.selectbox(key="comparer_ali").value
    assert choix == {"dep@cg93.fr": "ALI04", "dir14@ali14.fr": "ALI14"}
