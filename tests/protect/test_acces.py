"""Fichier des rôles, table des droits et identification OIDC (insertion/protect/acces.py, issue 13).

Chaque fichier fautif doit lever FichierRolesInvalide avec un message qui nomme la faute : l'application
n'ouvre alors aucun accès (voir tests/present/test_connexion.py pour ce que voit la page).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from insertion.protect import acces
from insertion.protect.acces import AccesRefuse, FichierRolesInvalide, Identite

ROOT = Path(__file__).resolve().parents[2]

FICHIER = """
[[personne]]
email = "Camille.Martin@SeineSaintDenis.fr"
role = "departement"

[[personne]]
email = "dir14@example.org"
role = "direction_ali"
ali = "ali14"
siret = "123 456 789 00011"

[[personne]]
sub = "sujet-admin"
role = "administrateur_donnees"

[[organisation]]
siret = "22930008201453"
unite = "Cabinet"
role = "elu"
"""


def registre() -> acces.Registre:
    return acces.lire_texte(FICHIER)


def test_le_modele_commente_du_depot_est_valide_et_donne_les_quatre_roles():
    r = acces.lire_roles(ROOT / "data" / "roles.exemple.toml")
    assert {e.role for e in (*r.personnes, *r.organisations)} == set(acces.ROLES)


def test_lecture_normalise_email_siret_et_ali():
    r = registre()
    assert [e.email for e in r.personnes] == ["camille.martin@seinesaintdenis.fr", "dir14@example.org", None]
    assert r.personnes[1].siret == "12345678900011"
    assert r.personnes[1].ali == "ALI14"
    assert r.organisations[0].unite == "Cabinet"


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ('[[personne]]\nemail = "a@b.fr"\nrole = "directeur"\n', "rôle inconnu « directeur »"),
        ('[[personne]]\nemail = "a@b.fr"\n', "rôle manquant"),
        (
            '[[personne]]\nemail = "a@b.fr"\nrole = "elu"\n[[personne]]\nemail = "A@B.fr"\nrole = "departement"\n',
            "personne en double (email « a@b.fr », déjà en personne n° 1)",
        ),
        ('[[personne]]\nsub = "x"\nrole = "elu"\n[[personne]]\nsub = "x"\nrole = "elu"\n', "personne en double (sub"),
        (
            '[[organisation]]\nsiret = "22930008201453"\nrole = "elu"\n'
            '[[organisation]]\nsiret = "22930008201453"\nrole = "departement"\n',
            "organisation en double",
        ),
        ("", "vide"),
        ("# rien que des commentaires\n", "vide"),
        ('[[personne]]\nemail = "a@b.fr"\nrole = "elu"\n[[personne\n', "illisible (syntaxe TOML)"),
        ('[[personne]]\nemail = "a@b.fr"\nrole = "direction_ali"\n', "demande le code de son ALI"),
        ('[[personne]]\nrole = "elu"\n', "il faut un « email » ou un « sub »"),
        ('[[personne]]\nemail = "pas-une-adresse"\nrole = "elu"\n', "adresse e-mail « pas-une-adresse » invalide"),
        ('[[personne]]\nemail = "a@b.fr"\nrole = "elu"\nmail = "x"\n', "champ(s) inconnu(s) mail"),
        ('[[organisation]]\nsiret = "123"\nrole = "elu"\n', "SIRET « 123 » invalide"),
        ('[[organisation]]\nrole = "elu"\n', "« siret » manquant"),
        ('[[personnes]]\nemail = "a@b.fr"\nrole = "elu"\n', "section(s) inconnue(s) personnes"),
        ('personne = "a@b.fr"\n', "doit s'écrire [[personne]]"),
        ('[[personne]]\nemail = "a@b.fr"\nrole = 3\n', "« role » doit être du texte"),
    ],
)
def test_un_fichier_fautif_est_refuse_avec_un_message_qui_nomme_la_faute(texte, attendu):
    with pytest.raises(FichierRolesInvalide) as erreur:
        acces.lire_texte(texte)
    assert attendu in str(erreur.value)


def test_toutes_les_fautes_sont_listees_ensemble():
    texte = '[[personne]]\nemail = "a@b.fr"\nrole = "chef"\n[[personne]]\nemail = "c@d.fr"\nrole = "maire"\n'
    message = str(pytest.raises(FichierRolesInvalide, acces.lire_texte, texte).value)
    assert "personne n° 1 : rôle inconnu « chef »" in message
    assert "personne n° 2 : rôle inconnu « maire »" in message


def test_fichier_absent_non_utf8_ou_dossier(tmp_path, monkeypatch):
    monkeypatch.setenv("INSERTION_ROLES", str(tmp_path / "absent.toml"))
    with pytest.raises(FichierRolesInvalide, match="introuvable"):
        acces.lire_roles()
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('[[personne]]\nemail = "a@b.fr"\nrole = "elu"\nnom = "Hélène"\n'.encode("latin-1"))
    with pytest.raises(FichierRolesInvalide, match="UTF-8"):
        acces.lire_roles(latin1)
    with pytest.raises(FichierRolesInvalide, match="illisible"):
        acces.lire_roles(tmp_path)  # un dossier : IsADirectoryError


def test_le_chemin_vient_de_la_variable_d_environnement(tmp_path, monkeypatch):
    chemin = tmp_path / "roles.toml"
    chemin.write_text('[[personne]]\nemail = "a@b.fr"\nrole = "elu"\n', encoding="utf-8")
    monkeypatch.setenv("INSERTION_ROLES", str(chemin))
    assert acces.lire_roles().personnes[0].email == "a@b.fr"
    monkeypatch.delenv("INSERTION_ROLES")
    assert acces.chemin_roles() == ROOT / "data" / "roles.toml"


# --- La table des droits (issue 13) ----------------------------------------------------------------------


def test_table_des_droits_conforme_au_tableau_de_l_issue():
    d = acces.DROITS
    assert set(d) == {"departement", "direction_ali", "elu", "administrateur_donnees"}
    # Département : toutes les vues (sauf l'import et le journal, réservés aux administrateurs), export, notes.
    assert d["departement"].vues == acces.INDICATEURS | {"qualite"}
    assert d["departement"].actions == {"exporter", "note"}
    # Direction d'ALI : toutes les vues, export, notes ; détail protégé de sa seule ALI.
    assert d["direction_ali"].actions == {"exporter", "note"}
    assert d["direction_ali"].detail_protege == "sa_ali"
    # Élu·e : vue d'ensemble, comparaison, note ; rien d'autre.
    assert d["elu"].vues == {"vue_ensemble", "comparer"}
    assert d["elu"].actions == {"note"}
    assert d["elu"].detail_protege is None
    # Administrateur·rice des données : tout.
    assert d["administrateur_donnees"].vues == set(acces.VUES)
    assert d["administrateur_donnees"].actions == acces.ACTIONS


@pytest.mark.parametrize("role", ["departement", "direction_ali", "elu"])
def test_seul_l_administrateur_ecrit_et_lit_le_journal(role):
    h = acces.Habilitation(role, "s", None, "ALI14" if role == "direction_ali" else None)
    for action in ("importer", "journal", "historique"):
        assert not h.peut(action)
        with pytest.raises(AccesRefuse, match="ne permet pas"):
            h.exiger(action)
    assert not h.voit("importer") and not h.voit("journal")


def test_qui_voit_la_page_qualite():
    assert acces.Habilitation("direction_ali", "s", None, "ALI14").voit("qualite")
    assert not acces.Habilitation("direction_ali", "s", None, None).voit("qualite")
    assert acces.Habilitation("departement", "s", None).voit("qualite")
    assert not acces.Habilitation("elu", "s", None).voit("qualite")


TERRITOIRE = {"alis": None, "epts": None, "communes": None}


def test_restreindre_le_detail_protege_a_l_ali_de_la_direction():
    h = acces.Habilitation("direction_ali", "s", None, "ALI14")
    assert acces.restreindre(h, "qualite_rejets", {**TERRITOIRE, "chargement": None})["alis"] == ["ALI14"]
    assert acces.restreindre(h, "qualite_rejets", {**TERRITOIRE, "alis": ["ALI04", "ALI14"]})["alis"] == ["ALI14"]
    assert acces.restreindre(h, "qualite_rejets", {**TERRITOIRE, "alis": ["ALI04"]})["alis"] == []  # rien
    # Les filtres d'EPT et de commune restent : ils ne peuvent que restreindre encore.
    assert acces.restreindre(h, "qualite_fraicheur", {**TERRITOIRE, "epts": ["Est Ensemble"]})["epts"] == [
        "Est Ensemble"
    ]
    with pytest.raises(AccesRefuse, match="historique"):
        acces.restreindre(h, "qualite_chargements", {})
    # Les indicateurs ne sont pas du détail protégé : toutes les ALI, le secret s'applique comme pour tous.
    assert acces.restreindre(h, "file_active", {**TERRITOIRE, "alis": ["ALI04"]})["alis"] == ["ALI04"]


def test_restreindre_selon_le_role():
    params = {**TERRITOIRE, "alis": ["ALI04"], "chargement": None}
    assert acces.restreindre(acces.Habilitation("departement", "s", None), "qualite_rejets", params) == params
    with pytest.raises(AccesRefuse, match="historique"):
        acces.restreindre(acces.Habilitation("departement", "s", None), "qualite_chargements", {})
    assert acces.restreindre(acces.habilitation_locale(), "qualite_chargements", {}) == {}
    with pytest.raises(AccesRefuse, match="ne donne pas accès à ce détail"):
        acces.restreindre(acces.Habilitation("elu", "s", None), "qualite_rejets", params)


def test_une_action_inconnue_est_une_erreur_et_pas_un_refus_silencieux():
    with pytest.raises(ValueError, match="Action inconnue"):
        acces.habilitation_locale().peut("tout_effacer")


def test_mode_local_ouvre_tout():
    h = acces.habilitation_locale()
    assert h.locale and all(h.voit(v) for v in acces.VUES) and all(h.peut(a) for a in acces.ACTIONS)


# --- Identification --------------------------------------------------------------------------------------


def test_identite_proconnect():
    ident = acces.identite(
        {
            "sub": "abc",
            "email": "Dir14@Example.org",
            "siret": "12345678900011",
            "organizational_unit": "Direction",
            "iss": "https://auth.agentconnect.gouv.fr/api/v2",
        }
    )
    assert ident == Identite("abc", "dir14@example.org", "12345678900011", "Direction", ident.fournisseur, ())
    assert acces.identite({"email": "a@b.fr"}).manquants == ("sub", "siret")


def test_personne_reconnue_par_email_avec_siret_concordant():
    h = acces.habiliter(
        registre(), acces.identite({"sub": "s1", "email": "dir14@example.org", "siret": "12345678900011"})
    )
    assert (h.role, h.ali, h.sujet, h.organisation, h.avertissements) == (
        "direction_ali",
        "ALI14",
        "s1",
        "12345678900011",
        (),
    )


def test_siret_absent_du_jeton_repli_sur_l_email_et_on_le_dit():
    h = acces.habiliter(registre(), acces.identite({"sub": "s1", "email": "dir14@example.org"}))
    assert h.role == "direction_ali"
    assert len(h.avertissements) == 1 and "« siret »" in h.avertissements[0] and "e-mail seul" in h.avertissements[0]


def test_siret_different_de_celui_du_fichier_refuse():
    ident = acces.identite({"sub": "s1", "email": "dir14@example.org", "siret": "99999999900011"})
    with pytest.raises(AccesRefuse, match="n'est pas celle que le fichier des rôles indique"):
        acces.habiliter(registre(), ident)


def test_personne_reconnue_par_sub_meme_si_l_email_change():
    h = acces.habiliter(registre(), acces.identite({"sub": "sujet-admin", "email": "nouveau@example.org"}))
    assert h.role == "administrateur_donnees"


def test_organisation_par_siret_et_unite():
    ident = {"sub": "s9", "email": "x@cg93.fr", "siret": "22930008201453"}
    assert acces.habiliter(registre(), acces.identite({**ident, "organizational_unit": "CABINET"})).role == "elu"
    with pytest.raises(AccesRefuse, match="Aucun rôle pour x@cg93.fr"):
        acces.habiliter(registre(), acces.identite({**ident, "organizational_unit": "Voirie"}))
    with pytest.raises(AccesRefuse, match="claim « siret » absent"):
        acces.habiliter(registre(), acces.identite({"sub": "s9", "email": "x@cg93.fr"}))


def test_inconnu_ou_sans_identifiant_refuse():
    with pytest.raises(AccesRefuse, match="Aucun rôle"):
        acces.habiliter(registre(), acces.identite({"sub": "z", "email": "inconnu@example.org"}))
    with pytest.raises(AccesRefuse, match="ni identifiant"):
        acces.habiliter(registre(), acces.identite({"name": "Sans Rien"}))


def test_pseudonyme_stable_propre_a_la_cle_et_sans_le_sujet():
    p = acces.pseudonyme("dir14@example.org", "cle-serveur")
    assert p == acces.pseudonyme("dir14@example.org", "cle-serveur")
    assert p != acces.pseudonyme("dir14@example.org", "autre-cle")
    assert p != acces.pseudonyme("dir15@example.org", "cle-serveur")
    assert len(p) == 16 and "dir14" not in p
    with pytest.raises(ValueError):
        acces.pseudonyme("x", "")


# --- Vérifier le fichier avant de le mettre en place : python -m insertion roles ---------------------------


def test_cli_roles_resume_un_fichier_valide(capsys):
    from insertion.outputs import cli

    assert cli.main(["roles", str(ROOT / "data" / "roles.exemple.toml")]) == 0
    sortie = capsys.readouterr().out
    assert "3 personne(s), 1 organisation(s)." in sortie
    assert "Élu·e : 1" in sortie and "Direction d'ALI : 1" in sortie


def test_cli_roles_refuse_un_fichier_fautif_avec_le_message_du_demarrage(tmp_path, capsys):
    from insertion.outputs import cli

    chemin = tmp_path / "roles.toml"
    chemin.write_text('[[personne]]\nemail = "a@b.fr"\nrole = "chef"\n', encoding="utf-8")
    assert cli.main(["roles", str(chemin)]) == 2
    assert "rôle inconnu « chef »" in capsys.readouterr().err
