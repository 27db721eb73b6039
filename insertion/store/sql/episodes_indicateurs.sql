-- Colonnes des épisodes courants préparées pour les indicateurs (la macro perimetre() les rend).
-- Le chargeur les calcule en insérant les épisodes (insertion/loader.py, _INSERT_COURANT) ; ce fichier,
-- lancé une fois par envoi de fichiers (insertion.store.db.preparer_indicateurs), complète les lignes qui n'en ont pas
-- encore (base écrite par une version précédente) et met à jour l'indicateur de personnes à épisodes
-- multiples, qui dépend de toutes les ALI. On calcule une fois ce que chaque requête referait sinon :
--   ept : l'EPT de la commune (référentiel), sans jointure dans les requêtes ;
--   m_orientation, m_sortie : le mois de l'orientation et de la sortie, en entier (année * 12 + mois - 1) ;
--   sortie_emploi, emploi_durable : le groupe du motif de sortie (référentiel ; une sortie sans motif
--     compte comme non_renseigne), faux quand l'épisode n'est pas sorti ;
--   plusieurs_episodes : la personne a plusieurs épisodes courants, toutes ALI confondues (≈ 1,5 % des
--     personnes) ;
--   episodes_simultanes : parmi elles, celles qui ont deux épisodes actifs un même jour (définition et
--     raison plus bas). Les indicateurs de personnes distinctes ne dédoublonnent et ne fusionnent leurs
--     intervalles que pour les personnes ainsi marquées, ce qui reste exact quels que soient le filtre et
--     la date d'observation.
UPDATE episodes AS e
SET
    ept = (SELECT c.ept FROM ref_communes AS c WHERE c.code_commune = e.code_commune),
    m_orientation = CAST(year(e.date_orientation) * 12 + month(e.date_orientation) - 1 AS INTEGER),
    m_sortie = CAST(year(e.date_sortie) * 12 + month(e.date_sortie) - 1 AS INTEGER),
    sortie_emploi = coalesce(e.date_sortie IS NOT NULL AND (
        SELECT r.sortie_emploi FROM ref_motifs_sortie AS r
        WHERE r.motif_sortie = coalesce(e.motif_sortie, 'non_renseigne')
    ), false),
    emploi_durable = coalesce(e.date_sortie IS NOT NULL AND (
        SELECT r.emploi_durable FROM ref_motifs_sortie AS r
        WHERE r.motif_sortie = coalesce(e.motif_sortie, 'non_renseigne')
    ), false)
WHERE e.m_orientation IS NULL;

-- plusieurs_episodes. L'ensemble des personnes à plusieurs épisodes est calculé une fois (regroupement
-- d'un million d'identifiants à 1 M d'épisodes, l'essentiel du coût de ce fichier) ; seules les lignes dont
-- le marqueur change sont réécrites.
CREATE OR REPLACE TEMP TABLE _personnes_multiples AS
SELECT id_beneficiaire FROM episodes GROUP BY id_beneficiaire HAVING count(*) > 1;

UPDATE episodes
SET plusieurs_episodes = true
WHERE plusieurs_episodes IS DISTINCT FROM true
    AND id_beneficiaire IN (SELECT id_beneficiaire FROM _personnes_multiples);

UPDATE episodes
SET plusieurs_episodes = false
WHERE plusieurs_episodes IS DISTINCT FROM false
    AND id_beneficiaire NOT IN (SELECT id_beneficiaire FROM _personnes_multiples);

DROP TABLE _personnes_multiples;

-- episodes_simultanes : la personne a au moins deux épisodes courants actifs un même jour (toutes ALI
-- confondues ; un épisode est actif les jours [date_orientation, date_sortie[, sans fin s'il n'est pas
-- sorti). C'est le marqueur que lisent les indicateurs de personnes distinctes (file_active,
-- file_active_mensuelle, cout_par_personne, repartition_profil) : une personne non marquée a au plus un
-- épisode actif à toute date, quels que soient la date d'observation et les filtres (un filtre ne fait
-- qu'ôter des épisodes) ; compter ses épisodes actifs, c'est la compter une fois. Les réorientations
-- successives (sortie puis nouvelle orientation, même le même jour) ne marquent pas la personne : seules
-- les personnes marquées plusieurs_episodes sont examinées.
CREATE OR REPLACE TEMP TABLE _personnes_simultanees AS
WITH intervalles AS (
    -- fin_precedente : sortie la plus tardive des épisodes de la personne orientés avant celui-ci (ou le
    -- même jour, dans l'ordre de tri) ; pas de sortie = sans fin.
    SELECT
        id_beneficiaire,
        date_orientation,
        date_sortie,
        max(coalesce(date_sortie, DATE '9999-12-31')) OVER (
            PARTITION BY id_beneficiaire
            ORDER BY date_orientation, date_sortie NULLS LAST
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ) AS fin_precedente
    FROM episodes
    WHERE plusieurs_episodes
)
-- Un épisode chevauche un précédent quand il commence avant la fin de celui-ci et n'est pas vide (un
-- épisode sorti le jour de son orientation n'est actif aucun jour).
SELECT DISTINCT id_beneficiaire
FROM intervalles
WHERE date_orientation < fin_precedente AND (date_sortie IS NULL OR date_sortie > date_orientation);

UPDATE episodes
SET episodes_simultanes = true
WHERE episodes_simultanes IS DISTINCT FROM true
    AND plusieurs_episodes
    AND id_beneficiaire IN (SELECT id_beneficiaire FROM _personnes_simultanees);

UPDATE episodes
SET episodes_simultanes = false
WHERE episodes_simultanes IS DISTINCT FROM false
    AND id_beneficiaire NOT IN (SELECT id_beneficiaire FROM _personnes_simultanees);

DROP TABLE _personnes_simultanees;
