"""Qualité des données et import depuis le navigateur : la logique des vues 7 et 8.

Les pages `pages/qualite.py` et `pages/importer.py` ne font que mettre en page ce que ce module
calcule : historique des chargements, fraîcheur des extractions par ALI (retards), lignes rejetées,
complétude des champs facultatifs, et l'aide à l'import qui enregistre les fichiers reçus dans un
dossier temporaire avant d'appeler le même chargeur que la ligne de commande.

Secret statistique (contrat §6) : la quarantaine ne contient aucune donnée personnelle (numéro de ligne,
colonne, motif, jamais de valeur) ; les comptes de lignes lues, acceptées ou rejetées décrivent des
fichiers, pas des personnes, et l'équipe doit pouvoir les rapprocher exactement de ses extractions. La
complétude, elle, compte des épisodes du périmètre filtré (âge, sexe, parcours…) par ALI : ses effectifs
et ses parts sont protégés comme ailleurs (`proteger_completude`), car « 2 sorties sur 2 renseignées »
sous trois filtres de profil dit combien de personnes sont sorties.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from insertion import contrat, formats
from insertion.config import default_db_path
from insertion.indicators import libelles
from insertion.indicators.definitions import Definition
from insertion.indicators.filters import Filtres
from insertion.ingest.chargement import Forcer, LoadResult, load_files, refus_taille
from insertion.present import app, connexion
from insertion.protect import acces, secret
from insertion.store import requetes
from insertion.store.requetes import Perimetre, Periode

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
ALI_INCONNUE = "ALI inconnue ou illisible"

# (colonne, libellé, colonne du dénominateur dans qualite_completude.sql)
CHAMPS_FACULTATIFS = [
    ("date_diag_numerique", "Date du diagnostic numérique", "episodes"),
    ("niveau_numerique", "Niveau numérique", "episodes"),
    ("date_diag_linguistique", "Date du diagnostic linguistique", "episodes"),
    ("niveau_linguistique", "Niveau linguistique", "episodes"),
    ("motif_sortie", "Motif de sortie (parmi les sorties)", "sorties"),
    ("composition_foyer", "Composition du foyer", "episodes"),
    ("anciennete_rsa", "Ancienneté au RSA", "episodes"),
]

# Libellés courts des colonnes de la carte de chaleur (7 colonnes à côté des noms d'ALI, à 1 280 px).
CHAMPS_COURTS = [
    "Date diag. numérique",
    "Niveau numérique",
    "Date diag. linguistique",
    "Niveau linguistique",
    "Motif de sortie",
    "Composition du foyer",
    "Ancienneté RSA",
]

LIMITE_QUARANTAINE = 5000  # lignes de quarantaine montrées au plus (les plus récentes)


# --- Ouverture de page quand la base n'a encore aucune extraction -------------------------------------


def a_des_extractions() -> bool:
    """Vrai si la base contient au moins un épisode courant (ou n'existe pas encore : la démo sera construite).

    `app.page()` arrête la page (st.stop) quand la base n'a aucune extraction ; or c'est justement
    le moment d'importer un premier fichier, ou de voir pourquoi toutes ses lignes ont été rejetées.
    """
    path = default_db_path()
    if not path.exists():
        return True
    return app.latest(app.connection(str(path), path.stat().st_mtime_ns)) is not None


def page_sans_extraction(titre: str) -> app.Contexte:
    """En-tête de page sans filtres : aucune date D n'existe encore.

    Le contexte rendu porte des filtres neutres (tout le département, D = aujourd'hui, pour nommer les
    exports) dont `derniere_extraction` vaut None : voir `avec_extraction`.
    """
    con, cle = app.setup(titre)
    st.title(titre)
    st.info(
        "La base ne contient encore aucune extraction de file active en place : les filtres et les "
        "indicateurs apparaîtront après le premier chargement réussi."
    )
    aujourd_hui = date.today()
    filtres = Filtres(Periode(as_of=aujourd_hui, fin=aujourd_hui), Perimetre(), None)  # type: ignore[arg-type]
    return app.Contexte(con, cle, filtres, requetes.is_demo(con))


def avec_extraction(ctx: app.Contexte) -> bool:
    """Faux quand la page a été ouverte par `page_sans_extraction` (aucune date D)."""
    return ctx.filtres.derniere_extraction is not None


def ouvrir(titre: str) -> app.Contexte:
    """`app.page(titre)`, ou un en-tête sans filtres si la base n'a encore aucune extraction."""
    return app.page(titre) if a_des_extractions() else page_sans_extraction(titre)


def parametres_territoire(filtres: Filtres) -> dict[str, list[str] | None]:
    """Les seuls filtres qui concernent des fichiers : ALI, EPT, commune (None = pas de filtre)."""
    p = filtres.perimetre.params()
    return {k: p[k] for k in ("alis", "epts", "communes")}


# --- Historique des chargements ------------------------------------------------------------------------


def _date(value: object) -> date | None:
    if value is None or pd.isna(value):  # pd.NaT est aussi une instance de datetime
        return None
    return pd.Timestamp(value).date()


def _horodatage(value: object) -> str:
    if value is None or pd.isna(value):
        return formats.SANS_OBJET
    moment = pd.Timestamp(value).to_pydatetime()
    return f"{formats.date_longue(moment.date())} à {moment:%H:%M}"


def historique(df: pd.DataFrame) -> pd.DataFrame:
    """Le tableau des chargements en français, le plus récent d'abord (l'ordre de la requête)."""
    return pd.DataFrame(
        {
            "N°": df["id_chargement"].astype(int).astype(str),
            "Fichier": df["fichier"],
            "Nature": [NATURES.get(n, n) for n in df["nature"]],
            "Date d'extraction": [formats.date_longue(_date(d)) for d in df["date_extraction"]],
            "Lignes lues": [formats.entier(v) for v in df["lignes_lues"]],
            "Acceptées": [formats.entier(v) for v in df["acceptees"]],
            "Rejetées": [formats.entier(v) for v in df["rejetees"]],
            "ALI remplacées": [v or formats.SANS_OBJET for v in df["ali_remplacees"]],
            "ALI en historique seulement": [v or formats.SANS_OBJET for v in df["ali_historique"]],
            "Années de budget remplacées": [v or formats.SANS_OBJET for v in df["annees_remplacees"]],
            "Chargé le": [_horodatage(v) for v in df["charge_le"]],
            "Statut": [STATUTS_CHARGEMENT.get(s, s) for s in df["statut"]],
            "Message": df["message"],
        }
    )


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


def tableau_fraicheur(df: pd.DataFrame) -> pd.DataFrame:
    """Le tableau « Voir les données » de la fraîcheur (df : sortie de `fraicheur`)."""
    return pd.DataFrame(
        {
            "ALI": df["ali"],
            "Ouverture": [formats.mois(d) for d in df["ouverture"]],
            "Dernière extraction": [formats.date_longue(d) for d in df["date_extraction"]],
            "Jours avant la dernière extraction en place": [
                formats.entier(None if pd.isna(v) else v) for v in df["anciennete_j"]
            ],
            "Lignes de l'instantané": [formats.entier(None if pd.isna(v) else v) for v in df["lignes"]],
            "Fichier": [v if isinstance(v, str) else formats.SANS_OBJET for v in df["fichier"]],
            "Statut": df["statut_libelle"],
        }
    )


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


# --- Lignes rejetées -----------------------------------------------------------------------------------


def motif_court(motif: str) -> str:
    """« type_parcours inconnu (attendu social, …) » → « type_parcours inconnu », pour l'axe d'un graphique."""
    return motif.split(" (")[0] if isinstance(motif, str) else formats.SANS_OBJET


def rejets_par_motif(df: pd.DataFrame) -> pd.DataFrame:
    """Lignes rejetées par motif (et colonne), le plus fréquent d'abord. df : qualite_rejets."""
    if df.empty:
        return pd.DataFrame({"motif": [], "colonne": [], "lignes": []})
    out = df.groupby(["motif", "colonne"], dropna=False, as_index=False)["lignes"].sum()
    return out.sort_values(["lignes", "motif"], ascending=[False, True], ignore_index=True)


def rejets_par_ali(df: pd.DataFrame) -> pd.DataFrame:
    """Lignes rejetées par ALI (code ALI absent ou hors référentiel : « ALI inconnue »)."""
    if df.empty:
        return pd.DataFrame({"code_ali": [], "ali": [], "lignes": []})
    noms = libelles.ali()
    data = df.assign(code_ali=df["code_ali"].where(df["code_ali"].notna(), None))
    out = data.groupby("code_ali", dropna=False, as_index=False)["lignes"].sum()
    out["ali"] = [noms.get(c, c) if isinstance(c, str) else ALI_INCONNUE for c in out["code_ali"]]
    return out.sort_values(["lignes", "ali"], ascending=[False, True], ignore_index=True)


def tableau_quarantaine(df: pd.DataFrame) -> pd.DataFrame:
    """La quarantaine en français : fichier, ligne, ALI, colonne, motif, précision. Aucune valeur brute."""
    noms = libelles.ali()
    return pd.DataFrame(
        {
            "N° de chargement": df["id_chargement"].astype(int).astype(str),
            "Fichier": df["fichier"],
            "Ligne": df["ligne"].astype(int),
            "ALI": [noms.get(c, c) if isinstance(c, str) else ALI_INCONNUE for c in df["code_ali"]],
            "Colonne": [c if isinstance(c, str) else formats.SANS_OBJET for c in df["colonne"]],
            "Motif": df["motif"],
            "Précision": [d if isinstance(d, str) else "" for d in df["detail"]],
        }
    )


# --- Complétude ----------------------------------------------------------------------------------------


def completude(df: pd.DataFrame) -> pd.DataFrame:
    """Format long : groupe, champ, libelle, renseignes, denominateur, taux (NaN si dénominateur nul)."""
    lignes = []
    for _, r in df.iterrows():
        for champ, libelle, denominateur in CHAMPS_FACULTATIFS:
            # Effectifs publiés (insertion/protect) : une case masquée reste NaN, son taux aussi.
            den = float(r[denominateur])
            num = float(r[champ])
            lignes.append(
                {
                    "groupe": r["groupe"],
                    "champ": champ,
                    "libelle": libelle,
                    "renseignes": num,
                    "denominateur": den,
                    "taux": num / den if den and not math.isnan(den) else float("nan"),
                }
            )
    return pd.DataFrame(lignes, columns=["groupe", "champ", "libelle", "renseignes", "denominateur", "taux"])


def proteger_completude(longue: pd.DataFrame, *, departement: bool) -> secret.Protege:
    """La complétude (`completude`) protégée : épisodes renseignés et dénominateurs sont des effectifs
    (masqués de 1 à seuil − 1 hors exemption), la part renseignée est un taux (règle des taux de `secret`).
    departement : `secret.departement_exempte` du périmètre pour la ligne de l'ensemble ; False par ALI."""
    return secret.proteger(
        longue,
        effectifs=["renseignes", "denominateur"],
        taux={"taux": "denominateur"},
        numerateurs={"taux": "renseignes"},
        departement=departement,
    )


def tableau_completude(prot: secret.Protege, libelle_groupe: Callable[[str], str]) -> pd.DataFrame:
    """Une ligne par groupe, une colonne de taux par champ, plus les dénominateurs, depuis la complétude
    protégée (`proteger_completude`) : « secret » dans les cases masquées."""
    longue = prot.donnees
    if longue.empty:
        return pd.DataFrame()
    textes = prot.affichage({"taux": formats.pourcentage, "denominateur": formats.entier})
    lignes = []
    for groupe, part in textes.groupby("groupe", sort=True):
        ligne = {"Territoire": libelle_groupe(groupe)}
        for _, r in part.iterrows():
            ligne[r["libelle"]] = r["taux"]
        ligne["Épisodes courants"] = part["denominateur"][part["champ"] != "motif_sortie"].iloc[0]
        ligne["Sorties"] = part["denominateur"][part["champ"] == "motif_sortie"].iloc[0]
        lignes.append(ligne)
    return pd.DataFrame(lignes)


# --- Import depuis le navigateur -----------------------------------------------------------------------

# Couture pour les tests (AppTest n'a pas d'accès au st.file_uploader) : une liste de (nom, octets)
# déposée dans st.session_state sous cette clé est traitée par la page Importer comme des fichiers
# envoyés, en plus de ceux du sélecteur. Seul du code serveur peut écrire dans session_state.
CLE_DEPOT = "importer_depot"
CLE_RESULTATS = "importer_resultats"
EXTENSIONS = ["csv", "xlsx", "parquet"]


def nom_sur(nom: str) -> str:
    """Le nom du fichier tel qu'envoyé, sans chemin (rien ne sort du dossier temporaire)."""
    base = Path(str(nom).replace("\\", "/")).name.strip()
    return base if base not in ("", ".", "..") else "fichier"


def importer(
    fichiers: Sequence[tuple[str, bytes]],
    db_path: Path | str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    forcer: Forcer = False,
) -> list[LoadResult]:
    """Enregistre les fichiers reçus dans un dossier temporaire (noms gardés) et appelle le chargeur.

    forcer : les jetons des remplacements confirmés (LoadResult.jeton), voir loader.load_bytes.

    Chaque fichier a son sous-dossier : deux envois du même nom restent deux fichiers, et le nom
    enregistré dans l'historique est bien celui de l'utilisateur. Le chargeur travaille sur une copie
    de la base et la met en place d'un coup : l'application lit l'ancienne version jusque-là.
    """
    connexion.exiger(acces.IMPORTER)  # côté serveur, pas seulement dans la page : une requête forgée est refusée
    with tempfile.TemporaryDirectory(prefix="ali93-import-") as dossier:
        chemins = []
        trop_gros: dict[int, LoadResult] = {}  # refusés avant même d'être écrits sur le disque
        for index, (nom, contenu) in enumerate(fichiers):
            refus = refus_taille(len(contenu), nom)
            if refus is not None:
                trop_gros[index] = refus
                continue
            sous_dossier = Path(dossier) / f"{index:04d}"
            sous_dossier.mkdir()
            chemin = sous_dossier / nom_sur(nom)
            chemin.write_bytes(contenu)
            chemins.append(chemin)
        charges = iter(
            load_files(db_path or default_db_path(), chemins, progress=progress, forcer=forcer) if chemins else []
        )
        return [trop_gros[i] if i in trop_gros else next(charges) for i in range(len(fichiers))]


NIVEAUX = {
    "loaded": "success",
    "already_loaded": "info",
    "older_snapshot": "warning",
    "refused": "error",
    "to_confirm": "warning",
}


def niveau(resultat: LoadResult) -> str:
    """success / info / warning / error ; un fichier « chargé » sans aucune ligne valide est un avertissement."""
    if resultat.status == "loaded" and resultat.rows_read and not resultat.accepted:
        return "warning"
    return NIVEAUX.get(resultat.status, "info")


def bilan(resultats: Iterable[LoadResult]) -> str:
    """« 3 fichiers : 1 chargé, 1 déjà chargé, 1 refusé. »"""
    resultats = list(resultats)
    mots = {
        "loaded": ("chargé", "chargés"),
        "already_loaded": ("déjà chargé", "déjà chargés"),
        "older_snapshot": ("plus ancien gardé en historique", "plus anciens gardés en historique"),
        "refused": ("refusé", "refusés"),
        "to_confirm": ("à confirmer", "à confirmer"),
    }
    parties = []
    for statut, (un, plusieurs) in mots.items():
        n = sum(r.status == statut for r in resultats)
        if n:
            parties.append(f"{n} {un if n == 1 else plusieurs}")
    n = len(resultats)
    return f"{n} fichier{'s' if n > 1 else ''} : " + ", ".join(parties) + "."


def tableau_resultats(resultats: Iterable[LoadResult]) -> pd.DataFrame:
    """Une ligne par fichier : résultat, date d'extraction, lignes lues, acceptées, rejetées."""
    lignes = []
    for r in resultats:
        refuse = r.status == "refused"
        lignes.append(
            {
                "Fichier": r.file,
                "Résultat": STATUTS_CHARGEMENT.get(r.status, r.status),
                "Nature": NATURES.get(r.nature, formats.SANS_OBJET) if r.nature else formats.SANS_OBJET,
                "Date d'extraction": formats.date_longue(r.date_extraction),
                "Lignes lues": formats.SANS_OBJET if refuse else formats.entier(r.rows_read),
                "Acceptées": formats.SANS_OBJET if refuse else formats.entier(r.accepted),
                "Rejetées": formats.SANS_OBJET if refuse else formats.entier(r.rejected),
            }
        )
    return pd.DataFrame(lignes)


def tableau_motifs(resultat: LoadResult) -> pd.DataFrame:
    """Les rejets d'un fichier par motif, le plus fréquent d'abord."""
    items = sorted(resultat.rejections.items(), key=lambda kv: (-kv[1], kv[0]))
    return pd.DataFrame({"Motif de rejet": [k for k, _ in items], "Lignes": [formats.entier(v) for _, v in items]})


def horodatage_import(moment: datetime | None = None) -> str:
    moment = moment or datetime.now()
    return f"{formats.date_longue(moment.date())} à {moment:%H:%M}"
