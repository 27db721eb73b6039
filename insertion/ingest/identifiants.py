"""Détection des identifiants directs (contrat §3) : un fichier qui en contient est refusé entier.

Un NIR ou un téléphone est un jeton entier (suite maximale de lettres et de chiffres) ou s'écrit par
groupes ; les chiffres d'un pseudonyme collés à ses lettres n'en font pas un. Les messages citent la
colonne et les numéros de ligne, jamais la valeur.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

# Mots d'un nom de colonne (normalisé : minuscules, sans accents, « _ ») qui désignent une personne.
_PERSON_WORDS = {
    "nom", "noms", "prenom", "prenoms", "patronyme", "nir", "nss", "secu", "naissance", "naiss", "ddn",
    "mail", "email", "courriel", "mel", "telephone", "tel", "portable", "mobile", "gsm", "adresse", "rue", "iban",
    # Exports de logiciels en anglais.
    "name", "firstname", "lastname", "surname", "birth", "birthdate", "dob", "phone", "address", "ssn",
}  # fmt: skip
# Mais « nom_ali » ou « nom_commune » nomment un lieu, pas une personne.
_PLACE_WORDS = {"ali", "commune", "communes", "ept", "ville", "agence", "structure", "territoire", "quartier"}

# Un identifiant direct n'est reconnu que comme un jeton entier : une suite maximale de lettres et de chiffres
# ASCII, bornée par le début ou la fin de la cellule ou par tout autre caractère (espace, ponctuation, « - »,
# « _ », lettre accentuée). Un pseudonyme (hachage à clé en hexadécimal, base64url, UUID) contient des
# chiffres, mais collés à des lettres : « a1850575123456789b » est un seul jeton, pas un NIR. Le compter
# par chiffres seulement (l'ancienne règle) refusait un pseudonyme hexadécimal de 16 caractères sur 400.
# « - » et « _ » bornent un jeton bien qu'ils figurent dans l'alphabet des pseudonymes (base64url) : on
# écrit « 06-12-34-56-78 » ou « tel_0612345678 », et dans un base64url tiré au hasard une suite de
# 10 chiffres ou plus bornée par eux a une probabilité de l'ordre de (10/64)^10, soit 1e-8.
_ALNUM = "A-Za-z0-9"
_DEBUT = rf"(?:^|[^{_ALNUM}])"
_FIN = rf"(?:[^{_ALNUM}]|$)"
# Entre deux groupes d'un numéro : une espace (insécable comprise, comme l'écrit un tableur français),
# un point ou un tiret. La barre oblique n'y est pas : « 15/03/2024 16/03/2024 » n'est pas un numéro.
_ESPACES = " \t\r\n\u00a0\u202f"
_SEP = f"[{_ESPACES}.\\-]"
_S = f"{_SEP}?"
# Retirés d'une cellule entière avant de la comparer à un numéro (« 06/12/34/56/78 », « 18 505 75… »).
_SEPARATORS = f"[{_ESPACES}.\\-/]"

# NIR : 13 chiffres (15 avec la clé) commençant par 1, 2, 7 ou 8 ; la Corse s'écrit 2A/2B.
_NIR = r"[1278][0-9]{4}(?:[0-9]{2}|2[AaBb])[0-9]{6}(?:[0-9]{2})?"
# Le même NIR, d'un seul jeton ou écrit par groupes (« NIR : 1 85 05 75 123 456 78 ») : sexe, année, mois,
# département (2A/2B en Corse), commune (3 chiffres, ou 971 23 outre-mer), ordre, clé ; un séparateur
# possible entre les groupes. Des tailles de groupes fixes : deux dates ou un montant côte à côte
# (« 2023-06-30 2023-07-01 », « 1 234 567 890 123 ») ne passent pas pour un NIR.
_NIR_GROUPES = (
    rf"[1278]{_S}[0-9]{{2}}{_S}[0-9]{{2}}{_S}(?:[0-9]{{2}}|2[AaBb])(?:{_S}[0-9]){{3}}{_S}[0-9]{{3}}(?:{_S}[0-9]{{2}})?"
)
# Téléphone français : 0X, +33 X (« +33 (0)6… » compris), 0033 X ou 33 X (format international sans « + »
# des logiciels de gestion de contacts), puis 8 chiffres.
_PHONE = r"(?:\+33(?:\(0\))?|0033|33|0)[1-9][0-9]{8}"
# « + » borne le jeton qui le suit : « tél+33612345678 » est un téléphone.
_PHONE_JETON = rf"(?:\+33(?:\(0\))?|{_DEBUT}(?:0033|33|0))[1-9][0-9]{{8}}{_FIN}"
# Par paires, avec un séparateur entre chaque paire (« tél 07-12-34-56-78 », « +33 6 12 34 56 78 ») :
# obligatoire, sinon « 01.02.2023 12:00 » passerait pour un numéro.
_PHONE_GROUPES = rf"(?:(?:\+33{_S}(?:\(0\){_S})?|{_DEBUT}0033{_S})[1-9]|{_DEBUT}0[1-9])(?:{_SEP}[0-9]{{2}}){{4}}{_FIN}"
_EMAIL = r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}"

_NIR_LABEL = "un numéro de sécurité sociale (NIR)"
# Pour chaque nature : le motif d'une cellule entière (séparateurs retirés), et ceux cherchés dans un texte.
_PATTERNS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    _NIR_LABEL: (_NIR, (rf"{_DEBUT}{_NIR_GROUPES}{_FIN}",)),
    "une adresse e-mail": (None, (_EMAIL,)),
    "un numéro de téléphone": (_PHONE, (_PHONE_JETON, _PHONE_GROUPES)),
}
# Les mêmes natures, chacune en un seul motif cherché dans la valeur telle quelle : la cellule entière est
# écrite avec des séparateurs possibles entre chaque caractère (ce que la définition obtient en les
# retirant), ce qui évite de recopier chaque valeur. tests/ingest/test_lecture_rapide.py vérifie que les deux
# formes disent la même chose.
_X = f"{_SEPARATORS}*"
_NIR_CELLULE = (
    rf"^{_X}[1278](?:{_X}[0-9]){{4}}{_X}(?:[0-9]{_X}[0-9]|2{_X}[AaBb])(?:{_X}[0-9]){{6}}(?:{_X}[0-9]{_X}[0-9])?{_X}$"
)
_PHONE_CELLULE = (
    rf"^{_X}(?:\+{_X}3{_X}3(?:{_X}\({_X}0{_X}\))?|0{_X}0{_X}3{_X}3|3{_X}3|0){_X}[1-9](?:{_X}[0-9]){{8}}{_X}$"
)
_MOTIFS = {
    _NIR_LABEL: "|".join([_NIR_CELLULE, *_PATTERNS[_NIR_LABEL][1]]),
    "une adresse e-mail": _EMAIL,
    "un numéro de téléphone": "|".join([_PHONE_CELLULE, *_PATTERNS["un numéro de téléphone"][1]]),
}
_NIR_CLE_FAUSSE = (
    "un numéro de sécurité sociale (NIR, même à clé de contrôle fausse : un NIR mal saisi reste une donnée personnelle)"
)


def colonne_identifiante(header: str) -> bool:
    words = set(re.findall(r"[a-z]+", header))
    if "securite" in words and "sociale" in words:
        return True
    if "date" in words and "naissance" in words:
        return True
    if "ss" in words and words & {"n", "no", "num", "numero"}:  # « N° SS », « numéro SS »
        return True
    if words & {"ne", "nee"} and "le" in words:  # « Né(e) le »
        return True
    return bool(words & _PERSON_WORDS) and not (words & _PLACE_WORDS)


def colonnes_identifiantes(headers: list[str]) -> list[str]:
    return [h for h in headers if h and colonne_identifiante(h)]


# Ce que toute valeur qui ressemble à un identifiant contient forcément : la réunion des motifs ci-dessous.
# Une valeur dont les séparateurs retirés forment un NIR ou un téléphone n'est faite que de chiffres, de
# A/B (Corse), de « + ( ) » et de séparateurs, au moins 10 ; les autres motifs y figurent tels quels. Une
# seule passe sur chaque valeur écarte presque tout (un pseudonyme, une date, un code) ; les motifs
# détaillés ne sont cherchés que dans ce qui reste.
_FILTRE = "|".join(
    [f"^[0-9AaBb+(){_ESPACES}.\\-/]{{10,}}$"] + [texte for _, textes in _PATTERNS.values() for texte in textes]
)


def _sans_null(mask: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """fill_null(mask, False) sans scalaire Python : en créer un fait importer pandas à pyarrow (0,3 s)."""
    return pc.and_kleene(mask, pc.is_valid(mask))


def _occurrences(values: pa.Array | pa.ChunkedArray, label: str) -> pa.Array | pa.ChunkedArray:
    """Les valeurs où apparaît un identifiant de cette nature : la cellule entière (séparateurs retirés)
    en est un, ou un texte en contient un, jeton entier ou écrit par groupes."""
    if label == "une adresse e-mail":
        # Un « @ » se cherche bien plus vite que le motif : sans lui dans la colonne, le motif n'est pas essayé.
        arobase = _sans_null(pc.match_substring(values, "@"))
        if not pc.any(arobase).as_py():
            return arobase
    return _sans_null(pc.match_substring_regex(values, _MOTIFS[label]))


def cle_nir_fausse(nir: str) -> bool:
    """Vrai si ce NIR de 15 caractères porte une clé de contrôle fausse : la clé vaut 97 moins le reste
    de la division par 97 des 13 premiers chiffres, 2A et 2B (Corse) comptés 19 et 18 (règle de l'INSEE)."""
    corps = nir[:13].upper()
    corps = corps[:5] + {"2A": "19", "2B": "18"}.get(corps[5:7], corps[5:7]) + corps[7:]
    return int(nir[13:15]) != 97 - int(corps) % 97


_NIR_DANS_UN_TEXTE = re.compile(f"(?<![{_ALNUM}])({_NIR_GROUPES})(?![{_ALNUM}])")


def _nirs(value: str) -> list[str]:
    """Les NIR d'une valeur, séparateurs retirés (13 ou 15 caractères)."""
    compact = re.sub(_SEPARATORS, "", value)
    found = [compact] if re.fullmatch(_NIR, compact) else []
    return found + [re.sub(_SEPARATORS, "", m.group(1)) for m in _NIR_DANS_UN_TEXTE.finditer(value)]


def nature(label: str, values: list[str]) -> str:
    """Le libellé d'une nature trouvée dans ces valeurs (celles des lignes citées). Un NIR à la clé fausse
    est refusé comme les autres : le message le dit, pour qu'on ne croie pas à une erreur du contrôle."""
    if label == _NIR_LABEL and any(len(n) == 15 and cle_nir_fausse(n) for v in values for n in _nirs(v)):
        return _NIR_CLE_FAUSSE
    return label


def _valeurs_distinctes(column: pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Les valeurs à examiner : le dictionnaire d'une colonne lue en dictionnaire, sinon les cellules."""
    if not pa.types.is_dictionary(column.type):
        return column
    dictionaries: list[pa.Array] = []
    for chunk in column.chunks:
        if not any(chunk.dictionary.equals(d) for d in dictionaries[-1:]):
            dictionaries.append(chunk.dictionary)
    return pa.chunked_array(dictionaries, type=column.type.value_type)


def valeurs_identifiantes(table: pa.Table, max_lines: int = 5) -> list[tuple[str, str, list[int]]]:
    """(colonne, nature, premières lignes) pour chaque colonne qui contient un identifiant direct.

    Chaque valeur distincte n'est examinée qu'une fois : une colonne lue en dictionnaire (codes, dates,
    énumérations) ne compte que quelques centaines de valeurs pour un million de lignes.
    """
    found = []
    lines = table.column("_ligne")
    for name in table.column_names:
        if name == "_ligne":
            continue
        column = table.column(name)
        if column.null_count == len(column):
            continue
        values = _valeurs_distinctes(column)
        candidates = _sans_null(pc.match_substring_regex(values, _FILTRE))
        if not pc.any(candidates).as_py():
            continue
        values = pc.filter(values, candidates)
        for label in _PATTERNS:
            hits = _occurrences(values, label)
            if not pc.any(hits).as_py():
                continue
            rows = _sans_null(pc.is_in(column, value_set=pc.filter(values, hits).combine_chunks()))
            if pc.any(rows).as_py():
                cited = pc.filter(column, rows).slice(0, max_lines).to_pylist()
                found.append((name, nature(label, cited), pc.filter(lines, rows).slice(0, max_lines).to_pylist()))
    return found
