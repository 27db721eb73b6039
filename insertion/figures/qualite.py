"""Mise en forme de la vue « Qualité des données » (pages/qualite.py), sans Streamlit ni SQL : tableaux en
français, graphiques plotly, phrases et textes de la page, complétude protégée.

Secret statistique (contrat §6) : la quarantaine ne contient aucune donnée personnelle (numéro de ligne,
colonne, motif, jamais de valeur) ; les comptes de lignes lues, acceptées ou rejetées décrivent des
fichiers, pas des personnes, et l'équipe doit pouvoir les rapprocher exactement de ses extractions. La
complétude, elle, compte des épisodes du périmètre filtré (âge, sexe, parcours…) par ALI : ses effectifs
et ses parts sont protégés comme ailleurs (`proteger_completude`), car « 2 sorties sur 2 renseignées »
sous trois filtres de profil dit combien de personnes sont sorties.

Ce module tient les définitions, libellés et textes de la page, l'historique des chargements, la fraîcheur des
extractions et les chiffres clés ; les lignes rejetées sont dans insertion/figures/qualite_rejets.py, la complétude
dans insertion/figures/qualite_completude.py.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from insertion import contrat, formats
from insertion.figures import charts
from insertion.figures import tableau as tb
from insertion.figures.tableau import Tableau
from insertion.indicators import libelles
from insertion.indicators.definitions import Definition
from insertion.indicators.filters import Filtres

# --- Définitions (montrées dans « Méthode ») -------------------------------------------------------

DEF_FRAICHEUR = Definition(
    "Fraîcheur des extractions",
    "Pour chaque ALI, la date de l'extraction dont viennent ses épisodes courants. Une ALI ouverte à la date de "
    "la plus récente extraction en place (toutes ALI confondues) est en retard quand son extraction est plus "
    "ancienne, ou quand aucune extraction n'a été chargée pour elle. La date d'observation par défaut d'un "
    "territoire est la plus ancienne des extractions de ses ALI (la dernière date que toutes ont fournie) : une "
    "ALI en retard retient donc celle du département.",
    "Sans objet (une date par ALI).",
    ("qualite_fraicheur",),
)
DEF_REJETS = Definition(
    "Lignes rejetées",
    "Lignes d'un fichier qui enfreignent une règle du contrat de données : elles sont mises en quarantaine avec "
    "leur numéro de ligne (l'en-tête est la ligne 1), la colonne et le motif, et le reste du fichier est chargé. "
    "Aucune valeur du fichier n'est conservée. Une ligne dont le code ALI est absent ou inconnu est comptée en "
    "« ALI inconnue ».",
    "Sans objet (nombre de lignes de fichiers, pas de personnes).",
    ("qualite_rejets", "qualite_quarantaine"),
)
DEF_COMPLETUDE = Definition(
    "Complétude des champs facultatifs",
    "Part des épisodes courants du périmètre, orientés pendant la période, dont le champ est renseigné, telle "
    "que l'extraction en place la donne. Pour le motif de sortie : part des sorties dont le motif est renseigné "
    "(une sortie sans motif est chargée en « non renseigné »). Une date de diagnostic vide n'est pas forcément "
    "une erreur : le diagnostic peut ne pas avoir encore eu lieu.",
    "Épisodes courants orientés pendant la période ; sorties pour le motif de sortie.",
    ("qualite_completude",),
)

# --- Libellés ---------------------------------------------------------------------------------------

STATUTS_CHARGEMENT = {
    "loaded": "Chargé",
    "already_loaded": "Déjà chargé : rien n'a changé",
    "older_snapshot": "Plus ancien que l'instantané en place : gardé dans l'historique",
    "refused": "Refusé",
    "to_confirm": "À confirmer : rien n'a été chargé",
}
# Les natures de fichier du contrat (file active, budget, fichiers du §7) et leur libellé.
NATURES = contrat.NATURES_FICHIER
STATUTS_FRAICHEUR = {
    "a_jour": "À jour",
    "en_retard": "En retard",
    "aucune": "En retard : aucune extraction",
    "non_ouverte": "Pas encore ouverte",
}


LIMITE_QUARANTAINE = 5000  # lignes de quarantaine montrées au plus (les plus récentes)


# --- Textes de la page ----------------------------------------------------------------------------------

INTRO = (
    "Page de l'équipe données : chargements et lignes rejetées décrivent des fichiers, pas des personnes, et ne "
    "sont pas masqués ; la complétude compte des épisodes du périmètre filtré et suit le secret statistique. "
    "La quarantaine ne conserve aucune valeur des fichiers."
)
NOTE_HISTORIQUE = (
    "Chaque fichier chargé, le plus récent d'abord. Les fichiers refusés et les rechargements à l'identique "
    "ne modifient pas la base et n'apparaissent donc pas ici : la page Importer les signale au moment de l'envoi."
)
HISTORIQUE_RESERVE = "L'historique des chargements est réservé aux administrateur·rice·s des données."
AUCUN_CHARGEMENT = "Aucun fichier n'a encore été chargé."
NOTE_FRAICHEUR = (
    "Une ALI ouverte est en retard quand son extraction en place est plus ancienne que la plus récente "
    "extraction chargée (toutes ALI confondues), ou qu'elle n'en a aucune : tant qu'elle n'a pas envoyé la "
    "sienne, les vues lisent le territoire à la date commune. Les filtres de territoire choisissent les ALI "
    "montrées ; ceux de profil (parcours, âge, sexe) ne concernent pas les fichiers."
)
AUCUNE_EXTRACTION = "Aucune extraction de file active en place : aucune ALI n'a encore de données."
AUCUNE_ALI = "Aucune ALI ne correspond au territoire choisi."
NOTE_QUARANTAINE = "**Quarantaine** — une ligne par ligne rejetée (numéro de ligne : l'en-tête est la ligne 1)."
COMPLETUDE_ATTENDUE = "Aucun épisode courant : la complétude sera calculée après le premier chargement réussi."
NOTE_COMPLETUDE = (
    "Part des épisodes courants orientés pendant la période dont le champ est renseigné (pour le motif de "
    "sortie : part des sorties). Une date de diagnostic vide peut simplement signifier que le diagnostic "
    "n'a pas encore eu lieu."
)


def parametres_territoire(filtres: Filtres) -> dict[str, list[str] | None]:
    """Les seuls filtres qui concernent des fichiers : ALI, EPT, commune (None = pas de filtre)."""
    p = filtres.perimetre.parametres()
    return {k: p[k] for k in ("alis", "epts", "communes")}


# --- Historique des chargements ------------------------------------------------------------------------


def _date(value: object) -> date | None:
    if value is None or pd.isna(value):  # pd.NaT est aussi une instance de datetime
        return None
    return pd.Timestamp(value).date()


def _moment(value: object) -> object:
    """L'heure de chargement telle quelle, None si elle manque (« – » à l'écran, vide dans les exports)."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value)


# Les colonnes chiffrées de l'historique ; les autres (fichier, nature, ALI remplacées, statut, message) sont du texte.
NATURES_HISTORIQUE = {
    "N°": tb.numero(),
    "Date d'extraction": tb.date_(),
    "Lignes lues": tb.entier(),
    "Acceptées": tb.entier(),
    "Rejetées": tb.entier(),
    "Chargé le": tb.horodatage(),
}


def historique(df: pd.DataFrame) -> Tableau:
    """Le tableau des chargements, le plus récent d'abord (l'ordre de la requête) : dates en dates, comptes de lignes
    en nombres ; une liste d'ALI ou d'années vide est sans objet (« – »)."""
    valeurs = pd.DataFrame(
        {
            "N°": df["id_chargement"].astype(int).to_list(),
            "Fichier": df["fichier"].to_list(),
            "Nature": [NATURES.get(n, n) for n in df["nature"]],
            "Date d'extraction": [_date(d) for d in df["date_extraction"]],
            "Lignes lues": df["lignes_lues"].to_list(),
            "Acceptées": df["acceptees"].to_list(),
            "Rejetées": df["rejetees"].to_list(),
            "ALI remplacées": [v or None for v in df["ali_remplacees"]],
            "ALI en historique seulement": [v or None for v in df["ali_historique"]],
            "Années de budget remplacées": [v or None for v in df["annees_remplacees"]],
            "Chargé le": [_moment(v) for v in df["charge_le"]],
            "Statut": [STATUTS_CHARGEMENT.get(s, s) for s in df["statut"]],
            "Message": df["message"].to_list(),
        },
        dtype=object,
    )
    return Tableau(valeurs, NATURES_HISTORIQUE)


def libelle_chargement(ligne: pd.Series) -> str:
    """« n° 284 · extraction_ALI07.csv (3 lignes rejetées) », pour choisir un chargement."""
    n = int(ligne["rejetees"])
    return (
        f"n° {int(ligne['id_chargement'])} · {ligne['fichier']} ({formats.entier(n)} ligne{'s' if n > 1 else ''} "
        + ("rejetées)" if n > 1 else "rejetée)")
    )


# --- Fraîcheur -----------------------------------------------------------------------------------------


def fraicheur(df: pd.DataFrame) -> pd.DataFrame:
    """Ajoute le libellé de l'ALI, la date de l'extraction en date Python et le statut en français."""
    noms = libelles.ali()
    out = df.copy()
    out["ali"] = [noms.get(c, c) for c in out["code_ali"]]
    out["date_extraction"] = [_date(d) for d in out["date_extraction"]]
    out["ouverture"] = [_date(d) for d in out["ouverture"]]
    out["seuil"] = [_date(d) for d in out["seuil"]]
    out["statut_libelle"] = [STATUTS_FRAICHEUR[s] for s in out["statut"]]
    return out


NATURES_FRAICHEUR = {
    "Ouverture": tb.mois(),
    "Dernière extraction": tb.date_(),
    "Jours avant la dernière extraction en place": tb.entier(),
    "Lignes de l'instantané": tb.entier(),
}


def tableau_fraicheur(df: pd.DataFrame) -> Tableau:
    """Le tableau « Voir les données » de la fraîcheur (df : sortie de `fraicheur`) : l'ouverture en mois, la
    dernière extraction en date, l'ancienneté (déjà en jours dans son titre) et les lignes en nombres ; une ALI sans
    extraction n'a ni date, ni ancienneté, ni fichier (« – »)."""
    valeurs = pd.DataFrame(
        {
            "ALI": df["ali"].to_list(),
            "Ouverture": df["ouverture"].to_list(),
            "Dernière extraction": df["date_extraction"].to_list(),
            "Jours avant la dernière extraction en place": df["anciennete_j"].to_list(),
            "Lignes de l'instantané": df["lignes"].to_list(),
            "Fichier": [v if isinstance(v, str) else None for v in df["fichier"]],
            "Statut": df["statut_libelle"].to_list(),
        },
        dtype=object,
    )
    return Tableau(valeurs, NATURES_FRAICHEUR)


def phrase_retards(df: pd.DataFrame, derniere: date) -> tuple[bool, str]:
    """(il y a des retards, le texte qui le dit, en markdown) — df : sortie de `fraicheur`, derniere : la plus
    récente extraction en place, la référence des retards.

    Les ALI en retard sont regroupées par date de dernière extraction (la plus ancienne d'abord) ; au-delà
    de 5 ALI dans un groupe, seuls les codes sont cités (les noms sont dans le tableau et le graphique).
    """
    ouvertes = df[df["ouverte"]]
    retard = ouvertes[ouvertes["en_retard"]]
    jour = formats.date_longue(derniere)
    if ouvertes.empty:
        return False, f"Aucune ALI du territoire n'est ouverte au {jour}, date de la plus récente extraction."
    if retard.empty:
        n = len(ouvertes)
        sujet = "La seule ALI ouverte" if n == 1 else f"Les {n} ALI ouvertes"
        verbe = "est à jour" if n == 1 else "sont à jour"
        return False, f"{sujet} au {jour} {verbe} : extraction du {jour}, la plus récente en place."
    n = len(retard)
    tete = (
        f"**1 ALI ouverte sur {len(ouvertes)} est en retard**"
        if n == 1
        else f"**{n} ALI ouvertes sur {len(ouvertes)} sont en retard**"
    )
    lignes = [
        f"{tete} : extraction antérieure à la plus récente en place ({jour}), ou aucune extraction. Les "
        "chiffres d'un territoire s'arrêtent à la plus ancienne extraction de ses ALI (date commune)."
    ]
    groupes = retard.assign(_cle=[d or date.max for d in retard["date_extraction"]]).groupby("_cle", sort=True)
    for cle, part in groupes:
        noms = part["ali"] if len(part) <= 5 else part["code_ali"]
        if cle == date.max:
            quoi = "aucune extraction chargée"
        else:
            n_jours = int(part["anciennete_j"].iloc[0])
            jours = f"{formats.entier(n_jours)} jour{'s' if n_jours > 1 else ''}"
            quoi = f"dernière extraction du {formats.date_longue(cle)} ({jours} avant la dernière en place)"
        lignes.append(f"- {quoi} : {', '.join(noms)}")
    return True, "\n".join(lignes)


# --- Chiffres clés -------------------------------------------------------------------------------------


def _jour(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else formats.SANS_OBJET


def chiffres_cles(
    plus_recente: date | None,
    date_commune: date | None,
    fraicheur: pd.DataFrame | None,
    chargements: pd.DataFrame | None,
    rejets: pd.DataFrame,
) -> list[tuple[str, str, str | None]]:
    """Les cinq cartes (libellé, valeur, aide) : dates, retards, fichiers chargés, lignes rejetées.

    None pour ce que la page n'a pas : pas d'extraction en place (dates, fraîcheur), pas le droit de voir
    l'historique (chargements). rejets : qualite_rejets de tous les chargements du territoire.
    """
    if fraicheur is not None:
        ouvertes = fraicheur[fraicheur["ouverte"]]
        retard = (
            f"{int(ouvertes['en_retard'].sum())} sur {len(ouvertes)}",
            "ALI ouvertes à la date de la dernière extraction dont l'extraction en place est plus ancienne, "
            "ou qui n'en ont aucune.",
        )
    else:
        retard = (formats.SANS_OBJET, None)
    return [
        (
            "Dernière extraction",
            _jour(plus_recente),
            "La plus récente date d'extraction en place, toutes ALI confondues : une ALI dont l'extraction est "
            "plus ancienne est en retard.",
        ),
        (
            "Date commune des données",
            _jour(date_commune),
            "La dernière date que toutes les ALI du territoire ayant des données en place ont fournie (la plus "
            "ancienne de leurs extractions) : la date d'observation D par défaut des vues.",
        ),
        ("ALI en retard", *retard),
        (
            "Fichiers chargés",
            formats.entier(len(chargements)) if chargements is not None else formats.SANS_OBJET,
            "Extractions et fichiers budget enregistrés dans la base (les fichiers refusés n'y laissent rien).",
        ),
        (
            "Lignes rejetées",
            formats.entier(int(rejets["lignes"].sum()) if not rejets.empty else 0),
            "Lignes mises en quarantaine sur l'ensemble des chargements (du territoire si un filtre est posé).",
        ),
    ]


# --- Graphique de la fraîcheur ---------------------------------------------------------------------------


def sans_date(fraicheur: pd.DataFrame) -> bool:
    """Aucune ALI montrée n'a d'extraction : le graphique n'a rien à placer sur l'axe des dates."""
    return bool(fraicheur["date_extraction"].isna().all())


def figure_fraicheur(fraicheur: pd.DataFrame) -> go.Figure:
    """Une ALI par ligne, sa dernière extraction en abscisse (symbole selon le statut), la plus récente
    extraction en place en trait pointillé. fraicheur : sortie de `fraicheur`, non vide."""
    seuil = fraicheur["seuil"].iloc[0]
    fig = go.Figure()
    symboles = {"a_jour": "circle", "en_retard": "x", "non_ouverte": "diamond-open"}
    couleurs = {"a_jour": charts.PALETTE[2], "en_retard": charts.PALETTE[5], "non_ouverte": charts.PALETTE[7]}
    avec_date = fraicheur[fraicheur["date_extraction"].notna()]
    for statut in ("a_jour", "en_retard", "non_ouverte"):
        part = avec_date[avec_date["statut"] == statut]
        if part.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=[pd.Timestamp(d) for d in part["date_extraction"]],
                y=part["ali"],
                mode="markers",
                name=STATUTS_FRAICHEUR[statut],
                marker={"size": 14, "symbol": symboles[statut], "color": couleurs[statut], "line": {"width": 2}},
                customdata=part[["anciennete_j"]].to_numpy(),
                hovertemplate="%{y}<br>Dernière extraction : %{x|%d %B %Y}"
                "<br>%{customdata[0]:,.0f} jours avant la plus récente extraction en place<extra></extra>",
            )
        )
    fig.add_shape(
        type="line",
        x0=pd.Timestamp(seuil),
        x1=pd.Timestamp(seuil),
        y0=0,
        y1=1,
        yref="paper",
        line={"color": charts.PALETTE[5], "dash": "dash", "width": 2},
    )
    fig.add_annotation(
        x=pd.Timestamp(seuil),
        y=1,
        yref="paper",
        yanchor="bottom",
        text=f"Plus récente extraction : {formats.date_longue(seuil)}",
        showarrow=False,
        font={"color": charts.PALETTE[5]},
    )
    fig.update_layout(
        height=max(320, 28 * len(fraicheur) + 120),
        xaxis_title="Date de la dernière extraction",
        yaxis={"title": None, "autorange": "reversed", "categoryorder": "array", "categoryarray": fraicheur["ali"]},
        xaxis={"tickformat": "%b %Y", "hoverformat": "%d %B %Y"},
        legend_title_text="",
    )
    return fig


def note_sans_extraction(fraicheur: pd.DataFrame) -> str | None:
    """Les ALI absentes du graphique faute d'extraction, avec leur statut ; None s'il n'y en a pas."""
    sans = fraicheur[fraicheur["date_extraction"].isna()]
    if sans.empty:
        return None
    return (
        "Sans aucune extraction (absentes du graphique) : "
        + ", ".join(f"{a} ({s.lower()})" for a, s in zip(sans["ali"], sans["statut_libelle"], strict=True))
        + "."
    )


# --- Complétude : paramètres, protection, graphiques --------------------------------------------------------
