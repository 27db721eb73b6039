-- Budget de l'insertion (contrat §5.5) : montants votés et exécutés par année et par ligne,
-- taux d'exécution et indice base 100 en 2021.
-- Le budget ne porte pas sur des épisodes : seul le filtre ALI s'y applique (pas de macro perimetre).
-- Une ligne sans code_ali est un crédit départemental non ventilé par ALI : il entre dans le total du
-- département (tous les crédits s'additionnent) mais pas dans celui d'une sélection d'ALI ; par ALI,
-- il forme le groupe 'non_reparti'.
-- Pour chaque groupe et chaque année, une ligne par ligne budgétaire plus une ligne 'total'.
-- Montant exécuté : NULL tant qu'une des lignes additionnées n'est pas exécutée (exercice ouvert).
-- Taux d'exécution = exécuté / voté (NULL si voté nul ou exécuté inconnu).
-- Indice 2021 = 100 * montant de l'année / montant 2021 du même groupe et de la même ligne (NULL sans 2021).
-- Paramètres : groupe ('departement' ou 'ali'), alis (NULL : toutes les ALI et le non-ventilé).
-- Colonnes : groupe, annee, ligne, montant_vote, montant_execute, taux_execution,
--            indice_vote_2021, indice_execute_2021.
WITH b AS (
    SELECT
        CASE $groupe
            WHEN 'departement' THEN 'Seine-Saint-Denis'
            WHEN 'ali' THEN coalesce(code_ali, 'non_reparti')
            ELSE error('Regroupement inconnu pour le budget : ' || $groupe)
        END AS groupe,
        annee,
        ligne,
        CAST(montant_vote AS DOUBLE) AS vote,
        -- « execute » est un mot-clé pour sqlfluff (RF04) ; DuckDB le prend comme nom, pendant de « vote ».
        CAST(montant_execute AS DOUBLE) AS execute  -- noqa: RF04
    FROM budget
    WHERE $alis IS NULL OR list_contains($alis, code_ali)
),
agregats AS (
    SELECT
        groupe,
        annee,
        CASE WHEN grouping(ligne) = 1 THEN 'total' ELSE ligne END AS ligne,
        grouping(ligne) AS est_total,
        sum(vote) AS montant_vote,
        CASE WHEN count(execute) = count(*) THEN sum(execute) END AS montant_execute
    FROM b
    GROUP BY GROUPING SETS ((groupe, annee, ligne), (groupe, annee))
)
SELECT
    groupe,
    annee,
    ligne,
    montant_vote,
    montant_execute,
    montant_execute / nullif(montant_vote, 0) AS taux_execution,
    -- La suite d'une expression coupée garde son retrait (LT02 la voudrait au niveau de son début).
    100 * montant_vote
        / nullif(max(montant_vote) FILTER (WHERE annee = 2021) OVER (PARTITION BY groupe, ligne), 0)  -- noqa: LT02
        AS indice_vote_2021,
    100 * montant_execute
        / nullif(max(montant_execute) FILTER (WHERE annee = 2021) OVER (PARTITION BY groupe, ligne), 0)  -- noqa: LT02
        AS indice_execute_2021
FROM agregats
ORDER BY groupe, annee, est_total, ligne;
