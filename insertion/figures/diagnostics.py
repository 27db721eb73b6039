"""La vue « Diagnostics » : chiffres clés, figures, tableaux et résumés, prêts à placer par pages/diagnostics.py.

`VueDiagnostics` lit les indicateurs par les deux fonctions de requête de la page (`ctx.requete`, `ctx.sql`, en
cache) et rend des objets prêts : arguments des cartes KPI, `graphique.Graphique`, ou None quand les filtres ne
laissent rien à montrer (la page écrit alors l'état vide). Ni Streamlit ni SQL ici ; le secret passe toujours
par insertion.figures.cohortes (donc `secret.proteger`).
"""

from __future__ import annotations

import pandas as pd

from insertion import formats
from insertion.figures import cohortes, resumes
from insertion.figures import tableau as tb
from insertion.figures.cohortes import DIAGNOSTICS
from insertion.figures.diagnostics_figures import (
    LIBELLES_NIVEAUX,
    ORDRE_NIVEAUX,
    barres_territoires,
    couleurs_niveaux,
    figure_niveaux,
)
from insertion.figures.graphique import Graphique
from insertion.indicators import DEPARTEMENT, LES_DEUX, libelles
from insertion.indicators.definitions import DEFINITIONS as DEF
from insertion.protect import secret

CLES_DEF = {"numerique": "diag_numerique", "linguistique": "diag_linguistique"}
NATURES = {
    "denominateur": tb.entier(),
    "numerateur": tb.entier(),
    "taux_90j": tb.pourcentage(),
    "diagnostics": tb.entier(),
    "delai_median_j": tb.jours(),
}
FORMATS = tb.ecrivains(NATURES)
MESURES = {"taux_90j": "Taux à 90 jours", "delai_median_j": "Délai médian"}
NATURES_NIVEAUX = {"episodes": tb.entier(), "part": tb.pourcentage(), "total": tb.entier()}
FORMATS_NIVEAUX = tb.ecrivains(NATURES_NIVEAUX)
LEGENDE_CARTE = (
    "Première ligne : le département (mêmes filtres de profil). Une case blanche : aucune orientation ce "
    f"mois-là, ou valeur non diffusée (moins de {secret.SEUIL_SECRET} orientations ou diagnostics, ou de 1 à "
    f"{secret.SEUIL_SECRET - 1} personnes diagnostiquées ou non diagnostiquées : le taux redonnerait "
    "l'effectif masqué). Les mois orientés depuis "
    "moins de 90 jours ne figurent pas."
)


# --- Secret statistique de la vue ----------------------------------------------------------------------


def proteger_diagnostic(df: pd.DataFrame, departement: bool | pd.Series) -> secret.Protege:
    """Taux à 90 jours (dénominateur : orientations à 90 jours de recul ; règle des taux de `secret`) et
    délai médian (sur au moins `seuil` diagnostics datés, arrondi à 5 jours) ; les effectifs hors exemption
    sont masqués de 1 à seuil − 1, et le taux d'un numérateur masqué aussi (taux × dénominateur affiché
    redonnerait le numérateur)."""
    prot = secret.proteger(
        df,
        effectifs=["denominateur", "numerateur", "diagnostics"],
        taux={"taux_90j": "denominateur"},
        numerateurs={"taux_90j": "numerateur"},
        medianes={"delai_median_j": "diagnostics"},
        departement=departement,
    )
    cohortes.ou_masque(prot, "taux_90j", prot.masque["numerateur"])
    # Sous la couche de publication, un délai absent sur un effectif masqué (NaN, zéro compris) est masqué, pas
    # « sans objet » : « – » dirait qu'aucun diagnostic n'est daté, donc que l'effectif masqué vaut 0.
    cohortes.ou_masque(prot, "delai_median_j", prot.donnees["delai_median_j"].isna() & prot.masque["diagnostics"])
    return prot


def proteger_niveaux(df: pd.DataFrame, departement: bool | pd.Series) -> secret.Protege:
    """Niveaux constatés (sortie de `niveaux`) : ceux d'un territoire forment une ventilation de ses
    diagnostics datés, et la part d'un effectif masqué est masquée aussi."""
    return cohortes.proteger_parts(
        df,
        effectif="episodes",
        part="part",
        total="total",
        ventilation=["groupe"],
        departement=departement,
        autres_effectifs=["total"],  # le total d'un territoire est écrit dans le titre du graphique
    )


def avec_diagnostics(indicateur: pd.DataFrame, cohortes: pd.DataFrame) -> pd.DataFrame:
    """Ajoute à taux_diagnostic (par groupe) le nombre de diagnostics datés au plus tard à D, la population du
    délai médian : c'est la somme, sur les cohortes mensuelles du groupe, de la colonne `diagnostics`.

    Quand taux_diagnostic le donne déjà (colonne `diagnostics`, avec sa clé de cellule), c'est ce total qui
    reste : publié, il a sa propre case ; la somme de cohortes publiées compterait 0 pour une cohorte masquée
    (un total masqué deviendrait « 0 »). Une somme qui touche une case masquée (NaN) reste NaN."""
    out = indicateur.copy()
    if "diagnostics" in out.columns:
        return out
    somme = cohortes.groupby("groupe")["diagnostics"].sum(min_count=1)
    masquee = cohortes["diagnostics"].isna().groupby(cohortes["groupe"]).any()
    somme = somme.where(~masquee.reindex(somme.index, fill_value=False))
    out["diagnostics"] = out["groupe"].map(somme)
    out.loc[~out["groupe"].isin(cohortes["groupe"]), "diagnostics"] = 0
    return out


def niveaux(df: pd.DataFrame, diagnostic: str) -> pd.DataFrame:
    """Niveaux constatés par groupe, dans l'ordre de l'échelle, avec libellé, total du groupe et part."""
    ordre = ORDRE_NIVEAUX[diagnostic]
    noms = LIBELLES_NIVEAUX[diagnostic]
    out = df.copy()
    out["rang"] = out["niveau"].map({n: i for i, n in enumerate(ordre)}).fillna(len(ordre))
    out["libelle"] = [libelles.libelle(noms, n) for n in out["niveau"]]
    # Une case masquée (NaN) rend le total inconnu : la somme des seules cases visibles serait un faux total,
    # et des parts calculées sur lui aussi.
    out["total"] = out.groupby("groupe")["episodes"].transform(cohortes.somme_publiee)
    out["part"] = out["episodes"] / out["total"]
    return out.sort_values(["groupe", "rang"], kind="stable").drop(columns="rang").reset_index(drop=True)


def colonnes_ali(nom: str) -> dict[str, str]:
    """Les en-têtes du tableau par ALI, qui nomment aussi les valeurs dans les survols des barres. Ils nomment
    le diagnostic (`nom` : « numérique », « linguistique ») : un export (CSV, Excel) dit lui-même ce qu'il contient."""
    return {
        "territoire": "Territoire",
        "denominateur": "Orientations avec 90 jours de recul",
        "numerateur": f"Diagnostiquées ({nom}) à 90 jours",
        "taux_90j": f"Taux de diagnostic {nom} à 90 jours",
        "diagnostics": f"Diagnostics {nom}s datés",
        "delai_median_j": f"Délai médian du diagnostic {nom}",
    }


def colonnes_niveaux(nom: str) -> dict[str, str]:
    return {"libelle": f"Niveau {nom}", "episodes": f"Diagnostics {nom}s", "part": "Part"}


def ecart_delai(ici: float | None, ref: float | None) -> str | None:
    """L'écart de délai médian au département (« +5 jours », « -10 jours ») ; None sans écart à dire."""
    if ici is None or ref is None or ici == ref:
        return None
    return ("+" if ici >= ref else "") + formats.jours(ici - ref)


class VueDiagnostics(cohortes.VueCohortes):
    """Les objets de la vue pour des filtres donnés ; requete : `ctx.requete`, sql : `ctx.sql`."""

    # --- Lectures ---------------------------------------------------------------------------------------

    def indicateur(self, diagnostic: str, perimetre, groupe: str = "departement") -> tuple[pd.DataFrame, pd.DataFrame]:
        """taux_diagnostic (avec le nombre de diagnostics datés) et ses cohortes mensuelles."""
        par_periode = self.requete(
            "taux_diagnostic", periode=self.f.periode, perimetre=perimetre, groupe=groupe, diagnostic=diagnostic
        )
        par_mois = self.sql(
            "taux_diagnostic_cohortes",
            **cohortes.parametres(self.f.periode, perimetre, groupe=groupe, diagnostic=diagnostic),
        )
        return avec_diagnostics(par_periode, par_mois), par_mois

    def _niveaux(self, perimetre, groupe: str, diagnostic: str) -> pd.DataFrame:
        params = cohortes.parametres(self.f.periode, perimetre, groupe=groupe, diagnostic=diagnostic)
        return self.sql("niveaux_diagnostic", **params)

    # --- Chiffres clés ----------------------------------------------------------------------------------

    def precision(self) -> str:
        f = self.f
        return (
            f"Épisodes orientés du {formats.date_longue(f.periode.debut)} au {formats.date_longue(f.as_of)} ; "
            "taux calculés sur ceux qui ont au moins 90 jours de recul à la date d'observation."
        )

    def cartes(self) -> list[dict]:
        """Les arguments de `ui.chiffre_cle` des quatre cartes : taux puis délai, numérique puis linguistique."""
        cartes = []
        for diag, nom in DIAGNOSTICS.items():
            cartes += self._cartes_de(
                diag,
                f"Diagnostic {nom.lower()} à 90 jours",
                f"Délai médian, diagnostic {nom.lower()}",
                "diagnostics datés",
            )
        return cartes

    def cartes_les_deux(self) -> list[dict]:
        """Les deux diagnostics faits dans les 90 jours (le second daté au plus tard 90 jours après l'orientation),
        et le délai médian jusqu'au second : ce qu'un parcours complet d'entrée demande."""
        return self._cartes_de(
            LES_DEUX,
            "Les deux diagnostics à 90 jours",
            "Délai médian jusqu'au second diagnostic",
            "personnes aux deux diagnostics datés",
        )

    def _cartes_de(self, diag: str, libelle_taux: str, libelle_delai: str, quoi_delai: str) -> list[dict]:
        f = self.f
        ici, ici_mois = self.indicateur(diag, f.perimetre)
        prot = proteger_diagnostic(ici, self.au_departement)
        aff = prot.affichage(FORMATS)
        mois = proteger_diagnostic(cohortes.cohortes_completes(ici_mois), self.au_departement).donnees
        ecart_taux = ecart = None
        if f.sous_departement:
            ref = proteger_diagnostic(self.indicateur(diag, self.reference)[0], self.reference_exempte).donnees
            ecart_taux = formats.evolution_points(
                cohortes.valeur(prot.donnees, "taux_90j"), cohortes.valeur(ref, "taux_90j")
            )
            ecart = ecart_delai(cohortes.valeur(prot.donnees, "delai_median_j"), cohortes.valeur(ref, "delai_median_j"))
        return [
            {
                "label": libelle_taux,
                "valeur": cohortes.texte(aff, "taux_90j"),
                "evolution": None if ecart_taux is None else f"{ecart_taux} vs département",
                "serie": cohortes.serie(mois, "taux_90j", 100),
                "aide": f"Sur {cohortes.texte(aff, 'denominateur')} orientations ayant 90 jours de recul ; "
                "courbe : taux par mois d'orientation.",
            },
            {
                "label": libelle_delai,
                "valeur": cohortes.texte(aff, "delai_median_j"),
                "evolution": None if ecart is None else f"{ecart} vs département",
                "sens": "inverse",
                "serie": cohortes.serie(mois, "delai_median_j"),
                "aide": f"Parmi {cohortes.texte(aff, 'diagnostics')} {quoi_delai} ; "
                "courbe : délai médian par mois d'orientation.",
            },
        ]

    # --- Par ALI ----------------------------------------------------------------------------------------

    def par_ali(self, diag: str) -> tuple[Graphique, Graphique] | None:
        """Taux à 90 jours et délai médian par ALI, en barres, le département en repère ; None : aucune ALI."""
        nom = DIAGNOSTICS[diag].lower()
        ref_periode = self.indicateur(diag, self.reference)[0]
        ali_periode = self.indicateur(diag, self.f.perimetre, "ali")[0]
        ali_periode = ali_periode.sort_values("groupe").reset_index(drop=True)
        table, niveau = cohortes.empiler(ref_periode, ali_periode)
        prot, aff = cohortes.proteger_territoires(
            table, niveau, proteger_diagnostic, NATURES, exempte=self.reference_exempte
        )
        alis = ~niveau.to_numpy()
        if not alis.any():
            return None
        noms = [cohortes.libelle_groupe(g, court=True) for g in table["groupe"][alis]]
        colonnes = colonnes_ali(nom)
        tableau = cohortes.tableau_territoires(prot, NATURES, colonnes)

        def barres(colonne: str, effectif: str, titre_axe: str, definition, cle: str, nom_tableau: str) -> Graphique:
            """Une barre par ALI pour `colonne` (survol : la valeur et son effectif), le département en repère."""
            survols = [
                f"<b>{t}</b><br>{colonnes[colonne]} : {v}<br>{colonnes[effectif]} : {n}"
                for t, v, n in zip(aff["territoire"][alis], aff[colonne][alis], aff[effectif][alis], strict=True)
            ]
            ref = cohortes.valeur(prot.donnees, colonne)
            fig = barres_territoires(
                noms,
                list(prot.donnees[colonne][alis]),
                survols,
                titre_axe=titre_axe,
                pourcentage=colonne == "taux_90j",
                reference=ref,
                libelle_reference=f"{DEPARTEMENT} : {FORMATS[colonne](ref)}",
                masques=[cohortes.TAUX_MASQUE if m else None for m in prot.masque[colonne][alis]],
            )
            delai = colonne == "delai_median_j"
            return Graphique(
                fig,
                table=tableau,
                definitions=[definition],
                masque=prot.a_masque,
                cle=cle,
                tableau=nom_tableau,
                resume=resumes.extremes(
                    resumes.points(noms, prot.donnees[colonne][alis], prot.masque[colonne][alis]),
                    mesure=colonnes[colonne],
                    ecrire=FORMATS[colonne],
                    plus="le plus long" if delai else "la plus élevée",
                    moins="le plus court" if delai else "la plus faible",
                ),
            )

        return (
            barres(
                "taux_90j",
                "denominateur",
                f"Part des orientations diagnostiquées ({nom}) à 90 jours",
                CLES_DEF[diag],
                f"taux_ali_{diag}",
                f"taux {nom} par ALI",
            ),
            barres(
                "delai_median_j",
                "diagnostics",
                f"Délai médian du diagnostic {nom} (jours)",
                DEF["delai_median"],
                f"delai_ali_{diag}",
                f"délai {nom} par ALI",
            ),
        )

    # --- Par cohorte mensuelle d'orientation ------------------------------------------------------------

    def carte(self, diag: str, mesure: str) -> Graphique | None:
        """Carte de chaleur ALI × mois d'orientation de `mesure` (`MESURES`) ; None : aucun mois à 90 jours."""
        nom = DIAGNOSTICS[diag].lower()
        ref_mois = self.indicateur(diag, self.reference)[1]
        ali_mois = self.indicateur(diag, self.f.perimetre, "ali")[1]
        table, niveau = cohortes.empiler(cohortes.cohortes_completes(ref_mois), cohortes.cohortes_completes(ali_mois))
        prot, aff = cohortes.proteger_territoires(
            table, niveau, proteger_diagnostic, NATURES, "mois", exempte=self.reference_exempte
        )
        if table.empty:
            return None
        survols = [
            f"<b>{t}</b><br>Orientés en {m}<br>Taux à 90 jours : {r}<br>Orientations : {n}<br>Délai médian : {d}"
            for t, m, r, n, d in zip(
                aff["territoire"],
                aff["cohorte_libelle"],
                aff["taux_90j"],
                aff["denominateur"],
                aff["delai_median_j"],
                strict=True,
            )
        ]
        fig = cohortes.carte_territoires(
            prot,
            mesure,
            survols,
            titre_echelle="Taux" if mesure == "taux_90j" else "Jours",
            pourcentage=mesure == "taux_90j",
        )
        en_tetes = colonnes_ali(nom)
        colonnes = {
            "territoire": "Territoire",
            "cohorte_libelle": "Mois d'orientation",
            "denominateur": "Orientations",
        } | {c: en_tetes[c] for c in ("numerateur", "taux_90j", "diagnostics", "delai_median_j")}
        return Graphique(
            fig,
            table=cohortes.tableau_territoires(prot, NATURES, colonnes, pas="mois"),
            definitions=[DEF["diag_cohortes"]],
            masque=prot.a_masque,
            cle=f"cohortes_{diag}_{mesure}",
            tableau=f"{nom} par mois d'orientation",
            resume=resumes.evolution(
                resumes.points(
                    aff["cohorte_libelle"][niveau], prot.donnees[mesure][niveau], prot.masque[mesure][niveau]
                ),
                sujet=f"En {DEPARTEMENT}, le {MESURES[mesure].lower()} du diagnostic {nom} des personnes orientées",
                ecrire=FORMATS[mesure],
                variation="points" if mesure == "taux_90j" else None,
            ),
        )

    # --- Niveaux constatés ------------------------------------------------------------------------------

    def niveaux(self, diag: str) -> Graphique | None:
        """Les niveaux constatés du territoire ; None : aucun diagnostic daté."""
        nom = DIAGNOSTICS[diag].lower()
        ici = niveaux(self._niveaux(self.f.perimetre, "departement", diag), diag)
        if ici.empty:
            return None
        prot = proteger_niveaux(ici, self.au_departement)
        aff = prot.affichage(FORMATS_NIVEAUX)
        colonnes = colonnes_niveaux(nom)
        return Graphique(
            figure_niveaux(ici, prot, aff, diag, self.f.territoire),
            table=cohortes.tableau_territoires(prot, NATURES_NIVEAUX, colonnes),
            definitions=[DEF["niveaux"]],
            masque=prot.a_masque,
            cle=f"niveaux_{diag}",
            tableau=f"niveaux {nom}",
            resume=resumes.repartition(
                resumes.points(ici["libelle"], prot.donnees["part"], prot.masque["part"]),
                sujet=f"Niveaux constatés au diagnostic {nom}",
                categorie="niveau",
            ),
        )

    def niveaux_ali(self, diag: str) -> Graphique | None:
        """La répartition des niveaux, département puis ALI, en barres empilées ; None : aucun diagnostic."""
        nom = DIAGNOSTICS[diag].lower()
        niv_ref = self._niveaux(self.reference, "departement", diag)
        niv_ali = self._niveaux(self.f.perimetre, "ali", diag).sort_values("groupe", kind="stable")
        if niv_ali.empty:
            return None
        fig, tableau, masque = cohortes.parts_par_territoire(
            niveaux(niv_ref, diag),
            niveaux(niv_ali, diag),
            proteger_niveaux,
            NATURES_NIVEAUX,
            categorie="niveau",
            categories={code: LIBELLES_NIVEAUX[diag][code] for code in ORDRE_NIVEAUX[diag]},
            couleurs=couleurs_niveaux(diag),
            effectif="episodes",
            titre="Répartition par ALI, en part des diagnostics datés",
            colonnes={"territoire": "Territoire"} | colonnes_niveaux(nom),
            hachures=True,
            exempte=self.reference_exempte,
        )
        return Graphique(
            fig,
            table=tableau,
            definitions=[DEF["niveaux"]],
            masque=masque,
            cle=f"niveaux_ali_{diag}",
            tableau=f"niveaux {nom} par ALI",
        )
