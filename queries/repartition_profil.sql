-- Répartition de la file active à D par profil (contrat §5.1, colonnes du §3) : tranche d'âge, sexe,
-- type de parcours, composition du foyer ou ancienneté au RSA, choisie par $dimension.
-- File active à D : épisodes du périmètre avec date_orientation <= D et (date_sortie nulle ou > D).
-- Une personne compte une seule fois par groupe : si elle a plusieurs épisodes actifs à D dans le même
-- groupe, on retient celui dont l'orientation est la plus récente (puis le plus petit code ALI) ; la somme
-- des modalités d'un groupe égale donc sa file active. Champ facultatif vide : 'non_renseigne'.
-- Seules les modalités présentes figurent (l'application complète les autres à 0).
-- Calcul : une personne non marquée episodes_simultanes (préparé au chargement) a au plus un épisode actif
-- à D, elle compte directement dans sa modalité ; le choix de l'épisode (fonction de fenêtre) ne se fait que
-- pour les personnes marquées (deux épisodes actifs un même jour : très peu).
-- Paramètres : as_of (D), dimension ('tranche_age', 'sexe', 'type_parcours', 'composition_foyer',
-- 'anciennete_rsa'), groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, modalite, file_active, total (file active du groupe).
-- NOT MATERIALIZED : actifs est lu deux fois ; chaque lecture refait son balayage avec ses seules colonnes et
-- lignes, au lieu d'une copie de tous les épisodes actifs (identifiants compris).
WITH actifs AS NOT MATERIALIZED (
    SELECT
        groupe_de($groupe, code_ali, ept, code_commune) AS groupe,
        episodes_simultanes,
        id_beneficiaire,
        date_orientation,
        code_ali,
        cle_personne,
        coalesce(
            CASE $dimension
                WHEN 'tranche_age' THEN tranche_age
                WHEN 'sexe' THEN sexe
                WHEN 'type_parcours' THEN type_parcours
                WHEN 'composition_foyer' THEN composition_foyer
                WHEN 'anciennete_rsa' THEN anciennete_rsa
                ELSE error('Dimension inconnue : ' || $dimension)
            END,
            'non_renseigne'
        ) AS modalite
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
    WHERE date_orientation <= CAST($as_of AS DATE)
        AND (date_sortie IS NULL OR date_sortie > CAST($as_of AS DATE))
),
simultanees AS (
    -- Personnes marquées : l'épisode retenu par groupe (rang 1).
    SELECT
        groupe,
        modalite,
        cle_personne,
        row_number() OVER (
            PARTITION BY groupe, id_beneficiaire ORDER BY date_orientation DESC, code_ali ASC, modalite ASC
        ) AS rang
    FROM actifs
    WHERE episodes_simultanes
),
personnes AS (
    SELECT groupe, modalite, cle_personne FROM actifs WHERE NOT episodes_simultanes
    UNION ALL
    SELECT groupe, modalite, cle_personne FROM simultanees WHERE rang = 1
)
SELECT
    groupe,
    modalite,
    count(*) AS file_active,
    CAST(sum(count(*)) OVER (PARTITION BY groupe) AS BIGINT) AS total,
    -- Une ligne par personne : la clé de la modalité somme les clés de ses personnes, celle du total toutes.
    cle_cellule(cle_personne) AS cle_file_active,
    cle_modulo(sum(sum(CAST(cle_personne AS BIGINT))) OVER (PARTITION BY groupe)) AS cle_total
FROM personnes
GROUP BY groupe, modalite
ORDER BY groupe, modalite;
