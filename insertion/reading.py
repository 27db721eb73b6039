"""Lecture d'un fichier reçu (CSV, Excel, Parquet) en un tableau de textes bruts.

Aucune règle métier ici : on lit, on normalise les en-têtes et on numérote les lignes
comme un tableur les affiche (l'en-tête est la ligne 1). Ce qui ne peut pas être lu est
refusé avec un message qui dit quoi faire.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

import pyarrow as pa
import pyarrow.compute as pc


class FichierRefuse(ValueError):
    """Le fichier est refusé en entier ; le message est en français et ne cite aucune valeur."""


@dataclass
class TableBrute:
    """Les lignes lues : colonnes d'en-tête normalisées, cellules en texte (ou None)."""

    colonnes: list[str]
    table: pa.Table  # une colonne de texte par en-tête, plus `_ligne`
    malformees: list[tuple[int, str]] = field(default_factory=list)  # (ligne, motif)
    format: str = "csv"

    @property
    def lignes_lues(self) -> int:
        return self.table.num_rows + len(self.malformees)


def normalise_header(name: object) -> str:
    """« Date d'orientation » → « date_d_orientation » ; « CODE_ALI » → « code_ali »."""
    text = unicodedata.normalize("NFKD", str(name or "")).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "_", text.strip().lower())
    return text.strip("_")


def detect_format(data: bytes, name: str) -> str:
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


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 (avec ou sans BOM), sinon Windows-1252, comme le dit le contrat."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise FichierRefuse(
                f"« {name} » n'est ni en UTF-8 ni en Windows-1252 : réenregistrez-le en CSV UTF-8."
            ) from exc
    if "\x00" in text:
        raise FichierRefuse(f"« {name} » contient des caractères nuls : ce n'est pas un CSV lisible.")
    return text


def _header_checks(raw_headers: list, name: str) -> list[str]:
    headers = [normalise_header(h) for h in raw_headers]
    seen: dict[str, int] = {}
    for position, header in enumerate(headers, start=1):
        if not header:
            continue
        if header in seen:
            raise FichierRefuse(
                f"« {name} » : la colonne « {header} » apparaît deux fois (colonnes {seen[header]} et {position}). "
                "Supprimez le doublon puis rechargez le fichier."
            )
        seen[header] = position
    return headers


def _build(headers: list[str], rows: list[list], lines: list[int]) -> pa.Table:
    kept = [i for i, h in enumerate(headers) if h]
    arrays = {headers[i]: pa.array([r[i] for r in rows], type=pa.string()) for i in kept}
    arrays["_ligne"] = pa.array(lines, type=pa.int64())
    return pa.table(arrays)


def _is_blank(values: list) -> bool:
    return all(v is None or str(v).strip() == "" for v in values)


def read_csv(data: bytes, name: str) -> TableBrute:
    text = decode_text(data, name)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    if not first_line:
        raise FichierRefuse(f"« {name} » est vide : aucune ligne d'en-tête.")
    # Le séparateur le plus fréquent de l'en-tête ; la tabulation est admise en plus du contrat.
    separator = max([";", ",", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        raw_headers = next(reader)
        headers = _header_checks(raw_headers, name)
        rows: list[list] = []
        lines: list[int] = []
        malformed: list[tuple[int, str]] = []
        previous_end = reader.line_num
        for record in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if _is_blank(record):
                continue
            if len(record) > len(headers) and _is_blank(record[len(headers) :]):
                record = record[: len(headers)]  # séparateurs en trop en fin de ligne, comme en produit Excel
            elif len(record) < len(headers):
                # Certains exports omettent les dernières cellules vides : on les complète, les règles
                # de ligne diront s'il manque une valeur obligatoire.
                record = record + [""] * (len(headers) - len(record))
            if len(record) != len(headers):
                malformed.append((start, f"nombre de colonnes incorrect ({len(record)} au lieu de {len(headers)})"))
                continue
            rows.append([v if v.strip() != "" else None for v in record])
            lines.append(start)
    except csv.Error as exc:
        raise FichierRefuse(f"« {name} » n'est pas un CSV lisible (ligne {reader.line_num}).") from exc
    return TableBrute(headers, _build(headers, rows, lines), malformed, "csv")


def _cell_text(value: object) -> str | None:
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


def read_xlsx(data: bytes, name: str) -> TableBrute:
    import openpyxl  # import différé : coûteux, inutile pour les CSV

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FichierRefuse(f"« {name} » n'est pas un classeur Excel .xlsx lisible.") from exc
    try:
        if not workbook.worksheets:
            raise FichierRefuse(f"« {name} » : le classeur ne contient aucune feuille.")
        sheet = workbook.worksheets[0]
        iterator = sheet.iter_rows(values_only=True)
        header_row = next(iterator, None)
        if header_row is None or _is_blank(list(header_row)):
            raise FichierRefuse(f"« {name} » : la première feuille est vide (aucune ligne d'en-tête).")
        headers = _header_checks(list(header_row), name)
        width = len(headers)
        rows, lines = [], []
        for number, values in enumerate(iterator, start=2):
            values = list(values)[:width] + [None] * max(0, width - len(values))
            if _is_blank(values):
                continue
            rows.append([_cell_text(v) for v in values])
            lines.append(number)
    except FichierRefuse:
        raise
    except Exception as exc:  # openpyxl lève des erreurs variées sur un classeur abîmé
        raise FichierRefuse(f"« {name} » n'est pas un classeur Excel .xlsx lisible.") from exc
    finally:
        workbook.close()
    return TableBrute(headers, _build(headers, rows, lines), [], "xlsx")


def _column_as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    kind = column.type
    if pa.types.is_timestamp(kind):
        column = pc.cast(column, pa.date32())
    elif pa.types.is_floating(kind):
        as_int = pc.cast(column, pa.int64(), safe=False)
        whole = pc.equal(pc.cast(as_int, kind), column)
        return pc.if_else(whole, pc.cast(as_int, pa.string()), pc.cast(column, pa.string()))
    elif pa.types.is_dictionary(kind):
        column = pc.cast(column, kind.value_type)
    return pc.cast(column, pa.string())


def read_parquet(data: bytes, name: str) -> TableBrute:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(data))
    except Exception as exc:  # pyarrow lève ArrowInvalid, OSError… selon la corruption
        raise FichierRefuse(f"« {name} » n'est pas un fichier Parquet lisible.") from exc
    headers = _header_checks(table.column_names, name)
    arrays = {}
    for header, column in zip(headers, table.columns, strict=True):
        if not header:
            continue
        try:
            text = _column_as_text(column)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise FichierRefuse(f"« {name} » : la colonne « {header} » a un type illisible ({column.type}).") from exc
        arrays[header] = pc.if_else(pc.equal(pc.utf8_trim_whitespace(text), ""), None, text)
    arrays["_ligne"] = pa.array(range(2, table.num_rows + 2), type=pa.int64())
    return TableBrute(headers, pa.table(arrays), [], "parquet")


def read_table(data: bytes, name: str) -> TableBrute:
    readers = {"csv": read_csv, "xlsx": read_xlsx, "parquet": read_parquet}
    return readers[detect_format(data, name)](data, name)
