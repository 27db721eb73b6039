-- Taux de diagnostic à 90 jours et délai médian par cohorte mensuelle d'orientation (contrat §5.2),
-- numérique ou linguistique. Même définition que taux_diagnostic_90j.sql, calculée pour chaque mois
-- d'orientation de P = [debut, fin] (fin plafonnée à D) :
--   cohorte = mois de date_orientation (le premier et le dernier mois sont coupés par P) ;
--   denominateur = épisodes de la cohorte orientés au plus tard à D - 90 jours ;
--   numerateur = parmi eux, ceux dont la date de diagnostic est <= date_orientation + 90 jours ;
--   taux_90j = numerateur / denominateur (NULL si le dénominateur est nul) ;
--   diagnostics = épisodes de la cohorte diagnostiqués au plus tard à D : la population du délai médian ;
--   delai_median_j = médiane continue de (date de diagnostic - date_orientation), en jours, parmi eux.
-- recul_complet : tous les épisodes de la cohorte ont au moins 90 jours de recul à D (dernier jour de la
-- cohorte dans P <= D - 90) ; une cohorte plus récente n'est que partiellement comptée.
-- Les effectifs s'additionnent d'une cohorte à l'autre (pas les taux ni les médianes) : la somme des
-- dénominateurs, numérateurs et diagnostics sur les cohortes d'un groupe égale celle de taux_diagnostic_90j.
-- Un mois sans orientation n'a pas de ligne.
-- Paramètres : diagnostic ('numerique' ou 'linguistique'), as_of (D), debut, fin,
-- groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, cohorte (1er du mois), recul_complet, orientations, denominateur, numerateur, taux_90j,
-- diagnostics, delai_median_j.
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
            WHEN 'ali' THEN code_ali
            WHEN 'ept' THEN ept
            WHEN 'commune' THEN code_commune
            ELSE error('Regroupement inconnu : ' || $groupe)
        END AS groupe,
        CAST(date_trunc('month', date_orientation) AS DATE) AS cohorte,
        date_orientation,
        CASE $diagnostic
            WHEN 'numerique' THEN date_diag_numerique
            WHEN 'linguistique' THEN date_diag_linguistique
            ELSE error('Diagnostic inconnu : ' || $diagnostic)
        END AS date_diag,
        b.d
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes), bornes AS b
    WHERE date_orientation BETWEEN b.debut AND b.fin
),
agregats AS (
    SELECT
        groupe,
        cohorte,
        count(*) AS orientations,
        count(*) FILTER (WHERE date_orientation <= d - 90) AS denominateur,
        count(*) FILTER (WHERE date_orientation <= d - 90 AND date_diag <= date_orientation + 90) AS numerateur,
        count(*) FILTER (WHERE date_diag <= d) AS diagnostics,
        quantile_cont(CAST(date_diag - date_orientation AS DOUBLE), 0.5) FILTER (WHERE date_diag <= d)
            AS delai_median_j
    FROM p
    GROUP BY groupe, cohorte
)
SELECT
    a.groupe,
    a.cohorte,
    least(last_day(a.cohorte), b.fin) <= b.d - 90 AS recul_complet,
    a.orientations,
    a.denominateur,
    a.numerateur,
    a.numerateur / nullif(a.denominateur, 0) AS taux_90j,
    a.diagnostics,
    a.delai_median_j
FROM agregats AS a, bornes AS b
ORDER BY a.groupe, a.cohorte;
