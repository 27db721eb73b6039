"""Secret statistique : les règles indépendantes de la méthode (issue 12), un test de régression par fuite.

Chaque test échoue sur le code d'avant ces règles (exemption du département sous filtres de profil, taux à
petit numérateur, médianes sur une personne, libellés « < 11 » / « n.d. », seuil écrit « 11 » en dur, page
Qualité, CLI `indicators` et valeur « il y a un an » de la note non protégées).

La petite base (extraction du 30 juin 2024 = D), comptée à la main :

  groupe  ALI    n   orientation  profil                                   autres
  M       ALI14   2  2024-05-10   55 ans et plus, femme, professionnel
  J       ALI14   5  2024-06-10   55 ans et plus, femme, professionnel
  V       ALI14   5  2023-03-15   25-34 ans, femme, social (défaut)       actives depuis plus d'un an
  N       ALI14  40  2024-01-15   25-34 ans, homme, social
  K       ALI04   1  2024-02-01   25-34 ans, femme, social                diag numérique le 2024-02-13 (12 j)

Au département sans filtre : 53 personnes suivies à D. Avec les trois filtres de profil du groupe M/J : entrées
de mai 2 et de juin 5 (l'ancienne carte affichait 5 et « +150 % », donc mai = 2). ALI14 : 52 personnes à D,
5 il y a un an (le 30 juin 2023 : le groupe V). ALI04 : une orientation, diagnostiquée en 12 jours.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from insertion import formats, indicators
from insertion.figures import cohortes, diagnostics, sorties_figures
from insertion.indicators import synthese, tableaux_beneficiaires
from insertion.indicators.filters import Filtres
from insertion.outputs import briefing
from insertion.present import qualite
from insertion.protect import secret
from insertion.store.requetes import Perimetre, Periode
from tests.conftest import build_db, csv_bytes, ligne

ROOT = Path(__file__).resolve().parents[2]
D = date(2024, 6, 30)
PROFIL = {"tranche_age": "55_plus", "sexe": "F", "type_parcours": "professionnel"}
FILTRES_PROFIL = Perimetre(ages=("55_plus",), sexes=("F",), parcours=("professionnel",))


def _groupe(prefixe: str, n: int, **champs: str) -> list[dict[str, str]]:
    return [
        ligne(id_beneficiaire=f"{prefixe}{i:07d}", date_extraction=D.isoformat(), **champs) for i in range(1, n + 1)
    ]


def lignes_base() -> list[dict[str, str]]:
    rows = _groupe("m", 2, date_orientation="2024-05-10", **PROFIL)
    rows += _groupe("j", 5, date_orientation="2024-06-10", **PROFIL)
    rows += _groupe("v", 5, date_orientation="2023-03-15")
    rows += _groupe("n", 40, date_orientation="2024-01-15", sexe="M")
    rows += _groupe(
        "k", 1, date_orientation="2024-02-01", code_ali="ALI04", code_commune="93027", date_diag_numerique="2024-02-13"
    )
    return rows


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    path = build_db(tmp_path_factory.mktemp("secret_regles") / "base.duckdb", {"e.csv": csv_bytes(lignes_base())})
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM episodes").fetchall() == [(53,)]
    finally:
        con.close()
    return path


@pytest.fixture
def con(base):
    c = duckdb.connect(str(base), read_only=True)
    yield c
    c.close()


# --- 1. Exemption du département ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "perimetre",
    [
        Perimetre(ages=("55_plus",)),
        Perimetre(sexes=("F",)),
        Perimetre(parcours=("professionnel",)),
        Perimetre(alis=("ALI14",)),
        Perimetre(epts=("Est Ensemble",)),
        Perimetre(communes=("93014",)),
    ],
)
def test_le_departement_n_est_exempte_que_sans_aucun_filtre(perimetre):
    assert secret.departement_exempte(Perimetre())
    assert not secret.departement_exempte(perimetre)


def test_sous_filtres_de_profil_les_entrees_du_departement_sont_masquees_et_sans_evolution(con):
    s = synthese.chiffres_cles(con, Periode(as_of=D, debut=date(2023, 1, 1), fin=D), FILTRES_PROFIL)
    # Juin : 5 entrées (groupe J), mai : 2 (groupe M) ; l'ancienne carte lisait 5 et « +150 % ».
    assert s.entrees.actuel.masque and s.entrees.actuel.texte == "secret"
    assert s.entrees.precedent.masque
    assert s.entrees.variation() is None
    # Sans filtre, le département reste exact : 5 entrées en juin se lisent 5.
    sans = synthese.chiffres_cles(con, Periode(as_of=D, debut=date(2023, 1, 1), fin=D))
    assert sans.entrees.actuel.texte == "5" and not sans.entrees.actuel.masque


def test_la_ligne_departement_des_vues_porte_les_filtres_de_profil():
    # Une table département + ALI (vues Diagnostics et Sorties) : sous filtres de profil, la ligne du
    # département (4 orientations) n'est plus exemptée.
    table, niveau = cohortes.empiler(
        pd.DataFrame({"groupe": ["Seine-Saint-Denis"], "denominateur": [4], "n_sortie_emploi": [0],
                      "n_emploi_durable": [0], "taux_sortie_emploi": [0.0], "taux_emploi_durable": [0.0]}),
        pd.DataFrame({"groupe": ["ALI14"], "denominateur": [30], "n_sortie_emploi": [12],
                      "n_emploi_durable": [0], "taux_sortie_emploi": [0.4], "taux_emploi_durable": [0.0]}),
    )  # fmt: skip
    reference = cohortes.perimetre_departement(Perimetre(alis=("ALI14",), sexes=("F",)))
    prot, _ = cohortes.proteger_territoires(
        table, niveau, sorties_figures.proteger_sortie, {}, exempte=secret.departement_exempte(reference)
    )
    assert pd.isna(prot.donnees.at[0, "denominateur"])


# --- 2. Taux : dénominateur, numérateur et complément -------------------------------------------------


@pytest.mark.parametrize(
    ("numerateur", "publie"),
    [(0, True), (4, False), (10, False), (11, True), (56, True), (101, True), (102, False), (108, False), (112, True)],
)
def test_un_taux_se_publie_si_numerateur_et_complement_valent_0_ou_au_moins_le_seuil(numerateur, publie):
    # « 3,6 % sur 112 » : 4/112 seul convient → 4 personnes ; de même 108/112 redonne 4 non comptées.
    df = pd.DataFrame({"taux": [numerateur / 112], "den": [112]})
    prot = secret.proteger(df, taux={"taux": "den"}, departement=True, seuil=11)
    assert bool(prot.masque.at[0, "taux"]) is not publie
    assert secret.taux_publiable(numerateur, 112, 11) is publie


def test_les_parts_de_profil_sont_des_taux():
    # Sous le département : 100, 5 et 5 sur 110. Les 5 sont masqués ; la part de 100 (90,9 %) redonnerait
    # 10 personnes hors de la modalité : non diffusée non plus.
    repartition = pd.DataFrame(
        {"modalite": ["a", "b", "c"], "libelle": ["A", "B", "C"], "file_active": [100, 5, 5], "total": 110}
    )
    prot = tableaux_beneficiaires.proteger_repartition(repartition, departement=False)
    assert prot.donnees["part"].isna().all()
    assert prot.donnees["file_active"].iloc[0] == 100 and prot.donnees["file_active"].iloc[1:].isna().all()
    # 40, 35, 35 sur 110 : toutes les parts sont diffusées.
    prot = tableaux_beneficiaires.proteger_repartition(repartition.assign(file_active=[40, 35, 35]), departement=False)
    assert prot.donnees["part"].tolist() == pytest.approx([40 / 110, 35 / 110, 35 / 110])


# --- 3. Médianes --------------------------------------------------------------------------------------


def test_une_mediane_porte_sur_au_moins_le_seuil_et_s_arrondit_a_5_jours():
    df = pd.DataFrame(
        {
            "groupe": ["ALI04", "ALI14", "ALI01"],
            "denominateur": [40, 50, 60],
            "numerateur": [20, 30, 30],
            "taux_90j": [0.5, 0.6, 0.5],
            "diagnostics": [10, 11, 45],
            "delai_median_j": [12.0, 32.0, 12.5],
        }
    )
    prot = diagnostics.proteger_diagnostic(df, departement=False)
    # 10 diagnostics : non diffusé ; 32 jours → 30 ; 12,5 jours → 15.
    assert pd.isna(prot.donnees.at[0, "delai_median_j"])
    assert prot.donnees["delai_median_j"].iloc[1:].tolist() == [30.0, 15.0]
    assert prot.affichage({"delai_median_j": formats.jours})["delai_median_j"].iloc[0] == "secret"


# --- 4. Un seul libellé --------------------------------------------------------------------------------


def test_toute_case_masquee_se_lit_secret():
    df = pd.DataFrame({"n": [4, 50, 80], "taux": [0.5, 0.5, 0.5]})
    prot = secret.proteger(df, effectifs=["n"], taux={"taux": "n"}, ventilation=[])
    textes = prot.affichage({"n": str, "taux": str})
    assert textes["n"].tolist()[:2] == ["secret", "secret"]  # primaire et secondaire : même libellé
    assert textes["taux"].tolist()[:2] == ["secret", "secret"]
    assert secret.libelle_masque() == secret.TAUX_NON_DIFFUSE == secret.MASQUE_SECONDAIRE == "secret"
    assert "« secret »" in secret.note() and "n.d." not in secret.note() and "< " not in secret.note()


# --- 5. Le seuil se lit dans le réglage ----------------------------------------------------------------

# Les formes d'un seuil écrit en dur (« moins de 11 », « de 1 à 10 », « < 11 ») et l'ancien libellé « n.d. ».
SEUIL_EN_DUR = re.compile(r"moins de 11\b|\b1 à 10\b|< 11\b|« n\.d\. »|\"n\.d\.\"|sous 11\b|inférieure? à 11\b")


def test_aucun_texte_n_ecrit_le_seuil_en_dur():
    # protection.py est la méthode de fond d'une autre session (pas encore câblée) : hors de ce contrôle.
    fichiers = [p for p in (ROOT / "insertion").glob("*.py") if p.name != "protection.py"]
    fichiers += list((ROOT / "pages").glob("*.py")) + [ROOT / "dashboard.py"]
    fautes = [
        f"{p.relative_to(ROOT)}:{i}: {texte.strip()}"
        for p in fichiers
        for i, texte in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if SEUIL_EN_DUR.search(texte)
    ]
    assert fautes == []


def test_les_textes_citent_le_seuil_regle():
    code = (
        "from insertion.indicators.definitions import DEFINITIONS\n"
        "from insertion.protect import secret\n"
        "print(secret.note())\n"
        "print(DEFINITIONS['delai_median'].definition)\n"
        "print(DEFINITIONS['diag_cohortes'].definition)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "INSERTION_SEUIL_SECRET": "15"},
    )
    assert run.returncode == 0, run.stderr
    assert "14" in run.stdout and "15" in run.stdout and "11" not in run.stdout


# --- 6. Les sorties qui échappaient à la protection -----------------------------------------------------


def test_la_completude_de_la_page_qualite_est_protegee():
    df = pd.DataFrame(
        [
            {"groupe": "ALI14", "episodes": 7, "date_diag_numerique": 2, "niveau_numerique": 2,
             "date_diag_linguistique": 0, "niveau_linguistique": 0, "composition_foyer": 7, "anciennete_rsa": 7,
             "sorties": 2, "motif_sortie": 2},
        ]
    )  # fmt: skip
    prot = qualite.proteger_completude(qualite.completude(df), departement=False)
    t = qualite.tableau_completude(prot, str).texte
    # 7 épisodes et 2 sorties d'une ALI sous filtres : masqués, et leurs parts aussi.
    assert t.iloc[0][["Épisodes courants", "Sorties"]].tolist() == ["secret", "secret"]
    assert t.iloc[0]["Date du diagnostic numérique"] == "secret"
    assert prot.donnees["renseignes"].isna().any()


def test_la_cli_indicators_imprime_des_valeurs_protegees(base):
    run = subprocess.run(
        [sys.executable, "-m", "insertion", "indicators", "--ali", "ALI04", "--json", "--db", str(base)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "INSERTION_SEUIL_SECRET"},
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    # ALI04 : 1 personne suivie, 1 entrée, un taux « sur 1 orientation », un délai médian de 12 jours sur
    # une seule personne : rien de tout cela n'est publié.
    assert (out["file_active"], out["entrees"]) == ("secret", "secret")
    assert out["diag_numerique"] == {"taux_90j": "secret", "delai_median_j": "secret", "denominateur": "secret"}
    texte = subprocess.run(
        [sys.executable, "-m", "insertion", "indicators", "--ali", "ALI04", "--db", str(base)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "INSERTION_SEUIL_SECRET"},
    ).stdout
    assert "File active : secret" in texte and "12 jours" not in texte and "100,0" not in texte


def test_publier_garde_le_departement_sans_filtre_exact():
    brut = {
        "as_of": "2024-06-30", "file_active": 5, "entrees": 3, "sorties": 0, "sorties_par_motif": {},
        "diag_numerique": {"taux_90j": 1.0, "delai_median_j": 12.0, "denominateur": 1},
        "diag_linguistique": {"taux_90j": None, "delai_median_j": None, "denominateur": 0},
        "sortie_emploi_12m": {"taux": None, "denominateur": 0},
        "emploi_durable_12m": {"taux": None, "denominateur": 0},
    }  # fmt: skip
    dep = indicators.publier(brut, Perimetre(), seuil=11)
    assert (dep["file_active"], dep["entrees"]) == (5, 3)  # totaux du département : exacts
    assert dep["diag_numerique"]["taux_90j"] == "secret" and dep["diag_numerique"]["delai_median_j"] == "secret"
    filtre = indicators.publier(brut, Perimetre(sexes=("F",)), seuil=11)
    assert (filtre["file_active"], filtre["entrees"]) == ("secret", "secret")


def test_la_note_ne_publie_pas_une_petite_valeur_de_ses_points_de_comparaison(con):
    filtres = Filtres(Periode(as_of=D, debut=date(2023, 1, 1), fin=D), Perimetre(alis=("ALI14",)), D)
    note = briefing.preparer(con, filtres)
    # ALI14 : 52 personnes à D et 47 au 31 mai (deux valeurs publiées, comme sur la Vue d'ensemble) ; 5 au
    # 31 décembre 2023, 5 entrées en juin et 2 en mai : ces trois-là ne sortent ni en chiffre ni en phrase.
    assert note.chiffres[0].valeur == "52"
    assert note.chiffres[0].evolution == "+10,6\u202f% sur un mois"
    assert note.chiffres[1].valeur == "secret" and note.chiffres[1].evolution is None
    phrase = next(p for p in note.phrases if p.startswith("La file active"))
    assert phrase.endswith("compte 52 personnes au 30 juin 2024 (+10,6\u202f% sur un mois).")
    assert "décembre 2023" not in phrase and "5 au" not in phrase
    assert not any(p.startswith("En juin 2024") for p in note.phrases)
    assert note.masque
