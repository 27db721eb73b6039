-- Prévalence des freins périphériques dans la file active à D (contrat §7.1).
-- Personnes : la file active à D, même définition que queries/file_active.sql (épisodes du périmètre avec
-- date_orientation <= D et date_sortie nulle ou > D). Une personne compte une fois par groupe, avec la réponse de
-- son épisode actif le plus récent dans le groupe (puis le plus petit code ALI) ; une personne non marquée
-- episodes_simultanes (préparé au chargement) n'a qu'un épisode actif à D, pris tel quel.
-- Pour chacun des 7 freins (colonnes frein_* des épisodes, évaluées à l'entrée ; nom court dans la colonne frein :
-- logement, garde_enfants, mobilite, sante, numerique, langue, administratif) :
--   connus : personnes dont la réponse est connue (oui ou non) ; vide = inconnu, hors du dénominateur ;
--   avec_frein : personnes qui ont répondu oui ;
--   part = avec_frein / connus, NULL si aucune réponse connue.
-- Une extraction sans les colonnes frein_* (toutes vides) donne connus = 0 pour chaque frein : rien n'est inventé.
-- Chaque groupe qui a au moins une personne active à D a ses 7 lignes, même à 0.
-- Paramètres : as_of (D), groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, frein, connus, avec_frein, part, cle_connus, cle_avec_frein.
WITH actifs AS NOT MATERIALIZED (
    SELECT
        groupe_de($groupe, code_ali, ept, code_commune) AS groupe,
        episodes_simultanes,
        id_beneficiaire,
        date_orientation,
        code_ali,
        cle_personne,
        -- Les réponses aux freins du contrat (liste : ref_freins, queries/macros/freins.sql).
        COLUMNS('^frein_')
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
    WHERE date_orientation <= CAST($as_of AS DATE)
        AND (date_sortie IS NULL OR date_sortie > CAST($as_of AS DATE))
),
simultanees AS (
    -- Personnes marquées : leur épisode actif le plus récent dans le groupe (rang 1).
    SELECT
        *,
        row_number() OVER (
            PARTITION BY groupe, id_beneficiaire ORDER BY date_orientation DESC, code_ali ASC
        ) AS rang
    FROM actifs
    WHERE episodes_simultanes
),
-- ST03 : personnes est lue par la macro reponses_freins (query_table), que sqlfluff ne suit pas.
personnes AS (  -- noqa: ST03
    SELECT groupe, cle_personne, COLUMNS('^frein_') FROM actifs WHERE NOT episodes_simultanes
    UNION ALL
    SELECT groupe, cle_personne, COLUMNS('^frein_') FROM simultanees WHERE rang = 1
),
reponses AS (
    -- Une ligne par personne et par frein (macro de queries/macros/freins.sql, partagée avec
    -- freins_sortie_emploi.sql).
    SELECT groupe, frein, ordre, cle_personne, reponse
    FROM reponses_freins(personnes)
),
agregats AS (
    SELECT
        groupe,
        frein,
        min(ordre) AS ordre,
        sum(CASE WHEN reponse IN ('oui', 'non') THEN 1 ELSE 0 END) AS connus,
        sum(CASE WHEN reponse = 'oui' THEN 1 ELSE 0 END) AS avec_frein,
        -- Une ligne par personne : la clé de chaque effectif somme les clés de ses personnes.
        cle_cellule(CASE WHEN reponse IN ('oui', 'non') THEN cle_personne END) AS cle_connus,
        cle_cellule(CASE WHEN reponse = 'oui' THEN cle_personne END) AS cle_avec_frein
    FROM reponses
    GROUP BY groupe, frein
)
SELECT
    groupe,
    frein,
    CAST(connus AS BIGINT) AS connus,
    CAST(avec_frein AS BIGINT) AS avec_frein,
    avec_frein / nullif(connus, 0) AS part,
    cle_connus,
    cle_avec_frein
FROM agregats
ORDER BY groupe, ordre;
