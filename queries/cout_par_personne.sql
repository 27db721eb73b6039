-- Coût par personne suivie d'une année (contrat §5.5) :
-- montant exécuté de l'année / moyenne de la file active de fin de mois sur les mois de l'année <= D.
-- Le mois de D compte avec sa file active à D (comme dans file_active_mensuelle) ; les mois sans
-- personne suivie comptent pour 0 (une ALI ouverte en juin a une file active nulle de janvier à mai).
-- File active mensuelle : la macro file_active_evenements de queries/macros/perimetre.sql, partagée avec
-- file_active_mensuelle.sql (+1 / -1 par personne distincte, somme cumulée).
-- Budget : la macro budget_par_groupe de queries/macros/budget.sql, partagée avec cout_par_place.sql
-- (département = tous les crédits des ALI retenues ; par ALI = les crédits de l'ALI). Montant exécuté NULL si
-- une ligne de l'année n'est pas exécutée (exercice ouvert) : le coût est alors NULL, comme pour une file
-- active nulle.
-- Paramètres : as_of (D), groupe ('departement' ou 'ali'), filtres du périmètre (seul alis a un sens
-- pour le budget ; l'appelant n'en passe pas d'autre).
-- Colonnes : groupe, annee, montant_execute, mois_observes, file_active_moyenne, cout_par_personne.
WITH bornes AS (
    SELECT year(CAST($as_of AS DATE)) * 12 + month(CAST($as_of AS DATE)) - 1 AS m_d
),
budget_groupe AS (
    -- Montant exécuté par groupe et par année (macro de queries/macros/budget.sql, partagée avec cout_par_place.sql).
    SELECT groupe, annee, montant_execute
    FROM budget_par_groupe($groupe, $alis, 'le coût par personne')
),
evenements AS (
    -- File active de fin de mois en événements, personnes distinctes (macro de perimetre.sql, partagée avec
    -- file_active_mensuelle.sql).
    SELECT *
    FROM file_active_evenements($groupe, CAST($as_of AS DATE), $alis, $epts, $communes, $parcours, $ages, $sexes)
),
plage AS (
    -- De janvier de la première année budgétaire au mois de D (vide si aucune année n'est commencée).
    SELECT (SELECT min(annee) FROM budget_groupe) * 12 AS m_premier, b.m_d AS m_dernier
    FROM bornes AS b
),
deltas AS (
    SELECT e.groupe, greatest(e.m, p.m_premier) AS m, sum(e.delta) AS delta
    FROM evenements AS e, plage AS p
    WHERE e.m <= p.m_dernier
    GROUP BY ALL
),
grille AS (
    SELECT g.groupe, unnest(generate_series(p.m_premier, p.m_dernier)) AS m
    FROM (SELECT DISTINCT groupe FROM budget_groupe) AS g, plage AS p
),
serie AS (
    SELECT
        grille.groupe,
        CAST(grille.m // 12 AS INTEGER) AS annee,
        sum(coalesce(deltas.delta, 0)) OVER (PARTITION BY grille.groupe ORDER BY grille.m) AS file_active
    FROM grille
    LEFT JOIN deltas USING (groupe, m)
),
moyennes AS (
    SELECT groupe, annee, count(*) AS mois_observes, avg(file_active) AS file_active_moyenne
    FROM serie
    GROUP BY groupe, annee
)
SELECT
    bg.groupe,
    bg.annee,
    bg.montant_execute,
    CAST(coalesce(mo.mois_observes, 0) AS BIGINT) AS mois_observes,
    CAST(mo.file_active_moyenne AS DOUBLE) AS file_active_moyenne,
    bg.montant_execute / nullif(mo.file_active_moyenne, 0) AS cout_par_personne
FROM budget_groupe AS bg
LEFT JOIN moyennes AS mo USING (groupe, annee)
ORDER BY bg.groupe, bg.annee;
