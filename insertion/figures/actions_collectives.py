"""Mise en forme de la vue « Actions collectives » (pages/actions_collectives.py) : secret, libellés, tableaux,
graphiques et phrases, sans Streamlit (la page ne fait que les poser).

Les requêtes arrivent publiées (insertion.protect : effectifs bruités, masqués sous le seuil, NaN) ; ici, on marque
ces cases « secret », on applique la règle du total (une seule case masquée dans une ventilation en entraîne une
autre) et on masque avec son effectif un rapport qui le redonnerait (taux de remplissage × places, rendez-vous par
séance × séances). Séances et places ne sont pas des personnes : elles ne sont jamais masquées.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from insertion import contrat, formats
from insertion.figures import charts, resumes
from insertion.figures import tableau as tb
from insertion.figures.graphique import Graphique
from insertion.indicators import libelles
from insertion.protect import secret

EFFECTIFS = ("participants", "participants_places", "rendez_vous_pris", "personnes_remobilisees")
# Rapport → l'effectif publié sur lequel il est calculé.
RAPPORTS = {"taux_remplissage": "participants_places", "rendez_vous_par_seance": "rendez_vous_pris"}
TYPES = contrat.TYPES_ACTION
COULEURS_TYPES = {t: charts.PALETTE[i % len(charts.PALETTE)] for i, t in enumerate(TYPES)}
COLONNES = {
    "seances": "Séances",
    "places": "Places (séances où elles sont connues)",
    "participants": "Participants",
    "taux_remplissage": "Taux de remplissage",
    "rendez_vous_pris": "Rendez-vous pris",
    "rendez_vous_par_seance": "Rendez-vous par séance",
    "personnes_remobilisees": "Personnes remobilisées",
}
TOUTES = ["seances", "places", "participants", "taux_remplissage", "rendez_vous_pris", "rendez_vous_par_seance",
          "personnes_remobilisees"]  # fmt: skip
CARTES = [
    ("seances", "Séances", "Séances datées dans la période ; courbe : séances par mois."),
    ("participants", "Participants", "Participants déclarés par séance, additionnés : une personne venue à deux "
     "séances compte deux fois ; courbe : participants par mois."),
    ("taux_remplissage", "Taux de remplissage", "Participants / places, sur les seules séances dont le nombre de "
     "places est connu ; courbe : taux par mois."),
    ("rendez_vous_par_seance", "Rendez-vous par séance", "Rendez-vous pris pendant les séances / séances (un nombre "
     "de rendez-vous non renseigné compte 0) ; courbe : par mois."),
    ("personnes_remobilisees", "Personnes remobilisées", "Personnes qui avaient abandonné leurs droits ou leur "
     "recherche et reprennent contact pendant une séance ; courbe : par mois."),
]  # fmt: skip
NOTE_ATELIERS = (
    "Parmi les épisodes dont le diagnostic numérique, de niveau « débutant », est daté dans la période et au plus "
    "tard 60 jours avant la date d'observation : la part dont la personne est venue à un atelier numérique dans les "
    "60 jours qui suivent. Le filtre du type d'action ne s'y applique pas ; tous les filtres de la barre latérale, "
    "si. Les participations ne sont connues que des structures qui envoient ce fichier (facultatif) : une ALI sans "
    "fichier de participations a une part nulle ou couverte par le secret, faute de données."
)
VIDE_QUARTIERS = (
    "Aucune séance à quartier renseigné pour ces filtres : élargissez la période, le territoire ou les types "
    "d'action (les journées d'aller-vers des réseaux locaux portent un quartier)."
)
VIDE_ATELIERS = (
    "Aucun épisode diagnostiqué débutant en numérique dans la période et au moins 60 jours avant la date "
    "d'observation : élargissez la période ou le territoire, ou retirez un filtre de profil."
)
SANS_ALI = "Sans ALI (réseau local)"
SANS_QUARTIER = "Quartier non renseigné"


def _nombre(v: object) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


FORMATS = {
    "seances": lambda v: formats.entier(_nombre(v)),
    "places": lambda v: formats.entier(_nombre(v)),
    "participants": lambda v: formats.entier(_nombre(v)),
    "participants_places": lambda v: formats.entier(_nombre(v)),
    "rendez_vous_pris": lambda v: formats.entier(_nombre(v)),
    "personnes_remobilisees": lambda v: formats.entier(_nombre(v)),
    "taux_remplissage": lambda v: formats.pourcentage(_nombre(v)),
    "rendez_vous_par_seance": lambda v: formats.decimal(_nombre(v), 1),
}


# La nature de chaque colonne dans un tableau de la vue (tb.Tableau) : effectifs entiers, remplissage en %,
# rendez-vous par séance à une décimale, comme FORMATS les écrit.
NATURES = {
    "seances": tb.entier(),
    "places": tb.entier(),
    "participants": tb.entier(),
    "participants_places": tb.entier(),
    "rendez_vous_pris": tb.entier(),
    "personnes_remobilisees": tb.entier(),
    "taux_remplissage": tb.pourcentage(),
    "rendez_vous_par_seance": tb.decimal(1),
}


@dataclass
class Tableau:
    """Les valeurs publiées (NaN là où c'est masqué), le masque par colonne et les textes à l'écran."""

    donnees: pd.DataFrame
    masque: pd.DataFrame
    affiche: pd.DataFrame

    @property
    def a_masque(self) -> bool:
        return bool(self.masque.to_numpy().any()) if not self.masque.empty else False

    def valeur(self, colonne: str, i: int = 0) -> float | None:
        return None if self.donnees.empty else _nombre(self.donnees[colonne].iloc[i])

    def texte(self, colonne: str, i: int = 0) -> str:
        return formats.SANS_OBJET if self.affiche.empty else str(self.affiche[colonne].iloc[i])

    def publie(self, colonne: str) -> list[object]:
        """La colonne telle qu'elle est publiée : « secret » dans une case masquée (jamais la valeur), None pour une
        case sans objet, sinon le nombre."""
        caches = self.masque[colonne] if colonne in self.masque else pd.Series(False, index=self.donnees.index)
        return [secret.LIBELLE_MASQUE if m else _nombre(v) for v, m in zip(self.donnees[colonne], caches, strict=True)]


def proteger(df: pd.DataFrame, *, ventilation: list[str] | None = None) -> Tableau:
    """Le secret d'un résultat publié de queries/actions_collectives.sql. ventilation : colonnes qui identifient
    une ventilation dont le total est montré ([] : tout le tableau ; None : pas de règle du total)."""
    df = df.reset_index(drop=True).copy()
    # Zéros de structure, publics : sans places connues, pas de participants « à places » ; sans rendez-vous ni
    # personnes remobilisées renseignés, une somme nulle. Ce sont des cases sans objet (« – »), pas des petits
    # effectifs : la couche les a masquées comme tout zéro, elles ne doivent pas déclencher la règle du total.
    sans_objet = {
        "participants_places": pd.to_numeric(df["places"], errors="coerce").isna(),
        "rendez_vous_pris": pd.to_numeric(df["seances_rendez_vous"], errors="coerce").fillna(0) == 0,
        "personnes_remobilisees": pd.to_numeric(df["seances_remobilisees"], errors="coerce").fillna(0) == 0,
    }
    for colonne, vide in sans_objet.items():
        df[colonne] = pd.to_numeric(df[colonne], errors="coerce").where(~vide, 0)
    prot = secret.proteger(df, effectifs=list(EFFECTIFS), ventilation=ventilation, departement=False)
    donnees, masque = prot.donnees, prot.masque.copy()
    for colonne, vide in sans_objet.items():
        donnees[colonne] = donnees[colonne].where(~vide)
    donnees["rendez_vous_par_seance"] = pd.to_numeric(donnees["rendez_vous_par_seance"], errors="coerce").where(
        ~sans_objet["rendez_vous_pris"]
    )
    for rapport, effectif in RAPPORTS.items():
        grandeur = pd.to_numeric(df["places" if rapport == "taux_remplissage" else "seances"], errors="coerce")
        # Masqué avec son effectif (un rapport exact × la grandeur publique le redonnerait) ; sans objet sans places.
        masque[rapport] = masque[effectif] & (grandeur.fillna(0) > 0)
        donnees[rapport] = pd.to_numeric(donnees[rapport], errors="coerce").where(~masque[effectif])
    affiche = donnees.copy()
    for colonne, ecrire in FORMATS.items():
        if colonne in affiche:
            caches = masque[colonne] if colonne in masque else pd.Series(False, index=affiche.index)
            affiche[colonne] = [
                secret.LIBELLE_MASQUE if m else ecrire(v) for v, m in zip(donnees[colonne], caches, strict=True)
            ]
    return Tableau(donnees, masque, affiche)


def serie(t: Tableau, colonne: str) -> list[float]:
    """La courbe d'une carte : les valeurs diffusées de chaque mois (un mois masqué n'y figure pas)."""
    return [float(v) for v in pd.to_numeric(t.donnees[colonne], errors="coerce").dropna()]


def note_filtres(filtres) -> str:
    """La légende des filtres : la période des séances, et les filtres de profil qui ne s'y appliquent pas."""
    texte = (
        f"Séances datées du {formats.date_longue(filtres.periode.debut)} au {formats.date_longue(filtres.as_of)}, "
        "telles que les structures organisatrices les déclarent ; le filtre ALI retient les séances menées par ces ALI."
    )
    p = filtres.perimetre
    profils = [n for n, v in (("type de parcours", p.parcours), ("tranche d'âge", p.ages), ("sexe", p.sexes)) if v]
    if not profils:
        return texte
    if len(profils) == 1:
        return texte + (
            f" Une séance ne dit pas qui y est venu : le filtre {profils[0]} ne s'applique pas aux séances (il "
            "s'applique aux débutants en numérique, plus bas)."
        )
    noms = ", ".join(profils[:-1]) + " et " + profils[-1]
    return texte + (
        f" Une séance ne dit pas qui y est venu : les filtres {noms} ne s'appliquent pas aux séances (ils "
        "s'appliquent aux débutants en numérique, plus bas)."
    )


def message_vide(filtres, types: tuple[str, ...]) -> str:
    """Aucune séance pour ces filtres : ce qui manque et quoi changer."""
    quoi = " de ces types" if types else ""
    ou = " dans ce territoire" if filtres.perimetre.alis or filtres.perimetre.epts or filtres.perimetre.communes else ""
    conseils = ["élargissez la période" + (" ou le territoire" if ou else "")]
    if types:
        conseils.append("retirez un type d'action")
    conseils.append("vérifiez qu'un fichier d'actions collectives est chargé (page Importer)")
    return f"Aucune séance{quoi} sur cette période{ou} : " + ", ".join(conseils[:-1]) + " ou " + conseils[-1] + "."


# --------------------------------------------------------------------------- libellés


def libelle(groupe: str, code: object, code_commune: object = None) -> str:
    """Le nom d'un groupe de la requête : type d'action, commune, quartier (avec sa commune), ALI, structure."""
    vide = code is None or (not isinstance(code, str) and pd.isna(code))
    if groupe == "type_action":
        return TYPES.get(str(code), str(code))
    if groupe == "commune":
        return libelles.communes().get(str(code), str(code))
    if groupe == "quartier":
        commune = libelles.communes().get(str(code_commune), str(code_commune))
        return f"{SANS_QUARTIER} ({commune})" if vide else f"{code} ({commune})"
    if groupe == "ali":
        return SANS_ALI if vide else libelles.ali().get(str(code), str(code))
    return libelles.NON_RENSEIGNE if vide else str(code)


def libelles_de(df: pd.DataFrame, groupe: str) -> list[str]:
    return [libelle(groupe, g, c) for g, c in zip(df["groupe"], df["code_commune"], strict=True)]


def _tableau(t: Tableau, avant: dict[str, list[object]], colonnes: list[str]) -> tb.Tableau:
    """Des colonnes de libellés, puis les colonnes chiffrées choisies (valeurs publiées, « secret » si masquées)."""
    valeurs = pd.DataFrame({**avant, **{COLONNES[c]: t.publie(c) for c in colonnes}}, dtype=object)
    return tb.Tableau(valeurs, {COLONNES[c]: NATURES[c] for c in colonnes})


def table(t: Tableau, premiere: str, noms: list[str], colonnes: list[str]) -> tb.Tableau:
    """Le tableau lisible d'un graphique : une première colonne de libellés, puis les colonnes choisies."""
    return _tableau(t, {premiere: list(noms)}, colonnes)


def table_mois(t: Tableau) -> tb.Tableau:
    d = t.donnees
    out = _tableau(
        t,
        {"Mois": d["mois"].to_list(), "Type d'action": [TYPES.get(g, g) for g in d["groupe"]]},
        ["seances", "participants", "taux_remplissage", "rendez_vous_pris", "personnes_remobilisees"],
    )
    ordre = d.assign(_m=pd.to_datetime(d["mois"])).sort_values(["_m", "groupe"], kind="stable").index
    return tb.Tableau(out.valeurs.loc[ordre].reset_index(drop=True), {**out.natures, "Mois": tb.mois()})


def texte_atelier(affiche: pd.DataFrame, colonne: str) -> str:
    return formats.SANS_OBJET if affiche.empty else str(affiche[colonne].iloc[0])


def table_ateliers(noms: list[str], prot: secret.Protege) -> tb.Tableau:
    return tb.depuis_protege(
        prot,
        {
            "debutants": ("Débutants diagnostiqués (épisodes)", tb.entier()),
            "debutants_atelier": ("Venus à un atelier numérique dans les 60 jours", tb.entier()),
            "taux_atelier_60j": ("Part", tb.pourcentage()),
        },
        avant={"ALI": list(noms)},
    )


# --------------------------------------------------------------------------- graphiques


def par_mois(t: Tableau) -> go.Figure:
    """Séances (en haut) et participants (en bas) par mois, empilés par type d'action."""
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, subplot_titles=("Séances", "Participants")
    )
    d = t.donnees.assign(mois=pd.to_datetime(t.donnees["mois"]))
    for type_action, part in d.groupby("groupe", sort=False):
        nom, couleur = TYPES.get(type_action, type_action), COULEURS_TYPES.get(type_action, charts.PALETTE[-1])
        textes = t.affiche.loc[part.index]
        for rang, colonne in ((1, "seances"), (2, "participants")):
            fig.add_trace(
                go.Bar(
                    x=part["mois"],
                    y=part[colonne],
                    name=nom,
                    legendgroup=type_action,
                    showlegend=rang == 1,
                    marker_color=couleur,
                    customdata=textes[[colonne]],
                    hovertemplate=f"{nom}<br>%{{x|%B %Y}} : %{{customdata[0]}} {COLONNES[colonne].lower()}"
                    "<extra></extra>",
                ),
                row=rang,
                col=1,
            )
    fig.update_layout(barmode="stack", height=520, legend={"orientation": "h", "y": -0.12})
    fig.update_yaxes(tickformat=",.0f")
    return fig


def barres(noms: list[str], t: Tableau, colonnes: list[str], couleurs: list[str] | None = None) -> go.Figure:
    """Une barre horizontale par groupe, un panneau par colonne ; une case masquée se lit « secret » au pied de
    l'axe."""
    fig = make_subplots(
        rows=1, cols=len(colonnes), shared_yaxes=True, horizontal_spacing=0.05,
        subplot_titles=[COLONNES[c] for c in colonnes],
    )  # fmt: skip
    for i, colonne in enumerate(colonnes, start=1):
        valeurs = pd.to_numeric(t.donnees[colonne], errors="coerce")
        if colonne == "taux_remplissage":
            valeurs = valeurs * 100
        fig.add_trace(
            go.Bar(
                y=noms,
                x=valeurs.fillna(0),
                orientation="h",
                name=COLONNES[colonne],
                marker_color=(couleurs or [charts.PALETTE[(i - 1) % len(charts.PALETTE)]] * len(noms)),
                text=list(t.affiche[colonne]),
                textposition="outside",
                cliponaxis=False,
                customdata=t.affiche[[colonne]],
                hovertemplate="%{y}<br>" + COLONNES[colonne] + " : %{customdata[0]}<extra></extra>",
            ),
            row=1,
            col=i,
        )
        fig.update_xaxes(rangemode="tozero", tickformat=",.0f", row=1, col=i)
        if colonne == "taux_remplissage":
            fig.update_xaxes(ticksuffix="\u202f%", row=1, col=i)
    fig.update_layout(showlegend=False, height=max(320, 36 * len(noms) + 140), margin={"l": 20, "r": 50})
    fig.update_yaxes(automargin=True, autorange="reversed")
    return fig


def taux_ateliers(noms: list[str], t: secret.Protege, affiche: pd.DataFrame) -> go.Figure:
    """La part des débutants passés par un atelier numérique dans les 60 jours, une barre par territoire."""
    valeurs = pd.to_numeric(t.donnees["taux_atelier_60j"], errors="coerce") * 100
    fig = go.Figure(
        go.Bar(
            y=noms,
            x=valeurs.fillna(0),
            orientation="h",
            marker_color=charts.PALETTE[2],
            text=list(affiche["taux_atelier_60j"]),
            textposition="outside",
            cliponaxis=False,
            customdata=affiche[["taux_atelier_60j", "debutants", "debutants_atelier"]],
            hovertemplate="%{y}<br>Part : %{customdata[0]}<br>Débutants : %{customdata[1]}<br>"
            "dont venus à un atelier : %{customdata[2]}<extra></extra>",
        )
    )
    fig.update_layout(height=max(320, 30 * len(noms) + 120), margin={"l": 20, "r": 60}, xaxis_title="Part (%)")
    fig.update_xaxes(range=[0, 110], ticksuffix="\u202f%", tickformat=",.0f")
    fig.update_yaxes(automargin=True, autorange="reversed")
    return fig


def proteger_ateliers(df: pd.DataFrame) -> tuple[secret.Protege, pd.DataFrame]:
    prot = secret.proteger(
        df.reset_index(drop=True),
        effectifs=["debutants", "debutants_atelier"],
        taux={"taux_atelier_60j": "debutants"},
        numerateurs={"taux_atelier_60j": "debutants_atelier"},
        departement=False,
    )
    affiche = prot.affichage(
        {
            "debutants": lambda v: formats.entier(_nombre(v)),
            "debutants_atelier": lambda v: formats.entier(_nombre(v)),
            "taux_atelier_60j": lambda v: formats.pourcentage(_nombre(v)),
        }
    )
    return prot, affiche


# --------------------------------------------------------------------------- phrases


def resume_mois(t: Tableau) -> str:
    """Le mois le plus et le moins fréquenté (participants, tous types confondus de la page)."""
    return resumes.extremes(
        resumes.points([formats.mois(pd.Timestamp(m).date()) for m in t.donnees["mois"]], t.donnees["participants"],
                       t.masque["participants"]),
        mesure="Participants par mois",
        categorie="mois",
        plus="le plus élevé",
        moins="le plus faible",
    )  # fmt: skip


def resume_ateliers(noms: list[str], t: secret.Protege) -> str:
    return resumes.extremes(
        resumes.points(noms, t.donnees["taux_atelier_60j"], t.masque["taux_atelier_60j"]),
        mesure="Part des débutants en numérique venus à un atelier numérique dans les 60 jours",
        ecrire=formats.pourcentage,
    )


def resume_barres(noms: list[str], t: Tableau, colonne: str, categorie: str) -> str:
    return resumes.extremes(
        resumes.points(noms, t.donnees[colonne], t.masque[colonne] if colonne in t.masque else None),
        mesure=COLONNES[colonne],
        ecrire=FORMATS[colonne],
        categorie=categorie,
        plus="le plus élevé",
        moins="le plus faible",
    )


# --------------------------------------------------------------------------- ce que la page pose
# pages/actions_collectives.py ne fait que la mise en page : le secret de chaque ventilation, les cartes, les
# graphiques, leurs tableaux et leurs phrases se décident ici, à partir des résultats publiés des requêtes.

NOTE_QUARTIERS = (
    "Séances dont le quartier est renseigné, comme les journées d'aller-vers d'un réseau local (à Pantin, les "
    "« Jeudis de l'insertion » de juin 2023) : questions sur les dispositifs, rendez-vous pris, personnes qui "
    "avaient abandonné leurs droits ou leur recherche et reprennent contact."
)


def chiffres_cles(total: Tableau, mensuel: Tableau) -> list[dict]:
    """Les cinq cartes (arguments de ui.chiffre_cle) : la valeur de la période et la courbe par mois."""
    return [
        {"label": nom, "valeur": total.texte(colonne), "serie": serie(mensuel, colonne), "aide": aide}
        for colonne, nom, aide in CARTES
    ]


def graphique_mois(df: pd.DataFrame, mensuel: Tableau) -> Graphique:
    """Séances et participants par mois et par type ; chaque mois est une ventilation dont le total est montré.
    La phrase lit les participants par mois tous types confondus (`mensuel`)."""
    t = proteger(df, ventilation=["mois"])
    return Graphique(par_mois(t), table_mois(t), resume_mois(mensuel), t.a_masque)


def graphique_types(df: pd.DataFrame) -> Graphique:
    """Une barre par type d'action, de la couleur du type : séances, participants, remplissage, rendez-vous."""
    t = proteger(df, ventilation=[])
    noms = libelles_de(t.donnees, "type_action")
    colonnes = ["seances", "participants", "taux_remplissage", "rendez_vous_par_seance"]
    return Graphique(
        barres(noms, t, colonnes, [COULEURS_TYPES[g] for g in t.donnees["groupe"]]),
        table(t, "Type d'action", noms, TOUTES),
        resume_barres(noms, t, "participants", "type d'action"),
        t.a_masque,
    )


def graphique_communes(df: pd.DataFrame) -> Graphique:
    t = proteger(df, ventilation=[])
    noms = libelles_de(t.donnees, "commune")
    return Graphique(
        barres(noms, t, ["seances", "participants", "rendez_vous_pris"]),
        table(t, "Commune", noms, TOUTES),
        resume_barres(noms, t, "participants", "commune"),
        t.a_masque,
    )


def graphique_quartiers(df: pd.DataFrame) -> Graphique:
    """Les seules séances à quartier renseigné ; vide sans aucune (la page écrit alors VIDE_QUARTIERS)."""
    t = proteger(df[df["groupe"].notna()], ventilation=[])
    noms = libelles_de(t.donnees, "quartier")
    return Graphique(
        barres(noms, t, ["participants", "rendez_vous_pris", "personnes_remobilisees"]),
        table(t, "Quartier (commune)", noms, TOUTES),
        resume_barres(noms, t, "personnes_remobilisees", "quartier"),
        t.a_masque,
        vide=not len(t.donnees),
    )


def carte_ateliers(departement: pd.DataFrame) -> dict:
    """La carte (arguments de ui.chiffre_cle) des débutants passés par un atelier, sur le territoire filtré."""
    _, affiche = proteger_ateliers(departement)
    return {
        "label": "Débutants en atelier",
        "valeur": texte_atelier(affiche, "taux_atelier_60j"),
        "aide": f"Débutants passés par un atelier numérique dans les 60 jours suivant leur diagnostic, sur "
        f"{texte_atelier(affiche, 'debutants')} épisodes diagnostiqués débutants en numérique.",
    }


def graphique_ateliers(par_ali: pd.DataFrame) -> Graphique:
    """Une barre par ALI ; vide sans débutant diagnostiqué (la page écrit alors VIDE_ATELIERS)."""
    t, affiche = proteger_ateliers(par_ali)
    noms = libelles_de(t.donnees.assign(code_commune=None), "ali")
    return Graphique(
        taux_ateliers(noms, t, affiche),
        table_ateliers(noms, t),
        resume_ateliers(noms, t),
        t.a_masque,
        vide=not len(t.donnees),
    )
