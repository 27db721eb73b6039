-- Règles de ligne d'un fichier de participations aux actions collectives (contrat §7.3), appliquées à `_brut`.
-- La séance (id_action) doit figurer parmi les actions collectives en place : chargez d'abord le fichier des
-- actions. Un couple (id_beneficiaire, id_action) déjà vu plus haut est rejeté ensuite par le chargeur.
-- Paramètre : $date_extraction. Périmètre de l'instantané (cle) : la structure organisatrice de la séance.
CREATE OR REPLACE TEMP TABLE _verifie AS
WITH brut AS (
    SELECT
        b._ligne,
        norm_texte(b.id_beneficiaire) AS id_beneficiaire,
        norm_texte(b.id_action) AS id_action
    FROM _brut AS b
),
regles AS (
    SELECT
        brut.*,
        a.code_structure,
        a.code_ali,
        CASE
            WHEN brut.id_beneficiaire IS NULL THEN ['id_beneficiaire', 'id_beneficiaire manquant']
            WHEN NOT regexp_full_match(brut.id_beneficiaire, '[A-Za-z0-9_\-]{8,64}')
                THEN ['id_beneficiaire', 'id_beneficiaire invalide (8 à 64 caractères parmi A-Z, a-z, 0-9, _ et -)']
            WHEN brut.id_action IS NULL THEN ['id_action', 'id_action manquant']
            WHEN a.id_action IS NULL
                THEN ['id_action', 'id_action inconnu (absent des actions collectives chargées)']
        END AS rejet
    FROM brut
    LEFT JOIN actions_collectives AS a ON brut.id_action = a.id_action
)
SELECT
    _ligne,
    id_beneficiaire,
    id_action,
    code_structure,
    code_ali,
    $date_extraction::DATE AS date_extraction,
    code_structure AS cle,
    rejet[1] AS colonne_rejet,
    rejet[2] AS motif_rejet,
    NULL::VARCHAR AS detail_rejet
FROM regles;
