-- Sorties par groupe de motifs sur la période P (contrat §3 et §5.4) : emploi durable (motifs emploi
-- durable et création d'entreprise), emploi de transition, formation, autres sorties.
-- Chaque groupe est une case à part, avec sa clé de cellule : publié avec son propre bruit (insertion/protect),
-- il ne dépend pas des motifs masqués qui le composent. Mêmes épisodes que sorties_par_motif.sql ; un motif
-- absent du référentiel, ou une sortie sans motif, va dans « autres ».
-- Seuls les groupes ayant au moins une sortie figurent.
-- Paramètres : as_of (D), debut, fin, groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, groupe_sortie, sorties, cle_sorties.
WITH sorties AS (
    SELECT
        groupe_de($groupe, e.code_ali, e.ept, e.code_commune) AS groupe,
        CASE
            WHEN coalesce(m.emploi_durable, false) THEN 'emploi_durable'
            WHEN coalesce(m.sortie_emploi, false) THEN 'emploi_transition'
            WHEN coalesce(m.sortie_dynamique, false) THEN 'formation'
            ELSE 'autres'
        END AS groupe_sortie,
        e.cle_personne
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes) AS e
    LEFT JOIN ref_motifs_sortie AS m ON m.motif_sortie = coalesce(e.motif_sortie, 'non_renseigne')
    WHERE e.date_sortie BETWEEN CAST($debut AS DATE) AND least(CAST($fin AS DATE), CAST($as_of AS DATE))
)
SELECT
    groupe,
    groupe_sortie,
    count(*) AS sorties,
    cle_cellule(cle_personne) AS cle_sorties
FROM sorties
GROUP BY groupe, groupe_sortie
ORDER BY
    groupe,
    CASE groupe_sortie WHEN 'emploi_durable' THEN 1 WHEN 'emploi_transition' THEN 2 WHEN 'formation' THEN 3 ELSE 4 END;
