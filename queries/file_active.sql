-- File active à la date D (contrat §5.1).
-- Nombre de bénéficiaires distincts (id_beneficiaire) parmi les épisodes du périmètre avec
-- date_orientation <= D et (date_sortie nulle ou date_sortie > D) : sorti le jour D, on n'est plus actif.
-- Une personne suivie dans deux ALI compte une fois au département, une fois dans chaque ALI.
-- La période P ne restreint pas la file active.
-- Calcul : on compte les épisodes actifs, puis on corrige pour les personnes marquées episodes_simultanes
-- (deux épisodes actifs un même jour, préparé au chargement : très peu) : leurs épisodes actifs sont
-- remplacés par leurs personnes distinctes. Une personne non marquée a au plus un épisode actif à D :
-- compter ses épisodes, c'est la compter une fois. On évite ainsi de dédoublonner un million
-- d'identifiants quand quelques centaines suffisent.
-- Paramètres : as_of (D), groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, file_active (un groupe du périmètre sans personne active à D vaut 0).
WITH episodes_du_perimetre AS (
    SELECT
        groupe_de($groupe, code_ali, ept, code_commune) AS groupe,
        date_orientation <= CAST($as_of AS DATE)
            AND (date_sortie IS NULL OR date_sortie > CAST($as_of AS DATE)) AS actif,  -- noqa: LT02
        cle_personne
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
),
par_groupe AS (
    -- Tous les groupes du périmètre, même sans épisode actif à D.
    SELECT
        groupe,
        count(*) FILTER (WHERE actif) AS episodes_actifs,
        sum(CAST(cle_personne AS BIGINT)) FILTER (WHERE actif) AS cle_episodes_actifs
    FROM episodes_du_perimetre
    GROUP BY groupe
),
personnes_simultanees AS (
    -- Clé de cellule : une ligne par personne (la clé d'une personne est la même sur tous ses épisodes).
    SELECT
        groupe,
        CAST(sum(n) AS BIGINT) AS episodes_actifs,
        count(*) AS personnes_actives,
        sum(CAST(cle_personne AS BIGINT) * n) AS cle_episodes_actifs,
        sum(CAST(cle_personne AS BIGINT)) AS cle_personnes_actives
    FROM (
        SELECT
            groupe_de($groupe, code_ali, ept, code_commune) AS groupe,
            id_beneficiaire,
            any_value(cle_personne) AS cle_personne,
            count(*) AS n
        FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
        WHERE episodes_simultanes
            AND date_orientation <= CAST($as_of AS DATE)
            AND (date_sortie IS NULL OR date_sortie > CAST($as_of AS DATE))
        GROUP BY ALL
    )
    GROUP BY groupe
)
SELECT
    g.groupe,
    g.episodes_actifs - coalesce(m.episodes_actifs, 0) + coalesce(m.personnes_actives, 0) AS file_active,
    -- Mêmes retraits et ajouts sur les clés : la somme des clés des personnes actives, chacune une fois.
    cle_modulo(
        coalesce(g.cle_episodes_actifs, 0) - coalesce(m.cle_episodes_actifs, 0) + coalesce(m.cle_personnes_actives, 0)
    ) AS cle_file_active
FROM par_groupe AS g
LEFT JOIN personnes_simultanees AS m USING (groupe)
ORDER BY g.groupe;
