"""Freins périphériques (contrat §7.1) et réseau local (§7.5) : les requêtes de queries/freins_*.sql,
annuaire_structures.sql et couverture_freins.sql contre un calcul indépendant (pandas, sur les lignes écrites ici),
puis leur publication (secret statistique, clés jamais sorties).

Le jeu, au 30 juin 2024 (D), chargé par le vrai chargeur :
- ALI14 (communes 93014 et 93047) : 40 personnes orientées en 2023 (mois 1 à 5) ou en 2024 ; réponses aux 7 freins
  en motif (« oui » quand (i + k) est multiple de 3, parfois vide, tout vide pour i multiple de 9) ; des sorties en
  emploi durable dans l'année, des abandons le jour D (plus suivies à D), des emplois de transition après un an ;
- la personne 41 suivie deux fois en même temps dans ALI14 : l'épisode de 2023 dit « oui » au logement, celui de
  2024 (le plus récent) dit « non » : c'est « non » qui compte dans la file active ;
- ALI04 (commune 93027) : 5 personnes, dont 2 avec un frein de logement (sous le seuil : masqué sous le département).
Pseudonymes : HMAC-SHA256 en hexadécimal (64 caractères), comme ceux du Département.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from insertion import contrat, formats, protect
from insertion.indicators.autres_systemes import freins
from insertion.indicators.autres_systemes.freins import LIBELLES
from insertion.ingest.chargement import COLONNES_FILE_ACTIVE
from insertion.store import cles, db, requetes
from insertion.store.requetes import Perimetre, Periode
from tests.conftest import build_db, csv_bytes, ligne
from tests.publie import publie, valeurs_vraies

D = date(2024, 6, 30)
NOMS = list(LIBELLES)  # logement, garde_enfants, …, administratif
COLONNES = contrat.COLONNES_FREINS
EMPLOI = {"emploi_durable", "creation_entreprise", "emploi_transition"}


def pseudo(i: int) -> str:
    return hmac.new(b"cle-de-test-freins", str(i).encode(), hashlib.sha256).hexdigest()


def reponse(i: int, k: int) -> str:
    if i % 9 == 0:
        return ""
    if (i + k) % 3 == 0:
        return "Oui" if i % 4 == 0 else "oui"  # la casse est normalisée au chargement
    return "" if (i * (k + 1)) % 11 == 5 else "non"


def episode(i: int, **changes: str) -> dict[str, str]:
    row = ligne(id_beneficiaire=pseudo(i), date_extraction=D.isoformat())
    row.update({c: reponse(i, k) for k, c in enumerate(COLONNES)})
    row.update(changes)
    return row


def jeu() -> list[dict[str, str]]:
    rows = []
    for i in range(1, 41):
        orientation = date(2023, 1 + i % 5, 10) if i <= 24 else date(2024, 1 + i % 4, 5)
        row = episode(i, code_commune="93014" if i % 2 else "93047", date_orientation=orientation.isoformat())
        if i % 6 == 0 and i <= 24:
            row.update(date_sortie=(orientation + timedelta(days=200)).isoformat(), motif_sortie="emploi_durable")
        elif i % 10 == 0:
            row.update(date_sortie=D.isoformat(), motif_sortie="abandon")  # sortie le jour D : plus suivie à D
        elif i % 7 == 0:
            row.update(date_sortie="2024-05-01", motif_sortie="emploi_transition")  # plus d'un an après
        rows.append(row)
    # Deux épisodes actifs en même temps : le plus récent donne les réponses de la file active.
    rows.append(episode(41, date_orientation="2023-03-01", frein_logement="oui", frein_langue="oui"))
    rows.append(episode(41, date_orientation="2024-02-01", frein_logement="non", frein_langue=""))
    for i in range(101, 106):
        rows.append(
            episode(i, code_ali="ALI04", code_commune="93027", date_orientation="2024-01-15",
                    frein_logement="oui" if i <= 102 else "non")
        )  # fmt: skip
    return rows


def structure(code: str, nom: str, commune: str, domaines: str, reseaux: str = "reseau_pantin") -> dict[str, str]:
    return {"code_structure": code, "nom_structure": nom, "type": "association", "code_commune": commune,
            "domaines": domaines, "reseaux": reseaux, "site_web": ""}  # fmt: skip


ANNUAIRE = [
    structure("PANTIN-CCAS", "Centre communal d'action sociale", "93055", "acces_droits|logement"),
    structure("PANTIN-EMMAUS", "Emmaüs Connect", "93055", "numerique"),
    structure("PANTIN-CRECHE", "Crèche associative", "93055", "garde_enfants", reseaux="reseau_pantin|petite_enfance"),
    structure("CLICHY-MOBILITE", "Plateforme mobilité de Clichy", "93014", "mobilite|emploi", reseaux="partenaires"),
    structure("CLICHY-SANTE", "Centre de santé", "93014", "sante"),
]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("freins")
    return build_db(
        tmp / "freins.duckdb",
        {"file.csv": csv_bytes(jeu(), columns=contrat.COLONNES_EXTRACTION), "structures.csv": csv_bytes(ANNUAIRE)},
    )


def test_le_jeu_se_charge_sans_rejet(base):
    con = db.ouvrir_en_lecture(base)
    try:
        assert con.execute("SELECT count(*) FROM quarantaine").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM episodes").fetchone() == (len(jeu()),)
    finally:
        con.close()


def brut(base, nom: str, groupe: str = "departement", perimetre: Perimetre = Perimetre(), **extra) -> pd.DataFrame:
    return valeurs_vraies(
        base, nom, {**Periode(as_of=D).parametres(), **perimetre.parametres(), "groupe": groupe, **extra}
    )


# --- Calcul indépendant (pandas, sur les lignes écrites) -----------------------------------------------------


def lignes_df() -> pd.DataFrame:
    df = pd.DataFrame(jeu())
    for c in ("date_orientation", "date_sortie"):
        df[c] = pd.to_datetime(df[c].replace("", None))
    for c in COLONNES:
        df[c] = df[c].str.lower().replace("", None)
    df["groupe"] = df["code_ali"]
    return df


def file_active(df: pd.DataFrame) -> pd.DataFrame:
    """Une ligne par (groupe, personne) active à D : son épisode actif le plus récent."""
    d = pd.Timestamp(D)
    actifs = df[(df["date_orientation"] <= d) & (df["date_sortie"].isna() | (df["date_sortie"] > d))]
    return actifs.sort_values("date_orientation", ascending=False).drop_duplicates(["groupe", "id_beneficiaire"])


def cle(ids) -> int:
    sel = os.environ[cles.VARIABLE_SEL].encode()
    return cles.cle_cellule(cles.cle_personne(i, sel) for i in ids)


def prevalence_attendue(df: pd.DataFrame) -> pd.DataFrame:
    fa = file_active(df)
    lignes = []
    for groupe, g in fa.groupby("groupe"):
        for nom, colonne in zip(NOMS, COLONNES, strict=True):
            connus = g[g[colonne].isin(["oui", "non"])]
            avec = g[g[colonne] == "oui"]
            lignes.append((groupe, nom, len(connus), len(avec), cle(connus["id_beneficiaire"]),
                           cle(avec["id_beneficiaire"])))  # fmt: skip
    return pd.DataFrame(lignes, columns=["groupe", "frein", "connus", "avec_frein", "cle_connus", "cle_avec_frein"])


# --- Prévalence ------------------------------------------------------------------------------------------------


def test_prevalence_par_ali_contre_le_calcul_independant(base):
    attendu = prevalence_attendue(lignes_df())
    vu = brut(base, "freins_prevalence", "ali")
    assert list(vu["groupe"]) == list(attendu["groupe"]) and list(vu["frein"]) == list(attendu["frein"])
    for colonne in ("connus", "avec_frein", "cle_connus", "cle_avec_frein"):
        assert vu[colonne].astype("int64").tolist() == attendu[colonne].tolist(), colonne
    np.testing.assert_allclose(vu["part"], attendu["avec_frein"] / attendu["connus"])


def test_prevalence_a_la_main_pour_quelques_cases(base):
    vu = brut(base, "freins_prevalence", "ali").set_index(["groupe", "frein"])
    # ALI04 : 5 personnes actives, toutes répondent sur le logement ; 101 et 102 disent oui.
    assert (vu.at[("ALI04", "logement"), "connus"], vu.at[("ALI04", "logement"), "avec_frein"]) == (5, 2)
    # ALI14 à D : 41 personnes moins 13 sorties au plus tard à D (6, 12, 18, 24 en emploi ; 10, 20, 30, 40 le jour
    # D ; 7, 14, 21, 28, 35 en mai 2024) = 28. Sans aucune réponse : 9, 27, 36. Logement vide : 5, 16, 38.
    # Connus : 28 − 3 − 3 = 22 ; oui (i multiple de 3, actives, avec réponse) : 3, 15, 33, 39 = 4.
    assert (vu.at[("ALI14", "logement"), "connus"], vu.at[("ALI14", "logement"), "avec_frein"]) == (22, 4)


def test_une_personne_compte_une_fois_avec_son_episode_le_plus_recent(base):
    """Personne 41 : son épisode de 2024 dit non au logement, celui de 2023 disait oui."""
    vu = brut(base, "freins_prevalence", "ali").set_index(["groupe", "frein"])
    df = lignes_df()
    quarante_et_un = df["id_beneficiaire"] == pseudo(41)
    sans_ancien = prevalence_attendue(df[~(quarante_et_un & (df["date_orientation"] == "2023-03-01"))])
    sans_recent = prevalence_attendue(df[~(quarante_et_un & (df["date_orientation"] == "2024-02-01"))])
    ali14 = ("ALI14", "logement")
    assert vu.at[ali14, "avec_frein"] == sans_ancien.set_index(["groupe", "frein"]).at[ali14, "avec_frein"]
    assert vu.at[ali14, "avec_frein"] + 1 == sans_recent.set_index(["groupe", "frein"]).at[ali14, "avec_frein"]
    # Langue : vide dans l'épisode récent, la personne n'est pas comptée comme connue (l'ancien disait oui).
    langue = ("ALI14", "langue")
    assert vu.at[langue, "connus"] == sans_ancien.set_index(["groupe", "frein"]).at[langue, "connus"]


def test_prevalence_au_departement_et_par_commune(base):
    df = lignes_df()
    dep = brut(base, "freins_prevalence")
    attendu = prevalence_attendue(df.assign(groupe="Seine-Saint-Denis"))
    assert dep["connus"].tolist() == attendu["connus"].tolist()
    assert dep["avec_frein"].tolist() == attendu["avec_frein"].tolist()
    communes = brut(base, "freins_prevalence", "commune")
    attendu = prevalence_attendue(df.assign(groupe=df["code_commune"]))
    assert communes[["groupe", "frein", "connus", "avec_frein"]].values.tolist() == (
        attendu[["groupe", "frein", "connus", "avec_frein"]].values.tolist()
    )


def test_le_filtre_de_territoire_restreint_les_personnes(base):
    vu = brut(base, "freins_prevalence", perimetre=Perimetre(alis=("ALI04",)))
    assert vu.set_index("frein").at["logement", "connus"] == 5


# --- Nombre de freins par personne -----------------------------------------------------------------------------


def test_freins_par_personne_contre_le_calcul_independant(base):
    fa = file_active(lignes_df())
    connues = fa[COLONNES].isin(["oui", "non"]).sum(axis=1)
    fa = fa[connues > 0].assign(nb=lambda t: (t[COLONNES] == "oui").sum(axis=1).clip(upper=4))
    vu = brut(base, "freins_par_personne", "ali")
    for groupe, g in fa.groupby("groupe"):
        v = vu[vu["groupe"] == groupe].set_index("nb_freins")
        assert list(v.index) == [0, 1, 2, 3, 4]
        for n in range(5):
            membres = g[g["nb"] == n]["id_beneficiaire"]
            assert v.at[n, "personnes"] == len(membres), (groupe, n)
            assert v.at[n, "cle_personnes"] == cle(membres)
            assert v.at[n, "total"] == len(g)
            assert v.at[n, "part"] == pytest.approx(len(membres) / len(g))
        assert v.at[0, "cle_total"] == cle(g["id_beneficiaire"])
    # Personnes 9, 18, 27, 36 : aucune réponse ; elles ne sont pas « sans frein ».
    assert vu[vu["groupe"] == "ALI14"]["total"].iloc[0] == len(fa[fa["groupe"] == "ALI14"])


# --- Sortie en emploi avec et sans chaque frein ----------------------------------------------------------------


def test_sortie_emploi_par_frein_contre_le_calcul_independant(base):
    df = lignes_df()
    d = pd.Timestamp(D)
    cohorte = df[df["date_orientation"] <= d - pd.Timedelta(days=365)]
    emploi = cohorte["motif_sortie"].isin(EMPLOI) & (
        cohorte["date_sortie"] <= cohorte["date_orientation"] + pd.Timedelta(days=365)
    )
    cohorte = cohorte.assign(emploi=emploi)
    vu = brut(base, "freins_sortie_emploi").set_index(["frein", "avec"])
    assert len(vu) == 14
    for nom, colonne in zip(NOMS, COLONNES, strict=True):
        for avec in ("oui", "non"):
            c = cohorte[cohorte[colonne] == avec]
            assert vu.at[(nom, avec), "denominateur"] == len(c), (nom, avec)
            assert vu.at[(nom, avec), "n_sortie_emploi"] == int(c["emploi"].sum()), (nom, avec)
            assert vu.at[(nom, avec), "cle_denominateur"] == cle(c["id_beneficiaire"])
            assert vu.at[(nom, avec), "cle_n_sortie_emploi"] == cle(c[c["emploi"]]["id_beneficiaire"])
            if len(c):
                assert vu.at[(nom, avec), "taux_sortie_emploi"] == pytest.approx(c["emploi"].mean())
    # La même cohorte que le taux de sortie en emploi : avec + sans + inconnus = dénominateur du taux.
    total = brut(base, "taux_sortie_emploi_12m")["denominateur"].iloc[0]
    inconnus = cohorte["frein_logement"].isna().sum()
    assert vu.loc["logement", "denominateur"].sum() + inconnus == total


def test_une_periode_recente_n_a_pas_de_cohorte(base):
    vu = brut(base, "freins_sortie_emploi", debut=date(2024, 1, 1), fin=D)
    assert vu.empty


# --- Extraction sans colonnes de freins : rien d'inventé ------------------------------------------------------


@pytest.fixture(scope="module")
def base_sans_freins(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sans_freins")
    rows = [ligne(id_beneficiaire=pseudo(i), date_orientation="2023-01-10", date_extraction=D.isoformat())
            for i in range(1, 16)]  # fmt: skip
    return build_db(tmp / "sans.duckdb", {"file.csv": csv_bytes(rows, columns=COLONNES_FILE_ACTIVE)})


def test_sans_colonnes_de_freins_aucune_reponse_n_est_inventee(base_sans_freins):
    prev = brut(base_sans_freins, "freins_prevalence")
    assert prev["frein"].tolist() == NOMS
    assert prev["connus"].tolist() == [0] * 7 and prev["avec_frein"].tolist() == [0] * 7
    assert prev["part"].isna().all()
    assert brut(base_sans_freins, "freins_par_personne").empty  # personne n'a « 0 frein »
    sortie = brut(base_sans_freins, "freins_sortie_emploi")
    assert len(sortie) == 14 and (sortie["denominateur"] == 0).all() and sortie["taux_sortie_emploi"].isna().all()
    publiee = publie(base_sans_freins, "freins_prevalence", **Periode(as_of=D).parametres(), **Perimetre().parametres(),
                     groupe="departement")  # fmt: skip
    assert publiee["connus"].tolist() == [0] * 7 and publiee["part"].isna().all()


# --- Publication -------------------------------------------------------------------------------------------------


def test_les_requetes_de_freins_sont_declarees():
    decl = protect.DECLARATIONS
    assert decl["freins_prevalence"].depuis == "as_of"
    assert decl["freins_prevalence"].taux == {"part": ("avec_frein", "connus")}
    assert decl["freins_par_personne"].depuis == "as_of"
    assert decl["freins_sortie_emploi"].depuis == "debut"
    assert all(decl[n].exemptable for n in ("freins_prevalence", "freins_par_personne", "freins_sortie_emploi"))


@pytest.mark.parametrize("nom", ["freins_prevalence", "freins_par_personne", "freins_sortie_emploi"])
def test_publie_sans_cles_et_petites_cases_masquees(base, nom):
    params = {**Periode(as_of=D).parametres(), **Perimetre().parametres(), "groupe": "ali"}
    out = publie(base, nom, **params)
    assert not [c for c in out.columns if c.startswith("cle_")]
    vrai = valeurs_vraies(base, nom, params)
    effectifs = [c.removeprefix("cle_") for c in vrai.columns if c.startswith("cle_")]
    for colonne in effectifs:
        v, p = vrai[colonne].to_numpy(), out[colonne].to_numpy(dtype="float64")
        petit = (v > 0) & (v < 11)
        assert np.isnan(p[petit]).all(), colonne  # de 1 à 10 : masqué
        visibles = ~np.isnan(p)
        assert (np.abs(p[visibles] - v[visibles]) <= 3).all(), colonne  # bruit de −3 à +3 au plus
        assert (p[visibles] == 0).sum() <= (v == 0).sum()


def test_l_ali_de_cinq_personnes_est_masquee_et_son_taux_aussi(base):
    out = publie(base, "freins_prevalence", **Periode(as_of=D).parametres(), **Perimetre().parametres(), groupe="ali")
    ali04 = out[out["groupe"] == "ALI04"].set_index("frein")
    assert np.isnan(ali04.at["logement", "connus"]) and np.isnan(ali04.at["logement", "avec_frein"])
    assert np.isnan(ali04.at["logement", "part"])


def test_le_departement_sans_filtre_est_exact_et_filtre_il_ne_l_est_plus(base):
    params = {**Periode(as_of=D).parametres(), "groupe": "departement"}
    exact = publie(base, "freins_prevalence", **params, **Perimetre().parametres())
    vrai = brut(base, "freins_prevalence")
    assert exact["connus"].tolist() == vrai["connus"].tolist()
    np.testing.assert_allclose(exact["part"], vrai["part"])
    filtre = publie(base, "freins_prevalence", **params, **Perimetre(sexes=("F",)).parametres())
    vrai_f = brut(base, "freins_prevalence", perimetre=Perimetre(sexes=("F",)))
    assert not [c for c in filtre.columns if c.startswith("cle_")]
    # Un filtre de profil : le département devient une case comme une autre (bruit, seuil).
    assert (np.abs(filtre["connus"].to_numpy(dtype="float64") - vrai_f["connus"].to_numpy()) <= 3).all()


def test_la_fonction_de_module_publie_sous_la_couche(base):
    con = db.ouvrir_en_lecture(base)
    try:
        with protect.publication():
            out = freins.prevalence(con, Periode(as_of=D), groupe="commune")
    finally:
        con.close()
    assert set(out.columns) == {"groupe", "frein", "connus", "avec_frein", "part"}
    assert set(out["groupe"]) == {"93014", "93047", "93027"}
    with pytest.raises(ValueError, match="Regroupement inconnu"):
        freins.prevalence(None, Periode(as_of=D), groupe="quartier")


# --- Annuaire et couverture -----------------------------------------------------------------------------------


def annuaire(base, **filtres) -> list[str]:
    con = db.ouvrir_en_lecture(base)
    try:
        with protect.publication():  # pas de personnes, pas de clés : il passe tel quel
            return freins.annuaire(con, **filtres)["code_structure"].tolist()
    finally:
        con.close()


def test_annuaire_filtres(base):
    assert sorted(annuaire(base)) == sorted(s["code_structure"] for s in ANNUAIRE)
    assert annuaire(base, communes=("93014",)) == ["CLICHY-SANTE", "CLICHY-MOBILITE"]  # triées par nom
    assert annuaire(base, domaine="logement") == ["PANTIN-CCAS"]
    assert annuaire(base, reseau="petite_enfance") == ["PANTIN-CRECHE"]
    assert annuaire(base, texte="  EMMAUS ") == ["PANTIN-EMMAUS"]  # sans casse ni accents
    assert annuaire(base, texte="crèche", communes=("93014",)) == []
    assert annuaire(base, texte="") == annuaire(base)
    with pytest.raises(ValueError, match="Domaine inconnu"):
        annuaire(base, domaine="cuisine")


def test_annuaire_colonnes_et_nom_de_commune(base):
    con = db.ouvrir_en_lecture(base)
    try:
        df = requetes.executer(
            con, "annuaire_structures", communes=["93055"], domaine="numerique", reseau=None, texte=None
        )
    finally:
        con.close()
    assert df.to_dict("records")[0] | {"domaines": None, "reseaux": None} == {
        "code_structure": "PANTIN-EMMAUS", "nom_structure": "Emmaüs Connect", "type": "association",
        "code_commune": "93055", "commune": "Pantin", "domaines": None, "reseaux": None, "site_web": None,
    }  # fmt: skip
    assert list(df["domaines"].iloc[0]) == ["numerique"]


def test_couverture_contre_le_calcul_independant(base):
    con = db.ouvrir_en_lecture(base)
    try:
        vu = freins.couverture(con, communes=("93055", "93014", "93027"))
    finally:
        con.close()
    assert len(vu) == 21
    for (code, frein), n in vu.set_index(["code_commune", "frein"])["structures"].items():
        domaine = freins.DOMAINE_DU_FREIN[frein]
        attendu = sum(1 for s in ANNUAIRE if s["code_commune"] == code and domaine in s["domaines"].split("|"))
        assert n == attendu, (code, frein)
    pantin = vu[vu["code_commune"] == "93055"].set_index("frein")["structures"]
    # CCAS : accès aux droits (démarches administratives) et logement ; Emmaüs : numérique ; crèche : garde.
    assert pantin.to_dict() == {"logement": 1, "garde_enfants": 1, "mobilite": 0, "sante": 0, "numerique": 1,
                                "langue": 0, "administratif": 1}  # fmt: skip
    assert (vu[vu["code_commune"] == "93027"]["structures"] == 0).all()


# --- CLI (indicators --json), vue d'ensemble et note ----------------------------------------------------------


def test_resume_et_ligne_de_synthese_publies(base, base_sans_freins):
    from insertion.indicators import autres_systemes

    def lancer(chemin, fonction):
        con = db.ouvrir_en_lecture(chemin)
        try:
            with protect.publication():
                return fonction(con, Periode(as_of=D), Perimetre())
        finally:
            con.close()

    resume = lancer(base, autres_systemes.resume)["freins"]
    vrai = brut(base, "freins_prevalence").set_index("frein")
    assert list(resume) == NOMS
    # Le département sans filtre est exact ; logement : 6 personnes sur 27, la part n'est pas montrée (6 < 11).
    assert resume["logement"] == {"connus": 27, "avec_frein": 6, "part": "secret"}
    for nom, v in resume.items():
        assert (v["connus"], v["avec_frein"]) == (vrai.at[nom, "connus"], vrai.at[nom, "avec_frein"])
        n, d = v["avec_frein"], v["connus"]
        montree = d >= 11 and not 0 < n < 11 and not 0 < d - n < 11
        assert v["part"] == (pytest.approx(n / d) if montree else "secret"), nom
    (ligne,) = [x for x in lancer(base, autres_systemes.lignes_synthese) if x.libelle == "Frein le plus fréquent"]
    montrees = {nom: v["part"] for nom, v in resume.items() if not isinstance(v["part"], str)}
    haut = max(montrees, key=montrees.get)
    assert ligne.valeur.startswith(LIBELLES[haut] + " (")
    # La phrase de la note reprend le même frein et la même part, au format français.
    part = formats.pourcentage(montrees[haut])
    assert (
        ligne.phrase == f"Frein le plus fréquent : {LIBELLES[haut].lower()} ({part} des personnes suivies dont "
        "la réponse est connue)."
    )
    # Sans réponse connue : des parts sans objet (None, pas « secret » ni 0) et pas de ligne de synthèse.
    sans = lancer(base_sans_freins, autres_systemes.resume)["freins"]
    assert all(v == {"connus": 0, "avec_frein": 0, "part": None} for v in sans.values())
    assert not [x for x in lancer(base_sans_freins, autres_systemes.lignes_synthese) if "frein" in x.libelle.lower()]
    assert "Freins périphériques : aucune réponse connue" in autres_systemes.lignes_texte({"freins": sans})
