-- Taux de sortie en emploi et en emploi durable à 12 mois (contrat §5.3).
-- Cohorte (dénominateur) : épisodes du périmètre avec date_orientation dans P = [debut, fin]
-- et date_orientation <= D - 365 jours.
-- Numérateurs : ceux sortis au plus tard à date_orientation + 365 jours (le 365e jour compte)
-- avec un motif du groupe « sortie en emploi » (resp. « emploi durable ») de ref_motifs_sortie.
-- Taux = numérateur / dénominateur, NULL si le dénominateur est nul.
-- Une sortie sans motif compte comme non_renseigne (hors des deux groupes).
-- Paramètres : as_of (D), debut, fin (plafonnée à D), groupe ('departement', 'ali', 'ept', 'commune'),
-- filtres du périmètre.
-- Colonnes : groupe, denominateur, n_sortie_emploi, taux_sortie_emploi, n_emploi_durable, taux_emploi_durable.
WITH bornes AS (
    SELECT
        CAST($as_of AS DATE) AS d,
        CAST($debut AS DATE) AS debut,
        least(CAST($fin AS DATE), CAST($as_of AS DATE)) AS fin
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
        e.date_sortie,
        e.date_orientation <= b.d - 365 AS dans_cohorte,
        e.date_sortie <= e.date_orientation + 365 AS sorti_12m,
        coalesce(m.sortie_emploi, false) AS sortie_emploi,
        coalesce(m.emploi_durable, false) AS emploi_durable
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes) AS e
    CROSS JOIN bornes AS b
    LEFT JOIN ref_motifs_sortie AS m ON m.motif_sortie = coalesce(e.motif_sortie, 'non_renseigne')
    WHERE e.date_orientation BETWEEN b.debut AND b.fin
),
agregats AS (
    SELECT
        groupe,
        count(*) FILTER (WHERE dans_cohorte) AS denominateur,
        count(*) FILTER (WHERE dans_cohorte AND sorti_12m AND sortie_emploi) AS n_sortie_emploi,
        count(*) FILTER (WHERE dans_cohorte AND sorti_12m AND emploi_durable) AS n_emploi_durable
    FROM p
    GROUP BY groupe
)
SELECT
    groupe,
    denominateur,
    n_sortie_emploi,
    n_sortie_emploi / nullif(denominateur, 0) AS taux_sortie_emploi,
    n_emploi_durable,
    n_emploi_durable / nullif(denominateur, 0) AS taux_emploi_durable
FROM agregats
ORDER BY groupe;
