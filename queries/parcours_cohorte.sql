-- Parcours d'une cohorte d'orientation : de l'orientation au diagnostic puis à la sortie en emploi.
-- Cohorte : épisodes du périmètre orientés pendant un mois ou un trimestre de P = [debut, fin] (fin plafonnée
-- à D ; 'periode' : toute la période, cohorte = debut), et au plus tard à D - 365 jours, pour que chacun ait
-- eu 90 jours pour être diagnostiqué et 12 mois pour sortir (mêmes dénominateurs qu'à 12 mois).
-- Étapes, toutes comptées parmi les orientes :
--   diag_numerique_90j / diag_linguistique_90j : diagnostic daté <= date_orientation + 90 jours
--     (définitions de taux_diagnostic_90j.sql) ; diag_un_90j : l'un ou l'autre ; diag_deux_90j : les deux ;
--   sortis_12m : date_sortie <= date_orientation + 365 jours, quel que soit le motif ;
--   sortis_emploi_12m / sortis_emploi_durable_12m : parmi eux, motif du groupe « sortie en emploi »
--     (resp. « emploi durable ») de ref_motifs_sortie (définitions de taux_sortie_emploi_12m.sql).
-- Une sortie sans motif compte comme non_renseigne (hors des groupes emploi).
-- fin_cohorte = dernier jour de la cohorte plafonné à la fin de P ; recul_complet : fin_cohorte <= D - 365.
-- Paramètres : pas ('mois', 'trimestre', 'periode'), as_of (D), debut, fin,
-- groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, cohorte, fin_cohorte, recul_complet, orientes, diag_numerique_90j, diag_linguistique_90j,
-- diag_un_90j, diag_deux_90j, sortis_12m, sortis_emploi_12m, sortis_emploi_durable_12m.
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
        coalesce(e.date_diag_numerique <= e.date_orientation + 90, false) AS num_90j,
        coalesce(e.date_diag_linguistique <= e.date_orientation + 90, false) AS ling_90j,
        coalesce(e.date_sortie <= e.date_orientation + 365, false) AS sorti_12m,
        coalesce(m.sortie_emploi, false) AS sortie_emploi,
        coalesce(m.emploi_durable, false) AS emploi_durable
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes) AS e
    CROSS JOIN bornes AS b
    LEFT JOIN ref_motifs_sortie AS m ON m.motif_sortie = coalesce(e.motif_sortie, 'non_renseigne')
    WHERE e.date_orientation BETWEEN b.debut AND b.fin
      AND e.date_orientation <= b.d - 365
),
agregats AS (
    SELECT
        groupe,
        cohorte,
        count(*) AS orientes,
        count(*) FILTER (WHERE num_90j) AS diag_numerique_90j,
        count(*) FILTER (WHERE ling_90j) AS diag_linguistique_90j,
        count(*) FILTER (WHERE num_90j OR ling_90j) AS diag_un_90j,
        count(*) FILTER (WHERE num_90j AND ling_90j) AS diag_deux_90j,
        count(*) FILTER (WHERE sorti_12m) AS sortis_12m,
        count(*) FILTER (WHERE sorti_12m AND sortie_emploi) AS sortis_emploi_12m,
        count(*) FILTER (WHERE sorti_12m AND emploi_durable) AS sortis_emploi_durable_12m
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
    orientes,
    diag_numerique_90j,
    diag_linguistique_90j,
    diag_un_90j,
    diag_deux_90j,
    sortis_12m,
    sortis_emploi_12m,
    sortis_emploi_durable_12m
FROM fins
ORDER BY groupe, cohorte;
