"""Lecture d'un fichier reçu (CSV, Excel, Parquet) en un tableau de textes bruts.

Aucune règle métier ici : on lit, on normalise les en-têtes et on numérote les lignes
comme un tableur les affiche (l'en-tête est la ligne 1). Ce qui ne peut pas être lu est
refusé avec un message qui dit quoi faire.
"""

from __future__ import annotations

import array
import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import pyarrow as pa
import pyarrow.compute as pc

from insertion import config, formats
from insertion.contrat import COLONNES_PAR_NATURE
from insertion.ingest import identifiants

# Une ligne physique de plus d'un million de caractères n'est pas une ligne d'extraction (16 colonnes
# courtes) : refusée avant que le module csv n'en fasse une liste de millions de cellules.
LONGUEUR_LIGNE_MAX = 1_000_000
# Les lignes sont rangées en colonnes Arrow par paquets : jamais des millions de listes Python à la fois.
_PAQUET = 50_000
# Lecture rapide : octets du début du fichier sur lesquels on juge quelles colonnes répètent leurs valeurs.
_ECHANTILLON = 1_000_000
# Taille des blocs que pyarrow lit en parallèle : avec le défaut (1 Mo), la lecture restait sur un seul cœur
# ici (2 cœurs) ; à 4 Mo, les deux travaillent.
_BLOC = 4 << 20


class FichierRefuse(ValueError):
    """Le fichier est refusé en entier ; le message est en français et ne cite aucune valeur."""


@dataclass
class TableBrute:
    """Les lignes lues : colonnes d'en-tête normalisées, cellules en texte (ou None)."""

    colonnes: list[str]
    table: pa.Table  # une colonne de texte par en-tête, plus `_ligne`
    malformees: list[tuple[int, str]] = field(default_factory=list)  # (ligne, motif)
    format: str = "csv"
    # Les cellules non vides qui ne sont sous aucune colonne nommée (colonne sans en-tête, au-delà de
    # l'en-tête, ligne malformée) : jamais chargées, mais lues pour y chercher des identifiants directs.
    hors_colonnes: pa.Table | None = None  # colonnes `valeur` et `_ligne`

    @property
    def lignes_lues(self) -> int:
        return self.table.num_rows + len(self.malformees)


def normaliser_entete(name: object) -> str:
    """« Date d'orientation » → « date_d_orientation » ; « CODE_ALI » → « code_ali »."""
    text = unicodedata.normalize("NFKD", str(name or "")).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "_", text.strip().lower())
    return text.strip("_")


def detecter_format(data: bytes, name: str) -> str:
    """Le contenu prime sur l'extension : un .csv qui est un zip n'est pas lu comme texte."""
    if data[:4] == b"PAR1":
        return "parquet"
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    lower = name.lower()
    if lower.endswith((".xlsx", ".xlsm")):
        raise FichierRefuse(f"« {name} » porte l'extension Excel mais n'est pas un classeur .xlsx lisible.")
    if lower.endswith(".parquet"):
        raise FichierRefuse(f"« {name} » porte l'extension Parquet mais n'est pas un fichier Parquet lisible.")
    if lower.endswith(".xls"):
        raise FichierRefuse(
            f"« {name} » est au format Excel 97-2003 (.xls), non pris en charge : enregistrez-le en .xlsx ou en CSV."
        )
    return "csv"


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


def refus_lignes(name: str, limit: int, declared: int | None = None) -> FichierRefuse:
    """Le message d'un fichier trop long : la limite, et comment découper sans perdre de lignes."""
    count = f"{formats.entier(declared)} lignes de données" if declared else "trop de lignes"
    return FichierRefuse(
        f"« {name} » compte {count}, au-delà de la limite de {formats.entier(limit)} lignes par fichier "
        "(réglage INSERTION_LIGNES_MAX) : il n'a pas été chargé. Découpez l'extraction en plusieurs fichiers "
        "par ALI, en gardant toutes les lignes d'une même ALI dans le même fichier (chaque fichier remplace "
        "l'instantané des ALI qu'il contient), puis chargez-les l'un après l'autre."
    )


def tableau_textes(values: list[str | None]) -> pa.Array:
    """pa.array(values, pa.string()), assemblé octet par octet : pa.array importe pandas (0,3 s) pour savoir
    si on ne lui passe pas une série pandas, et la lecture rapide d'un CSV n'en a jamais besoin."""
    encoded = [b"" if v is None else v.encode("utf-8") for v in values]
    offsets = array.array("i", [0])
    for text in encoded:
        offsets.append(offsets[-1] + len(text))
    validity = bytearray((len(values) + 7) // 8)
    for position, value in enumerate(values):
        if value is not None:
            validity[position // 8] |= 1 << (position % 8)
    buffers = [pa.py_buffer(validity), pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
    return pa.Array.from_buffers(pa.string(), len(values), buffers)


def _sans_blancs_finaux(values: list) -> list:
    end = len(values)
    while end and (values[end - 1] is None or str(values[end - 1]).strip() == ""):
        end -= 1
    return list(values[:end])


def _verifier_entetes(raw_headers: list, name: str) -> list[str]:
    # Des cellules vides au bout de l'en-tête (colonnes mises en forme dans Excel, séparateurs en trop)
    # ne sont pas des colonnes.
    raw_headers = _sans_blancs_finaux(raw_headers)
    if len(raw_headers) > config.COLONNES_MAX:
        raise FichierRefuse(
            f"« {name} » compte {formats.entier(len(raw_headers))} colonnes, au-delà de la limite de "
            f"{formats.entier(config.COLONNES_MAX)} : ce n'est pas une extraction de file active (16 colonnes) "
            "ni un fichier budget. Vérifiez le fichier exporté."
        )
    # Un fichier sans ligne d'en-tête : sa première ligne de données tient lieu d'en-tête. Ses valeurs ne
    # doivent ni passer pour des noms de colonnes, ni être répétées dans un message.
    texts = tableau_textes([None if h is None else str(h) for h in raw_headers])
    entetes = pa.table({"entete": texts, "_ligne": pa.nulls(len(texts), pa.int64())})
    found = identifiants.valeurs_identifiantes(entetes)
    if found:
        labels = " et ".join(sorted({label for _, label, _ in found}))
        raise FichierRefuse(
            f"« {name} » : la ligne d'en-tête contient {labels}, une donnée directement identifiante. "
            "Rien n'a été enregistré : la première ligne doit nommer les colonnes (id_beneficiaire, code_ali…) ; "
            "retirez ces valeurs puis rechargez le fichier."
        )

    known = {c for colonnes in COLONNES_PAR_NATURE.values() for c in colonnes}
    headers = [normaliser_entete(h) for h in raw_headers]
    seen: dict[str, int] = {}
    for position, header in enumerate(headers, start=1):
        if not header:
            continue
        if header in seen:
            # Le nom n'est cité que s'il est celui d'une colonne attendue : ailleurs, ce peut être une valeur.
            which = f"la colonne « {header} »" if header in known else "une même colonne"
            raise FichierRefuse(
                f"« {name} » : {which} apparaît deux fois (colonnes {seen[header]} et {position}). "
                "Supprimez le doublon puis rechargez le fichier."
            )
        seen[header] = position
    return headers


class _Colonnes:
    """Les lignes lues, rangées en colonnes Arrow de textes par paquets de _PAQUET lignes."""

    def __init__(self, headers: list[str], name: str, limit: int) -> None:
        self.kept = [i for i, h in enumerate(headers) if h]
        self.unnamed = [i for i, h in enumerate(headers) if not h]
        self.width = len(headers)
        self.schema = pa.schema([(headers[i], pa.string()) for i in self.kept] + [("_ligne", pa.int64())])
        self.name, self.limit = name, limit
        self.rows: list[list] = []
        self.lines: list[int] = []
        self.batches: list[pa.RecordBatch] = []
        self.count = 0
        self.extra_values: list[str] = []
        self.extra_lines: list[int] = []

    def counted(self) -> None:
        """Une ligne de données de plus (acceptée ici ou malformée) : au-delà de la limite, on s'arrête."""
        self.count += 1
        if self.count > self.limit:
            raise refus_lignes(self.name, self.limit)

    def outside(self, values: list, line: int) -> None:
        """Des cellules hors des colonnes nommées : gardées à part pour la recherche d'identifiants."""
        for value in values:
            if value is not None and str(value).strip():
                self.extra_values.append(str(value))
                self.extra_lines.append(line)

    def add(self, values: list, line: int) -> None:
        """Une ligne ; les cellules au-delà de l'en-tête ou sous une colonne sans nom sont mises à part."""
        self.counted()
        if len(values) > self.width:
            self.outside(values[self.width :], line)
            values = values[: self.width]
        elif len(values) < self.width:
            values = values + [None] * (self.width - len(values))
        if self.unnamed:
            self.outside([values[i] for i in self.unnamed], line)
        self.rows.append(values)
        self.lines.append(line)
        if len(self.rows) >= _PAQUET:
            self._flush()

    def _flush(self) -> None:
        if not self.lines:
            return
        arrays = [pa.array([r[i] for r in self.rows], type=pa.string()) for i in self.kept]
        arrays.append(pa.array(self.lines, type=pa.int64()))
        self.batches.append(pa.record_batch(arrays, schema=self.schema))
        self.rows, self.lines = [], []

    def table(self) -> pa.Table:
        self._flush()
        return pa.Table.from_batches(self.batches, schema=self.schema)

    def outside_table(self) -> pa.Table:
        return pa.table(
            {
                "valeur": pa.array(self.extra_values, type=pa.string()),
                "_ligne": pa.array(self.extra_lines, type=pa.int64()),
            }
        )


def _est_vide(values: list) -> bool:
    return all(v is None or str(v).strip() == "" for v in values)


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
    if _est_vide(raw_headers) or width > config.COLONNES_MAX:
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
    headers = _verifier_entetes(raw_headers, name)
    if table.num_rows > limit:
        raise refus_lignes(name, limit)
    kept = [i for i, h in enumerate(headers) if h]
    # Comme _Colonnes.add : d'abord les cellules au-delà de l'en-tête, puis celles des colonnes sans nom.
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
            if not _est_vide(raw_headers):
                break
        headers = _verifier_entetes(raw_headers, name)
        # Les colonnes sans nom en bout d'en-tête ne sont pas chargées ; une ligne plus longue que
        # l'en-tête complet, avec des valeurs au-delà, est malformée.
        raw_width = max(len(raw_headers), len(headers))
        out = _Colonnes(headers, name, limit)
        malformed: list[tuple[int, str]] = []
        previous_end = reader.line_num
        for record in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if _est_vide(record):
                continue
            if len(record) > raw_width and not _est_vide(record[raw_width:]):
                out.counted()
                out.outside(record, start)
                malformed.append((start, f"nombre de colonnes incorrect ({len(record)} au lieu de {raw_width})"))
                continue
            # Des séparateurs en trop en fin de ligne (comme en produit Excel) sont ignorés ; des cellules
            # finales omises sont complétées, les règles de ligne diront s'il manque une valeur obligatoire.
            out.add([v if v.strip() != "" else None for v in record], start)
    except csv.Error as exc:
        raise FichierRefuse(f"« {name} » n'est pas un CSV lisible (ligne {reader.line_num}).") from exc
    return TableBrute(headers, out.table(), malformed, "csv", out.outside_table())


def _texte_cellule(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def _verifier_zip(data: bytes, name: str) -> None:
    """Un .xlsx est un zip : ses tailles déclarées sont lues avant toute décompression.

    Le module zipfile ne rend jamais plus d'octets qu'une entrée n'en déclare (au-delà, l'entrée est
    illisible) : borner les tailles déclarées borne ce qu'openpyxl décompressera.
    """
    unreadable = FichierRefuse(f"« {name} » n'est pas un classeur Excel .xlsx lisible.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise unreadable from exc
    if len(entries) > config.XLSX_ENTREES_MAX:
        raise unreadable
    total = sum(e.file_size for e in entries)
    suspicious = [
        e for e in entries if e.file_size > 10 * 10**6 and e.file_size > config.XLSX_TAUX_MAX * max(e.compress_size, 1)
    ]
    if total > config.XLSX_DECOMPRESSE_MAX_MO * 10**6 or suspicious:
        raise FichierRefuse(
            f"« {name} » occuperait {formats.entier(total / 10**6)} Mo une fois décompressé "
            f"({formats.entier(len(data) / 10**6) if len(data) >= 10**6 else 'moins de 1'} Mo reçus) : "
            "ce n'est pas un classeur Excel ordinaire, il n'a pas été ouvert. Exportez l'extraction en CSV "
            "ou réenregistrez-la depuis Excel, puis rechargez-la."
        )


def lire_xlsx(data: bytes, name: str, lignes_max: int | None = None) -> TableBrute:
    limit = lignes_max or config.lignes_max()
    _verifier_zip(data, name)
    import openpyxl  # import différé : coûteux, inutile pour les CSV

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl lève des erreurs variées (zip, XML, clés absentes) sur un classeur abîmé
        raise FichierRefuse(f"« {name} » n'est pas un classeur Excel .xlsx lisible.") from exc
    try:
        if not workbook.worksheets:
            raise FichierRefuse(f"« {name} » : le classeur ne contient aucune feuille.")
        sheet = workbook.worksheets[0]
        # La dimension déclarée par la feuille, lue sans parcourir les lignes : assez pour refuser tôt.
        declared = sheet.max_row
        if isinstance(declared, int) and declared - 1 > limit:
            raise refus_lignes(name, limit, declared - 1)
        # Puis on l'oublie : certains logiciels écrivent une dimension fausse (« A1 ») et openpyxl
        # s'arrêterait là, perdant des lignes sans rien dire. Les lignes sont comptées en lisant.
        sheet.reset_dimensions()
        iterator = sheet.iter_rows(values_only=True)
        header_row = next(iterator, None)
        if header_row is None or _est_vide(list(header_row)):
            raise FichierRefuse(f"« {name} » : la première feuille est vide (aucune ligne d'en-tête).")
        headers = _verifier_entetes(list(header_row), name)
        out = _Colonnes(headers, name, limit)
        width = len(headers)
        for number, values in enumerate(iterator, start=2):
            cells = [_texte_cellule(v) for v in values]
            if _est_vide(cells[:width]):  # rien sous les en-têtes : pas une ligne de données
                out.outside(cells, number)  # mais ce qui traîne à côté est lu pour y chercher des identifiants
                continue
            out.add(cells, number)
    except FichierRefuse:
        raise
    except Exception as exc:  # openpyxl lève des erreurs variées sur un classeur abîmé
        raise FichierRefuse(f"« {name} » n'est pas un classeur Excel .xlsx lisible.") from exc
    finally:
        workbook.close()
    return TableBrute(headers, out.table(), [], "xlsx", out.outside_table())


def _colonne_en_texte(column: pa.ChunkedArray) -> pa.ChunkedArray:
    kind = column.type
    if pa.types.is_timestamp(kind):
        column = pc.cast(column, pa.date32())
    elif pa.types.is_floating(kind):
        # 93014.0 → « 93014 » ; NaN (une valeur manquante pour la plupart des logiciels) → vide ; l'infini
        # ou 1e300 restent du texte que les règles rejetteront. Ne convertir en entier que les nombres
        # entiers représentables : la conversion retour d'un NaN ou de 1e300 lèverait une erreur.
        column = pc.cast(column, pa.float64())
        column = pc.if_else(pc.is_nan(column), pa.scalar(None, pa.float64()), column)
        whole = pc.and_(pc.is_finite(column), pc.less_equal(pc.abs(column), 2.0**53))
        whole = pc.fill_null(pc.and_(whole, pc.equal(pc.floor(column), column)), False)
        as_int = pc.cast(pc.if_else(whole, column, 0.0), pa.int64())
        return pc.if_else(whole, pc.cast(as_int, pa.string()), pc.cast(column, pa.string()))
    elif pa.types.is_dictionary(kind):
        column = pc.cast(column, kind.value_type)
    return pc.cast(column, pa.string())


def lire_parquet(data: bytes, name: str, lignes_max: int | None = None) -> TableBrute:
    import pyarrow.parquet as pq

    limit = lignes_max or config.lignes_max()
    unreadable = f"« {name} » n'est pas un fichier Parquet lisible."
    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
        declared, width = parquet.metadata.num_rows, parquet.metadata.num_columns
    except Exception as exc:  # pyarrow lève ArrowInvalid, OSError… selon la corruption
        raise FichierRefuse(unreadable) from exc
    # Les métadonnées donnent le nombre de lignes et de colonnes sans rien lire d'autre.
    if declared > limit:
        raise refus_lignes(name, limit, declared)
    if width > config.COLONNES_MAX:
        _verifier_entetes([f"c{i}" for i in range(width)], name)  # même refus que pour un CSV trop large
    try:
        table = parquet.read()
    except Exception as exc:
        raise FichierRefuse(unreadable) from exc
    if table.num_rows > limit:  # des métadonnées qui mentent
        raise refus_lignes(name, limit, table.num_rows)
    headers = _verifier_entetes(table.column_names, name)
    lines = pa.array(range(2, table.num_rows + 2), type=pa.int64())
    arrays = {}
    outside = []
    for position, column in enumerate(table.columns):
        header = headers[position] if position < len(headers) else ""
        try:
            text = _colonne_en_texte(column)
            text = pc.if_else(pc.equal(pc.utf8_trim_whitespace(text), ""), None, text)
        except (pa.ArrowException, ValueError, TypeError, OverflowError) as exc:
            which = f"la colonne « {header} »" if header else f"la colonne sans nom n° {position + 1}"
            raise FichierRefuse(
                f"« {name} » : {which} a un type illisible ({column.type}) ; "
                "enregistrez-la en texte ou en date puis rechargez le fichier."
            ) from exc
        if header:
            arrays[header] = text
        else:  # colonne sans nom : jamais chargée, lue pour y chercher des identifiants
            present = pc.is_valid(text)
            outside.append(pa.table({"valeur": pc.filter(text, present), "_ligne": pc.filter(lines, present)}))
    arrays["_ligne"] = lines
    extra = pa.concat_tables(outside) if outside else None
    return TableBrute(headers, pa.table(arrays), [], "parquet", extra)


def lire_table(data: bytes, name: str) -> TableBrute:
    readers = {"csv": lire_csv, "xlsx": lire_xlsx, "parquet": lire_parquet}
    return readers[detecter_format(data, name)](data, name)
