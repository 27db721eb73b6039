"""Vue d'ensemble : les chiffres clés du périmètre à la date D, avec leur évolution et leur petite courbe.
Mise en page seule : écarts, légendes, secret et courbe viennent d'insertion.figures.vue_ensemble."""

import streamlit as st

from insertion import formats
from insertion.figures import vue_ensemble as fve
from insertion.indicators import autres_systemes, resultats_synthese, synthese
from insertion.present import app, etats_vides, ui

TITRE = "Vue d'ensemble"
ctx = app.cadre_de_page(TITRE)
f = ctx.filtres
s = synthese.chiffres_cles(ctx.con, f.periode, f.perimetre, requete=ctx.requete, sql=ctx.sql)


def carte(c: resultats_synthese.ChiffreCle) -> None:
    evolution, aide = fve.evolution(c)
    ui.chiffre_cle(c.libelle_carte, c.actuel.texte, evolution=evolution, sens=c.sens, serie=c.courbe(), aide=aide)


st.markdown(fve.entete(formats.date_longue(f.as_of), f.territoire, s.ali_ouvertes, s.ali_total, f.sous_departement))
if s.file_active.actuel.valeur == 0:
    ui.etat_vide(etats_vides.message("suivies", f))

st.subheader("Personnes suivies")
st.caption(
    f"File active au {formats.date_longue(f.as_of)} ; entrées et sorties de {formats.mois(s.entrees.actuel.date)}, "
    "dernier mois complet. Évolution sur un mois ; courbe sur douze mois."
)
colonnes = st.columns(4)
for colonne, c in zip(colonnes, (s.file_active, s.entrees, s.sorties), strict=False):
    with colonne:
        carte(c)
with colonnes[3]:
    ui.chiffre_cle(
        "ALI ouvertes",
        f"{s.ali_ouvertes} sur {s.ali_total}",
        aide="Agences du territoire retenu ouvertes à la date d'observation (mois d'ouverture du référentiel).",
    )

st.subheader("Diagnostics à 90 jours et sorties en emploi à 12 mois")
st.caption(
    f"Personnes orientées du {formats.date_longue(f.periode.parametres()['debut'])} au {formats.date_longue(f.as_of)} "
    "(période des filtres). Évolution : le même taux lu à la fin du mois précédent."
)
for colonne, c in zip(
    st.columns(4), (s.diag_numerique, s.diag_linguistique, s.sortie_emploi, s.emploi_durable), strict=True
):
    with colonne:
        carte(c)

st.subheader("Budget de l'insertion")
colonnes = st.columns(4)
for colonne, c in zip(colonnes, (s.budget_vote, s.budget_execute), strict=False):
    with colonne:
        carte(c)
with colonnes[2]:
    ui.chiffre_cle(
        f"Taux d'exécution {s.budget_execute.actuel.date.year}",
        formats.pourcentage(s.budget_execute.extra.get("taux_execution")),
        aide="Crédits exécutés / crédits votés de la même année.",
    )
with colonnes[3]:
    st.caption(fve.legende_budget(bool(f.perimetre.alis), s.budget_filtres_ignores))

# Une ligne par autre système du territoire (contrat §7) qui a des données : partenaires, actions collectives,
# moyens, freins ; valeurs publiées par la couche de publication.
autres = autres_systemes.lignes_synthese(ctx.con, f.periode, f.perimetre)
if autres:
    st.subheader("Partenaires, actions collectives, moyens et freins")
    # Deux par rangée : leurs libellés (« Contrats longs (embauches des partenaires) ») et valeurs (« Mobilité
    # (32,5 %) ») se lisent en entier à 1 280 px, tronqués sur quatre colonnes.
    for debut in range(0, len(autres), 2):
        for colonne, ligne in zip(st.columns(2), autres[debut : debut + 2], strict=False):
            with colonne:
                ui.chiffre_cle(ligne.libelle, ligne.valeur, aide=ligne.aide)

ui.note_secret(fve.a_masque(s.cartes(), autres))
ui.methode(fve.DEFINITIONS)

# --- Évolution de la file active sur la période ------------------------------------------------------
st.subheader("Évolution de la file active")
serie = ctx.requete("file_active_mensuelle", periode=f.periode, perimetre=f.perimetre)
vue = fve.file_active(serie, f.perimetre)
ui.graphique(
    ctx,
    vue.figure,
    vue=TITRE,
    table=vue.table,
    definitions=["file_active_mensuelle"],
    masque=vue.masque,
    cle="vue_file_active",
    tableau="évolution de la file active",
    vide=etats_vides.message("suivies_periode", f) if etats_vides.est_vide(serie, ["file_active"]) else None,
    resume=vue.resume,
)
