"""Pseudonymes du Département et identifiants directs (contrat §3) : aucun des uns n'est pris pour les autres.

- Pseudonymes : pour chaque forme qu'un Département produit (HMAC-SHA256 tronqué en hexadécimal 16, 32
  ou 64, base64url de 22 ou 43 caractères sans « = », UUID avec ou sans tirets), au moins 1 000 000
  valeurs tirées sous 10 clés ou graines choisies par hypothesis, examinées par lots de 100 000 comme le
  fait le chargeur : aucune n'est signalée. Les lots hexadécimaux et UUID contiennent des milliers de
  valeurs à 10 chiffres de suite ou plus, celles que l'ancienne règle (bornée par les seuls non-chiffres)
  prenait pour un NIR ou un téléphone.
- Identifiants réels : NIR (clé juste, fausse ou absente ; Corse 2A/2B ; d'un seul tenant ou par groupes),
  téléphones (0X, +33, +33 (0), 0033, 33 ; d'un seul tenant ou par paires), e-mails, seuls dans une cellule
  ou dans un texte, dans n'importe quelle colonne, au milieu de vrais pseudonymes : tous signalés, à la bonne
  ligne, et le message de refus ne les répète jamais.
- Un chargement réel : une extraction de 2 000 lignes aux pseudonymes HMAC de plusieurs clés se charge.
"""

from __future__ import annotations

import base64
import csv
import functools
import hashlib
import hmac
import io
import re
import time
import uuid
from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from insertion.ingest import controles, formats_fichier, identifiants
from insertion.ingest.chargement import COLONNES_FILE_ACTIVE, charger_fichiers
from insertion.ingest.lecture import FichierRefuse
from tests.conftest import query_rows, write

LOT = 100_000
CLES = 10  # 10 lots de 100 000 : 1 000 000 de pseudonymes par forme
RAPIDE = {
    "derandomize": True,
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}


# ---------------------------------------------------------------- pseudonymes, par lots


def _hmac(cle: bytes, debut: int, n: int) -> np.ndarray:
    """Les condensés HMAC-SHA256 des rangs debut…debut+n (le numéro interne d'une personne), n × 32 octets."""
    base = hmac.new(cle, digestmod=hashlib.sha256)  # la clé préparée une fois, copiée pour chaque valeur

    def condense(rang: int) -> bytes:
        h = base.copy()
        h.update(str(rang).encode())
        return h.digest()

    sortie = b"".join(condense(i) for i in range(debut, debut + n))
    return np.frombuffer(sortie, dtype=np.uint8).reshape(n, 32)


def _hex(octets: np.ndarray) -> np.ndarray:
    """L'écriture hexadécimale minuscule de chaque ligne d'octets (n × 2k caractères ASCII)."""
    n = octets.shape[0]
    return np.frombuffer(octets.tobytes().hex().encode(), dtype=np.uint8).reshape(n, -1)


def _textes(caracteres: np.ndarray) -> pa.Array:
    """Un tableau pyarrow de n chaînes de même largeur, sans passer par des objets Python."""
    n, largeur = caracteres.shape
    offsets = np.arange(0, (n + 1) * largeur, largeur, dtype=np.int32)
    donnees = np.ascontiguousarray(caracteres).tobytes()
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(donnees)])


def _hex_hmac(largeur: int):
    def forme(cle: bytes, n: int) -> pa.Array:
        return _textes(_hex(_hmac(cle, 0, n))[:, :largeur])

    return forme


def _base64url(octets_gardes: int):
    """base64url sans « = » de chaque condensé tronqué, tout le lot d'un coup : chaque ligne complétée de
    zéros jusqu'à un multiple de 3 octets s'encode seule, et ses premiers caractères sont l'encodage sans
    remplissage (22 pour 16 octets, 43 pour 32)."""
    largeur = -(-octets_gardes * 4 // 3)

    def forme(cle: bytes, n: int) -> pa.Array:
        lignes = np.zeros((n, -(-octets_gardes // 3) * 3), dtype=np.uint8)
        lignes[:, :octets_gardes] = _hmac(cle, 0, n)[:, :octets_gardes]
        texte = np.frombuffer(base64.urlsafe_b64encode(lignes.tobytes()), dtype=np.uint8).reshape(n, -1)
        return _textes(texte[:, :largeur])

    return forme


def _uuid(tirets: bool):
    """Des UUID v4 (une table de correspondance tirée au hasard), la graine venant de la clé."""

    def forme(cle: bytes, n: int) -> pa.Array:
        octets = np.random.default_rng(list(cle)).integers(0, 256, size=(n, 16), dtype=np.uint8)
        octets[:, 6] = (octets[:, 6] & 0x0F) | 0x40
        octets[:, 8] = (octets[:, 8] & 0x3F) | 0x80
        h = _hex(octets)
        if not tirets:
            return _textes(h)
        tiret = np.full((n, 1), ord("-"), dtype=np.uint8)
        groupes = [h[:, :8], h[:, 8:12], h[:, 12:16], h[:, 16:20], h[:, 20:]]
        return _textes(np.hstack([g for groupe in groupes for g in (tiret, groupe)][1:]))

    return forme


FORMES = {
    "hex16": (_hex_hmac(16), r"[0-9a-f]{16}"),
    "hex32": (_hex_hmac(32), r"[0-9a-f]{32}"),
    "hex64": (_hex_hmac(64), r"[0-9a-f]{64}"),
    "base64url22": (_base64url(16), r"[A-Za-z0-9_-]{22}"),
    "base64url43": (_base64url(32), r"[A-Za-z0-9_-]{43}"),
    "uuid": (_uuid(True), r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"),
    "uuid_sans_tirets": (_uuid(False), r"[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}"),
}
# Les formes où une suite de 10 chiffres ou plus est fréquente (2 à 3 % des valeurs) : celles que l'ancienne
# règle refusait. En base64url, la même suite a une probabilité de (10/64)^10 : aucune dans un million.
LONGUES_SUITES = {"hex16", "hex32", "hex64", "uuid", "uuid_sans_tirets"}


def test_the_batches_are_what_they_claim():
    """Les lots vectorisés donnent bien ce que donnent hmac, base64 et uuid valeur par valeur."""
    cle = b"cle-du-departement"
    attendu = hmac.new(cle, b"0", hashlib.sha256)
    assert FORMES["hex16"][0](cle, 3)[0].as_py() == attendu.hexdigest()[:16]
    assert FORMES["hex64"][0](cle, 3)[0].as_py() == attendu.hexdigest()
    assert FORMES["base64url22"][0](cle, 3)[0].as_py() == base64.urlsafe_b64encode(attendu.digest()[:16]).decode()[:22]
    assert FORMES["base64url43"][0](cle, 3)[0].as_py() == base64.urlsafe_b64encode(attendu.digest()).decode()[:43]
    avec, sans = FORMES["uuid"][0](cle, 3)[1].as_py(), FORMES["uuid_sans_tirets"][0](cle, 3)[1].as_py()
    assert str(uuid.UUID(sans)) == avec and uuid.UUID(avec).version == 4


@pytest.mark.parametrize("forme", list(FORMES))
def test_a_million_pseudonyms_of_each_form_are_never_flagged(forme):
    fabrique, motif = FORMES[forme]
    cles: set[bytes] = set()
    longues_suites = 0

    # Sans réduction : réduire une clé ne dit rien ; l'échec cite les pseudonymes signalés eux-mêmes.
    @settings(max_examples=CLES, phases=[Phase.explicit, Phase.generate], **RAPIDE)
    @given(cle=st.binary(min_size=32, max_size=32))
    def lot(cle):
        nonlocal longues_suites
        valeurs = fabrique(cle, LOT)
        assert len(valeurs) == LOT and pc.all(pc.match_substring_regex(valeurs, f"^{motif}$")).as_py()
        table = pa.table({"id_beneficiaire": valeurs, "_ligne": pa.array(np.arange(LOT))})
        signales = identifiants.valeurs_identifiantes(table, max_lines=LOT)
        assert signales == [], [
            (nature, len(rangs), valeurs.take(rangs[:3]).to_pylist()) for _, nature, rangs in signales
        ]
        longues_suites += pc.sum(pc.match_substring_regex(valeurs, "[0-9]{10}")).as_py()
        cles.add(cle)

    lot()
    assert len(cles) * LOT >= 1_000_000
    if forme in LONGUES_SUITES:
        assert longues_suites > 1000, longues_suites


def test_find_identifying_values_stays_fast_on_a_million_pseudonyms():
    """La recherche travaille sur les valeurs distinctes avec pyarrow : un million de pseudonymes de 16
    caractères hexadécimaux en 0,1 s environ sur la machine de développement (2 cœurs) ; le plafond laisse
    de la marge à une CI chargée."""
    octets = np.random.default_rng(11).integers(0, 256, size=(1_000_000, 8), dtype=np.uint8)
    table = pa.table({"id_beneficiaire": _textes(_hex(octets)), "_ligne": pa.array(np.arange(2, 1_000_002))})
    durees = []
    for _ in range(3):
        debut = time.perf_counter()
        assert identifiants.valeurs_identifiantes(table) == []
        durees.append(time.perf_counter() - debut)
    assert min(durees) < 1.5, durees


# ---------------------------------------------------------------- identifiants réels


def cle_nir(corps: str) -> int:
    """La clé d'un NIR de 13 caractères, écrite ici autrement que dans le module : la Corse retire 1 000 000
    (2A) ou 2 000 000 (2B) au nombre lu avec « 20 » à la place du département."""
    retrait = {"2A": 1_000_000, "2B": 2_000_000}.get(corps[5:7].upper(), 0)
    nombre = int(corps[:5] + ("20" if retrait else corps[5:7]) + corps[7:]) - retrait
    return 97 - nombre % 97


def test_control_key_examples():
    # L'exemple publié (lbcd78.fr, calcul de la clé) : femme née en décembre 1906 à Paris 11e, clé 64.
    assert cle_nir("2061275111005") == 64
    assert not identifiants.cle_nir_fausse("206127511100564")
    assert identifiants.cle_nir_fausse("206127511100565")
    for corps in ("1850575123456", "285052A123456", "185052B045678", "285052a123456"):
        assert not identifiants.cle_nir_fausse(f"{corps}{cle_nir(corps):02d}"), corps
        assert identifiants.cle_nir_fausse(f"{corps}{cle_nir(corps) % 97 + 1:02d}"), corps


SEPARATEURS = [" ", ".", "-", "\u00a0"]
# Ce qui entoure un identifiant dans une cellule : rien, ou un texte comme on en lit dans un commentaire.
AVANT = ["", "NIR : ", "N° sécu ", "nir=", "Contact : ", "tél. ", "appeler au ", "(mère) ", "réf_", "né:", "«\u00a0"]
APRES = ["", " (à vérifier)", ", merci", ".", ";", "\u00a0»", " - rappeler", "_bis", "/dossier social"]


@st.composite
def nir(draw) -> tuple[str, str]:
    """(valeur écrite, nature attendue) : un NIR tiré au hasard, clé juste, fausse ou absente."""
    sexe = draw(st.sampled_from("1278"))
    annee, mois = draw(st.integers(0, 99)), draw(st.sampled_from([*range(1, 13), *range(20, 43), *range(50, 100)]))
    departement = draw(st.sampled_from([f"{d:02d}" for d in range(1, 96) if d != 20] + ["2A", "2B", "2a", "99"]))
    commune, ordre = draw(st.integers(1, 999)), draw(st.integers(1, 999))
    corps = f"{sexe}{annee:02d}{mois:02d}{departement}{commune:03d}{ordre:03d}"
    cle = draw(st.sampled_from(["juste", "fausse", "absente"]))
    nature = identifiants._NIR_LABEL
    if cle == "juste":
        groupes = [corps[0], corps[1:3], corps[3:5], corps[5:7], corps[7:10], corps[10:13], f"{cle_nir(corps):02d}"]
    elif cle == "fausse":
        fausse = draw(st.integers(0, 99).filter(lambda k: k != cle_nir(corps)))
        groupes = [corps[0], corps[1:3], corps[3:5], corps[5:7], corps[7:10], corps[10:13], f"{fausse:02d}"]
        nature = identifiants._NIR_CLE_FAUSSE
    else:
        groupes = [corps[0], corps[1:3], corps[3:5], corps[5:7], corps[7:10], corps[10:13]]
    ecriture = draw(st.sampled_from(["d'un tenant", "par groupes", "clé à part"]))
    if ecriture == "par groupes":
        return draw(st.sampled_from(SEPARATEURS)).join(groupes), nature
    if ecriture == "clé à part" and cle != "absente":
        return "".join(groupes[:-1]) + draw(st.sampled_from(SEPARATEURS)) + groupes[-1], nature
    return "".join(groupes), nature


@st.composite
def telephone(draw) -> tuple[str, str]:
    chiffre = draw(st.integers(1, 9))
    paires = [f"{draw(st.integers(0, 99)):02d}" for _ in range(4)]
    prefixe = draw(st.sampled_from(["0", "+33", "+33 (0)", "0033", "33"]))
    if draw(st.booleans()) or prefixe == "33":
        valeur = prefixe.replace(" ", "") + str(chiffre) + "".join(paires)
    else:
        sep = draw(st.sampled_from(SEPARATEURS))
        tete = f"0{chiffre}" if prefixe == "0" else f"{prefixe}{sep}{chiffre}"
        valeur = sep.join([tete, *paires])
    return valeur, "un numéro de téléphone"


@st.composite
def email(draw) -> tuple[str, str]:
    mot = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)
    local = draw(mot) + draw(st.sampled_from(["", ".", "_", "+rsa.", "-"])) + draw(mot)
    domaine = draw(mot) + draw(st.sampled_from(["", ".mail", "-93"]))
    valeur = f"{local}@{domaine}.{draw(st.sampled_from(['fr', 'org', 'com', 'gouv.fr']))}"
    return (valeur.upper() if draw(st.booleans()) else valeur), "une adresse e-mail"


@functools.cache
def _extraction(n: int, cle: bytes) -> dict[str, pa.Array]:
    ids = FORMES["hex16"][0](cle, n)
    return {
        "id_beneficiaire": ids,
        "code_commune": pa.array(["93014"] * n),
        "commentaire": pa.array(["suivi renforcé", None, "RAS", "rdv le 15/03/2024 à 9h30"] * (n // 4)),
    }


@settings(max_examples=600, **RAPIDE)
@given(
    identifiant=st.one_of(nir(), telephone(), email()),
    avant=st.sampled_from(AVANT),
    apres=st.sampled_from(APRES),
    colonne=st.sampled_from(["id_beneficiaire", "code_commune", "commentaire"]),
    ligne=st.integers(0, 199),
)
def test_every_real_identifier_is_flagged_where_it_is(identifiant, avant, apres, colonne, ligne):
    valeur, nature = identifiant
    cellule = avant + valeur + apres
    colonnes = dict(_extraction(200, b"cle"))
    cellules = colonnes[colonne].to_pylist()
    cellules[ligne] = cellule
    colonnes[colonne] = pa.array(cellules, pa.string())
    table = pa.table(colonnes | {"_ligne": pa.array(range(2, 202))})
    assert identifiants.valeurs_identifiantes(table) == [(colonne, nature, [ligne + 2])], cellule
    # En dictionnaire (la lecture rapide d'une colonne répétitive) : la même réponse.
    table = table.set_column(table.column_names.index(colonne), colonne, table.column(colonne).dictionary_encode())
    assert identifiants.valeurs_identifiantes(table) == [(colonne, nature, [ligne + 2])], cellule


def _chiffres(texte: str) -> str:
    return re.sub(r"[^0-9]", "", texte)


def _csv(lignes: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    ecrivain = csv.DictWriter(out, fieldnames=list(lignes[0]), delimiter=";", lineterminator="\r\n")
    ecrivain.writeheader()
    ecrivain.writerows(lignes)
    return out.getvalue().encode()


@settings(max_examples=60, **RAPIDE)
@given(identifiant=st.one_of(nir(), telephone(), email()), avant=st.sampled_from(AVANT))
def test_the_refusal_never_repeats_the_value(identifiant, avant):
    valeur, nature = identifiant
    lignes = extraction_realiste(30, [b"k"])
    for rang, ligne in enumerate(lignes):
        ligne["commentaire"] = avant + valeur if rang == 17 else "RAS"
    raw = formats_fichier.lire_table(_csv(lignes), "extraction.csv")
    with pytest.raises(FichierRefuse) as refus:
        controles.verifier_identifiants(raw, "extraction.csv")
    message = str(refus.value)
    assert "colonne commentaire" in message and "ligne 19" in message, message
    assert valeur.lower() not in message.lower()
    if nature != "une adresse e-mail":  # ni ses chiffres, même sans les séparateurs
        assert _chiffres(valeur) not in _chiffres(message)


# ---------------------------------------------------------------- une vraie extraction


def extraction_realiste(n: int, cles: list[bytes]) -> list[dict[str, str]]:
    """n lignes d'une ALI comme les exporterait un logiciel de suivi, les pseudonymes HMAC-SHA256 tronqués à
    16 caractères hexadécimaux, sous plusieurs clés (un Département qui a changé de clé, des fichiers
    fusionnés), tels quels."""
    rng = np.random.default_rng(2023)
    foyers = ["seul", "seul_avec_enfants", "couple", "couple_avec_enfants", ""]
    communes = ["93014", "93047", "93015"]
    motifs = ["emploi_durable", "formation", "reorientation", "demenagement", "abandon", "emploi_transition"]
    lignes = []
    for i in range(n):
        cle = cles[i % len(cles)]
        orientation = date(2023, 2, 1) + timedelta(days=int(rng.integers(0, 140)))
        sortie = orientation + timedelta(days=int(rng.integers(20, 200)))
        sorti = sortie <= date(2023, 6, 30) and rng.random() < 0.3
        diag = orientation + timedelta(days=int(rng.integers(5, 120)))
        lignes.append({
            "id_beneficiaire": hmac.new(cle, f"RSA-{i:06d}".encode(), hashlib.sha256).hexdigest()[:16],
            "code_ali": "ALI14",
            "code_commune": communes[int(rng.integers(0, 3))],
            "date_orientation": orientation.strftime("%d/%m/%Y"),
            "type_parcours": ["Social", "Socio-professionnel", "Professionnel"][int(rng.integers(0, 3))],
            "date_diag_numerique": diag.strftime("%d/%m/%Y") if diag <= date(2023, 6, 30) else "",
            "niveau_numerique": ["Autonome", "Intermédiaire", "Débutant"][int(rng.integers(0, 3))]
            if diag <= date(2023, 6, 30) else "",
            "date_diag_linguistique": "",
            "niveau_linguistique": "",
            "date_sortie": sortie.strftime("%d/%m/%Y") if sorti else "",
            "motif_sortie": motifs[int(rng.integers(0, len(motifs)))] if sorti else "",
            "tranche_age": ["moins_25", "25_34", "35_44", "45_54", "55_plus"][int(rng.integers(0, 5))],
            "sexe": "F" if rng.random() < 0.55 else "M",
            "composition_foyer": foyers[int(rng.integers(0, 5))],
            "anciennete_rsa": ["moins_1_an", "1_2_ans", "2_5_ans", "5_ans_plus"][int(rng.integers(0, 4))],
            "date_extraction": "30/06/2023",
        })  # fmt: skip
    return lignes


def test_a_2000_row_extract_with_hmac_pseudonyms_loads(tmp_path, db_path):
    """Le fichier de l'issue 11 : 2 000 lignes aux pseudonymes HMAC de quatre clés. L'ancienne règle en
    refusait 4 à 5 lignes en moyenne (1 pseudonyme sur 400), donc presque chaque fichier."""
    lignes = extraction_realiste(2000, [b"cle-2023", b"cle-2024", b"ali14-export", b"departement-93"])
    ids = [ligne["id_beneficiaire"] for ligne in lignes]
    assert len(set(ids)) == 2000 and list(lignes[0]) == COLONNES_FILE_ACTIVE
    # Ce que l'ancienne règle voyait : des suites de 10 chiffres ou plus, bornées par des lettres.
    assert sum(bool(re.search(r"[0-9]{10}", i)) for i in ids) >= 10
    (result,) = charger_fichiers(db_path, [write(tmp_path / "extraction_ALI14_2023-06-30.csv", _csv(lignes))])
    assert result.status == "loaded", result.message
    assert (result.rows_read, result.accepted, result.rejected) == (2000, 2000, 0)
    stockes = query_rows(db_path, "SELECT id_beneficiaire FROM episodes")
    assert sorted(i for (i,) in stockes) == sorted(ids)
