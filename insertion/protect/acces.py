"""Qui peut voir et faire quoi : rôles, fichier des rôles du Département, identification OIDC (issue 13).

Sans Streamlit : la CLI, les tests et la couche de session (insertion/present/connexion.py) partagent ces règles.

Le fichier des rôles (TOML, chemin $INSERTION_ROLES, sinon data/roles.toml ; exemple commenté dans
data/roles.exemple.toml) donne un rôle à une personne (`[[personne]]`, par e-mail ou par sujet OIDC) ou à
toute une organisation (`[[organisation]]`, par SIRET et, si besoin, unité). Le Département ajoute une
personne sans toucher au code. Toute anomalie du fichier lève FichierRolesInvalide avec un message en
français qui la situe : l'application refuse alors tout accès plutôt que d'en ouvrir un au hasard.

Les droits de chaque rôle tiennent dans une seule table, DROITS : la navigation, le contrôle des pages et
celui des écritures la lisent tous. Un rôle n'élargit jamais le secret statistique : aucun droit n'en
dispense (insertion/protect/secret.py reste la seule fonction qui masque).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from insertion.config import DATA_DIR

# --- Rôles et droits ----------------------------------------------------------------------------------

DEPARTEMENT = "departement"
DIRECTION_ALI = "direction_ali"
ELU = "elu"
ADMINISTRATEUR = "administrateur_donnees"

LIBELLES_ROLES = {
    DEPARTEMENT: "Département",
    DIRECTION_ALI: "Direction d'ALI",
    ELU: "Élu·e",
    ADMINISTRATEUR: "Administrateur·rice des données",
}

# Les vues, dans l'ordre de la navigation : clé → (fichier, titre affiché par la page, chemin d'URL).
VUES = {
    "vue_ensemble": ("pages/vue_ensemble.py", "Vue d'ensemble", ""),
    "beneficiaires": ("pages/beneficiaires.py", "Bénéficiaires suivis", "beneficiaires"),
    "diagnostics": ("pages/diagnostics.py", "Diagnostics", "diagnostics"),
    "sorties": ("pages/sorties.py", "Sorties vers l'emploi", "sorties"),
    "partenaires": ("pages/partenaires.py", "Partenaires et emploi", "partenaires"),
    "actions_collectives": ("pages/actions_collectives.py", "Actions collectives", "actions-collectives"),
    "freins_reseau": ("pages/freins_reseau.py", "Freins et réseau", "freins-reseau"),
    "budget": ("pages/budget.py", "Budget", "budget"),
    "moyens": ("pages/moyens.py", "Moyens", "moyens"),
    "comparer": ("pages/comparer.py", "Comparer les territoires", "comparer"),
    "qualite": ("pages/qualite.py", "Qualité des données", "qualite"),
    "importer": ("pages/importer.py", "Importer", "importer"),
    "journal": ("pages/journal.py", "Journal d'audit", "journal"),
}
INDICATEURS = frozenset(
    {
        "vue_ensemble",
        "beneficiaires",
        "diagnostics",
        "sorties",
        "partenaires",
        "actions_collectives",
        "freins_reseau",
        "budget",
        "moyens",
        "comparer",
    }  # fmt: skip
)

# Ce qu'on peut faire, en plus de voir.
EXPORTER = "exporter"  # tableaux en CSV / Excel
NOTE = "note"  # note de synthèse PDF
IMPORTER = "importer"  # charger un fichier, confirmer un remplacement : toute écriture dans la base
HISTORIQUE = "historique"  # l'historique des chargements
JOURNAL = "journal"  # lire et exporter le journal d'audit
ACTIONS = frozenset({EXPORTER, NOTE, IMPORTER, HISTORIQUE, JOURNAL})


@dataclass(frozen=True)
class Droits:
    vues: frozenset[str]
    actions: frozenset[str]
    # Détail protégé (page Qualité, lignes rejetées) : "tout", "sa_ali" (celle de la personne) ou None.
    detail_protege: str | None


# La seule table des droits (issue 13). « direction_ali » : le détail protégé de sa seule ALI, appliqué aux
# requêtes elles-mêmes (`restreindre`, appelée par app.Contexte.sql), pas seulement à l'écran.
DROITS: dict[str, Droits] = {
    DEPARTEMENT: Droits(INDICATEURS | {"qualite"}, frozenset({EXPORTER, NOTE}), "tout"),
    DIRECTION_ALI: Droits(INDICATEURS | {"qualite"}, frozenset({EXPORTER, NOTE}), "sa_ali"),
    ELU: Droits(frozenset({"vue_ensemble", "comparer"}), frozenset({NOTE}), None),
    ADMINISTRATEUR: Droits(frozenset(VUES), ACTIONS, "tout"),
}
ROLES = tuple(DROITS)

# --- Le fichier des rôles -----------------------------------------------------------------------------

CHAMPS_PERSONNE = {"email", "sub", "role", "ali", "siret", "nom"}
CHAMPS_ORGANISATION = {"siret", "unite", "role", "ali", "nom"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SIRET = re.compile(r"^\d{14}$")
_ALI = re.compile(r"^ALI\d{2}$")


class FichierRolesInvalide(ValueError):
    """Le fichier des rôles est absent, illisible ou incohérent : aucun accès n'est ouvert."""


@dataclass(frozen=True)
class Entree:
    """Une ligne du fichier : une personne ou une organisation et son rôle."""

    role: str
    email: str | None = None
    sub: str | None = None
    siret: str | None = None
    unite: str | None = None
    ali: str | None = None
    nom: str | None = None
    origine: str = ""  # « personne n° 3 » : pour les messages


@dataclass(frozen=True)
class Registre:
    personnes: tuple[Entree, ...]
    organisations: tuple[Entree, ...]
    chemin: Path | None = None


def chemin_roles() -> Path:
    """$INSERTION_ROLES, sinon data/roles.toml."""
    env = os.environ.get("INSERTION_ROLES", "").strip()
    return Path(env) if env else DATA_DIR / "roles.toml"


def _siret(texte: str) -> str:
    return re.sub(r"[\s.]", "", texte)


def _entree(brute: object, genre: str, rang: int, problemes: list[str]) -> Entree | None:
    origine = f"{genre} n° {rang}"
    if not isinstance(brute, dict):
        problemes.append(f"{origine} : une table [[{genre}]] est attendue.")
        return None
    champs = CHAMPS_PERSONNE if genre == "personne" else CHAMPS_ORGANISATION
    inconnus = sorted(set(brute) - champs)
    if inconnus:
        problemes.append(
            f"{origine} : champ(s) inconnu(s) {', '.join(inconnus)} (champs possibles : {', '.join(sorted(champs))})."
        )
    valeurs: dict[str, str | None] = {}
    for cle in champs:
        valeur = brute.get(cle)
        if valeur is not None and not isinstance(valeur, str):
            problemes.append(f"{origine} : « {cle} » doit être du texte entre guillemets.")
            valeur = None
        valeurs[cle] = valeur.strip() if isinstance(valeur, str) and valeur.strip() else None
    role = valeurs["role"]
    if role is None:
        problemes.append(f"{origine} : rôle manquant (rôles possibles : {', '.join(ROLES)}).")
    elif role not in DROITS:
        problemes.append(f"{origine} : rôle inconnu « {role} » (rôles possibles : {', '.join(ROLES)}).")
    if valeurs["siret"] is not None:
        valeurs["siret"] = _siret(valeurs["siret"])
        if not _SIRET.match(valeurs["siret"]):
            problemes.append(f"{origine} : SIRET « {brute['siret']} » invalide (14 chiffres attendus).")
    if genre == "personne":
        if valeurs["email"] is None and valeurs["sub"] is None:
            problemes.append(f"{origine} : il faut un « email » ou un « sub » pour reconnaître la personne.")
        if valeurs["email"] is not None:
            valeurs["email"] = valeurs["email"].lower()
            if not _EMAIL.match(valeurs["email"]):
                problemes.append(f"{origine} : adresse e-mail « {brute['email']} » invalide.")
    elif valeurs["siret"] is None and "siret" not in brute:
        problemes.append(f"{origine} : « siret » manquant.")
    if valeurs["ali"] is not None:
        valeurs["ali"] = valeurs["ali"].upper()
        if not _ALI.match(valeurs["ali"]):
            problemes.append(f"{origine} : code d'ALI « {brute['ali']} » invalide (par ex. ALI14).")
    if role == DIRECTION_ALI and valeurs["ali"] is None:
        problemes.append(f"{origine} : le rôle direction_ali demande le code de son ALI (« ali »).")
    if role is None or role not in DROITS:
        return None
    return Entree(
        role=role,
        email=valeurs.get("email"),
        sub=valeurs.get("sub"),
        siret=valeurs.get("siret"),
        unite=valeurs.get("unite"),
        ali=valeurs["ali"],
        nom=valeurs["nom"],
        origine=origine,
    )


def lire_texte(texte: str, chemin: Path | None = None) -> Registre:
    """Le registre d'un fichier des rôles déjà lu ; FichierRolesInvalide avec tous les problèmes trouvés."""
    nom = f"« {chemin} »" if chemin else "Le fichier des rôles"
    try:
        contenu = tomllib.loads(texte)
    except tomllib.TOMLDecodeError as exc:
        raise FichierRolesInvalide(f"Fichier des rôles {nom} illisible (syntaxe TOML) : {exc}.") from exc
    problemes: list[str] = []
    inconnues = sorted(set(contenu) - {"personne", "organisation"})
    if inconnues:
        problemes.append(f"section(s) inconnue(s) {', '.join(inconnues)} (attendu : [[personne]], [[organisation]]).")
    listes = {}
    for genre in ("personne", "organisation"):
        brutes = contenu.get(genre, [])
        if not isinstance(brutes, list):
            problemes.append(f"« {genre} » doit s'écrire [[{genre}]] (une table par {genre}).")
            brutes = []
        listes[genre] = [e for rang, b in enumerate(brutes, 1) if (e := _entree(b, genre, rang, problemes))]
    personnes, organisations = listes["personne"], listes["organisation"]
    if not problemes and not personnes and not organisations:
        raise FichierRolesInvalide(
            f"Fichier des rôles {nom} vide : aucune [[personne]] ni [[organisation]]. Personne ne peut se connecter."
        )
    vus: dict[tuple[str, str], str] = {}
    for e in personnes:
        for cle in ("email", "sub"):
            valeur = getattr(e, cle)
            if valeur is None:
                continue
            if (cle, valeur) in vus:
                problemes.append(f"{e.origine} : personne en double ({cle} « {valeur} », déjà en {vus[cle, valeur]}).")
            vus.setdefault((cle, valeur), e.origine)
    for e in organisations:
        cle = ("organisation", f"{e.siret}|{(e.unite or '').casefold()}")
        if cle in vus:
            problemes.append(f"{e.origine} : organisation en double (SIRET {e.siret}, déjà en {vus[cle]}).")
        vus.setdefault(cle, e.origine)
    if problemes:
        raise FichierRolesInvalide(f"Fichier des rôles {nom} refusé :\n- " + "\n- ".join(problemes))
    return Registre(tuple(personnes), tuple(organisations), chemin)


def lire_roles(chemin: Path | str | None = None) -> Registre:
    """Le fichier des rôles ($INSERTION_ROLES, sinon data/roles.toml), validé en entier."""
    chemin = Path(chemin) if chemin else chemin_roles()
    try:
        texte = chemin.read_bytes().decode("utf-8")
    except FileNotFoundError as exc:
        raise FichierRolesInvalide(
            f"Fichier des rôles « {chemin} » introuvable : créez-le (modèle : data/roles.exemple.toml) "
            "ou indiquez son chemin dans $INSERTION_ROLES."
        ) from exc
    except OSError as exc:
        raise FichierRolesInvalide(f"Fichier des rôles « {chemin} » illisible : {exc.strerror or exc}.") from exc
    except UnicodeDecodeError as exc:
        raise FichierRolesInvalide(f"Fichier des rôles « {chemin} » illisible : il doit être en UTF-8.") from exc
    return lire_texte(texte, chemin)


# --- Identification par les claims OIDC -----------------------------------------------------------------


@dataclass(frozen=True)
class Identite:
    """Ce que le jeton d'identité dit de la personne. `manquants` : claims utiles absents du jeton."""

    sub: str | None
    email: str | None
    siret: str | None
    unite: str | None
    fournisseur: str | None = None
    manquants: tuple[str, ...] = ()


def _texte(claims: Mapping, cle: str) -> str | None:
    valeur = claims.get(cle)
    return valeur.strip() if isinstance(valeur, str) and valeur.strip() else None


def identite(claims: Mapping) -> Identite:
    """L'identité d'une personne connectée, d'après les claims du jeton d'identité (st.user).

    ProConnect met l'organisation dans `siret` et `organizational_unit` ; Streamlit ne garde que les
    claims du jeton d'identité : s'ils n'y sont pas, l'identification se replie sur l'e-mail (voir
    `Habilitation.avertissements`).
    """
    email = _texte(claims, "email")
    siret = _texte(claims, "siret")
    ident = Identite(
        sub=_texte(claims, "sub"),
        email=email.lower() if email else None,
        siret=_siret(siret) if siret else None,
        unite=_texte(claims, "organizational_unit"),
        fournisseur=_texte(claims, "iss"),
    )
    manquants = tuple(c for c, v in (("sub", ident.sub), ("email", ident.email), ("siret", ident.siret)) if v is None)
    return replace(ident, manquants=manquants)


class AccesRefuse(PermissionError):
    """La personne n'a pas de rôle, ou son rôle ne permet pas ce qu'elle demande. Message en français."""


@dataclass(frozen=True)
class Habilitation:
    """Une personne reconnue et ce qu'elle peut faire."""

    role: str
    sujet: str  # identifiant stable de la personne (sub, sinon e-mail) : pseudonymisé avant tout journal
    organisation: str | None  # SIRET (et unité), pour le journal
    ali: str | None = None
    locale: bool = False  # mode local : pas de connexion, tout est ouvert
    avertissements: tuple[str, ...] = field(default=())

    @property
    def droits(self) -> Droits:
        return DROITS[self.role]

    @property
    def libelle_role(self) -> str:
        return LIBELLES_ROLES[self.role]

    def voit(self, vue: str) -> bool:
        if vue == "qualite" and self.droits.detail_protege is None:
            return False
        if vue == "qualite" and self.droits.detail_protege == "sa_ali" and not self.ali:
            return False  # « sa_ali » sans ALI : rien à montrer (le fichier des rôles l'interdit déjà)
        return vue in self.droits.vues

    def peut(self, action: str) -> bool:
        if action not in ACTIONS:
            raise ValueError(f"Action inconnue : {action}")
        return action in self.droits.actions

    def exiger(self, action: str) -> None:
        """Lève AccesRefuse si le rôle ne permet pas l'action : à appeler dans la fonction qui agit."""
        if not self.peut(action):
            raise AccesRefuse(f"Votre rôle ({self.libelle_role}) ne permet pas cette action ({action}).")


# Requêtes du détail protégé (page Qualité) : lignes rejetées, quarantaine, fraîcheur et complétude par ALI.
# L'historique des chargements (tous fichiers, toutes ALI) demande en plus le droit HISTORIQUE.
DETAIL_PROTEGE = frozenset(
    {"qualite_rejets", "qualite_quarantaine", "qualite_fraicheur", "qualite_completude", "qualite_chargements"}
)
REQUETES_HISTORIQUE = frozenset({"qualite_chargements"})


def restreindre(h: Habilitation, requete: str, params: dict) -> dict:
    """Les paramètres d'une requête de queries/, restreints à ce que le rôle peut voir ; AccesRefuse sinon.

    La couche qui sert les résultats (app.Contexte.sql) l'appelle pour chaque requête : une page qui
    oublierait un filtre ne montre pas plus. « sa_ali » remplace le filtre d'ALI par la seule ALI de la
    personne (ou par aucune si le filtre demandé ne la contient pas) ; les filtres d'EPT et de commune
    restent, ils ne peuvent que restreindre encore. Le secret statistique n'est pas touché ici.
    """
    if requete not in DETAIL_PROTEGE:
        return params
    if requete in REQUETES_HISTORIQUE and not h.peut(HISTORIQUE):
        raise AccesRefuse(f"Votre rôle ({h.libelle_role}) ne donne pas accès à l'historique des chargements.")
    niveau = h.droits.detail_protege
    if niveau == "tout":
        return params
    if niveau == "sa_ali" and h.ali and "alis" in params:
        demandees = params["alis"]
        return {**params, "alis": [h.ali] if demandees is None or h.ali in demandees else []}
    raise AccesRefuse(f"Votre rôle ({h.libelle_role}) ne donne pas accès à ce détail ({requete}).")


def habilitation_locale() -> Habilitation:
    """Le mode local (aucune connexion configurée) : une personne, sur sa machine, qui peut tout faire."""
    return Habilitation(role=ADMINISTRATEUR, sujet="local", organisation=None, locale=True)


def _avertissement_repli(ident: Identite) -> tuple[str, ...]:
    if "siret" in ident.manquants:
        return (
            "Le jeton d'identité ne contient pas le claim « siret » (organisation) : identification par "
            "l'e-mail seul. Demandez le scope « siret » au fournisseur d'identité.",
        )
    return ()


def habiliter(registre: Registre, ident: Identite) -> Habilitation:
    """Le rôle d'une personne connectée, d'après le fichier des rôles ; AccesRefuse si elle n'en a aucun.

    Une `[[personne]]` l'emporte sur une `[[organisation]]`. Une personne est reconnue par son `sub` s'il est
    donné des deux côtés, sinon par son e-mail ; si le fichier lui donne un SIRET et que le jeton en porte
    un autre, elle a changé d'organisation : refus. Sans claim `siret`, seules les lignes `[[personne]]`
    peuvent la reconnaître (repli sur l'e-mail, dit dans `avertissements`).
    """
    sujet = ident.sub or ident.email
    if sujet is None:
        raise AccesRefuse("Le fournisseur d'identité n'a transmis ni identifiant (sub) ni e-mail : accès refusé.")
    organisation = ident.siret + (f" / {ident.unite}" if ident.unite else "") if ident.siret else None
    for e in registre.personnes:
        if (e.sub is not None and e.sub == ident.sub) or (e.email is not None and e.email == ident.email):
            if e.siret is not None and ident.siret is not None and e.siret != ident.siret:
                raise AccesRefuse(
                    f"Votre organisation (SIRET {ident.siret}) n'est pas celle que le fichier des rôles indique "
                    f"pour vous : accès refusé. Demandez au Département de mettre à jour {e.origine}."
                )
            return Habilitation(e.role, sujet, organisation, e.ali, avertissements=_avertissement_repli(ident))
    if ident.siret is not None:
        for e in registre.organisations:
            if e.siret == ident.siret and (e.unite is None or (ident.unite or "").casefold() == e.unite.casefold()):
                return Habilitation(e.role, sujet, organisation, e.ali)
    qui = ident.email or ident.sub
    manque = " (le jeton ne dit pas votre organisation : claim « siret » absent)" if ident.siret is None else ""
    raise AccesRefuse(
        f"Aucun rôle pour {qui}{manque} dans le fichier des rôles du Département : accès refusé. "
        "Demandez à l'administrateur·rice des données de vous ajouter."
    )


def pseudonyme(sujet: str, cle: str) -> str:
    """Sujet pseudonymisé pour le journal d'audit : HMAC-SHA256 avec une clé du serveur, 16 caractères.

    Stable pour une même personne (on suit ses actions), impossible à inverser sans la clé.
    """
    if not cle:
        raise ValueError("Clé de pseudonymisation vide.")
    return hmac.new(cle.encode(), sujet.encode(), hashlib.sha256).hexdigest()[:16]
