"""Le chargement des fichiers des autres systèmes (contrat §7.2 à §7.5 : mises en relation, actions collectives,
participations, moyens, annuaire des structures ; insertion/ingest/systemes.py), dans la transaction ouverte par
insertion/ingest/chargement.py : règles de ligne, doublons, quarantaine, historique, instantanés par clé.
"""

from __future__ import annotations

import duckdb

from insertion import formats
from insertion.contrat import NATURES_FICHIER
from insertion.ingest import apercu as apercus
from insertion.ingest import etapes, lecture, systemes
from insertion.ingest.compte_rendu import ResultatChargement, phrase_comptes
from insertion.store import cles


def _rejeter_doublons(con: duckdb.DuckDBPyConnection, spec: systemes.SpecSysteme) -> None:
    """Parmi les lignes valides, la première occurrence est gardée, les suivantes rejetées en citant sa ligne.
    Les colonnes viennent de systemes.SPECS (écrites en toutes lettres), jamais du fichier."""
    con.execute(
        spec.sql_doublons,
        {"colonne": spec.doublon[0], "motif": spec.motif_doublon},
    )


def _etat_systeme(con: duckdb.DuckDBPyConnection, spec: systemes.SpecSysteme, cles_: list[str]) -> dict:
    """Pour chaque clé : (date de l'instantané courant, lignes courantes)."""
    rows = con.execute(
        spec.sql_etat,
        {"cles": cles_},
    ).fetchall()
    return {cle: (d, n) for cle, d, n in rows}


def charger_systeme(
    con: duckdb.DuckDBPyConnection,
    raw: lecture.TableBrute,
    name: str,
    digest: str,
    seuil: float,
    spec: systemes.SpecSysteme,
) -> ResultatChargement:
    """Un fichier du contrat §7.2 à §7.5 : règles de ligne, doublons, quarantaine, historique, instantanés par clé."""
    con.register("_brut", etapes.table_contrat(raw, list(spec.colonnes_fichier)))
    try:
        as_of = etapes.date_extraction(con, name) if spec.date_extraction else None
        etapes.executer_sql(con, f"valider_{spec.nature}", {"date_extraction": as_of})
    finally:
        con.unregister("_brut")
    _rejeter_doublons(con, spec)
    accepted = con.execute("SELECT count(*) FROM _verifie WHERE motif_rejet IS NULL").fetchall()[0][0]
    current = con.execute(
        etapes.texte_sql("instantanes_systemes_en_place"),
        {"nature": spec.nature},
    ).fetchall()
    # À date égale, le nouveau fichier remplace l'ancien (une correction) ; l'annuaire, sans date, remplace toujours.
    replaced = [cle for cle, in_place, known in current if not known or as_of is None or as_of >= in_place]
    older = {cle: in_place for cle, in_place, known in current if known and as_of is not None and as_of < in_place}
    result = ResultatChargement(
        file=name,
        status="older_snapshot" if older and not replaced else "loaded",
        rows_read=raw.lignes_lues,
        accepted=accepted,
        rejected=raw.lignes_lues - accepted,
        rejections=etapes.compter_rejets(con, raw),
        nature=spec.nature,
        date_extraction=as_of,
    )
    parts = [phrase_comptes(result)]
    label = NATURES_FICHIER[spec.nature]
    if replaced and spec.nature == "structures":
        parts.append(f"{label} remplacé ({formats.entier(accepted)} structure{'s' if accepted > 1 else ''}).")
    elif replaced:
        parts.append(
            f"{label} : instantané du {formats.date_longue(as_of)} désormais courant pour {spec.libelle_cle} "
            f"{', '.join(cle.replace('|', ' × ') for cle in replaced)}."
        )
    if older:
        listed = ", ".join(
            f"{cle.replace('|', ' × ')} (en place : {formats.date_longue(d)})" for cle, d in sorted(older.items())
        )
        parts.append(
            f"{label} : instantané du {formats.date_longue(as_of)} plus ancien que celui en place pour {listed} : "
            "gardé dans l'historique, les chiffres affichés ne changent pas."
        )
    if not accepted:
        parts.append("Aucune ligne valide : rien n'a changé.")
    result.message = " ".join(parts)
    load_id = etapes.enregistrer_chargement(con, result, digest, [])
    result.id_chargement = load_id
    con.execute(spec.sql_historique, {"id": load_id})
    etapes.mettre_en_quarantaine(con, load_id, raw)
    avant = _etat_systeme(con, spec, replaced)
    con.execute(
        "UPDATE instantanes_systemes SET courant = false "
        "WHERE nature = $nature AND courant AND list_contains($cles, cle)",
        {"nature": spec.nature, "cles": replaced},
    )
    con.execute(
        etapes.texte_sql("inserer_instantanes_systemes"),
        {"nature": spec.nature, "date_extraction": as_of, "id": load_id, "cles": replaced},
    )
    con.execute(spec.sql_retirer, {"cles": replaced})
    con.execute(spec.sql_inserer, {"id": load_id, "cles": replaced})
    cles.preparer(con)  # les clés de cellule des lignes insérées (personnes, séances), secret statistique
    if replaced:
        apres = _etat_systeme(con, spec, replaced)
        result.apercu = apercus.pour_systeme(spec.nature, spec.libelle_cle, replaced, avant, apres, seuil)
    return result
