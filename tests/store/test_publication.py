"""La couche de publication (insertion/protect, issue 12), sur des effectifs et des clés choisis à la main.

Les clés sont prises dans la table p (`cle_pour(bruit)` : la première clé qui donne ce bruit) : chaque valeur
attendue se lit sans calcul caché. Seuil 11, bruit de −3 à +3 (protection.REGLAGE)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from insertion import indicators, protect
from insertion.outputs import cli
from insertion.protect import diffusion, protection
from insertion.store import db, requetes
from insertion.store.cles import MODULE
from insertion.store.requetes import Perimetre, Periode
from tests.indicators.test_synthese import DEBUT, D, construire_base
from tests.publie import cellule, publie

TABLE = protection.REGLAGE.table


def cle(bruit: int) -> int:
    return TABLE.cle_pour(bruit)


SANS_FILTRE = {k: None for k in diffusion.FILTRES}


def publier(nom: str, df: pd.DataFrame, **params) -> pd.DataFrame:
    return protect.publier_requete(nom, {**SANS_FILTRE, "groupe": "ali", **params}, df)


def test_un_effectif_est_publie_avec_le_bruit_de_sa_cle_ou_masque():
    brut = pd.DataFrame(
        {
            "groupe": ["ALI01", "ALI02", "ALI03", "ALI04", "ALI05"],
            "file_active": [20, 12, 5, 0, 11],
            "cle_file_active": [cle(2), cle(-2), cle(3), cle(0), cle(1)],
        }
    )
    out = publier("file_active", brut, as_of=D)
    # 20 + 2 = 22 ; 12 − 2 = 10 < 11 : masqué ; 5 et 0 : masqués (zéro compris) ; 11 + 1 = 12.
    assert out["file_active"].tolist()[0] == 22 and out["file_active"].tolist()[4] == 12
    assert out["file_active"].isna().tolist() == [False, True, True, True, False]
    assert list(out.columns) == ["groupe", "file_active"]  # les clés ne sortent jamais


def test_un_taux_est_calcule_sur_les_effectifs_publies_si_ses_deux_parts_le_sont():
    # Ligne 1 : numérateur 15 (bruit +1 → 16), complément 25 (clé choisie pour un bruit −1 → 24, publié) ;
    # dénominateur 40, publié avec le bruit de sa clé (somme des deux) : taux = 16 / dénominateur publié.
    # Ligne 2 : numérateur 35, complément 5 (de 1 à 10) : le taux redonnerait le complément → masqué.
    num = [cle(1), cle(0)]
    den = [(cle(1) + cle(-1)) % MODULE, (cle(0) + cle(0)) % MODULE]
    brut = pd.DataFrame(
        {
            "groupe": ["ALI01", "ALI02"],
            "denominateur": [40, 40],
            "n_sortie_emploi": [15, 35],
            "taux_sortie_emploi": [15 / 40, 35 / 40],
            "n_emploi_durable": [0, 0],
            "taux_emploi_durable": [0.0, 0.0],
            "cle_denominateur": den,
            "cle_n_sortie_emploi": num,
            "cle_n_emploi_durable": [0, 0],
        }
    )
    out = publier("taux_sortie_emploi_12m", brut, debut=DEBUT)
    den_publie = 40 + TABLE.bruit(den[0])
    assert out.at[0, "n_sortie_emploi"] == 16 and out.at[0, "denominateur"] == den_publie
    assert out.at[0, "taux_sortie_emploi"] == pytest.approx(16 / den_publie)
    assert math.isnan(out.at[1, "taux_sortie_emploi"])
    # Emploi durable 0 sous le département : zéro masqué, et son taux (0 %) avec.
    assert out["taux_emploi_durable"].isna().all()


def test_une_mediane_n_est_publiee_que_sur_un_effectif_publie_et_arrondie_a_5_jours():
    brut = pd.DataFrame(
        {
            "groupe": ["ALI01", "ALI02"],
            "denominateur": [40, 40],
            "numerateur": [20, 20],
            "taux_90j": [0.5, 0.5],
            "delai_median_j": [32.0, 32.0],
            "diagnostics": [25, 8],
            "cle_denominateur": [cle(0)] * 2,
            "cle_numerateur": [cle(0)] * 2,
            "cle_diagnostics": [cle(0)] * 2,
        }
    )
    out = publier("taux_diagnostic_90j", brut, debut=DEBUT)
    # 32 jours → 30 (pas de 5) sur 25 diagnostics ; sur 8, masquée.
    assert out.at[0, "delai_median_j"] == 30 and math.isnan(out.at[1, "delai_median_j"])


def test_le_departement_n_est_exact_que_sans_filtre_et_pour_une_question_assez_recente():
    brut = pd.DataFrame({"groupe": ["Seine-Saint-Denis"], "entrees": [7], "sorties": [30]})
    brut["cle_entrees"], brut["cle_sorties"] = cle(2), cle(2)
    params = {"groupe": "departement", "as_of": D, "fin": D}
    # Février 2023 : premier mois où des ALI de deux EPT sont ouvertes (référentiel) ; un flux, un mois après.
    assert diffusion.premiers_mois_exemptes() == (date(2023, 2, 1), date(2023, 3, 1))
    exact = protect.publier_requete("entrees_sorties", {**SANS_FILTRE, **params, "debut": date(2023, 3, 1)}, brut)
    assert exact.iloc[0][["entrees", "sorties"]].tolist() == [7, 30]
    # Dès janvier 2023, la période moins ses mois exacts redonnerait janvier et février : protégée.
    avant = protect.publier_requete("entrees_sorties", {**SANS_FILTRE, **params, "debut": DEBUT}, brut)
    assert math.isnan(avant.at[0, "entrees"]) and avant.at[0, "sorties"] == 32
    # Un filtre de profil suffit à en faire une case comme une autre.
    filtre = {**SANS_FILTRE, **params, "debut": date(2023, 3, 1), "sexes": ["F"]}
    assert protect.publier_requete("entrees_sorties", filtre, brut).at[0, "sorties"] == 32
    # Un stock à D (février 2023 ou après) : exact.
    stock = pd.DataFrame({"groupe": ["Seine-Saint-Denis"], "file_active": [7], "cle_file_active": [cle(2)]})
    assert protect.publier_requete("file_active", {**SANS_FILTRE, **params}, stock).at[0, "file_active"] == 7


def test_avant_la_premiere_ali_rien_n_est_cache():
    brut = pd.DataFrame({"groupe": ["ALI01"], "file_active": [0], "cle_file_active": [cle(0)]})
    out = publier("file_active", brut, as_of=date(2022, 12, 31))
    assert out.at[0, "file_active"] == 0


def test_une_requete_a_cles_non_declaree_est_refusee_et_les_autres_passent():
    with pytest.raises(LookupError, match="sans déclaration"):
        publier("requete_inconnue", pd.DataFrame({"n": [3], "cle_n": [1]}))
    budget = pd.DataFrame({"annee": [2023], "montant_vote": [46e6]})
    assert publier("budget_annuel", budget).equals(budget)


def test_chaque_requete_a_cles_de_queries_est_declaree():
    a_cles = {
        p.stem for p in requetes.QUERIES_DIR.glob("*.sql") if requetes.PREFIXE_CLE in p.read_text(encoding="utf-8")
    }
    assert a_cles <= set(protect.DECLARATIONS), sorted(a_cles - set(protect.DECLARATIONS))


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return construire_base(tmp_path_factory.mktemp("publication"))


def test_la_meme_case_a_la_meme_valeur_quelle_que_soit_la_requete(base):
    """File active d'ALI14 au 31 décembre 2024 : lue à D (file_active) et comme dernier mois de la série
    mensuelle (file_active_mensuelle) ; les mêmes personnes, donc la même clé, donc la même valeur publiée."""
    periode = Periode(as_of=D, debut=DEBUT, fin=D).parametres()
    a_d = publie(base, "file_active", **periode, **Perimetre().parametres(), groupe="ali")
    mensuelle = publie(base, "file_active_mensuelle", **periode, **Perimetre().parametres(), groupe="ali")
    assert cellule(a_d, "file_active", groupe="ALI14") == cellule(
        mensuelle, "file_active", groupe="ALI14", date_reference="2024-12-31"
    )
    # Et la même que pour le territoire ALI14 seul (groupe département, filtre ALI).
    seule = publie(base, "file_active", **periode, **Perimetre(alis=("ALI14",)).parametres(), groupe="departement")
    assert cellule(a_d, "file_active", groupe="ALI14") == cellule(seule, "file_active")


# --- Aucune page, ni la note, ni la CLI ne lit de valeur brute -----------------------------------------


@pytest.fixture
def lectures(monkeypatch):
    """Chaque requête lancée : (nom, sous la couche de publication ?). `texte_sql` est lu par `requetes.executer` à
    chaque appel, quel que soit le chemin (indicateur, fichier SQL, cache d'une page)."""
    vues: list[tuple[str, bool]] = []
    original = requetes.texte_sql

    def espion(nom: str) -> str:
        vues.append((nom, protect.en_publication()))
        return original(nom)

    monkeypatch.setattr(requetes, "texte_sql", espion)
    return vues


def brutes(vues: list[tuple[str, bool]]) -> set[str]:
    return {nom for nom, publiee in vues if not publiee and nom in protect.DECLARATIONS}


def test_le_garde_fou_voit_une_lecture_brute(base, lectures):
    con = db.ouvrir_en_lecture(base)
    try:
        indicators.file_active(con, Periode(as_of=D))
    finally:
        con.close()
    assert brutes(lectures) == {"file_active"}


PAGES = ["vue_ensemble", "beneficiaires", "diagnostics", "sorties", "budget", "comparer", "qualite"]


@pytest.mark.parametrize("page", PAGES)
def test_aucune_page_ne_lit_de_valeur_brute(base, app_test, lectures, page):
    app_test(base, f"pages/{page}.py", query_params={"ali": ["ALI14"]})
    assert {nom for nom, _ in lectures} & set(protect.DECLARATIONS), "la page n'a lu aucun indicateur ?"
    assert brutes(lectures) == set()


def test_la_cli_et_la_note_ne_lisent_pas_de_valeur_brute(base, lectures, tmp_path, capsys):
    assert cli.main(["indicators", "--db", str(base), "--ali", "ALI14", "--json"]) == 0
    assert cli.main(["briefing", "--db", str(base), "--ali", "ALI14", "--out", str(tmp_path / "note.pdf")]) == 0
    noms = {nom for nom, _ in lectures}
    assert {"file_active", "entrees_sorties", "taux_diagnostic_90j"} <= noms
    assert brutes(lectures) == set()
    assert (tmp_path / "note.pdf").read_bytes().startswith(b"%PDF")


def test_sous_publication_un_effectif_de_1_a_10_ne_sort_jamais(base):
    """Toutes les requêtes déclarées, par ALI et par commune, sur la petite base : aucune valeur de 1 à 10."""
    periode = Periode(as_of=D, debut=DEBUT, fin=D).parametres()
    for groupe in ("ali", "commune", "ept"):
        for nom in ("file_active", "file_active_mensuelle", "entrees_sorties", "entrees_sorties_mensuelles"):
            df = publie(base, nom, **periode, **Perimetre().parametres(), groupe=groupe)
            valeurs = df.select_dtypes("number").to_numpy(dtype="float64").ravel()
            valeurs = valeurs[~np.isnan(valeurs)]
            assert not ((valeurs >= 1) & (valeurs < 11)).any(), (nom, groupe)
