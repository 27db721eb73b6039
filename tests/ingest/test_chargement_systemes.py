"""Chargement des fichiers du contrat §7 (issue 14) : freins de la file active (§7.1), mises en relation (§7.2),
actions collectives et participations (§7.3), moyens (§7.4), annuaire des structures (§7.5).

Chaque test écrit ses lignes à la main et dit ce qui doit être rejeté, avec quel motif et à quelle ligne (l'en-tête
est la ligne 1) ; les comptes attendus sont ceux des lignes écrites. Les pseudonymes sont des HMAC-SHA256 en
hexadécimal (64 caractères), comme ceux du Département.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from insertion import contrat
from insertion.ingest.chargement import charger_fichiers
from insertion.ingest.controles import reconnaitre_fichier
from insertion.ingest.lecture import FichierRefuse
from tests.conftest import csv_bytes, ligne, lignes, query_rows, write

D = "2023-06-30"


def pseudo(i: int) -> str:
    return hmac.new(b"cle-de-test-issue-14", str(i).encode(), hashlib.sha256).hexdigest()


def structure(code: str, **changes: str) -> dict[str, str]:
    row = {
        "code_structure": code,
        "nom_structure": f"Structure {code}",
        "type": "association",
        "code_commune": "93055",
        "domaines": "emploi",
        "reseaux": "reseau_pantin",
        "site_web": "",
    }
    row.update(changes)
    return row


ANNUAIRE = [
    structure("C2DI93", nom_structure="C2Di 93", code_commune="93014", reseaux="partenaires_ali14"),
    structure("SELF-INTERIM", nom_structure="Self Interim", type="siae", code_commune="93014"),
    structure("ALI14", nom_structure="ALI Clichy-sous-Bois – Montfermeil – Coubron", type="ali", code_commune="93014"),
    structure("PANTIN-ML", nom_structure="Mission locale", type="mission_locale", domaines="emploi|formation"),
]


def mise(i: int, **changes: str) -> dict[str, str]:
    row = {
        "id_beneficiaire": pseudo(i),
        "code_ali": "ALI14",
        "code_structure": "C2DI93",
        "date_mise_en_relation": "2023-04-03",
        "taille_entreprise": "tpe",
        "secteur_naf": "F",
        "issue": "en_cours",
        "date_embauche": "",
        "type_contrat": "",
        "duree_contrat_mois": "",
        "date_extraction": D,
    }
    row.update(changes)
    return row


def action(id_action: str, **changes: str) -> dict[str, str]:
    row = {
        "id_action": id_action,
        "type_action": "atelier_numerique",
        "code_structure": "ALI14",
        "code_ali": "ALI14",
        "code_commune": "93014",
        "quartier": "",
        "date_action": "2023-03-07",
        "places": "8",
        "participants": "7",
        "rendez_vous_pris": "",
        "personnes_remobilisees": "",
        "date_extraction": D,
    }
    row.update(changes)
    return row


def moyen(ali: str, mois: str, **changes: str) -> dict[str, str]:
    row = {"code_ali": ali, "mois": mois, "referents_etp": "5", "places": "300", "cip_ecole": "", "date_extraction": D}
    row.update(changes)
    return row


def charger(tmp_path: Path, db: Path, *fichiers: tuple[str, bytes], **options) -> list:
    return charger_fichiers(db, [write(tmp_path / nom, data) for nom, data in fichiers], **options)


def lignes_de(db: Path, sql: str) -> list[tuple]:
    return sorted(query_rows(db, sql), key=repr)


def colonnes_de(db: Path, table: str, colonnes: list[str]) -> list[tuple]:
    """Les colonnes d'une table, triées : par l'API relationnelle de DuckDB (con.table), qui vérifie le nom de
    la table au lieu de l'insérer dans un texte SQL."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return sorted(con.table(table).select(*colonnes).fetchall(), key=repr)
    finally:
        con.close()


def quarantaine(db: Path, fichier: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT q.ligne, q.colonne, q.motif FROM quarantaine AS q JOIN chargements USING (id_chargement) "
            "WHERE fichier = $fichier ORDER BY q.ligne",
            {"fichier": fichier},
        ).fetchall()
    finally:
        con.close()


TABLES = (
    "chargements", "quarantaine", "episodes", "episodes_historique", "instantanes", "instantanes_systemes",
    "chargements_remplacements", "structures", "structures_historique", "mises_en_relation",
    "mises_en_relation_historique", "actions_collectives", "actions_collectives_historique", "participations",
    "participations_historique", "moyens", "moyens_historique",
)  # fmt: skip


def tout(db: Path) -> dict[str, list[tuple]]:
    """Tout le contenu de la base : pour vérifier qu'un fichier refusé n'y a rien changé."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: sorted(con.table(t).fetchall(), key=repr) for t in TABLES}
    finally:
        con.close()


@pytest.fixture
def base(tmp_path) -> Path:
    """Une base où l'annuaire (4 structures) est chargé."""
    db = tmp_path / "base.duckdb"
    (r,) = charger(tmp_path, db, ("annuaire.csv", csv_bytes(ANNUAIRE)))
    assert (r.status, r.nature, r.accepted) == ("loaded", "structures", 4), r.message
    return db


# ---------------------------------------------------------------- reconnaissance


@pytest.mark.parametrize(
    "colonnes, nature",
    [
        (contrat.COLONNES_FILE_ACTIVE, "file_active"),
        (contrat.COLONNES_EXTRACTION, "file_active"),
        (contrat.COLONNES_BUDGET, "budget"),
        (contrat.COLONNES_MISES_EN_RELATION, "mises_en_relation"),
        (contrat.COLONNES_ACTIONS_COLLECTIVES, "actions_collectives"),
        (contrat.COLONNES_PARTICIPATIONS, "participations"),
        (contrat.COLONNES_MOYENS, "moyens"),
        (contrat.COLONNES_STRUCTURES, "structures"),
        # Une extraction de file active qui porte en plus une colonne « type » reste une extraction.
        ([*contrat.COLONNES_FILE_ACTIVE, "type"], "file_active"),
    ],
)
def test_chaque_type_est_reconnu_a_ses_colonnes(colonnes, nature):
    assert reconnaitre_fichier(list(colonnes), "f.csv") == nature


def test_une_colonne_obligatoire_absente_refuse_le_fichier_en_nommant_son_type():
    colonnes = [c for c in contrat.COLONNES_MISES_EN_RELATION if c != "issue"]
    with pytest.raises(FichierRefuse, match=r"obligatoire absente pour le fichier « Mises en relation » : issue"):
        reconnaitre_fichier(colonnes, "f.csv")


# ---------------------------------------------------------------- freins (§7.1)


def test_les_freins_presents_sont_charges_et_une_valeur_inconnue_est_rejetee(tmp_path, db_path):
    rows = [
        ligne(id_beneficiaire=pseudo(1), frein_logement="Oui", frein_garde_enfants="non", frein_sante=""),
        ligne(id_beneficiaire=pseudo(2), frein_logement="NON", frein_mobilite="oui", frein_administratif="Oui"),
        ligne(id_beneficiaire=pseudo(3), frein_mobilite="peut-être"),  # ligne 4 : rejetée
        ligne(id_beneficiaire=pseudo(4)),  # aucun frein renseigné : tous inconnus
    ]
    (r,) = charger(tmp_path, db_path, ("freins.csv", csv_bytes(rows, columns=contrat.COLONNES_EXTRACTION)))
    assert (r.status, r.rows_read, r.accepted, r.rejected) == ("loaded", 4, 3, 1), r.message
    assert quarantaine(db_path, "freins.csv") == [
        (4, "frein_mobilite", "frein_mobilite inconnu (attendu oui, non ou vide)")
    ]
    attendu = {
        pseudo(1): ("oui", "non", None, None, None, None, None),
        pseudo(2): ("non", None, "oui", None, None, None, "oui"),
        pseudo(4): (None,) * 7,
    }
    for table in ("episodes", "episodes_historique"):
        rows_ = colonnes_de(db_path, table, ["id_beneficiaire", *contrat.COLONNES_FREINS])
        assert {r_[0]: r_[1:] for r_ in rows_} == attendu


def test_une_ancienne_extraction_sans_freins_reste_valide(tmp_path, db_path):
    rows = [ligne(id_beneficiaire=pseudo(i)) for i in range(1, 4)]
    (r,) = charger(tmp_path, db_path, ("ancienne.csv", csv_bytes(rows, columns=contrat.COLONNES_FILE_ACTIVE)))
    assert (r.status, r.accepted, r.rejected) == ("loaded", 3, 0), r.message
    assert query_rows(db_path, "SELECT count(*) FROM episodes WHERE frein_logement IS NULL") == [(3,)]
    # Puis une extraction plus récente avec les freins : elle remplace l'ALI, freins compris.
    rows = [ligne(id_beneficiaire=pseudo(i), frein_langue="oui", date_extraction="2023-09-30") for i in range(1, 4)]
    (r,) = charger(tmp_path, db_path, ("recente.csv", csv_bytes(rows, columns=contrat.COLONNES_EXTRACTION)))
    assert r.status == "loaded", r.message
    assert lignes_de(db_path, "SELECT frein_langue, count(*) FROM episodes GROUP BY ALL") == [("oui", 3)]


# ---------------------------------------------------------------- annuaire (§7.5)


def test_annuaire_regles_de_ligne_et_remplacement_entier(tmp_path, db_path):
    rows = [
        structure(
            "FACE93", nom_structure="FACE Seine-Saint-Denis", domaines="Emploi | formation|", reseaux="Réseau Pantin"
        ),
        structure("face93", nom_structure="Doublon"),  # ligne 3 : même code (lu en majuscules)
        structure("CLUB", type="club"),  # ligne 4
        structure("LOIN", code_commune="75056"),  # ligne 5 : hors du référentiel des communes
        structure("EMMAUS", nom_structure="Emmaüs Connect", domaines="numerique|cuisine"),  # ligne 6
        structure("RIEN", domaines=""),  # ligne 7
        structure("EBE", nom_structure="EBE de Pantin", type="EBE", site_web="https://ebe.example"),
    ]
    (r,) = charger(tmp_path, db_path, ("annuaire.csv", csv_bytes(rows)))
    assert (r.status, r.nature, r.rows_read, r.accepted, r.rejected) == ("loaded", "structures", 7, 2, 5), r.message
    assert r.date_extraction is None
    assert quarantaine(db_path, "annuaire.csv") == [
        (3, "code_structure", "doublon (même code_structure qu'une ligne précédente)"),
        (4, "type", "type inconnu (attendu ali, association, siae, mission_locale, france_travail, ebe, "
                    "organisme_formation, service_municipal, entreprise, universite ou autre)"),
        (5, "code_commune", "code_commune absent du référentiel des communes"),
        (6, "domaines", "domaine inconnu (attendu emploi, formation, numerique, langue, logement, garde_enfants, "
                        "mobilite, sante ou acces_droits, séparés par |)"),
        (7, "domaines", "domaines manquant"),
    ]  # fmt: skip
    assert lignes_de(db_path, "SELECT code_structure, type, domaines, reseaux, site_web FROM structures") == [
        ("EBE", "ebe", ["emploi"], ["reseau_pantin"], "https://ebe.example"),
        ("FACE93", "association", ["emploi", "formation"], ["reseau_pantin"], None),
    ]
    # Un nouvel annuaire remplace l'ancien en entier (ici il le fait passer de 2 à 4 structures).
    (r,) = charger(tmp_path, db_path, ("annuaire2.csv", csv_bytes(ANNUAIRE)))
    assert r.status == "loaded" and r.apercu.systemes[0].lignes_avant == 2 and r.apercu.systemes[0].lignes_apres == 4
    assert lignes_de(db_path, "SELECT code_structure FROM structures") == [
        ("ALI14",), ("C2DI93",), ("PANTIN-ML",), ("SELF-INTERIM",)
    ]  # fmt: skip
    assert query_rows(db_path, "SELECT count(*) FROM structures_historique") == [(6,)]


def test_un_annuaire_qui_perd_plus_du_seuil_attend_une_confirmation(tmp_path, base):
    avant = tout(base)
    (r,) = charger(tmp_path, base, ("petit.csv", csv_bytes(ANNUAIRE[:2])))
    # 4 → 2 structures : 50 % de perte, au-delà du seuil de 20 %.
    assert r.status == "to_confirm", r.message
    assert "l'annuaire perd 50,0 % de ses structures (4 → 2)" in r.message.replace("\u202f", " ")
    assert tout(base) == avant
    (r,) = charger(tmp_path, base, ("petit.csv", csv_bytes(ANNUAIRE[:2])), forcer=True)
    assert r.status == "loaded"
    assert query_rows(base, "SELECT count(*) FROM structures") == [(2,)]
    # L'historique des remplacements : l'annuaire du départ (0 → 4), puis ce remplacement confirmé (4 → 2).
    assert query_rows(
        base,
        "SELECT nature, cle, lignes_avant, lignes_apres, confirme FROM chargements_remplacements "
        "ORDER BY id_chargement",
    ) == [("structures", "annuaire", 0, 4, False), ("structures", "annuaire", 4, 2, True)]


def test_un_annuaire_avec_un_e_mail_est_refuse_en_entier(tmp_path, base):
    avant = tout(base)
    rows = [structure("ASSO", site_web="contact.asso@example.fr")]
    (r,) = charger(tmp_path, base, ("annuaire_mail.csv", csv_bytes(rows)))
    assert r.status == "refused"
    assert "colonne site_web : une adresse e-mail, ligne 2" in r.message
    assert "example.fr" not in r.message
    assert tout(base) == avant


# ---------------------------------------------------------------- mises en relation (§7.2)


def test_mises_en_relation_regles_de_ligne(tmp_path, base):
    rows = [
        mise(1, issue="embauche", date_embauche="2023-05-02", type_contrat="CDI"),  # 2 : long (CDI)
        mise(2, issue="embauche", date_embauche="15/05/2023", type_contrat="cdd", duree_contrat_mois="6"),  # 3 : long
        mise(3, issue="embauche", date_embauche="2023-05-20", type_contrat="interim", duree_contrat_mois="2",
             taille_entreprise="PME", code_structure="self-interim"),  # 4 : court
        mise(4, issue="refus_employeur", secteur_naf=""),  # 5
        mise(5, code_structure="INCONNUE"),  # 6 : structure absente de l'annuaire
        mise(6, issue="embauche", type_contrat="cdi"),  # 7 : embauche sans date
        mise(7, issue="embauche", date_embauche="2023-03-01", type_contrat="cdd", duree_contrat_mois="3"),  # 8
        mise(8, issue="embauche", date_embauche="2023-05-02", type_contrat="cdi", duree_contrat_mois="12"),  # 9
        mise(9, issue="en_cours", date_embauche="2023-05-02"),  # 10
        mise(10, taille_entreprise="moyenne"),  # 11
        mise(11, secteur_naf="Z"),  # 12
        mise(12, date_mise_en_relation="2023-07-01"),  # 13 : après l'extraction
        mise(13, issue="embauche", date_embauche="2023-05-02", type_contrat="cdd", duree_contrat_mois="200"),  # 14
        mise(1, issue="embauche", date_embauche="2023-05-02", type_contrat="CDI"),  # 15 : la ligne 2 répétée
    ]  # fmt: skip
    (r,) = charger(tmp_path, base, ("mer.csv", csv_bytes(rows)))
    assert (r.status, r.nature, r.rows_read, r.accepted, r.rejected) == ("loaded", "mises_en_relation", 14, 4, 10)
    assert quarantaine(base, "mer.csv") == [
        (6, "code_structure", "code_structure absent de l'annuaire des structures"),
        (7, "date_embauche", "embauche sans date_embauche"),
        (8, "date_embauche", "date_embauche antérieure à date_mise_en_relation"),
        (9, "duree_contrat_mois", "duree_contrat_mois renseignée pour un CDI (laisser vide)"),
        (10, "date_embauche", "date_embauche sans issue « embauche »"),
        (11, "taille_entreprise", "taille_entreprise inconnue (attendu tpe, pme, eti_ge ou inconnue)"),
        (12, "secteur_naf", "secteur_naf inconnu (attendu une lettre de section NAF, de A à U)"),
        (13, "date_mise_en_relation", "date_mise_en_relation postérieure à date_extraction"),
        (14, "duree_contrat_mois", "duree_contrat_mois hors limites (attendu de 1 à 120 mois)"),
        (15, "id_beneficiaire", "doublon (même ligne qu'une ligne précédente)"),
    ]
    # Les identifiants ne sont jamais en quarantaine : ligne, colonne et motif seulement (et l'ALI du référentiel).
    assert all(pseudo(i) not in repr(query_rows(base, "SELECT * FROM quarantaine")) for i in range(1, 14))
    assert lignes_de(
        base,
        "SELECT id_beneficiaire, code_structure, taille_entreprise, secteur_naf, issue, date_embauche, type_contrat, "
        "duree_contrat_mois, contrat_long FROM mises_en_relation",
    ) == sorted(
        [
            (pseudo(1), "C2DI93", "tpe", "F", "embauche", date(2023, 5, 2), "cdi", None, True),
            (pseudo(2), "C2DI93", "tpe", "F", "embauche", date(2023, 5, 15), "cdd", 6, True),
            (pseudo(3), "SELF-INTERIM", "pme", "F", "embauche", date(2023, 5, 20), "interim", 2, False),
            (pseudo(4), "C2DI93", "tpe", None, "refus_employeur", None, None, None, None),
        ],
        key=repr,
    )
    # Deux périmètres structure × ALI, chacun son instantané.
    assert lignes_de(base, "SELECT cle, date_extraction, lignes, courant FROM instantanes_systemes "
                           "WHERE nature = 'mises_en_relation'") == [
        ("C2DI93|ALI14", date(2023, 6, 30), 3, True),
        ("SELF-INTERIM|ALI14", date(2023, 6, 30), 1, True),
    ]  # fmt: skip


def test_mises_en_relation_instantane_par_structure_et_ali(tmp_path, base):
    premier = [mise(1), mise(2), mise(3, code_structure="SELF-INTERIM")]
    (r,) = charger(tmp_path, base, ("juin.csv", csv_bytes(premier)))
    assert r.status == "loaded"
    # Septembre : C2Di 93 seulement ; ses 2 lignes deviennent 3, celles de Self Interim ne bougent pas.
    septembre = [mise(i, date_extraction="2023-09-30") for i in (1, 2, 5)]
    (r,) = charger(tmp_path, base, ("septembre.csv", csv_bytes(septembre)))
    assert r.status == "loaded" and "C2DI93 × ALI14" in r.message
    assert [(e.cle, e.lignes_avant, e.lignes_apres) for e in r.apercu.systemes] == [("C2DI93|ALI14", 2, 3)]
    assert lignes_de(base, "SELECT code_structure, count(*) FROM mises_en_relation GROUP BY ALL") == [
        ("C2DI93", 3), ("SELF-INTERIM", 1)
    ]  # fmt: skip
    # Mars, plus ancien que l'instantané de C2Di 93 en place : gardé dans l'historique seulement.
    avant = lignes_de(base, "SELECT * FROM mises_en_relation")
    mars = [mise(9, date_mise_en_relation="2023-03-01", date_extraction="2023-03-31")]
    (r,) = charger(tmp_path, base, ("mars.csv", csv_bytes(mars)))
    assert r.status == "older_snapshot", r.message
    assert "plus ancien que celui en place pour C2DI93 × ALI14 (en place : 30 septembre 2023)" in r.message
    assert lignes_de(base, "SELECT * FROM mises_en_relation") == avant
    assert query_rows(base, "SELECT count(*) FROM mises_en_relation_historique") == [(7,)]
    # Le même contenu une seconde fois : rien ne change, et le compte rendu le dit.
    (r,) = charger(tmp_path, base, ("copie.csv", csv_bytes(septembre)))
    assert r.status == "already_loaded"


def test_mises_en_relation_sans_annuaire_sont_toutes_rejetees(tmp_path, db_path):
    (r,) = charger(tmp_path, db_path, ("mer.csv", csv_bytes([mise(1), mise(2)])))
    assert (r.status, r.accepted, r.rejected) == ("loaded", 0, 2)
    assert r.rejections == {"code_structure absent de l'annuaire des structures": 2}
    assert "Aucune ligne valide" in r.message


@pytest.mark.parametrize(
    "changement, attendu",
    [
        ({"telephone_employeur": "01 48 12 34 56"}, "directement identifiantes (colonne telephone_employeur)"),
        ({"secteur_naf": "jeanne.dupont@example.fr"}, "colonne secteur_naf : une adresse e-mail"),
    ],
)
def test_mises_en_relation_avec_identifiant_direct_refusees_base_intacte(tmp_path, base, changement, attendu):
    (r,) = charger(tmp_path, base, ("bon.csv", csv_bytes([mise(1)])))
    avant = tout(base)
    # La colonne en plus est dans l'en-tête (celui de la première ligne) ; la valeur est sur la ligne 3.
    rows = [mise(2, **dict.fromkeys(changement, "")), mise(3, **changement)]
    (r,) = charger(tmp_path, base, ("mauvais.csv", csv_bytes(rows)))
    assert r.status == "refused" and attendu in r.message, r.message
    assert "01 48" not in r.message and "dupont" not in r.message
    assert tout(base) == avant


# ---------------------------------------------------------------- actions collectives et participations (§7.3)


def test_actions_collectives_regles_de_ligne(tmp_path, base):
    rows = [
        action("ATN-2023-03-07"),  # 2
        action("ATN-2023-03-10", date_action="10/03/2023", participants="6", places="8.0"),  # 3
        action("JDI-QUATRE-CHEMINS", type_action="Aller-vers", code_structure="pantin-ml", code_ali="",
               code_commune="93055", quartier="Quatre-Chemins", date_action="2023-06-01", places="",
               participants="40", rendez_vous_pris="12", personnes_remobilisees="5"),  # 4
        action("JDI-COURTILLIERES", type_action="aller_vers", code_structure="PANTIN-ML", code_ali="",
               code_commune="93055", participants="3", personnes_remobilisees="5"),  # 5 : 5 remobilisés > 3
        action("ATN-2023-03-07", participants="5"),  # 6 : id_action déjà vu ligne 2
        action("X1", code_structure="ABSENTE"),  # 7
        action("X2", participants=""),  # 8
        action("X3", participants="-1"),  # 9
        action("X4", quartier="Q" * 81),  # 10
        action("X5", type_action="atelier_cuisine"),  # 11
        action("X6", date_action="2023-07-01"),  # 12
        action("X7", code_ali="ALI99"),  # 13
    ]  # fmt: skip
    (r,) = charger(tmp_path, base, ("actions.csv", csv_bytes(rows)))
    assert (r.status, r.nature, r.rows_read, r.accepted, r.rejected) == ("loaded", "actions_collectives", 12, 3, 9)
    assert quarantaine(base, "actions.csv") == [
        (5, "personnes_remobilisees", "plus de personnes_remobilisees que de participants"),
        (6, "id_action", "doublon (même id_action qu'une ligne précédente)"),
        (7, "code_structure", "code_structure absent de l'annuaire des structures"),
        (8, "participants", "participants manquant"),
        (9, "participants", "participants négatif"),
        (10, "quartier", "quartier trop long (80 caractères au plus)"),
        (11, "type_action", "type_action inconnu (attendu atelier_numerique, atelier_linguistique, "
                            "information_collective, aller_vers, job_dating ou autre)"),
        (12, "date_action", "date_action postérieure à date_extraction"),
        (13, "code_ali", "code_ali absent du référentiel des ALI"),
    ]  # fmt: skip
    assert lignes_de(
        base,
        "SELECT id_action, type_action, code_structure, code_ali, code_commune, quartier, date_action, places, "
        "participants, rendez_vous_pris, personnes_remobilisees FROM actions_collectives",
    ) == [
        ("ATN-2023-03-07", "atelier_numerique", "ALI14", "ALI14", "93014", None, date(2023, 3, 7), 8, 7, None, None),
        ("ATN-2023-03-10", "atelier_numerique", "ALI14", "ALI14", "93014", None, date(2023, 3, 10), 8, 6, None, None),
        ("JDI-QUATRE-CHEMINS", "aller_vers", "PANTIN-ML", None, "93055", "Quatre-Chemins", date(2023, 6, 1), None, 40,
         12, 5),
    ]  # fmt: skip


def test_participations_a_une_action_inconnue_rejetees(tmp_path, base):
    actions = [action("ATN-1"), action("ATN-2", date_action="2023-03-10"), action("JDI-1", code_structure="PANTIN-ML")]
    (r,) = charger(tmp_path, base, ("actions.csv", csv_bytes(actions)))
    assert r.accepted == 3
    rows = [
        {"id_beneficiaire": pseudo(1), "id_action": "ATN-1", "date_extraction": D},  # 2
        {"id_beneficiaire": pseudo(2), "id_action": "ATN-1", "date_extraction": D},  # 3
        {"id_beneficiaire": pseudo(1), "id_action": "ATN-2", "date_extraction": D},  # 4
        {"id_beneficiaire": pseudo(3), "id_action": "ATN-99", "date_extraction": D},  # 5 : séance inconnue
        {"id_beneficiaire": pseudo(1), "id_action": "ATN-1", "date_extraction": D},  # 6 : doublon de la ligne 2
        {"id_beneficiaire": "court", "id_action": "ATN-1", "date_extraction": D},  # 7
        {"id_beneficiaire": pseudo(4), "id_action": "JDI-1", "date_extraction": D},  # 8
    ]
    (r,) = charger(tmp_path, base, ("participations.csv", csv_bytes(rows)))
    assert (r.status, r.nature, r.rows_read, r.accepted, r.rejected) == ("loaded", "participations", 7, 4, 3)
    assert quarantaine(base, "participations.csv") == [
        (5, "id_action", "id_action inconnu (absent des actions collectives chargées)"),
        (6, "id_beneficiaire", "doublon (même id_beneficiaire et id_action qu'une ligne précédente)"),
        (7, "id_beneficiaire", "id_beneficiaire invalide (8 à 64 caractères parmi A-Z, a-z, 0-9, _ et -)"),
    ]
    # Chaque participation porte la structure organisatrice de sa séance : le périmètre de son instantané.
    assert lignes_de(base, "SELECT code_structure, count(*) FROM participations GROUP BY ALL") == [
        ("ALI14", 3), ("PANTIN-ML", 1)
    ]  # fmt: skip


def test_actions_collectives_xlsx_et_parquet_relus_comme_le_csv(tmp_path):
    import openpyxl

    rows = [
        action("ATN-1", places="8", participants="7", personnes_remobilisees="1"),
        action("JDI-1", type_action="aller_vers", code_structure="PANTIN-ML", code_ali="", code_commune="93055",
               quartier="Église", date_action="2023-06-01", places="", participants="40", rendez_vous_pris="12"),
    ]  # fmt: skip
    entiers = {"places", "participants", "rendez_vous_pris", "personnes_remobilisees"}

    def typee(colonne: str, valeur: str):
        if valeur == "":
            return None
        if colonne.startswith("date_"):
            return date.fromisoformat(valeur)
        return int(valeur) if colonne in entiers else valeur

    colonnes = contrat.COLONNES_ACTIONS_COLLECTIVES
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    feuille.append(colonnes)
    for row in rows:
        feuille.append([typee(c, row[c]) for c in colonnes])
    tampon = io.BytesIO()
    classeur.save(tampon)
    table = pa.table(
        {
            c: pa.array(
                [typee(c, row[c]) for row in rows],
                type=pa.date32() if c.startswith("date_") else pa.int32() if c in entiers else pa.string(),
            )
            for c in colonnes
        }
    )
    parquet = io.BytesIO()
    pq.write_table(table, parquet)
    contenus = []
    for nom, data in (
        ("actions.csv", csv_bytes(rows)),
        ("actions.xlsx", tampon.getvalue()),
        ("actions.parquet", parquet.getvalue()),
    ):
        dossier = tmp_path / nom.replace(".", "_")
        dossier.mkdir()
        db = dossier / "base.duckdb"
        charger(dossier, db, ("annuaire.csv", csv_bytes(ANNUAIRE)))
        (r,) = charger(dossier, db, (nom, data))
        assert (r.status, r.nature, r.accepted, r.rejected) == ("loaded", "actions_collectives", 2, 0), r.message
        contenus.append(colonnes_de(db, "actions_collectives", colonnes))
    assert contenus[0] == contenus[1] == contenus[2]
    assert contenus[0][1][5] == "Église"


# ---------------------------------------------------------------- moyens (§7.4)


def test_moyens_regles_de_ligne_et_instantane_par_ali(tmp_path, db_path):
    rows = [
        moyen("ALI14", "2023-02", referents_etp="4,5", places="160"),  # 2
        moyen("ali14", "03/2023", referents_etp="5.25", places="180", cip_ecole="1"),  # 3
        moyen("ALI14", "2023-03-01", referents_etp="6"),  # 4 : même mois que la ligne 3
        moyen("ALI08", "2023-07"),  # 5 : après l'extraction
        moyen("ALI08", "2023-13"),  # 6
        moyen("ALI08", "2023-05", places="-3"),  # 7
        moyen("ALI08", "2023-05", referents_etp=""),  # 8
        moyen("ALI08", "2023-06", referents_etp="1 234,5"),  # 9 : espace des milliers admis
    ]
    (r,) = charger(tmp_path, db_path, ("moyens.csv", csv_bytes(rows)))
    assert (r.status, r.nature, r.rows_read, r.accepted, r.rejected) == ("loaded", "moyens", 8, 3, 5)
    assert quarantaine(db_path, "moyens.csv") == [
        (4, "code_ali", "doublon (même code_ali et mois qu'une ligne précédente)"),
        (5, "mois", "mois postérieur à date_extraction"),
        (6, "mois", "mois illisible (attendu AAAA-MM)"),
        (7, "places", "places négatif"),
        (8, "referents_etp", "referents_etp manquant"),
    ]
    assert lignes_de(db_path, "SELECT code_ali, mois, referents_etp, places, cip_ecole FROM moyens") == [
        ("ALI08", date(2023, 6, 1), Decimal("1234.50"), 300, None),
        ("ALI14", date(2023, 2, 1), Decimal("4.50"), 160, None),
        ("ALI14", date(2023, 3, 1), Decimal("5.25"), 180, 1),
    ]
    # Un fichier d'ALI14 seule, plus récent, remplace ses mois ; ALI08 garde les siens.
    rows = [moyen("ALI14", m, date_extraction="2023-09-30") for m in ("2023-02", "2023-03", "2023-08")]
    (r,) = charger(tmp_path, db_path, ("moyens_sept.csv", csv_bytes(rows)))
    assert r.status == "loaded"
    assert lignes_de(db_path, "SELECT code_ali, count(*) FROM moyens GROUP BY ALL") == [("ALI08", 1), ("ALI14", 3)]


def test_moyens_qui_retirent_plus_du_seuil_attendent_confirmation_base_intacte(tmp_path, db_path):
    rows = [moyen("ALI14", f"2023-0{m}") for m in range(1, 6)]
    charger(tmp_path, db_path, ("moyens.csv", csv_bytes(rows)))
    avant = tout(db_path)
    # 5 mois → 3 : 40 % de lignes en moins pour ALI14.
    rows = [moyen("ALI14", f"2023-0{m}", date_extraction="2023-09-30") for m in range(1, 4)]
    (r,) = charger(tmp_path, db_path, ("moyens_partiel.csv", csv_bytes(rows)))
    assert r.status == "to_confirm"
    assert "ALI ALI14 perd 40,0 % de ses lignes (5 → 3)" in r.message.replace("\u202f", " ")
    assert tout(db_path) == avant
    assert r.apercu.en_json(r.empreinte)["systemes"] == [
        {
            "nature": "moyens",
            "cle": "ALI14",
            "date_avant": "2023-06-30",
            "date_apres": "2023-09-30",
            "lignes_avant": 5,
            "lignes_apres": 3,
            "ecart_lignes_pct": -40.0,
        }
    ]
    (r,) = charger(tmp_path, db_path, ("moyens_partiel.csv", csv_bytes(rows)), forcer={r.jeton})
    assert r.status == "loaded" and "Remplacement confirmé" in r.message
    assert query_rows(db_path, "SELECT count(*) FROM moyens") == [(3,)]


@pytest.mark.parametrize(
    "fichier, motif",
    [
        ([moyen("ALI14", "2023-05"), moyen("ALI14", "2023-06", date_extraction="2023-09-30")], "plusieurs valeurs"),
        ([{k: v for k, v in moyen("ALI14", "2023-05").items() if k != "places"}], "obligatoire absente"),
    ],
)
def test_un_fichier_refuse_laisse_la_base_intacte(tmp_path, base, fichier, motif):
    charger(tmp_path, base, ("moyens.csv", csv_bytes([moyen("ALI14", "2023-04")])), ("mer.csv", csv_bytes([mise(1)])))
    avant = tout(base)
    (r,) = charger(tmp_path, base, ("refuse.csv", csv_bytes(fichier)))
    assert r.status == "refused" and motif in r.message, r.message
    assert tout(base) == avant


# ---------------------------------------------------------------- un envoi de tous les fichiers, et le schéma


def test_un_envoi_charge_chaque_type_dans_l_ordre_donne(tmp_path, db_path):
    fichiers = [
        ("annuaire.csv", csv_bytes(ANNUAIRE)),
        ("file_active.csv", csv_bytes([ligne(id_beneficiaire=pseudo(i), frein_logement="oui") for i in (1, 2)])),
        ("mer.csv", csv_bytes([mise(1)])),
        ("actions.csv", csv_bytes([action("ATN-1")])),
        ("participations.csv", csv_bytes([{"id_beneficiaire": pseudo(1), "id_action": "ATN-1", "date_extraction": D}])),
        ("moyens.csv", csv_bytes([moyen("ALI14", "2023-06")])),
    ]
    resultats = charger(tmp_path, db_path, *fichiers)
    assert [(r.nature, r.status, r.rejected) for r in resultats] == [
        ("structures", "loaded", 0),
        ("file_active", "loaded", 0),
        ("mises_en_relation", "loaded", 0),
        ("actions_collectives", "loaded", 0),
        ("participations", "loaded", 0),
        ("moyens", "loaded", 0),
    ]
    # L'historique des chargements (page Qualité) les montre tous, avec leur nature.
    assert query_rows(db_path, "SELECT nature FROM chargements ORDER BY id_chargement") == [
        (r.nature,) for r in resultats
    ]
    # Les fichiers du §7 ne créent pas d'instantané de file active : la date d'observation ne bouge pas.
    assert query_rows(db_path, "SELECT code_ali, date_extraction FROM instantanes") == [("ALI14", date(2023, 6, 30))]


def test_une_base_du_schema_8_est_mise_a_niveau_a_l_ouverture(tmp_path):
    from insertion.store import db

    path = tmp_path / "ancienne.duckdb"
    charger_fichiers(path, [write(tmp_path / "juin.csv", csv_bytes(lignes(4)))])
    con = duckdb.connect(str(path))
    for table in ("structures", "mises_en_relation", "actions_collectives", "participations", "moyens"):
        con.execute(f"DROP TABLE {table}")
        con.execute(f"DROP TABLE {table}_historique")
    con.execute("DROP TABLE instantanes_systemes")
    for colonne in contrat.COLONNES_FREINS:
        con.execute(f"ALTER TABLE episodes DROP COLUMN {colonne}")
        con.execute(f"ALTER TABLE episodes_historique DROP COLUMN {colonne}")
    con.execute("UPDATE meta SET valeur = '8' WHERE cle = 'version_schema'")
    con.close()

    lecteur = db.ouvrir_en_lecture(path)
    try:
        assert db.version(lecteur) == db.VERSION_SCHEMA == "11"
        assert lecteur.execute("SELECT count(*), count(frein_logement) FROM episodes").fetchall() == [(4, 0)]
        assert lecteur.execute("SELECT count(*) FROM moyens").fetchall() == [(0,)]
    finally:
        lecteur.close()
    (r,) = charger_fichiers(path, [write(tmp_path / "moyens.csv", csv_bytes([moyen("ALI14", "2023-06")]))])
    assert (r.status, r.accepted) == ("loaded", 1)
    rows = [ligne(id_beneficiaire=f"b{i:07d}", frein_sante="oui", date_extraction="2023-07-31") for i in range(1, 6)]
    (r,) = charger_fichiers(path, [write(tmp_path / "juillet.csv", csv_bytes(rows))])
    assert r.status == "loaded"
    assert query_rows(path, "SELECT count(*) FROM episodes WHERE frein_sante = 'oui'") == [(5,)]


def test_la_cli_load_charge_les_fichiers_du_contrat_7_et_dit_les_rejets(tmp_path):
    """`python -m insertion load --json` : le même chargeur, le même compte rendu que pour la file active."""
    from tests.outputs.test_cli import cli

    annuaire = write(tmp_path / "annuaire.csv", csv_bytes(ANNUAIRE))
    mer = write(tmp_path / "mer.csv", csv_bytes([mise(1), mise(2, issue="embauche", type_contrat="cdi")]))
    proc = cli("load", str(annuaire), str(mer), "--json", db=tmp_path / "cli.duckdb")
    assert proc.returncode == 0, proc.stderr
    sortie = json.loads(proc.stdout)
    assert [(r["file"], r["status"], r["rows_read"], r["accepted"], r["rejected"]) for r in sortie] == [
        ("annuaire.csv", "loaded", 4, 4, 0),
        ("mer.csv", "loaded", 2, 1, 1),
    ]
    assert sortie[1]["rejections"] == {"embauche sans date_embauche": 1}
    assert sortie[1]["apercu"]["systemes"][0]["cle"] == "C2DI93|ALI14"
    proc = cli("load", str(mer), db=tmp_path / "cli.duckdb")
    assert proc.returncode == 0 and "déjà été chargé" in proc.stdout


def test_seuls_des_noms_verifies_entrent_dans_le_sql_compose():
    """Le chargeur compose ses requêtes de noms écrits dans systemes.SPECS ; un nom qui ne serait pas un
    identifiant simple (un morceau de SQL) est refusé dès la construction de la spec."""
    from dataclasses import replace

    from insertion.ingest import systemes

    spec = systemes.SPECS["moyens"]
    with pytest.raises(ValueError, match="identifiants SQL non admis"):
        replace(spec, doublon=("code_ali; DROP TABLE episodes",))
    with pytest.raises(ValueError, match="identifiants SQL non admis"):
        replace(spec, cle_sql="code_ali) OR (1=1")
    assert "$cles" in spec.sql_retirer and "$id" in spec.sql_inserer


def test_les_lignes_chargees_portent_la_cle_de_cellule_de_leur_personne_ou_de_leur_seance(tmp_path, base):
    """Les effectifs des fichiers du §7 sont publiés par clés de cellule (secret statistique) : chaque mise en
    relation et chaque participation prend la clé de sa personne (la même que ses épisodes), chaque séance une
    clé à elle ; toutes calculées avec le sel de la base, recalculées par Python ici."""
    from insertion.store import cles

    actions = [action("ATN-1"), action("JDI-1", code_structure="PANTIN-ML")]
    charger(tmp_path, base, ("actions.csv", csv_bytes(actions)))
    rows = [{"id_beneficiaire": pseudo(i), "id_action": "ATN-1", "date_extraction": D} for i in (1, 2)]
    charger(tmp_path, base, ("participations.csv", csv_bytes(rows)))
    con = duckdb.connect(str(base), read_only=True)
    try:
        sel = cles.sel(con).valeur
        participations = con.execute("SELECT id_beneficiaire, cle_personne FROM participations").fetchall()
        seances = con.execute("SELECT code_structure, id_action, cle_action FROM actions_collectives").fetchall()
    finally:
        con.close()
    assert len(participations) == 2 and len(seances) == 2
    for id_beneficiaire, cle in participations:
        assert cle == cles.cle_personne(id_beneficiaire, sel)
    for structure, id_action, cle in seances:
        attendu = int.from_bytes(hmac.new(sel, f"a|{structure}|{id_action}".encode(), hashlib.sha256).digest()[:4])
        assert cle == attendu
