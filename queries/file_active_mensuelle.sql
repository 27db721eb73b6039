-- File active mensuelle (contrat §5.1) : la file active à chaque fin de mois, par groupe.
-- Série des mois de début à fin (fin plafonnée à D) ; le point du mois de D est pris à D
-- (date_reference = min(fin de mois, D)), si bien que le dernier point égale la file active à D.
-- Formulation par événements, sans boucle ni jointure sur un calendrier :
--   un épisode est actif aux fins des mois [mois(orientation), mois(sortie) - 1] (jusqu'au mois de D
--   s'il n'est pas sorti à D : une sortie postérieure à D est inconnue à D) ;
--   pour compter des personnes distinctes, les intervalles d'une même personne dans un même groupe
--   sont fusionnés (îlots : chevauchants ou contigus) ; puis +1 au premier mois d'un îlot,
--   -1 au mois qui suit le dernier, et somme cumulée par groupe. Les mois sans événement sont complétés.
--   Les événements antérieurs au premier mois de la série y sont reportés.
-- Mois codés en entier : année * 12 + mois - 1.
-- Paramètres : as_of (D), debut, fin, groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, mois (1er du mois), date_reference, file_active.
WITH bornes AS (
    SELECT
        CAST($as_of AS DATE) AS d,
        year(CAST($as_of AS DATE)) * 12 + month(CAST($as_of AS DATE)) - 1 AS m_d,
        year(CAST($debut AS DATE)) * 12 + month(CAST($debut AS DATE)) - 1 AS m_debut_serie,
        year(least(CAST($fin AS DATE), CAST($as_of AS DATE))) * 12
            + month(least(CAST($fin AS DATE), CAST($as_of AS DATE))) - 1 AS m_fin_serie
),
ep AS (
    SELECT
        CASE $groupe
            WHEN 'departement' THEN 'Seine-Saint-Denis'
            WHEN 'ali' THEN code_ali
            WHEN 'ept' THEN ept
            WHEN 'commune' THEN code_commune
            ELSE error('Regroupement inconnu : ' || $groupe)
        END AS groupe,
        id_beneficiaire,
        year(date_orientation) * 12 + month(date_orientation) - 1 AS m_debut,
        -- Dernier mois actif ; pas de greatest/least ici : ils ignorent les NULL.
        CASE
            WHEN date_sortie IS NOT NULL AND date_sortie <= b.d
                THEN year(date_sortie) * 12 + month(date_sortie) - 2
            ELSE b.m_d
        END AS m_fin
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes), bornes AS b
    WHERE date_orientation <= b.d
),
intervalles AS (
    -- Un épisode sorti dans son mois d'orientation n'est actif à aucune fin de mois. DISTINCT : deux
    -- intervalles identiques d'une personne n'en font qu'un, l'ordre (m_debut, m_fin) est alors total
    -- et les fonctions de fenêtre ci-dessous sont déterministes.
    SELECT DISTINCT groupe, id_beneficiaire, m_debut, m_fin
    FROM ep
    WHERE m_fin >= m_debut
),
fenetre AS (
    -- Une seule fenêtre par personne et groupe, triée par début : fin la plus tardive des intervalles
    -- précédents (fin_precedente) et jusqu'à celui-ci inclus (fin_courante), début du suivant.
    SELECT
        groupe,
        m_debut,
        max(m_fin) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS fin_precedente,
        max(m_fin) OVER (w ROWS UNBOUNDED PRECEDING) AS fin_courante,
        lead(m_debut) OVER w AS debut_suivant
    FROM intervalles
    WINDOW w AS (PARTITION BY groupe, id_beneficiaire ORDER BY m_debut, m_fin)
),
evenements AS (
    -- +1 au premier mois d'un îlot (intervalle qui ne prolonge pas les précédents : ni chevauchant ni
    -- contigu), -1 au mois qui suit la fin d'un îlot (le suivant ne le prolonge pas, ou il n'y en a pas).
    SELECT groupe, m_debut AS m, 1 AS delta FROM fenetre
    WHERE fin_precedente IS NULL OR m_debut > fin_precedente + 1
    UNION ALL
    SELECT groupe, fin_courante + 1 AS m, -1 AS delta FROM fenetre
    WHERE debut_suivant IS NULL OR debut_suivant > fin_courante + 1
),
premier AS (
    SELECT greatest(b.m_debut_serie, (SELECT min(m_debut) FROM ep)) AS m_premier, b.m_fin_serie, b.d
    FROM bornes AS b
),
deltas AS (
    SELECT e.groupe, greatest(e.m, p.m_premier) AS m, sum(e.delta) AS delta
    FROM evenements AS e, premier AS p
    WHERE e.m <= p.m_fin_serie
    GROUP BY ALL
),
grille AS (
    SELECT g.groupe, unnest(generate_series(p.m_premier, p.m_fin_serie)) AS m
    FROM (SELECT DISTINCT groupe FROM ep) AS g, premier AS p
),
serie AS (
    SELECT
        grille.groupe,
        grille.m,
        sum(coalesce(deltas.delta, 0)) OVER (PARTITION BY grille.groupe ORDER BY grille.m) AS file_active
    FROM grille
    LEFT JOIN deltas USING (groupe, m)
)
SELECT
    serie.groupe,
    make_date(CAST(m // 12 AS INTEGER), CAST(m % 12 + 1 AS INTEGER), 1) AS mois,
    least(last_day(make_date(CAST(m // 12 AS INTEGER), CAST(m % 12 + 1 AS INTEGER), 1)), p.d) AS date_reference,
    CAST(file_active AS BIGINT) AS file_active
FROM serie, premier AS p
ORDER BY serie.groupe, mois;
