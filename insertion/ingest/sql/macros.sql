-- Normalisations partagées par les règles de validation (macros temporaires de la connexion).
-- Pour sqlfluff (.sqlfluff) : sa grammaire DuckDB (version 4.5) lit les paramètres d'une macro (`MACRO f(x)`) comme
-- des types ; la règle des types en majuscules (CP05) les mettrait en majuscules : écartée pour ce fichier.
-- noqa: disable=CP05

-- Texte : espaces insécables (fréquents dans les exports) comptés comme des espaces, puis retirés aux bords.
CREATE OR REPLACE TEMP MACRO norm_texte(x) AS
    nullif(trim(regexp_replace(x, '[\s\x{00A0}\x{202F}]+', ' ', 'g')), '');

-- Énumérations : minuscules, sans accents, espaces et tirets changés en « _ » (« Socio-professionnel »).
CREATE OR REPLACE TEMP MACRO norm_enum(x) AS
    nullif(regexp_replace(lower(strip_accents(norm_texte(x))), '[\s\-]+', '_', 'g'), '');

-- Dates : ISO 2024-03-15 ou française 15/03/2024 ; une année hors 1900–2100 est une erreur de saisie.
CREATE OR REPLACE TEMP MACRO parse_date(x) AS
    try_strptime(
        norm_texte(x),
        ['%Y-%m-%d', '%d/%m/%Y', '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M']
    )::DATE;
-- Sans sous-requête : une macro scalaire avec WITH se décorrèle en jointures, 100 fois plus lente.
CREATE OR REPLACE TEMP MACRO norm_date(x) AS
    CASE WHEN year(parse_date(x)) BETWEEN 1900 AND 2100 THEN parse_date(x) END;

-- Montants : « 46 000 000,50 € » → 46000000.50 ; espaces insécables acceptés.
-- La notation scientifique (« 4,60E+07 », ce qu'Excel affiche dans une colonne trop étroite et écrit
-- tel quel dans un CSV) a perdu des chiffres : illisible plutôt qu'arrondie en silence.
CREATE OR REPLACE TEMP MACRO norm_montant(x) AS
    CASE WHEN NOT contains(lower(x), 'e') THEN try_cast(
        CASE WHEN contains(x, ',')
             THEN replace(replace(regexp_replace(x, '[\s\x{00A0}\x{202F}€]', '', 'g'), '.', ''), ',', '.')
             ELSE regexp_replace(x, '[\s\x{00A0}\x{202F}€]', '', 'g')
        END AS DECIMAL(15, 2)) END;

-- Libellés libres (lignes budgétaires) : « Garde d'enfants » → garde_d_enfants.
CREATE OR REPLACE TEMP MACRO norm_libelle(x) AS
    nullif(trim(regexp_replace(lower(strip_accents(trim(x))), '[^a-z0-9]+', '_', 'g'), '_'), '');

-- Entiers (effectifs, places, durées) : « 7 », « 7.0 » (un nombre d'un classeur) ; au-delà de 9 chiffres, ou
-- « 7,5 », illisible.
CREATE OR REPLACE TEMP MACRO norm_entier(x) AS
    CASE
        WHEN regexp_full_match(norm_texte(x), '-?[0-9]{1,9}(\.0+)?')
            THEN CAST(regexp_replace(norm_texte(x), '\.0+$', '') AS INTEGER)
    END;

-- Mois (contrat §7.4) : « 2024-03 », « 03/2024 », ou une date (cellule date d'un classeur) → premier jour du mois.
CREATE OR REPLACE TEMP MACRO norm_mois(x) AS
    CASE
        WHEN regexp_full_match(norm_texte(x), '[0-9]{4}-[0-9]{1,2}')
            THEN try_strptime(norm_texte(x) || '-01', '%Y-%m-%d')::DATE
        WHEN regexp_full_match(norm_texte(x), '[0-9]{1,2}/[0-9]{4}')
            THEN try_strptime('01/' || norm_texte(x), '%d/%m/%Y')::DATE
        ELSE date_trunc('month', norm_date(x))::DATE
    END;

-- Codes (ALI, structure) : en majuscules, espaces retirés aux bords.
CREATE OR REPLACE TEMP MACRO norm_code(x) AS upper(norm_texte(x));
