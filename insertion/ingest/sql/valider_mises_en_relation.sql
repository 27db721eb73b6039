-- Règles de ligne d'un fichier de mises en relation (contrat §7.2), appliquées à `_brut` (les colonnes du
-- contrat en texte, plus `_ligne`). Une ligne est rejetée pour la première règle qu'elle enfreint, dans l'ordre
-- des colonnes du contrat. Les doublons (la même ligne deux fois) sont rejetés ensuite par le chargeur.
-- Paramètre : $date_extraction, la date (unique) du fichier.
-- Le périmètre de l'instantané (cle) : la structure × l'ALI, « STRUCTURE|ALI ».
CREATE OR REPLACE TEMP TABLE _verifie AS
WITH brut AS (
    SELECT
        _ligne,
        norm_texte(id_beneficiaire) AS id_beneficiaire,
        norm_code(code_ali) AS code_ali,
        norm_code(code_structure) AS code_structure,
        norm_texte(date_mise_en_relation) IS NOT NULL AS date_mise_en_relation_presente,
        norm_date(date_mise_en_relation) AS date_mise_en_relation,
        norm_enum(taille_entreprise) AS taille_entreprise,
        upper(norm_texte(secteur_naf)) AS secteur_naf,
        norm_enum(issue) AS issue,
        norm_texte(date_embauche) IS NOT NULL AS date_embauche_presente,
        norm_date(date_embauche) AS date_embauche,
        norm_enum(type_contrat) AS type_contrat,
        norm_texte(duree_contrat_mois) AS duree_txt,
        norm_entier(duree_contrat_mois) AS duree_contrat_mois
    FROM _brut
),
regles AS (
    SELECT
        brut.*,
        CASE
            WHEN id_beneficiaire IS NULL THEN ['id_beneficiaire', 'id_beneficiaire manquant']
            WHEN NOT regexp_full_match(id_beneficiaire, '[A-Za-z0-9_\-]{8,64}')
                THEN ['id_beneficiaire', 'id_beneficiaire invalide (8 à 64 caractères parmi A-Z, a-z, 0-9, _ et -)']
            WHEN code_ali IS NULL THEN ['code_ali', 'code_ali manquant']
            WHEN
                code_ali NOT IN (SELECT code_ali FROM ref_ali)
                THEN ['code_ali', 'code_ali absent du référentiel des ALI']
            WHEN code_structure IS NULL THEN ['code_structure', 'code_structure manquant']
            WHEN code_structure NOT IN (SELECT s.code_structure FROM structures AS s)
                THEN ['code_structure', 'code_structure absent de l''annuaire des structures']
            WHEN NOT date_mise_en_relation_presente THEN ['date_mise_en_relation', 'date_mise_en_relation manquante']
            WHEN date_mise_en_relation IS NULL
                THEN ['date_mise_en_relation', 'date_mise_en_relation illisible (attendu AAAA-MM-JJ ou JJ/MM/AAAA)']
            WHEN date_mise_en_relation > $date_extraction
                THEN ['date_mise_en_relation', 'date_mise_en_relation postérieure à date_extraction']
            WHEN taille_entreprise IS NULL THEN ['taille_entreprise', 'taille_entreprise manquante']
            WHEN taille_entreprise NOT IN ('tpe', 'pme', 'eti_ge', 'inconnue')
                THEN ['taille_entreprise', 'taille_entreprise inconnue (attendu tpe, pme, eti_ge ou inconnue)']
            WHEN secteur_naf NOT IN (
                    'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', 'P',
                    'Q', 'R', 'S', 'T', 'U'
                )
                THEN ['secteur_naf', 'secteur_naf inconnu (attendu une lettre de section NAF, de A à U)']
            WHEN issue IS NULL THEN ['issue', 'issue manquante']
            WHEN issue NOT IN ('en_cours', 'embauche', 'refus_employeur', 'refus_personne', 'abandon')
                THEN [
                        'issue',
                        'issue inconnue (attendu en_cours, embauche, refus_employeur, refus_personne ou abandon)'
                    ]
            WHEN date_embauche_presente AND date_embauche IS NULL
                THEN ['date_embauche', 'date_embauche illisible (attendu AAAA-MM-JJ ou JJ/MM/AAAA)']
            WHEN issue = 'embauche' AND date_embauche IS NULL THEN ['date_embauche', 'embauche sans date_embauche']
            WHEN issue <> 'embauche' AND date_embauche IS NOT NULL
                THEN ['date_embauche', 'date_embauche sans issue « embauche »']
            WHEN date_embauche < date_mise_en_relation
                THEN ['date_embauche', 'date_embauche antérieure à date_mise_en_relation']
            WHEN date_embauche > $date_extraction THEN ['date_embauche', 'date_embauche postérieure à date_extraction']
            WHEN issue = 'embauche' AND type_contrat IS NULL THEN ['type_contrat', 'embauche sans type_contrat']
            WHEN type_contrat NOT IN ('cdi', 'cdd', 'interim', 'contrat_aide', 'alternance', 'creation')
                THEN ['type_contrat', 'type_contrat inconnu (attendu cdi, cdd, interim, contrat_aide, alternance ou creation)']  -- noqa: LT05
            WHEN issue <> 'embauche' AND type_contrat IS NOT NULL
                THEN ['type_contrat', 'type_contrat sans issue « embauche »']
            WHEN duree_txt IS NOT NULL AND duree_contrat_mois IS NULL
                THEN ['duree_contrat_mois', 'duree_contrat_mois illisible (attendu un nombre entier de mois)']
            WHEN duree_contrat_mois NOT BETWEEN 1 AND 120
                THEN ['duree_contrat_mois', 'duree_contrat_mois hors limites (attendu de 1 à 120 mois)']
            WHEN type_contrat = 'cdi' AND duree_contrat_mois IS NOT NULL
                THEN ['duree_contrat_mois', 'duree_contrat_mois renseignée pour un CDI (laisser vide)']
        END AS rejet
    FROM brut
)
SELECT
    _ligne,
    id_beneficiaire,
    code_ali,
    code_structure,
    date_mise_en_relation,
    taille_entreprise,
    secteur_naf,
    issue,
    date_embauche,
    type_contrat,
    duree_contrat_mois,
    -- Contrat long (contrat §7.2) : CDI, création, ou 6 mois et plus ; NULL sans embauche.
    CASE
        WHEN issue = 'embauche' THEN type_contrat IN ('cdi', 'creation') OR coalesce(duree_contrat_mois >= 6, false)
    END AS contrat_long,
    $date_extraction::DATE AS date_extraction,
    code_structure || '|' || code_ali AS cle,
    rejet[1] AS colonne_rejet,
    rejet[2] AS motif_rejet,
    NULL::VARCHAR AS detail_rejet
FROM regles;
