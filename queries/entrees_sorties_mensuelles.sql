-- Entrées et sorties par mois (contrat §5.1), par groupe.
-- Entrées d'un mois : épisodes dont la date_orientation est dans ce mois ; sorties : date_sortie dans ce mois.
-- Seuls les jours de [debut, fin] comptent (fin plafonnée à D) : le premier et le dernier mois peuvent
-- être partiels, et la somme des mois égale entrees_sorties sur la même période.
-- Tous les mois de la série figurent (0 quand rien ne se passe), du mois de debut (ou de la première
-- orientation du périmètre s'il est plus tardif) au mois de fin.
-- Mois codés en entier (année * 12 + mois - 1, colonnes m_orientation et m_sortie préparées au chargement) :
-- on regroupe sur un entier au lieu de tronquer un million de dates, et la date du mois n'est formée
-- qu'à la fin, sur quelques centaines de lignes.
-- Paramètres : as_of (D), debut, fin, groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, mois (1er du mois), entrees, sorties.
WITH bornes AS (
    SELECT
        CAST($debut AS DATE) AS debut,
        least(CAST($fin AS DATE), CAST($as_of AS DATE)) AS fin
),
orientations AS (
    -- Épisodes orientés au plus tard à fin, par groupe et mois d'orientation : donnent les groupes, la
    -- première orientation du périmètre et les entrées (orientations dans [debut, fin]).
    SELECT
        groupe,
        m_orientation AS m,
        sum(CASE WHEN date_orientation >= CAST($debut AS DATE) THEN 1 ELSE 0 END) AS entrees,
        cle_cellule(CASE WHEN date_orientation >= CAST($debut AS DATE) THEN cle_personne END) AS cle_entrees
    FROM (
        SELECT
            groupe_de($groupe, code_ali, ept, code_commune) AS groupe, m_orientation, date_orientation, cle_personne
        FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
        WHERE date_orientation <= least(CAST($fin AS DATE), CAST($as_of AS DATE))
    )
    GROUP BY groupe, m
),
sorties AS (
    SELECT groupe, m_sortie AS m, count(*) AS sorties, cle_cellule(cle_personne) AS cle_sorties
    FROM (
        SELECT groupe_de($groupe, code_ali, ept, code_commune) AS groupe, m_sortie, cle_personne
        FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
        WHERE date_sortie BETWEEN CAST($debut AS DATE) AND least(CAST($fin AS DATE), CAST($as_of AS DATE))
            AND date_orientation <= least(CAST($fin AS DATE), CAST($as_of AS DATE))
    )
    GROUP BY groupe, m
),
premier AS (
    SELECT
        greatest(
            year(b.debut) * 12 + month(b.debut) - 1,
            (SELECT min(m) FROM orientations)
        ) AS m_premier,
        year(b.fin) * 12 + month(b.fin) - 1 AS m_dernier
    FROM bornes AS b
),
grille AS (
    SELECT g.groupe, unnest(generate_series(p.m_premier, p.m_dernier)) AS m
    FROM (SELECT DISTINCT groupe FROM orientations) AS g, premier AS p
)
SELECT
    grille.groupe,
    make_date(CAST(grille.m // 12 AS INTEGER), CAST(grille.m % 12 + 1 AS INTEGER), 1) AS mois,
    CAST(coalesce(o.entrees, 0) AS BIGINT) AS entrees,
    CAST(coalesce(s.sorties, 0) AS BIGINT) AS sorties,
    -- Clés de cellule des épisodes entrés et sortis dans le mois (0 pour un mois vide).
    coalesce(o.cle_entrees, 0)::UINTEGER AS cle_entrees,
    coalesce(s.cle_sorties, 0)::UINTEGER AS cle_sorties
FROM grille
LEFT JOIN orientations AS o ON grille.groupe = o.groupe AND grille.m = o.m
LEFT JOIN sorties AS s ON grille.groupe = s.groupe AND grille.m = s.m
ORDER BY grille.groupe, mois;
