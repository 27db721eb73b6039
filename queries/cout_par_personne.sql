-- Coût par personne suivie d'une année (contrat §5.5) :
-- montant exécuté de l'année / moyenne de la file active de fin de mois sur les mois de l'année <= D.
-- Le mois de D compte avec sa file active à D (comme dans file_active_mensuelle) ; les mois sans
-- personne suivie comptent pour 0 (une ALI ouverte en juin a une file active nulle de janvier à mai).
-- File active mensuelle : même formulation par événements que file_active_mensuelle.sql (îlots par
-- personne et groupe, +1 / -1, somme cumulée).
-- Budget : département = tous les crédits (ventilés ou non) des ALI retenues (toutes si alis est NULL,
-- sans le non-ventilé sinon) ; par ALI = les crédits de l'ALI. Montant exécuté NULL si une ligne de
-- l'année n'est pas exécutée (exercice ouvert) : le coût est alors NULL, comme pour une file active nulle.
-- Paramètres : as_of (D), groupe ('departement' ou 'ali'), filtres du périmètre (seul alis a un sens
-- pour le budget ; l'appelant n'en passe pas d'autre).
-- Colonnes : groupe, annee, montant_execute, mois_observes, file_active_moyenne, cout_par_personne.
WITH bornes AS (
    SELECT
        CAST($as_of AS DATE) AS d,
        year(CAST($as_of AS DATE)) * 12 + month(CAST($as_of AS DATE)) - 1 AS m_d
),
budget_groupe AS (
    SELECT
        CASE $groupe
            WHEN 'departement' THEN 'Seine-Saint-Denis'
            WHEN 'ali' THEN code_ali
            ELSE error('Regroupement inconnu pour le coût par personne : ' || $groupe)
        END AS groupe,
        annee,
        CASE
            WHEN count(montant_execute) = count(*) THEN CAST(sum(montant_execute) AS DOUBLE)
        END AS montant_execute
    FROM budget
    WHERE ($alis IS NULL OR list_contains($alis, code_ali))
      AND ($groupe = 'departement' OR code_ali IS NOT NULL)
    GROUP BY ALL
),
ep AS (
    SELECT
        CASE $groupe WHEN 'departement' THEN 'Seine-Saint-Denis' ELSE code_ali END AS groupe,
        id_beneficiaire,
        year(date_orientation) * 12 + month(date_orientation) - 1 AS m_debut,
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
plage AS (
    -- De janvier de la première année budgétaire au mois de D (vide si aucune année n'est commencée).
    SELECT (SELECT min(annee) FROM budget_groupe) * 12 AS m_premier, b.m_d AS m_dernier
    FROM bornes AS b
),
deltas AS (
    SELECT e.groupe, greatest(e.m, p.m_premier) AS m, sum(e.delta) AS delta
    FROM evenements AS e, plage AS p
    WHERE e.m <= p.m_dernier
    GROUP BY ALL
),
grille AS (
    SELECT g.groupe, unnest(generate_series(p.m_premier, p.m_dernier)) AS m
    FROM (SELECT DISTINCT groupe FROM budget_groupe) AS g, plage AS p
),
serie AS (
    SELECT
        grille.groupe,
        CAST(grille.m // 12 AS INTEGER) AS annee,
        sum(coalesce(deltas.delta, 0)) OVER (PARTITION BY grille.groupe ORDER BY grille.m) AS file_active
    FROM grille
    LEFT JOIN deltas USING (groupe, m)
),
moyennes AS (
    SELECT groupe, annee, count(*) AS mois_observes, avg(file_active) AS file_active_moyenne
    FROM serie
    GROUP BY groupe, annee
)
SELECT
    bg.groupe,
    bg.annee,
    bg.montant_execute,
    CAST(coalesce(mo.mois_observes, 0) AS BIGINT) AS mois_observes,
    CAST(mo.file_active_moyenne AS DOUBLE) AS file_active_moyenne,
    bg.montant_execute / nullif(mo.file_active_moyenne, 0) AS cout_par_personne
FROM budget_groupe AS bg
LEFT JOIN moyennes AS mo USING (groupe, annee)
ORDER BY bg.groupe, bg.annee;
