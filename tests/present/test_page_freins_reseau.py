"""Vue « Freins et réseau », par AppTest, sur le petit jeu de tests/indicators/test_freins.py (au 30 juin 2024 :
ALI14 sur
Clichy-sous-Bois et Montfermeil, ALI04 sur La Courneuve avec 5 personnes ; annuaire de 5 structures à Pantin et
Clichy-sous-Bois). Les valeurs attendues à l'écran sont celles que la couche de publication publie (tests/publie.py),
dont le calcul est vérifié contre pandas dans tests/indicators/test_freins.py.
"""

from __future__ import annotations

import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest

from insertion import contrat, formats, protect
from insertion.figures import freins as freins_vue
from insertion.figures import reseau as vue_reseau
from insertion.ingest.chargement import COLONNES_FILE_ACTIVE
from insertion.protect import diffusion, secret
from insertion.store import requetes
from insertion.store.requetes import Perimetre, Periode
from tests.conftest import build_db, csv_bytes, ligne
from tests.indicators.test_freins import ANNUAIRE, D, jeu, pseudo
from tests.protect.test_attaque import fautes
from tests.publie import publie, texte_taux

PAGE = "pages/freins_reseau.py"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("page_freins")
    return build_db(
        tmp / "freins.duckdb",
        {"file.csv": csv_bytes(jeu(), columns=contrat.COLONNES_EXTRACTION), "structures.csv": csv_bytes(ANNUAIRE)},
    )


def table(at, *colonnes: str):
    """Le premier tableau affiché qui a toutes ces colonnes."""
    return next(d.value for d in at.dataframe if set(colonnes) <= set(d.value.columns))


def tables(at, *colonnes: str) -> list:
    return [d.value for d in at.dataframe if set(colonnes) <= set(d.value.columns)]


def resumes(at) -> list[str]:
    return [m.value for m in at.markdown if "short_text" in m.value]


def publiee(base, nom: str, perimetre: Perimetre = Perimetre(), groupe: str = "departement"):
    return publie(base, nom, **Periode(as_of=D).parametres(), **perimetre.parametres(), groupe=groupe)


def test_la_vue_montre_les_valeurs_publiees_du_departement(base, app_test):
    at = app_test(base, PAGE)
    assert at.title[0].value == "Freins et réseau"
    prev = publiee(base, "freins_prevalence")
    # Sans filtre, le département est exact ; à l'écran, une part n'est montrée, même au département, que si ses
    # deux parts (avec et sans le frein) valent 0 ou au moins 11 (secret.proteger) : logement, 6 personnes sur 27,
    # est « secret ».
    montrees = [secret.taux_publiable(n, d) for n, d in zip(prev["avec_frein"], prev["connus"], strict=True)]
    parts = {f: p for f, p, m in zip(prev["frein"], prev["part"], montrees, strict=True) if m}
    haut = max(parts, key=parts.get)
    metriques = {m.label: m.value for m in at.metric}
    assert (
        metriques["Frein le plus fréquent"] == f"{contrat.FREINS[f'frein_{haut}']} ({formats.pourcentage(parts[haut])})"
    )
    par_personne = publiee(base, "freins_par_personne").set_index("nb_freins")
    assert metriques["Personnes avec au moins un frein"] == formats.pourcentage(1 - par_personne.at[0, "part"])

    tab = table(at, "Frein", "Part avec le frein", "Territoire")
    assert set(tab["Territoire"]) == {"Seine-Saint-Denis"}
    attendu = [texte_taux(p) if m else "secret" for p, m in zip(prev["part"], montrees, strict=True)]
    assert attendu[0] == "secret" and attendu.count("secret") < 7
    assert list(tab["Part avec le frein"]) == attendu
    assert list(tab["Frein"]) == list(contrat.FREINS.values())
    # Une phrase sous chaque graphique : prévalence, carte, freins par personne, sortie, commune.
    assert len(resumes(at)) == 5
    assert not at.exception


def test_sous_le_departement_les_petites_cases_sont_secret(base, app_test):
    at = app_test(base, PAGE, query_params={"ali": ["ALI04"]})
    tab = table(at, "Frein", "Part avec le frein", "Territoire")
    ali04 = tab[tab["Territoire"] != "Seine-Saint-Denis"].set_index("Frein")
    # 5 personnes, 2 avec un frein de logement : effectifs et part masqués, jamais 0.
    assert ali04.at["Logement", "Personnes avec le frein"] == "secret"
    assert ali04.at["Logement", "Part avec le frein"] == "secret"
    assert ali04.at["Logement", "Personnes suivies (réponse connue)"] == "secret"
    # Le département en référence (mêmes filtres de profil : aucun) reste affiché.
    assert "Seine-Saint-Denis" in set(tab["Territoire"])
    assert any("secret" in c.value.lower() for c in at.caption)


def test_le_regroupement_par_commune_vient_de_l_url(base, app_test):
    at = app_test(base, PAGE)
    _, par_ali = tables(at, "Frein", "Part avec le frein", "Territoire")
    assert set(par_ali["Territoire"]) == {"ALI14 · Clichy-sous-Bois", "ALI04 · La Courneuve"}
    at = app_test(base, PAGE, query_params={"regroupement": "Par commune"})
    _, par_commune = tables(at, "Frein", "Part avec le frein", "Territoire")
    assert set(par_commune["Territoire"]) == {"Clichy-sous-Bois", "Montfermeil", "La Courneuve"}
    assert len(par_commune) == 3 * 7


def test_par_commune_les_freins_face_aux_structures(base, app_test):
    at = app_test(base, PAGE)
    tab = table(at, "Commune", "Structures de la commune qui le couvrent")
    # Les communes des personnes suivies ; Pantin (structures mais personne de suivi) n'y est pas.
    assert set(tab["Commune"]) == {"Clichy-sous-Bois", "Montfermeil", "La Courneuve"}
    clichy = tab[tab["Commune"] == "Clichy-sous-Bois"].set_index("Frein")
    assert clichy["Structures de la commune qui le couvrent"].to_dict() == {
        "Logement": "0", "Garde d'enfants": "0", "Mobilité": "1", "Santé": "1", "Numérique": "0", "Langue": "0",
        "Démarches administratives": "0",
    }  # fmt: skip
    # Par défaut, la commune dont le réseau couvre le plus : Clichy-sous-Bois.
    assert at.selectbox(key="commune_reseau").value == "93014"
    assert any(r.startswith(":material/short_text: Clichy-sous-Bois") for r in resumes(at))


def test_l_annuaire_se_cherche_par_nom_domaine_et_commune(base, app_test):
    at = app_test(base, PAGE)
    annuaire = table(at, "Structure", "Domaines", "Réseaux")
    assert len(annuaire) == len(ANNUAIRE)
    assert not any("démonstration" in c.value for c in at.caption)  # une base réelle
    at.text_input(key="annuaire_texte").input("emmaus").run()
    annuaire = table(at, "Structure", "Domaines", "Réseaux")
    assert annuaire.to_dict("records") == [
        {"Structure": "Emmaüs Connect", "Type": "Association", "Commune": "Pantin", "Domaines": "Numérique",
         "Réseaux": "reseau_pantin", "Site web": ""}
    ]  # fmt: skip
    at.text_input(key="annuaire_texte").input("").run()
    at.selectbox(key="annuaire_domaine").select("mobilite").run()
    assert list(table(at, "Structure", "Domaines")["Structure"]) == ["Plateforme mobilité de Clichy"]
    at.selectbox(key="annuaire_domaine").select(None).run()
    at.multiselect(key="annuaire_communes").select("93055").run()
    assert set(table(at, "Structure", "Domaines")["Commune"]) == {"Pantin"}
    assert not at.exception


def test_la_recherche_dans_l_annuaire_vient_de_l_url(base, app_test):
    at = app_test(base, PAGE, query_params={"annuaire_texte": "centre", "annuaire_domaine": "Santé"})
    assert list(table(at, "Structure", "Domaines")["Structure"]) == ["Centre de santé"]
    assert at.text_input(key="annuaire_texte").value == "centre"


def test_une_base_de_demonstration_le_dit_sur_l_annuaire(base, app_test, tmp_path):
    copie = tmp_path / "demo.duckdb"
    shutil.copy(base, copie)
    con = duckdb.connect(str(copie))
    con.execute("INSERT OR REPLACE INTO meta VALUES ('donnees_demo', 'oui')")
    con.close()
    at = app_test(copie, PAGE)
    assert any("Données de démonstration" in c.value for c in at.caption)


def test_sans_freins_ni_annuaire_la_vue_le_dit(tmp_path, app_test):
    rows = [
        ligne(id_beneficiaire=pseudo(i), date_orientation="2023-01-10", date_extraction=D.isoformat())
        for i in range(1, 16)
    ]
    base = build_db(tmp_path / "sans.duckdb", {"file.csv": csv_bytes(rows, columns=COLONNES_FILE_ACTIVE)})
    at = app_test(base, PAGE)
    infos = " ".join(i.value for i in at.info)
    assert "Aucune réponse connue sur les freins" in infos
    assert "Aucun annuaire des structures" in infos
    assert not at.metric  # aucun chiffre inventé


def test_une_periode_sans_recul_d_un_an_le_dit(base, app_test):
    at = app_test(base, PAGE, query_params={"debut": "2024-01-01"})
    assert any("un an de recul" in i.value for i in at.info)
    # Le reste de la vue (file active à D) ne dépend pas de la période.
    assert len(tables(at, "Frein", "Part avec le frein", "Territoire")) == 2


@pytest.fixture
def lectures(monkeypatch):
    """Chaque requête que la page lance : (nom, sous la couche de publication ?, fautes de ce qu'elle publie)."""
    vues: list[tuple[str, bool]] = []
    publiees: list[list[str]] = []
    texte_sql, publier = requetes.texte_sql, diffusion.publier_requete

    def espion_sql(nom: str) -> str:
        vues.append((nom, protect.en_publication()))
        return texte_sql(nom)

    def espion_publier(nom, params, brut):
        sortie = publier(nom, params, brut)
        publiees.append(fautes(nom, dict(params), brut, sortie))
        return sortie

    monkeypatch.setattr(requetes, "texte_sql", espion_sql)
    monkeypatch.setattr(diffusion, "publier_requete", espion_publier)
    return vues, publiees


@pytest.mark.parametrize(
    "params",
    [{}, {"ali": ["ALI04"]}, {"commune": ["93047"], "regroupement": "Par commune"}, {"sexe": ["F"]}],
)
def test_la_vue_ne_lit_rien_de_brut_et_ne_publie_rien_de_petit(base, app_test, lectures, params):
    import streamlit

    streamlit.cache_data.clear()  # une question déjà posée sortirait du cache sans repasser par les espions
    vues, publiees = lectures
    at = app_test(base, PAGE, query_params=params)
    assert not at.exception
    lues = {nom for nom, _ in vues}
    assert {"freins_prevalence", "freins_par_personne", "freins_sortie_emploi", "couverture_freins"} <= lues
    assert {nom for nom, publiee in vues if not publiee and nom in protect.DECLARATIONS} == set()
    assert publiees, "rien n'est passé par la couche de publication"
    assert [f for liste in publiees for f in liste] == []


# --- Mise en forme (insertion.figures.freins), sur des tableaux publiés écrits à la main -----------


def test_resume_sortie_compare_les_taux_diffuses_seulement():

    publie_ = pd.DataFrame(
        {
            "groupe": ["Seine-Saint-Denis"] * 4,
            "frein": ["logement", "logement", "langue", "langue"],
            "avec": ["oui", "non", "oui", "non"],
            "denominateur": [40.0, 60.0, np.nan, 90.0],  # langue « oui » masquée en amont
            "n_sortie_emploi": [12.0, 24.0, np.nan, 18.0],
            "taux_sortie_emploi": [0.30, 0.40, np.nan, 0.20],
        }
    )
    prot = freins_vue.proteger_sortie(publie_, departement=False)
    assert list(freins_vue.table_sortie(prot).texte["Taux de sortie en emploi à 12 mois"]) == [
        "30,0\u202f%", "40,0\u202f%", "secret", "20,0\u202f%"
    ]  # fmt: skip
    # Seul le logement a ses deux taux : 30 % avec, 40 % sans, soit −10 points.
    assert freins_vue.resume_sortie(prot) == (
        "Écart le plus marqué pour le frein « Logement » : 30,0\u202f% de sorties en emploi à 12 mois avec le "
        "frein, 40,0\u202f% sans (-10,0\u202fpts). 1 taux n'est pas diffusé (secret statistique)."
    )


def test_vis_a_vis_met_en_face_la_part_et_les_structures():

    prev = pd.DataFrame(
        {
            "groupe": ["93055", "93055"],
            "frein": ["logement", "administratif"],
            "connus": [50.0, 50.0],
            "avec_frein": [20.0, 15.0],
            "part": [0.4, 0.3],
        }
    )
    couverture = pd.DataFrame(
        {
            "code_commune": ["93055", "93055"],
            "commune": ["Pantin", "Pantin"],
            "frein": ["logement", "administratif"],
            "domaine": ["logement", "acces_droits"],
            "structures": [0, 3],
        }
    )
    lignes = vue_reseau.vis_a_vis(freins_vue.proteger_prevalence(prev, departement=False), couverture)
    table_ = vue_reseau.table_vis_a_vis(lignes)
    assert table_.texte["Domaine de l'annuaire"].tolist() == ["Logement", "Accès aux droits"]
    assert table_.texte["Structures de la commune qui le couvrent"].tolist() == ["0", "3"]
    assert vue_reseau.resume_vis_a_vis(lignes, "Pantin") == (
        "Pantin : le frein le plus fréquent parmi les personnes suivies est « Logement » (40,0\u202f%), "
        "qu'aucune structure de la commune ne couvre. Aucune structure de la commune ne couvre : logement."
    )


def test_la_vue_d_ensemble_donne_le_frein_le_plus_frequent(base, app_test):
    at = app_test(base)  # la page d'accueil
    metriques = {m.label: m.value for m in at.metric}
    prev = publiee(base, "freins_prevalence")
    montrees = [secret.taux_publiable(n, d) for n, d in zip(prev["avec_frein"], prev["connus"], strict=True)]
    parts = {f: p for f, p, m in zip(prev["frein"], prev["part"], montrees, strict=True) if m}
    haut = max(parts, key=parts.get)
    attendu = f"{contrat.FREINS[f'frein_{haut}']} ({formats.pourcentage(parts[haut])})"
    assert metriques["Frein le plus fréquent"] == attendu
