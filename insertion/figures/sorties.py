"""La vue « Sorties vers l'emploi » : chiffres clés, figures, tableaux et résumés, prêts à placer par
pages/sorties.py.

`VueSorties` lit les indicateurs par les deux fonctions de requête de la page (`ctx.requete`, `ctx.sql`, en
cache) et rend des objets prêts : arguments des cartes KPI, `graphique.Graphique` (figure, tableau protégé,
définitions, résumé), ou None quand les filtres ne laissent rien à montrer (la page écrit alors l'état vide).
Ni Streamlit ni SQL ici ; le secret passe toujours par insertion.figures.cohortes (donc `secret.proteger`).
"""

from __future__ import annotations

import pandas as pd

from insertion import formats
from insertion.figures import cohortes, resumes
from insertion.figures import tableau as tb
from insertion.figures.cohortes import COULEURS_GROUPES, GROUPES_SORTIE, PAS, PERIODE
from insertion.figures.graphique import Graphique
from insertion.figures.sorties_figures import (
    barres_superposees,
    courbes_cohortes,
    entonnoir,
    etapes_parcours,
    figure_motifs,
    motifs_ordonnes,
    part_emploi,
    proteger_parcours,
    proteger_sortie,
    survols_ali,
    survols_cohortes,
    texte_part_emploi,
    textes_parcours,
)
from insertion.indicators import DEPARTEMENT
from insertion.indicators.definitions import DEFINITIONS as DEF
from insertion.protect import secret

COULEUR_EMPLOI = COULEURS_GROUPES["emploi_transition"]
COULEUR_DURABLE = COULEURS_GROUPES["emploi_durable"]
NATURES = {
    "denominateur": tb.entier(),
    "n_sortie_emploi": tb.entier(),
    "taux_sortie_emploi": tb.pourcentage(),
    "n_emploi_durable": tb.entier(),
    "taux_emploi_durable": tb.pourcentage(),
}
FORMATS = tb.ecrivains(NATURES)
COLONNES = {
    "territoire": "Territoire",
    "cohorte_libelle": "Cohorte d'orientation",
    "denominateur": "Orientations avec 12 mois de recul",
    "n_sortie_emploi": "Sorties en emploi à 12 mois",
    "taux_sortie_emploi": "Taux de sortie en emploi à 12 mois",
    "n_emploi_durable": "Sorties en emploi durable à 12 mois",
    "taux_emploi_durable": "Taux de sortie en emploi durable à 12 mois",
}
INDICATEURS = {"taux_sortie_emploi": "Sortie en emploi", "taux_emploi_durable": "Emploi durable"}
LEGENDE_CARTE = (
    "Première ligne : le département (mêmes filtres de profil). Une case blanche : aucune orientation dans "
    f"la cohorte, ou taux non diffusé (moins de {secret.SEUIL_SECRET} orientations, ou de 1 à "
    f"{secret.SEUIL_SECRET - 1} personnes sorties ou non sorties : le taux redonnerait l'effectif). "
    "Les cohortes de moins d'un an ne figurent pas."
)
LEGENDE_PARCOURS = (
    "Les deux diagnostics se recouvrent en partie ; les sorties sont comptées quel que soit le diagnostic. "
    "Chaque part se lit sur l'ensemble des orientés de la cohorte."
)


class VueSorties(cohortes.VueCohortes):
    """Les objets de la vue pour des filtres donnés ; requete : `ctx.requete`, sql : `ctx.sql`."""

    # --- Lectures ---------------------------------------------------------------------------------------

    def taux(self, perimetre, groupe: str = "departement") -> pd.DataFrame:
        return self.requete("taux_sortie_emploi", periode=self.f.periode, perimetre=perimetre, groupe=groupe)

    def par_cohorte(self, perimetre, pas: str, groupe: str = "departement") -> pd.DataFrame:
        params = cohortes.parametres(self.f.periode, perimetre, groupe=groupe, pas=pas)
        return self.sql("taux_sortie_emploi_cohortes", **params)

    def motifs(self, perimetre, groupe: str = "departement") -> pd.DataFrame:
        return self.requete("sorties_par_motif", periode=self.f.periode, perimetre=perimetre, groupe=groupe)

    def groupes(self, perimetre, groupe: str = "departement") -> pd.DataFrame:
        """Chaque groupe de motifs est une case publiée à part (queries/sorties_par_groupe.sql)."""
        return self.requete("sorties_par_groupe", periode=self.f.periode, perimetre=perimetre, groupe=groupe)

    # --- Chiffres clés ----------------------------------------------------------------------------------

    def precision(self) -> str:
        f = self.f
        return (
            f"Taux à 12 mois : épisodes orientés du {formats.date_longue(f.periode.debut)} au "
            f"{formats.date_longue(f.as_of)} ayant au moins un an de recul. Sorties : celles datées dans la période."
        )

    def cartes(self) -> list[dict]:
        """Les arguments de `ui.chiffre_cle` des quatre cartes, dans l'ordre."""
        f = self.f
        ici = proteger_sortie(self.taux(f.perimetre), self.au_departement)
        ici_aff = ici.affichage(FORMATS)
        ref = proteger_sortie(self.taux(self.reference), self.reference_exempte)
        mois = proteger_sortie(
            cohortes.cohortes_completes(self.par_cohorte(f.perimetre, "mois")), self.au_departement
        ).donnees
        groupes_ici = cohortes.sorties_par_groupe(self.groupes(f.perimetre), self.au_departement)
        n_emploi, part = part_emploi(groupes_ici)
        total_sorties = groupes_ici.affichage({"total": formats.entier})
        mensuel = self.requete("entrees_sorties_mensuelles", periode=f.periode, perimetre=f.perimetre)
        mensuel = secret.proteger(mensuel, effectifs=["sorties"], departement=self.au_departement).donnees
        cartes = []
        for colonne, nom in (
            ("taux_sortie_emploi", "Sortie en emploi à 12 mois"),
            ("taux_emploi_durable", "Sortie en emploi durable à 12 mois"),
        ):
            ecart = None
            if f.sous_departement:
                ecart = formats.evolution_points(
                    cohortes.valeur(ici.donnees, colonne), cohortes.valeur(ref.donnees, colonne)
                )
            cartes.append(
                {
                    "label": nom,
                    "valeur": cohortes.texte(ici_aff, colonne),
                    "evolution": None if ecart is None else f"{ecart} vs département",
                    "serie": cohortes.serie(mois, colonne, 100),
                    "aide": f"Sur {cohortes.texte(ici_aff, 'denominateur')} orientations ayant un an de recul ; "
                    "courbe : taux par mois d'orientation.",
                }
            )
        cartes.append(
            {
                "label": "Sorties pendant la période",
                "valeur": cohortes.texte(total_sorties, "total") if len(total_sorties) else "0",
                "serie": cohortes.serie(mensuel, "sorties"),
                "aide": "Épisodes dont la date de sortie tombe dans la période, tous motifs ; "
                "courbe : sorties par mois.",
            }
        )
        cartes.append(
            {
                "label": "Part des sorties en emploi",
                "valeur": texte_part_emploi(part, n_emploi, groupes_ici.a_masque),
                "aide": "Sorties de la période pour emploi durable, création d'entreprise ou emploi de transition "
                + ("" if n_emploi is None else f"({formats.entier(n_emploi)}) ")
                + "parmi toutes les sorties de la période ; non diffusée si l'un des effectifs est masqué.",
            }
        )
        return cartes

    # --- Par ALI ----------------------------------------------------------------------------------------

    def par_ali(self) -> Graphique | None:
        """Taux de sortie à 12 mois par ALI, le département en repère ; None : aucune ALI à montrer."""
        par_ali = self.taux(self.f.perimetre, "ali").sort_values("groupe").reset_index(drop=True)
        table, niveau = cohortes.empiler(self.taux(self.reference), par_ali)
        prot, aff = cohortes.proteger_territoires(
            table, niveau, proteger_sortie, NATURES, exempte=self.reference_exempte
        )
        alis = ~niveau.to_numpy()
        if not alis.any():
            return None
        noms = [cohortes.libelle_groupe(g, court=True) for g in table["groupe"][alis]]
        survols = survols_ali(aff[alis])
        ref_emploi = cohortes.valeur(prot.donnees, "taux_sortie_emploi")
        ref_durable = cohortes.valeur(prot.donnees, "taux_emploi_durable")
        fig = barres_superposees(
            noms,
            [
                ("Sortie en emploi", list(prot.donnees["taux_sortie_emploi"][alis]), survols, COULEUR_EMPLOI),
                ("dont emploi durable", list(prot.donnees["taux_emploi_durable"][alis]), survols, COULEUR_DURABLE),
            ],
            [
                (ref_emploi, f"{DEPARTEMENT}, emploi : {formats.pourcentage(ref_emploi)}", "dash"),
                (ref_durable, f"{DEPARTEMENT}, emploi durable : {formats.pourcentage(ref_durable)}", "dot"),
            ],
            titre="Part des orientations sorties en emploi dans les 12 mois",
            masques=[cohortes.TAUX_MASQUE if m else None for m in prot.masque["taux_sortie_emploi"][alis]],
        )
        return Graphique(
            fig,
            table=cohortes.tableau_territoires(
                prot, NATURES, {c: COLONNES.get(c, c) for c in aff.columns if c != "groupe"}
            ),
            definitions=["sortie_emploi_12m"],
            masque=prot.a_masque,
            cle="taux_ali",
            tableau="taux de sortie à 12 mois par ALI",
            resume=resumes.extremes(
                resumes.points(noms, prot.donnees["taux_sortie_emploi"][alis], prot.masque["taux_sortie_emploi"][alis]),
                mesure=COLONNES["taux_sortie_emploi"],
                ecrire=formats.pourcentage,
            ),
        )

    # --- Par cohorte ------------------------------------------------------------------------------------

    def courbes(self, pas: str) -> Graphique | None:
        """Taux par cohorte du territoire (et du département en tirets) ; None : aucune cohorte à 12 mois."""
        f = self.f
        coh_ici = cohortes.cohortes_completes(self.par_cohorte(f.perimetre, pas))
        coh_ref = cohortes.cohortes_completes(self.par_cohorte(self.reference, pas))
        if coh_ici.empty:
            return None
        if f.sous_departement:
            table, niveau = cohortes.empiler(coh_ref, coh_ici)
        else:  # le périmètre est le département lui-même
            table, niveau = coh_ici, pd.Series(False, index=coh_ici.index)
        prot = proteger_sortie(table, (niveau & self.reference_exempte) | self.au_departement)
        aff = prot.affichage(FORMATS)
        aff["territoire"] = [DEPARTEMENT if n else f.territoire for n in niveau]
        aff["cohorte_libelle"] = [cohortes.libelle_cohorte(c, pas) for c in table["cohorte"]]
        aff["survol"] = survols_cohortes(aff)
        series = []
        lignes = [(False, f.territoire, "solid")] + ([(True, DEPARTEMENT, "dash")] if f.sous_departement else [])
        for est_ref, nom_ligne, trait in lignes:
            choix = (niveau == est_ref).to_numpy()
            for colonne, nom, couleur in (
                ("taux_sortie_emploi", "sortie en emploi", COULEUR_EMPLOI),
                ("taux_emploi_durable", "emploi durable", COULEUR_DURABLE),
            ):
                valeurs, survols = list(prot.donnees[colonne][choix]), list(aff["survol"][choix])
                series.append((f"{nom_ligne} : {nom}", valeurs, survols, couleur, trait))
        fig = courbes_cohortes(list(table["cohorte"][~niveau.to_numpy()]), series, titre_axe="Taux à 12 mois")
        return Graphique(
            fig,
            table=cohortes.tableau_territoires(prot, NATURES, COLONNES, pas=pas, territoires=list(aff["territoire"])),
            definitions=[DEF["sortie_cohortes"]],
            masque=prot.a_masque,
            cle=f"cohortes_{pas}",
            tableau=f"taux de sortie à 12 mois par {PAS[pas].lower()} d'orientation",
            resume=resumes.evolution(
                resumes.points(
                    aff["cohorte_libelle"][~niveau],
                    prot.donnees["taux_sortie_emploi"][~niveau],
                    prot.masque["taux_sortie_emploi"][~niveau],
                ),
                sujet=f"Pour {f.territoire}, le taux de sortie en emploi à 12 mois",
                ecrire=formats.pourcentage,
                variation="points",
            ),
        )

    def carte(self, pas: str, indicateur: str) -> Graphique:
        """Carte de chaleur ALI × cohorte d'un des deux taux (`INDICATEURS`), le département en première ligne."""
        coh_ref = cohortes.cohortes_completes(self.par_cohorte(self.reference, pas))
        coh_ali = cohortes.cohortes_completes(self.par_cohorte(self.f.perimetre, pas, "ali"))
        table, niveau = cohortes.empiler(coh_ref, coh_ali)
        prot, aff = cohortes.proteger_territoires(
            table, niveau, proteger_sortie, NATURES, pas, exempte=self.reference_exempte
        )
        survols = [
            f"<b>{t}</b><br>Orientés : {c}<br>{INDICATEURS[indicateur]} : {v}<br>Orientations : {n}"
            for t, c, v, n in zip(
                aff["territoire"], aff["cohorte_libelle"], aff[indicateur], aff["denominateur"], strict=True
            )
        ]
        fig = cohortes.carte_territoires(prot, indicateur, survols, titre_echelle="Taux", pourcentage=True)
        return Graphique(
            fig,
            table=cohortes.tableau_territoires(prot, NATURES, COLONNES, pas=pas),
            definitions=[DEF["sortie_cohortes"]],
            masque=prot.a_masque,
            cle=f"carte_{pas}_{indicateur}",
            tableau=f"{INDICATEURS[indicateur].lower()} à 12 mois par ALI et par {PAS[pas].lower()}",
            resume=resume_derniere_cohorte(table, niveau, prot, aff, indicateur, pas),
        )

    # --- Motifs et groupes ------------------------------------------------------------------------------

    def par_motif(self) -> Graphique | None:
        """Sorties de la période par motif, rangées par groupe ; None : aucune sortie."""
        m_ici = self.motifs(self.f.perimetre)
        if m_ici.empty:
            return None
        m_ici = motifs_ordonnes(m_ici)
        prot = cohortes.proteger_motifs(m_ici, self.au_departement)
        aff = prot.affichage({"sorties": formats.entier})
        tableau = tb.Tableau(
            pd.DataFrame(
                {
                    "Motif": list(prot.donnees["court"]),
                    "Groupe": list(m_ici["groupe_sortie"].map(GROUPES_SORTIE)),
                    "Sorties": tb.publie(prot, "sorties").to_list(),
                },
                dtype=object,
            ),
            {"Sorties": tb.entier()},
        )
        return Graphique(
            figure_motifs(m_ici, prot, aff, self.f.territoire),
            table=tableau,
            definitions=["sorties_par_motif", DEF["groupes_sortie"]],
            masque=prot.a_masque,
            cle="motifs",
            resume=resumes.extremes(
                resumes.points(aff["court"], prot.donnees["sorties"], prot.masque["sorties"]),
                mesure="Sorties de la période par motif",
                categorie="motif",
                plus="le plus fréquent",
                moins="le moins fréquent",
            ),
            tableau="sorties par motif",
        )

    def groupes_ali(self) -> Graphique | None:
        """Part de chaque groupe de sortie, département puis ALI ; None : aucune sortie."""
        m_ali = self.groupes(self.f.perimetre, "ali").sort_values("groupe", kind="stable")
        if m_ali.empty:
            return None
        fig, tableau, masque = cohortes.parts_par_territoire(
            self.groupes(self.reference),
            m_ali,
            cohortes.sorties_par_groupe,
            {"sorties": tb.entier(), "part": tb.pourcentage(), "total": tb.entier()},
            categorie="groupe_sortie",
            categories=GROUPES_SORTIE,
            couleurs=COULEURS_GROUPES,
            effectif="sorties",
            titre="Groupes de sortie par ALI, en part des sorties de la période",
            exempte=self.reference_exempte,
            colonnes={
                "territoire": "Territoire",
                "libelle": "Groupe de sortie",
                "sorties": "Sorties",
                "part": "Part",
                "total": "Toutes sorties",
            },
        )
        return Graphique(
            fig,
            table=tableau,
            definitions=["sorties_par_motif", DEF["groupes_sortie"]],
            masque=masque,
            cle="groupes_ali",
            tableau="groupes de sortie par ALI",
        )

    # --- Parcours d'une cohorte -------------------------------------------------------------------------

    def _parcours(self, pas: str) -> pd.DataFrame:
        params = cohortes.parametres(self.f.periode, self.f.perimetre, groupe="departement", pas=pas)
        return self.sql("parcours_cohorte", **params)

    def choix_cohortes(self, pas: str) -> dict[str, str]:
        """Les choix du sélecteur de cohorte : toute la période, puis les cohortes de la plus récente à la plus
        ancienne (clé : la date ISO de la cohorte)."""
        parcours = cohortes.cohortes_completes(self._parcours(pas))
        return {PERIODE: "Toutes les cohortes de la période ayant un an de recul"} | {
            c.date().isoformat(): cohortes.libelle_cohorte(c, pas) for c in reversed(list(parcours["cohorte"]))
        }

    def parcours(self, pas: str, cle_cohorte: str) -> Graphique | None:
        """L'entonnoir de la cohorte choisie ; None : cohorte vide."""
        choix = self.choix_cohortes(pas)
        if cle_cohorte == PERIODE:
            ligne = self._parcours(PERIODE)
        else:
            parcours = cohortes.cohortes_completes(self._parcours(pas))
            ligne = parcours[parcours["cohorte"].dt.date.astype(str) == cle_cohorte]
        if ligne.empty or ligne["orientes"].iloc[0] == 0:  # NaN : cohorte masquée, montrée « secret » plus bas
            return None
        etapes = etapes_parcours(ligne.iloc[0])
        prot = proteger_parcours(etapes, self.au_departement)
        aff = prot.affichage({"effectif": formats.entier, "part": formats.pourcentage})
        textes, survols = textes_parcours(aff)
        fig = entonnoir(etapes, prot.donnees, textes, survols, prot.masque["effectif"])
        fig.update_layout(title=f"{self.f.territoire} · {choix[cle_cohorte]}")
        return Graphique(
            fig,
            # La cohorte en première colonne : le fichier exporté dit lui-même de quelle cohorte il s'agit.
            table=tb.depuis_protege(
                prot,
                {"effectif": ("Personnes", tb.entier()), "part": ("Part de la cohorte", tb.pourcentage())},
                avant={
                    "Cohorte d'orientation": [choix[cle_cohorte]] * len(prot.donnees),
                    "Étape": prot.donnees["libelle"],
                },
            ),
            definitions=[DEF["parcours"]],
            masque=prot.a_masque,
            cle=f"parcours_{pas}_{cle_cohorte}",
            resume=resumes.etapes(
                resumes.points(aff["libelle"], prot.donnees["effectif"], prot.masque["effectif"]),
                resumes.points(aff["libelle"], prot.donnees["part"], prot.masque["part"]),
            ),
            tableau="parcours de la cohorte " + ("toute la période" if cle_cohorte == PERIODE else choix[cle_cohorte]),
        )


def resume_derniere_cohorte(
    table: pd.DataFrame, niveau: pd.Series, prot: secret.Protege, aff: pd.DataFrame, indicateur: str, pas: str
) -> str | None:
    """La carte lue sur sa dernière colonne : la cohorte la plus récente qui a un an de recul, ALI par ALI."""
    alis_carte = ~niveau.to_numpy()
    if not alis_carte.any():
        return None
    derniere = table["cohorte"][alis_carte].max()
    choix = alis_carte & (table["cohorte"] == derniere).to_numpy()
    return resumes.extremes(
        resumes.points(aff["territoire"][choix], prot.donnees[indicateur][choix], prot.masque[indicateur][choix]),
        mesure=f"{INDICATEURS[indicateur]} à 12 mois, cohorte {cohortes.libelle_cohorte(derniere, pas)}",
        ecrire=formats.pourcentage,
    )
