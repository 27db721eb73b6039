-- Moyens mensuels (contrat §7.4) : référents (ETP), places et file active des ALI, par mois, et leurs rapports.
-- Mois : ceux de la table moyens (une ligne par ALI et par mois déclaré) compris entre le mois de debut et le
-- mois de least(fin, D), le mois de D compris ; date_reference = fin du mois, plafonnée à D.
-- File active : les personnes suivies en fin de mois (au mois de D : à D) par les ALI qui ont déclaré leurs
-- moyens ce mois-là, et par elles seules : une ALI sans déclaration n'entre ni au numérateur ni au
-- dénominateur des rapports. Calculée par ALI avec la macro file_active_evenements de perimetre.sql (comme
-- file_active_mensuelle.sql) ; au département, somme des files actives des ALI déclarantes : une personne suivie
-- par deux ALI à la fois occupe une place et compte pour un référent dans chacune (effectif de suivis).
-- Les moyens sont déclarés par ALI : seul le filtre alis s'applique (ni EPT, ni commune, ni profil).
-- Rapports : personnes_par_referent = file_active / referents_etp ; taux_occupation = file_active / places
-- (NULL sans référent ou sans place). Publiés sur la file active publiée (insertion.protect.diffusion).
-- date_complete : date_reference quand toutes les ALI du groupe qui suivent des personnes en fin de mois ont
-- déclaré leurs moyens, sinon NULL ; le département n'est exact que ces mois-là (sinon la différence avec la
-- file active du département, publiée exacte, redonnerait celle des ALI qui n'ont pas déclaré).
-- Mois codés en entier : année * 12 + mois - 1.
-- Paramètres : as_of (D), debut, fin, groupe ('departement' ou 'ali'), alis.
-- Colonnes : groupe, mois (1er du mois), date_reference, date_complete, alis_declarees, referents_etp, places,
-- cip_ecole, file_active, personnes_par_referent, taux_occupation.
WITH bornes AS (
    SELECT
        CAST($as_of AS DATE) AS d,
        year(CAST($debut AS DATE)) * 12 + month(CAST($debut AS DATE)) - 1 AS m_debut_serie,
        year(least(CAST($fin AS DATE), CAST($as_of AS DATE))) * 12
            + month(least(CAST($fin AS DATE), CAST($as_of AS DATE))) - 1 AS m_fin_serie  -- noqa: LT02
),
declarations AS (
    -- Une ligne par ALI et par mois déclaré dans la série.
    SELECT
        mo.code_ali,
        year(mo.mois) * 12 + month(mo.mois) - 1 AS m,
        CAST(mo.referents_etp AS DOUBLE) AS referents_etp,
        mo.places,
        mo.cip_ecole
    FROM moyens AS mo, bornes AS b
    WHERE ($alis IS NULL OR list_contains($alis, mo.code_ali))
        AND year(mo.mois) * 12 + month(mo.mois) - 1 BETWEEN b.m_debut_serie AND b.m_fin_serie
),
evenements AS (
    -- File active de fin de mois par ALI, en événements (macro de perimetre.sql) ; aucun filtre de profil.
    SELECT *
    FROM file_active_evenements('ali', CAST($as_of AS DATE), $alis, NULL, NULL, NULL, NULL, NULL)
),
premier AS (
    SELECT greatest(b.m_debut_serie, (SELECT min(m) FROM evenements)) AS m_premier, b.m_fin_serie
    FROM bornes AS b
),
deltas AS (
    SELECT e.groupe AS code_ali, greatest(e.m, p.m_premier) AS m, sum(e.delta) AS delta, sum(e.delta_cle) AS delta_cle
    FROM evenements AS e, premier AS p
    WHERE e.m <= p.m_fin_serie
    GROUP BY ALL
),
grille AS (
    SELECT g.groupe AS code_ali, unnest(generate_series(p.m_premier, p.m_fin_serie)) AS m
    FROM (SELECT DISTINCT groupe FROM evenements) AS g, premier AS p
),
serie AS (
    -- File active de chaque ALI à chaque fin de mois (et la somme des clés de ses personnes).
    SELECT
        grille.code_ali,
        grille.m,
        sum(coalesce(deltas.delta, 0)) OVER (PARTITION BY grille.code_ali ORDER BY grille.m) AS file_active,
        sum(coalesce(deltas.delta_cle, 0)) OVER (PARTITION BY grille.code_ali ORDER BY grille.m) AS somme_cles
    FROM grille
    LEFT JOIN deltas USING (code_ali, m)
),
par_ali AS (
    -- Chaque ALI de la série, déclarante ou non ; les ALI déclarantes sans aucun épisode ont une file active nulle.
    SELECT
        CASE $groupe
            WHEN 'departement' THEN 'Seine-Saint-Denis'
            WHEN 'ali' THEN coalesce(de.code_ali, se.code_ali)
            ELSE error('Regroupement inconnu pour les moyens : ' || $groupe)
        END AS groupe,
        coalesce(de.m, se.m) AS m,
        de.code_ali IS NOT NULL AS declaree,
        de.referents_etp,
        de.places,
        de.cip_ecole,
        coalesce(se.file_active, 0) AS file_active,
        coalesce(se.somme_cles, 0) AS somme_cles
    FROM declarations AS de
    FULL JOIN serie AS se ON de.code_ali = se.code_ali AND de.m = se.m
),
groupes AS (
    SELECT
        groupe,
        m,
        count(*) FILTER (WHERE declaree) AS alis_declarees,
        count(*) FILTER (WHERE NOT declaree AND file_active > 0) AS alis_suivant_sans_declaration,
        sum(referents_etp) AS referents_etp,
        sum(places) AS places,
        sum(cip_ecole) AS cip_ecole,
        sum(file_active) FILTER (WHERE declaree) AS file_active,
        sum(somme_cles) FILTER (WHERE declaree) AS somme_cles
    FROM par_ali
    GROUP BY groupe, m
    HAVING count(*) FILTER (WHERE declaree) > 0
),
dates AS (
    SELECT
        g.*,
        least(last_day(make_date(CAST(g.m // 12 AS INTEGER), CAST(g.m % 12 + 1 AS INTEGER), 1)), b.d)
            AS date_reference
    FROM groupes AS g, bornes AS b
)
SELECT
    groupe,
    make_date(CAST(m // 12 AS INTEGER), CAST(m % 12 + 1 AS INTEGER), 1) AS mois,
    date_reference,
    CASE WHEN alis_suivant_sans_declaration = 0 THEN date_reference END AS date_complete,
    CAST(alis_declarees AS BIGINT) AS alis_declarees,
    CAST(referents_etp AS DOUBLE) AS referents_etp,
    CAST(places AS BIGINT) AS places,
    CAST(cip_ecole AS BIGINT) AS cip_ecole,
    CAST(file_active AS BIGINT) AS file_active,
    -- Clé de cellule des suivis des ALI déclarantes (somme des clés de chaque ALI, docs/secret-statistique.md § 7).
    cle_modulo(somme_cles) AS cle_file_active,
    file_active / nullif(referents_etp, 0) AS personnes_par_referent,
    file_active / nullif(places, 0) AS taux_occupation
FROM dates
ORDER BY groupe, mois;
