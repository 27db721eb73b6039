-- Règles de ligne d'un fichier d'actions collectives (contrat §7.3) : une ligne par séance, appliquées à `_brut`.
-- Une ligne est rejetée pour la première règle qu'elle enfreint, dans l'ordre des colonnes du contrat ; un
-- id_action déjà vu plus haut dans le fichier est rejeté ensuite par le chargeur (doublon).
-- Paramètre : $date_extraction. Périmètre de l'instantané (cle) : la structure organisatrice.
CREATE OR REPLACE TEMP TABLE _verifie AS
WITH brut AS (
    SELECT
        _ligne,
        norm_texte(id_action) AS id_action,
        norm_enum(type_action) AS type_action,
        norm_code(code_structure) AS code_structure,
        norm_code(code_ali) AS code_ali,
        norm_texte(code_commune) AS code_commune,
        norm_texte(quartier) AS quartier,
        norm_texte(date_action) IS NOT NULL AS date_action_presente,
        norm_date(date_action) AS date_action,
        norm_texte(places) AS places_txt,
        norm_entier(places) AS places,
        norm_texte(participants) AS participants_txt,
        norm_entier(participants) AS participants,
        norm_texte(rendez_vous_pris) AS rendez_vous_txt,
        norm_entier(rendez_vous_pris) AS rendez_vous_pris,
        norm_texte(personnes_remobilisees) AS remobilisees_txt,
        norm_entier(personnes_remobilisees) AS personnes_remobilisees
    FROM _brut
),
regles AS (
    SELECT
        brut.*,
        CASE
            WHEN id_action IS NULL THEN ['id_action', 'id_action manquant']
            WHEN NOT regexp_full_match(id_action, '[A-Za-z0-9_\-.]{1,64}')
                THEN ['id_action', 'id_action invalide (1 à 64 caractères parmi A-Z, a-z, 0-9, _, - et .)']
            WHEN type_action IS NULL THEN ['type_action', 'type_action manquant']
            WHEN type_action NOT IN (
                    'atelier_numerique',
                    'atelier_linguistique',
                    'information_collective',
                    'aller_vers',
                    'job_dating',
                    'autre'
                )
                THEN ['type_action', 'type_action inconnu (attendu atelier_numerique, atelier_linguistique, information_collective, aller_vers, job_dating ou autre)']  -- noqa: LT05
            WHEN code_structure IS NULL THEN ['code_structure', 'code_structure manquant']
            WHEN code_structure NOT IN (SELECT s.code_structure FROM structures AS s)
                THEN ['code_structure', 'code_structure absent de l''annuaire des structures']
            WHEN
                code_ali NOT IN (SELECT code_ali FROM ref_ali)
                THEN ['code_ali', 'code_ali absent du référentiel des ALI']
            WHEN code_commune IS NULL THEN ['code_commune', 'code_commune manquant']
            WHEN code_commune NOT IN (SELECT code_commune FROM ref_communes)
                THEN ['code_commune', 'code_commune absent du référentiel des communes']
            WHEN length(quartier) > 80 THEN ['quartier', 'quartier trop long (80 caractères au plus)']
            WHEN NOT date_action_presente THEN ['date_action', 'date_action manquante']
            WHEN date_action IS NULL THEN ['date_action', 'date_action illisible (attendu AAAA-MM-JJ ou JJ/MM/AAAA)']
            WHEN date_action > $date_extraction THEN ['date_action', 'date_action postérieure à date_extraction']
            WHEN places_txt IS NOT NULL AND places IS NULL
                THEN ['places', 'places illisible (attendu un nombre entier)']
            WHEN places < 0 THEN ['places', 'places négatif']
            WHEN participants_txt IS NULL THEN ['participants', 'participants manquant']
            WHEN participants IS NULL THEN ['participants', 'participants illisible (attendu un nombre entier)']
            WHEN participants < 0 THEN ['participants', 'participants négatif']
            WHEN rendez_vous_txt IS NOT NULL AND rendez_vous_pris IS NULL
                THEN ['rendez_vous_pris', 'rendez_vous_pris illisible (attendu un nombre entier)']
            WHEN rendez_vous_pris < 0 THEN ['rendez_vous_pris', 'rendez_vous_pris négatif']
            WHEN remobilisees_txt IS NOT NULL AND personnes_remobilisees IS NULL
                THEN ['personnes_remobilisees', 'personnes_remobilisees illisible (attendu un nombre entier)']
            WHEN personnes_remobilisees < 0 THEN ['personnes_remobilisees', 'personnes_remobilisees négatif']
            WHEN personnes_remobilisees > participants
                THEN ['personnes_remobilisees', 'plus de personnes_remobilisees que de participants']
        END AS rejet
    FROM brut
)
SELECT
    _ligne,
    id_action,
    type_action,
    code_structure,
    code_ali,
    code_commune,
    quartier,
    date_action,
    places,
    participants,
    rendez_vous_pris,
    personnes_remobilisees,
    $date_extraction::DATE AS date_extraction,
    code_structure AS cle,
    rejet[1] AS colonne_rejet,
    rejet[2] AS motif_rejet,
    NULL::VARCHAR AS detail_rejet
FROM regles;
