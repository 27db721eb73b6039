-- Règles de ligne de l'annuaire des structures (contrat §7.5), appliquées à `_brut`. Des organisations, jamais une
-- personne : les colonnes et les valeurs sont cherchées comme partout (identifiants directs, fichier refusé).
-- Un code_structure déjà vu plus haut est rejeté ensuite par le chargeur (doublon).
-- L'annuaire n'a pas de date_extraction : il est remplacé en entier (cle 'annuaire').
CREATE OR REPLACE TEMP TABLE _verifie AS
WITH brut AS (
    SELECT
        _ligne,
        norm_code(code_structure) AS code_structure,
        norm_texte(nom_structure) AS nom_structure,
        -- « type » : le nom de colonne du contrat (§7.5), un mot-clé pour sqlfluff (RF04), un nom pour DuckDB.
        norm_enum(type) AS type,  -- noqa: RF04
        norm_texte(code_commune) AS code_commune,
        -- « emploi | Formation » → [emploi, formation] ; une valeur vide entre deux « | » est ignorée.
        list_filter(
            list_transform(string_split(coalesce(domaines, ''), '|'), lambda d: norm_enum(d)), lambda d: d IS NOT NULL
        )
            AS domaines,
        list_filter(
            list_transform(string_split(coalesce(reseaux, ''), '|'), lambda r: norm_libelle(r)), lambda r: r IS NOT NULL
        )
            AS reseaux,
        norm_texte(site_web) AS site_web
    FROM _brut
),
regles AS (
    SELECT
        brut.*,
        CASE
            WHEN code_structure IS NULL THEN ['code_structure', 'code_structure manquant']
            WHEN NOT regexp_full_match(code_structure, '[A-Z0-9_\-]{2,40}')
                THEN ['code_structure', 'code_structure invalide (2 à 40 caractères parmi A-Z, 0-9, _ et -)']
            WHEN nom_structure IS NULL THEN ['nom_structure', 'nom_structure manquant']
            WHEN length(nom_structure) > 150 THEN ['nom_structure', 'nom_structure trop long (150 caractères au plus)']
            WHEN type IS NULL THEN ['type', 'type manquant']
            WHEN type NOT IN (
                    'ali', 'association', 'siae', 'mission_locale', 'france_travail', 'ebe', 'organisme_formation',
                    'service_municipal', 'entreprise', 'universite', 'autre'
                )
                THEN ['type', 'type inconnu (attendu ali, association, siae, mission_locale, france_travail, ebe, organisme_formation, service_municipal, entreprise, universite ou autre)']  -- noqa: LT05
            WHEN code_commune IS NULL THEN ['code_commune', 'code_commune manquant']
            WHEN code_commune NOT IN (SELECT code_commune FROM ref_communes)
                THEN ['code_commune', 'code_commune absent du référentiel des communes']
            WHEN len(domaines) = 0 THEN ['domaines', 'domaines manquant']
            WHEN NOT list_bool_and(list_transform(domaines, lambda d: list_contains(
                    [
                        'emploi', 'formation', 'numerique', 'langue', 'logement', 'garde_enfants', 'mobilite', 'sante',
                        'acces_droits'
                    ], d
                )))
                THEN ['domaines', 'domaine inconnu (attendu emploi, formation, numerique, langue, logement, garde_enfants, mobilite, sante ou acces_droits, séparés par |)']  -- noqa: LT05
            WHEN length(site_web) > 200 OR regexp_matches(site_web, '\s')
                THEN ['site_web', 'site_web invalide (une adresse web sans espace, 200 caractères au plus)']
        END AS rejet
    FROM brut
)
SELECT
    _ligne,
    code_structure,
    nom_structure,
    type,
    code_commune,
    list_sort(list_distinct(domaines)) AS domaines,
    list_sort(list_distinct(reseaux)) AS reseaux,
    site_web,
    NULL::VARCHAR AS code_ali,
    'annuaire' AS cle,
    rejet[1] AS colonne_rejet,
    rejet[2] AS motif_rejet,
    NULL::VARCHAR AS detail_rejet
FROM regles;
