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

FONTS = Path(__file__).resolve().parent.parent / "fonts"
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


def _one_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 février
        return day - timedelta(days=365)


def _value(df: pd.DataFrame, column: str) -> float | None:
    if df.empty or pd.isna(df[column].iloc[0]):
        return None
    return float(df[column].iloc[0])


def _variation(now: float | None, before: float | None) -> float | None:
    return None if now is None or not before else (now - before) / before


def preparer(con: duckdb.DuckDBPyConnection, filtres: Filtres) -> NoteSynthese:
    """Les chiffres et les phrases de la note, protégés par le secret statistique."""
    perimetre, periode = filtres.perimetre, filtres.periode
    d = filtres.as_of
    below = filtres.sous_departement  # pour les libellés ; le secret suit departement_exempte
    exempte = secret.departement_exempte(perimetre)
    a_year_ago = _one_year_before(d)
    before = Periode(as_of=a_year_ago, debut=periode.debut, fin=a_year_ago)

    def count(value: float | None) -> tuple[str, bool]:
        """Un effectif à afficher, et s'il est masqué."""
        frame = pd.DataFrame({"n": [value]})
        shown = secret.proteger(frame, effectifs=["n"], departement=exempte)
        return shown.affichage({"n": formats.entier})["n"].iloc[0], shown.a_masque

    def rate(value: float | None, denominator: float | None) -> tuple[str, bool]:
        frame = pd.DataFrame({"t": [value], "d": [denominator or 0]})
        shown = secret.proteger(frame, taux={"t": "d"}, departement=exempte)
        return shown.affichage({"t": formats.pourcentage})["t"].iloc[0], shown.a_masque

    masked = False
    fa_now = _value(indicators.file_active(con, periode, perimetre), "file_active")
    fa_before = _value(indicators.file_active(con, before, perimetre), "file_active")
    flux = indicators.entrees_sorties(con, periode, perimetre)
    entrees, sorties = _value(flux, "entrees"), _value(flux, "sorties")
    diag_num = indicators.taux_diagnostic(con, periode, perimetre, diagnostic="numerique")
    diag_lin = indicators.taux_diagnostic(con, periode, perimetre, diagnostic="linguistique")
    emploi = indicators.taux_sortie_emploi(con, periode, perimetre)
    emploi_before = indicators.taux_sortie_emploi(con, before, perimetre)

    fa_text, m1 = count(fa_now)
    # La valeur d'il y a un an est publiée (dans la phrase et par l'évolution) : protégée comme l'autre.
    fa_before_text, m_before = count(fa_before)
    ent_text, m2 = count(entrees)
    sor_text, m3 = count(sorties)
    num_text, m4 = rate(_value(diag_num, "taux_90j"), _value(diag_num, "denominateur"))
    lin_text, m5 = rate(_value(diag_lin, "taux_90j"), _value(diag_lin, "denominateur"))
    emp_text, m6 = rate(_value(emploi, "taux_sortie_emploi"), _value(emploi, "denominateur"))
    dur_text, m7 = rate(_value(emploi, "taux_emploi_durable"), _value(emploi, "denominateur"))
    masked = any((m1, m2, m3, m4, m5, m6, m7))

    fa_var = None if m1 or m_before else _variation(fa_now, fa_before)
    chiffres = [
        Chiffre(
            "Personnes suivies",
            fa_text,
            None if fa_var is None else f"{formats.evolution_pourcentage(fa_now, fa_before)} en un an",
        ),
        Chiffre("Orientations sur la période", ent_text),
        Chiffre("Sorties sur la période", sor_text),
        Chiffre("Diagnostic numérique à 90 jours", num_text),
        Chiffre("Diagnostic linguistique à 90 jours", lin_text),
        Chiffre("Sorties en emploi à 12 mois", emp_text, f"dont emploi durable : {dur_text}"),
    ]
    groupes, motifs = _sorties(con, filtres)

    phrases = []
    qui = "du département" if not below else f"de {filtres.territoire}"
    if not m1 and fa_now is not None:
        phrase = f"La file active {qui} compte {fa_text} personnes au {formats.date_longue(d)}"
        if fa_var is not None and fa_before:
            sens = "a progressé" if fa_var > 0.005 else "a reculé" if fa_var < -0.005 else "est stable"
            amount = "" if sens == "est stable" else f" de {formats.pourcentage(abs(fa_var))}"
            phrase += (
                f" : elle {sens}{amount} en un an (elle comptait {fa_before_text} personnes "
                f"au {formats.date_longue(a_year_ago)})."
            )
        else:
            phrase += "."
        phrases.append(phrase)
    if not (m2 or m3) and entrees is not None:
        phrases.append(
            f"Du {formats.date_longue(periode.debut)} au {formats.date_longue(d)}, {ent_text} orientations ont été "
            f"reçues et {sor_text} accompagnements se sont terminés."
        )
    if not m4 and _value(diag_num, "taux_90j") is not None:
        # Médiane sur les diagnostiqués, dont ceux du numérateur : un numérateur ≥ seuil suffit (prudent).
        delay = secret.mediane_publiee(_value(diag_num, "delai_median_j"), _value(diag_num, "numerateur"))
        phrase = (
            f"{num_text} des personnes orientées depuis au moins 90 jours ont passé leur diagnostic numérique "
            "dans ce délai"
        )
        if delay is not None:
            phrase += f" (délai médian : {formats.entier(delay)} jours)"
        if not m5 and _value(diag_lin, "taux_90j") is not None:
            phrase += f" ; {lin_text} pour le diagnostic linguistique"
        phrases.append(phrase + ".")
    if not m6 and _value(emploi, "taux_sortie_emploi") is not None:
        phrase = (
            f"Parmi les personnes orientées depuis plus d'un an, {emp_text} sont sorties vers l'emploi dans les "
            f"12 mois, dont {dur_text} vers un emploi durable (y compris création d'entreprise)"
        )
        earlier = _value(emploi_before, "taux_sortie_emploi")
        # L'évolution ne se publie que si le taux d'il y a un an le serait (règle des taux).
        _, earlier_masked = rate(earlier, _value(emploi_before, "denominateur"))
        if earlier is not None and not earlier_masked:
            phrase += f" ({formats.evolution_points(_value(emploi, 'taux_sortie_emploi'), earlier)} en un an)"
        phrases.append(phrase + ".")
    sentence = _phrase_sorties(groupes, motifs)
    if sentence:
        phrases.append(sentence)
    budget_sentence = _budget_sentence(con, filtres)
    if budget_sentence:
        phrases.append(budget_sentence)
    # Une ligne par autre système du territoire (contrat §7), déjà publiée ; masquée, elle ne dit rien.
    for ligne in autres_systemes.lignes_synthese(con, periode, perimetre):
        masked = masked or ligne.valeur == secret.LIBELLE_MASQUE
        if ligne.phrase:
            phrases.append(ligne.phrase)
    if masked:
        phrases.append(
            f"Certains chiffres ne sont pas diffusés (« {secret.LIBELLE_MASQUE} ») : ils portent sur moins de "
            f"{secret.SEUIL_SECRET} personnes ou permettraient d'en déduire."
        )

    graphiques: list[tuple[str, Courbe | Barres]] = [
        ("Personnes suivies en fin de mois", _courbe_file_active(con, filtres)),
        ("Sorties de la période par groupe de motifs", _barres_sorties(groupes)),
    ]
    return NoteSynthese(filtres.territoire, filtres.derniere_extraction, filtres.resume(), chiffres, phrases,
                        graphiques, masked, requetes.est_demo(con))  # fmt: skip


def _budget_sentence(con: duckdb.DuckDBPyConnection, filtres: Filtres) -> str | None:
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
    year = filtres.as_of.year
    this_year = total[total["annee"] == year]
    if this_year.empty:
        return None
    voted = float(this_year["montant_vote"].iloc[0])
    sentence = f"Crédits d'insertion {year} : {formats.millions_euros(voted)} votés"
    if not p.alis:
        base = total[total["annee"] == 2021]
        if not base.empty and float(base["montant_vote"].iloc[0]):
            sentence += f", contre {formats.millions_euros(float(base['montant_vote'].iloc[0]))} en 2021"
    executed = this_year["montant_execute"].iloc[0]
    if pd.notna(executed):
        sentence += f" ; {formats.millions_euros(float(executed))} exécutés"
    return sentence + "."


def _courbe_file_active(con: duckdb.DuckDBPyConnection, filtres: Filtres) -> Courbe:
    serie = indicators.file_active_mensuelle(con, filtres.periode, filtres.perimetre)
    exempte = secret.departement_exempte(filtres.perimetre)
    shown = secret.proteger(serie, effectifs=["file_active"], departement=exempte).donnees
    return Courbe(
        tuple(pd.Timestamp(m).date() for m in shown["mois"]),
        tuple(None if pd.isna(v) else float(v) for v in shown["file_active"]),
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
    pdf.add_font(POLICE, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(POLICE, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_font(POLICE, "I", str(FONTS / "DejaVuSans-Oblique.ttf"))
    pdf.set_title(note.titre)
    pdf.set_author("Département de la Seine-Saint-Denis — ALI 93")
    pdf.set_lang("fr")
    pdf.add_page()
    width = pdf.epw

    pdf.set_font(POLICE, "B", 17)
    pdf.set_text_color(*BLEU)
    pdf.multi_cell(width, 8, note.titre, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(POLICE, "", 9.5)
    pdf.set_text_color(*GRIS)
    pdf.multi_cell(
        width,
        5,
        f"Données au {formats.date_longue(note.date_donnees)} · Agences locales d'insertion de la Seine-Saint-Denis",
        align="L",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    filtres = " · ".join(f"{k} : {v}" for k, v in note.filtres)
    pdf.multi_cell(width, 4.5, filtres, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    if note.demonstration:
        # Comme le bandeau de l'écran : une note imprimée ne doit pas passer pour des chiffres réels.
        pdf.set_fill_color(253, 243, 222)
        pdf.set_draw_color(*ORANGE)
        pdf.set_text_color(0, 0, 0)
        pdf.set_font(POLICE, "B", 9)
        pdf.multi_cell(
            width, 5, DEMONSTRATION, border=1, fill=True, padding=1.2, align="L", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(2)
    else:
        pdf.ln(1)

    # Chiffres clés : deux rangées de trois cartes.
    card_w, card_h, gap = (width - 2 * 4) / 3, 21, 4
    top = pdf.get_y()
    for index, chiffre in enumerate(note.chiffres):
        x = pdf.l_margin + (index % 3) * (card_w + gap)
        y = top + (index // 3) * (card_h + 3)
        pdf.set_draw_color(200, 200, 200)
        pdf.set_fill_color(245, 248, 251)
        pdf.rect(x, y, card_w, card_h, style="DF")
        pdf.set_xy(x + 2.5, y + 1.8)
        pdf.set_font(POLICE, "", 8)
        pdf.set_text_color(*GRIS)
        pdf.cell(card_w - 5, 4, chiffre.libelle)
        pdf.set_xy(x + 2.5, y + 6.5)
        pdf.set_font(POLICE, "B", 15)
        pdf.set_text_color(0, 0, 0)
        pdf.cell(card_w - 5, 7, chiffre.valeur)
        if chiffre.evolution:
            pdf.set_xy(x + 2.5, y + 14.5)
            pdf.set_font(POLICE, "", 7.5)
            pdf.set_text_color(*GRIS)
            pdf.cell(card_w - 5, 4, chiffre.evolution)
    pdf.set_y(top + 2 * (card_h + 3) + 2)

    pdf.set_font(POLICE, "B", 11)
    pdf.set_text_color(*BLEU)
    pdf.cell(width, 6, "L'essentiel", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(POLICE, "", 9.5)
    pdf.set_text_color(0, 0, 0)
    for phrase in note.phrases:
        pdf.set_x(pdf.l_margin)
        pdf.multi_cell(width, 4.6, f"• {phrase}", align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.6)
    pdf.ln(1.5)

    if note.graphiques:
        chart_w = (width - gap) / 2
        chart_h = chart_w * 0.46
        if pdf.get_y() + chart_h + 12 > pdf.h - pdf.b_margin:
            pdf.add_page()
        y = pdf.get_y()
        for index, (titre, graphique) in enumerate(note.graphiques[:2]):
            x = pdf.l_margin + index * (chart_w + gap)
            pdf.set_xy(x, y)
            pdf.set_font(POLICE, "B", 9)
            pdf.set_text_color(*BLEU)
            pdf.cell(chart_w, 5, titre)
            # Dessiné à sa taille réelle : 7 points dans le SVG font 7 points sur la page.
            pdf.image(io.BytesIO(graphique.svg(chart_w, chart_h)), x=x, y=y + 5.5, w=chart_w, h=chart_h)
        pdf.set_y(y + chart_h + 8)

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
    for line in notes:
        pdf.multi_cell(width, 3.1, line, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.4)
    return bytes(pdf.output())


def note_pdf(con: duckdb.DuckDBPyConnection, filtres: Filtres) -> bytes:
    return rendre_pdf(preparer(con, filtres))
