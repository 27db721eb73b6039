-- Macros du budget, installées dans la base avec les autres fichiers de queries/macros/ (insertion/store/db.py).
-- Ce fichier n'est pas un indicateur : il ne se lance pas seul.
-- Changer une macro : monter VERSION_SCHEMA (insertion/store/db.py), pour qu'une base déjà écrite la reçoive.
-- Pour sqlfluff (.sqlfluff) : sa grammaire DuckDB (version 4.5) lit les paramètres d'une macro (`MACRO f(x)`) comme
-- des types ; la règle des types en majuscules (CP05) les mettrait en majuscules : écartée pour ce fichier.
-- noqa: disable=CP05

-- Montant exécuté de chaque année par groupe (contrat §5.5 et §7.4), partagé par cout_par_personne.sql et
-- cout_par_place.sql : département = tous les crédits (ventilés ou non) des ALI retenues (toutes si alis est NULL,
-- sans le non-ventilé sinon) ; par ALI = les crédits de l'ALI. Montant exécuté NULL si une ligne de l'année n'est
-- pas exécutée (exercice ouvert) : le coût est alors NULL.
-- Paramètres : regroupement ('departement' ou 'ali' ; nommé ainsi comme dans file_active_evenements), alis (NULL :
-- toutes), indicateur (« le coût par personne »…, pour nommer l'indicateur dans l'erreur d'un regroupement inconnu).
-- Colonnes : groupe, annee, montant_execute.
CREATE OR REPLACE MACRO budget_par_groupe(regroupement, alis, indicateur) AS TABLE
SELECT
    CASE regroupement
        WHEN 'departement' THEN 'Seine-Saint-Denis'
        WHEN 'ali' THEN code_ali
        ELSE error('Regroupement inconnu pour ' || indicateur || ' : ' || regroupement)
    END AS groupe,
    annee,
    CASE
        WHEN count(montant_execute) = count(*) THEN CAST(sum(montant_execute) AS DOUBLE)
    END AS montant_execute
FROM budget
WHERE (alis IS NULL OR list_contains(alis, code_ali))
    AND (regroupement = 'departement' OR code_ali IS NOT NULL)
GROUP BY ALL;
