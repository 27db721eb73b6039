"""Note de synthèse : une page A4 (deux au plus) qu'un élu lit en deux minutes.

`preparer()` rassemble les chiffres (secret statistique appliqué, comme à l'écran) et écrit
les phrases ; `rendre_pdf()` met en page avec fpdf2 (polices DejaVu embarquées : accents et
« € » rendus partout, sans dépendre des polices du poste). Les graphiques sont dessinés par
matplotlib en SVG et embarqués en vecteurs (insertion/figures/note.py) : aucun navigateur.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from insertion import formats, indicators
from insertion.figures import cohortes, vue_ensemble
from insertion.indicators import autres_systemes, libelles, synthese
from insertion.indicators.definitions import DEFINITIONS
from insertion.indicators.filters import Filtres
from insertion.protect import secret
from insertion.store import requetes

DOSSIER_POLICES = Path(__file__).resolve().parent.parent / "fonts"
POLICE = "DejaVu Sans"  # le nom que portent les textes des graphiques SVG (insertion/figures/note.py)
BLEU = (0, 114, 178)  # Okabe-Ito, comme les graphiques
GRIS = (90, 90, 90)
ORANGE = (230, 159, 0)  # Okabe-Ito : le bandeau de démonstration
DEMONSTRATION = (
    "Données de démonstration : fictives, générées pour découvrir l'outil ; ces chiffres ne sont pas ceux des agences."
)


@dataclass
class Chiffre:
    libelle: str
    valeur: str
    evolution: str | None = None


@dataclass(frozen=True)
class Courbe:
    """Une série mensuelle déjà protégée : None là où la valeur n'est pas diffusée."""

    mois: tuple[date, ...]
    valeurs: tuple[float | None, ...]

    def svg(self, largeur_mm: float, hauteur_mm: float) -> bytes:
        from insertion.figures import note as figures_note

        return figures_note.courbe_mensuelle(self.mois, self.valeurs, largeur_mm=largeur_mm, hauteur_mm=hauteur_mm)


@dataclass(frozen=True)
class Barres:
    """Des effectifs déjà protégés, avec leur texte à afficher (« 3 465 », « secret »)."""

    libelles: tuple[str, ...]
    valeurs: tuple[float | None, ...]
    textes: tuple[str, ...]
    couleurs: tuple[str, ...]

    def svg(self, largeur_mm: float, hauteur_mm: float) -> bytes:
        from insertion.figures import note as figures_note

        return figures_note.barres(
            self.libelles, self.valeurs, self.textes, self.couleurs, largeur_mm=largeur_mm, hauteur_mm=hauteur_mm
        )


@dataclass
class NoteSynthese:
    territoire: str
    date_donnees: date
    filtres: list[tuple[str, str]]
    chiffres: list[Chiffre]
    phrases: list[str]
    graphiques: list[tuple[str, Courbe | Barres]] = field(default_factory=list)
    masque: bool = False
    demonstration: bool = False  # la base porte les données de démonstration : la note le dit, comme l'écran

    @property
    def titre(self) -> str:
        return f"Note de synthèse — {self.territoire}"


def _evolution(c: synthese.ChiffreCle) -> str | None:
    """L'écart de la carte de la Vue d'ensemble, au même point de comparaison (« +1,2 % sur un mois »)."""
    return vue_ensemble.evolution(c)[0]


def _diffuse(c: synthese.ChiffreCle) -> bool:
    return not c.actuel.masque and c.actuel.valeur is not None


def preparer(con: duckdb.DuckDBPyConnection, filtres: Filtres) -> NoteSynthese:
    """Les chiffres et les phrases de la note, protégés par le secret statistique.

    Les chiffres clés sont ceux de la Vue d'ensemble (synthese.chiffres_cles) : mêmes valeurs, mêmes points de
    comparaison, même secret ; la note ne les recalcule pas. Une phrase ne dit jamais « secret » : un chiffre
    masqué n'a pas de phrase."""
    periode, perimetre, d = filtres.periode, filtres.perimetre, filtres.as_of
    s = synthese.chiffres_cles(con, periode, perimetre)
    fa, entrees, sorties = s.file_active, s.entrees, s.sorties
    num, lin, emploi, durable = s.diag_numerique, s.diag_linguistique, s.sortie_emploi, s.emploi_durable
    chiffres = [
        Chiffre("Personnes suivies", fa.actuel.texte, _evolution(fa)),
        Chiffre(entrees.libelle, entrees.actuel.texte, _evolution(entrees)),
        Chiffre(sorties.libelle, sorties.actuel.texte, _evolution(sorties)),
        Chiffre(num.libelle, num.actuel.texte, _evolution(num)),
        Chiffre(lin.libelle, lin.actuel.texte, _evolution(lin)),
        Chiffre(emploi.libelle, emploi.actuel.texte, f"dont emploi durable : {durable.actuel.texte}"),
    ]
    groupes, motifs = _sorties(con, filtres)

    phrases = []
    qui = "du département" if not s.sous_departement else f"de {filtres.territoire}"
    if _diffuse(fa):
        phrase = f"La file active {qui} compte {fa.actuel.texte} personnes au {formats.date_longue(d)}"
        precisions = []
        ecart = _evolution(fa)
        if fa.stable():
            precisions.append(f"stable {fa.comparaison}")
        elif ecart:
            precisions.append(ecart)
        fin_annee = s.file_active_fin_annee
        if not fin_annee.masque and fin_annee.valeur is not None:
            precisions.append(f"{fin_annee.texte} au {formats.date_longue(fin_annee.date)}")
        phrases.append(phrase + (f" ({' ; '.join(precisions)})." if precisions else "."))
    if _diffuse(entrees) and _diffuse(sorties):
        phrases.append(
            f"En {formats.mois(entrees.actuel.date)} : {entrees.actuel.texte} orientations reçues, "
            f"{sorties.actuel.texte} accompagnements terminés."
        )
    if _diffuse(num):
        phrase = (
            f"{num.actuel.texte} des personnes orientées depuis au moins 90 jours ont passé leur diagnostic "
            "numérique dans ce délai"
        )
        delai = num.extra.get("delai_median_j")
        if delai is not None:
            phrase += f" (délai médian : {formats.entier(delai)} jours)"
        if _diffuse(lin):
            phrase += f" ; {lin.actuel.texte} pour le diagnostic linguistique"
        phrases.append(phrase + ".")
    if _diffuse(emploi):
        phrase = (
            f"Parmi les personnes orientées depuis plus d'un an, {emploi.actuel.texte} sont sorties vers l'emploi "
            "dans les 12 mois"
        )
        if _diffuse(durable):
            phrase += f", dont {durable.actuel.texte} vers un emploi durable (y compris création d'entreprise)"
        ecart = _evolution(emploi)
        if ecart:
            phrase += f" ({ecart})"
        phrases.append(phrase + ".")
    sentence = _phrase_sorties(groupes, motifs)
    if sentence:
        phrases.append(sentence)
    budget_sentence = _phrase_budget(s)
    if budget_sentence:
        phrases.append(budget_sentence)
    # Une ligne par autre système du territoire (contrat §7), déjà publiée ; masquée, elle ne dit rien.
    autres = autres_systemes.lignes_synthese(con, periode, perimetre)
    for ligne in autres:
        if ligne.phrase:
            phrases.append(ligne.phrase)
    masque = vue_ensemble.a_masque(s.cartes(), autres) or s.file_active_fin_annee.masque
    if masque:
        phrases.append(
            f"Certains chiffres ne sont pas diffusés (« {secret.LIBELLE_MASQUE} ») : ils portent sur moins de "
            f"{secret.SEUIL_SECRET} personnes ou permettraient d'en déduire."
        )

    graphiques: list[tuple[str, Courbe | Barres]] = [
        ("Personnes suivies en fin de mois", _courbe_file_active(con, filtres)),
        ("Sorties de la période par groupe de motifs", _barres_sorties(groupes)),
    ]
    return NoteSynthese(filtres.territoire, filtres.derniere_extraction, filtres.resume(), chiffres, phrases,
                        graphiques, masque, requetes.est_demo(con))  # fmt: skip


def _phrase_budget(s: synthese.Synthese) -> str | None:
    """Les crédits votés et exécutés des cartes budget de la Vue d'ensemble, avec leur périmètre : tout le
    Département, ou les crédits ventilés aux ALI retenues ; le budget ne suit pas les autres filtres, la phrase
    le dit."""
    vote, execute = s.budget_vote, s.budget_execute
    if vote.actuel.valeur is None:
        return None
    annee = vote.actuel.date.year
    departement = s.budget_perimetre == indicators.DEPARTEMENT
    portee = "" if departement else " ventilés aux ALI retenues"
    phrase = f"Crédits d'insertion{portee} {annee} : {vote.actuel.texte} votés"
    en_2021 = [v for v in vote.serie if v.date.year == 2021 and v.valeur]
    if departement and annee != 2021 and en_2021:
        phrase += f" ({en_2021[0].texte} en 2021)"
    if execute.actuel.valeur is not None:
        phrase += f" ; {execute.actuel.texte} exécutés en {execute.actuel.date.year}"
    if s.budget_filtres_ignores:
        phrase += " ; ventilés par ALI seulement, ils ne suivent pas les autres filtres"
    return phrase + "."


def _courbe_file_active(con: duckdb.DuckDBPyConnection, filtres: Filtres) -> Courbe:
    serie = indicators.file_active_mensuelle(con, filtres.periode, filtres.perimetre)
    exempte = secret.departement_exempte(filtres.perimetre)
    publie = secret.proteger(serie, effectifs=["file_active"], departement=exempte).donnees
    return Courbe(
        tuple(pd.Timestamp(m).date() for m in publie["mois"]),
        tuple(None if pd.isna(v) else float(v) for v in publie["file_active"]),
    )


def _sorties(con: duckdb.DuckDBPyConnection, filtres: Filtres) -> tuple[secret.Protege, secret.Protege]:
    """Sorties de la période par groupe de motifs et par motif, protégées comme sur la vue « Sorties vers
    l'emploi » (mêmes fonctions) : un même libellé y donne le même nombre."""
    motifs = indicators.sorties_par_motif(con, filtres.periode, filtres.perimetre)
    groupes = indicators.sorties_par_groupe(con, filtres.periode, filtres.perimetre)
    au_departement = secret.departement_exempte(filtres.perimetre)
    return cohortes.sorties_par_groupe(groupes, au_departement), cohortes.proteger_motifs(motifs, au_departement)


def _effectif(protege: secret.Protege, colonne: str, code: str) -> str | None:
    """Le texte d'un effectif (« 2 985 », « 0 » pour une ligne absente) ; None s'il est masqué : une phrase
    ne dit pas « secret »."""
    lignes = (protege.donnees[colonne] == code).to_numpy()
    if not lignes.any():
        return formats.entier(0)
    if protege.masque["sorties"][lignes].any():
        return None
    return formats.entier(float(protege.donnees["sorties"][lignes].iloc[0]))


def _phrase_sorties(groupes: secret.Protege, motifs: secret.Protege) -> str | None:
    """Le groupe « emploi durable » et, entre parenthèses, ses deux motifs : les deux nombres, chacun sous son
    nom (contrat §3), pour que l'un ne se lise pas comme l'autre."""
    d = groupes.donnees
    durable = _effectif(groupes, "groupe_sortie", "emploi_durable")
    if d.empty or pd.isna(d["total"].iloc[0]) or durable is None:
        return None
    phrase = (
        f"Sur les {formats.entier(float(d['total'].iloc[0]))} sorties de la période, {durable} ont été vers un "
        "emploi durable ou une création d'entreprise"
    )
    detail = [(libelles.MOTIFS_COURTS[m], _effectif(motifs, "motif_sortie", m))
              for m in ("emploi_durable", "creation_entreprise")]  # fmt: skip
    if all(n is not None for _, n in detail):
        phrase += " (" + " ; ".join(f"{nom[0].lower()}{nom[1:]} : {n}" for nom, n in detail) + ")"
    transition = _effectif(groupes, "groupe_sortie", "emploi_transition")
    if transition is not None:
        phrase += f", {transition} vers un emploi de transition"
    return phrase + "."


def _barres_sorties(groupes: secret.Protege) -> Barres:
    d = groupes.donnees
    textes = groupes.affichage({"sorties": formats.entier})["sorties"]
    return Barres(
        tuple(d["libelle"]),
        tuple(None if pd.isna(v) else float(v) for v in d["sorties"]),
        tuple(str(t) for t in textes),
        tuple(cohortes.COULEURS_GROUPES[g] for g in d["groupe_sortie"]),
    )


# ----------------------------------------------------------------------------- mise en page


def rendre_pdf(note: NoteSynthese) -> bytes:
    """La note sur une page A4 : en-tête, chiffres clés, phrases, deux graphiques, définitions."""
    pdf = _page(note)
    _en_tete(pdf, note)
    _cartes(pdf, note.chiffres)
    _phrases(pdf, note.phrases)
    _graphiques(pdf, note.graphiques)
    _definitions(pdf)
    return bytes(pdf.output())


ECART = 4  # mm entre deux cartes ou deux graphiques


def _page(note: NoteSynthese):
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_margins(14, 12, 14)
    # Le nom de famille des fichiers : les textes des graphiques SVG le citent, fpdf2 les écrit avec ces polices.
    pdf.add_font(POLICE, "", str(DOSSIER_POLICES / "DejaVuSans.ttf"))
    pdf.add_font(POLICE, "B", str(DOSSIER_POLICES / "DejaVuSans-Bold.ttf"))
    pdf.add_font(POLICE, "I", str(DOSSIER_POLICES / "DejaVuSans-Oblique.ttf"))
    pdf.set_title(note.titre)
    pdf.set_author("Département de la Seine-Saint-Denis — ALI 93")
    pdf.set_lang("fr")
    pdf.add_page()
    return pdf


def _en_tete(pdf, note: NoteSynthese) -> None:
    largeur = pdf.epw
    pdf.set_font(POLICE, "B", 17)
    pdf.set_text_color(*BLEU)
    pdf.multi_cell(largeur, 8, note.titre, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(POLICE, "", 9.5)
    pdf.set_text_color(*GRIS)
    pdf.multi_cell(
        largeur,
        5,
        f"Données au {formats.date_longue(note.date_donnees)} · Agences locales d'insertion de la Seine-Saint-Denis",
        align="L",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    filtres = " · ".join(f"{k} : {v}" for k, v in note.filtres)
    pdf.multi_cell(largeur, 4.5, filtres, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    if note.demonstration:
        # Comme le bandeau de l'écran : une note imprimée ne doit pas passer pour des chiffres réels.
        pdf.set_fill_color(253, 243, 222)
        pdf.set_draw_color(*ORANGE)
        pdf.set_text_color(0, 0, 0)
        pdf.set_font(POLICE, "B", 9)
        pdf.multi_cell(
            largeur, 5, DEMONSTRATION, border=1, fill=True, padding=1.2, align="L", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(2)
    else:
        pdf.ln(1)


def _cartes(pdf, chiffres: list[Chiffre]) -> None:
    """Deux rangées de trois cartes."""
    largeur_carte, hauteur_carte, ecart = (pdf.epw - 2 * ECART) / 3, 21, ECART
    haut = pdf.get_y()
    for index, chiffre in enumerate(chiffres):
        x = pdf.l_margin + (index % 3) * (largeur_carte + ecart)
        y = haut + (index // 3) * (hauteur_carte + 3)
        pdf.set_draw_color(200, 200, 200)
        pdf.set_fill_color(245, 248, 251)
        pdf.rect(x, y, largeur_carte, hauteur_carte, style="DF")
        pdf.set_xy(x + 2.5, y + 1.8)
        pdf.set_font(POLICE, "", 8)
        pdf.set_text_color(*GRIS)
        pdf.cell(largeur_carte - 5, 4, chiffre.libelle)
        pdf.set_xy(x + 2.5, y + 6.5)
        pdf.set_font(POLICE, "B", 15)
        pdf.set_text_color(0, 0, 0)
        pdf.cell(largeur_carte - 5, 7, chiffre.valeur)
        if chiffre.evolution:
            pdf.set_xy(x + 2.5, y + 14.5)
            pdf.set_font(POLICE, "", 7.5)
            pdf.set_text_color(*GRIS)
            pdf.cell(largeur_carte - 5, 4, chiffre.evolution)
    pdf.set_y(haut + 2 * (hauteur_carte + 3) + 2)


def _phrases(pdf, phrases: list[str]) -> None:
    largeur = pdf.epw
    pdf.set_font(POLICE, "B", 11)
    pdf.set_text_color(*BLEU)
    pdf.cell(largeur, 6, "L'essentiel", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(POLICE, "", 9.5)
    pdf.set_text_color(0, 0, 0)
    for phrase in phrases:
        pdf.set_x(pdf.l_margin)
        pdf.multi_cell(largeur, 4.6, f"• {phrase}", align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.6)
    pdf.ln(1.5)


def _graphiques(pdf, graphiques: list[tuple[str, Courbe | Barres]]) -> None:
    """Les deux graphiques côte à côte, en vecteurs ; sur une seconde page s'ils ne tiennent plus."""
    if graphiques:
        largeur_graphique = (pdf.epw - ECART) / 2
        hauteur_graphique = largeur_graphique * 0.46
        if pdf.get_y() + hauteur_graphique + 12 > pdf.h - pdf.b_margin:
            pdf.add_page()
        y = pdf.get_y()
        for index, (titre, graphique) in enumerate(graphiques[:2]):
            x = pdf.l_margin + index * (largeur_graphique + ECART)
            pdf.set_xy(x, y)
            pdf.set_font(POLICE, "B", 9)
            pdf.set_text_color(*BLEU)
            pdf.cell(largeur_graphique, 5, titre)
            # Dessiné à sa taille réelle : 7 points dans le SVG font 7 points sur la page.
            pdf.image(
                io.BytesIO(graphique.svg(largeur_graphique, hauteur_graphique)),
                x=x,
                y=y + 5.5,
                w=largeur_graphique,
                h=hauteur_graphique,
            )
        pdf.set_y(y + hauteur_graphique + 8)


def _definitions(pdf) -> None:
    """Le secret statistique et les définitions des chiffres, en pied de page."""
    largeur = pdf.epw
    pdf.set_font(POLICE, "I", 6.5)
    pdf.set_text_color(*GRIS)
    notes = [secret.note()]
    for key in ("file_active", "diag_numerique", "sortie_emploi_12m"):
        d = DEFINITIONS[key]
        notes.append(f"{d.titre} : {d.definition}")
    notes.append(
        f"{libelles.GROUPE_EMPLOI_DURABLE} : sorties pour le motif emploi durable (CDI, CDD ou intérim de 6 mois et "
        "plus, titularisation) ou pour création d'entreprise (contrat de données §3, catégories de l'IAE) ; "
        "« motif emploi durable » : le premier seul."
    )
    for ligne in notes:
        pdf.multi_cell(largeur, 3.1, ligne, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.4)


def note_pdf(con: duckdb.DuckDBPyConnection, filtres: Filtres) -> bytes:
    return rendre_pdf(preparer(con, filtres))
