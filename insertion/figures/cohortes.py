"""Cohortes d'orientation, niveaux de diagnostic, groupes de sortie et parcours : la logique des vues
« Diagnostics » et « Sorties vers l'emploi ».

Les requêtes (queries/taux_diagnostic_cohortes.sql, niveaux_diagnostic.sql, taux_sortie_emploi_cohortes.sql,
parcours_cohorte.sql) calculent ; ce module met en forme (libellés, grilles ALI × cohorte, étapes du
parcours) et applique le secret statistique, toujours par `secret.proteger`. Il n'ajoute qu'une règle de
cohérence : une valeur tirée d'une case masquée (une part, la somme d'un groupe de motifs) est masquée
à son tour, pour qu'aucune case masquée ne se déduise d'un autre chiffre affiché.

Ce qui ne sert qu'à une des deux vues (figures propres, ordre des motifs, part des sorties en emploi) est dans
insertion.figures.sorties et insertion.figures.diagnostics, qui assemblent aussi leurs graphiques
(insertion.figures.graphique.Graphique).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from insertion import contrat, formats
from insertion.figures import charts
from insertion.figures import tableau as tb
from insertion.indicators import DEPARTEMENT, libelles
from insertion.indicators.filters import Filtres
from insertion.protect import secret
from insertion.store.requetes import Perimetre, Periode

DIAGNOSTICS = contrat.DIAGNOSTICS
PAS = {"mois": "Mois", "trimestre": "Trimestre"}
PERIODE = "periode"  # pas « toute la période » des requêtes de cohortes
TAUX_MASQUE = secret.LIBELLE_MASQUE  # « secret », comme toute case masquée

GROUPES_SORTIE = libelles.GROUPES_SORTIE
COULEURS_GROUPES = {
    "emploi_durable": charts.PALETTE[2],  # vert bleuté
    "emploi_transition": charts.PALETTE[4],  # bleu ciel
    "formation": charts.PALETTE[1],  # orangé
    "autres": "#888888",
}

# Étapes du parcours d'une cohorte : colonne de parcours_cohorte.sql → libellé.
ETAPES_PARCOURS = {
    "orientes": "Orientés",
    "diag_numerique_90j": "Diagnostic numérique à 90 jours",
    "diag_linguistique_90j": "Diagnostic linguistique à 90 jours",
    "sortis_12m": "Sortis dans les 12 mois",
    "sortis_emploi_12m": "Sortis en emploi",
    "sortis_emploi_durable_12m": "Sortis en emploi durable",
}

# Définitions propres à ces vues (affichées dans « Méthode »), en plus de insertion.indicators.definitions.


# --- Paramètres et libellés --------------------------------------------------------------------------


def parametres(periode: Periode, perimetre: Perimetre, **extra) -> dict:
    """Les paramètres d'une requête d'épisodes : période (as_of, debut, fin), périmètre, puis extra."""
    return {**periode.parametres(), **perimetre.parametres(), **extra}


def perimetre_departement(perimetre: Perimetre) -> Perimetre:
    """La référence « département » d'un périmètre : sans filtre de territoire, mêmes filtres de profil."""
    return Perimetre(parcours=perimetre.parcours, ages=perimetre.ages, sexes=perimetre.sexes)


def libelle_groupe(code: str, court: bool = False) -> str:
    """« ALI14 » → « ALI14 · Clichy-sous-Bois – Montfermeil – Coubron » (court : « ALI14 · Clichy-sous-Bois »)."""
    if code == DEPARTEMENT:
        return DEPARTEMENT
    nom = libelles.ali().get(code, code)
    return nom.split(" – ")[0] if court else nom


def libelle_cohorte(valeur: date | pd.Timestamp, pas: str) -> str:
    """Le nom d'une cohorte : « mars 2024 », « T1 2024 »."""
    jour = pd.Timestamp(valeur).date()
    if pas == "trimestre":
        return f"T{(jour.month - 1) // 3 + 1} {jour.year}"
    return formats.mois(jour)


def valeur(donnees: pd.DataFrame, colonne: str, ligne: int = 0) -> float | None:
    """Une valeur protégée (None si masquée ou absente), pour les écarts et les repères."""
    if ligne >= len(donnees):
        return None
    v = donnees[colonne].iloc[ligne]
    return None if pd.isna(v) else float(v)


def serie(donnees: pd.DataFrame, colonne: str, facteur: float = 1.0) -> list[float]:
    """Les valeurs non masquées d'une colonne, dans l'ordre : la courbe d'une carte KPI."""
    return [float(v) * facteur for v in donnees[colonne] if not pd.isna(v)]


# --- Secret statistique ------------------------------------------------------------------------------


def ou_masque(prot: secret.Protege, colonne: str, masque: pd.Series) -> None:
    """Masque en plus les cases de `colonne` là où `masque` est vrai (valeur tirée d'une case masquée)."""
    masque = pd.Series(masque, index=prot.donnees.index).fillna(False).astype(bool)
    courant = prot.masque[colonne] if colonne in prot.masque else pd.Series(False, index=prot.donnees.index)
    prot.masque[colonne] = courant | masque
    prot.donnees[colonne] = prot.donnees[colonne].astype("float64").where(~prot.masque[colonne])


def proteger_parts(
    df: pd.DataFrame,
    *,
    effectif: str,
    part: str,
    total: str,
    ventilation: list[str] | None,
    departement: bool | pd.Series,
    autres_effectifs: Iterable[str] = (),
) -> secret.Protege:
    """Des effectifs et leur part d'un total : secret.proteger (effectifs, taux part/total), puis la part
    d'un effectif masqué est masquée aussi (part × total redonnerait l'effectif)."""
    prot = secret.proteger(
        df,
        effectifs=[effectif, *autres_effectifs],
        taux={part: total},
        numerateurs={part: effectif},
        ventilation=ventilation,
        departement=departement,
    )
    # Une case masquée en amont (NaN, couche de publication) le reste, même au département exempté : la
    # règle de ventilation de `secret.proteger` n'y porte que sur les lignes sous le département.
    for colonne in (effectif, *autres_effectifs):
        ou_masque(prot, colonne, pd.to_numeric(df[colonne], errors="coerce").isna().reset_index(drop=True))
    ou_masque(prot, part, prot.masque[effectif])
    return prot


# --- Tables par territoire et par cohorte --------------------------------------------------------------


def empiler(departement: pd.DataFrame, territoires: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """La ligne (ou les lignes) du département au-dessus de celles des territoires, et le booléen
    « niveau département » ligne à ligne (les lignes du département ne sont exemptées du secret que si
    `proteger_territoires` le dit)."""
    df = pd.concat([departement, territoires], ignore_index=True)
    niveau = pd.Series([True] * len(departement) + [False] * len(territoires), index=df.index)
    return df, niveau


def proteger_territoires(
    table: pd.DataFrame,
    niveau: pd.Series,
    proteger: Callable[[pd.DataFrame, pd.Series], secret.Protege],
    natures: dict[str, tb.Nature],
    pas: str | None = None,
    *,
    exempte: bool,
) -> tuple[secret.Protege, pd.DataFrame]:
    """Une table empilée par `empiler`, protégée par `proteger`, et son affichage : le nom long de chaque
    territoire en tête (« territoire »), et avec `pas` le nom de sa cohorte (« cohorte_libelle »).
    exempte : `secret.departement_exempte` du périmètre des lignes du département ; faux dès qu'elles
    portent un filtre (de profil), et elles sont alors protégées comme les autres."""
    prot = proteger(table, niveau & bool(exempte))
    aff = prot.affichage(tb.ecrivains(natures))
    aff.insert(0, "territoire", [libelle_groupe(g) for g in prot.donnees["groupe"]])
    if pas is not None:
        aff["cohorte_libelle"] = [libelle_cohorte(c, pas) for c in prot.donnees["cohorte"]]
    return prot, aff


def nature_cohorte(pas: str | None) -> tb.Nature:
    """Une cohorte d'orientation : un mois (« juin 2023 ») ou un trimestre (« T2 2023 »)."""
    return tb.trimestre() if pas == "trimestre" else tb.mois()


def tableau_territoires(
    prot: secret.Protege,
    natures: dict[str, tb.Nature],
    colonnes: dict[str, str],
    *,
    pas: str | None = None,
    territoires: list[str] | None = None,
) -> tb.Tableau:
    """Le tableau d'une table protégée par `proteger_territoires`, des nombres publiés : `colonnes` (colonne →
    en-tête) dans leur ordre ; « territoire » : le nom long de chaque ligne (ou `territoires`) ;
    « cohorte_libelle » : la cohorte (mois ou trimestre, selon `pas`) ; une colonne de `natures` sort de
    `prot` avec « secret » dans ses cases masquées ; les autres (libellés) telles quelles."""
    d = prot.donnees
    valeurs: dict[str, list] = {}
    natures_tableau: dict[str, tb.Nature] = {}
    for colonne, libelle in colonnes.items():
        if colonne == "territoire":
            valeurs[libelle] = territoires if territoires is not None else [libelle_groupe(g) for g in d["groupe"]]
        elif colonne == "cohorte_libelle":
            valeurs[libelle] = list(d["cohorte"])
            natures_tableau[libelle] = nature_cohorte(pas)
        elif colonne in natures:
            valeurs[libelle] = tb.publie(prot, colonne).to_list()
            natures_tableau[libelle] = natures[colonne]
        else:
            valeurs[libelle] = list(d[colonne])
    return tb.Tableau(pd.DataFrame(valeurs, dtype=object), natures_tableau)


def cohortes_completes(df: pd.DataFrame) -> pd.DataFrame:
    """Les cohortes dont tous les épisodes ont le recul voulu (90 jours ou 12 mois) à la date d'observation."""
    return df[df["recul_complet"].astype(bool)].reset_index(drop=True)


def grille(donnees: pd.DataFrame, colonne: str, lignes: list[str]) -> pd.DataFrame:
    """Tableau groupe × cohorte d'une colonne (NaN : case masquée ou sans orientation) ; les lignes dans
    l'ordre de `lignes` (celles sans aucune donnée sont omises), les cohortes dans l'ordre du temps, toutes
    les cohortes présentes pour au moins un groupe."""
    if donnees.empty:
        return pd.DataFrame()
    table = donnees.pivot(index="groupe", columns="cohorte", values=colonne)
    table = table.reindex(columns=sorted(table.columns))
    presentes = [g for g in lignes if g in table.index]
    return table.reindex(presentes)


# --- Groupes de sortie (vue Sorties et note d'une page) ------------------------------------------------


def groupe_sortie(motifs: pd.DataFrame) -> pd.Series:
    """Le groupe de chaque motif, d'après ses indicateurs de ref_motifs_sortie."""
    colonnes = (motifs[c].astype(bool) for c in ("emploi_durable", "sortie_emploi", "sortie_dynamique"))
    groupes = [libelles.groupe_sortie(*drapeaux) for drapeaux in zip(*colonnes, strict=True)]
    return pd.Series(groupes, index=motifs.index)


def _niveau(df: pd.DataFrame, departement: bool | pd.Series) -> pd.Series:
    """Le booléen « niveau département » ligne à ligne, sur un index 0..n-1."""
    if isinstance(departement, bool):
        return pd.Series(departement, index=range(len(df)))
    return pd.Series(departement).reset_index(drop=True).astype(bool)


def somme_publiee(valeurs: pd.Series) -> float:
    """La somme de cases publiées : masquée (NaN) dès qu'une case l'est. Compter une case masquée pour 0
    publierait un total faux, et un total nul là où tout est masqué."""
    return float(valeurs.sum(min_count=len(valeurs))) if len(valeurs) else 0.0


def sorties_par_groupe(motifs: pd.DataFrame, departement: bool | pd.Series = False) -> secret.Protege:
    """Sorties par territoire (`groupe`) et par groupe de sortie (emploi durable, transition, formation,
    autres), avec le total du territoire et la part de chaque groupe.

    `motifs` : de préférence queries/sorties_par_groupe.sql (colonne groupe_sortie : chaque groupe est une case
    publiée à part, avec son bruit) ; sinon sorties_par_motif.sql, dont les motifs sont sommés par groupe (une
    somme masquée dès qu'un motif l'est). Le total du territoire est la somme de ses groupes publiés. Effectifs
    masqués de 1 à seuil − 1 hors exemption ; la part d'un effectif masqué est masquée, et toutes quand le
    total est inférieur au seuil. Les territoires gardent leur ordre d'arrivée."""
    niveau = _niveau(motifs, departement)
    brut = motifs.reset_index(drop=True).assign(_departement=niveau)
    if "groupe_sortie" not in brut.columns:
        brut["groupe_sortie"] = groupe_sortie(motifs).to_numpy() if len(motifs) else []
    colonnes = ["groupe", "groupe_sortie"]
    # Une somme qui touche une case masquée (NaN, couche de publication) est inconnue : NaN, jamais la somme
    # des seules cases visibles (un groupe dont tous les motifs sont masqués vaudrait 0).
    table = (
        brut.groupby(colonnes, sort=False)
        .agg(sorties=("sorties", somme_publiee), _departement=("_departement", "all"))
        .reset_index()
    )
    table["total"] = table.groupby("groupe")["sorties"].transform(somme_publiee)
    table["part"] = table["sorties"] / table["total"]
    table["libelle"] = table["groupe_sortie"].map(GROUPES_SORTIE)
    rang = table["groupe_sortie"].map({g: i for i, g in enumerate(GROUPES_SORTIE)})
    ordre = table.groupby("groupe", sort=False).ngroup()
    table = table.assign(_ordre=ordre, _rang=rang).sort_values(["_ordre", "_rang"], kind="stable")
    table = table.drop(columns=["_ordre", "_rang"]).reset_index(drop=True)
    niveau_table = table.pop("_departement").astype(bool)
    return proteger_parts(
        table,
        effectif="sorties",
        part="part",
        total="total",
        ventilation=["groupe"],
        departement=niveau_table,
        autres_effectifs=["total"],
    )


def proteger_motifs(motifs: pd.DataFrame, departement: bool | pd.Series = False) -> secret.Protege:
    """Sorties par territoire (`groupe`) et par motif, protégées de façon cohérente avec `sorties_par_groupe`
    (qui peut être montré à côté) : les motifs d'un groupe de sortie forment une ventilation de la somme du
    groupe (masquage secondaire dans le groupe), et tous les motifs d'un groupe masqué sont masqués (sinon
    leur somme redonnerait le groupe, puis, par le total, l'autre groupe masqué).
    Ajoute la colonne groupe_sortie."""
    niveau = _niveau(motifs, departement)
    table = motifs.reset_index(drop=True)
    table = table.assign(groupe_sortie=groupe_sortie(table).to_numpy() if len(table) else [])
    # Motifs et groupes sont des cases publiées chacune avec son bruit (insertion/protect) : la somme des
    # motifs publiés ne redonne pas un groupe, il n'y a plus de masquage à propager de l'un à l'autre.
    return secret.proteger(table, effectifs=["sorties"], departement=niveau)


def texte(table: pd.DataFrame, colonne: str) -> str:
    """La première valeur affichable d'une colonne (carte KPI), « – » si la table est vide."""
    return str(table[colonne].iloc[0]) if len(table) else formats.SANS_OBJET


# --- Figures -----------------------------------------------------------------------------------------
# Les couleurs viennent du gabarit enregistré (charts.GABARIT) ; les textes de survol sont déjà au format
# français (ils viennent de Protege.affichage), si bien qu'une case masquée se lit « secret ».

COULEUR_BARRE = charts.PALETTE[0]
COULEUR_REFERENCE = charts.PALETTE[7]
GRIS_NIVEAUX = {"non_evalue": "#BBBBBB", "non_renseigne": "#DDDDDD"}


def hachure_niveau(niveau: str) -> str:
    """Les niveaux hors échelle (non évalué, non renseigné) sont hachurés : le gris de Cividis ne s'y confond pas."""
    return "/" if niveau in GRIS_NIVEAUX else ""


def hauteur(lignes: int, par_ligne: int = 30, marge: int = 140) -> int:
    """Une hauteur lisible au vidéoprojecteur : ~30 px par barre ou par ligne de carte de chaleur."""
    return max(300, marge + par_ligne * lignes)


def annoter_masques(fig: go.Figure, noms: list[str], textes: list[str | None], vertical: bool = False) -> None:
    """Écrit « secret » au pied des barres masquées (une barre absente ne dit rien d'elle-même) ;
    textes : None pour une barre affichée ; vertical : barres verticales (noms en abscisse)."""
    for nom, texte in zip(noms, textes, strict=True):
        if not texte:
            continue
        position = {"x": nom, "y": 0, "yanchor": "bottom", "yshift": 4} if vertical else {
            "x": 0, "y": nom, "xanchor": "left", "xshift": 4
        }  # fmt: skip
        fig.add_annotation(text=texte, showarrow=False, font={"color": "#555555"}, **position)


def texte_barre(valeur: float | None, pourcentage: bool) -> str:
    """Le texte d'une barre de taux ou de délai (barres par ALI des deux vues) ; « » pour une valeur masquée."""
    if valeur is None:
        return ""
    if pourcentage:
        return formats.pourcentage(valeur)
    return formats.decimal(valeur, 0 if float(valeur).is_integer() else 1)


def carte_chaleur(
    z: pd.DataFrame,
    survols: pd.DataFrame,
    noms: list[str],
    *,
    titre_echelle: str,
    pourcentage: bool,
    separation: bool = True,
) -> go.Figure:
    """Carte de chaleur territoire × cohorte (Cividis) ; une case masquée ou vide reste blanche.
    z et survols : même index (lignes) et mêmes colonnes (dates de cohorte)."""
    valeurs = z.to_numpy(dtype="float64") * (100 if pourcentage else 1)
    textes = survols.reindex(index=z.index, columns=z.columns).fillna("").to_numpy()
    fig = go.Figure(
        go.Heatmap(
            z=valeurs,
            x=[pd.Timestamp(c) for c in z.columns],
            y=noms,
            colorscale=charts.ECHELLE_CONTINUE,
            customdata=textes,
            hovertemplate="%{customdata}<extra></extra>",
            hoverongaps=False,
            xgap=1,
            ygap=1,
            colorbar={"title": {"text": titre_echelle}, "ticksuffix": "\u202f%" if pourcentage else ""},
        )
    )
    if separation and len(noms) > 1:
        fig.add_hline(y=0.5, line_color="white", line_width=4)
    fig.update_layout(
        height=hauteur(len(noms), 28, 150),
        yaxis={"autorange": "reversed", "title": None, "type": "category"},
        xaxis={"title": None, "type": "date", "tickformat": "%b %Y"},
        plot_bgcolor="white",
    )
    return fig


def carte_territoires(
    prot: secret.Protege, colonne: str, survols: list[str], *, titre_echelle: str, pourcentage: bool
) -> go.Figure:
    """La carte de chaleur territoire × cohorte d'une colonne d'une table protégée par `proteger_territoires` :
    le département en première ligne, puis les territoires dans l'ordre de leur code ; survols : un texte
    par ligne de la table."""
    donnees = prot.donnees.assign(survol=survols)
    z = grille(donnees, colonne, [DEPARTEMENT] + sorted(set(donnees["groupe"]) - {DEPARTEMENT}))
    return carte_chaleur(
        z,
        donnees.pivot(index="groupe", columns="cohorte", values="survol"),
        [libelle_groupe(g, court=True) for g in z.index],
        titre_echelle=titre_echelle,
        pourcentage=pourcentage,
    )


def parts_par_territoire(
    departement: pd.DataFrame,
    territoires: pd.DataFrame,
    proteger: Callable[[pd.DataFrame, pd.Series], secret.Protege],
    natures: dict[str, tb.Nature],
    *,
    categorie: str,
    categories: dict[str, str],
    couleurs: dict[str, str],
    effectif: str,
    titre: str,
    colonnes: dict[str, str],
    hachures: bool = False,
    exempte: bool,
) -> tuple[go.Figure, tb.Tableau, bool]:
    """La part de chaque catégorie (niveau constaté, groupe de sortie) dans le département puis dans chaque
    territoire, en barres horizontales empilées ; une trace par catégorie présente, dans l'ordre de
    `categories` (code → libellé). Les lignes (groupe, catégorie, effectif, part) sont protégées par
    `proteger` ; le survol donne la part et l'effectif (colonne `effectif`) tels qu'affichés. hachures : les
    niveaux hors échelle sont hachurés (`hachure_niveau`).
    Rend la figure, le tableau à montrer (colonnes → en-têtes, « territoire » compris) et s'il a une case
    masquée."""
    prot, aff = proteger_territoires(*empiler(departement, territoires), proteger, natures, exempte=exempte)
    d = prot.donnees
    ordre = list(dict.fromkeys(d["groupe"]))
    noms = {g: libelle_groupe(g, court=True) for g in ordre}
    fig = go.Figure()
    for code, nom in categories.items():
        lignes = (d[categorie] == code).to_numpy()
        if not lignes.any():
            continue
        fig.add_trace(
            go.Bar(
                y=[noms[g] for g in d["groupe"][lignes]],
                x=list(d["part"][lignes]),
                name=nom,
                orientation="h",
                marker_color=couleurs[code],
                marker_pattern_shape=hachure_niveau(code) if hachures else None,
                customdata=list(
                    zip(aff["territoire"][lignes], aff["part"][lignes], aff[effectif][lignes], strict=True)
                ),
                hovertemplate="<b>%{customdata[0]}</b><br>" + nom + " : %{customdata[1]} (%{customdata[2]})"
                "<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="stack",
        title=titre,
        height=hauteur(len(ordre)),
        yaxis={
            "autorange": "reversed",
            "title": None,
            "categoryorder": "array",
            "categoryarray": list(noms.values()),
        },
        xaxis={"tickformat": ".0%", "title": None, "range": [0, 1]},
        legend={"traceorder": "normal"},
    )
    return fig, tableau_territoires(prot, natures, colonnes), prot.a_masque


# --- Ce que les deux vues partagent ------------------------------------------------------------------


class VueCohortes:
    """Ce que les vues Diagnostics et Sorties vers l'emploi partagent : les filtres, les deux façons de lire
    (requete : `ctx.requete`, sql : `ctx.sql`, en cache dans la page) et le périmètre de référence."""

    def __init__(self, filtres: Filtres, requete: Callable[..., pd.DataFrame], sql: Callable[..., pd.DataFrame]):
        self.f = filtres
        self.requete = requete
        self.sql = sql
        # Exemptés du secret : le département sans AUCUN filtre (ni territoire, ni profil), et lui seul.
        self.au_departement = secret.departement_exempte(filtres.perimetre)
        self.reference = perimetre_departement(filtres.perimetre)
        self.reference_exempte = secret.departement_exempte(self.reference)
