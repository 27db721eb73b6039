"""Freins et réseau : les freins périphériques des personnes suivies (contrat §7.1) et le réseau local des
structures qui peuvent les lever (§7.5). Mise en forme : insertion.figures.freins."""

import streamlit as st

from insertion import formats
from insertion.contrat import DEPARTEMENT, DOMAINES
from insertion.figures import cohortes
from insertion.figures import freins as vue
from insertion.indicators.autres_systemes.freins import LIBELLES
from insertion.present import app, etats_vides, ui
from insertion.protect import secret

VUE = "Freins et réseau"
ctx = app.page(VUE)
f = ctx.filtres
exempte = secret.departement_exempte(f.perimetre)
reference = cohortes.perimetre_departement(f.perimetre)
REGROUPEMENTS = {"ali": "Par ALI", "commune": "Par commune"}


def requete(fonction: str, perimetre=f.perimetre, groupe: str = "departement"):
    return ctx.requete(f"freins.{fonction}", periode=f.periode, perimetre=perimetre, groupe=groupe)


st.caption(
    f"Freins évalués à l'entrée en accompagnement, pour les personnes suivies au {formats.date_longue(f.as_of)} "
    "(file active). Une réponse vide est inconnue : elle n'entre dans aucune part."
)

# --- Chiffres clés -----------------------------------------------------------------------------------------
prev = vue.proteger_prevalence(requete("prevalence"), departement=exempte)
if prev.donnees.empty:
    ui.etat_vide(etats_vides.message("suivies", f))
elif vue.aucune_reponse(prev):
    ui.etat_vide(vue.SANS_REPONSE)
else:
    par_personne = vue.proteger_par_personne(requete("par_personne"), departement=exempte)
    premier = vue.frein_le_plus_frequent(prev)
    au_moins_un = vue.part_au_moins_un(par_personne)
    cartes = st.columns(2)
    with cartes[0]:
        ui.kpi(
            "Frein le plus fréquent",
            f"{premier[0]} ({formats.pourcentage(premier[1])})" if premier else secret.LIBELLE_MASQUE,
            aide="Parmi les parts diffusées, la plus élevée ; sur les personnes suivies dont la réponse est connue.",
        )
    with cartes[1]:
        ui.kpi(
            "Personnes avec au moins un frein",
            secret.LIBELLE_MASQUE if au_moins_un is None else formats.pourcentage(au_moins_un),
            aide="Parmi les personnes suivies qui ont au moins une réponse connue.",
        )

    # --- Prévalence ----------------------------------------------------------------------------------------
    st.subheader("Part des personnes suivies avec chaque frein")
    series = [(f.territoire, prev)]
    if f.sous_departement:
        prev_ref = vue.proteger_prevalence(
            requete("prevalence", perimetre=reference), departement=secret.departement_exempte(reference)
        )
        series.append((DEPARTEMENT, prev_ref))
    ui.graphique(
        ctx,
        vue.figure_prevalence(series),
        vue=VUE,
        table=vue.table_prevalence(series),
        definitions=["freins_prevalence"],
        masque=any(p.a_masque for _, p in series),
        cle="prevalence",
        tableau="part des personnes avec chaque frein",
        resume=vue.resume_prevalence(prev, f.territoire),
    )

    regroupement = st.segmented_control(
        "Regrouper", list(REGROUPEMENTS), format_func=REGROUPEMENTS.get, default="ali", required=True,
        key="regroupement", bind="query-params",
    )  # fmt: skip
    par_groupe = requete("prevalence", groupe=regroupement)
    if par_groupe.empty:
        ui.etat_vide(etats_vides.message("suivies", f))
    else:
        prot_g = vue.proteger_prevalence(par_groupe, departement=False)
        table_g = vue.table_prevalence([(None, prot_g)]).assign(
            Territoire=[vue.nom_groupe(g, regroupement) for g in prot_g.donnees["groupe"]]
        )
        frein_tete = premier[0] if premier else next(iter(LIBELLES.values()))
        ui.graphique(
            ctx,
            vue.carte_prevalence(prot_g, regroupement),
            vue=VUE,
            table=table_g,
            definitions=["freins_prevalence"],
            masque=prot_g.a_masque,
            cle=f"carte_{regroupement}",
            tableau=f"part de chaque frein {REGROUPEMENTS[regroupement].lower()}",
            resume=vue.resume_carte(prot_g, regroupement, frein_tete),
        )

    # --- Freins par personne ------------------------------------------------------------------------------
    st.subheader("Nombre de freins par personne")
    ui.graphique(
        ctx,
        vue.figure_par_personne(par_personne),
        vue=VUE,
        table=vue.table_par_personne(par_personne),
        definitions=["freins_par_personne"],
        masque=par_personne.a_masque,
        cle="par_personne",
        tableau="nombre de freins par personne",
        resume=vue.resume_par_personne(par_personne),
        vide=None if len(par_personne.donnees) else etats_vides.message("suivies", f),
    )

    # --- Sortie en emploi avec et sans chaque frein ---------------------------------------------------------
    st.subheader("Sortie en emploi à 12 mois, avec ou sans chaque frein")
    st.caption(
        f"Épisodes orientés du {formats.date_longue(f.periode.debut)} au {formats.date_longue(f.as_of)} ayant au "
        "moins un an de recul, selon la réponse à l'entrée (oui ou non)."
    )
    sortie = vue.proteger_sortie(requete("sortie_emploi"), departement=exempte)
    ui.graphique(
        ctx,
        vue.figure_sortie(sortie),
        vue=VUE,
        table=vue.table_sortie(sortie),
        definitions=["freins_sortie_emploi"],
        masque=sortie.a_masque,
        cle="sortie",
        tableau="sortie en emploi avec et sans chaque frein",
        resume=vue.resume_sortie(sortie),
        vide=None if len(sortie.donnees) else etats_vides.message("cohortes_12m", f),
    )

    # --- Par commune : freins face au réseau --------------------------------------------------------------
    st.subheader("Par commune : les freins des personnes suivies face aux structures qui les couvrent")
    st.caption("Structures de l'annuaire situées dans la commune, quels que soient la date et le profil.")
    prot_c = vue.proteger_prevalence(requete("prevalence", groupe="commune"), departement=False)
    couverture = ctx.requete("freins.couverture", communes=tuple(sorted(set(prot_c.donnees["groupe"]))))
    lignes = vue.vis_a_vis(prot_c, couverture)
    communes = dict(zip(lignes["groupe"], lignes["commune"], strict=False))
    if not communes:
        ui.etat_vide(etats_vides.message("suivies", f))
    else:
        plus_couverte = lignes.groupby("groupe")["structures"].sum().idxmax()
        code = st.selectbox(
            "Commune", list(communes), format_func=communes.get, index=list(communes).index(plus_couverte),
            key="commune_reseau", bind="query-params",
        )  # fmt: skip
        choisies = lignes[lignes["groupe"] == code]
        ui.graphique(
            ctx,
            vue.figure_vis_a_vis(choisies),
            vue=VUE,
            table=vue.table_vis_a_vis(lignes),
            definitions=["couverture_freins"],
            masque=bool(choisies["masque"].any()),
            cle=f"reseau_{code}",
            tableau="freins et structures par commune",
            resume=vue.resume_vis_a_vis(choisies, communes[code]),
        )

# --- Annuaire ----------------------------------------------------------------------------------------------
st.subheader("Annuaire des structures")
st.caption(
    "L'annuaire ne suit ni la date ni les filtres de territoire et de profil (parcours, âge, sexe) : il se filtre "
    "par ses propres champs, ci-dessous."
)
tout = ctx.requete("freins.annuaire")
if tout.empty:
    ui.etat_vide("Aucun annuaire des structures n'est chargé : chargez un fichier « structures » (page Importer).")
else:
    if ctx.demo:
        st.caption(
            ":material/science: Données de démonstration : annuaire fictif, aucune coordonnée de structure réelle."
        )
    noms_communes = dict(zip(tout["code_commune"], tout["commune"].fillna(tout["code_commune"]), strict=False))
    c1, c2, c3, c4 = st.columns(4)
    choix_communes = c1.multiselect(
        "Commune", sorted(noms_communes, key=noms_communes.get), format_func=noms_communes.get,
        key="annuaire_communes", bind="query-params",
    )  # fmt: skip
    domaine = c2.selectbox("Domaine", list(DOMAINES), format_func=DOMAINES.get, index=None, key="annuaire_domaine",
                           placeholder="Tous", bind="query-params")  # fmt: skip
    reseau = c3.selectbox("Réseau", vue.reseaux(tout), index=None, key="annuaire_reseau", placeholder="Tous",
                      bind="query-params")  # fmt: skip
    texte = c4.text_input("Nom contient", key="annuaire_texte", bind="query-params")
    trouvees = ctx.requete(
        "freins.annuaire", communes=tuple(choix_communes), domaine=domaine, reseau=reseau, texte=texte or None
    )
    st.markdown(f"{formats.entier(len(trouvees))} structure{'s' if len(trouvees) > 1 else ''} sur "
                f"{formats.entier(len(tout))}.")  # fmt: skip
    table = vue.table_annuaire(trouvees)
    st.dataframe(table, hide_index=True, width="stretch", key="annuaire",
                 column_config={"Site web": st.column_config.LinkColumn("Site web")})  # fmt: skip
    ui.telechargements(ctx, table, vue=VUE, definitions=["annuaire_structures"], cle="annuaire", tableau="annuaire")
    ui.methode(["annuaire_structures"])
