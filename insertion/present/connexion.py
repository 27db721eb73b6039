"""La session : qui est connecté·e, avec quel rôle, et le contrôle des pages et des écritures (issue 13).

Connexion OpenID Connect par `st.login` / `st.user` (Authlib), réglée dans `.streamlit/secrets.toml`,
section `[auth]`. Sans cette section, l'application est en **mode local** : pas de connexion, tout ouvert,
avec un bandeau qui le dit ; ce mode n'est accepté que si le serveur n'écoute que la machine elle-même
(`server.address` localhost ou 127.0.0.1), sauf si `INSERTION_MODE_LOCAL_RESEAU=1` l'autorise
explicitement (une démonstration sur un réseau de confiance, par exemple).

Tout doute ferme l'accès : fichier des rôles fautif, secrets.toml illisible, personne sans rôle, session
trop ancienne. Les règles elles-mêmes (rôles, droits, identification) sont dans insertion/protect/acces.py.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import streamlit as st

from insertion.protect import acces, audit
from insertion.protect.acces import AccesRefuse, Habilitation

_LOG = logging.getLogger(__name__)
T = TypeVar("T")
# L'habilitation vérifiée par `garder` au début de l'exécution de la page, pour les décisions d'affichage
# (`peut`, une vingtaine d'appels par page) : chaque exécution a son propre fil, qui ne la partage pas.
_page = threading.local()

BANDEAU_LOCAL = "Mode local : pas de connexion, toutes les fonctions ouvertes"
VARIABLE_RESEAU = "INSERTION_MODE_LOCAL_RESEAU"
VARIABLE_DUREE = "INSERTION_SESSION_HEURES"
DUREE_SESSION_HEURES = 8.0  # une journée de travail : au-delà, on se reconnecte
ADRESSES_LOCALES = frozenset({"localhost", "127.0.0.1", "::1"})


class ConfigurationRefusee(RuntimeError):
    """Réglage qui ne permet pas de servir l'application sans risque : rien n'est montré."""


class SessionExpiree(AccesRefuse):
    """La connexion date de plus que la durée de session : il faut se reconnecter."""


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


def exiger(action: str) -> Habilitation:
    """Contrôle côté serveur, dans la fonction qui agit : AccesRefuse si la session ne le permet pas.

    Appelé par toute écriture (insertion.present.qualite.importer) : une requête forgée qui atteindrait la fonction
    sans passer par la page est refusée de même. Hors d'une session Streamlit avec [auth], personne n'est
    connecté : refus."""
    try:
        h = habilitation()
    except (ConfigurationRefusee, acces.FichierRolesInvalide) as exc:
        raise AccesRefuse(str(exc)) from exc
    if h is None:
        raise AccesRefuse("Connexion requise.")
    try:
        h.exiger(action)
    except AccesRefuse:
        _noter_refus(h, detail=f"action refusée : {action}")
        raise
    return h


def _session_id() -> str | None:
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else None


def courante() -> Habilitation | None:
    """L'habilitation de la page en cours (vérifiée par `garder`), sinon relue ; None sans session valide."""
    session, h = getattr(_page, "habilitation", (None, None))
    if h is not None and session == _session_id():
        return h
    try:
        return habilitation()
    except (ConfigurationRefusee, acces.FichierRolesInvalide, AccesRefuse):
        return None


def peut(action: str) -> bool:
    """Pour l'affichage (montrer un bouton ou non) ; l'écriture, elle, appelle `exiger`, qui revérifie tout."""
    h = courante()
    return h is not None and h.peut(action)


def restreindre(requete: str, params: dict) -> dict:
    """acces.restreindre pour la session en cours ; sans session valide, aucune requête protégée ne passe."""
    h = courante()
    if h is None:
        if requete in acces.DETAIL_PROTEGE:
            raise AccesRefuse("Connexion requise.")
        return params
    return acces.restreindre(h, requete, params)


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
    """À l'ouverture de chaque page (app.preparer) : connexion, rôle, droit de voir cette vue.

    Arrête la page (st.stop) avec un message clair au lieu de la servir quand quelque chose manque :
    un lien direct vers une page interdite est refusé ici, même si la navigation ne la montre pas."""
    _page.habilitation = (None, None)
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
        _noter_refus(h, vue=titre_page, detail="page inconnue des droits")
        _refus(f"Page inconnue des droits d'accès ({titre_page}) : accès refusé.", titre)
    if vue is not None and not h.voit(vue):
        _noter_refus(h, vue=titre_page, detail="page non permise au rôle")
        _refus(f"Votre rôle ({h.libelle_role}) ne donne pas accès à la page « {titre_page} ».", titre)
    if not h.locale and st.session_state.get("_journal_connecte") != h.sujet:
        try:  # une fois par session : qui s'est connecté, et si l'identification s'est repliée sur l'e-mail
            journaliser(h, "connexion", detail=" ".join(h.avertissements) or None)
        except JournalIndisponible as exc:
            _refus(str(exc) + " Rien n'est affiché sans trace : prévenez l'administrateur·rice des données.", titre)
        st.session_state["_journal_connecte"] = h.sujet
    _page.habilitation = (_session_id(), h)
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


# --- Journal d'audit --------------------------------------------------------------------------------------


class JournalIndisponible(RuntimeError):
    """Le journal d'audit ne peut pas être écrit : avec connexion, rien n'est servi sans trace."""


def _cle_pseudonyme() -> str:
    """$INSERTION_AUDIT_CLE, sinon le cookie_secret de [auth] (secret du serveur, déjà obligatoire)."""
    cle = os.environ.get("INSERTION_AUDIT_CLE", "").strip()
    if cle:
        return cle
    section = st.secrets.get("auth", {}) if auth_configuree_sans_erreur() else {}
    return str(section.get("cookie_secret") or "mode-local")


def auteur(h: Habilitation) -> audit.Auteur:
    return audit.Auteur(acces.pseudonyme(h.sujet, _cle_pseudonyme()), h.role, h.organisation)


def journaliser(
    h: Habilitation | audit.Auteur,
    action: str,
    *,
    vue: str | None = None,
    filtres: Iterable[tuple[str, str]] | None = None,
    detail: str | None = None,
    locale: bool | None = None,
) -> None:
    """Une ligne au journal. En mode local, une panne du journal est seulement consignée dans les traces du
    serveur ; avec connexion, elle lève JournalIndisponible : l'appelant ne sert pas sans trace."""
    qui = auteur(h) if isinstance(h, Habilitation) else h
    locale = h.locale if isinstance(h, Habilitation) else bool(locale)
    try:
        audit.enregistrer(qui, action, vue=vue, filtres=filtres, detail=detail)
    except Exception as exc:
        if locale:
            _LOG.warning("Journal d'audit non écrit (mode local) : %s", exc)
            return
        raise JournalIndisponible(f"Journal d'audit indisponible : {exc}") from exc


def _noter_refus(h: Habilitation, *, vue: str | None = None, detail: str) -> None:
    """Un refus est servi même si le journal est en panne : il ne montre rien."""
    try:
        journaliser(h, "refus", vue=vue, detail=detail)
    except JournalIndisponible as exc:
        _LOG.error("%s (refus non journalisé : %s)", exc, detail)


def journaliser_action(action: str, *, vue: str, detail: str) -> None:
    """Une action faite depuis une page (import, confirmation) ; une panne du journal y est dite en clair."""
    h = habilitation()
    if h is None:
        return
    try:
        journaliser(h, action, vue=vue, detail=detail)
    except JournalIndisponible as exc:
        st.error(f"{exc} : cette action n'a pas été journalisée.")


def journaliser_vue(vue: str, filtres: Iterable[tuple[str, str]]) -> None:
    """La vue ouverte et ses filtres, une fois par changement (pas à chaque réexécution d'un widget)."""
    h = habilitation()
    if h is None:
        return
    filtres = list(filtres)
    cle = (vue, tuple(filtres))
    if st.session_state.get("_journal_derniere_vue") == cle:
        return
    try:
        journaliser(h, "vue", vue=vue, filtres=filtres)
    except JournalIndisponible as exc:
        st.error(str(exc) + " Rien n'est affiché sans trace : prévenez l'administrateur·rice des données.")
        st.stop()
    st.session_state["_journal_derniere_vue"] = cle


def trace(
    fabrique: Callable[[], T], action: str, *, vue: str, filtres: Iterable[tuple[str, str]] = (), detail: str = ""
) -> Callable[[], T]:
    """Un export construit au clic, journalisé au clic. L'auteur est lu maintenant (le clic est servi par un
    autre fil, sans session) ; si le journal ne peut pas être écrit, le fichier n'est pas produit."""
    h = habilitation()
    if h is None:
        raise AccesRefuse("Connexion requise.")
    qui, locale, filtres = auteur(h), h.locale, list(filtres)

    def avec_trace() -> T:
        journaliser(qui, action, vue=vue, filtres=filtres, detail=detail, locale=locale)
        return fabrique()

    return avec_trace
