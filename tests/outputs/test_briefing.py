"""La note de synthèse PDF, rouverte : une page, le territoire, la date, les chiffres en français ; ses
graphiques dessinés sans navigateur (matplotlib → SVG → vecteurs du PDF)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pypdf
import pytest

from insertion import formats, indicators, protect
from insertion.figures import vue_ensemble
from insertion.indicators import filters, libelles, synthese
from insertion.outputs import briefing
from insertion.store import db, requetes
from insertion.store.requetes import Perimetre, Periode
from tests.conftest import build_db, csv_bytes, lignes
from tests.present.test_page_diagnostics import figures, tableau
from tests.publie import cellule, publie

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "artifacts" / "notes"


def text_of(data: bytes) -> tuple[int, str]:
    import io

    reader = pypdf.PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def render_png(pdf_path: Path) -> list[Path]:
    """La note en PNG pour qu'une personne la regarde (pdftoppm, comme en CI)."""
    assert shutil.which("pdftoppm"), "pdftoppm (poppler-utils) est installé par .ci/run"
    prefix = ARTEFACTS / pdf_path.stem
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf_path), str(prefix)], check=True)
    return sorted(ARTEFACTS.glob(f"{pdf_path.stem}*.png"))


@pytest.mark.slow
def test_departement_note_on_demo_data(demo_build):
    db_path, _, _ = demo_build
    con = db.ouvrir_en_lecture(db_path)
    try:
        derniere = requetes.date_derniere_extraction(con)
        selection = filters.pour(derniere)
        note = briefing.preparer(con, selection)
        data = briefing.rendre_pdf(note)
        expected = indicators.calculer(con, debut=selection.periode.debut)
        apercu = synthese.chiffres_cles(con, selection.periode, selection.perimetre)
    finally:
        con.close()
    pages, text = text_of(data)
    assert pages == 1  # une note d'une page, définitions comprises
    assert "Note de synthèse — Seine-Saint-Denis" in text
    assert "Données au 31 octobre 2026" in text
    # Chaque chiffre clé, au format français, est bien celui des indicateurs.
    assert formats.entier(expected["file_active"]) in text
    # Les chiffres clés sont ceux de la Vue d'ensemble, aux mêmes points de comparaison (pas une autre base) :
    # entrées et sorties du dernier mois complet, écarts « sur un mois ».
    cartes = [apercu.file_active, apercu.entrees, apercu.sorties, apercu.diag_numerique, apercu.diag_linguistique]
    assert [(c.valeur, c.evolution) for c in note.chiffres[:5]] == [
        (c.actuel.texte, vue_ensemble.evolution(c)[0]) for c in cartes
    ]
    assert note.chiffres[1].libelle == "Entrées en octobre 2026"
    assert note.chiffres[5].valeur == apercu.sortie_emploi.actuel.texte
    assert apercu.emploi_durable.actuel.texte in note.chiffres[5].evolution
    assert f"{apercu.entrees.actuel.texte} orientations" in plat(text)
    assert formats.pourcentage(expected["diag_numerique"]["taux_90j"]) in text
    assert formats.pourcentage(expected["diag_linguistique"]["taux_90j"]) in text
    assert formats.pourcentage(expected["sortie_emploi_12m"]["taux"]) in text
    assert len(note.chiffres) == 6 and all(c.valeur in text for c in note.chiffres)
    assert "Secret statistique" in text
    assert "M€" in text  # la phrase budgétaire, avec le signe euro rendu
    # Les autres systèmes (contrat §7) ont leur phrase, dont le frein le plus fréquent de la vue Freins et réseau.
    assert "Frein le plus fréquent : " in plat(text)
    assert "des personnes suivies dont la réponse est connue" in plat(text)
    assert note.demonstration and "Données de démonstration" in text  # comme le bandeau de l'écran
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / "note_departement.pdf"
    path.write_bytes(data)
    pngs = render_png(path)
    assert len(pngs) == pages and all(p.stat().st_size > 20_000 for p in pngs)


def test_small_ali_note_masks_counts_below_eleven(tmp_path):
    # 4 personnes en ALI14, orientées le 15/03/2023, extraction au 30/06/2023 : 4 < 11, donc « secret ».
    db_path = build_db(tmp_path / "petite.duckdb", {"x.csv": csv_bytes(lignes(4))})
    con = db.ouvrir_en_lecture(db_path)
    try:
        selection = filters.pour(requetes.date_derniere_extraction(con), ali=["ALI14"])
        note = briefing.preparer(con, selection)
        data = briefing.rendre_pdf(note)
    finally:
        con.close()
    _, text = text_of(data)
    assert note.chiffres[0].valeur == "secret" and note.masque
    assert "secret" in text and "ALI14" in text
    assert "compte 4 personnes" not in text
    assert "ne sont pas diffusés" in text
    # Une base chargée d'extractions (pas la démonstration) : pas de bandeau.
    assert not note.demonstration and "démonstration" not in text.lower()


@pytest.mark.slow
def test_cli_all_ali_writes_22_valid_notes(demo_build, tmp_path):
    db_path, _, _ = demo_build
    out = tmp_path / "notes"
    run = subprocess.run(
        [sys.executable, "-m", "insertion", "briefing", "--db", str(db_path), "--all-ali", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    files = sorted(out.glob("*.pdf"))
    assert len(files) == 22
    for path in files:
        pages, text = text_of(path.read_bytes())
        code = path.name.split("_")[1]
        assert 1 <= pages <= 2 and code in text and "Données au 31 octobre 2026" in text, path.name


@pytest.mark.slow
def test_cli_one_note_for_an_ept(demo_build, tmp_path):
    db_path, _, _ = demo_build
    target = tmp_path / "ept.pdf"
    run = subprocess.run(
        [sys.executable, "-m", "insertion", "briefing", "--db", str(db_path), "--ept", "Est Ensemble",
         "--from", "2025-01-01", "--to", "2025-12-31", "--out", str(target)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    _, text = text_of(target.read_bytes())
    assert "EPT Est Ensemble" in text and "31 décembre 2025" in text
    con = db.ouvrir_en_lecture(db_path)
    try:
        expected = indicators.calculer(con, as_of="2025-12-31", perimetre=Perimetre(epts=("Est Ensemble",)))
    finally:
        con.close()
    assert formats.entier(expected["file_active"]) in text
    assert "ept.pdf" in run.stdout and " s" in run.stdout  # la CLI dit où elle a écrit et en combien de temps


# --- Sans navigateur ---------------------------------------------------------------------------------------

# Lance la CLI sans aucun navigateur : `shutil.which` ne trouve aucun Chromium, et les bibliothèques qui en
# pilotent un (kaleido, choreographer, playwright, selenium) ne s'importent pas. Le PATH du processus est vide
# et $BROWSER_PATH désigne un fichier absent : ce que voit un poste où Chromium n'est pas installé.
SANS_NAVIGATEUR = """
import shutil, sys
_which = shutil.which
shutil.which = lambda nom, *a, **k: None if "chrom" in str(nom).lower() else _which(nom, *a, **k)

class PasDeNavigateur:
    def find_spec(self, nom, chemin=None, cible=None):
        if nom.split(".")[0] in {"kaleido", "choreographer", "playwright", "selenium"}:
            raise ImportError(f"{nom} : aucun navigateur dans ce test")
        return None

sys.meta_path.insert(0, PasDeNavigateur())
from insertion.outputs.cli import main
sys.exit(main(sys.argv[1:]))
"""


def plat(texte: str) -> str:
    """Espaces (fines insécables comprises) et retours à la ligne du PDF ramenés à une espace."""
    return re.sub(r"\s+", " ", texte).strip()


@pytest.mark.slow  # la démonstration complète (demo_build : 25 à 50 s au calme, plus sous charge)
def test_cli_note_without_any_browser_has_vector_charts(demo_build, tmp_path):
    db_path, _, _ = demo_build
    vide = tmp_path / "bin-vide"
    vide.mkdir()
    env = {**os.environ, "PATH": str(vide), "BROWSER_PATH": str(tmp_path / "chromium-absent")}
    target = tmp_path / "note_sans_navigateur.pdf"
    run = subprocess.run(
        [sys.executable, "-c", SANS_NAVIGATEUR, "briefing", "--db", str(db_path), "--ali", "ALI08",
         "--out", str(target)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Chromium" not in run.stderr and "SVG" not in run.stderr  # ni refus, ni avertissement de fpdf2
    data = target.read_bytes()
    pages, text = text_of(data)
    con = db.ouvrir_en_lecture(db_path)
    try:
        perimetre = Perimetre(alis=("ALI08",))
        expected = indicators.calculer(con, debut="2023-01-01", perimetre=perimetre)
        apercu = synthese.chiffres_cles(con, Periode(as_of=date(2026, 10, 31), debut=date(2023, 1, 1)), perimetre)
    finally:
        con.close()
    assert pages == 1 and "ALI08 · Montreuil" in text
    assert formats.entier(expected["file_active"]) in text and apercu.entrees.actuel.texte in text
    assert formats.pourcentage(expected["sortie_emploi_12m"]["taux"]) in text
    # Les graphiques sont du dessin et du texte du PDF, pas des images : leurs étiquettes françaises se relisent.
    for etiquette in ("janv. 2024", "janv. 2025", "janv. 2026", "Emploi de transition", "Autres sorties"):
        assert etiquette in text, etiquette
    assert libelles.GROUPE_EMPLOI_DURABLE in plat(text)
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    xobjects = page["/Resources"].get("/XObject") or {}
    assert not [k for k, v in xobjects.items() if v.get_object().get("/Subtype") == "/Image"]
    # Le texte des graphiques est écrit avec la police embarquée, pas une police standard de repli (Helvetica).
    polices = {str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
    assert polices and all("DejaVuSans" in nom for nom in polices), polices
    contenu = page.get_contents().get_data()
    assert len(re.findall(rb"-?[\d.]+ -?[\d.]+ l\b", contenu)) >= 40  # la courbe (46 mois) et les axes
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(target, ARTEFACTS / "note_ALI08_sans_navigateur.pdf")
    render_png(ARTEFACTS / "note_ALI08_sans_navigateur.pdf")


# --- « Emploi durable » : le groupe et le motif -------------------------------------------------------------


@pytest.mark.slow  # la démonstration complète (demo_build : 25 à 50 s au calme, plus sous charge)
def test_emploi_durable_group_and_reason_keep_their_own_numbers(demo_build, app_test):
    """Contrat §3 : le groupe « emploi durable » compte les motifs emploi_durable et creation_entreprise. La note
    donne le groupe sous son libellé et le motif seul sous le sien ; chacun vaut, dans la note, ce que donnent
    une requête écrite ici sur les épisodes, la vue « Sorties vers l'emploi » et la CLI."""
    db_path, _, _ = demo_build
    con = db.ouvrir_en_lecture(db_path)
    try:
        selection = filters.pour(requetes.date_derniere_extraction(con), ali=["ALI08"])
        with protect.publication():  # comme dans l'application et la CLI
            note = briefing.preparer(con, selection)
        data = briefing.rendre_pdf(note)
        groupe, motif = con.execute(
            """
            SELECT count(*) FILTER (WHERE motif_sortie IN ('emploi_durable', 'creation_entreprise')),
                   count(*) FILTER (WHERE motif_sortie = 'emploi_durable')
            FROM episodes
            WHERE code_ali = $ali AND date_sortie BETWEEN $debut AND $d
            """,
            {"ali": "ALI08", "debut": selection.periode.debut, "d": selection.as_of},
        ).fetchone()
    finally:
        con.close()
    assert groupe > motif > 10  # deux nombres différents, tous deux diffusables pour une ALI
    # Publiés, chacun est une case avec le bruit de sa clé (insertion/protect) : la note, la vue et la CLI
    # donnent ces deux valeurs publiées.
    params = {**selection.periode.parametres(), **selection.perimetre.parametres(), "groupe": "departement"}
    groupe_vrai, motif_vrai = groupe, motif
    groupe = cellule(publie(db_path, "sorties_par_groupe", **params), "sorties", groupe_sortie="emploi_durable")
    motif = cellule(publie(db_path, "sorties_par_motif", **params), "sorties", motif_sortie="emploi_durable")
    assert abs(groupe - groupe_vrai) <= 3 and abs(motif - motif_vrai) <= 3
    _, text = text_of(data)
    n_groupe, n_motif = plat(formats.entier(groupe)), plat(formats.entier(motif))
    assert (
        f"{n_groupe} ont été vers un emploi durable ou une création d'entreprise "
        f"(motif emploi durable (CDI, CDD ≥ 6 mois) : {n_motif} ;"
    ) in plat(text)
    _, barres = note.graphiques[1]
    assert dict(zip(barres.libelles, barres.textes, strict=True))[libelles.GROUPE_EMPLOI_DURABLE] == formats.entier(
        groupe
    )
    assert "Emploi durable" not in barres.libelles  # jamais le libellé nu, qui se lisait des deux façons

    # La vue « Sorties vers l'emploi » : le motif dans le graphique des motifs, le groupe dans celui des groupes.
    at = app_test(db_path, "pages/sorties.py", query_params={"ali": ["ALI08"]})
    motifs = next(f for f in figures(at) if "sorties par motif" in f["layout"].get("title", {}).get("text", ""))
    durable = next(t for t in motifs["data"] if t["name"] == libelles.GROUPE_EMPLOI_DURABLE)
    assert durable["y"][0] == libelles.MOTIF_EMPLOI_DURABLE and tableau(durable["x"])[0] == motif

    # La CLI : les deux nombres, chacun sous le même libellé qu'à l'écran et dans la note.
    run = subprocess.run(
        [sys.executable, "-m", "insertion", "indicators", "--db", str(db_path), "--ali", "ALI08",
         "--from", selection.periode.debut.isoformat()],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert f"{libelles.MOTIF_EMPLOI_DURABLE} : {formats.entier(motif)}" in run.stdout
    assert f"{libelles.GROUPE_EMPLOI_DURABLE} : {formats.entier(groupe)}" in run.stdout


# --- La courbe : des années lisibles ------------------------------------------------------------------------


def _etiquettes_mois(svg: bytes) -> list[tuple[str, float, str, str]]:
    """(texte, x, ancrage, transformation) des étiquettes de mois « janv. 2024 » du SVG."""
    out = []
    for element in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text"):
        texte = "".join(element.itertext()).strip()
        if re.fullmatch(r"\w+\.? \d{4}", texte):
            style = element.get("style", "")
            ancrage = re.search(r"text-anchor: (\w+)", style)
            out.append((texte, float(element.get("x")), ancrage.group(1) if ancrage else "start",
                        element.get("transform", "")))  # fmt: skip
    return out


@pytest.mark.parametrize(
    ("premier", "n_mois", "attendues"),
    [
        (date(2023, 1, 1), 46, ["janv. 2023", "janv. 2024", "janv. 2025", "janv. 2026"]),
        (date(2021, 3, 1), 68, ["janv. 2022", "janv. 2024", "janv. 2026"]),
        (date(2025, 11, 1), 12, ["janv. 2026", "avr. 2026", "juil. 2026", "oct. 2026"]),
        (date(2026, 8, 1), 3, ["août 2026", "sept. 2026", "oct. 2026"]),
    ],
)
def test_month_labels_are_french_horizontal_and_inside_the_chart(premier, n_mois, attendues):
    from matplotlib.font_manager import FontProperties, findfont
    from matplotlib.textpath import TextToPath

    from insertion.figures import note as figures_note

    mois = [date(premier.year + (premier.month - 1 + k) // 12, (premier.month - 1 + k) % 12 + 1, 1)
            for k in range(n_mois)]  # fmt: skip
    valeurs = [100.0 * (k + 1) for k in range(n_mois)]
    svg = figures_note.courbe_mensuelle(mois, valeurs, largeur_mm=89, hauteur_mm=49)
    etiquettes = _etiquettes_mois(svg)
    assert [e[0] for e in etiquettes] == attendues
    largeur_svg = float(ET.fromstring(svg).get("viewBox").split()[2])
    police = FontProperties(family=figures_note.POLICE, size=figures_note.TAILLE)
    assert Path(findfont(police)).parent == figures_note.FONTS  # mesurées avec la police qu'embarque le PDF
    mesure = TextToPath()
    for texte, x, ancrage, transformation in etiquettes:
        angle = re.search(r"rotate\((-?[\d.]+)", transformation)
        assert angle is None or float(angle.group(1)) == 0, transformation  # horizontales
        largeur, _, _ = mesure.get_text_width_height_descent(texte, police, ismath=False)
        gauche = x - {"start": 0, "middle": largeur / 2, "end": largeur}[ancrage]
        assert 0 <= gauche and gauche + largeur <= largeur_svg, (texte, gauche, largeur, largeur_svg)
    # Assez d'espace entre deux étiquettes voisines pour qu'elles ne se touchent pas.
    centres = [x for _, x, _, _ in etiquettes]
    largeur_max = max(mesure.get_text_width_height_descent(t, police, ismath=False)[0] for t, *_ in etiquettes)
    assert all(b - a > largeur_max * 1.1 for a, b in zip(centres, centres[1:], strict=False))
    if max(valeurs) >= 2000:  # les effectifs de l'axe au format français (espace fine insécable des milliers)
        assert re.search(r">\d{1,3}\u202f\d{3}</text>", svg.decode())


def test_masked_months_break_the_line_and_a_fully_masked_series_says_so():
    from insertion.figures import note as figures_note

    mois = [date(2026, m, 1) for m in range(1, 11)]
    troue = figures_note.courbe_mensuelle(mois, [20, 25, None, None, 30, 31, 33, 34, 35, 40], largeur_mm=89,
                                          hauteur_mm=49)  # fmt: skip
    courbe = re.search(r'<path d="([^"]*)"[^>]*stroke: #0072b2', troue.decode()).group(1)
    assert courbe.count("M") == 2 and courbe.count("L") == 6  # janv.-févr., puis mai-oct. : deux morceaux
    assert b">40</text>" in troue  # la dernière valeur écrite au bout de la courbe
    vide = figures_note.courbe_mensuelle(mois, [None] * 10, largeur_mm=89, hauteur_mm=49)
    assert b"Aucune valeur diffusable" in vide
