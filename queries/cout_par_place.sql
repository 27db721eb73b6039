-- Coût par place d'une année (contrat §7.4 avec §4) : montant exécuté de l'année / moyenne des places déclarées
-- des mois de l'année au plus tard au mois de D. Places d'un mois : somme des places des ALI qui ont déclaré leurs
-- moyens ce mois-là ; la moyenne porte sur les mois déclarés (mois_declares), pas sur douze mois.
-- Budget : la macro budget_par_groupe de queries/macros/budget.sql, partagée avec cout_par_personne.sql
-- (département = tous les crédits des ALI retenues ; par ALI = les crédits de l'ALI). Montant exécuté NULL si une
-- ligne de l'année n'est pas exécutée (exercice ouvert) : le coût est alors NULL, comme sans place déclarée.
-- Ni personnes ni clés de cellule : montants et places sont publics (pas de déclaration de publication).
-- Paramètres : as_of (D), groupe ('departement' ou 'ali'), alis.
-- Colonnes : groupe, annee, montant_execute, mois_declares, places_moyennes, cout_par_place.
WITH bornes AS (
    SELECT year(CAST($as_of AS DATE)) * 12 + month(CAST($as_of AS DATE)) - 1 AS m_d
),
budget_groupe AS (
    -- Montant exécuté par groupe et par année (macro de queries/macros/budget.sql, partagée avec
    -- cout_par_personne.sql).
    SELECT groupe, annee, montant_execute
    FROM budget_par_groupe($groupe, $alis, 'le coût par place')
),
places_mensuelles AS (
    SELECT
        CASE $groupe WHEN 'departement' THEN 'Seine-Saint-Denis' ELSE mo.code_ali END AS groupe,
        year(mo.mois) AS annee,
        mo.mois,
        sum(mo.places) AS places
    FROM moyens AS mo, bornes AS b
    WHERE ($alis IS NULL OR list_contains($alis, mo.code_ali))
        AND year(mo.mois) * 12 + month(mo.mois) - 1 <= b.m_d
    GROUP BY ALL
),
moyennes AS (
    SELECT groupe, annee, count(*) AS mois_declares, avg(places) AS places_moyennes
    FROM places_mensuelles
    GROUP BY groupe, annee
)
SELECT
    bg.groupe,
    bg.annee,
    bg.montant_execute,
    CAST(coalesce(mo.mois_declares, 0) AS BIGINT) AS mois_declares,
    CAST(mo.places_moyennes AS DOUBLE) AS places_moyennes,
    bg.montant_execute / nullif(mo.places_moyennes, 0) AS cout_par_place
FROM budget_groupe AS bg
LEFT JOIN moyennes AS mo USING (groupe, annee)
WHERE bg.annee <= year(CAST($as_of AS DATE))
ORDER BY bg.groupe, bg.annee;
