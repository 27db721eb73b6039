-- Complétude des champs facultatifs des épisodes courants.
-- Parmi les épisodes courants du périmètre orientés pendant P = [debut, fin] : combien ont une valeur
-- dans chaque champ facultatif (date et niveau des diagnostics numérique et linguistique, composition du
-- foyer, ancienneté au RSA). Pour le motif de sortie, le dénominateur est le nombre de sorties
-- (date_sortie renseignée) et un motif « non_renseigne » (sortie sans motif) compte comme vide.
-- Les valeurs sont celles de l'extraction en place pour chaque ALI (pas à la date D) : une date de
-- diagnostic vide peut simplement signifier que le diagnostic n'a pas encore eu lieu.
-- Paramètres : groupe ('departement' ou 'ali'), debut, fin, filtres du périmètre.
-- Colonnes : groupe, episodes, date_diag_numerique, niveau_numerique, date_diag_linguistique,
--            niveau_linguistique, composition_foyer, anciennete_rsa, sorties, motif_sortie
--            (effectifs d'épisodes ayant le champ renseigné), et cle_<effectif> pour chacun.
WITH p AS (
    SELECT
        CASE $groupe
            WHEN 'departement' THEN 'Seine-Saint-Denis'
            WHEN 'ali' THEN code_ali
            ELSE error('Regroupement inconnu : ' || $groupe)
        END AS groupe,
        date_diag_numerique,
        niveau_numerique,
        date_diag_linguistique,
        niveau_linguistique,
        composition_foyer,
        anciennete_rsa,
        date_sortie,
        motif_sortie,
        cle_personne
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
    WHERE date_orientation BETWEEN CAST($debut AS DATE) AND CAST($fin AS DATE)
)
SELECT
    groupe,
    count(*) AS episodes,
    count(date_diag_numerique) AS date_diag_numerique,
    count(niveau_numerique) AS niveau_numerique,
    count(date_diag_linguistique) AS date_diag_linguistique,
    count(niveau_linguistique) AS niveau_linguistique,
    count(composition_foyer) AS composition_foyer,
    count(anciennete_rsa) AS anciennete_rsa,
    count(date_sortie) AS sorties,
    -- sum(CASE …) plutôt que count(*) FILTER : la comparaison de texte n'est faite que pour les sorties.
    CAST(sum(CASE WHEN date_sortie IS NOT NULL AND motif_sortie <> 'non_renseigne' THEN 1 ELSE 0 END) AS BIGINT)
        AS motif_sortie,
    -- Clés de cellule (secret statistique, insertion/protect) : une par effectif, comme dans les autres requêtes.
    cle_cellule(cle_personne) AS cle_episodes,
    cle_cellule(CASE WHEN date_diag_numerique IS NOT NULL THEN cle_personne END) AS cle_date_diag_numerique,
    cle_cellule(CASE WHEN niveau_numerique IS NOT NULL THEN cle_personne END) AS cle_niveau_numerique,
    cle_cellule(CASE WHEN date_diag_linguistique IS NOT NULL THEN cle_personne END) AS cle_date_diag_linguistique,
    cle_cellule(CASE WHEN niveau_linguistique IS NOT NULL THEN cle_personne END) AS cle_niveau_linguistique,
    cle_cellule(CASE WHEN composition_foyer IS NOT NULL THEN cle_personne END) AS cle_composition_foyer,
    cle_cellule(CASE WHEN anciennete_rsa IS NOT NULL THEN cle_personne END) AS cle_anciennete_rsa,
    cle_cellule(CASE WHEN date_sortie IS NOT NULL THEN cle_personne END) AS cle_sorties,
    cle_cellule(CASE WHEN date_sortie IS NOT NULL AND motif_sortie <> 'non_renseigne' THEN cle_personne END)
        AS cle_motif_sortie
FROM p
GROUP BY groupe
ORDER BY groupe;
