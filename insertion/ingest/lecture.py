"""Lecture d'un fichier reçu (CSV, Excel, Parquet) en un tableau de textes bruts.

Aucune règle métier ici : on lit, on normalise les en-têtes et on numérote les lignes
comme un tableur les affiche (l'en-tête est la ligne 1). Ce qui ne peut pas être lu est
refusé avec un message qui dit quoi faire.

Ce module tient ce que partagent les lecteurs : le refus, la table brute, les en-têtes normalisés et vérifiés,
les colonnes Arrow de textes remplies ligne à ligne. Les lecteurs : lecture_csv.py, lecture_xlsx.py,
lecture_parquet.py ; formats_fichier.py reconnaît le format et choisit le lecteur.
"""

from __future__ import annotations

import array
import re
import unicodedata
from dataclasses import dataclass, field

import pyarrow as pa

from insertion import config, formats
from insertion.contrat import COLONNES_PAR_NATURE
from insertion.ingest import identifiants

# Les lignes sont rangées en colonnes Arrow par paquets : jamais des millions de listes Python à la fois.
_PAQUET = 50_000


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


def verifier_entetes(raw_headers: list, name: str) -> list[str]:
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


class Colonnes:
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

    def compter(self) -> None:
        """Une ligne de données de plus (acceptée ici ou malformée) : au-delà de la limite, on s'arrête."""
        self.count += 1
        if self.count > self.limit:
            raise refus_lignes(self.name, self.limit)

    def mettre_a_part(self, values: list, line: int) -> None:
        """Des cellules hors des colonnes nommées : gardées à part pour la recherche d'identifiants."""
        for value in values:
            if value is not None and str(value).strip():
                self.extra_values.append(str(value))
                self.extra_lines.append(line)

    def ajouter(self, values: list, line: int) -> None:
        """Une ligne ; les cellules au-delà de l'en-tête ou sous une colonne sans nom sont mises à part."""
        self.compter()
        if len(values) > self.width:
            self.mettre_a_part(values[self.width :], line)
            values = values[: self.width]
        elif len(values) < self.width:
            values = values + [None] * (self.width - len(values))
        if self.unnamed:
            self.mettre_a_part([values[i] for i in self.unnamed], line)
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

    def table_hors_colonnes(self) -> pa.Table:
        return pa.table(
            {
                "valeur": pa.array(self.extra_values, type=pa.string()),
                "_ligne": pa.array(self.extra_lines, type=pa.int64()),
            }
        )


def est_vide(values: list) -> bool:
    return all(v is None or str(v).strip() == "" for v in values)
