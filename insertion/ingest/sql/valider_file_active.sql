-- Règles de ligne d'une extraction de file active (contrat §3), appliquées à `_brut`
-- (toutes les colonnes du contrat en texte, plus `_ligne`). Une ligne est rejetée pour la
-- première règle qu'elle enfreint, dans l'ordre des colonnes du contrat.
-- Paramètre : $date_extraction, la date (unique) de l'extraction.
-- Deux instructions, chacune terminée par une ligne « ; » seule (le chargeur les lance l'une après
-- l'autre : DuckDB ne lie de paramètres qu'à la dernière instruction d'un envoi). Pour sqlfluff (CV06), le « ; »
-- d'une instruction de plusieurs lignes va donc sur sa propre ligne :
-- sqlfluff:rules:convention.terminator:multiline_newline:True
--
-- Un million de lignes n'ont que quelques centaines de valeurs distinctes par colonne (codes, dates,
-- énumérations) : chaque valeur distincte est normalisée une seule fois (tables v_*), puis retrouvée par
-- jointure. Ce sont les mêmes expressions qu'appliquées ligne à ligne, donc le même résultat ; ce qui ne
-- dépend que d'une cellule (appartenance au référentiel, liste de valeurs admises) y est calculé aussi.
CREATE OR REPLACE TEMP TABLE _verifie AS
WITH
v_code_ali AS (
    SELECT
        brut,
        upper(norm_texte(brut)) AS norm,
        upper(norm_texte(brut)) NOT IN (SELECT code_ali FROM ref_ali) AS inconnu
    FROM (SELECT DISTINCT code_ali AS brut FROM _brut)
),
v_code_commune AS (
    SELECT brut, norm_texte(brut) AS norm, norm_texte(brut) NOT IN (SELECT code_commune FROM ref_communes) AS inconnu
    FROM (SELECT DISTINCT code_commune AS brut FROM _brut)
),
-- Des dates, seule compte la présence d'un texte (« manquante » ou « illisible ») : un booléen, pas le texte.
v_date_orientation AS (
    SELECT brut, norm_texte(brut) IS NOT NULL AS presente, norm_date(brut) AS d
    FROM (SELECT DISTINCT date_orientation AS brut FROM _brut)
),
v_type_parcours AS (
    SELECT brut, norm_enum(brut) AS norm FROM (SELECT DISTINCT type_parcours AS brut FROM _brut)
),
v_date_diag_numerique AS (
    SELECT brut, norm_texte(brut) IS NOT NULL AS presente, norm_date(brut) AS d
    FROM (SELECT DISTINCT date_diag_numerique AS brut FROM _brut)
),
v_niveau_numerique AS (
    SELECT brut, norm_enum(brut) AS norm FROM (SELECT DISTINCT niveau_numerique AS brut FROM _brut)
),
v_date_diag_linguistique AS (
    SELECT brut, norm_texte(brut) IS NOT NULL AS presente, norm_date(brut) AS d
    FROM (SELECT DISTINCT date_diag_linguistique AS brut FROM _brut)
),
v_niveau_linguistique AS (
    -- Les niveaux du CECRL gardent leur casse (A1…C2) ; « Francophone » se normalise.
    SELECT
        brut,
        CASE
            WHEN norm_texte(brut) IN ('A1', 'A2', 'B1', 'B2', 'C1', 'C2') THEN norm_texte(brut)
            ELSE norm_enum(brut)
        END AS norm
    FROM (SELECT DISTINCT niveau_linguistique AS brut FROM _brut)
),
v_date_sortie AS (
    SELECT brut, norm_texte(brut) IS NOT NULL AS presente, norm_date(brut) AS d
    FROM (SELECT DISTINCT date_sortie AS brut FROM _brut)
),
v_motif_sortie AS (
    SELECT brut, norm_enum(brut) AS norm, norm_enum(brut) NOT IN (SELECT motif_sortie FROM ref_motifs_sortie) AS inconnu
    FROM (SELECT DISTINCT motif_sortie AS brut FROM _brut)
),
v_tranche_age AS (
    SELECT brut, norm_enum(brut) AS norm FROM (SELECT DISTINCT tranche_age AS brut FROM _brut)
),
v_sexe AS (
    SELECT brut, norm_texte(brut) AS norm FROM (SELECT DISTINCT sexe AS brut FROM _brut)
),
v_composition_foyer AS (
    SELECT brut, norm_enum(brut) AS norm FROM (SELECT DISTINCT composition_foyer AS brut FROM _brut)
),
v_anciennete_rsa AS (
    SELECT brut, norm_enum(brut) AS norm FROM (SELECT DISTINCT anciennete_rsa AS brut FROM _brut)
),
-- Freins (contrat §7.1, colonnes facultatives : absentes du fichier, elles valent NULL) : les valeurs distinctes
-- des sept colonnes réunies, normalisées une fois (« Oui » → oui).
v_frein AS (
    SELECT brut, norm_enum(brut) AS norm
    FROM (
        SELECT DISTINCT
            unnest([
                frein_logement, frein_garde_enfants, frein_mobilite, frein_sante, frein_numerique, frein_langue,
                frein_administratif
            ]) AS brut
        FROM _brut
    )
    WHERE brut IS NOT NULL
),
brut AS (
    SELECT
        b._ligne,
        -- Un pseudonyme déjà conforme est inchangé par norm_texte : la normalisation (une expression
        -- régulière de remplacement) n'est calculée que pour les autres, les seuls à avoir un million de
        -- valeurs distinctes.
        b.id_conforme,
        CASE WHEN b.id_conforme THEN b.id_beneficiaire ELSE norm_texte(b.id_beneficiaire) END AS id_beneficiaire,
        ali.norm AS code_ali,
        ali.inconnu AS code_ali_inconnu,
        com.norm AS code_commune,
        com.inconnu AS code_commune_inconnu,
        coalesce(dor.presente, false) AS date_orientation_present,
        dor.d AS date_orientation,
        tp.norm AS type_parcours,
        coalesce(ddn.presente, false) AS date_diag_numerique_present,
        ddn.d AS date_diag_numerique,
        nn.norm AS niveau_numerique,
        coalesce(ddl.presente, false) AS date_diag_linguistique_present,
        ddl.d AS date_diag_linguistique,
        nl.norm AS niveau_linguistique,
        coalesce(ds.presente, false) AS date_sortie_present,
        ds.d AS date_sortie,
        ms.norm AS motif_sortie_brut,
        ms.inconnu AS motif_sortie_inconnu,
        ta.norm AS tranche_age,
        sx.norm AS sexe,
        cf.norm AS composition_foyer,
        ar.norm AS anciennete_rsa,
        f1.norm AS frein_logement,
        f2.norm AS frein_garde_enfants,
        f3.norm AS frein_mobilite,
        f4.norm AS frein_sante,
        f5.norm AS frein_numerique,
        f6.norm AS frein_langue,
        f7.norm AS frein_administratif
    FROM (
        SELECT *, regexp_full_match(id_beneficiaire, '[A-Za-z0-9_\-]{8,64}') AS id_conforme FROM _brut
    ) AS b
    LEFT JOIN v_code_ali AS ali ON b.code_ali = ali.brut
    LEFT JOIN v_code_commune AS com ON b.code_commune = com.brut
    LEFT JOIN v_date_orientation AS dor ON b.date_orientation = dor.brut
    LEFT JOIN v_type_parcours AS tp ON b.type_parcours = tp.brut
    LEFT JOIN v_date_diag_numerique AS ddn ON b.date_diag_numerique = ddn.brut
    LEFT JOIN v_niveau_numerique AS nn ON b.niveau_numerique = nn.brut
    LEFT JOIN v_date_diag_linguistique AS ddl ON b.date_diag_linguistique = ddl.brut
    LEFT JOIN v_niveau_linguistique AS nl ON b.niveau_linguistique = nl.brut
    LEFT JOIN v_date_sortie AS ds ON b.date_sortie = ds.brut
    LEFT JOIN v_motif_sortie AS ms ON b.motif_sortie = ms.brut
    LEFT JOIN v_tranche_age AS ta ON b.tranche_age = ta.brut
    LEFT JOIN v_sexe AS sx ON b.sexe = sx.brut
    LEFT JOIN v_composition_foyer AS cf ON b.composition_foyer = cf.brut
    LEFT JOIN v_anciennete_rsa AS ar ON b.anciennete_rsa = ar.brut
    LEFT JOIN v_frein AS f1 ON b.frein_logement = f1.brut
    LEFT JOIN v_frein AS f2 ON b.frein_garde_enfants = f2.brut
    LEFT JOIN v_frein AS f3 ON b.frein_mobilite = f3.brut
    LEFT JOIN v_frein AS f4 ON b.frein_sante = f4.brut
    LEFT JOIN v_frein AS f5 ON b.frein_numerique = f5.brut
    LEFT JOIN v_frein AS f6 ON b.frein_langue = f6.brut
    LEFT JOIN v_frein AS f7 ON b.frein_administratif = f7.brut
),
regles AS (
    SELECT
        brut.*,
        CASE
            WHEN id_beneficiaire IS NULL THEN ['id_beneficiaire', 'id_beneficiaire manquant']
            WHEN NOT id_conforme AND NOT regexp_full_match(id_beneficiaire, '[A-Za-z0-9_\-]{8,64}')
                THEN ['id_beneficiaire', 'id_beneficiaire invalide (8 à 64 caractères parmi A-Z, a-z, 0-9, _ et -)']
            WHEN code_ali IS NULL THEN ['code_ali', 'code_ali manquant']
            WHEN code_ali_inconnu THEN ['code_ali', 'code_ali absent du référentiel des ALI']
            WHEN code_commune IS NULL THEN ['code_commune', 'code_commune manquant']
            WHEN code_commune_inconnu THEN ['code_commune', 'code_commune absent du référentiel des communes']
            WHEN NOT date_orientation_present THEN ['date_orientation', 'date_orientation manquante']
            WHEN date_orientation IS NULL
                THEN ['date_orientation', 'date_orientation illisible (attendu AAAA-MM-JJ ou JJ/MM/AAAA)']
            WHEN date_orientation > $date_extraction
                THEN ['date_orientation', 'date_orientation postérieure à date_extraction']
            WHEN type_parcours IS NULL THEN ['type_parcours', 'type_parcours manquant']
            WHEN type_parcours NOT IN ('social', 'socio_professionnel', 'professionnel')
                THEN ['type_parcours', 'type_parcours inconnu (attendu social, socio_professionnel ou professionnel)']
            WHEN date_diag_numerique_present AND date_diag_numerique IS NULL
                THEN ['date_diag_numerique', 'date_diag_numerique illisible (attendu AAAA-MM-JJ ou JJ/MM/AAAA)']
            WHEN date_diag_numerique < date_orientation
                THEN ['date_diag_numerique', 'date_diag_numerique antérieure à date_orientation']
            WHEN date_diag_numerique > $date_extraction
                THEN ['date_diag_numerique', 'date_diag_numerique postérieure à date_extraction']
            -- Trois messages dépassent 120 caractères : leur règle reste sur une ligne, comme les autres.
            WHEN niveau_numerique NOT IN ('autonome', 'intermediaire', 'debutant', 'non_evalue')
                THEN ['niveau_numerique', 'niveau_numerique inconnu (attendu autonome, intermediaire, debutant ou non_evalue)']  -- noqa: LT05
            WHEN date_diag_linguistique_present AND date_diag_linguistique IS NULL
                THEN ['date_diag_linguistique', 'date_diag_linguistique illisible (attendu AAAA-MM-JJ ou JJ/MM/AAAA)']
            WHEN date_diag_linguistique < date_orientation
                THEN ['date_diag_linguistique', 'date_diag_linguistique antérieure à date_orientation']
            WHEN date_diag_linguistique > $date_extraction
                THEN ['date_diag_linguistique', 'date_diag_linguistique postérieure à date_extraction']
            WHEN niveau_linguistique NOT IN ('A1', 'A2', 'B1', 'B2', 'C1', 'C2', 'francophone')
                THEN ['niveau_linguistique', 'niveau_linguistique inconnu (attendu A1, A2, B1, B2, C1, C2 ou francophone)']  -- noqa: LT05
            WHEN date_sortie_present AND date_sortie IS NULL
                THEN ['date_sortie', 'date_sortie illisible (attendu AAAA-MM-JJ ou JJ/MM/AAAA)']
            WHEN date_sortie < date_orientation THEN ['date_sortie', 'date_sortie antérieure à date_orientation']
            WHEN date_sortie > $date_extraction THEN ['date_sortie', 'date_sortie postérieure à date_extraction']
            WHEN motif_sortie_inconnu
                THEN ['motif_sortie', 'motif_sortie inconnu du référentiel des motifs de sortie']
            WHEN motif_sortie_brut IS NOT NULL AND date_sortie IS NULL
                THEN ['motif_sortie', 'motif_sortie sans date_sortie']
            WHEN tranche_age IS NULL THEN ['tranche_age', 'tranche_age manquante']
            WHEN tranche_age NOT IN ('moins_25', '25_34', '35_44', '45_54', '55_plus')
                THEN ['tranche_age', 'tranche_age inconnue (attendu moins_25, 25_34, 35_44, 45_54 ou 55_plus)']
            WHEN sexe IS NULL THEN ['sexe', 'sexe manquant']
            WHEN sexe NOT IN ('F', 'M') THEN ['sexe', 'sexe inconnu (attendu F ou M)']
            WHEN composition_foyer NOT IN ('seul', 'seul_avec_enfants', 'couple', 'couple_avec_enfants')
                THEN ['composition_foyer', 'composition_foyer inconnue (attendu seul, seul_avec_enfants, couple ou couple_avec_enfants)']  -- noqa: LT05
            WHEN anciennete_rsa NOT IN ('moins_1_an', '1_2_ans', '2_5_ans', '5_ans_plus')
                THEN ['anciennete_rsa', 'anciennete_rsa inconnue (attendu moins_1_an, 1_2_ans, 2_5_ans ou 5_ans_plus)']
            WHEN frein_logement NOT IN ('oui', 'non')
                THEN ['frein_logement', 'frein_logement inconnu (attendu oui, non ou vide)']
            WHEN frein_garde_enfants NOT IN ('oui', 'non')
                THEN ['frein_garde_enfants', 'frein_garde_enfants inconnu (attendu oui, non ou vide)']
            WHEN frein_mobilite NOT IN ('oui', 'non')
                THEN ['frein_mobilite', 'frein_mobilite inconnu (attendu oui, non ou vide)']
            WHEN frein_sante NOT IN ('oui', 'non')
                THEN ['frein_sante', 'frein_sante inconnu (attendu oui, non ou vide)']
            WHEN frein_numerique NOT IN ('oui', 'non')
                THEN ['frein_numerique', 'frein_numerique inconnu (attendu oui, non ou vide)']
            WHEN frein_langue NOT IN ('oui', 'non')
                THEN ['frein_langue', 'frein_langue inconnu (attendu oui, non ou vide)']
            WHEN frein_administratif NOT IN ('oui', 'non')
                THEN ['frein_administratif', 'frein_administratif inconnu (attendu oui, non ou vide)']
        END AS rejet
    FROM brut
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
    rejet[1] AS colonne_rejet,
    rejet[2] AS motif_rejet,
    NULL::VARCHAR AS detail_rejet
FROM regles
;

-- Doublons : parmi les lignes valides, la première occurrence d'un épisode (id_beneficiaire, code_ali,
-- date_orientation) est gardée, les suivantes sont rejetées en citant sa ligne. Une fenêtre sur toutes
-- les lignes trierait le million de lignes ; elle ne porte ici que sur les lignes dont l'empreinte de la
-- clé revient plusieurs fois (les vrais doublons, plus de rares collisions que la fenêtre départage).
UPDATE _verifie AS v
SET
    colonne_rejet = 'id_beneficiaire',
    motif_rejet = 'doublon (même id_beneficiaire, code_ali et date_orientation qu''une ligne précédente)',
    detail_rejet = 'première occurrence ligne ' || d.premiere_ligne
FROM (
    SELECT _ligne, row_number() OVER episode AS rang, first_value(_ligne) OVER episode AS premiere_ligne
    -- Pas un alias en double (AL04) : la table modifiée, relue dans une sous-requête.
    FROM _verifie  -- noqa: AL04
    WHERE
        motif_rejet IS NULL
        AND hash(id_beneficiaire, code_ali, date_orientation) IN (
            SELECT hash(id_beneficiaire, code_ali, date_orientation) AS cle
            FROM _verifie WHERE motif_rejet IS NULL
            GROUP BY cle HAVING count(*) > 1
        )
    WINDOW episode AS (PARTITION BY id_beneficiaire, code_ali, date_orientation ORDER BY _ligne)
) AS d
WHERE v._ligne = d._ligne AND d.rang > 1
;
