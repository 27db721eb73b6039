-- Référence des tests (tests/test_lecture_rapide.py) : la version ligne à ligne d'origine de
-- insertion/ingest/sql/valider_file_active.sql, chaque cellule normalisée une à une, les doublons par une fenêtre
-- sur toutes les lignes. La version optimisée doit donner exactement la même table.
-- Règles de ligne d'une extraction de file active (contrat §3), appliquées à `_brut`
-- (toutes les colonnes du contrat en texte, plus `_ligne`). Une ligne est rejetée pour la
-- première règle qu'elle enfreint, dans l'ordre des colonnes du contrat.
-- Paramètre : $date_extraction, la date (unique) de l'extraction.
CREATE OR REPLACE TEMP TABLE _reference AS
WITH brut AS (
    SELECT
        _ligne,
        norm_texte(id_beneficiaire)              AS id_beneficiaire,
        upper(norm_texte(code_ali))              AS code_ali,
        norm_texte(code_commune)                 AS code_commune,
        norm_texte(date_orientation)             AS date_orientation_txt,
        norm_date(date_orientation)                    AS date_orientation,
        norm_enum(type_parcours)                       AS type_parcours,
        norm_texte(date_diag_numerique)          AS date_diag_numerique_txt,
        norm_date(date_diag_numerique)                 AS date_diag_numerique,
        norm_enum(niveau_numerique)                    AS niveau_numerique,
        norm_texte(date_diag_linguistique)       AS date_diag_linguistique_txt,
        norm_date(date_diag_linguistique)              AS date_diag_linguistique,
        -- Les niveaux du CECRL gardent leur casse (A1…C2) ; « Francophone » se normalise.
        CASE WHEN norm_texte(niveau_linguistique) IN ('A1', 'A2', 'B1', 'B2', 'C1', 'C2')
             THEN norm_texte(niveau_linguistique)
             ELSE norm_enum(niveau_linguistique) END    AS niveau_linguistique,
        norm_texte(date_sortie)                  AS date_sortie_txt,
        norm_date(date_sortie)                         AS date_sortie,
        norm_enum(motif_sortie)                        AS motif_sortie_brut,
        norm_enum(tranche_age)                         AS tranche_age,
        norm_texte(sexe)                         AS sexe,
        norm_enum(composition_foyer)                   AS composition_foyer,
        norm_enum(anciennete_rsa)                      AS anciennete_rsa,
        norm_enum(frein_logement) AS frein_logement,
        norm_enum(frein_garde_enfants) AS frein_garde_enfants,
        norm_enum(frein_mobilite) AS frein_mobilite,
        norm_enum(frein_sante) AS frein_sante,
        norm_enum(frein_numerique) AS frein_numerique,
        norm_enum(frein_langue) AS frein_langue,
        norm_enum(frein_administratif) AS frein_administratif
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
            WHEN code_ali NOT IN (SELECT code_ali FROM ref_ali)
                THEN ['code_ali', 'code_ali absent du référentiel des ALI']
            WHEN code_commune IS NULL THEN ['code_commune', 'code_commune manquant']
            WHEN code_commune NOT IN (SELECT code_commune FROM ref_communes)
                THEN ['code_commune', 'code_commune absent du référentiel des communes']
            WHEN date_orientation_txt IS NULL THEN ['date_orientation', 'date_orientation manquante']
            WHEN date_orientation IS NULL
                THEN ['date_orientation', 'date_orientation illisible (attendu AAAA-MM-JJ ou JJ/MM/AAAA)']
            WHEN date_orientation > $date_extraction
                THEN ['date_orientation', 'date_orientation postérieure à date_extraction']
            WHEN type_parcours IS NULL THEN ['type_parcours', 'type_parcours manquant']
            WHEN type_parcours NOT IN ('social', 'socio_professionnel', 'professionnel')
                THEN ['type_parcours', 'type_parcours inconnu (attendu social, socio_professionnel ou professionnel)']
            WHEN date_diag_numerique_txt IS NOT NULL AND date_diag_numerique IS NULL
                THEN ['date_diag_numerique', 'date_diag_numerique illisible (attendu AAAA-MM-JJ ou JJ/MM/AAAA)']
            WHEN date_diag_numerique < date_orientation
                THEN ['date_diag_numerique', 'date_diag_numerique antérieure à date_orientation']
            WHEN date_diag_numerique > $date_extraction
                THEN ['date_diag_numerique', 'date_diag_numerique postérieure à date_extraction']
            WHEN niveau_numerique NOT IN ('autonome', 'intermediaire', 'debutant', 'non_evalue')
                THEN ['niveau_numerique', 'niveau_numerique inconnu (attendu autonome, intermediaire, debutant ou non_evalue)']
            WHEN date_diag_linguistique_txt IS NOT NULL AND date_diag_linguistique IS NULL
                THEN ['date_diag_linguistique', 'date_diag_linguistique illisible (attendu AAAA-MM-JJ ou JJ/MM/AAAA)']
            WHEN date_diag_linguistique < date_orientation
                THEN ['date_diag_linguistique', 'date_diag_linguistique antérieure à date_orientation']
            WHEN date_diag_linguistique > $date_extraction
                THEN ['date_diag_linguistique', 'date_diag_linguistique postérieure à date_extraction']
            WHEN niveau_linguistique NOT IN ('A1', 'A2', 'B1', 'B2', 'C1', 'C2', 'francophone')
                THEN ['niveau_linguistique', 'niveau_linguistique inconnu (attendu A1, A2, B1, B2, C1, C2 ou francophone)']
            WHEN date_sortie_txt IS NOT NULL AND date_sortie IS NULL
                THEN ['date_sortie', 'date_sortie illisible (attendu AAAA-MM-JJ ou JJ/MM/AAAA)']
            WHEN date_sortie < date_orientation THEN ['date_sortie', 'date_sortie antérieure à date_orientation']
            WHEN date_sortie > $date_extraction THEN ['date_sortie', 'date_sortie postérieure à date_extraction']
            WHEN motif_sortie_brut NOT IN (SELECT motif_sortie FROM ref_motifs_sortie)
                THEN ['motif_sortie', 'motif_sortie inconnu du référentiel des motifs de sortie']
            WHEN motif_sortie_brut IS NOT NULL AND date_sortie IS NULL
                THEN ['motif_sortie', 'motif_sortie sans date_sortie']
            WHEN tranche_age IS NULL THEN ['tranche_age', 'tranche_age manquante']
            WHEN tranche_age NOT IN ('moins_25', '25_34', '35_44', '45_54', '55_plus')
                THEN ['tranche_age', 'tranche_age inconnue (attendu moins_25, 25_34, 35_44, 45_54 ou 55_plus)']
            WHEN sexe IS NULL THEN ['sexe', 'sexe manquant']
            WHEN sexe NOT IN ('F', 'M') THEN ['sexe', 'sexe inconnu (attendu F ou M)']
            WHEN composition_foyer NOT IN ('seul', 'seul_avec_enfants', 'couple', 'couple_avec_enfants')
                THEN ['composition_foyer', 'composition_foyer inconnue (attendu seul, seul_avec_enfants, couple ou couple_avec_enfants)']
            WHEN anciennete_rsa NOT IN ('moins_1_an', '1_2_ans', '2_5_ans', '5_ans_plus')
                THEN ['anciennete_rsa', 'anciennete_rsa inconnue (attendu moins_1_an, 1_2_ans, 2_5_ans ou 5_ans_plus)']
            WHEN frein_logement NOT IN ('oui', 'non') THEN ['frein_logement', 'frein_logement inconnu (attendu oui, non ou vide)']
            WHEN frein_garde_enfants NOT IN ('oui', 'non') THEN ['frein_garde_enfants', 'frein_garde_enfants inconnu (attendu oui, non ou vide)']
            WHEN frein_mobilite NOT IN ('oui', 'non') THEN ['frein_mobilite', 'frein_mobilite inconnu (attendu oui, non ou vide)']
            WHEN frein_sante NOT IN ('oui', 'non') THEN ['frein_sante', 'frein_sante inconnu (attendu oui, non ou vide)']
            WHEN frein_numerique NOT IN ('oui', 'non') THEN ['frein_numerique', 'frein_numerique inconnu (attendu oui, non ou vide)']
            WHEN frein_langue NOT IN ('oui', 'non') THEN ['frein_langue', 'frein_langue inconnu (attendu oui, non ou vide)']
            WHEN frein_administratif NOT IN ('oui', 'non') THEN ['frein_administratif', 'frein_administratif inconnu (attendu oui, non ou vide)']
        END AS rejet
    FROM brut
),
doublons AS (
    -- Parmi les lignes valides, la première occurrence d'un épisode est gardée, les suivantes rejetées.
    SELECT
        regles.*,
        CASE WHEN rejet IS NULL THEN row_number() OVER episode END AS rang,
        CASE WHEN rejet IS NULL THEN first_value(_ligne) OVER episode END AS premiere_ligne
    FROM regles
    WINDOW episode AS (PARTITION BY rejet IS NULL, id_beneficiaire, code_ali, date_orientation ORDER BY _ligne)
)
SELECT
    _ligne,
    id_beneficiaire,
    code_ali,
    code_commune,
    date_orientation,
    type_parcours,
    date_diag_numerique,
    niveau_numerique,
    date_diag_linguistique,
    niveau_linguistique,
    date_sortie,
    CASE WHEN date_sortie IS NOT NULL THEN coalesce(motif_sortie_brut, 'non_renseigne') END AS motif_sortie,
    tranche_age,
    sexe,
    composition_foyer,
    anciennete_rsa,
    frein_logement,
    frein_garde_enfants,
    frein_mobilite,
    frein_sante,
    frein_numerique,
    frein_langue,
    frein_administratif,
    $date_extraction::DATE AS date_extraction,
    CASE WHEN rang > 1 THEN 'id_beneficiaire' ELSE rejet[1] END AS colonne_rejet,
    CASE WHEN rang > 1
         THEN 'doublon (même id_beneficiaire, code_ali et date_orientation qu''une ligne précédente)'
         ELSE rejet[2] END AS motif_rejet,
    CASE WHEN rang > 1 THEN 'première occurrence ligne ' || premiere_ligne END AS detail_rejet
FROM doublons;
