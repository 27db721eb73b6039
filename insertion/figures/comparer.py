"""La vue « Comparer les territoires » assemblée : indicateurs protégés de chaque ALI et du département, cartes de
l'ALI choisie face à la médiane, résumés et carte des territoires. Les briques (assemblage, secret, repères,
petits multiples) sont dans insertion/figures/territoires.py, les cartes (tuiles, choroplèthe) dans
insertion/figures/carte_territoires.py ; ce module les enchaîne comme la page les montre. Sans Streamlit ni
SQL : les requêtes passent par la fonction `requete` de la page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from insertion import formats, indicators
from insertion.config import DATA_DIR
from insertion.figures import carte_territoires, resumes, territoires
from insertion.figures.tableau import Tableau
from insertion.figures.tableau import decimal as nature_decimale
from insertion.figures.tableau import entier as nature_entiere
from insertion.protect import secret
from insertion.store.requetes import Perimetre, Periode

Requete = Callable[..., pd.DataFrame]
DEFINITIONS_TABLEAU = ["file_active", "diag_numerique", "sortie_emploi_12m", "cout_par_personne"]


def population(perimetre: Perimetre) -> Perimetre:
    """Les ALI se comparent entre elles : les filtres de territoire ne restreignent pas la comparaison ; seuls
    les filtres de population (parcours, âge, sexe) s'appliquent à toutes."""
    return Perimetre(parcours=perimetre.parcours, ages=perimetre.ages, sexes=perimetre.sexes)


def avec_population(pop: Perimetre) -> bool:
    return bool(pop.parcours or pop.ages or pop.sexes)


def legende_choix(nb_presentes: int, avec_pop: bool) -> str:
    return (
        f"Comparaison des {nb_presentes} ALI ayant des orientations à la date d'observation"
        + (", pour le public retenu par les filtres de parcours, d'âge et de sexe" if avec_pop else "")
        + ". Médiane et quartiles sont calculés sur les valeurs diffusées des ALI (hors valeurs masquées par "
        "le secret statistique)."
    )


def legende_ecarts(avec_pop: bool) -> str:
    return (
        "Écart à la médiane des ALI : en % pour les effectifs et le coût, en points pour les taux. "
        "Le coût par personne rapporte les crédits exécutés de l'ALI à sa file active moyenne de l'année"
        + (
            " ; il porte sur toutes les personnes suivies, quels que soient les filtres de population."
            if avec_pop
            else "."
        )
    )


def tableau(
    requete: Requete, groupe: str, groupes: list[str], periode: Periode, pop: Perimetre, annee_cout: int | None
) -> pd.DataFrame:
    """Les indicateurs bruts (publiés) d'un `groupe` (« ali » ou « departement ») : la population filtrée sur la
    période, le coût par personne de `annee_cout` sur toutes les personnes suivies."""
    args = {"periode": periode, "perimetre": pop, "groupe": groupe}
    cout = requete("cout_par_personne", periode=Periode(as_of=periode.as_of), perimetre=Perimetre(), groupe=groupe)
    return territoires.assembler(
        groupes,
        file_active=requete("file_active", **args),
        entrees_sorties=requete("entrees_sorties", **args),
        diag_numerique=requete("taux_diagnostic", diagnostic="numerique", **args),
        diag_linguistique=requete("taux_diagnostic", diagnostic="linguistique", **args),
        sortie_emploi=requete("taux_sortie_emploi", **args),
        cout=cout[cout["annee"] == annee_cout],
    )


@dataclass(frozen=True)
class Comparaison:
    """L'ALI `code` face aux autres : valeurs protégées par ALI et du département, repères et textes par
    indicateur (territoires.comparaison), année du coût par personne."""

    code: str
    prot_ali: secret.Protege
    prot_dep: secret.Protege
    valeurs: pd.DataFrame
    textes: pd.DataFrame
    annee_cout: int | None

    def libelle(self, ind: territoires.Indicateur, court: bool = False) -> str:
        texte = ind.court if court else ind.libelle
        return f"{texte} ({self.annee_cout})" if ind.cle == "cout_par_personne" and self.annee_cout else texte

    @property
    def masque(self) -> bool:
        return self.prot_ali.a_masque or self.prot_dep.a_masque

    def table(self) -> pd.DataFrame:
        """Le tableau « ALI choisie face aux ALI », indicateurs nommés avec l'année du coût."""
        return self.textes.assign(Indicateur=[self.libelle(i) for i in territoires.INDICATEURS])

    def en_nombres(self) -> Tableau:
        """Le même tableau pour le CSV et le classeur, écrit depuis les valeurs publiées : les unités diffèrent d'une
        ligne à l'autre (personnes, %, €), elles vont dans une colonne « Unité » ; chaque case porte le nombre
        affiché (67,9 pour « 67,9 % ») ; « secret » reste « secret » ; le rang « 3 sur 22 » devient deux colonnes,
        le rang et le nombre d'ALI classées."""
        valeurs = self.valeurs.set_index("cle")
        dep_masque = self.prot_dep.masque
        lignes = []
        for ind in territoires.INDICATEURS:
            v = valeurs.loc[ind.cle]
            masque_dep = bool(len(dep_masque) and ind.cle in dep_masque and dep_masque[ind.cle].iloc[0])
            rang_present = v["rang"] is not None and not pd.isna(v["rang"])
            lignes.append(
                {
                    "Indicateur": self.libelle(ind),
                    "Unité": territoires.UNITES_EXPORT[ind.nature],
                    "ALI choisie": secret.LIBELLE_MASQUE if v["masque"] else _affiche(ind, v["valeur"]),
                    territoires.RANG: int(v["rang"]) if rang_present else None,
                    "ALI classées": int(v["n"]) if rang_present else None,
                    "1er quartile des ALI": _affiche(ind, v["q1"]),
                    "Médiane des ALI": _affiche(ind, v["mediane"]),
                    "3e quartile des ALI": _affiche(ind, v["q3"]),
                    "ALI retenues": int(v["n"]),
                    indicators.DEPARTEMENT: secret.LIBELLE_MASQUE if masque_dep else _affiche(ind, v["departement"]),
                }
            )
        nombre = nature_decimale(chiffres=1)
        natures = {c: nombre for c in lignes[0] if c not in ("Indicateur", "Unité")} if lignes else {}
        natures[territoires.RANG] = natures["ALI classées"] = natures["ALI retenues"] = nature_entiere()
        return Tableau(pd.DataFrame(lignes, dtype=object), natures)


def comparer(requete: Requete, periode: Periode, pop: Perimetre, presentes: list[str], code: str) -> Comparaison:
    """Assemble, protège et compare : `presentes` sont les ALI comparées, `code` l'ALI choisie."""
    cout_dep = requete(
        "cout_par_personne", periode=Periode(as_of=periode.as_of), perimetre=Perimetre(), groupe="departement"
    )
    annee = territoires.annee_cout(cout_dep, periode.as_of.year)
    prot_ali = territoires.proteger(tableau(requete, "ali", presentes, periode, pop, annee), departement=False)
    # La ligne du département porte les filtres de profil : exemptée seulement sans aucun filtre.
    prot_dep = territoires.proteger(
        tableau(requete, "departement", [indicators.DEPARTEMENT], periode, pop, annee),
        departement=secret.departement_exempte(pop),
    )
    valeurs, textes = territoires.comparaison(prot_ali, prot_dep, code)
    return Comparaison(code, prot_ali, prot_dep, valeurs, textes, annee)


@dataclass(frozen=True)
class Carte:
    """Une carte d'indicateur de l'ALI choisie (arguments de ui.chiffre_cle)."""

    label: str
    valeur: str
    evolution: str | None
    sens: str
    aide: str


def _affiche(ind: territoires.Indicateur, v: object) -> float | None:
    """Le nombre que montre l'écran, dans l'unité de la colonne « Unité » (38,5 pour 0,385 ; 1 759 pour un coût)."""
    if v is None or pd.isna(v):
        return None
    if ind.nature == "taux":
        return formats.arrondi_affiche(float(v) * 100, 1)
    return float(round(float(v)))


def _nombre(v: object) -> float | None:
    return None if pd.isna(v) else float(v)


def cartes(comp: Comparaison) -> list[Carte]:
    """Une carte par indicateur, dans l'ordre de territoires.INDICATEURS : valeur de l'ALI, écart à la médiane
    des ALI (en points pour un taux, en % sinon), et dans l'aide médiane, quartiles, département et rang."""
    valeurs = comp.valeurs.set_index("cle")
    textes = comp.textes.set_index("Indicateur")
    sortie = []
    for ind in territoires.INDICATEURS:
        v = valeurs.loc[ind.cle]
        ecrire = formats.evolution_points if ind.nature == "taux" else formats.evolution_pourcentage
        ecart = ecrire(_nombre(v["valeur"]), _nombre(v["mediane"]))
        t = textes.loc[ind.libelle]
        sortie.append(
            Carte(
                comp.libelle(ind, court=True),
                t["ALI choisie"],
                None if ecart is None else f"{ecart} vs médiane",
                ind.sens,
                f"{comp.libelle(ind)}. Médiane des {t['ALI retenues']} ALI : {t['Médiane des ALI']} "
                f"(quartiles {t['1er quartile des ALI']} – {t['3e quartile des ALI']}) ; "
                f"Seine-Saint-Denis : {t['Seine-Saint-Denis']} ; rang : {t['Rang (1 = valeur la plus haute)']}.",
            )
        )
    return sortie


def resume_positions(comp: Comparaison, nom: str) -> str:
    """Résumé des petits multiples : l'ALI `nom` face à la médiane, indicateur par indicateur."""
    return resumes.positions(
        nom,
        [
            (resumes.points([comp.libelle(ind)], [v["valeur"]], [v["masque"]])[0], v["mediane"])
            for ind, (_, v) in zip(territoires.INDICATEURS, comp.valeurs.iterrows(), strict=True)
        ],
    )


LEGENDE_TUILES = (
    "Carte schématique : une case par commune, placée approximativement, colorée selon la valeur de son ALI ; "
    "un trait sombre sépare les ALI, votre ALI est entourée d'orange ; case grise : valeur non diffusée ou "
    "ALI sans données."
)
SOURCE_CONTOURS = "Contours des communes : france-geojson (d'après IGN et INSEE), Licence Ouverte 2.0."


@dataclass(frozen=True)
class VueCarte:
    """La carte des territoires : `messages` sont les phrases à poser au-dessus, dans l'ordre, chacune
    (« caption » ou « warning », texte)."""

    figure: go.Figure
    messages: list[tuple[str, str]]
    table: Tableau
    masque: bool
    resume: str
    titre: str


def carte(
    comp: Comparaison, cle: str, presentes: list[str], noms: dict[str, str], date: date | None = None
) -> VueCarte:
    """La carte de l'indicateur `cle` à la date d'observation `date` (les communes fusionnées le 1er janvier
    2025 y sont deux avant, une après) : choroplèthe des contours de data/communes.geojson, ou carte en tuiles
    si le fichier manque ou est inutilisable (avec un avertissement dans ce cas)."""
    ind = territoires.PAR_CLE[cle]
    valeurs = carte_territoires.ValeursCarte.depuis(comp.prot_ali, cle)
    t = carte_territoires.tuiles()
    fig = None
    messages: list[tuple[str, str]] = []
    chemin = carte_territoires.fichier_geojson()
    if chemin is not None:
        try:
            geojson = carte_territoires.lire_geojson(chemin)
            propriete = carte_territoires.propriete_insee(geojson, t["code_commune"])
            if propriete is None:
                raise ValueError("aucune propriété ne porte les codes INSEE des communes du référentiel")
            fig = carte_territoires.carte_choroplethe(geojson, propriete, t, valeurs, comp.code, noms, date=date)
            # Les contours livrés disent leur source ; un fichier déposé à leur place dit seulement son nom.
            livres = chemin.resolve() == (DATA_DIR / carte_territoires.FICHIER_GEOJSON).resolve()
            messages.append(("caption", SOURCE_CONTOURS if livres else f"Contours des communes : {chemin.name}."))
        except (OSError, ValueError) as exc:
            messages.append(
                ("warning", f"Fichier de contours {chemin.name} inutilisable ({exc}) : carte en tuiles à la place.")
            )
    if fig is None:
        fig = carte_territoires.carte_tuiles(t, valeurs, comp.code, noms)
        messages.append(("caption", LEGENDE_TUILES))
    if t.attrs.get("sans_position"):
        messages.append(
            ("caption", "Communes sans position sur la carte : " + ", ".join(t.attrs["sans_position"]) + ".")
        )
    titre = comp.libelle(ind)
    communes_par_ali = t.groupby("code_ali")["nom"].apply(lambda s: ", ".join(sorted(s))).to_dict()
    # Une ALI sans commune au référentiel : « – » à l'écran, case vide dans l'export ; la valeur est un nombre dans
    # l'unité de l'indicateur (« secret » ou « pas de données » restent du texte).
    table = Tableau(
        pd.DataFrame(
            {
                "ALI": [noms[c] for c in noms],
                "Communes": [communes_par_ali.get(c) for c in noms],
                titre: [valeurs.publiee(c) for c in noms],
            },
            dtype=object,
        ),
        {titre: territoires.NATURES_TABLEAU[ind.nature]},
    )
    resume = resumes.extremes(
        resumes.points(
            [noms[c] for c in presentes],
            [valeurs.valeur(c) for c in presentes],
            [c in valeurs.masquees for c in presentes],
        ),
        mesure=titre,
        ecrire=ind.format,
    )
    return VueCarte(fig, messages, table, bool(valeurs.masquees), resume, titre)
