-- Règles de ligne d'un fichier budget (contrat §4), appliquées à `_brut`
-- (annee, code_ali, ligne, montant_vote, montant_execute en texte, plus `_ligne`).
CREATE OR REPLACE TEMP TABLE _verifie AS
WITH brut AS (
    SELECT
        _ligne,
        norm_texte(annee) AS annee_txt,
        -- Quatre chiffres (« 2024.0 » d'un export de nombres admis) : try_cast seul lirait « 2024.5 »,
        -- « 2.024e3 » ou « 0x7E8 » comme une année.
        CASE
            WHEN regexp_full_match(norm_texte(annee), '[0-9]{4}(\.0+)?') THEN try_cast(norm_texte(annee) AS INTEGER)
        END AS annee,
        upper(norm_texte(code_ali)) AS code_ali,
        norm_libelle(ligne) AS ligne,
        norm_texte(montant_vote) AS montant_vote_txt,
        norm_montant(montant_vote) AS montant_vote,
        norm_texte(montant_execute) AS montant_execute_txt,
        norm_montant(montant_execute) AS montant_execute
    FROM _brut
),
regles AS (
    SELECT
        brut.*,
        CASE
            WHEN annee_txt IS NULL THEN ['annee', 'annee manquante']
            WHEN annee IS NULL OR annee NOT BETWEEN 2000 AND 2100
                THEN ['annee', 'annee invalide (attendu une année entre 2000 et 2100)']
            WHEN code_ali NOT IN (SELECT code_ali FROM ref_ali)
                THEN ['code_ali', 'code_ali absent du référentiel des ALI']
            WHEN ligne IS NULL THEN ['ligne', 'ligne budgétaire manquante']
            WHEN montant_vote_txt IS NULL THEN ['montant_vote', 'montant_vote manquant']
            WHEN montant_vote IS NULL THEN ['montant_vote', 'montant_vote illisible (attendu un montant en euros)']
            WHEN montant_vote < 0 THEN ['montant_vote', 'montant_vote négatif']
            WHEN montant_execute_txt IS NOT NULL AND montant_execute IS NULL
                THEN ['montant_execute', 'montant_execute illisible (attendu un montant en euros)']
            WHEN montant_execute < 0 THEN ['montant_execute', 'montant_execute négatif']
        END AS rejet
    FROM brut
),
doublons AS (
    SELECT
        regles.*,
        CASE WHEN rejet IS NULL THEN row_number() OVER cle END AS rang,
        CASE WHEN rejet IS NULL THEN first_value(_ligne) OVER cle END AS premiere_ligne
    FROM regles
    WINDOW cle AS (PARTITION BY rejet IS NULL, annee, code_ali, ligne ORDER BY _ligne)
)
SELECT
    _ligne,
    annee,
    code_ali,
    ligne,
    montant_vote,
    montant_execute,
    CASE WHEN rang > 1 THEN 'ligne' ELSE rejet[1] END AS colonne_rejet,
    CASE WHEN rang > 1 THEN 'doublon (même annee, code_ali et ligne qu''une ligne précédente)' ELSE rejet[2] END
        AS motif_rejet,
    CASE WHEN rang > 1 THEN 'première occurrence ligne ' || premiere_ligne END AS detail_rejet
FROM doublons;
