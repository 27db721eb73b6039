"""Partenaires et emploi : les mises en relation des structures partenaires avec les employeurs du territoire
(contrat §7.2), leurs embauches, et leur accord avec les sorties de la file active."""

import streamlit as st

from insertion import formats
from insertion.figures import partenaires as fp
from insertion.indicators import libelles
from insertion.present import app, etats_vides, ui

VUE = "Partenaires et emploi"
ctx = app.cadre_de_page(VUE)
f = ctx.filtres
structures = ctx.sql("noms_structures")
noms_structures = dict(zip(structures["code_structure"], structures["nom_structure"], strict=True))
noms_ali = libelles.ali()


def requete(fonction: str, **kwargs):
    return ctx.requete(f"mises_en_relation.{fonction}", periode=f.periode, perimetre=f.perimetre, **kwargs)


st.caption(
    f"Mises en relation datées du {formats.date_longue(f.periode.debut)} au {formats.date_longue(f.as_of)}. "
    "Le filtre ALI porte sur l'ALI de la mise en relation ; les filtres de territoire et de profil retiennent les "
    "personnes dont un épisode de la même ALI y répond. Ces fichiers ne viennent que des ALI qui travaillent avec "
    "des partenaires : même le département y est protégé par le secret statistique."
)
dept = fp.ligne(requete("mises_en_relation"))
if not dept:
    ui.etat_vide(etats_vides.message("mises_en_relation", f))
    st.stop()
delais = fp.ligne(requete("delais"))
accord_dept = fp.ligne(requete("embauches_sorties"))

valeurs = [
    ("Mises en relation", fp.ecrire(dept["mises_en_relation"]), "Mises en relation de la période, toutes issues."),
    ("Taux d'embauche", fp.ecrire(dept["taux_embauche"], formats.pourcentage), "Embauches / mises en relation."),
    (
        "Contrats longs",
        fp.ecrire(dept["part_contrats_longs"], formats.pourcentage),
        "Part des embauches en CDI, création d'entreprise ou contrat d'au moins 6 mois.",
    ),
    (
        "En TPE/PME",
        fp.ecrire(dept["part_tpe_pme"], formats.pourcentage),
        "Part des embauches dans une entreprise de moins de 250 salariés.",
    ),
    (
        "Délai jusqu'à l'embauche",
        fp.ecrire(delais.get("delai_median_embauche_j"), lambda j: f"{formats.entier(j)} j"),
        "Médiane des jours entre l'orientation et la première embauche.",
    ),
]
ui.cartes([{"label": label, "valeur": valeur, "aide": aide} for label, valeur, aide in valeurs])

# --- Par structure ou par ALI --------------------------------------------------------------------------
choix = st.radio("Regrouper par", ["structure", "ali"], format_func={"structure": "Structure", "ali": "ALI"}.get,
                 horizontal=True, key="partenaires_groupe", bind="query-params")  # fmt: skip
noms = noms_structures if choix == "structure" else noms_ali
titre_groupe = "Structure" if choix == "structure" else "ALI"
choix_libelle = "structure" if choix == "structure" else "ALI"
par_groupe = requete("mises_en_relation", groupe=choix)
ui.graphique(
    ctx,
    fp.figure_par_groupe(
        par_groupe, noms, f"Mises en relation, embauches et contrats longs par {titre_groupe.lower()}"
    ),
    vue=VUE,
    table=fp.tableau(par_groupe, fp.COLONNES_VOLUMES, noms, titre_groupe),
    definitions=["mises_en_relation"],
    masque=True,
    cle="par_groupe",
    tableau=f"Par {choix_libelle}",
    resume=fp.resume_par_groupe(par_groupe, noms, choix_libelle),
)

# --- Dans le temps ------------------------------------------------------------------------------------------
pas = st.radio(
    "Pas", ["trimestre", "annee", "mois"], format_func=fp.PAS.get, horizontal=True, key="partenaires_pas",
    bind="query-params",
)  # fmt: skip
par_periode = requete("mises_en_relation", pas=pas)
ui.graphique(
    ctx,
    fp.figure_par_periode(par_periode, pas),
    vue=VUE,
    table=fp.tableau(par_periode, fp.COLONNES_VOLUMES, {}, "Territoire", pas=pas),
    definitions=["mises_en_relation"],
    masque=True,
    cle="par_periode",
    tableau=f"Par {fp.PAS[pas].lower()}",
    resume=fp.resume_par_periode(par_periode, pas),
)

# --- Délais et lien avec les sorties de la file active ------------------------------------------------------
st.subheader("Délais depuis l'orientation")
delais_groupe = requete("delais", groupe=choix)
ui.donnees(
    fp.tableau(delais_groupe, fp.COLONNES_DELAIS, noms, titre_groupe),
    "delais",
    ctx=ctx,
    vue=VUE,
    definitions=["delais_mise_en_relation"],
    tableau="Délais",
)
st.subheader("Des embauches aux sorties en emploi")
accord = requete("embauches_sorties", groupe=choix)
ui.graphique(
    ctx,
    fp.figure_accord(accord, noms),
    vue=VUE,
    table=fp.tableau(accord, fp.COLONNES_ACCORD, noms, titre_groupe),
    definitions=["embauches_sorties"],
    masque=True,
    cle="accord",
    tableau="Embauches et sorties",
    resume=fp.resume_accord(accord_dept),
    vide=None if len(accord) else etats_vides.message("embauches_anciennes", f),
)
