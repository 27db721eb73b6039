"""La session : qui est connecté·e, avec quel rôle, et le contrôle des pages et des écritures (issue 13).

Connexion OpenID Connect par `st.login` / `st.user` (Authlib), réglée dans `.streamlit/secrets.toml`,
section `[auth]`. Sans cette section, l'application est en **mode local** : pas de connexion, tout ouvert,
avec un bandeau qui le dit ; ce mode n'est accepté que si le serveur n'écoute que la machine elle-même
(`server.address` localhost ou 127.0.0.1), sauf si `INSERTION_MODE_LOCAL_RESEAU=1` l'autorise
explicitement (une démonstration sur un réseau de confiance, par exemple).

Tout doute ferme l'accès : fichier des rôles fautif, secrets.toml illisible, personne sans rôle, session
trop ancienne. Les règles elles-mêmes (rôles, droits, identification) sont dans insertion/acces.py.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import streamlit as st

from insertion import acces
from insertion.acces import AccesRefuse, Habilitation

BANDEAU_LOCAL = "Mode local : pas de connexion, toutes les fonctions ouvertes"
VARIABLE_RESEAU = "INSERTION_MODE_LOCAL_RESEAU"
VARIABLE_DUREE = "INSERTION_SESSION_HEURES"
DUREE_SESSION_HEURES = 8.0  # une journée de travail : au-delà, on se reconnecte
ADRESSES_LOCALES = frozenset({"localhost", "127.0.0.1", "::1"})


class ConfigurationRefusee(RuntimeError):
    """Réglage qui ne permet pas de servir l'application sans risque : rien n'est montré."""


def auth_configuree() -> bool:
    """Vrai si secrets.toml a une section [auth]. Un secrets.toml présent mais illisible est une erreur :
    le prendre pour une absence ouvrirait tout (mode local)."""
    if st.secrets.load_if_toml_exists():
        return "auth" in st.secrets
    presents = [p for p in st.get_option("secrets.files") or [] if Path(p).exists()]
    if presents:
        raise ConfigurationRefusee(
            f"Le fichier de secrets « {presents[0]} » est illisible : corrigez-le (syntaxe TOML). "
            "Aucun accès n'est ouvert tant qu'il ne l'est pas."
        )
    return False


def verifier_mode_local() -> None:
    """Le mode local n'est servi qu'à la machine elle-même, sauf autorisation explicite."""
    adresse = (st.get_option("server.address") or "").strip()
    if adresse in ADRESSES_LOCALES or os.environ.get(VARIABLE_RESEAU, "").strip() == "1":
        return
    ecoute = f"« {adresse} »" if adresse else "toutes les interfaces (server.address non réglé)"
    raise ConfigurationRefusee(
        f"Démarrage refusé : le serveur écoute {ecoute} sans connexion configurée. Ajoutez une section [auth] "
        "à .streamlit/secrets.toml (voir le README), ou lancez avec --server.address localhost. Pour une "
        f"démonstration sur un réseau de confiance seulement : {VARIABLE_RESEAU}=1."
    )


def duree_session_s() -> float:
    """$INSERTION_SESSION_HEURES (« 8 », « 0,5 »), sinon 8 heures ; une valeur illisible compte pour le défaut."""
    texte = os.environ.get(VARIABLE_DUREE, "").strip().replace(",", ".")
    try:
        heures = float(texte) if texte else DUREE_SESSION_HEURES
    except ValueError:
        heures = DUREE_SESSION_HEURES
    return 3600 * (heures if heures > 0 else DUREE_SESSION_HEURES)


@st.cache_data(max_entries=4, show_spinner=False)
def _registre(chemin: str, version: int) -> acces.Registre:
    """Relu quand le fichier change (version = mtime) : le Département ajoute une personne sans redémarrer.
    Une erreur n'est pas mise en cache : elle est relevée à chaque page jusqu'à correction."""
    return acces.lire_roles(chemin)


def registre() -> acces.Registre:
    chemin = acces.chemin_roles()
    try:
        version = chemin.stat().st_mtime_ns
    except OSError:
        return acces.lire_roles(chemin)  # lève le message « introuvable » ou « illisible »
    return _registre(str(chemin), version)


def session_expiree(claims: dict) -> bool:
    """Vrai si la connexion (claim `iat` du jeton d'identité) date de plus que la durée de session.

    Le cookie de Streamlit vit 30 jours : c'est ici que la session d'un poste oublié ouvert prend fin.
    Sans `iat` (obligatoire en OIDC), la session est tenue pour expirée."""
    emis = claims.get("iat")
    if not isinstance(emis, int | float):
        return True
    return time.time() - float(emis) > duree_session_s()


def habilitation() -> Habilitation | None:
    """La personne de cette session, ou None si personne n'est connecté. Lève ConfigurationRefusee,
    FichierRolesInvalide ou AccesRefuse : l'appelant n'ouvre alors rien."""
    if not auth_configuree():
        verifier_mode_local()
        return acces.habilitation_locale()
    fichier = registre()  # validé avant toute connexion : un fichier fautif se voit dès l'accueil
    if not st.user.is_logged_in:
        return None
    claims = st.user.to_dict()
    if session_expiree(claims):
        raise SessionExpiree("Votre session a expiré : reconnectez-vous.")
    return acces.habiliter(fichier, acces.identite(claims))


class SessionExpiree(AccesRefuse):
    pass


def exiger(action: str) -> Habilitation:
    """Contrôle côté serveur, dans la fonction qui agit : AccesRefuse si la session ne le permet pas.

    Appelé par toute écriture (insertion.qualite.importer) : une requête forgée qui atteindrait la fonction
    sans passer par la page est refusée de même. Hors d'une session Streamlit avec [auth], personne n'est
    connecté : refus."""
    try:
        h = habilitation()
    except (ConfigurationRefusee, acces.FichierRolesInvalide) as exc:
        raise AccesRefuse(str(exc)) from exc
    if h is None:
        raise AccesRefuse("Connexion requise.")
    h.exiger(action)
    return h


def peut(action: str) -> bool:
    """Pour l'affichage (montrer un bouton ou non) ; l'écriture, elle, appelle `exiger`."""
    try:
        h = habilitation()
    except (ConfigurationRefusee, acces.FichierRolesInvalide, AccesRefuse):
        return False
    return h is not None and h.peut(action)


def vues_permises() -> frozenset[str]:
    """Les vues de la navigation ; aucune si la session n'est pas (ou mal) ouverte (la page d'accueil le dira)."""
    try:
        h = habilitation()
    except (ConfigurationRefusee, acces.FichierRolesInvalide, AccesRefuse):
        return frozenset()
    return frozenset() if h is None else frozenset(v for v in acces.VUES if h.voit(v))


def vue_de_titre(titre: str | None) -> str | None:
    for cle, (_fichier, titre_vue, _url) in acces.VUES.items():
        if titre_vue == titre:
            return cle
    return None


def _fournisseur() -> str | None:
    """`st.login()` pour la section [auth] simple ; le nom du premier fournisseur nommé ([auth.NOM]) sinon."""
    section = st.secrets.get("auth", {})
    if "server_metadata_url" in section or "client_id" in section:
        return None
    nommes = [cle for cle, valeur in section.items() if hasattr(valeur, "keys")]
    return nommes[0] if nommes else None


def _accueil_connexion(titre: str) -> None:
    st.title(titre)
    st.markdown(
        "Ce tableau de bord est réservé aux agents du Département, aux directions d'ALI et aux élu·e·s. "
        "Connectez-vous avec votre compte professionnel."
    )
    st.button("Se connecter", type="primary", icon=":material/login:", on_click=st.login, args=(_fournisseur(),))
    st.stop()


def _refus(message: str, titre: str) -> None:
    st.title(titre)
    st.error(message, icon=":material/block:")
    st.stop()


def garder(titre_page: str | None, titre: str) -> Habilitation:
    """À l'ouverture de chaque page (app.setup) : connexion, rôle, droit de voir cette vue.

    Arrête la page (st.stop) avec un message clair au lieu de la servir quand quelque chose manque :
    un lien direct vers une page interdite est refusé ici, même si la navigation ne la montre pas."""
    try:
        h = habilitation()
    except SessionExpiree as exc:
        st.logout()  # efface le cookie : la réexécution qui suit montre l'accueil de connexion
        _refus(str(exc), titre)
        raise AssertionError from exc  # st.stop() a levé ; pour les vérificateurs de types
    except (ConfigurationRefusee, acces.FichierRolesInvalide, AccesRefuse) as exc:
        if auth_configuree_sans_erreur() and st.user.is_logged_in:
            st.sidebar.button("Se déconnecter", icon=":material/logout:", on_click=st.logout, key="acces_deconnexion")
        _refus(str(exc), titre)
        raise AssertionError from exc
    if h is None:
        _accueil_connexion(titre)
        raise AssertionError
    if h.locale:
        # Un texte surligné plutôt qu'un st.warning : les avertissements de la page restent les siens.
        st.markdown(f":orange-background[:material/lock_open: **{BANDEAU_LOCAL}**]")
    else:
        _barre_personne(h)
    vue = vue_de_titre(titre_page)
    if vue is None and not h.locale:
        _refus(f"Page inconnue des droits d'accès ({titre_page}) : accès refusé.", titre)
    if vue is not None and not h.voit(vue):
        _refus(f"Votre rôle ({h.libelle_role}) ne donne pas accès à la page « {titre_page} ».", titre)
    return h


def auth_configuree_sans_erreur() -> bool:
    try:
        return auth_configuree()
    except ConfigurationRefusee:
        return False


def _barre_personne(h: Habilitation) -> None:
    qui = st.user.get("email") or st.user.get("name") or "compte connecté"
    ali = f" ({h.ali})" if h.ali else ""
    st.sidebar.caption(f"Connecté·e : {qui} · {h.libelle_role}{ali}")
    for avertissement in h.avertissements:
        st.sidebar.caption(avertissement)
    st.sidebar.button("Se déconnecter", icon=":material/logout:", on_click=st.logout, key="acces_deconnexion")
