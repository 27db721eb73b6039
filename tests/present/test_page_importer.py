"""Vue « Importer » (AppTest) : chargement depuis la page, résultat par fichier, nouvelles données sans redémarrage.

AppTest ne sait pas piloter st.file_uploader : les fichiers sont déposés, en vrais octets, dans
st.session_state[qualite.CLE_DEPOT] (liste de (nom, octets)), la couture prévue par la page ;
ils passent ensuite par le même chemin que ceux du sélecteur (dossier temporaire, charger_fichiers).

Base de départ : ALI14, extraction du 30 juin 2023, 12 personnes orientées le 15 mars 2023, aucune
sortie → file active au 30 juin 2023 = 12 (niveau département : pas de masquage).
Fichiers envoyés, dans cet ordre :
1. « ali14_septembre.csv » : ALI14 au 30 septembre 2023, 15 personnes + 1 ligne sans sexe (ligne 17)
   → chargé, 16 lues, 15 acceptées, 1 rejetée ; devient l'instantané courant d'ALI14.
2. « copie.csv » : exactement les mêmes octets → déjà chargé, rien ne change.
3. « ali14_mars.csv » : ALI14 au 31 mars 2023 (plus ancien que le 30 septembre) → gardé dans l'historique.
4. « noms.csv » : une colonne « nom » → refusé en entier (données directement identifiantes).
Après le chargement : dernière extraction = 30 septembre 2023, file active à D = 15.
"""

from __future__ import annotations

import io

import duckdb
import pytest

from insertion import contrat
from insertion.ingest import modeles
from insertion.ingest.chargement import charger_fichiers
from insertion.present import qualite
from tests.conftest import build_db, csv_bytes, ligne, lignes

PAGE = "pages/importer.py"


def septembre() -> bytes:
    rows = lignes(15, date_extraction="2023-09-30")
    rows.append(ligne(id_beneficiaire="b0000099", sexe="", date_extraction="2023-09-30"))
    return csv_bytes(rows)


def mars() -> bytes:
    return csv_bytes(lignes(2, date_orientation="2023-02-01", date_extraction="2023-03-31"))


def noms() -> bytes:
    rows = [dict(r, nom="Durand") for r in lignes(2)]
    return csv_bytes(rows)


@pytest.fixture
def base(tmp_path):
    return build_db(tmp_path / "imp.duckdb", {"ali14_juin.csv": csv_bytes(lignes(12))})


def file_active(at) -> str:
    """La carte de la file active de la Vue d'ensemble, trouvée par son libellé."""
    cartes = [m for m in at.metric if "file active" in m.label.lower() or "personnes suivies" in m.label.lower()]
    assert cartes, [m.label for m in at.metric]
    return cartes[0].value


def test_page_sans_fichier(base, app_test):
    at = app_test(base, PAGE)
    assert at.button(key="importer_charger").disabled
    assert not at.dataframe
    assert any("Données au 30 juin 2023" in c.value for c in at.caption)


def test_import_resultats_par_fichier_puis_nouvelles_donnees_sans_redemarrer(base, app_test):
    at = app_test(base)
    assert file_active(at) == "12"
    at.switch_page(PAGE).run()
    at.session_state[qualite.CLE_DEPOT] = [
        ("ali14_septembre.csv", septembre()),
        ("copie.csv", septembre()),
        ("ali14_mars.csv", mars()),
        ("noms.csv", noms()),
    ]
    at.run()
    assert not at.button(key="importer_charger").disabled
    at.button(key="importer_charger").click().run()
    assert not at.exception, [e.message for e in at.exception]

    # Compte rendu gardé dans session_state, après la réexécution qui suit le chargement.
    t = at.dataframe[0].value.set_index("Fichier")
    assert t["Résultat"].to_dict() == {
        "ali14_septembre.csv": "Chargé",
        "copie.csv": "Déjà chargé : rien n'a changé",
        "ali14_mars.csv": "Plus ancien que l'instantané en place : gardé dans l'historique",
        "noms.csv": "Refusé",
    }
    assert t.loc["ali14_septembre.csv", ["Lignes lues", "Acceptées", "Rejetées"]].tolist() == ["16", "15", "1"]
    assert t.loc["ali14_septembre.csv", "Date d'extraction"] == "30 septembre 2023"
    assert t.loc["noms.csv", "Lignes lues"] == "–"
    bilan = "4 fichiers : 1 chargé, 1 déjà chargé, 1 plus ancien gardé en historique, 1 refusé."
    assert any(c.value.endswith(bilan) for c in at.caption)
    assert at.success[0].value.startswith("**ali14_septembre.csv** — Chargé.")
    assert "colonne nom" in at.error[0].value and "Durand" not in at.error[0].value
    assert "gardée dans l'historique" in at.warning[-1].value
    motifs = at.dataframe[1].value
    assert motifs.to_numpy().tolist() == [["sexe manquant", "1"]]
    # La page elle-même lit déjà la nouvelle base : la date des données a changé.
    assert any("Données au 30 septembre 2023" in c.value for c in at.caption)
    assert qualite.CLE_DEPOT not in at.session_state

    # Vue d'ensemble : la nouvelle file active, sans redémarrer l'application.
    at.switch_page("pages/vue_ensemble.py").run()
    assert not at.exception
    assert file_active(at) == "15"
    assert any("Données au 30 septembre 2023" in c.value for c in at.caption)

    # Le compte rendu survit à un changement de page.
    at.switch_page(PAGE).run()
    assert at.dataframe[0].value["Fichier"].tolist()[0] == "ali14_septembre.csv"
    at.button(key="importer_effacer").click().run()
    assert not at.dataframe


def test_import_dans_une_base_sans_extraction(tmp_path, app_test):
    """Base où tout a été rejeté : la page Importer reste utilisable (app.cadre_de_page s'arrêterait)."""
    path = build_db(tmp_path / "vide.duckdb", {"rate.csv": csv_bytes(lignes(2, sexe=""))})
    at = app_test(path, PAGE)
    assert "aucune extraction de file active en place" in at.info[0].value
    at.session_state[qualite.CLE_DEPOT] = [("ali14_septembre.csv", septembre())]
    at.run()
    at.button(key="importer_charger").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("Données au 30 septembre 2023" in c.value for c in at.caption)
    at.switch_page("pages/vue_ensemble.py").run()
    assert file_active(at) == "15"


# Les modèles qui citent un autre fichier (contrat §7) : l'annuaire, les séances des actions collectives. Ceux-là
# sont chargés d'abord, par leurs propres modèles, comme le ferait un utilisateur qui suit l'ordre de la page.
PREALABLES = {
    "mises_en_relation": ("structures",),
    "actions_collectives": ("structures",),
    "participations": ("structures", "actions_collectives"),
}
# La table où chaque type de fichier écrit ses lignes courantes.
TABLES = {"file_active": "episodes"}


def _prealables(type_fichier, dossier) -> list:
    """Les modèles à charger avant celui-ci, écrits dans le dossier (même format que lui n'est pas nécessaire)."""
    types = {t.cle: t for t in modeles.types_fichier()}
    chemins = []
    for cle in PREALABLES.get(type_fichier.cle, ()):
        chemin = dossier / f"prealable_{types[cle].nom_modele}"
        chemin.write_bytes(types[cle].modele_csv())
        chemins.append(chemin)
    return chemins


@pytest.mark.parametrize("type_fichier", modeles.types_fichier(), ids=lambda t: t.cle)
def test_chaque_modele_se_charge_sans_rejet(type_fichier, tmp_path):
    """Le modèle téléchargé, déposé tel quel, passe le vrai chargeur : toutes ses lignes d'exemple acceptées."""
    chemin = tmp_path / type_fichier.nom_modele
    chemin.write_bytes(type_fichier.modele_csv())
    *prealables, resultat = charger_fichiers(tmp_path / "modele.duckdb", [*_prealables(type_fichier, tmp_path), chemin])
    assert all(r.status == "loaded" and not r.rejected for r in prealables)
    assert resultat.status == "loaded", resultat.message
    assert resultat.nature == type_fichier.cle
    assert (resultat.rows_read, resultat.accepted, resultat.rejected) == (
        len(type_fichier.exemple),
        len(type_fichier.exemple),
        0,
    )
    # L'en-tête est exactement celui du contrat, dans son ordre.
    entete = type_fichier.modele_csv().decode("utf-8-sig").split("\r\n")[0].split(";")
    assert entete == contrat.COLONNES_PAR_NATURE[type_fichier.cle]


@pytest.mark.parametrize("type_fichier", modeles.types_fichier(), ids=lambda t: t.cle)
def test_le_modele_excel_se_charge_sans_rejet_et_donne_les_memes_donnees_que_le_csv(type_fichier, tmp_path):
    """Le modèle .xlsx, déposé tel quel dans une vraie base DuckDB, passe le chargeur sans rejet, et la base reçoit
    exactement ce que donne le modèle CSV : dates en cellules date, montants en nombres, codes en texte."""
    table = TABLES.get(type_fichier.cle, type_fichier.cle)
    contenus = {}
    for nom, octets in ((type_fichier.nom_modele_xlsx, type_fichier.modele_xlsx()), (type_fichier.nom_modele, None)):
        dossier = tmp_path / nom.replace(".", "_")
        dossier.mkdir()
        chemin = dossier / nom
        chemin.write_bytes(octets if octets is not None else type_fichier.modele_csv())
        *_, resultat = charger_fichiers(dossier / "modele.duckdb", [*_prealables(type_fichier, dossier), chemin])
        assert resultat.status == "loaded", resultat.message
        assert (resultat.rows_read, resultat.accepted, resultat.rejected) == (len(type_fichier.exemple),) * 2 + (0,)
        # con.table : le nom de la table est vérifié par DuckDB, pas inséré dans un texte SQL.
        con = duckdb.connect(str(dossier / "modele.duckdb"), read_only=True)
        try:
            contenus[nom] = sorted(con.table(table).select(*type_fichier.colonnes).fetchall(), key=repr)
        finally:
            con.close()
    xlsx, csv_ = contenus.values()
    assert len(xlsx) == len(type_fichier.exemple) and xlsx == csv_


@pytest.mark.parametrize("type_fichier", modeles.types_fichier(), ids=lambda t: t.cle)
def test_le_modele_excel_a_l_entete_du_contrat_et_des_cellules_typees(type_fichier):
    import datetime

    import openpyxl

    classeur = openpyxl.load_workbook(io.BytesIO(type_fichier.modele_xlsx()))
    # Le chargeur ne lit que la première feuille : ce doit être celle des données.
    assert classeur.sheetnames[:2] == ["Données", "Colonnes et règles"]
    feuille = classeur["Données"]
    attendu = contrat.COLONNES_PAR_NATURE[type_fichier.cle]
    assert [c.value for c in feuille[1]] == attendu
    lignes_ = [dict(zip(attendu, ligne, strict=True)) for ligne in feuille.iter_rows(min_row=2, max_row=3)]
    for exemple, cellules in zip(type_fichier.exemple, lignes_, strict=True):
        for colonne, cellule in cellules.items():
            texte = exemple.get(colonne, "")
            if texte == "":
                assert cellule.value is None, colonne
            elif colonne.startswith("date_"):
                assert cellule.is_date and cellule.number_format == "dd/mm/yyyy", colonne
                assert cellule.value == datetime.datetime.fromisoformat(texte), colonne
            elif colonne in ("annee", "montant_vote", "montant_execute"):
                assert cellule.data_type == "n", colonne
            else:
                assert cellule.data_type == "s" and cellule.value == texte, colonne
    # Le tableau des règles de la page est dans le classeur, une ligne par colonne du contrat.
    regles = classeur["Colonnes et règles"]
    assert [r[0] for r in regles.iter_rows(min_row=2, values_only=True)] == attendu
    # Les listes déroulantes proposent les valeurs admises du contrat (ici : sexe, le code d'ALI du budget, la
    # première liste d'un fichier du §7). Les participations n'ont aucune colonne à liste fermée.
    if not type_fichier.listes:
        assert "Listes" not in classeur.sheetnames
        return
    colonne = {"file_active": "sexe", "budget": "code_ali"}.get(type_fichier.cle, next(iter(type_fichier.listes)))
    lettre = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[attendu.index(colonne)]
    (validation,) = [v for v in feuille.data_validations.dataValidation if str(v.sqref).startswith(f"{lettre}2:")]
    plage = validation.formula1.split("!")[1].replace("$", "")
    valeurs = [c.value for (c,) in classeur["Listes"][plage]]
    assert valeurs == list(type_fichier.listes[colonne]) and valeurs
    assert classeur["Listes"].sheet_state == "hidden"


def test_le_budget_excel_porte_ses_montants_en_nombres():
    _, budget, *_ = modeles.types_fichier()
    import openpyxl

    feuille = openpyxl.load_workbook(io.BytesIO(budget.modele_xlsx()))["Données"]
    # « 1 200 000 » et « 1 150 000,50 » du modèle CSV : des nombres en euros, pas du texte.
    assert [c.value for c in feuille[3]][3:] == [1_200_000, 1_150_000.5]
    assert feuille["A2"].value == 2021


def test_les_regles_des_colonnes_sont_celles_du_contrat():
    file_active, budget, *autres = modeles.types_fichier()
    regles = file_active.tableau_regles().set_index("Colonne")
    # Les colonnes du §3, puis les freins facultatifs du §7.1 avant date_extraction.
    assert list(regles.index) == contrat.COLONNES_FILE_ACTIVE[:-1] + contrat.COLONNES_FREINS + ["date_extraction"]
    assert all(regles.at[c, "Obligatoire"] == "non" for c in contrat.COLONNES_FREINS)
    assert regles.at["frein_logement", "Valeurs admises"] == "oui, non"
    assert sorted(regles.index[regles["Obligatoire"] == "oui"]) == sorted(contrat.OBLIGATOIRES_FILE_ACTIVE)
    assert regles.at["motif_sortie", "Obligatoire"] == "si date_sortie"
    for colonne, valeurs in (
        ("type_parcours", contrat.PARCOURS),
        ("tranche_age", contrat.TRANCHES_AGE),
        ("niveau_linguistique", contrat.NIVEAUX_LINGUISTIQUES),
        ("anciennete_rsa", contrat.ANCIENNETES_RSA),
    ):
        assert regles.at[colonne, "Valeurs admises"].split(", ") == list(valeurs)
    assert "creation_entreprise" in regles.at["motif_sortie", "Valeurs admises"].split(", ")
    assert "AAAA-MM-JJ" in regles.at["date_orientation", "Format et règle"]
    b = budget.tableau_regles().set_index("Colonne")
    assert list(b.index) == contrat.COLONNES_BUDGET
    assert sorted(b.index[b["Obligatoire"] == "oui"]) == sorted(contrat.OBLIGATOIRES_BUDGET)
    # Les fichiers du §7 : colonnes et obligatoires du contrat, dans son ordre.
    assert [t.cle for t in autres] == [
        "structures",
        "mises_en_relation",
        "actions_collectives",
        "participations",
        "moyens",
    ]
    for t in autres:
        r = t.tableau_regles().set_index("Colonne")
        assert list(r.index) == contrat.COLONNES_PAR_NATURE[t.cle]
        assert sorted(r.index[r["Obligatoire"] == "oui"]) == sorted(contrat.OBLIGATOIRES_PAR_NATURE[t.cle])
    mer = autres[1].tableau_regles().set_index("Colonne")
    assert mer.at["date_embauche", "Obligatoire"] == "si issue embauche"
    assert mer.at["issue", "Valeurs admises"].split(", ") == list(contrat.ISSUES_MISE_EN_RELATION)


def test_la_page_offre_les_modeles_les_regles_et_une_consigne_en_francais(base, app_test, monkeypatch):
    monkeypatch.setenv("INSERTION_TAILLE_MAX_MO", "50")
    at = app_test(base, PAGE)
    libelles = [b.label for b in at.get("download_button")]
    for type_fichier in modeles.types_fichier():
        assert f"Télécharger le modèle « {type_fichier.titre} » (CSV)" in libelles
        assert f"Télécharger le modèle « {type_fichier.titre} » (Excel)" in libelles
    assert [list(t.value.columns) for t in at.table] == [
        ["Colonne", "Obligatoire", "Format et règle", "Valeurs admises"]
    ] * len(modeles.types_fichier())
    # La limite dite en français et celle du cadre de dépôt sont la limite réelle du chargeur.
    assert any("50 Mo au plus par fichier" in m.value for m in at.markdown)
    (depot,) = at.get("file_uploader")
    assert depot.proto.max_upload_size_mb == 50
