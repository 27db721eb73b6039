-- Taux de diagnostic à 90 jours et de sortie en emploi à 12 mois lus à plusieurs dates d'observation
-- (contrat §5.2 et §5.3) : pour la Vue d'ensemble, la valeur à D, celle de la fin du mois précédent
-- et la petite courbe des derniers mois, en une seule lecture des épisodes.
-- Pour chaque date r de $dates, mêmes définitions que taux_diagnostic_90j.sql et
-- taux_sortie_emploi_12m.sql avec D = r et P = [debut, least(fin, r)] :
--   diagnostics : cohorte = épisodes orientés dans P et au plus tard à r - 90 jours ; numérateur = ceux
--   dont le diagnostic (numérique, resp. linguistique) est daté au plus tard 90 jours après l'orientation ;
--   emploi : cohorte = épisodes orientés dans P et au plus tard à r - 365 jours ; numérateur = ceux sortis au
--   plus tard 365 jours après l'orientation pour un motif du groupe « sortie en emploi » (resp. « emploi
--   durable ») de ref_motifs_sortie ; une sortie sans motif compte comme non_renseigne.
-- Les bornes (orientation + 90 <= r, orientation + 365 <= r) garantissent que seuls des faits connus à r
-- comptent. Taux NULL quand la cohorte est vide.
-- Paramètres : dates (liste de dates r), debut, fin, groupe ('departement', 'ali', 'ept', 'commune'),
-- filtres du périmètre.
-- Colonnes : groupe, date_reference, denominateur_90j, n_diag_numerique, taux_diag_numerique,
--            n_diag_linguistique, taux_diag_linguistique, denominateur_12m, n_sortie_emploi,
--            taux_sortie_emploi, n_emploi_durable, taux_emploi_durable.
WITH dates AS (
    SELECT DISTINCT unnest(CAST($dates AS DATE[])) AS r
),
p AS (
    SELECT
        CASE $groupe
            WHEN 'departement' THEN 'Seine-Saint-Denis'
            WHEN 'ali' THEN e.code_ali
            WHEN 'ept' THEN e.ept
            WHEN 'commune' THEN e.code_commune
            ELSE error('Regroupement inconnu : ' || $groupe)
        END AS groupe,
        e.date_orientation,
        e.date_diag_numerique,
        e.date_diag_linguistique,
        e.date_sortie,
        coalesce(m.sortie_emploi, false) AS sortie_emploi,
        coalesce(m.emploi_durable, false) AS emploi_durable
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes) AS e
    LEFT JOIN ref_motifs_sortie AS m ON m.motif_sortie = coalesce(e.motif_sortie, 'non_renseigne')
    WHERE e.date_orientation BETWEEN CAST($debut AS DATE) AND CAST($fin AS DATE)
),
grille AS (
    SELECT g.groupe, dates.r FROM (SELECT DISTINCT groupe FROM p) AS g, dates
),
agregats AS (
    -- Jointure sur la cohorte la plus large (r - 90 jours) ; la cohorte à 12 mois est un sous-ensemble.
    SELECT
        p.groupe,
        dates.r,
        count(*) AS denominateur_90j,
        count(*) FILTER (WHERE p.date_diag_numerique <= p.date_orientation + 90) AS n_diag_numerique,
        count(*) FILTER (WHERE p.date_diag_linguistique <= p.date_orientation + 90) AS n_diag_linguistique,
        count(*) FILTER (WHERE p.date_orientation <= dates.r - 365) AS denominateur_12m,
        count(*) FILTER (
            WHERE p.date_orientation <= dates.r - 365
              AND p.date_sortie <= p.date_orientation + 365
              AND p.sortie_emploi
        ) AS n_sortie_emploi,
        count(*) FILTER (
            WHERE p.date_orientation <= dates.r - 365
              AND p.date_sortie <= p.date_orientation + 365
              AND p.emploi_durable
        ) AS n_emploi_durable
    FROM p
    JOIN dates ON p.date_orientation <= dates.r - 90
    GROUP BY p.groupe, dates.r
),
complet AS (
    SELECT
        grille.groupe,
        grille.r AS date_reference,
        coalesce(a.denominateur_90j, 0) AS denominateur_90j,
        coalesce(a.n_diag_numerique, 0) AS n_diag_numerique,
        coalesce(a.n_diag_linguistique, 0) AS n_diag_linguistique,
        coalesce(a.denominateur_12m, 0) AS denominateur_12m,
        coalesce(a.n_sortie_emploi, 0) AS n_sortie_emploi,
        coalesce(a.n_emploi_durable, 0) AS n_emploi_durable
    FROM grille
    LEFT JOIN agregats AS a ON a.groupe = grille.groupe AND a.r = grille.r
)
SELECT
    groupe,
    date_reference,
    denominateur_90j,
    n_diag_numerique,
    n_diag_numerique / nullif(denominateur_90j, 0) AS taux_diag_numerique,
    n_diag_linguistique,
    n_diag_linguistique / nullif(denominateur_90j, 0) AS taux_diag_linguistique,
    denominateur_12m,
    n_sortie_emploi,
    n_sortie_emploi / nullif(denominateur_12m, 0) AS taux_sortie_emploi,
    n_emploi_durable,
    n_emploi_durable / nullif(denominateur_12m, 0) AS taux_emploi_durable
FROM complet
ORDER BY groupe, date_reference;
