"""Freins et réseau : les freins périphériques des personnes suivies (contrat §7.1) et le réseau local des
structures qui peuvent les lever (§7.5). Secret, cartes, figures, tableaux et résumés : insertion.figures.freins ;
cette page ne fait que la mise en page."""

import streamlit as st

from insertion.contrat import DEPARTEMENT, DOMAINES
from insertion.figures import freins as vue
from insertion.figures import reseau as vue_reseau
from insertion.present import app, etats_vides, graphiques, ui

VUE = "Freins et réseau"
ctx = app.cadre_de_page(VUE)
f = ctx.filtres
REGROUPEMENTS = vue.REGROUPEMENTS


def requete(fonction: str, perimetre=f.perimetre, groupe: str = "departement"):
    return ctx.requete(f"freins.{fonction}", periode=f.periode, perimetre=perimetre, groupe=groupe)


def montrer(g, cle: str, tableau: str, definitions: list[str], vide: str | None = None) -> None:
    graphiques.montrer(ctx, VUE, g, cle, tableau, definitions, vide=vide)


st.caption(vue.note_file_active(f.as_of))

# --- Chiffres clés -----------------------------------------------------------------------------------------
prev = vue.prevalence(requete("prevalence"), f.perimetre)
if prev.donnees.empty:
    ui.etat_vide(etats_vides.message("suivies", f))
elif vue.aucune_reponse(prev):
    ui.etat_vide(vue.SANS_REPONSE)
else:
    par_personne = vue.par_personne(requete("par_personne"), f.perimetre)
    for colonne, carte in zip(st.columns(2), vue.chiffres_cles(prev, par_personne), strict=True):
        with colonne:
            ui.chiffre_cle(**carte)

    # --- Prévalence ----------------------------------------------------------------------------------------
    st.subheader("Part des personnes suivies avec chaque frein")
    series = [(f.territoire, prev)]
    if f.sous_departement:
        reference = vue.perimetre_reference(f.perimetre)
        series.append((DEPARTEMENT, vue.prevalence(requete("prevalence", perimetre=reference), reference)))
    g = vue.graphique_prevalence(series)
    montrer(g, "prevalence", "part des personnes avec chaque frein", ["freins_prevalence"])

    regroupement = st.segmented_control(
        "Regrouper", list(REGROUPEMENTS), format_func=REGROUPEMENTS.get, default="ali", required=True,
        key="regroupement", bind="query-params",
    )  # fmt: skip
    par_groupe = requete("prevalence", groupe=regroupement)
    if par_groupe.empty:
        ui.etat_vide(etats_vides.message("suivies", f))
    else:
        g = vue.graphique_carte(par_groupe, regroupement, prev)
        tableau = f"part de chaque frein {REGROUPEMENTS[regroupement].lower()}"
        montrer(g, f"carte_{regroupement}", tableau, ["freins_prevalence"])

    # --- Freins par personne ------------------------------------------------------------------------------
    st.subheader("Nombre de freins par personne")
    g = vue.graphique_par_personne(par_personne)
    vide = etats_vides.message("suivies", f)
    montrer(g, "par_personne", "nombre de freins par personne", ["freins_par_personne"], vide=vide)

    # --- Sortie en emploi avec et sans chaque frein ---------------------------------------------------------
    st.subheader("Sortie en emploi à 12 mois, avec ou sans chaque frein")
    st.caption(vue.note_sortie(f.periode.debut, f.as_of))
    g = vue.graphique_sortie(vue.sortie(requete("sortie_emploi"), f.perimetre))
    vide = etats_vides.message("cohortes_12m", f)
    montrer(g, "sortie", "sortie en emploi avec et sans chaque frein", ["freins_sortie_emploi"], vide=vide)

    # --- Par commune : freins face au réseau --------------------------------------------------------------
    st.subheader("Par commune : les freins des personnes suivies face aux structures qui les couvrent")
    st.caption("Structures de l'annuaire situées dans la commune, quels que soient la date et le profil.")
    prot_c = vue_reseau.prevalence_communes(requete("prevalence", groupe="commune"))
    lignes = vue_reseau.vis_a_vis(prot_c, ctx.requete("freins.couverture", communes=vue_reseau.codes_communes(prot_c)))
    communes, plus_couverte = vue_reseau.communes_reseau(lignes)
    if not communes:
        ui.etat_vide(etats_vides.message("suivies", f))
    else:
        code = st.selectbox(
            "Commune", list(communes), format_func=communes.get, index=list(communes).index(plus_couverte),
            key="commune_reseau", bind="query-params",
        )  # fmt: skip
        g = vue_reseau.graphique_vis_a_vis(lignes, code, communes[code])
        montrer(g, f"reseau_{code}", "freins et structures par commune", ["couverture_freins"])

# --- Annuaire ----------------------------------------------------------------------------------------------
st.subheader("Annuaire des structures")
st.caption(
    "L'annuaire ne suit ni la date ni les filtres de territoire et de profil (parcours, âge, sexe) : il se filtre "
    "par ses propres champs, ci-dessous."
)
tout = ctx.requete("freins.annuaire")
if tout.empty:
    ui.etat_vide(vue_reseau.SANS_ANNUAIRE)
else:
    if ctx.demo:
        st.caption(vue_reseau.NOTE_DEMO_ANNUAIRE)
    noms_communes = vue_reseau.communes_annuaire(tout)
    c1, c2, c3, c4 = st.columns(4)
    choix_communes = c1.multiselect("Commune", list(noms_communes), format_func=noms_communes.get,
                                    key="annuaire_communes", bind="query-params")  # fmt: skip
    domaine = c2.selectbox("Domaine", list(DOMAINES), format_func=DOMAINES.get, index=None, key="annuaire_domaine",
                           placeholder="Tous", bind="query-params")  # fmt: skip
    reseau = c3.selectbox("Réseau", vue_reseau.reseaux(tout), index=None, key="annuaire_reseau", placeholder="Tous",
                          bind="query-params")  # fmt: skip
    texte = c4.text_input("Nom contient", key="annuaire_texte", bind="query-params")
    trouvees = ctx.requete(
        "freins.annuaire", communes=tuple(choix_communes), domaine=domaine, reseau=reseau, texte=texte or None
    )
    st.markdown(vue_reseau.phrase_annuaire(len(trouvees), len(tout)))
    table = vue_reseau.table_annuaire(trouvees)
    st.dataframe(table.texte, hide_index=True, width="stretch", key="annuaire",
                 column_config={"Site web": st.column_config.LinkColumn("Site web")})  # fmt: skip
    ui.telechargements(ctx, table, vue=VUE, definitions=["annuaire_structures"], cle="annuaire", tableau="annuaire")
    ui.methode(["annuaire_structures"])
