"""La lecture d'un CSV reçu : décodage (UTF-8 avec ou sans BOM, sinon Windows-1252), séparateur deviné sur
l'en-tête, lecture rapide par pyarrow quand le fichier s'y prête, sinon ligne à ligne avec le module csv ; les
lignes malformées sont gardées à part avec leur numéro, jamais chargées.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from insertion import config, formats
from insertion.ingest.lecture import Colonnes, FichierRefuse, TableBrute, est_vide, refus_lignes, verifier_entetes

# Une ligne physique de plus d'un million de caractères n'est pas une ligne d'extraction (16 colonnes
# courtes) : refusée avant que le module csv n'en fasse une liste de millions de cellules.
LONGUEUR_LIGNE_MAX = 1_000_000


# Lecture rapide : octets du début du fichier sur lesquels on juge quelles colonnes répètent leurs valeurs.
_ECHANTILLON = 1_000_000


# Taille des blocs que pyarrow lit en parallèle : avec le défaut (1 Mo), la lecture restait sur un seul cœur
# ici (2 cœurs) ; à 4 Mo, les deux travaillent.
_BLOC = 4 << 20


def _repli_cp1252(error: UnicodeError) -> tuple[str, int]:
    """Gestionnaire d'erreur de décodage : un octet qui n'est pas de l'UTF-8 est lu en Windows-1252."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("cp1252"), error.end


codecs.register_error("insertion_cp1252", _repli_cp1252)


def decoder_texte(data: bytes, name: str) -> str:
    """UTF-8 (avec ou sans BOM), sinon Windows-1252, comme le dit le contrat.

    Un fichier recollé à partir de deux exports (des lignes en UTF-8, d'autres en Windows-1252) est lu
    caractère par caractère : ce qui est de l'UTF-8 valide reste de l'UTF-8, le reste est du Windows-1252.
    Pour un fichier tout en Windows-1252, le résultat est celui d'un décodage Windows-1252.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("utf-8", errors="insertion_cp1252")
        except UnicodeDecodeError as exc:
            raise FichierRefuse(
                f"« {name} » n'est ni en UTF-8 ni en Windows-1252 : réenregistrez-le en CSV UTF-8."
            ) from exc
    if "\x00" in text:
        raise FichierRefuse(f"« {name} » contient des caractères nuls : ce n'est pas un CSV lisible.")
    return text


def _premiere_ligne(text: str) -> str:
    """La première ligne non vide, sans découper tout le texte en lignes."""
    for line in io.StringIO(text, newline=""):
        if line.strip():
            return line
    return ""


def _lignes_bornees(text: str, name: str) -> Iterator[str]:
    """Les lignes physiques du texte, pour le module csv ; une ligne démesurée fait refuser le fichier."""
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > LONGUEUR_LIGNE_MAX:
            raise FichierRefuse(
                f"« {name} » : la ligne {number} compte {formats.entier(len(line))} caractères, au-delà de "
                f"{formats.entier(LONGUEUR_LIGNE_MAX)} : ce n'est pas une ligne d'extraction lisible. "
                "Vérifiez le fichier (fins de ligne, séparateur) puis rechargez-le."
            )
        yield line


def _numeros_de_ligne(debut: int, n: int) -> pa.Array:
    """debut, debut + 1, … : construit sur un tableau numpy (déjà chargé par pyarrow), sans liste Python."""
    import numpy as np

    valeurs = np.arange(debut, debut + n, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), n, [None, pa.py_buffer(valeurs)])


def _table_hors_colonnes(valeurs: list[pa.ChunkedArray], lignes: pa.ChunkedArray) -> pa.Table:
    """Les cellules non vides des colonnes données, rangées comme les range la lecture ligne à ligne :
    par ligne, puis dans l'ordre des colonnes données (le tri par ligne est stable)."""
    parts_valeurs, parts_lignes = [], []
    for column in valeurs:
        column = column.cast(pa.string())
        present = pc.is_valid(column)
        parts_valeurs.append(column.filter(present))
        parts_lignes.append(lignes.filter(present))
    if not parts_valeurs:
        return pa.Table.from_arrays([pa.nulls(0, pa.string()), pa.nulls(0, pa.int64())], names=["valeur", "_ligne"])
    table = pa.Table.from_arrays(
        [pa.chunked_array(sum((p.chunks for p in parts_valeurs), []), type=pa.string()),
         pa.chunked_array(sum((p.chunks for p in parts_lignes), []), type=pa.int64())],
        names=["valeur", "_ligne"],
    )  # fmt: skip
    return table.take(pc.sort_indices(table, sort_keys=[("_ligne", "ascending")])).combine_chunks()


def _colonnes_repetitives(data: bytes, debut: int, separateur: str, largeur: int) -> set[int]:
    """Les colonnes qui, sur le premier morceau du fichier, répètent leurs valeurs (codes, dates, énumérations).

    Lues en dictionnaire, leurs valeurs distinctes sont à portée de main (identifiants, normalisation SQL)
    et DuckDB les parcourt bien plus vite ; un pseudonyme, presque toujours distinct, reste en texte simple.
    Ce n'est qu'un choix de représentation : les cellules lues sont les mêmes.
    """
    lignes = data[debut : debut + _ECHANTILLON].split(b"\n")[1:-1]
    if len(lignes) < 2:
        return set(range(largeur))
    champs = [ligne.rstrip(b"\r").split(separateur.encode()) for ligne in lignes]
    # Une ligne plus courte écourte l'échantillon (zip) : sans effet sur les cellules lues.
    return {i for i, valeurs in enumerate(zip(*champs, strict=False)) if len(set(valeurs)) <= len(lignes) // 2}


def _lecture_rapide(data: bytes, name: str, limit: int) -> TableBrute | None:
    """Un CSV « régulier » lu par pyarrow (en parallèle), ou None : la lecture ligne à ligne s'en charge.

    Régulier : sans caractère nul ni guillemet, UTF-8 valide (avec ou sans BOM), la première ligne est
    l'en-tête et chaque ligne physique a exactement le nombre de champs de l'en-tête. Sans guillemet, le
    module csv découpe une ligne comme un simple découpage sur le séparateur : pyarrow donne alors les mêmes
    cellules, et ce qui suit reproduit le reste de la lecture ligne à ligne (cellules blanches vides, lignes
    blanches sautées mais comptées, cellules hors des colonnes nommées, limites et refus). Au moindre écart
    (encodage, ligne de longueur différente, fins de ligne incohérentes, ligne démesurée…) : None.
    """
    import pyarrow.csv as pa_csv

    debut = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    if b"\x00" in data or b'"' in data:
        return None
    fins = [i for i in (data.find(b"\n", debut), data.find(b"\r", debut)) if i >= 0]
    fin_entete = min(fins) if fins else len(data)
    if fin_entete - debut + 2 > LONGUEUR_LIGNE_MAX:
        return None
    try:
        premiere = data[debut:fin_entete].decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not premiere.strip():
        return None
    separator = max([";", ",", "\t"], key=premiere.count)
    raw_headers = next(csv.reader([premiere], delimiter=separator))
    width = len(raw_headers)
    if est_vide(raw_headers) or width > config.COLONNES_MAX:
        return None
    noms = [f"c{i}" for i in range(width)]
    repetitives = _colonnes_repetitives(data, debut, separator, width)
    types = {n: pa.dictionary(pa.int32(), pa.string()) if i in repetitives else pa.string() for i, n in enumerate(noms)}
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(data).slice(debut)),
            read_options=pa_csv.ReadOptions(column_names=noms, skip_rows=1, block_size=_BLOC),
            parse_options=pa_csv.ParseOptions(
                delimiter=separator, quote_char=False, escape_char=False, newlines_in_values=False,
                ignore_empty_lines=False,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=types, null_values=[""], strings_can_be_null=True, check_utf8=True
            ),
        )  # fmt: skip
    except (pa.ArrowException, ValueError):  # UTF-8 invalide, ligne trop courte ou trop longue…
        return None
    # Chaque ligne physique (fins \n, \r ou \r\n, comme le module io) doit avoir donné une ligne lue.
    lignes_physiques = data.count(b"\n", debut)
    if b"\r" in data:
        lignes_physiques += data.count(b"\r", debut) - data.count(b"\r\n", debut)
    if not data.endswith((b"\n", b"\r")):
        lignes_physiques += 1
    if table.num_rows != lignes_physiques - 1:
        return None
    table = table.unify_dictionaries()
    # Une cellule plus longue que la limite du module csv, une ligne plus longue que LONGUEUR_LIGNE_MAX :
    # la lecture ligne à ligne refuse le fichier, avec son message. Un octet compte au moins autant qu'un
    # caractère, et la ligne la plus longue est au plus la somme des cellules les plus longues.
    plus_longues = [_octets_max(column) for column in table.columns]
    if max(plus_longues, default=0) > csv.field_size_limit() or sum(plus_longues) + width + 1 > LONGUEUR_LIGNE_MAX:
        return None
    table = pa.Table.from_arrays([_blanches_vides(column) for column in table.columns], names=noms)
    lignes = pa.chunked_array([_numeros_de_ligne(2, table.num_rows)])
    if all(column.null_count for column in table.columns):  # sinon, aucune ligne n'est toute vide
        remplie = pc.is_valid(table.column(0))
        for column in table.columns[1:]:
            remplie = pc.or_(remplie, pc.is_valid(column))
        table, lignes = table.filter(remplie), lignes.filter(remplie)
    headers = verifier_entetes(raw_headers, name)
    if table.num_rows > limit:
        raise refus_lignes(name, limit)
    kept = [i for i, h in enumerate(headers) if h]
    # Comme Colonnes.ajouter : d'abord les cellules au-delà de l'en-tête, puis celles des colonnes sans nom.
    outside = list(range(len(headers), width)) + [i for i, h in enumerate(headers) if not h]
    lues = pa.Table.from_arrays(
        [table.column(i) for i in kept] + [lignes], names=[headers[i] for i in kept] + ["_ligne"]
    )
    hors = _table_hors_colonnes([table.column(i) for i in outside], lignes)
    return TableBrute(headers, lues, [], "csv", hors)


def _octets_max(column: pa.ChunkedArray) -> int:
    if pa.types.is_dictionary(column.type):
        longueurs = [pc.max(pc.binary_length(chunk.dictionary)).as_py() for chunk in column.chunks]
    else:
        longueurs = [pc.max(pc.binary_length(column)).as_py()]
    return max([n for n in longueurs if n is not None], default=0)


def _blanches_vides(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Une cellule faite d'espaces (au sens de str.isspace, comme utf8_is_space) devient vide (None)."""
    if pa.types.is_dictionary(column.type):
        chunks = []
        for chunk in column.chunks:
            blanche = pc.utf8_is_space(chunk.dictionary)
            if pc.any(blanche).as_py():
                masque = pc.take(blanche, chunk.indices)
                indices = pc.if_else(masque, pa.nulls(len(chunk), chunk.indices.type), chunk.indices)
                chunk = pa.DictionaryArray.from_arrays(indices, chunk.dictionary)
            chunks.append(chunk)
        return pa.chunked_array(chunks, type=column.type)
    blanche = pc.utf8_is_space(column)
    if not pc.any(blanche).as_py():
        return column
    return pc.if_else(blanche, pa.nulls(len(column), column.type), column)


def lire_csv(data: bytes, name: str, lignes_max: int | None = None) -> TableBrute:
    limit = lignes_max or config.lignes_max()
    rapide = _lecture_rapide(data, name, limit)
    return rapide if rapide is not None else lecture_ligne_a_ligne(data, name, limit)


def lecture_ligne_a_ligne(data: bytes, name: str, limit: int) -> TableBrute:
    """La lecture exacte de tout CSV (module csv) : la référence de la lecture rapide."""
    text = decoder_texte(data, name)
    first_line = _premiere_ligne(text)
    if not first_line:
        raise FichierRefuse(f"« {name} » est vide : aucune ligne d'en-tête.")
    # Le séparateur le plus fréquent de l'en-tête ; la tabulation est admise en plus du contrat.
    separator = max([";", ",", "\t"], key=first_line[:LONGUEUR_LIGNE_MAX].count)
    reader = csv.reader(_lignes_bornees(text, name), delimiter=separator)
    try:
        raw_headers: list[str] = []
        for raw_headers in reader:  # des lignes vides avant l'en-tête sont sautées
            if not est_vide(raw_headers):
                break
        headers = verifier_entetes(raw_headers, name)
        # Les colonnes sans nom en bout d'en-tête ne sont pas chargées ; une ligne plus longue que
        # l'en-tête complet, avec des valeurs au-delà, est malformée.
        raw_width = max(len(raw_headers), len(headers))
        out = Colonnes(headers, name, limit)
        malformed: list[tuple[int, str]] = []
        previous_end = reader.line_num
        for record in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if est_vide(record):
                continue
            if len(record) > raw_width and not est_vide(record[raw_width:]):
                out.compter()
                out.mettre_a_part(record, start)
                malformed.append((start, f"nombre de colonnes incorrect ({len(record)} au lieu de {raw_width})"))
                continue
            # Des séparateurs en trop en fin de ligne (comme en produit Excel) sont ignorés ; des cellules
            # finales omises sont complétées, les règles de ligne diront s'il manque une valeur obligatoire.
            out.ajouter([v if v.strip() != "" else None for v in record], start)
    except csv.Error as exc:
        raise FichierRefuse(f"« {name} » n'est pas un CSV lisible (ligne {reader.line_num}).") from exc
    return TableBrute(headers, out.table(), malformed, "csv", out.table_hors_colonnes())
