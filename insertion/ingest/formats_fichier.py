"""Le format d'un fichier reçu, reconnu à son contenu plus qu'à son extension (CSV, classeur .xlsx, Parquet), et le
lecteur qui lui convient : `lire_table` est l'entrée de la lecture pour le chargeur.
"""

from __future__ import annotations

from insertion.ingest.lecture import FichierRefuse, TableBrute
from insertion.ingest.lecture_csv import lire_csv
from insertion.ingest.lecture_parquet import lire_parquet
from insertion.ingest.lecture_xlsx import lire_xlsx


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


def lire_table(data: bytes, name: str) -> TableBrute:
    readers = {"csv": lire_csv, "xlsx": lire_xlsx, "parquet": lire_parquet}
    return readers[detecter_format(data, name)](data, name)
