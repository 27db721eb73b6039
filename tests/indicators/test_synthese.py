"""Chiffres clés (insertion.indicators.synthese) sur une petite base dont chaque nombre est compté à la main.

La base, partagée avec les tests des vues « Vue d'ensemble » et « Bénéficiaires suivis »
(extraction du 31 décembre 2024 = D ; P par défaut = [1er janvier 2023, D]) :

  groupe  ALI    n   ids        orientation  sortie (motif)                  autres
  A       ALI14  20  a01..a20   2023-06-15   –                               diag num 2023-07-15 (30 j) pour a01..a15
  Dx      ALI14   8  d01..d08   2023-03-01   2024-12-20 (emploi_durable)
  E       ALI14  10  e01..e10   2023-09-01   2024-11-15 (formation)          diag ling 2023-10-01 (30 j)
  F       ALI14   7  f01..f07   2023-10-01   2024-02-01 (f01-f04 emploi_durable, f05-f07 emploi_transition)
                                                                             diag num 2023-10-20 (19 j)
  B       ALI14  12  b01..b12   2024-11-10   –                               tranche moins_25
  C       ALI14   5  c01..c05   2024-12-05   –
  G       ALI04   4  g01..g04   2024-09-01   –
  a01'    ALI04   1  a01        2024-10-01   –                               tranche 35_44 (même personne que a01)
  H       ALI08  15  h01..h15   2024-06-01   –                               tranche 45_54, sexe M
Ailleurs : tranche 25_34, sexe F, parcours social. ALI14 = Clichy (Grand Paris Grand Est), ALI04 = La Courneuve
(Plaine Commune), ALI08 = Montreuil (Est Ensemble).

Budget (M€) : 2023 voté 16 + 29 + 1 (ALI14) = 46,0, exécuté 15 + 28 + 0,9 = 43,9 ;
2024 voté 14 + 31,5 + 1,5 (ALI14) = 47,0, exécuté inconnu (une ligne ouverte) ; ALI14 seule : 1,0 → 1,5 voté,
0,9 → 1,2 exécuté.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from insertion import indicators
from insertion.indicators import catalogue, resultats_synthese, synthese, tableaux_beneficiaires
from insertion.store.requetes import Perimetre, Periode, executer
from tests.conftest import build_db, csv_bytes, ligne

D = date(2024, 12, 31)
DEBUT = date(2023, 1, 1)
NBSP = "\u202f"

BUDGET = (
    b"annee;code_ali;ligne;montant_vote;montant_execute\n"
    b"2023;;formation;16000000;15000000\n"
    b"2023;;accompagnement_ali;29000000;28000000\n"
    b"2023;ALI14;accompagnement_ali;1000000;900000\n"
    b"2024;;formation;14000000;13000000\n"
    b"2024;;accompagnement_ali;31500000;\n"
    b"2024;ALI14;accompagnement_ali;1500000;1200000\n"
)


def _groupe(prefixe: str, n: int, **champs: str) -> list[dict[str, str]]:
    return [
        ligne(id_beneficiaire=f"{prefixe}{i:07d}", date_extraction=D.isoformat(), **champs) for i in range(1, n + 1)
    ]


def lignes_fixture() -> list[dict[str, str]]:
    rows = _groupe("a", 20, date_orientation="2023-06-15")
    for row in rows[:15]:
        row["date_diag_numerique"] = "2023-07-15"
    rows += _groupe("d", 8, date_orientation="2023-03-01", date_sortie="2024-12-20", motif_sortie="emploi_durable")
    rows += _groupe(
        "e", 10, date_orientation="2023-09-01", date_sortie="2024-11-15", motif_sortie="formation",
        date_diag_linguistique="2023-10-01",
    )  # fmt: skip
    f = _groupe("f", 7, date_orientation="2023-10-01", date_sortie="2024-02-01", date_diag_numerique="2023-10-20")
    for i, row in enumerate(f):
        row["motif_sortie"] = "emploi_durable" if i < 4 else "emploi_transition"
    rows += f
    rows += _groupe("b", 12, date_orientation="2024-11-10", tranche_age="moins_25")
    rows += _groupe("c", 5, date_orientation="2024-12-05")
    ali04 = {"code_ali": "ALI04", "code_commune": "93027"}
    rows += _groupe("g", 4, date_orientation="2024-09-01", **ali04)
    rows.append(
        ligne(id_beneficiaire="a0000001", date_orientation="2024-10-01", tranche_age="35_44",
              date_extraction=D.isoformat(), **ali04)
    )  # fmt: skip
    rows += _groupe(
        "h", 15, code_ali="ALI08", code_commune="93048", date_orientation="2024-06-01", tranche_age="45_54", sexe="M"
    )
    return rows


def construire_base(dossier: Path) -> Path:
    path = build_db(dossier / "synthese.duckdb", {"extraction.csv": csv_bytes(lignes_fixture()), "budget.csv": BUDGET})
    con = duckdb.connect(str(path), read_only=True)
    try:  # toutes les lignes décrites ci-dessus sont chargées, aucune en quarantaine
        assert con.execute("SELECT count(*) FROM episodes").fetchall() == [(82,)]
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = construire_base(tmp_path_factory.mktemp("synthese"))
    c = duckdb.connect(str(path), read_only=True)
    yield c
    c.close()


def calcul(con, perimetre: Perimetre = Perimetre(), as_of: date = D) -> resultats_synthese.Synthese:
    return synthese.chiffres_cles(con, Periode(as_of=as_of, debut=DEBUT, fin=as_of), perimetre)


# --- Dates -----------------------------------------------------------------------------------------


def test_dates_de_reference():
    assert synthese.dernier_mois_complet(date(2024, 12, 31)) == date(2024, 12, 1)  # D est une fin de mois
    assert synthese.dernier_mois_complet(date(2024, 12, 30)) == date(2024, 11, 1)
    assert synthese.fin_mois_precedent(date(2024, 3, 15)) == date(2024, 2, 29)
    assert synthese.decale_mois(date(2024, 1, 1), -13) == date(2022, 12, 1)
    fins = synthese.dates_fins_de_mois(date(2024, 3, 15), 3)
    assert fins == [date(2023, 12, 31), date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 15)]


# --- Département ------------------------------------------------------------------------------------


def test_file_active_et_valeurs_precedentes(con):
    s = calcul(con)
    # À D : A 20 + B 12 + C 5 + G 4 + H 15 = 56 (a01 suivi dans deux ALI compte une fois ; Dx, E, F sortis).
    # Fin novembre 2024 : A 20 + Dx 8 (sortis le 20 décembre) + B 12 + G 4 + H 15 = 59 (E sortis le 15 novembre).
    # 31 décembre 2023 : A 20 + Dx 8 + E 10 + F 7 = 45.
    assert (s.file_active.actuel.valeur, s.file_active.precedent.valeur) == (56, 59)
    assert s.file_active.precedent.date == date(2024, 11, 30)
    assert s.file_active_fin_annee.valeur == 45
    assert s.file_active.actuel.texte == "56" and not s.file_active.actuel.masque
    # Courbe : 13 fins de mois, de décembre 2023 (45) à D (56) ; fin février 2024 : F sortis le 1er → 38.
    courbe = s.file_active.courbe()
    assert len(courbe) == 13 and courbe[0] == 45 and courbe[2] == 38 and courbe[-1] == 56
    assert s.file_active.variation() == (56, 59)


def test_entrees_et_sorties_du_dernier_mois_complet(con):
    s = calcul(con)
    # D = 31 décembre : décembre est complet. Entrées : C 5 en décembre, B 12 en novembre ; sorties : Dx 8 en
    # décembre, E 10 en novembre.
    assert s.entrees.libelle == "Entrées en décembre 2024"
    assert (s.entrees.actuel.valeur, s.entrees.precedent.valeur) == (5, 12)
    assert (s.sorties.actuel.valeur, s.sorties.precedent.valeur) == (8, 10)
    # Les 12 mois de janvier à décembre 2024 : H 15 en juin, G 4 en septembre, a01' 1 en octobre.
    assert s.entrees.courbe() == [0, 0, 0, 0, 0, 15, 0, 0, 4, 1, 12, 5]
    assert s.sorties.courbe() == [0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 10, 8]  # F 7 sortis en février


def test_taux_a_d_et_a_la_fin_du_mois_precedent(con):
    s = calcul(con)
    # Cohorte 90 j à D (orientés au plus tard le 2 octobre 2024) : A 20 + Dx 8 + E 10 + F 7 + G 4 + a01' 1 + H 15
    # = 65 ; numérique dans les 90 jours : A 15 + F 7 = 22 → 33,8 % ; linguistique : E 10 → 15,4 %.
    # Au 30 novembre 2024 (orientés au plus tard le 1er septembre 2024) : 65 - a01' = 64 → 22/64 = 34,4 %,
    # 10/64 = 15,6 %.
    assert s.diag_numerique.actuel.denominateur == 65
    assert s.diag_numerique.actuel.valeur == pytest.approx(22 / 65)
    assert s.diag_numerique.precedent.valeur == pytest.approx(22 / 64)
    assert s.diag_numerique.actuel.texte == f"33,8{NBSP}%"
    # Linguistique : 10 personnes diagnostiquées, de 1 à 10 → taux non diffusé (10/65 × 65 redonnerait 10),
    # au département aussi ; donc pas d'évolution.
    assert s.diag_linguistique.actuel.texte == "secret" and s.diag_linguistique.variation() is None
    # Cohorte 12 mois à D (orientés au plus tard le 1er janvier 2024) : A 20 + Dx 8 + E 10 + F 7 = 45 ;
    # en emploi dans l'année : F 7 (Dx sortis après plus d'un an), emploi durable f01-f04 : 4. Numérateurs
    # de 1 à 10 : ni 15,6 % ni 8,9 % ne sont diffusés.
    assert s.sortie_emploi.actuel.valeur is None and s.sortie_emploi.actuel.masque
    assert s.emploi_durable.actuel.texte == "secret"
    assert not s.sortie_emploi.stable() and not s.diag_numerique.stable()
    # Délai médian : 7 diagnostics à 19 jours et 15 à 30 jours ; les 11e et 12e valeurs valent 30.
    assert "Délai médian du diagnostic : 30 jours" in s.diag_numerique.aide


def test_la_requete_des_fins_de_mois_reprend_les_indicateurs(con):
    """taux_fins_de_mois.sql doit redonner, à chaque date, les taux des requêtes de référence."""
    dates = [date(2024, 1, 31), date(2024, 11, 30), D]
    serie = executer(
        con, "taux_fins_de_mois", dates=dates, groupe="ali", debut=DEBUT, fin=D, **Perimetre().parametres()
    )
    for r in dates:
        periode = Periode(as_of=r, debut=DEBUT, fin=r)
        lignes = serie[serie["date_reference"].dt.date == r].set_index("groupe")
        for nom, colonne in (("numerique", "taux_diag_numerique"), ("linguistique", "taux_diag_linguistique")):
            ref = indicators.taux_diagnostic(con, periode, groupe="ali", diagnostic=nom).set_index("groupe")
            assert lignes.loc[ref.index, "denominateur_90j"].tolist() == ref["denominateur"].tolist()
            assert lignes.loc[ref.index, colonne].fillna(-1).tolist() == pytest.approx(ref["taux_90j"].fillna(-1))
        ref = indicators.taux_sortie_emploi(con, periode, groupe="ali").set_index("groupe")
        assert lignes.loc[ref.index, "denominateur_12m"].tolist() == ref["denominateur"].tolist()
        assert lignes.loc[ref.index, "n_emploi_durable"].tolist() == ref["n_emploi_durable"].tolist()


def test_budget_de_l_annee_et_ali_ouvertes(con):
    s = calcul(con)
    assert s.budget_vote.libelle == "Budget voté 2024"
    assert (s.budget_vote.actuel.texte, s.budget_vote.precedent.texte) == (f"47,0{NBSP}M€", f"46,0{NBSP}M€")
    # 2024 n'est pas exécuté (une ligne ouverte) : la dernière année exécutée est 2023, sans 2022 pour comparer.
    assert s.budget_execute.libelle == "Budget exécuté 2023"
    assert s.budget_execute.actuel.valeur == pytest.approx(43_900_000)
    assert s.budget_execute.variation() is None
    assert s.budget_execute.extra["taux_execution"] == pytest.approx(43.9 / 46)
    # Les 22 ALI du référentiel sont ouvertes fin 2024 (la dernière, ALI22, en octobre 2024).
    assert (s.ali_ouvertes, s.ali_total) == (22, 22)
    # Au 30 juin 2024, ALI17 (septembre) et ALI22 (octobre) ne le sont pas encore.
    s_juin = calcul(con, as_of=date(2024, 6, 30))
    assert (s_juin.ali_ouvertes, s_juin.ali_total) == (20, 22)
    assert s_juin.budget_vote.libelle == "Budget voté 2024"


# --- Sous le département : secret statistique --------------------------------------------------------


def test_la_couleur_des_ecarts_suit_le_catalogue(con):
    """Un effectif (file active, entrées, sorties, budget) dit l'activité : écart gris ; un taux de diagnostic ou
    de sortie en emploi progresse quand il monte : écart vert. Le catalogue le dit une fois pour toutes les vues."""
    s = calcul(con)
    assert {c.cle: c.sens for c in s.cartes()} == {
        "file_active": "off",
        "entrees": "off",
        "sorties": "off",
        "diag_numerique": "normal",
        "diag_linguistique": "normal",
        "sortie_emploi": "normal",
        "emploi_durable": "normal",
        "budget_vote": "off",
        "budget_execute": "off",
    }
    assert catalogue.entree("entrees_sorties_mensuelles").sens == "neutre"


def test_une_ali_est_protegee_par_le_secret(con):
    s = calcul(con, Perimetre(alis=("ALI04",)))
    # ALI04 à D : G 4 + a01' 1 = 5 → masqué ; fin novembre : 5 aussi → pas d'évolution, pas de courbe.
    assert s.sous_departement
    assert s.file_active.actuel.valeur is None and s.file_active.actuel.masque
    assert s.file_active.actuel.texte == "secret"
    assert s.file_active.variation() is None and s.file_active.courbe() is None
    # Entrées de décembre : 0, montré (seuls 1 à 10 sont masqués).
    assert s.entrees.actuel.texte == "0"
    # Cohorte 90 j : G 4 + a01' 1 = 5 < 11 → taux non diffusé, cohorte non montrée.
    assert s.diag_numerique.actuel.texte == "secret" and s.diag_numerique.actuel.denominateur is None
    assert (s.ali_ouvertes, s.ali_total) == (1, 1)


def test_alis_et_budget_ventile(con):
    s = calcul(con, Perimetre(alis=("ALI14",)))
    # ALI14 à D : A 20 + B 12 + C 5 = 37 ; fin novembre : A 20 + Dx 8 + B 12 = 40 → -7,5 %.
    assert s.file_active.variation() == (37, 40)
    # Entrées de décembre : C 5 → « secret », sans évolution ; courbe : le dernier point est masqué.
    assert s.entrees.actuel.texte == "secret" and s.entrees.variation() is None and s.entrees.courbe() is None
    # Cohorte 90 j d'ALI14 : A 20 + Dx 8 + E 10 + F 7 = 45 ; 22/45 = 48,9 %.
    assert s.diag_numerique.actuel.texte == f"48,9{NBSP}%"
    # Budget d'ALI14 seule : 1,5 M€ voté en 2024 contre 1,0 M€ ; exécuté 2024 1,2 M€ contre 900 000 €.
    assert s.budget_vote.variation() == (1_500_000, 1_000_000)
    assert s.budget_execute.libelle == "Budget exécuté 2024"
    assert s.budget_execute.precedent.texte == f"900{NBSP}000{NBSP}€"
    assert s.budget_perimetre == "ALI retenues" and not s.budget_filtres_ignores


def test_un_ept_compte_ses_ali(con):
    s = calcul(con, Perimetre(epts=("Plaine Commune",)), as_of=date(2023, 12, 31))
    # Plaine Commune : ALI01 à ALI07 ; ALI07 (Stains) ouvre en janvier 2024.
    assert (s.ali_ouvertes, s.ali_total) == (6, 7)
    assert s.budget_filtres_ignores and s.budget_perimetre == "Seine-Saint-Denis"


def test_repartition_complete_et_classement():
    import pandas as pd

    rep = pd.DataFrame({"modalite": ["25_34", "non_renseigne"], "file_active": [3, 2], "total": [5, 5]})
    out = tableaux_beneficiaires.repartition_complete(rep, "tranche_age")
    assert out["modalite"].tolist() == ["moins_25", "25_34", "35_44", "45_54", "55_plus", "non_renseigne"]
    assert out["file_active"].tolist() == [0, 3, 0, 0, 0, 2] and set(out["total"]) == {5}
    assert out["libelle"].iloc[-1] == "Non renseigné"
    protege = pd.DataFrame({"code_ali": ["ALI01", "ALI02", "ALI03", "ALI04"], "file_active": [20, None, 35, 20]})
    trie = tableaux_beneficiaires.ordre_classement(protege)
    assert trie["code_ali"].tolist() == ["ALI03", "ALI01", "ALI04", "ALI02"]
    assert trie["rang"].tolist() == [1, 2, 2, None]
