-- Taux de diagnostic à 90 jours et délai médian (contrat §5.2), numérique ou linguistique.
-- Cohorte (dénominateur) : épisodes du périmètre avec date_orientation dans P = [debut, fin]
-- et date_orientation <= D - 90 jours (ils ont eu 90 jours pour être diagnostiqués).
-- Numérateur : ceux dont la date de diagnostic est <= date_orientation + 90 jours (le 90e jour compte).
-- Taux = numérateur / dénominateur, NULL si le dénominateur est nul.
-- Délai médian : médiane de (date de diagnostic - date_orientation) en jours parmi les épisodes de P
-- ayant un diagnostic daté <= D (médiane continue : moyenne des deux valeurs centrales ; NULL si aucun).
-- Paramètres : diagnostic ('numerique' ou 'linguistique'), as_of (D), debut, fin (plafonnée à D),
-- groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, denominateur, numerateur, taux_90j, delai_median_j.
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
        count(*) FILTER (WHERE date_orientation <= d - 90) AS denominateur,
        count(*) FILTER (WHERE date_orientation <= d - 90 AND date_diag <= date_orientation + 90) AS numerateur,
        quantile_cont(CAST(date_diag - date_orientation AS DOUBLE), 0.5) FILTER (WHERE date_diag <= d)
            AS delai_median_j
    FROM p
    GROUP BY groupe
)
SELECT
    groupe,
    denominateur,
    numerateur,
    numerateur / nullif(denominateur, 0) AS taux_90j,
    delai_median_j
FROM agregats
ORDER BY groupe;
