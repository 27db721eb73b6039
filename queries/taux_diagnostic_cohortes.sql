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
WITH p AS (
    -- Cohorte = mois d'orientation, en entier (m_orientation, préparé au chargement : année * 12 + mois - 1) ;
    -- la date du 1er du mois n'est formée qu'après le regroupement.
    SELECT
        groupe_de($groupe, code_ali, ept, code_commune) AS groupe,
        m_orientation AS m,
        date_orientation,
        date_diagnostic($diagnostic, date_diag_numerique, date_diag_linguistique) AS date_diag,
        cle_personne
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
    WHERE date_orientation BETWEEN CAST($debut AS DATE) AND least(CAST($fin AS DATE), CAST($as_of AS DATE))
),
agregats AS (
    -- sum(CASE …) plutôt que count(*) FILTER : DuckDB n'évalue alors chaque condition que sur les lignes qui
    -- ont passé la précédente, deux fois moins de calcul sur un million d'épisodes. La médiane ignore les
    -- délais NULL (pas de diagnostic, ou diagnostic daté après D).
    SELECT
        groupe,
        m,
        count(*) AS orientations,
        sum(CASE WHEN date_orientation <= CAST($as_of AS DATE) - 90 THEN 1 ELSE 0 END) AS denominateur,
        sum(diagnostic_90j(date_orientation, date_diag, CAST($as_of AS DATE))) AS numerateur,
        sum(CASE WHEN date_diag <= CAST($as_of AS DATE) THEN 1 ELSE 0 END) AS diagnostics,
        quantile_cont(
            CASE WHEN date_diag <= CAST($as_of AS DATE) THEN CAST(date_diag - date_orientation AS DOUBLE) END, 0.5
        ) AS delai_median_j,
        -- Clés de cellule (queries/macros/perimetre.sql) : épisodes de chaque effectif, chacun avec la clé de sa
        -- personne.
        cle_cellule(cle_personne) AS cle_orientations,
        cle_cellule(CASE WHEN date_orientation <= CAST($as_of AS DATE) - 90 THEN cle_personne END) AS cle_denominateur,
        cle_cellule(diagnostic_90j(date_orientation, date_diag, CAST($as_of AS DATE)) * cle_personne) AS cle_numerateur,
        cle_cellule(CASE WHEN date_diag <= CAST($as_of AS DATE) THEN cle_personne END) AS cle_diagnostics
    FROM p
    GROUP BY groupe, m
),
cohortes AS (
    SELECT *, make_date(CAST(m // 12 AS INTEGER), CAST(m % 12 + 1 AS INTEGER), 1) AS cohorte
    FROM agregats
)
SELECT
    groupe,
    cohorte,
    least(last_day(cohorte), least(CAST($fin AS DATE), CAST($as_of AS DATE))) <= CAST($as_of AS DATE) - 90
        AS recul_complet,
    orientations,
    CAST(denominateur AS BIGINT) AS denominateur,
    CAST(numerateur AS BIGINT) AS numerateur,
    numerateur / nullif(denominateur, 0) AS taux_90j,
    CAST(diagnostics AS BIGINT) AS diagnostics,
    delai_median_j,
    cle_orientations,
    cle_denominateur,
    cle_numerateur,
    cle_diagnostics
FROM cohortes
ORDER BY groupe, cohorte;
