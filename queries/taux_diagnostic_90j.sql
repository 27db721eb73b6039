-- Taux de diagnostic à 90 jours et délai médian (contrat §5.2), numérique ou linguistique.
-- Cohorte (dénominateur) : épisodes du périmètre avec date_orientation dans P = [debut, fin]
-- et date_orientation <= D - 90 jours (ils ont eu 90 jours pour être diagnostiqués).
-- Numérateur : ceux dont la date de diagnostic est <= date_orientation + 90 jours (le 90e jour compte).
-- Taux = numérateur / dénominateur, NULL si le dénominateur est nul.
-- Délai médian : médiane de (date de diagnostic - date_orientation) en jours parmi les épisodes de P
-- ayant un diagnostic daté <= D (médiane continue : moyenne des deux valeurs centrales ; NULL si aucun),
-- lue sur l'histogramme des délais.
-- Paramètres : diagnostic ('numerique' ou 'linguistique'), as_of (D), debut, fin (plafonnée à D),
-- groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, denominateur, numerateur, taux_90j, delai_median_j.
-- NOT MATERIALIZED : p est lu deux fois (taux, délais) ; chaque lecture refait son balayage plutôt que de
-- recopier un million de lignes.
WITH p AS NOT MATERIALIZED (
    SELECT
        groupe_de($groupe, code_ali, ept, code_commune) AS groupe,
        date_orientation,
        date_diagnostic($diagnostic, date_diag_numerique, date_diag_linguistique) AS date_diag,
        cle_personne
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
    WHERE date_orientation BETWEEN CAST($debut AS DATE) AND least(CAST($fin AS DATE), CAST($as_of AS DATE))
),
agregats AS (
    -- sum(CASE …) plutôt que count(*) FILTER : DuckDB n'évalue alors chaque condition que sur les lignes qui
    -- ont passé la précédente, deux fois moins de calcul sur un million d'épisodes.
    SELECT
        groupe,
        sum(CASE WHEN date_orientation <= CAST($as_of AS DATE) - 90 THEN 1 ELSE 0 END) AS denominateur,
        sum(diagnostic_90j(date_orientation, date_diag, CAST($as_of AS DATE))) AS numerateur,
        -- Diagnostics datés au plus tard à D : l'effectif sur lequel porte le délai médian.
        sum(CASE WHEN date_diag <= CAST($as_of AS DATE) THEN 1 ELSE 0 END) AS diagnostics,
        -- Clés de cellule (queries/macros/perimetre.sql) : épisodes de chaque effectif, chacun avec la clé de sa
        -- personne.
        cle_cellule(CASE WHEN date_orientation <= CAST($as_of AS DATE) - 90 THEN cle_personne END) AS cle_denominateur,
        cle_cellule(diagnostic_90j(date_orientation, date_diag, CAST($as_of AS DATE)) * cle_personne) AS cle_numerateur,
        cle_cellule(CASE WHEN date_diag <= CAST($as_of AS DATE) THEN cle_personne END) AS cle_diagnostics
    FROM p
    GROUP BY groupe
),
delais AS (
    -- Délai médian : les délais sont des jours entiers, on les compte par valeur (quelques centaines de
    -- valeurs) au lieu de trier des centaines de milliers de délais. cumul = délais inférieurs ou égaux.
    SELECT
        groupe,
        delai,
        sum(n) OVER (PARTITION BY groupe ORDER BY delai) AS cumul,
        sum(n) OVER (PARTITION BY groupe) AS total
    FROM (
        SELECT groupe, date_diag - date_orientation AS delai, count(*) AS n
        FROM p
        WHERE date_diag <= CAST($as_of AS DATE)
        GROUP BY groupe, delai
    )
),
medianes AS (
    -- Médiane continue (comme quantile_cont(…, 0.5)) : moyenne des délais de rangs (total - 1) // 2 et
    -- total // 2 (rangs comptés à partir de 0, égaux quand total est impair). Le délai de rang k est le plus
    -- petit dont le cumul dépasse k.
    SELECT
        groupe,
        (min(delai) FILTER (WHERE cumul > (total - 1) // 2) + min(delai) FILTER (WHERE cumul > total // 2)) / 2.0
            AS delai_median_j
    FROM delais
    GROUP BY groupe
)
SELECT
    a.groupe,
    CAST(a.denominateur AS BIGINT) AS denominateur,
    CAST(a.numerateur AS BIGINT) AS numerateur,
    a.numerateur / nullif(a.denominateur, 0) AS taux_90j,
    m.delai_median_j,
    CAST(a.diagnostics AS BIGINT) AS diagnostics,
    a.cle_denominateur,
    a.cle_numerateur,
    a.cle_diagnostics
FROM agregats AS a
LEFT JOIN medianes AS m USING (groupe)
ORDER BY a.groupe;
