"""Sorties vers l'emploi : combien de personnes accompagnées sortent en emploi dans l'année, et comment."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from insertion import formats
from insertion.figures import cohortes, resumes
from insertion.figures.cohortes import COULEURS_GROUPES, GROUPES_SORTIE, PAS, PERIODE
from insertion.figures.cohortes import DEFINITIONS as DEF
from insertion.indicators import DEPARTEMENT
from insertion.present import app, etats_vides, ui
from insertion.protect import secret

TITRE = "Sorties vers l'emploi"
ctx = app.page(TITRE)
f = ctx.filtres
# Exemptés du secret : le département sans AUCUN filtre (ni territoire, ni profil), et lui seul.
au_departement = secret.departement_exempte(f.perimetre)
reference = cohortes.perimetre_departement(f.perimetre)
reference_exempte = secret.departement_exempte(reference)
COULEUR_EMPLOI = COULEURS_GROUPES["emploi_transition"]
COULEUR_DURABLE = COULEURS_GROUPES["emploi_durable"]
FORMATS = {
    "denominateur": formats.entier,
    "n_sortie_emploi": formats.entier,
    "taux_sortie_emploi": formats.pourcentage,
    "n_emploi_durable": formats.entier,
    "taux_emploi_durable": formats.pourcentage,
}
COLONNES = {
    "territoire": "Territoire",
    "cohorte_libelle": "Cohorte d'orientation",
    "denominateur": "Orientations avec 12 mois de recul",
    "n_sortie_emploi": "Sorties en emploi à 12 mois",
    "taux_sortie_emploi": "Taux de sortie en emploi à 12 mois",
    "n_emploi_durable": "Sorties en emploi durable à 12 mois",
    "taux_emploi_durable": "Taux de sortie en emploi durable à 12 mois",
}


def taux(perimetre, groupe: str = "departement"):
    return ctx.requete("taux_sortie_emploi", periode=f.periode, perimetre=perimetre, groupe=groupe)


def par_cohorte(perimetre, pas: str, groupe: str = "departement"):
    return ctx.sql("taux_sortie_emploi_cohortes", **cohortes.params(f.periode, perimetre, groupe=groupe, pas=pas))


def motifs(perimetre, groupe: str = "departement"):
    return ctx.requete("sorties_par_motif", periode=f.periode, perimetre=perimetre, groupe=groupe)


def groupes(perimetre, groupe: str = "departement"):
    """Chaque groupe de motifs est une case publiée à part (queries/sorties_par_groupe.sql)."""
    return ctx.requete("sorties_par_groupe", periode=f.periode, perimetre=perimetre, groupe=groupe)


# --- Chiffres clés -------------------------------------------------------------------------------------
st.caption(
    f"Taux à 12 mois : épisodes orientés du {formats.date_longue(f.periode.debut)} au "
    f"{formats.date_longue(f.as_of)} ayant au moins un an de recul. Sorties : celles datées dans la période."
)
ici = cohortes.proteger_sortie(taux(f.perimetre), au_departement)
ici_aff = ici.affichage(FORMATS)
ref = cohortes.proteger_sortie(taux(reference), reference_exempte)
mois = cohortes.proteger_sortie(cohortes.cohortes_completes(par_cohorte(f.perimetre, "mois")), au_departement).donnees
groupes_ici = cohortes.sorties_par_groupe(groupes(f.perimetre), au_departement)
n_emploi, part_emploi = cohortes.part_emploi(groupes_ici)
total_sorties = groupes_ici.affichage({"total": formats.entier})
mensuel = ctx.requete("entrees_sorties_mensuelles", periode=f.periode, perimetre=f.perimetre)
mensuel = secret.proteger(mensuel, effectifs=["sorties"], departement=au_departement).donnees

cartes = st.columns(4)
for carte, (colonne, nom) in zip(
    cartes[:2],
    [
        ("taux_sortie_emploi", "Sortie en emploi à 12 mois"),
        ("taux_emploi_durable", "Sortie en emploi durable à 12 mois"),
    ],
    strict=True,
):
    ecart = None
    if f.sous_departement:
        ecart = ui.evolution_points(cohortes.valeur(ici.donnees, colonne), cohortes.valeur(ref.donnees, colonne))
    with carte:
        ui.kpi(
            nom,
            cohortes.texte(ici_aff, colonne),
            evolution=None if ecart is None else f"{ecart} vs département",
            serie=cohortes.serie(mois, colonne, 100),
            aide=f"Sur {cohortes.texte(ici_aff, 'denominateur')} orientations ayant un an de recul ; "
            "courbe : taux par mois d'orientation.",
        )
with cartes[2]:
    ui.kpi(
        "Sorties pendant la période",
        cohortes.texte(total_sorties, "total") if len(total_sorties) else "0",
        serie=cohortes.serie(mensuel, "sorties"),
        aide="Épisodes dont la date de sortie tombe dans la période, tous motifs ; courbe : sorties par mois.",
    )
with cartes[3]:
    ui.kpi(
        "Part des sorties en emploi",
        formats.pourcentage(part_emploi)
        if part_emploi is not None
        else (secret.LIBELLE_MASQUE if groupes_ici.a_masque or n_emploi is not None else formats.SANS_OBJET),
        aide="Sorties de la période pour emploi durable, création d'entreprise ou emploi de transition "
        + ("" if n_emploi is None else f"({formats.entier(n_emploi)}) ")
        + "parmi toutes les sorties de la période ; non diffusée si l'un des effectifs est masqué.",
    )

# --- Par ALI -------------------------------------------------------------------------------------------
st.subheader("Taux de sortie à 12 mois par agence locale d'insertion")
par_ali = taux(f.perimetre, "ali").sort_values("groupe").reset_index(drop=True)
table, niveau = cohortes.empiler(taux(reference), par_ali)
prot, aff = cohortes.proteger_territoires(table, niveau, cohortes.proteger_sortie, FORMATS, exempte=reference_exempte)
alis = ~niveau.to_numpy()
if not alis.any():
    ui.etat_vide(etats_vides.message("orientees", f))
else:
    noms = [cohortes.libelle_groupe(g, court=True) for g in table["groupe"][alis]]
    survols = [
        f"<b>{t}</b><br>Sortie en emploi : {e}<br>dont emploi durable : {d}<br>Orientations avec un an de recul : {n}"
        for t, e, d, n in zip(
            aff["territoire"][alis],
            aff["taux_sortie_emploi"][alis],
            aff["taux_emploi_durable"][alis],
            aff["denominateur"][alis],
            strict=True,
        )
    ]
    ref_emploi = cohortes.valeur(prot.donnees, "taux_sortie_emploi")
    ref_durable = cohortes.valeur(prot.donnees, "taux_emploi_durable")
    fig = cohortes.barres_superposees(
        noms,
        [
            ("Sortie en emploi", list(prot.donnees["taux_sortie_emploi"][alis]), survols, COULEUR_EMPLOI),
            ("dont emploi durable", list(prot.donnees["taux_emploi_durable"][alis]), survols, COULEUR_DURABLE),
        ],
        [
            (ref_emploi, f"{DEPARTEMENT}, emploi : {formats.pourcentage(ref_emploi)}", "dash"),
            (ref_durable, f"{DEPARTEMENT}, emploi durable : {formats.pourcentage(ref_durable)}", "dot"),
        ],
        titre="Part des orientations sorties en emploi dans les 12 mois",
        masques=[cohortes.TAUX_MASQUE if m else None for m in prot.masque["taux_sortie_emploi"][alis]],
    )
    ui.graphique(
        ctx,
        fig,
        vue=TITRE,
        table=aff.drop(columns="groupe").rename(columns=COLONNES),
        definitions=["sortie_emploi_12m"],
        masque=prot.a_masque,
        cle="taux_ali",
        tableau="taux de sortie à 12 mois par ALI",
        resume=resumes.extremes(
            resumes.points(noms, prot.donnees["taux_sortie_emploi"][alis], prot.masque["taux_sortie_emploi"][alis]),
            mesure=COLONNES["taux_sortie_emploi"],
            ecrire=formats.pourcentage,
        ),
    )

# --- Par cohorte ---------------------------------------------------------------------------------------
st.subheader("Taux de sortie à 12 mois par cohorte d'orientation")
pas = st.segmented_control(
    "Cohortes par", list(PAS), format_func=PAS.get, default="trimestre", required=True, key="pas", bind="query-params"
)
coh_ici = cohortes.cohortes_completes(par_cohorte(f.perimetre, pas))
coh_ref = cohortes.cohortes_completes(par_cohorte(reference, pas))
if coh_ici.empty:
    ui.etat_vide(etats_vides.message("cohortes_12m", f))
else:
    if f.sous_departement:
        table, niveau = cohortes.empiler(coh_ref, coh_ici)
    else:  # le périmètre est le département lui-même
        table, niveau = coh_ici, pd.Series(False, index=coh_ici.index)
    prot = cohortes.proteger_sortie(table, (niveau & reference_exempte) | au_departement)
    aff = prot.affichage(FORMATS)
    aff["territoire"] = [DEPARTEMENT if n else f.territoire for n in niveau]
    aff["cohorte_libelle"] = [cohortes.libelle_cohorte(c, pas) for c in table["cohorte"]]
    aff["survol"] = [
        f"<b>{t}</b><br>Orientés : {c}<br>Sortie en emploi : {e}<br>dont emploi durable : {d}<br>Orientations : {n}"
        for t, c, e, d, n in zip(
            aff["territoire"],
            aff["cohorte_libelle"],
            aff["taux_sortie_emploi"],
            aff["taux_emploi_durable"],
            aff["denominateur"],
            strict=True,
        )
    ]
    series = []
    lignes = [(False, f.territoire, "solid")] + ([(True, DEPARTEMENT, "dash")] if f.sous_departement else [])
    for est_ref, nom_ligne, trait in lignes:
        choix = (niveau == est_ref).to_numpy()
        for colonne, nom, couleur in (
            ("taux_sortie_emploi", "sortie en emploi", COULEUR_EMPLOI),
            ("taux_emploi_durable", "emploi durable", COULEUR_DURABLE),
        ):
            series.append(
                (f"{nom_ligne} : {nom}", list(prot.donnees[colonne][choix]), list(aff["survol"][choix]), couleur, trait)
            )
    fig = cohortes.courbes_cohortes(list(table["cohorte"][~niveau.to_numpy()]), series, titre_axe="Taux à 12 mois")
    ui.graphique(
        ctx,
        fig,
        vue=TITRE,
        table=aff[list(COLONNES)].rename(columns=COLONNES),
        definitions=[DEF["sortie_cohortes"]],
        masque=prot.a_masque,
        cle=f"cohortes_{pas}",
        tableau=f"taux de sortie à 12 mois par {PAS[pas].lower()} d'orientation",
        resume=resumes.evolution(
            resumes.points(
                aff["cohorte_libelle"][~niveau],
                prot.donnees["taux_sortie_emploi"][~niveau],
                prot.masque["taux_sortie_emploi"][~niveau],
            ),
            sujet=f"Pour {f.territoire}, le taux de sortie en emploi à 12 mois",
            ecrire=formats.pourcentage,
            variation="points",
        ),
    )

    INDICATEURS = {"taux_sortie_emploi": "Sortie en emploi", "taux_emploi_durable": "Emploi durable"}

    def resume_derniere_cohorte(table, niveau, prot, aff, indicateur: str) -> str | None:
        """La carte lue sur sa dernière colonne : la cohorte la plus récente qui a un an de recul, ALI par ALI."""
        alis_carte = ~niveau.to_numpy()
        if not alis_carte.any():
            return None
        derniere = table["cohorte"][alis_carte].max()
        choix = alis_carte & (table["cohorte"] == derniere).to_numpy()
        return resumes.extremes(
            resumes.points(aff["territoire"][choix], prot.donnees[indicateur][choix], prot.masque[indicateur][choix]),
            mesure=f"{INDICATEURS[indicateur]} à 12 mois, cohorte {cohortes.libelle_cohorte(derniere, pas)}",
            ecrire=formats.pourcentage,
        )

    indicateur = st.segmented_control(
        "Carte par ALI", list(INDICATEURS), format_func=INDICATEURS.get, default="taux_sortie_emploi",
        required=True, key="indicateur_sortie",
    )  # fmt: skip
    coh_ali = cohortes.cohortes_completes(par_cohorte(f.perimetre, pas, "ali"))
    table, niveau = cohortes.empiler(coh_ref, coh_ali)
    prot, aff = cohortes.proteger_territoires(
        table, niveau, cohortes.proteger_sortie, FORMATS, pas, exempte=reference_exempte
    )
    survols = [
        f"<b>{t}</b><br>Orientés : {c}<br>{INDICATEURS[indicateur]} : {v}<br>Orientations : {n}"
        for t, c, v, n in zip(
            aff["territoire"], aff["cohorte_libelle"], aff[indicateur], aff["denominateur"], strict=True
        )
    ]
    fig = cohortes.carte_territoires(prot, indicateur, survols, titre_echelle="Taux", pourcentage=True)
    ui.graphique(
        ctx,
        fig,
        vue=TITRE,
        table=aff[list(COLONNES)].rename(columns=COLONNES),
        definitions=[DEF["sortie_cohortes"]],
        masque=prot.a_masque,
        cle=f"carte_{pas}_{indicateur}",
        tableau=f"{INDICATEURS[indicateur].lower()} à 12 mois par ALI et par {PAS[pas].lower()}",
        resume=resume_derniere_cohorte(table, niveau, prot, aff, indicateur),
    )
    st.caption(
        "Première ligne : le département (mêmes filtres de profil). Une case blanche : aucune orientation dans "
        f"la cohorte, ou taux non diffusé (moins de {secret.SEUIL_SECRET} orientations, ou de 1 à "
        f"{secret.SEUIL_SECRET - 1} personnes sorties ou non sorties : le taux redonnerait l'effectif). "
        "Les cohortes de moins d'un an ne figurent pas."
    )

# --- Sorties par motif et par groupe -------------------------------------------------------------------
st.subheader("Sorties de la période par motif et par groupe")
gauche, droite = st.columns(2)
with gauche:
    m_ici = motifs(f.perimetre)
    if m_ici.empty:
        ui.etat_vide(etats_vides.message("sorties", f))
    else:
        m_ici = cohortes.motifs_ordonnes(m_ici)
        prot = cohortes.proteger_motifs(m_ici, au_departement)
        aff = prot.affichage({"sorties": formats.entier})
        fig = go.Figure()
        for code, nom in GROUPES_SORTIE.items():
            lignes = (m_ici["groupe_sortie"] == code).to_numpy()
            if not lignes.any():
                continue
            fig.add_trace(
                go.Bar(
                    y=list(aff["court"][lignes]),
                    x=list(prot.donnees["sorties"][lignes]),
                    name=nom,
                    orientation="h",
                    marker_color=COULEURS_GROUPES[code],
                    text=list(aff["sorties"][lignes]),
                    textposition="outside",
                    cliponaxis=False,
                    customdata=list(zip(aff["libelle"][lignes], aff["sorties"][lignes], strict=True)),
                    hovertemplate="<b>%{customdata[0]}</b><br>Sorties : %{customdata[1]}<extra></extra>",
                )
            )
        cohortes.annoter_masques(
            fig, list(aff["court"]), [secret.libelle_masque() if m else None for m in prot.masque["sorties"]]
        )
        fig.update_layout(
            title=f"{f.territoire} : sorties par motif",
            height=cohortes.hauteur(len(m_ici), 34),
            yaxis={
                "autorange": "reversed",
                "title": None,
                "categoryorder": "array",
                "categoryarray": list(aff["court"]),
            },
            xaxis={"title": None, "tickformat": ",.0f"},
            margin={"r": 60},
        )
        tableau = aff.assign(groupe_libelle=m_ici["groupe_sortie"].map(GROUPES_SORTIE))[
            ["court", "groupe_libelle", "sorties"]
        ].rename(columns={"court": "Motif", "groupe_libelle": "Groupe", "sorties": "Sorties"})
        ui.graphique(
            ctx,
            fig,
            vue=TITRE,
            table=tableau,
            definitions=["sorties_par_motif", DEF["groupes_sortie"]],
            masque=prot.a_masque,
            cle="motifs",
            resume=resumes.extremes(
                resumes.points(aff["court"], prot.donnees["sorties"], prot.masque["sorties"]),
                mesure="Sorties de la période par motif",
                categorie="motif",
                plus="le plus fréquent",
                moins="le moins fréquent",
            ),
            tableau="sorties par motif",
        )
with droite:
    m_ali = groupes(f.perimetre, "ali").sort_values("groupe", kind="stable")
    if m_ali.empty:
        ui.etat_vide(etats_vides.message("sorties", f))
    else:
        fig, tableau, masque = cohortes.parts_par_territoire(
            groupes(reference),
            m_ali,
            cohortes.sorties_par_groupe,
            {"sorties": formats.entier, "part": formats.pourcentage, "total": formats.entier},
            categorie="groupe_sortie",
            categories=GROUPES_SORTIE,
            couleurs=COULEURS_GROUPES,
            effectif="sorties",
            titre="Groupes de sortie par ALI, en part des sorties de la période",
            exempte=reference_exempte,
            colonnes={
                "territoire": "Territoire",
                "libelle": "Groupe de sortie",
                "sorties": "Sorties",
                "part": "Part",
                "total": "Toutes sorties",
            },
        )
        definitions = ["sorties_par_motif", DEF["groupes_sortie"]]
        ui.graphique(
            ctx,
            fig,
            vue=TITRE,
            table=tableau,
            definitions=definitions,
            masque=masque,
            cle="groupes_ali",
            tableau="groupes de sortie par ALI",
        )

# --- Parcours d'une cohorte ----------------------------------------------------------------------------
st.subheader("Parcours d'une cohorte : de l'orientation à l'emploi")
parcours = cohortes.cohortes_completes(
    ctx.sql("parcours_cohorte", **cohortes.params(f.periode, f.perimetre, groupe="departement", pas=pas))
)
ensemble = ctx.sql("parcours_cohorte", **cohortes.params(f.periode, f.perimetre, groupe="departement", pas=PERIODE))
choix = {PERIODE: "Toutes les cohortes de la période ayant un an de recul"} | {
    c.date().isoformat(): cohortes.libelle_cohorte(c, pas) for c in reversed(list(parcours["cohorte"]))
}
cle_cohorte = st.selectbox("Cohorte", list(choix), format_func=choix.get, index=1 if len(choix) > 1 else 0)
ligne = ensemble if cle_cohorte == PERIODE else parcours[parcours["cohorte"].dt.date.astype(str) == cle_cohorte]
if ligne.empty or ligne["orientes"].iloc[0] == 0:  # NaN : cohorte masquée, montrée « secret » plus bas
    ui.etat_vide(etats_vides.message("cohortes_12m", f))
else:
    etapes = cohortes.etapes_parcours(ligne.iloc[0])
    prot = cohortes.proteger_parcours(etapes, au_departement)
    aff = prot.affichage({"effectif": formats.entier, "part": formats.pourcentage})
    textes = [e if i == 0 else f"{e} ({p})" for i, (e, p) in enumerate(zip(aff["effectif"], aff["part"], strict=True))]
    survols = [
        f"<b>{lib}</b><br>Personnes : {e}<br>Part de la cohorte : {p}"
        for lib, e, p in zip(aff["libelle"], aff["effectif"], aff["part"], strict=True)
    ]
    fig = cohortes.entonnoir(etapes, prot.donnees, textes, survols, prot.masque["effectif"])
    fig.update_layout(title=f"{f.territoire} · {choix[cle_cohorte]}")
    ui.graphique(
        ctx,
        fig,
        vue=TITRE,
        # La cohorte en première colonne : le fichier exporté dit lui-même de quelle cohorte il s'agit.
        table=aff[["libelle", "effectif", "part"]]
        .rename(columns={"libelle": "Étape", "effectif": "Personnes", "part": "Part de la cohorte"})
        .assign(**{"Cohorte d'orientation": choix[cle_cohorte]})[
            ["Cohorte d'orientation", "Étape", "Personnes", "Part de la cohorte"]
        ],
        definitions=[DEF["parcours"]],
        masque=prot.a_masque,
        cle=f"parcours_{pas}_{cle_cohorte}",
        resume=resumes.etapes(
            resumes.points(aff["libelle"], prot.donnees["effectif"], prot.masque["effectif"]),
            resumes.points(aff["libelle"], prot.donnees["part"], prot.masque["part"]),
        ),
        tableau="parcours de la cohorte " + ("toute la période" if cle_cohorte == PERIODE else choix[cle_cohorte]),
    )
    st.caption(
        "Les deux diagnostics se recouvrent en partie ; les sorties sont comptées quel que soit le diagnostic. "
        "Chaque part se lit sur l'ensemble des orientés de la cohorte."
    )
