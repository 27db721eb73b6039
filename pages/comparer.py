"""Comparer les territoires : une ALI face à chacune des autres et au département, sur chaque indicateur.

La logique (assemblage, secret, médiane et quartiles, petits multiples, carte) est dans
insertion/figures/territoires.py.
"""

import dataclasses

import pandas as pd
import streamlit as st

from insertion import formats, indicators
from insertion.figures import resumes, territoires
from insertion.indicators import libelles
from insertion.outputs import exports
from insertion.present import app, connexion, etats_vides, ui
from insertion.protect import secret
from insertion.store.requetes import Perimetre, Periode

VUE = "Comparer les territoires"
CLE_ALI = "comparer_ali"
CLE_INDICATEUR = "comparer_indicateur"
ctx = app.page(VUE)
f = ctx.filtres
noms = libelles.ali()
state = st.session_state

# Les ALI se comparent entre elles : les filtres de territoire ne restreignent pas la comparaison (le premier
# ALI du filtre sert de choix par défaut) ; la période et les filtres de population s'appliquent à toutes.
population = Perimetre(parcours=f.perimetre.parcours, ages=f.perimetre.ages, sexes=f.perimetre.sexes)
avec_population = bool(population.parcours or population.ages or population.sexes)
presentes = territoires.ali_presentes(
    ctx.requete("entrees_sorties", periode=Periode(as_of=f.as_of), perimetre=Perimetre(), groupe="ali")
)
if not presentes:
    # Les ALI présentes se lisent sans aucun filtre : seule la date d'observation peut les vider.
    ui.etat_vide(etats_vides.message("ali_comparables", dataclasses.replace(f, perimetre=Perimetre())))
    st.stop()
if avec_population and etats_vides.est_vide(
    ctx.requete("file_active_mensuelle", periode=f.periode, perimetre=population), ["file_active"]
):
    # Le public retenu (parcours, âge, sexe) n'a personne dans aucune ALI : des barres toutes à zéro ne
    # compareraient rien.
    ui.etat_vide(etats_vides.message("suivies_periode", dataclasses.replace(f, perimetre=population)))
    st.stop()

# --- Choix de l'ALI ----------------------------------------------------------------------------------------


def depuis_le_lien(cle: str, options: list[str], defaut: str) -> None:
    """Valeur initiale d'un choix de la vue : le code lu dans l'URL s'il est valide, sinon le défaut.

    Pas de `bind="query-params"` ici : avec un format_func, Streamlit écrit le libellé dans l'URL ;
    on y garde le code (« comparer_ali=ALI14 »), lisible et stable."""
    if cle not in state or state[cle] not in options:
        lu = st.query_params.get(cle)
        state[cle] = lu if lu in options else defaut


def vers_le_lien(cle: str, valeur: str, defaut: str) -> None:
    """Le choix va dans l'URL (un lien rouvre la même vue), sauf quand il vaut le défaut."""
    if valeur != defaut:
        if st.query_params.get(cle) != valeur:
            st.query_params[cle] = valeur
    elif cle in st.query_params:
        del st.query_params[cle]


# Une direction d'ALI voit la sienne mise en avant, tant que la barre latérale ne filtre pas une autre ALI.
habilitation = connexion.courante()
propre_ali = (habilitation.ali,) if habilitation and habilitation.ali else ()
defaut = territoires.ali_par_defaut(presentes, f.perimetre.alis or propre_ali)
# Quand le filtre ALI de la barre latérale change (ici ou sur une autre vue), le choix le suit.
precedent = state.get("_comparer_filtre_ali")
state["_comparer_filtre_ali"] = f.perimetre.alis
if precedent is not None and precedent != f.perimetre.alis and f.perimetre.alis:
    state[CLE_ALI] = defaut
depuis_le_lien(CLE_ALI, presentes, defaut)
col_choix, col_note = st.columns([2, 3], vertical_alignment="bottom")
with col_choix:
    code = st.selectbox(
        "Votre ALI",
        presentes,
        format_func=lambda c: noms.get(c, c),
        key=CLE_ALI,
        help="Le premier ALI du filtre de la barre latérale est choisi par défaut. Le choix reste dans le lien.",
    )
vers_le_lien(CLE_ALI, code, defaut)
with col_note:
    if f.perimetre.alis and not set(f.perimetre.alis) & set(presentes):
        st.caption(f"{f.territoire} n'a aucune orientation à la date d'observation : une autre ALI est choisie.")
    st.caption(
        f"Comparaison des {len(presentes)} ALI ayant des orientations à la date d'observation"
        + (", pour le public retenu par les filtres de parcours, d'âge et de sexe" if avec_population else "")
        + ". Médiane et quartiles sont calculés sur les valeurs diffusées des ALI (hors valeurs masquées par "
        "le secret statistique)."
    )

# --- Indicateurs par ALI et du département -------------------------------------------------------------------
periode_cout = Periode(as_of=f.as_of)
cout_dep = ctx.requete("cout_par_personne", periode=periode_cout, perimetre=Perimetre(), groupe="departement")
annee_cout = territoires.annee_cout(cout_dep, f.as_of.year)


def tableau(groupe: str, groupes: list[str]) -> pd.DataFrame:
    args = {"periode": f.periode, "perimetre": population, "groupe": groupe}
    cout = ctx.requete("cout_par_personne", periode=periode_cout, perimetre=Perimetre(), groupe=groupe)
    return territoires.assembler(
        groupes,
        file_active=ctx.requete("file_active", **args),
        entrees_sorties=ctx.requete("entrees_sorties", **args),
        diag_numerique=ctx.requete("taux_diagnostic", diagnostic="numerique", **args),
        diag_linguistique=ctx.requete("taux_diagnostic", diagnostic="linguistique", **args),
        sortie_emploi=ctx.requete("taux_sortie_emploi", **args),
        cout=cout[cout["annee"] == annee_cout],
    )


prot_ali = territoires.proteger(tableau("ali", presentes), departement=False)
# La ligne du département porte les filtres de profil : exemptée seulement sans aucun filtre.
prot_dep = territoires.proteger(
    tableau("departement", [indicators.DEPARTEMENT]), departement=secret.departement_exempte(population)
)
valeurs, textes = territoires.comparaison(prot_ali, prot_dep, code)


def libelle(ind: territoires.Indicateur, court: bool = False) -> str:
    texte = ind.court if court else ind.libelle
    return f"{texte} ({annee_cout})" if ind.cle == "cout_par_personne" and annee_cout else texte


# --- Chiffres de l'ALI face à la médiane ---------------------------------------------------------------------
st.subheader(noms.get(code, code))
for debut in range(0, len(territoires.INDICATEURS), 4):
    cols = st.columns(4)
    for col, ind in zip(cols, territoires.INDICATEURS[debut : debut + 4], strict=False):
        v = valeurs.set_index("cle").loc[ind.cle]
        valeur = None if pd.isna(v["valeur"]) else float(v["valeur"])
        mediane = None if pd.isna(v["mediane"]) else float(v["mediane"])
        ecart = (ui.evolution_points if ind.nature == "taux" else ui.evolution_pourcentage)(valeur, mediane)
        t = textes.set_index("Indicateur").loc[ind.libelle]
        with col:
            ui.kpi(
                libelle(ind, court=True),
                t["ALI choisie"],
                evolution=None if ecart is None else f"{ecart} vs médiane",
                sens=ind.sens,
                aide=(
                    f"{libelle(ind)}. Médiane des {t['ALI retenues']} ALI : {t['Médiane des ALI']} "
                    f"(quartiles {t['1er quartile des ALI']} – {t['3e quartile des ALI']}) ; "
                    f"Seine-Saint-Denis : {t['Seine-Saint-Denis']} ; rang : {t['Rang (1 = valeur la plus haute)']}."
                ),
            )
st.caption(
    "Écart à la médiane des ALI : en % pour les effectifs et le coût, en points pour les taux. "
    "Le coût par personne rapporte les crédits exécutés de l'ALI à sa file active moyenne de l'année"
    + (
        " ; il porte sur toutes les personnes suivies, quels que soient les filtres de population."
        if avec_population
        else "."
    )
)
st.dataframe(
    textes.assign(Indicateur=[libelle(i) for i in territoires.INDICATEURS]),
    hide_index=True,
    width="stretch",
    key="comparer_tableau",
)
ui.telechargements(
    ctx,
    exports.comparaison_en_nombres(textes.assign(Indicateur=[libelle(i) for i in territoires.INDICATEURS])),
    vue=VUE,
    tableau=f"{noms.get(code, code)} face aux ALI",
    definitions=["file_active", "diag_numerique", "sortie_emploi_12m", "cout_par_personne"],
    cle="comparer_tableau",
)
ui.note_secret(prot_ali.a_masque or prot_dep.a_masque)

# --- Petits multiples ----------------------------------------------------------------------------------------
st.subheader("Toutes les ALI, indicateur par indicateur")
st.caption(
    "Une barre par ALI (numéro et première commune sous la barre), de la plus haute à la plus basse ; "
    "votre ALI en orange ; tirets : médiane des ALI ; bande grisée : du 1er au 3e quartile."
)
ui.graphique(
    ctx,
    territoires.petits_multiples(prot_ali, code, noms),
    vue=VUE,
    table=territoires.tableau_ali(prot_ali, noms),
    definitions=list(dict.fromkeys(i.definition for i in territoires.INDICATEURS)),
    masque=prot_ali.a_masque,
    cle="comparer_multiples",
    tableau="toutes les ALI par indicateur",
    resume=resumes.positions(
        noms.get(code, code),
        [
            (resumes.points([libelle(ind)], [v["valeur"]], [v["masque"]])[0], v["mediane"])
            for ind, (_, v) in zip(territoires.INDICATEURS, valeurs.iterrows(), strict=True)
        ],
    ),
)

# --- Carte ---------------------------------------------------------------------------------------------------
st.subheader("Carte des territoires")
cles = [i.cle for i in territoires.INDICATEURS]
depuis_le_lien(CLE_INDICATEUR, cles, cles[0])
cle = st.selectbox(
    "Indicateur de la carte",
    cles,
    format_func=lambda c: libelle(territoires.PAR_CLE[c]),
    key=CLE_INDICATEUR,
)
vers_le_lien(CLE_INDICATEUR, cle, cles[0])
ind = territoires.PAR_CLE[cle]
carte = territoires.ValeursCarte.depuis(prot_ali, cle)
t = territoires.tuiles()
fig = None
chemin = territoires.fichier_geojson()
if chemin is not None:
    try:
        geojson = territoires.lire_geojson(chemin)
        propriete = territoires.propriete_insee(geojson, t["code_commune"])
        if propriete is None:
            raise ValueError("aucune propriété ne porte les codes INSEE des communes du référentiel")
        fig = territoires.carte_choroplethe(geojson, propriete, t, carte, code, noms)
        st.caption(f"Contours des communes : {chemin.name} (propriété « {propriete} »).")
    except (OSError, ValueError) as exc:
        st.warning(f"Fichier de contours {chemin.name} inutilisable ({exc}) : carte en tuiles à la place.")
if fig is None:
    fig = territoires.carte_tuiles(t, carte, code, noms)
    st.caption(
        "Carte schématique : une case par commune, placée approximativement, colorée selon la valeur de son ALI ; "
        "un trait sombre sépare les ALI, votre ALI est entourée d'orange ; case grise : valeur non diffusée ou "
        "ALI sans données. Déposez data/communes.geojson (code INSEE en propriété) pour une carte aux contours réels."
    )
if t.attrs.get("sans_position"):
    st.caption("Communes sans position sur la carte : " + ", ".join(t.attrs["sans_position"]) + ".")
communes_par_ali = t.groupby("code_ali")["nom"].apply(lambda s: ", ".join(sorted(s))).to_dict()
table_carte = pd.DataFrame(
    {
        "ALI": [noms[c] for c in noms],
        "Communes": [communes_par_ali.get(c, formats.SANS_OBJET) for c in noms],
        libelle(ind): [carte.texte(c) for c in noms],
    }
)
ui.graphique(
    ctx,
    fig,
    vue=VUE,
    table=table_carte,
    definitions=[ind.definition],
    masque=bool(carte.masquees),
    cle="comparer_carte",
    tableau=f"carte {libelle(ind)}",
    resume=resumes.extremes(
        resumes.points(
            [noms[c] for c in presentes], [carte.valeur(c) for c in presentes], [c in carte.masquees for c in presentes]
        ),
        mesure=libelle(ind),
        ecrire=ind.format,
    ),
)
