-- Règles de ligne d'un fichier de moyens (contrat §7.4) : une ligne par ALI et par mois, appliquées à `_brut`.
-- Un couple (code_ali, mois) déjà vu plus haut est rejeté ensuite par le chargeur (doublon).
-- Paramètre : $date_extraction. Périmètre de l'instantané (cle) : l'ALI.
CREATE OR REPLACE TEMP TABLE _verifie AS
WITH brut AS (
    SELECT
        _ligne,
        norm_code(code_ali) AS code_ali,
        norm_texte(mois) AS mois_txt,
        norm_mois(mois) AS mois,
        norm_texte(referents_etp) AS referents_txt,
        norm_montant(referents_etp) AS referents_etp,
        norm_texte(places) AS places_txt,
        norm_entier(places) AS places,
        norm_texte(cip_ecole) AS cip_txt,
        norm_entier(cip_ecole) AS cip_ecole
    FROM _brut
),
regles AS (
    SELECT
        brut.*,
        CASE
            WHEN code_ali IS NULL THEN ['code_ali', 'code_ali manquant']
            WHEN code_ali NOT IN (SELECT code_ali FROM ref_ali)
                THEN ['code_ali', 'code_ali absent du référentiel des ALI']
            WHEN mois_txt IS NULL THEN ['mois', 'mois manquant']
            WHEN mois IS NULL OR year(mois) NOT BETWEEN 2000 AND 2100
                THEN ['mois', 'mois illisible (attendu AAAA-MM)']
            WHEN mois > $date_extraction THEN ['mois', 'mois postérieur à date_extraction']
            WHEN referents_txt IS NULL THEN ['referents_etp', 'referents_etp manquant']
            WHEN referents_etp IS NULL OR referents_etp > 9999999
                THEN ['referents_etp', 'referents_etp illisible (attendu un nombre, virgule décimale admise)']
            WHEN referents_etp < 0 THEN ['referents_etp', 'referents_etp négatif']
            WHEN places_txt IS NULL THEN ['places', 'places manquant']
            WHEN places IS NULL THEN ['places', 'places illisible (attendu un nombre entier)']
            WHEN places < 0 THEN ['places', 'places négatif']
            WHEN cip_txt IS NOT NULL AND cip_ecole IS NULL
                THEN ['cip_ecole', 'cip_ecole illisible (attendu un nombre entier)']
            WHEN cip_ecole < 0 THEN ['cip_ecole', 'cip_ecole négatif']
        END AS rejet
    FROM brut
)
SELECT
    _ligne,
    code_ali,
    mois,
    CAST(referents_etp AS DECIMAL(9, 2)) AS referents_etp,
    places,
    cip_ecole,
    $date_extraction::DATE AS date_extraction,
    code_ali AS cle,
    rejet[1] AS colonne_rejet,
    rejet[2] AS motif_rejet,
    NULL::VARCHAR AS detail_rejet
FROM regles;
