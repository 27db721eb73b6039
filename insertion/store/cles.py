"""Le sel secret des clés de cellule et la colonne `cle_personne` des épisodes (issue 12).

Méthode et raisons : docs/secret-statistique.md (§ 5.1, § 5.8, § 7). Chaque épisode porte la clé de sa
personne, `cle_personne` : les 32 premiers bits de HMAC-SHA256(sel, « p| » + pseudonyme),
calculée en SQL au chargement (macro `cle_hmac` de queries/macros/perimetre.sql, pads liés en paramètres).

D'où vient le sel :
- de $INSERTION_SEL_SECRET s'il est défini (au moins 32 caractères ; il n'est alors jamais écrit dans la
  base : seule son empreinte l'est) ;
- sinon d'un sel aléatoire (`secrets.token_bytes`) tiré une fois et gardé dans la table meta (clé
  `sel_cles`). Qui tient la base tient de toute façon les valeurs exactes : le sel n'y apprend rien de plus.
  Les extractions, elles, circulent sans lui.

L'empreinte du sel (meta `empreinte_sel_cles`) dit avec quel sel les clés en place ont été calculées : si
le sel change (autre variable d'environnement, ou variable retirée), les clés sont recalculées à la
prochaine ouverture. Ni le sel ni les pads ne sont jamais affichés ni journalisés : aucune fonction d'ici
ne les écrit dans un message, et `Sel` ne se montre pas dans une trace (repr masqué).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import duckdb

# Les clés vivent dans [0, MODULE) : 32 bits laissent les sommes d'un million de clés loin de la limite
# d'un BIGINT en SQL, et rendent négligeable la chance que deux cellules voisines aient la même clé.
MODULE = 2**32
VARIABLE_SEL = "INSERTION_SEL_SECRET"
LONGUEUR_MIN_SEL = 32  # caractères : au moins 128 bits d'aléa si le sel est tiré au hasard (hexadécimal)


def sel_secret(environ: Mapping[str, str] | None = None) -> bytes:
    """Le sel des clés d'enregistrement, lu dans $INSERTION_SEL_SECRET.

    Il doit rester secret (sinon quiconque a une extraction calcule les clés, donc le bruit, et le retire)
    et stable (le changer redonne un nouveau bruit à toutes les cellules : deux versions publiées d'un même
    chiffre se moyennent)."""
    texte = (os.environ if environ is None else environ).get(VARIABLE_SEL, "")
    if not texte.strip():
        raise ValueError(
            f"Le sel du secret statistique manque : définissez {VARIABLE_SEL} (au moins {LONGUEUR_MIN_SEL} "
            "caractères tirés au hasard, gardés secrets et jamais changés ; voir docs/secret-statistique.md)."
        )
    if len(texte.strip()) < LONGUEUR_MIN_SEL:
        raise ValueError(
            f"Le sel du secret statistique est trop court : {VARIABLE_SEL} doit compter au moins "
            f"{LONGUEUR_MIN_SEL} caractères tirés au hasard."
        )
    return texte.strip().encode("utf-8")


def _cle(sel: bytes, message: str) -> int:
    """Les 32 premiers bits (gros-boutiste) de HMAC-SHA256(sel, message UTF-8)."""
    return int.from_bytes(hmac.new(sel, message.encode("utf-8"), hashlib.sha256).digest()[:4], "big")


def cle_personne(id_beneficiaire: str, sel: bytes) -> int:
    """Clé d'une personne : HMAC-SHA256(sel, « p| » + pseudonyme). Le préfixe sépare les clés de personnes
    de celles d'épisodes (« | » n'apparaît jamais dans un pseudonyme du contrat)."""
    return _cle(sel, "p|" + id_beneficiaire)


def cle_episode(id_beneficiaire: str, code_ali: str, date_orientation: date, sel: bytes) -> int:
    """Clé d'un épisode, identifié comme dans le contrat par (pseudonyme, ALI, date d'orientation)."""
    return _cle(sel, f"e|{id_beneficiaire}|{code_ali}|{date_orientation.isoformat()}")


def pads_hmac(sel: bytes) -> tuple[bytes, bytes]:
    """(ipad, opad) de HMAC-SHA256 pour ce sel, à lier en paramètres d'une requête : en SQL,
    sha256($opad || unhex(sha256($ipad || encode(message)))) vaut HMAC-SHA256(sel, message)."""
    cle = hashlib.sha256(sel).digest() if len(sel) > 64 else sel
    cle = cle.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in cle), bytes(b ^ 0x5C for b in cle)


def cle_cellule(cles: Iterable[int]) -> int:
    """Somme des clés des enregistrements de la cellule, modulo MODULE (0 pour une cellule vide)."""
    return sum(int(c) for c in cles) % MODULE


def cle_complement(cle_ensemble: int, cle_partie: int) -> int:
    """Clé de l'ensemble privé d'une de ses parties (ceux qui ne sont pas sortis en emploi, par exemple)."""
    return (int(cle_ensemble) - int(cle_partie)) % MODULE


CLE_META_SEL = "sel_cles"
CLE_META_EMPREINTE = "empreinte_sel_cles"
OCTETS_SEL_ALEATOIRE = 32  # 256 bits, bien au-delà des 128 que demande LONGUEUR_MIN_SEL

# Les clés des épisodes courants, recalculées d'un bloc. Pads liés : le sel n'apparaît jamais dans le texte
# d'une requête (ni donc dans un journal de requêtes ou un message d'erreur de DuckDB).
# Les fichiers du §7 qui nomment des personnes (mises en relation, participations) prennent la même clé de
# personne ; une séance d'action collective, une clé de séance (« a| » + structure + id_action) : ses effectifs
# déclarés (participants, personnes remobilisées) n'ont pas de membres nommés, la séance en tient lieu.
_CLES = (
    ("episodes", "cle_personne", "'p|' || id_beneficiaire"),
    ("mises_en_relation", "cle_personne", "'p|' || id_beneficiaire"),
    ("participations", "cle_personne", "'p|' || id_beneficiaire"),
    ("actions_collectives", "cle_action", "'a|' || code_structure || '|' || id_action"),
)
_RECALCUL = tuple(
    f"UPDATE {table} SET {colonne} = cle_hmac({message}, $ipad, $opad)" for table, colonne, message in _CLES
)
_COMPLETER = tuple(
    f"{requete} WHERE {colonne} IS NULL" for requete, (_t, colonne, _m) in zip(_RECALCUL, _CLES, strict=True)
)


@dataclass(frozen=True)
class Sel:
    """Le sel et d'où il vient ('environnement' ou 'base'). Jamais affiché : repr ne montre que l'origine."""

    valeur: bytes = field(repr=False)
    origine: str

    def empreinte(self) -> str:
        """Identifie le sel sans le révéler : HMAC du sel sur un libellé fixe (le sel a au moins 128 bits
        d'aléa, l'empreinte ne permet pas de le retrouver)."""
        return hmac.new(self.valeur, b"insertion:empreinte-sel-cles", hashlib.sha256).hexdigest()[:32]

    def pads(self) -> dict[str, bytes]:
        """Les paramètres $ipad et $opad de la macro cle_hmac."""
        ipad, opad = pads_hmac(self.valeur)
        return {"ipad": ipad, "opad": opad}


def _meta(con: duckdb.DuckDBPyConnection, cle: str) -> str | None:
    lignes = con.execute("SELECT valeur FROM meta WHERE cle = $cle", {"cle": cle}).fetchall()
    return lignes[0][0] if lignes else None


def _ecrire_meta(con: duckdb.DuckDBPyConnection, cle: str, valeur: str) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES ($cle, $valeur)", {"cle": cle, "valeur": valeur})


def sel_environnement(environ: Mapping[str, str] | None = None) -> Sel | None:
    """Le sel de $INSERTION_SEL_SECRET, None s'il n'est pas défini (ValueError s'il est trop court)."""
    environ = os.environ if environ is None else environ
    if not environ.get(VARIABLE_SEL, "").strip():
        return None
    return Sel(sel_secret(environ), "environnement")


def sel_lu(con: duckdb.DuckDBPyConnection, environ: Mapping[str, str] | None = None) -> Sel | None:
    """Le sel en vigueur sans rien écrire (connexion en lecture) : celui de l'environnement, sinon celui de
    la base ; None si aucun des deux n'existe encore."""
    sel = sel_environnement(environ)
    if sel is not None:
        return sel
    texte = _meta(con, CLE_META_SEL)
    return Sel(bytes.fromhex(texte), "base") if texte else None


def sel(con: duckdb.DuckDBPyConnection, environ: Mapping[str, str] | None = None) -> Sel:
    """Le sel en vigueur ; sans variable d'environnement ni sel en base, en tire un et le garde dans meta
    (connexion en écriture, dans la transaction de l'appelant)."""
    courant = sel_lu(con, environ)
    if courant is not None:
        return courant
    nouveau = Sel(secrets.token_bytes(OCTETS_SEL_ALEATOIRE), "base")
    _ecrire_meta(con, CLE_META_SEL, nouveau.valeur.hex())
    return nouveau


def a_jour(con: duckdb.DuckDBPyConnection, environ: Mapping[str, str] | None = None) -> bool:
    """Les clés en place ont-elles été calculées avec le sel en vigueur ? (lecture seule)"""
    courant = sel_lu(con, environ)
    return courant is not None and _meta(con, CLE_META_EMPREINTE) == courant.empreinte()


def preparer(
    con: duckdb.DuckDBPyConnection, *, tout_recalculer: bool = False, environ: Mapping[str, str] | None = None
) -> bool:
    """Met les clés des épisodes courants en accord avec le sel en vigueur (connexion en écriture) :
    toutes recalculées si le sel a changé depuis le dernier calcul (ou tout_recalculer : migration du
    schéma), sinon seulement celles qui manquent. Rend True quand toutes ont été recalculées."""
    courant = sel(con, environ)
    empreinte = courant.empreinte()
    recalcul = tout_recalculer or _meta(con, CLE_META_EMPREINTE) != empreinte
    for requete in _RECALCUL if recalcul else _COMPLETER:
        con.execute(requete, courant.pads())
    if recalcul:
        _ecrire_meta(con, CLE_META_EMPREINTE, empreinte)
    return recalcul
