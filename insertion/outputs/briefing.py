"""Note de synthèse : une page A4 (deux au plus) qu'un élu lit en deux minutes.

`preparer()` rassemble les chiffres (secret statistique appliqué, comme à l'écran) et écrit
les phrases ; `rendre_pdf()` met en page avec fpdf2 (polices DejaVu embarquées : accents et
« € » rendus partout, sans dépendre des polices du poste). Les graphiques sont dessinés par
matplotlib en SVG et embarqués en vecteurs (insertion/figures/note.py) : aucun navigateur.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from insertion import formats, indicators
from insertion.figures import cohortes
from insertion.indicators import autres_systemes, libelles
from insertion.indicators.definitions import DEFINITIONS
from insertion.indicators.filters import Filtres
from insertion.protect import secret
from insertion.store import requetes
from insertion.store.requetes import Periode

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


def _un_an_avant(jour: date) -> date:
    try:
        return jour.replace(year=jour.year - 1)
    except ValueError:  # 29 février
        return jour - timedelta(days=365)


def _valeur(df: pd.DataFrame, colonne: str) -> float | None:
    if df.empty or pd.isna(df[colonne].iloc[0]):
        return None
    return float(df[colonne].iloc[0])


def _variation(maintenant: float | None, avant: float | None) -> float | None:
    return None if maintenant is None or not avant else (maintenant - avant) / avant


def preparer(con: duckdb.DuckDBPyConnection, filtres: Filtres) -> NoteSynthese:
    """Les chiffres et les phrases de la note, protégés par le secret statistique."""
    perimetre, periode = filtres.perimetre, filtres.periode
    d = filtres.as_of
    sous_departement = filtres.sous_departement  # pour les libellés ; le secret suit departement_exempte
    exempte = secret.departement_exempte(perimetre)
    il_y_a_un_an = _un_an_avant(d)
    avant = Periode(as_of=il_y_a_un_an, debut=periode.debut, fin=il_y_a_un_an)

    def effectif(valeur: float | None) -> tuple[str, bool]:
        """Un effectif à afficher, et s'il est masqué."""
        tableau = pd.DataFrame({"n": [valeur]})
        publie = secret.proteger(tableau, effectifs=["n"], departement=exempte)
        return publie.affichage({"n": formats.entier})["n"].iloc[0], publie.a_masque

    def taux(valeur: float | None, denominateur: float | None) -> tuple[str, bool]:
        tableau = pd.DataFrame({"t": [valeur], "d": [denominateur or 0]})
        publie = secret.proteger(tableau, taux={"t": "d"}, departement=exempte)
        return publie.affichage({"t": formats.pourcentage})["t"].iloc[0], publie.a_masque

    masque = False
    fa = _valeur(indicators.file_active(con, periode, perimetre), "file_active")
    fa_avant = _valeur(indicators.file_active(con, avant, perimetre), "file_active")
    flux = indicators.entrees_sorties(con, periode, perimetre)
    entrees, sorties = _valeur(flux, "entrees"), _valeur(flux, "sorties")
    diag_num = indicators.taux_diagnostic(con, periode, perimetre, diagnostic="numerique")
    diag_lin = indicators.taux_diagnostic(con, periode, perimetre, diagnostic="linguistique")
    emploi = indicators.taux_sortie_emploi(con, periode, perimetre)
    emploi_avant = indicators.taux_sortie_emploi(con, avant, perimetre)

    fa_texte, m1 = effectif(fa)
    # La valeur d'il y a un an est publiée (dans la phrase et par l'évolution) : protégée comme l'autre.
    fa_avant_texte, m_avant = effectif(fa_avant)
    ent_texte, m2 = effectif(entrees)
    sor_texte, m3 = effectif(sorties)
    num_texte, m4 = taux(_valeur(diag_num, "taux_90j"), _valeur(diag_num, "denominateur"))
    lin_texte, m5 = taux(_valeur(diag_lin, "taux_90j"), _valeur(diag_lin, "denominateur"))
    emp_texte, m6 = taux(_valeur(emploi, "taux_sortie_emploi"), _valeur(emploi, "denominateur"))
    dur_texte, m7 = taux(_valeur(emploi, "taux_emploi_durable"), _valeur(emploi, "denominateur"))
    masque = any((m1, m2, m3, m4, m5, m6, m7))

    fa_evolution = None if m1 or m_avant else _variation(fa, fa_avant)
    chiffres = [
        Chiffre(
            "Personnes suivies",
            fa_texte,
            None if fa_evolution is None else f"{formats.evolution_pourcentage(fa, fa_avant)} en un an",
        ),
        Chiffre("Orientations sur la période", ent_texte),
        Chiffre("Sorties sur la période", sor_texte),
        Chiffre("Diagnostic numérique à 90 jours", num_texte),
        Chiffre("Diagnostic linguistique à 90 jours", lin_texte),
        Chiffre("Sorties en emploi à 12 mois", emp_texte, f"dont emploi durable : {dur_texte}"),
    ]
    groupes, motifs = _sorties(con, filtres)

    phrases = []
    qui = "du département" if not sous_departement else f"de {filtres.territoire}"
    if not m1 and fa is not None:
        phrase = f"La file active {qui} compte {fa_texte} personnes au {formats.date_longue(d)}"
        if fa_evolution is not None and fa_avant:
            sens = "a progressé" if fa_evolution > 0.005 else "a reculé" if fa_evolution < -0.005 else "est stable"
            ampleur = "" if sens == "est stable" else f" de {formats.pourcentage(abs(fa_evolution))}"
            phrase += (
                f" : elle {sens}{ampleur} en un an (elle comptait {fa_avant_texte} personnes "
                f"au {formats.date_longue(il_y_a_un_an)})."
            )
        else:
            phrase += "."
        phrases.append(phrase)
    if not (m2 or m3) and entrees is not None:
        phrases.append(
            f"Du {formats.date_longue(periode.debut)} au {formats.date_longue(d)}, {ent_texte} orientations ont été "
            f"reçues et {sor_texte} accompagnements se sont terminés."
        )
    if not m4 and _valeur(diag_num, "taux_90j") is not None:
        # Médiane sur les diagnostiqués, dont ceux du numérateur : un numérateur ≥ seuil suffit (prudent).
        delai = secret.mediane_publiee(_valeur(diag_num, "delai_median_j"), _valeur(diag_num, "numerateur"))
        phrase = (
            f"{num_texte} des personnes orientées depuis au moins 90 jours ont passé leur diagnostic numérique "
            "dans ce délai"
        )
        if delai is not None:
            phrase += f" (délai médian : {formats.entier(delai)} jours)"
        if not m5 and _valeur(diag_lin, "taux_90j") is not None:
            phrase += f" ; {lin_texte} pour le diagnostic linguistique"
        phrases.append(phrase + ".")
    if not m6 and _valeur(emploi, "taux_sortie_emploi") is not None:
        phrase = (
            f"Parmi les personnes orientées depuis plus d'un an, {emp_texte} sont sorties vers l'emploi dans les "
            f"12 mois, dont {dur_texte} vers un emploi durable (y compris création d'entreprise)"
        )
        taux_avant = _valeur(emploi_avant, "taux_sortie_emploi")
        # L'évolution ne se publie que si le taux d'il y a un an le serait (règle des taux).
        _, taux_avant_masque = taux(taux_avant, _valeur(emploi_avant, "denominateur"))
        if taux_avant is not None and not taux_avant_masque:
            phrase += f" ({formats.evolution_points(_valeur(emploi, 'taux_sortie_emploi'), taux_avant)} en un an)"
        phrases.append(phrase + ".")
    phrase_sorties = _phrase_sorties(groupes, motifs)
    if phrase_sorties:
        phrases.append(phrase_sorties)
    phrase_budget = _phrase_budget(con, filtres)
    if phrase_budget:
        phrases.append(phrase_budget)
    # Une ligne par autre système du territoire (contrat §7), déjà publiée ; masquée, elle ne dit rien.
    for ligne in autres_systemes.lignes_synthese(con, periode, perimetre):
        masque = masque or ligne.valeur == secret.LIBELLE_MASQUE
        if ligne.phrase:
            phrases.append(ligne.phrase)
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


def _phrase_budget(con: duckdb.DuckDBPyConnection, filtres: Filtres) -> str | None:
    p = filtres.perimetre
    if p.epts or p.communes or len(p.alis) > 1:
        return None  # le budget n'est ventilé que par ALI
    groupe = "ali" if p.alis else "departement"
    budget = indicators.budget_annuel(con, p, groupe=groupe)
    if budget.empty:
        return None
    total = budget[budget["ligne"] == "total"]
    if p.alis:
        total = total[total["groupe"] == p.alis[0]]
    annee = filtres.as_of.year
    cette_annee = total[total["annee"] == annee]
    if cette_annee.empty:
        return None
    vote = float(cette_annee["montant_vote"].iloc[0])
    phrase = f"Crédits d'insertion {annee} : {formats.millions_euros(vote)} votés"
    if not p.alis:
        base = total[total["annee"] == 2021]
        if not base.empty and float(base["montant_vote"].iloc[0]):
            phrase += f", contre {formats.millions_euros(float(base['montant_vote'].iloc[0]))} en 2021"
    execute = cette_annee["montant_execute"].iloc[0]
    if pd.notna(execute):
        phrase += f" ; {formats.millions_euros(float(execute))} exécutés"
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

    # Chiffres clés : deux rangées de trois cartes.
    largeur_carte, hauteur_carte, ecart = (largeur - 2 * 4) / 3, 21, 4
    haut = pdf.get_y()
    for index, chiffre in enumerate(note.chiffres):
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

    pdf.set_font(POLICE, "B", 11)
    pdf.set_text_color(*BLEU)
    pdf.cell(largeur, 6, "L'essentiel", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(POLICE, "", 9.5)
    pdf.set_text_color(0, 0, 0)
    for phrase in note.phrases:
        pdf.set_x(pdf.l_margin)
        pdf.multi_cell(largeur, 4.6, f"• {phrase}", align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.6)
    pdf.ln(1.5)

    if note.graphiques:
        largeur_graphique = (largeur - ecart) / 2
        hauteur_graphique = largeur_graphique * 0.46
        if pdf.get_y() + hauteur_graphique + 12 > pdf.h - pdf.b_margin:
            pdf.add_page()
        y = pdf.get_y()
        for index, (titre, graphique) in enumerate(note.graphiques[:2]):
            x = pdf.l_margin + index * (largeur_graphique + ecart)
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
    return bytes(pdf.output())


def note_pdf(con: duckdb.DuckDBPyConnection, filtres: Filtres) -> bytes:
    return rendre_pdf(preparer(con, filtres))
