"""La lecture d'un fichier Parquet reçu : le nombre de lignes et de colonnes est lu dans ses métadonnées avant
tout le reste, puis chaque colonne est écrite en texte comme dans un CSV ; une colonne sans nom n'est jamais
chargée, seulement lue pour y chercher des identifiants directs.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from insertion import config
from insertion.ingest.lecture import FichierRefuse, TableBrute, refus_lignes, verifier_entetes


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
        verifier_entetes([f"c{i}" for i in range(width)], name)  # même refus que pour un CSV trop large
    try:
        table = parquet.read()
    except Exception as exc:
        raise FichierRefuse(unreadable) from exc
    if table.num_rows > limit:  # des métadonnées qui mentent
        raise refus_lignes(name, limit, table.num_rows)
    headers = verifier_entetes(table.column_names, name)
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
