-- File active mensuelle (contrat §5.1) : la file active à chaque fin de mois, par groupe.
-- Série des mois de début à fin (fin plafonnée à D) ; le point du mois de D est pris à D
-- (date_reference = min(fin de mois, D)), si bien que le dernier point égale la file active à D.
-- Formulation par événements, sans boucle ni jointure sur un calendrier (macro file_active_evenements de
-- perimetre.sql, partagée avec cout_par_personne.sql) : +1 au premier mois où une personne est active en
-- fin de mois, -1 au mois qui suit le dernier (intervalles d'une même personne fusionnés dans un groupe),
-- puis somme cumulée par groupe. Les mois sans événement sont complétés ; les événements antérieurs au
-- premier mois de la série y sont reportés.
-- Mois codés en entier : année * 12 + mois - 1.
-- Paramètres : as_of (D), debut, fin, groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, mois (1er du mois), date_reference, file_active.
WITH bornes AS (
    SELECT
        CAST($as_of AS DATE) AS d,
        year(CAST($debut AS DATE)) * 12 + month(CAST($debut AS DATE)) - 1 AS m_debut_serie,
        year(least(CAST($fin AS DATE), CAST($as_of AS DATE))) * 12
            + month(least(CAST($fin AS DATE), CAST($as_of AS DATE))) - 1 AS m_fin_serie  -- noqa: LT02
),
evenements AS (
    SELECT *
    FROM file_active_evenements($groupe, CAST($as_of AS DATE), $alis, $epts, $communes, $parcours, $ages, $sexes)
),
premier AS (
    -- La série commence au mois de debut, ou à la première orientation du périmètre si elle est plus tardive.
    SELECT greatest(b.m_debut_serie, (SELECT min(m) FROM evenements)) AS m_premier, b.m_fin_serie, b.d
    FROM bornes AS b
),
deltas AS (
    SELECT e.groupe, greatest(e.m, p.m_premier) AS m, sum(e.delta) AS delta, sum(e.delta_cle) AS delta_cle
    FROM evenements AS e, premier AS p
    WHERE e.m <= p.m_fin_serie
    GROUP BY ALL
),
grille AS (
    SELECT g.groupe, unnest(generate_series(p.m_premier, p.m_fin_serie)) AS m
    FROM (SELECT DISTINCT groupe FROM evenements) AS g, premier AS p
),
serie AS (
    SELECT
        grille.groupe,
        grille.m,
        sum(coalesce(deltas.delta, 0)) OVER (PARTITION BY grille.groupe ORDER BY grille.m) AS file_active,
        sum(coalesce(deltas.delta_cle, 0)) OVER (PARTITION BY grille.groupe ORDER BY grille.m) AS somme_cles
    FROM grille
    LEFT JOIN deltas USING (groupe, m)
)
SELECT
    serie.groupe,
    make_date(CAST(m // 12 AS INTEGER), CAST(m % 12 + 1 AS INTEGER), 1) AS mois,
    least(last_day(make_date(CAST(m // 12 AS INTEGER), CAST(m % 12 + 1 AS INTEGER), 1)), p.d) AS date_reference,
    CAST(file_active AS BIGINT) AS file_active,
    -- Clé de cellule des personnes actives en fin de mois (queries/macros/perimetre.sql, file_active_evenements).
    cle_modulo(somme_cles) AS cle_file_active
FROM serie, premier AS p
ORDER BY serie.groupe, mois;
