-- Ateliers numériques après un diagnostic « débutant » (contrat §7.3, fichier des participations).
-- Dénominateur (debutants) : épisodes du périmètre dont niveau_numerique = 'debutant' et dont le diagnostic
-- numérique est daté dans P = [debut, fin] (fin plafonnée à D) et au plus tard à D − 60 jours (ils ont eu 60 jours
-- pour venir à un atelier).
-- Numérateur (debutants_atelier) : ceux dont la personne (participations.id_beneficiaire) a participé à une séance
-- de type atelier_numerique datée de 0 à 60 jours après le diagnostic (le jour du diagnostic et le 60e jour
-- comptent), quelle que soit la structure qui l'organise.
-- taux_atelier_60j = debutants_atelier / debutants, NULL si le dénominateur est nul.
-- Le fichier des participations est facultatif et ne vient souvent que d'une ALI : hors de ses ALI, le numérateur
-- est nul faute de données, pas faute d'ateliers (la page le dit).
-- Paramètres : as_of (D), debut, fin, groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, debutants, debutants_atelier, taux_atelier_60j ; clés de cellule cle_debutants et
-- cle_debutants_atelier (clé de la personne de chaque épisode, episodes.cle_personne).
WITH debutants AS (
    SELECT
        -- Un numéro par épisode : une personne peut avoir deux épisodes (deux ALI), comptés chacun.
        row_number() OVER () AS n,
        groupe_de($groupe, code_ali, ept, code_commune) AS groupe,
        id_beneficiaire,
        date_diag_numerique,
        cle_personne
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
    WHERE
        niveau_numerique = 'debutant'
        AND date_diag_numerique BETWEEN CAST($debut AS DATE) AND least(CAST($fin AS DATE), CAST($as_of AS DATE))
        AND date_diag_numerique <= CAST($as_of AS DATE) - 60
),
ateliers AS (
    -- Une ligne par participation à un atelier numérique.
    SELECT
        p.id_beneficiaire,
        a.date_action
    FROM participations AS p
    INNER JOIN actions_collectives AS a ON p.id_action = a.id_action AND p.code_structure = a.code_structure
    WHERE a.type_action = 'atelier_numerique'
),
marques AS (
    -- Chaque épisode débutant, marqué s'il a au moins un atelier dans ses 60 jours.
    SELECT
        d.n,
        any_value(d.groupe) AS groupe,
        any_value(d.cle_personne) AS cle_personne,
        count(t.id_beneficiaire) > 0 AS atelier
    FROM debutants AS d
    LEFT JOIN ateliers AS t
        ON
            d.id_beneficiaire = t.id_beneficiaire
            AND t.date_action BETWEEN d.date_diag_numerique AND d.date_diag_numerique + 60
    GROUP BY d.n
)
SELECT
    groupe,
    CAST(count(*) AS BIGINT) AS debutants,
    CAST(count(*) FILTER (WHERE atelier) AS BIGINT) AS debutants_atelier,
    count(*) FILTER (WHERE atelier) / nullif(count(*), 0) AS taux_atelier_60j,
    cle_cellule(cle_personne) AS cle_debutants,
    cle_cellule(CASE WHEN atelier THEN cle_personne END) AS cle_debutants_atelier
FROM marques
GROUP BY groupe
ORDER BY groupe;
