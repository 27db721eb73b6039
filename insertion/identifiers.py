"""Détection des identifiants directs (contrat §3) : un fichier qui en contient est refusé entier.

Les messages citent la colonne et les numéros de ligne, jamais la valeur.
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

# NIR : 13 chiffres (15 avec la clé) commençant par 1, 2, 7 ou 8 ; la Corse s'écrit 2A/2B.
_NIR = r"[1278][0-9]{4}(?:[0-9]{2}|2[AaBb])[0-9]{6}(?:[0-9]{2})?"
_EMAIL = r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}"
_PHONE = r"(?:\+33|0033|0)[1-9][0-9]{8}"
_SEPARATORS = r"[\s.\-/]"
# Le même NIR écrit par groupes dans un texte (« NIR : 1 85 05 75 123 456 78 ») : sexe, année, mois,
# département (2A/2B en Corse), commune (3 chiffres, ou 971 23 outre-mer), ordre, clé ; un espace, un point
# ou un tiret possible entre les groupes. Des tailles de groupes fixes : deux dates ou un montant côte
# à côte (« 2023-06-30 2023-07-01 », « 1 234 567 890 123 ») ne passent pas pour un NIR.
_S = r"[\s.\-]?"
_NIR_GROUPED = (
    rf"[1278]{_S}[0-9]{{2}}{_S}[0-9]{{2}}{_S}(?:[0-9]{{2}}|2[AaBb])(?:{_S}[0-9]){{3}}{_S}[0-9]{{3}}(?:{_S}[0-9]{{2}})?"
)
# Un téléphone par paires, avec un séparateur entre chaque paire (« tél 07-12-34-56-78 », « +33 6 12 34 56 78 »).
_PHONE_GROUPED = r"(?:(?:\+33|0033)[\s.\-]?|0)[1-9](?:[\s.\-][0-9]{2}){4}"
_GROUPED = {_NIR: _NIR_GROUPED, _PHONE: _PHONE_GROUPED}

_PATTERNS = {
    "un numéro de sécurité sociale (NIR)": _NIR,
    "une adresse e-mail": _EMAIL,
    "un numéro de téléphone": _PHONE,
}


def identifying_column(header: str) -> bool:
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


def find_identifying_columns(headers: list[str]) -> list[str]:
    return [h for h in headers if h and identifying_column(h)]


# Ce que toute valeur qui ressemble à un identifiant contient forcément : la réunion des motifs ci-dessous.
# Une valeur dont les séparateurs retirés forment un NIR ou un téléphone n'est faite que de chiffres, de
# A/B (Corse), de « + » et de séparateurs, au moins 10 ; les autres motifs y figurent tels quels. Une seule
# passe sur chaque valeur écarte presque tout (un pseudonyme, une date, un code) ; les motifs détaillés ne
# sont cherchés que dans ce qui reste.
_FILTRE = (
    r"^[0-9AaBb+\s.\-/]{10,}$"
    rf"|(?:^|[^0-9])(?:{_NIR}|{_PHONE}|{_NIR_GROUPED}|{_PHONE_GROUPED})(?:[^0-9]|$)"
    rf"|{_EMAIL}"
)


def _sans_null(mask: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """fill_null(mask, False) sans scalaire Python : en créer un fait importer pandas à pyarrow (0,3 s)."""
    return pc.and_kleene(mask, pc.is_valid(mask))


def _hits(values: pa.Array | pa.ChunkedArray, pattern: str) -> pa.Array | pa.ChunkedArray:
    """Les valeurs où le motif apparaît (la règle de toujours, appliquée à des valeurs et non plus à des cellules)."""
    if pattern is _EMAIL:
        hits = pc.match_substring_regex(values, pattern)
    else:  # la valeur entière (espaces retirés), ou noyée dans un texte entre non-chiffres
        compact = pc.replace_substring_regex(values, _SEPARATORS, "")
        hits = pc.or_(
            pc.match_substring_regex(compact, f"^{pattern}$"),
            pc.match_substring_regex(values, f"(?:^|[^0-9]){pattern}(?:[^0-9]|$)"),
        )
        # Écrit par groupes au milieu d'un texte (« NIR : 1 85 05… », « tél 07-12-34… »).
        grouped = f"(?:^|[^0-9]){_GROUPED[pattern]}(?:[^0-9]|$)"
        hits = pc.or_(hits, pc.match_substring_regex(values, grouped))
    return _sans_null(hits)


def _distinct_values(column: pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Les valeurs à examiner : le dictionnaire d'une colonne lue en dictionnaire, sinon les cellules."""
    if not pa.types.is_dictionary(column.type):
        return column
    dictionaries: list[pa.Array] = []
    for chunk in column.chunks:
        if not any(chunk.dictionary.equals(d) for d in dictionaries[-1:]):
            dictionaries.append(chunk.dictionary)
    return pa.chunked_array(dictionaries, type=column.type.value_type)


def find_identifying_values(table: pa.Table, max_lines: int = 5) -> list[tuple[str, str, list[int]]]:
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
        values = _distinct_values(column)
        candidates = _sans_null(pc.match_substring_regex(values, _FILTRE))
        if not pc.any(candidates).as_py():
            continue
        values = pc.filter(values, candidates)
        for label, pattern in _PATTERNS.items():
            hits = _hits(values, pattern)
            if not pc.any(hits).as_py():
                continue
            rows = _sans_null(pc.is_in(column, value_set=pc.filter(values, hits).combine_chunks()))
            if pc.any(rows).as_py():
                found.append((name, label, pc.filter(lines, rows).slice(0, max_lines).to_pylist()))
    return found
