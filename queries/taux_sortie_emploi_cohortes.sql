-- Taux de sortie en emploi et en emploi durable à 12 mois par cohorte d'orientation (contrat §5.3).
-- Même définition que taux_sortie_emploi_12m.sql, calculée pour chaque mois ou trimestre d'orientation
-- de P = [debut, fin] (fin plafonnée à D) :
--   cohorte = mois ou trimestre de date_orientation ('periode' : toute la période, cohorte = debut) ;
--   denominateur = épisodes de la cohorte orientés au plus tard à D - 365 jours ;
--   n_sortie_emploi = parmi eux, ceux sortis au plus tard à date_orientation + 365 jours avec un motif du
--   groupe « sortie en emploi » de ref_motifs_sortie ; n_emploi_durable : groupe « emploi durable » ;
--   taux = numérateur / denominateur (NULL si le dénominateur est nul).
-- Une sortie sans motif compte comme non_renseigne (hors des deux groupes).
-- fin_cohorte = dernier jour de la cohorte, plafonné à la fin de P ; recul_complet : fin_cohorte <= D - 365,
-- tous les épisodes de la cohorte ont eu 12 mois pour sortir. Une cohorte plus récente n'est que
-- partiellement comptée. Les effectifs s'additionnent d'une cohorte à l'autre (pas les taux).
-- Une cohorte sans orientation n'a pas de ligne.
-- Paramètres : pas ('mois', 'trimestre', 'periode'), as_of (D), debut, fin,
-- groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, cohorte, fin_cohorte, recul_complet, orientations, denominateur, n_sortie_emploi,
-- taux_sortie_emploi, n_emploi_durable, taux_emploi_durable.
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
        CASE $pas
            WHEN 'mois' THEN CAST(date_trunc('month', e.date_orientation) AS DATE)
            WHEN 'trimestre' THEN CAST(date_trunc('quarter', e.date_orientation) AS DATE)
            WHEN 'periode' THEN b.debut
            ELSE CAST(error('Pas de cohorte inconnu : ' || $pas) AS DATE)
        END AS cohorte,
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
        cohorte,
        count(*) AS orientations,
        count(*) FILTER (WHERE dans_cohorte) AS denominateur,
        count(*) FILTER (WHERE dans_cohorte AND sorti_12m AND sortie_emploi) AS n_sortie_emploi,
        count(*) FILTER (WHERE dans_cohorte AND sorti_12m AND emploi_durable) AS n_emploi_durable
    FROM p
    GROUP BY groupe, cohorte
),
fins AS (
    SELECT
        a.*,
        least(
            CASE $pas
                WHEN 'mois' THEN last_day(a.cohorte)
                WHEN 'trimestre' THEN last_day(CAST(a.cohorte + INTERVAL 2 MONTH AS DATE))
                ELSE b.fin
            END,
            b.fin
        ) AS fin_cohorte,
        b.d
    FROM agregats AS a, bornes AS b
)
SELECT
    groupe,
    cohorte,
    fin_cohorte,
    fin_cohorte <= d - 365 AS recul_complet,
    orientations,
    denominateur,
    n_sortie_emploi,
    n_sortie_emploi / nullif(denominateur, 0) AS taux_sortie_emploi,
    n_emploi_durable,
    n_emploi_durable / nullif(denominateur, 0) AS taux_emploi_durable
FROM fins
ORDER BY groupe, cohorte;
