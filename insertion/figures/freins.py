"""Mise en forme de la vue « Freins et réseau » (pages/freins_reseau.py), sans Streamlit : secret statistique
appliqué aux tableaux publiés, graphiques plotly, tableaux en français et phrases de résumé. Le réseau (freins
face aux structures par commune, annuaire) est dans insertion/figures/reseau.py.

Les requêtes arrivent publiées (insertion.protect) : une case masquée y est NaN. `secret.proteger` ajoute les
règles de l'écran (taux sur un effectif masqué, ventilation dont le total est montré) et le libellé « secret ».
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from insertion import formats
from insertion.contrat import DEPARTEMENT
from insertion.figures import charts, cohortes, resumes
from insertion.figures import tableau as tb
from insertion.figures.graphique import Graphique
from insertion.figures.tableau import Tableau
from insertion.indicators import libelles
from insertion.indicators.autres_systemes.freins import LIBELLES, NB_FREINS_MAX
from insertion.protect import secret

MASQUE = secret.LIBELLE_MASQUE
REGROUPEMENTS = {"ali": "Par ALI", "commune": "Par commune"}
CLASSES = {0: "Aucun frein", 1: "1 frein", 2: "2 freins", 3: "3 freins", NB_FREINS_MAX: "4 freins ou plus"}
COULEUR_AVEC, COULEUR_SANS = charts.PALETTE[1], charts.PALETTE[0]


def nom_groupe(code: str, regroupement: str) -> str:
    """Le libellé d'un groupe de requête : « ALI14 · Clichy-sous-Bois – … », « Pantin », « Seine-Saint-Denis »."""
    if code == DEPARTEMENT or regroupement == "departement":
        return DEPARTEMENT
    if regroupement == "commune":
        return libelles.communes().get(code, code)
    if regroupement == "ali":
        return libelles.ali().get(code, code).split(" – ")[0]
    return f"EPT {code}"


def _texte(valeur: object, masque: bool, ecrire=formats.pourcentage) -> str:
    if masque:
        return MASQUE
    return formats.SANS_OBJET if valeur is None or pd.isna(valeur) else ecrire(float(valeur))


# --- Prévalence ----------------------------------------------------------------------------------------------


def proteger_prevalence(df: pd.DataFrame, *, departement: bool | pd.Series) -> secret.Protege:
    """Prévalence publiée (freins.prevalence), protégée pour l'écran ; colonne `libelle` ajoutée."""
    df = df.assign(libelle=df["frein"].map(LIBELLES)).reset_index(drop=True)
    prot = secret.proteger(
        df,
        effectifs=["connus", "avec_frein"],
        taux={"part": "connus"},
        numerateurs={"part": "avec_frein"},
        departement=departement,
    )
    masque = prot.masque["part"] | (prot.masque["avec_frein"] & df["part"].notna())
    prot.masque["part"] = masque
    prot.donnees["part"] = prot.donnees["part"].where(~masque)
    return prot


FORMATS_PREVALENCE = {"connus": formats.entier, "avec_frein": formats.entier, "part": formats.pourcentage}
COLONNES_PREVALENCE = {
    "territoire": "Territoire",
    "libelle": "Frein",
    "connus": "Personnes suivies (réponse connue)",
    "avec_frein": "Personnes avec le frein",
    "part": "Part avec le frein",
}


SANS_REPONSE = (
    "Aucune réponse connue sur les freins périphériques pour les personnes suivies : les extractions chargées "
    "n'ont pas les colonnes frein_* (facultatives), ou elles sont vides. Rien n'est calculé sur des réponses "
    "inconnues."
)


def aucune_reponse(prot: secret.Protege) -> bool:
    """Aucune réponse connue à aucun frein (ni effectif masqué, qui dirait qu'il y en a) : rien à montrer."""
    connus = prot.donnees["connus"]
    return bool((connus.fillna(0) == 0).all() and not prot.masque["connus"].any())


def figure_prevalence(series: list[tuple[str, secret.Protege]]) -> go.Figure:
    """Barres horizontales : la part de chaque frein, une série par territoire (le territoire, puis le
    département en référence) ; « secret » écrit au pied d'une barre masquée."""
    fig = go.Figure()
    for i, (nom, prot) in enumerate(series):
        aff = prot.affichage(FORMATS_PREVALENCE)
        fig.add_trace(
            go.Bar(
                y=list(prot.donnees["libelle"]),
                x=list(prot.donnees["part"].fillna(0)),
                name=nom,
                orientation="h",
                marker_color=charts.PALETTE[i],
                text=list(aff["part"]),
                textposition="outside",
                cliponaxis=False,
                customdata=list(zip(aff["avec_frein"], aff["connus"], strict=True)),
                hovertemplate=f"<b>{nom}</b><br>%{{y}} : %{{text}}<br>%{{customdata[0]}} personnes sur "
                "%{customdata[1]} dont la réponse est connue<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="group",
        height=max(320, 140 + 34 * len(LIBELLES) * max(1, len(series))),
        xaxis={"title": "Part des personnes suivies dont la réponse est connue", "tickformat": ".0%"},
        yaxis={"autorange": "reversed", "title": None},
        legend={"orientation": "h", "y": -0.2},
        margin={"r": 70},
    )
    return fig


# Les colonnes chiffrées du tableau de prévalence, après « Territoire » et « Frein » : libellé et nature.
CHIFFRES_PREVALENCE = {
    "connus": ("Personnes suivies (réponse connue)", tb.entier()),
    "avec_frein": ("Personnes avec le frein", tb.entier()),
    "part": ("Part avec le frein", tb.pourcentage()),
}


def _table_prevalence(prot: secret.Protege, territoires: list[str]) -> Tableau:
    """Les nombres publiés, « secret » dans les cases masquées (jamais la valeur)."""
    return tb.depuis_protege(
        prot,
        CHIFFRES_PREVALENCE,
        avant={"Territoire": territoires, "Frein": tb.textes(prot.donnees["libelle"])},
    )


def table_prevalence(series: list[tuple[str, secret.Protege]]) -> Tableau:
    """Les séries l'une après l'autre ; le territoire de chaque ligne est le nom de sa série."""
    return Tableau.empiler([_table_prevalence(p, [nom] * len(p.donnees)) for nom, p in series])


def resume_prevalence(prot: secret.Protege, territoire: str) -> str:
    return resumes.extremes(
        resumes.points(prot.donnees["libelle"], prot.donnees["part"], prot.masque["part"]),
        mesure=f"{territoire}, part des personnes suivies avec chaque frein",
        ecrire=formats.pourcentage,
        categorie="modalité",
        plus="le plus fréquent",
        moins="le moins fréquent",
    )


def frein_le_plus_frequent(prot: secret.Protege) -> tuple[str, float] | None:
    """(libellé, part) du frein le plus fréquent parmi les parts diffusées ; None si aucune ne l'est."""
    parts = prot.donnees["part"]
    if parts.notna().sum() == 0:
        return None
    i = parts.idxmax()
    return str(prot.donnees.at[i, "libelle"]), float(parts[i])


def carte_prevalence(prot: secret.Protege, regroupement: str) -> go.Figure:
    """Carte de chaleur : une ligne par ALI ou commune, une colonne par frein ; case vide = non diffusée."""
    d = prot.donnees.assign(nom=[nom_groupe(g, regroupement) for g in prot.donnees["groupe"]])
    noms = list(dict.fromkeys(d["nom"]))
    freins = list(LIBELLES.values())
    z = d.pivot_table(index="nom", columns="libelle", values="part", dropna=False).reindex(index=noms, columns=freins)
    textes = [
        [_texte(v, m) for v, m in zip(d["part"][d["nom"] == n], prot.masque["part"][d["nom"] == n], strict=True)]
        for n in noms
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z.to_numpy(),
            x=freins,
            y=noms,
            text=textes,
            texttemplate="%{text}",
            colorscale=charts.ECHELLE_CONTINUE,
            zmin=0,
            colorbar={"title": "Part", "tickformat": ".0%"},
            hovertemplate="<b>%{y}</b><br>%{x} : %{text}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    fig.update_layout(height=max(320, 140 + 30 * len(noms)), yaxis={"autorange": "reversed"}, xaxis={"side": "top"})
    return fig


def resume_carte(prot: secret.Protege, regroupement: str, frein: str) -> str:
    """La carte lue sur la colonne d'un frein (le plus fréquent du territoire) : ses extrêmes par ALI ou commune."""
    choix = (prot.donnees["libelle"] == frein).to_numpy()
    return resumes.extremes(
        resumes.points(
            [nom_groupe(g, regroupement) for g in prot.donnees["groupe"][choix]],
            prot.donnees["part"][choix],
            prot.masque["part"][choix],
        ),
        mesure=f"Part des personnes suivies avec le frein « {frein} »",
        ecrire=formats.pourcentage,
        categorie="ALI" if regroupement == "ali" else "commune",
    )


# --- Nombre de freins par personne ---------------------------------------------------------------------------


def proteger_par_personne(df: pd.DataFrame, *, departement: bool) -> secret.Protege:
    """Les classes sont les cases d'un total montré : masquage secondaire ; une part sur une case masquée l'est."""
    df = df.assign(libelle=df["nb_freins"].map(CLASSES)).reset_index(drop=True)
    prot = secret.proteger(
        df,
        effectifs=["personnes", "total"],
        taux={"part": "total"},
        numerateurs={"part": "personnes"},
        ventilation=[],
        departement=departement,
    )
    masque = prot.masque["part"] | prot.masque["personnes"]
    prot.masque["part"] = masque & (df["part"].notna() | prot.masque["personnes"])
    prot.donnees["part"] = prot.donnees["part"].where(~masque)
    return prot


def figure_par_personne(prot: secret.Protege) -> go.Figure:
    aff = prot.affichage({"personnes": formats.entier, "part": formats.pourcentage})
    fig = go.Figure(
        go.Bar(
            x=list(prot.donnees["libelle"]),
            y=list(prot.donnees["part"].fillna(0)),
            marker_color=charts.PALETTE[2],
            text=list(aff["part"]),
            textposition="outside",
            cliponaxis=False,
            customdata=list(aff["personnes"]),
            hovertemplate="%{x} : %{text}<br>%{customdata} personnes<extra></extra>",
        )
    )
    fig.update_layout(
        height=360,
        yaxis={"title": "Part des personnes suivies", "tickformat": ".0%"},
        xaxis={"title": "Nombre de freins déclarés à l'entrée"},
        showlegend=False,
    )
    return fig


def table_par_personne(prot: secret.Protege) -> Tableau:
    return tb.depuis_protege(
        prot,
        {
            "personnes": ("Personnes suivies", tb.entier()),
            "part": ("Part", tb.pourcentage()),
            "total": ("Personnes avec au moins une réponse connue", tb.entier()),
        },
        avant={"Nombre de freins": tb.textes(prot.donnees["libelle"])},
    )


def resume_par_personne(prot: secret.Protege) -> str:
    return resumes.repartition(
        resumes.points(prot.donnees["libelle"], prot.donnees["part"], prot.masque["part"]),
        sujet="Nombre de freins par personne",
        categorie="classe",
    )


def part_au_moins_un(prot: secret.Protege) -> float | None:
    """La part des personnes avec au moins un frein : le complément de la classe « aucun frein » diffusée."""
    zero = prot.donnees[prot.donnees["nb_freins"] == 0]["part"]
    return None if zero.empty or pd.isna(zero.iloc[0]) else 1 - float(zero.iloc[0])


# --- Sortie en emploi avec et sans chaque frein --------------------------------------------------------------

FORMATS_SORTIE = {"denominateur": formats.entier, "n_sortie_emploi": formats.entier}


def proteger_sortie(df: pd.DataFrame, *, departement: bool) -> secret.Protege:
    df = df.assign(libelle=df["frein"].map(LIBELLES)).reset_index(drop=True)
    return secret.proteger(
        df,
        effectifs=["denominateur", "n_sortie_emploi"],
        taux={"taux_sortie_emploi": "denominateur"},
        numerateurs={"taux_sortie_emploi": "n_sortie_emploi"},
        departement=departement,
    )


def figure_sortie(prot: secret.Protege) -> go.Figure:
    aff = prot.affichage({**FORMATS_SORTIE, "taux_sortie_emploi": formats.pourcentage})
    fig = go.Figure()
    for avec, nom, couleur in (("oui", "Avec le frein", COULEUR_AVEC), ("non", "Sans le frein", COULEUR_SANS)):
        lignes = (prot.donnees["avec"] == avec).to_numpy()
        fig.add_trace(
            go.Bar(
                y=list(prot.donnees["libelle"][lignes]),
                x=list(prot.donnees["taux_sortie_emploi"][lignes].fillna(0)),
                name=nom,
                orientation="h",
                marker_color=couleur,
                text=list(aff["taux_sortie_emploi"][lignes]),
                textposition="outside",
                cliponaxis=False,
                customdata=list(zip(aff["n_sortie_emploi"][lignes], aff["denominateur"][lignes], strict=True)),
                hovertemplate=f"<b>%{{y}}</b> · {nom.lower()}<br>Sortie en emploi à 12 mois : %{{text}}"
                "<br>%{customdata[0]} sorties sur %{customdata[1]} orientations<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="group",
        height=max(360, 140 + 50 * len(LIBELLES)),
        xaxis={"title": "Taux de sortie en emploi à 12 mois", "tickformat": ".0%"},
        yaxis={"autorange": "reversed", "title": None},
        legend={"orientation": "h", "y": -0.15},
        margin={"r": 70},
    )
    return fig


def table_sortie(prot: secret.Protege) -> Tableau:
    return tb.depuis_protege(
        prot,
        {
            "denominateur": ("Orientations avec 12 mois de recul", tb.entier()),
            "n_sortie_emploi": ("Sorties en emploi à 12 mois", tb.entier()),
            "taux_sortie_emploi": ("Taux de sortie en emploi à 12 mois", tb.pourcentage()),
        },
        avant={
            "Frein": tb.textes(prot.donnees["libelle"]),
            "Situation à l'entrée": tb.textes(
                prot.donnees["avec"].map({"oui": "Avec le frein", "non": "Sans le frein"})
            ),
        },
    )


def resume_sortie(prot: secret.Protege) -> str:
    """Le frein dont l'écart entre avec et sans est le plus grand, parmi ceux dont les deux taux sont diffusés."""
    d = prot.donnees
    taux = d.pivot_table(index="libelle", columns="avec", values="taux_sortie_emploi", sort=False)
    if not {"oui", "non"} <= set(taux.columns):
        return "Sortie en emploi à 12 mois avec et sans chaque frein : aucun taux à comparer."
    taux = taux.dropna(subset=["oui", "non"])
    masques = int(prot.masque["taux_sortie_emploi"].sum())
    fin = f" {masques} taux ne sont pas diffusés ({resumes.SECRET})." if masques > 1 else ""
    fin = f" 1 taux n'est pas diffusé ({resumes.SECRET})." if masques == 1 else fin
    if taux.empty:
        return "Sortie en emploi à 12 mois avec et sans chaque frein : aucune paire de taux diffusée." + fin
    ecarts = (taux["oui"] - taux["non"]).abs()
    frein = ecarts.idxmax()
    avec, sans = float(taux.at[frein, "oui"]), float(taux.at[frein, "non"])
    return (
        f"Écart le plus marqué pour le frein « {frein} » : {formats.pourcentage(avec)} de sorties en emploi à "
        f"12 mois avec le frein, {formats.pourcentage(sans)} sans ({formats.evolution_points(avec, sans)})." + fin
    )


# --- Ce que la page pose (pages/freins_reseau.py) -------------------------------------------------------------
# La page ne fait que la mise en page : le secret (exemption du département, qui dépend de tous les filtres), les
# cartes, les graphiques, leurs tableaux et leurs phrases se décident ici.


def note_file_active(as_of) -> str:
    return (
        f"Freins évalués à l'entrée en accompagnement, pour les personnes suivies au {formats.date_longue(as_of)} "
        "(file active). Une réponse vide est inconnue : elle n'entre dans aucune part."
    )


def note_sortie(debut, as_of) -> str:
    return (
        f"Épisodes orientés du {formats.date_longue(debut)} au {formats.date_longue(as_of)} ayant au "
        "moins un an de recul, selon la réponse à l'entrée (oui ou non)."
    )


def perimetre_reference(perimetre):
    """Le département en référence d'un territoire : mêmes filtres de profil, sans filtre de territoire."""
    return cohortes.perimetre_departement(perimetre)


def prevalence(df: pd.DataFrame, perimetre) -> secret.Protege:
    """La prévalence publiée d'un périmètre, protégée ; exacte au département seulement sans aucun filtre."""
    return proteger_prevalence(df, departement=secret.departement_exempte(perimetre))


def par_personne(df: pd.DataFrame, perimetre) -> secret.Protege:
    return proteger_par_personne(df, departement=secret.departement_exempte(perimetre))


def sortie(df: pd.DataFrame, perimetre) -> secret.Protege:
    return proteger_sortie(df, departement=secret.departement_exempte(perimetre))


def chiffres_cles(prev: secret.Protege, personnes: secret.Protege) -> list[dict]:
    """Les deux cartes (arguments de ui.chiffre_cle) : le frein le plus fréquent et la part avec au moins un frein."""
    premier = frein_le_plus_frequent(prev)
    au_moins_un = part_au_moins_un(personnes)
    return [
        {
            "label": "Frein le plus fréquent",
            "valeur": f"{premier[0]} ({formats.pourcentage(premier[1])})" if premier else MASQUE,
            "aide": "Parmi les parts diffusées, la plus élevée ; sur les personnes suivies dont la réponse est connue.",
        },
        {
            "label": "Personnes avec au moins un frein",
            "valeur": MASQUE if au_moins_un is None else formats.pourcentage(au_moins_un),
            "aide": "Parmi les personnes suivies qui ont au moins une réponse connue.",
        },
    ]


def graphique_prevalence(series: list[tuple[str, secret.Protege]]) -> Graphique:
    """Le territoire (première série) et, sous le département, le département en référence."""
    territoire, prev = series[0]
    return Graphique(
        figure_prevalence(series),
        table_prevalence(series),
        resume_prevalence(prev, territoire),
        masque=any(p.a_masque for _, p in series),
    )


def graphique_carte(par_groupe: pd.DataFrame, regroupement: str, prev: secret.Protege) -> Graphique:
    """La carte par ALI ou par commune (publiée, jamais exemptée), lue sur le frein le plus fréquent du territoire
    (le premier des freins si aucune part n'y est diffusée)."""
    prot = proteger_prevalence(par_groupe, departement=False)
    table = _table_prevalence(prot, [nom_groupe(g, regroupement) for g in prot.donnees["groupe"]])
    premier = frein_le_plus_frequent(prev)
    frein_tete = premier[0] if premier else next(iter(LIBELLES.values()))
    return Graphique(
        carte_prevalence(prot, regroupement), table, resume_carte(prot, regroupement, frein_tete), prot.a_masque
    )


def graphique_par_personne(prot: secret.Protege) -> Graphique:
    return Graphique(
        figure_par_personne(prot),
        table_par_personne(prot),
        resume_par_personne(prot),
        prot.a_masque,
        vide=not len(prot.donnees),
    )


def graphique_sortie(prot: secret.Protege) -> Graphique:
    return Graphique(
        figure_sortie(prot), table_sortie(prot), resume_sortie(prot), prot.a_masque, vide=not len(prot.donnees)
    )
