"""Le chargement des extraits de file active (contrat §3) et des fichiers budget (contrat §4), dans la transaction
ouverte par insertion/ingest/chargement.py.

File active : l'extraction devient l'instantané courant des ALI qu'elle contient (à date égale, une correction
remplace l'ancienne ; plus ancienne, elle ne va qu'à l'historique). Budget : les années du fichier sont remplacées.
Dans les deux cas, ce qui change est mesuré avant → après (insertion/ingest/apercu.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from insertion import formats
from insertion.contrat import COLONNES_BUDGET, COLONNES_EXTRACTION
from insertion.ingest import apercu as apercus
from insertion.ingest import etapes, lecture
from insertion.ingest.compte_rendu import ResultatChargement, phrase_comptes
from insertion.store import cles


@contextmanager
def _sans_ordre_d_insertion(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Rien ne lit l'historique dans l'ordre de ses lignes : DuckDB l'écrit alors avec ses deux fils sans
    remettre les morceaux dans l'ordre (≈ 0,3 s de moins à 1 M de lignes). Le réglage est rendu tel qu'il
    était : l'écriture triée des épisodes courants en dépend."""
    ((before,),) = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        try:
            con.execute("SET preserve_insertion_order = true" if before else "SET preserve_insertion_order = false")
        except duckdb.Error:  # connexion invalidée par l'erreur en cours : c'est elle qui doit remonter
            pass


def charger_file_active(
    con: duckdb.DuckDBPyConnection, raw: lecture.TableBrute, name: str, digest: str, seuil: float
) -> ResultatChargement:
    con.register("_brut", etapes.table_contrat(raw, COLONNES_EXTRACTION))
    try:
        as_of = etapes.date_extraction(con, name)
        etapes.executer_sql(con, "valider_file_active", {"date_extraction": as_of})
    finally:
        con.unregister("_brut")
    accepted = con.execute("SELECT count(*) FROM _verifie WHERE motif_rejet IS NULL").fetchall()[0][0]
    current = con.execute(etapes.texte_sql("instantanes_en_place")).fetchall()
    # À date égale, la nouvelle extraction remplace l'ancienne : c'est une correction.
    replaced = [ali for ali, in_place in current if in_place is None or as_of >= in_place]
    older = {ali: in_place for ali, in_place in current if in_place is not None and as_of < in_place}
    result = ResultatChargement(
        file=name,
        status="older_snapshot" if older and not replaced else "loaded",
        rows_read=raw.lignes_lues,
        accepted=accepted,
        rejected=raw.lignes_lues - accepted,
        rejections=etapes.compter_rejets(con, raw),
        nature="file_active",
        date_extraction=as_of,
        ali_remplacees=replaced,
        ali_historique=sorted(older),
    )
    parts = [phrase_comptes(result)]
    if replaced:
        parts.append(f"Extraction du {formats.date_longue(as_of)} désormais courante pour {', '.join(replaced)}.")
    if older:
        listed = ", ".join(f"{ali} (en place : {formats.date_longue(d)})" for ali, d in sorted(older.items()))
        parts.append(
            f"Extraction du {formats.date_longue(as_of)} plus ancienne que celle en place pour {listed} : "
            "gardée dans l'historique, les chiffres affichés ne changent pas."
        )
    if not accepted:
        parts.append("Aucune ligne valide : aucun instantané n'a changé.")
    result.message = " ".join(parts)

    load_id = etapes.enregistrer_chargement(con, result, digest, [])
    result.id_chargement = load_id
    avant = apercus.etat_ali(con, replaced)
    with _sans_ordre_d_insertion(con):
        con.execute(etapes.texte_sql("inserer_historique_file_active"), {"id": load_id})
    etapes.mettre_en_quarantaine(con, load_id, raw)
    con.execute(
        "UPDATE instantanes SET courant = false WHERE courant AND list_contains($remplacees, code_ali)",
        {"remplacees": replaced},
    )
    con.execute(
        etapes.texte_sql("inserer_instantanes"),
        {"id": load_id, "remplacees": replaced, "date_extraction": as_of},
    )
    remplacer_episodes_courants(con, load_id, replaced)
    if replaced:
        result.apercu = apercus.pour_file_active(replaced, avant, apercus.etat_ali(con, replaced), seuil)
    return result


def remplacer_episodes_courants(con: duckdb.DuckDBPyConnection, load_id: int, replaced: list[str]) -> None:
    """Les épisodes courants des ALI remplacées deviennent ceux du fichier."""
    con.execute("DELETE FROM episodes WHERE list_contains($remplacees, code_ali)", {"remplacees": replaced})
    con.execute(
        etapes.texte_sql("inserer_episodes_courants"), {"id": load_id, "remplacees": replaced, **cles.sel(con).pads()}
    )


def charger_budget(
    con: duckdb.DuckDBPyConnection, raw: lecture.TableBrute, name: str, digest: str, seuil: float
) -> ResultatChargement:
    con.register("_brut", etapes.table_contrat(raw, COLONNES_BUDGET))
    try:
        con.execute(etapes.texte_sql("valider_budget"))
    finally:
        con.unregister("_brut")
    accepted = con.execute("SELECT count(*) FROM _verifie WHERE motif_rejet IS NULL").fetchall()[0][0]
    years = [
        y for (y,) in con.execute("SELECT DISTINCT annee FROM _verifie WHERE motif_rejet IS NULL ORDER BY 1").fetchall()
    ]
    result = ResultatChargement(
        file=name,
        status="loaded",
        rows_read=raw.lignes_lues,
        accepted=accepted,
        rejected=raw.lignes_lues - accepted,
        rejections=etapes.compter_rejets(con, raw),
        nature="budget",
    )
    parts = [phrase_comptes(result)]
    if years:
        label = "les années" if len(years) > 1 else "l'année"
        parts.append(f"Budget remplacé pour {label} {', '.join(map(str, years))}.")
    else:
        parts.append("Aucune ligne valide : le budget en place ne change pas.")
    result.message = " ".join(parts)
    load_id = etapes.enregistrer_chargement(con, result, digest, years)
    result.id_chargement = load_id
    etapes.mettre_en_quarantaine(con, load_id, raw)
    avant = apercus.etat_budget(con, years)
    con.execute("DELETE FROM budget WHERE list_contains($annees, annee)", {"annees": years})
    con.execute(
        etapes.texte_sql("inserer_budget"),
        {"id": load_id},
    )
    if years:
        result.apercu = apercus.pour_budget(years, avant, apercus.etat_budget(con, years), seuil)
    return result
