-- Entrées et sorties par mois (contrat §5.1), par groupe.
-- Entrées d'un mois : épisodes dont la date_orientation est dans ce mois ; sorties : date_sortie dans ce mois.
-- Seuls les jours de [debut, fin] comptent (fin plafonnée à D) : le premier et le dernier mois peuvent
-- être partiels, et la somme des mois égale entrees_sorties sur la même période.
-- Tous les mois de la série figurent (0 quand rien ne se passe), du mois de debut (ou de la première
-- orientation du périmètre s'il est plus tardif) au mois de fin.
-- Paramètres : as_of (D), debut, fin, groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, mois (1er du mois), entrees, sorties.
WITH bornes AS (
    SELECT CAST($debut AS DATE) AS debut, least(CAST($fin AS DATE), CAST($as_of AS DATE)) AS fin
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
        date_sortie
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes), bornes AS b
    WHERE date_orientation <= b.fin
),
evenements AS (
    SELECT p.groupe, CAST(date_trunc('month', p.date_orientation) AS DATE) AS mois, 1 AS entree, 0 AS sortie
    FROM p, bornes AS b
    WHERE p.date_orientation BETWEEN b.debut AND b.fin
    UNION ALL
    SELECT p.groupe, CAST(date_trunc('month', p.date_sortie) AS DATE) AS mois, 0 AS entree, 1 AS sortie
    FROM p, bornes AS b
    WHERE p.date_sortie BETWEEN b.debut AND b.fin
),
par_mois AS (
    SELECT groupe, mois, sum(entree) AS entrees, sum(sortie) AS sorties
    FROM evenements
    GROUP BY groupe, mois
),
premier AS (
    SELECT
        CAST(date_trunc('month', greatest(b.debut, (SELECT min(date_orientation) FROM p))) AS DATE) AS mois_premier,
        CAST(date_trunc('month', b.fin) AS DATE) AS mois_dernier
    FROM bornes AS b
),
grille AS (
    SELECT g.groupe, CAST(unnest(generate_series(pr.mois_premier, pr.mois_dernier, INTERVAL 1 MONTH)) AS DATE) AS mois
    FROM (SELECT DISTINCT groupe FROM p) AS g, premier AS pr
)
SELECT
    grille.groupe,
    grille.mois,
    CAST(coalesce(par_mois.entrees, 0) AS BIGINT) AS entrees,
    CAST(coalesce(par_mois.sorties, 0) AS BIGINT) AS sorties
FROM grille
LEFT JOIN par_mois USING (groupe, mois)
ORDER BY grille.groupe, grille.mois;
