"""La lecture d'un classeur Excel reçu (.xlsx) : l'archive est vérifiée avant d'être ouverte (nombre d'entrées,
taille décompressée : pas de bombe zip), puis la première feuille est lue ligne à ligne, dates et nombres écrits
en texte comme dans un CSV.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

from insertion import config, formats
from insertion.ingest.lecture import Colonnes, FichierRefuse, TableBrute, est_vide, refus_lignes, verifier_entetes


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
        if header_row is None or est_vide(list(header_row)):
            raise FichierRefuse(f"« {name} » : la première feuille est vide (aucune ligne d'en-tête).")
        headers = verifier_entetes(list(header_row), name)
        out = Colonnes(headers, name, limit)
        width = len(headers)
        for number, values in enumerate(iterator, start=2):
            cells = [_texte_cellule(v) for v in values]
            if est_vide(cells[:width]):  # rien sous les en-têtes : pas une ligne de données
                out.mettre_a_part(cells, number)  # mais ce qui traîne à côté est lu pour y chercher des identifiants
                continue
            out.ajouter(cells, number)
    except FichierRefuse:
        raise
    except Exception as exc:  # openpyxl lève des erreurs variées sur un classeur abîmé
        raise FichierRefuse(f"« {name} » n'est pas un classeur Excel .xlsx lisible.") from exc
    finally:
        workbook.close()
    return TableBrute(headers, out.table(), [], "xlsx", out.table_hors_colonnes())
