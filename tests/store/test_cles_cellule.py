"""Clés de cellule du secret statistique (issue 12) : sel, colonne cle_personne, macro cle_cellule et colonnes
cle_<effectif> des requêtes. Méthode : docs/secret-statistique.md ; cœur testé à part :
tests/protect/test_protection.py.

Le petit jeu, à la date D = 30 juin 2023 (extraction du même jour) :

    ALI01 (seule ALI de la commune 93066, Saint-Denis)
      A  orienté le 15 mars, toujours suivi                     F
      B  orienté le 1er avril, toujours suivi                   M
      C  orienté le 20 mars, sorti en emploi le 10 mai          F
      P  deux épisodes simultanés : 1er avril et 2 mai, ouverts M
    ALI14 (commune 93014)
      E  orienté le 15 mars, toujours suivi                     F

File active de l'ALI01 à D : A, B, P (3 personnes, P une fois). Entrées de l'ALI01 de mars à juin : 5 épisodes
(A, B, C, P deux fois), dont la clé compte P deux fois, comme l'effectif.
"""

from __future__ import annotations

import functools
from datetime import date

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insertion.config import QUERIES_DIR
from insertion.ingest.chargement import charger_fichiers
from insertion.store import cles, db, requetes
from insertion.store.requetes import Perimetre, Periode
from tests.conftest import csv_bytes, ligne, write

SEL_1 = "premier-sel-de-test-" + "a1b2c3d4" * 4
SEL_2 = "second-sel-de-test-" + "e5f6a7b8" * 4
D = date(2023, 6, 30)
MODULE = cles.MODULE

JEU = [
    ligne(id_beneficiaire="personneA", code_ali="ALI01", code_commune="93066", date_orientation="2023-03-15", sexe="F"),
    ligne(id_beneficiaire="personneB", code_ali="ALI01", code_commune="93066", date_orientation="2023-04-01", sexe="M"),
    ligne(
        id_beneficiaire="personneC", code_ali="ALI01", code_commune="93066", date_orientation="2023-03-20",
        date_sortie="2023-05-10", motif_sortie="emploi_durable", sexe="F",
    ),
    ligne(id_beneficiaire="personneP", code_ali="ALI01", code_commune="93066", date_orientation="2023-04-01", sexe="M"),
    ligne(id_beneficiaire="personneP", code_ali="ALI01", code_commune="93066", date_orientation="2023-05-02", sexe="M"),
    ligne(id_beneficiaire="personneE", code_ali="ALI14", code_commune="93014", date_orientation="2023-03-15", sexe="F"),
]  # fmt: skip


def construire(tmp_path, nom: str = "base.duckdb"):
    chemin = tmp_path / nom
    (resultat,) = charger_fichiers(chemin, [write(tmp_path / f"{nom}.csv", csv_bytes(JEU))])
    assert resultat.status == "loaded", resultat.message
    return chemin


def somme(ids: list[str], sel: str) -> int:
    """La clé de cellule attendue, calculée en Python membre par membre (cles.cle_personne)."""
    return cles.cle_cellule(cles.cle_personne(i, sel.encode()) for i in ids)


def ligne_de(df, groupe: str) -> dict:
    (row,) = df[df["groupe"] == groupe].to_dict("records")
    return row


def params(perimetre: Perimetre, groupe: str, **extra) -> dict:
    return {
        "groupe": groupe,
        **Periode(D, debut=date(2023, 3, 1), fin=D).parametres(),
        **perimetre.parametres(),
        **extra,
    }


@pytest.fixture
def sel_1(monkeypatch):
    monkeypatch.setenv(cles.VARIABLE_SEL, SEL_1)


def test_la_colonne_cle_personne_est_le_hmac_de_la_personne(tmp_path, sel_1):
    chemin = construire(tmp_path)
    con = duckdb.connect(str(chemin), read_only=True)
    lignes = con.execute("SELECT id_beneficiaire, cle_personne FROM episodes").fetchall()
    con.close()
    assert len(lignes) == 6
    assert all(c == cles.cle_personne(i, SEL_1.encode()) for i, c in lignes)
    # Les deux épisodes de P portent la même clé, celle de la personne.
    assert len({c for i, c in lignes if i == "personneP"}) == 1


def test_la_cle_d_une_cellule_est_la_meme_quelle_que_soit_la_requete(tmp_path, sel_1):
    con = db.ouvrir_en_lecture(construire(tmp_path))
    try:
        attendu = somme(["personneA", "personneB", "personneP"], SEL_1)
        # Quatre chemins vers les personnes actives de l'ALI01 à D.
        par_ali = requetes.executer(con, "file_active", avec_cles=True, **params(Perimetre(alis=("ALI01",)), "ali"))
        par_commune = requetes.executer(
            con, "file_active", avec_cles=True, **params(Perimetre(communes=("93066",)), "commune")
        )
        mensuelle = requetes.executer(con, "file_active_mensuelle", avec_cles=True, **params(Perimetre(), "ali"))
        profil = requetes.executer(
            con, "repartition_profil", avec_cles=True, dimension="sexe", **params(Perimetre(), "ali")
        )
        assert ligne_de(par_ali, "ALI01")["file_active"] == 3
        assert ligne_de(par_ali, "ALI01")["cle_file_active"] == attendu
        assert ligne_de(par_commune, "93066")["cle_file_active"] == attendu
        juin = mensuelle[(mensuelle["groupe"] == "ALI01") & (mensuelle["mois"] == "2023-06-01")]
        assert juin["file_active"].tolist() == [3]
        assert juin["cle_file_active"].tolist() == [attendu]
        assert set(profil[profil["groupe"] == "ALI01"]["cle_total"]) == {attendu}
        # Une modalité : les hommes (M) actifs de l'ALI01 sont B et P.
        hommes = profil[(profil["groupe"] == "ALI01") & (profil["modalite"] == "M")]
        assert hommes["cle_file_active"].tolist() == [somme(["personneB", "personneP"], SEL_1)]

        # Les épisodes entrés dans l'ALI01 de mars à juin : P deux fois, comme dans l'effectif.
        entrees = somme(["personneA", "personneB", "personneC", "personneP", "personneP"], SEL_1)
        es = requetes.executer(con, "entrees_sorties", avec_cles=True, **params(Perimetre(alis=("ALI01",)), "ali"))
        assert (ligne_de(es, "ALI01")["entrees"], ligne_de(es, "ALI01")["cle_entrees"]) == (5, entrees)
        assert ligne_de(es, "ALI01")["cle_sorties"] == somme(["personneC"], SEL_1)
        mois = requetes.executer(con, "entrees_sorties_mensuelles", avec_cles=True, **params(Perimetre(), "ali"))
        mois_ali = mois[mois["groupe"] == "ALI01"]
        assert int(mois_ali["entrees"].sum()) == 5
        assert int(mois_ali["cle_entrees"].astype("int64").sum()) % MODULE == entrees
        cohorte = requetes.executer(
            con, "taux_sortie_emploi_cohortes", avec_cles=True, pas="periode",
            **params(Perimetre(communes=("93066",)), "commune"),
        )  # fmt: skip
        assert ligne_de(cohorte, "93066")["cle_orientations"] == entrees
    finally:
        con.close()


def test_la_cle_change_avec_le_sel(tmp_path, monkeypatch):
    cles_par_sel = {}
    for sel in (SEL_1, SEL_2):
        monkeypatch.setenv(cles.VARIABLE_SEL, sel)
        con = db.ouvrir_en_lecture(construire(tmp_path, f"{sel[:6]}.duckdb"))
        try:
            df = requetes.executer(con, "file_active", avec_cles=True, **params(Perimetre(), "ali"))
        finally:
            con.close()
        cles_par_sel[sel] = ligne_de(df, "ALI01")["cle_file_active"]
        assert cles_par_sel[sel] == somme(["personneA", "personneB", "personneP"], sel)
    assert cles_par_sel[SEL_1] != cles_par_sel[SEL_2]


def _cles_en_place(chemin) -> dict[str, int]:
    con = duckdb.connect(str(chemin), read_only=True)
    try:
        return dict(con.execute("SELECT DISTINCT id_beneficiaire, cle_personne FROM episodes").fetchall())
    finally:
        con.close()


def _meta(chemin) -> dict[str, str]:
    con = duckdb.connect(str(chemin), read_only=True)
    try:
        return dict(con.execute("SELECT cle, valeur FROM meta").fetchall())
    finally:
        con.close()


def test_les_cles_sont_recalculees_quand_le_sel_change(tmp_path, monkeypatch):
    monkeypatch.setenv(cles.VARIABLE_SEL, SEL_1)
    chemin = construire(tmp_path)
    empreinte_1 = _meta(chemin)[cles.CLE_META_EMPREINTE]
    monkeypatch.setenv(cles.VARIABLE_SEL, SEL_2)
    db.ouvrir_en_lecture(chemin).close()  # la lecture voit un autre sel : la base est mise à niveau
    assert _cles_en_place(chemin) == {i: cles.cle_personne(i, SEL_2.encode()) for i in _cles_en_place(chemin)}
    meta = _meta(chemin)
    assert meta[cles.CLE_META_EMPREINTE] != empreinte_1
    # Un sel venu de l'environnement n'est jamais écrit dans la base, ni en clair ni en hexadécimal.
    assert cles.CLE_META_SEL not in meta
    assert not any(SEL_2 in v or SEL_2.encode().hex() in v for v in meta.values())

    # Variable retirée : un sel est tiré au hasard, gardé dans la base, et les clés suivent.
    monkeypatch.delenv(cles.VARIABLE_SEL)
    db.ouvrir_en_lecture(chemin).close()
    sel_base = bytes.fromhex(_meta(chemin)[cles.CLE_META_SEL])
    assert len(sel_base) == cles.OCTETS_SEL_ALEATOIRE
    assert _cles_en_place(chemin) == {i: cles.cle_personne(i, sel_base) for i in _cles_en_place(chemin)}
    # Sans changement, le sel gardé sert aux chargements suivants (il n'est pas retiré à chaque ouverture).
    (resultat,) = charger_fichiers(chemin, [write(tmp_path / "suite.csv", csv_bytes([*JEU[:3], JEU[5]]))])
    assert resultat.status in ("loaded", "to_confirm")
    assert bytes.fromhex(_meta(chemin)[cles.CLE_META_SEL]) == sel_base


def test_sel_aleatoire_sans_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(cles.VARIABLE_SEL)
    chemins = [construire(tmp_path, "un.duckdb"), construire(tmp_path, "deux.duckdb")]
    sels = [_meta(c)[cles.CLE_META_SEL] for c in chemins]
    assert sels[0] != sels[1]  # tirés indépendamment
    for chemin, sel in zip(chemins, sels, strict=True):
        en_place = _cles_en_place(chemin)
        assert en_place == {i: cles.cle_personne(i, bytes.fromhex(sel)) for i in en_place}
    # Le sel ne se montre pas dans une trace.
    con = duckdb.connect(str(chemins[0]), read_only=True)
    try:
        assert sels[0] not in repr(cles.sel_lu(con))
    finally:
        con.close()


def test_sel_trop_court_refuse(monkeypatch):
    monkeypatch.setenv(cles.VARIABLE_SEL, "court")
    with pytest.raises(ValueError, match="trop court"):
        cles.sel_environnement()


def test_la_migration_calcule_les_cles(tmp_path, sel_1):
    chemin = construire(tmp_path)
    # Une base de version 7 : ni la colonne, ni l'empreinte du sel.
    con = duckdb.connect(str(chemin))
    con.execute("ALTER TABLE episodes DROP COLUMN cle_personne")
    con.execute("UPDATE meta SET valeur = '7' WHERE cle = 'version_schema'")
    con.execute("DELETE FROM meta WHERE cle = $c", {"c": cles.CLE_META_EMPREINTE})
    con.close()
    lecteur = db.ouvrir_en_lecture(chemin)
    try:
        assert db.version(lecteur) == db.VERSION_SCHEMA == "11"
        df = requetes.executer(lecteur, "file_active", avec_cles=True, **params(Perimetre(), "ali"))
        assert ligne_de(df, "ALI14")["cle_file_active"] == somme(["personneE"], SEL_1)
    finally:
        lecteur.close()
    en_place = _cles_en_place(chemin)
    assert len(en_place) == 5
    assert en_place == {i: cles.cle_personne(i, SEL_1.encode()) for i in en_place}


def _parametres_generiques(nom: str) -> dict:
    valeurs = {
        **params(Perimetre(), "ali"),
        "diagnostic": "numerique",
        "dimension": "sexe",
        "pas": "mois",
        "dates": [D],
        "chargement": None,
        "derniere": D,
        "limite": 100,
        "domaine": None,
        "reseau": None,
        "texte": None,
        "types": None,
    }
    return {p: valeurs[p] for p in requetes.noms_parametres(requetes.texte_sql(nom))}


# Les requêtes qui comptent des personnes ou des épisodes ; les autres (budget, qualité, dates) n'en ont pas.
REQUETES_A_CLES = {
    "file_active", "file_active_mensuelle", "entrees_sorties", "entrees_sorties_mensuelles", "repartition_profil",
    "sorties_par_motif", "niveaux_diagnostic", "taux_diagnostic_90j", "taux_diagnostic_cohortes",
    "taux_sortie_emploi_12m", "taux_sortie_emploi_cohortes", "taux_fins_de_mois", "parcours_cohorte",
    "freins_prevalence", "freins_par_personne", "freins_sortie_emploi",
    "qualite_completude", "sorties_par_groupe", "mises_en_relation", "delais_mise_en_relation", "embauches_sorties",
    "moyens_mensuels", "actions_collectives", "ateliers_apres_diagnostic",
}  # fmt: skip


def test_run_ne_rend_les_cles_que_sur_demande(tmp_path, sel_1):
    con = db.ouvrir_en_lecture(construire(tmp_path))
    try:
        noms = sorted(p.stem for p in QUERIES_DIR.glob("*.sql") if p.stem != "perimetre")
        assert REQUETES_A_CLES <= set(noms)
        for nom in noms:
            sans = requetes.executer(con, nom, **_parametres_generiques(nom))
            avec = requetes.executer(con, nom, avec_cles=True, **_parametres_generiques(nom))
            assert not [c for c in sans.columns if c.startswith("cle_")], nom
            cles_rendues = [c for c in avec.columns if c.startswith("cle_")]
            assert bool(cles_rendues) == (nom in REQUETES_A_CLES), nom
            # Le reste du résultat ne change pas.
            assert avec.drop(columns=cles_rendues).equals(sans), nom
    finally:
        con.close()


def test_taux_diagnostic_90j_rend_l_effectif_de_sa_mediane(tmp_path, sel_1):
    lignes = [
        {**JEU[0], "date_diag_numerique": "2023-03-25", "niveau_numerique": "autonome"},  # délai 10 j
        {**JEU[1], "date_diag_numerique": "2023-07-15", "niveau_numerique": "autonome"},  # après D : non compté
        JEU[2],
        {**JEU[5], "date_diag_numerique": "2023-04-04", "niveau_numerique": "autonome"},  # ALI14, délai 20 j
    ]
    chemin = tmp_path / "diag.duckdb"
    charger_fichiers(chemin, [write(tmp_path / "diag.csv", csv_bytes(lignes))])
    con = db.ouvrir_en_lecture(chemin)
    try:
        df = requetes.executer(
            con, "taux_diagnostic_90j", avec_cles=True, diagnostic="numerique", **params(Perimetre(), "ali")
        )
        ali01 = ligne_de(df, "ALI01")
        assert (ali01["diagnostics"], ali01["delai_median_j"]) == (1, 10)
        assert ali01["cle_diagnostics"] == somme(["personneA"], SEL_1)
        assert ligne_de(df, "ALI14")["diagnostics"] == 1
    finally:
        con.close()


# Pseudonymes réalistes : HMAC hexadécimal de 64 caractères, en minuscules ou en majuscules (deux écritures
# d'un même hexadécimal sont deux pseudonymes distincts pour le contrat : l'identifiant n'est pas normalisé).
pseudonyme = st.builds(
    lambda octets, majuscules: octets.hex().upper() if majuscules else octets.hex(),
    st.binary(min_size=32, max_size=32),
    st.booleans(),
)


@functools.cache
def _base_en_memoire() -> duckdb.DuckDBPyConnection:
    """Une base vide en mémoire avec les macros cle_hmac et cle_cellule, telles que les installe la base."""
    con = duckdb.connect()
    db.assurer_schema(con)
    return con


@settings(max_examples=60, deadline=None)
@given(ids=st.lists(pseudonyme, min_size=1, max_size=30, unique=True), sel=st.binary(min_size=16, max_size=80))
def test_cle_sql_egale_la_cle_python_sur_des_pseudonymes_realistes(ids, sel):
    con = _base_en_memoire().cursor()
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE t (id VARCHAR)")
        con.executemany("INSERT INTO t VALUES ($id)", [{"id": i} for i in ids])
        pads = cles.Sel(sel, "test").pads()
        par_id = dict(con.execute("SELECT id, cle_hmac('p|' || id, $ipad, $opad) FROM t", pads).fetchall())
        ((cellule,),) = con.execute("SELECT cle_cellule(cle_hmac('p|' || id, $ipad, $opad)) FROM t", pads).fetchall()
    finally:
        con.close()
    attendu = {i: cles.cle_personne(i, sel) for i in ids}
    assert par_id == attendu
    assert cellule == cles.cle_cellule(attendu.values())
    assert all(0 <= c < MODULE for c in par_id.values())


# Personnes à épisodes simultanés qui sortent : la branche « personne » de file_active_evenements porte aussi
# la clé. Actifs en fin de mois (une personne une fois) :
#   mars : Q, R (S est sortie le 25)   avril : Q, R   mai : Q (1er épisode sorti le 15, 2e ouvert), R   juin : R
CHEVAUCHEMENTS = [
    ligne(id_beneficiaire="personneQ", code_ali="ALI01", code_commune="93066", date_orientation="2023-03-20",
          date_sortie="2023-05-15", motif_sortie="abandon"),
    ligne(id_beneficiaire="personneQ", code_ali="ALI01", code_commune="93066", date_orientation="2023-04-10",
          date_sortie="2023-06-05", motif_sortie="abandon"),
    ligne(id_beneficiaire="personneR", code_ali="ALI01", code_commune="93066", date_orientation="2023-03-20"),
    ligne(id_beneficiaire="personneR", code_ali="ALI01", code_commune="93066", date_orientation="2023-04-05",
          date_sortie="2023-04-20", motif_sortie="abandon"),
    ligne(id_beneficiaire="personneS", code_ali="ALI01", code_commune="93066", date_orientation="2023-03-10",
          date_sortie="2023-03-25", motif_sortie="abandon"),
]  # fmt: skip
ACTIFS_FIN_DE_MOIS = {
    date(2023, 3, 31): ["personneQ", "personneR"],
    date(2023, 4, 30): ["personneQ", "personneR"],
    date(2023, 5, 31): ["personneQ", "personneR"],
    date(2023, 6, 30): ["personneR"],
}


def test_cle_de_file_active_avec_episodes_simultanes_qui_sortent(tmp_path, sel_1):
    chemin = tmp_path / "chevauchements.duckdb"
    (resultat,) = charger_fichiers(chemin, [write(tmp_path / "chevauchements.csv", csv_bytes(CHEVAUCHEMENTS))])
    assert resultat.status == "loaded", resultat.message
    con = db.ouvrir_en_lecture(chemin)
    try:
        mensuelle = requetes.executer(con, "file_active_mensuelle", avec_cles=True, **params(Perimetre(), "ali"))
        obtenu = {
            fin: (n, cle)
            for fin, n, cle in zip(
                mensuelle["date_reference"].dt.date, mensuelle["file_active"], mensuelle["cle_file_active"], strict=True
            )
        }
        for fin, actifs in ACTIFS_FIN_DE_MOIS.items():
            assert obtenu[fin] == (len(actifs), somme(actifs, SEL_1)), fin
            # La même cellule atteinte par la file active à une date : même clé.
            ponctuelle = requetes.executer(con, "file_active", avec_cles=True, **params(Perimetre(), "ali", as_of=fin))
            assert ligne_de(ponctuelle, "ALI01")["cle_file_active"] == somme(actifs, SEL_1), fin
    finally:
        con.close()
