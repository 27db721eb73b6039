-- Macros partagées par les indicateurs de queries/, installées dans la base à chaque ouverture en
-- écriture (insertion/store/db.py). Ce fichier n'est pas un indicateur : il ne se lance pas seul.
-- Changer une macro : monter VERSION_SCHEMA (insertion/store/db.py), pour qu'une base déjà écrite la reçoive.
-- Pour sqlfluff (.sqlfluff) : sa grammaire DuckDB (version 4.5) lit les paramètres d'une macro (`MACRO f(x)`) comme
-- des types ; la règle des types en majuscules (CP05) les mettrait en majuscules : écartée pour ce fichier.
-- noqa: disable=CP05

-- Périmètre : les épisodes courants retenus par les filtres (contrat §5).
-- Chaque filtre vaut NULL quand il n'est pas posé, sinon la liste des valeurs retenues.
-- Les épisodes portent, en plus des colonnes du contrat, des colonnes préparées au chargement pour les
-- indicateurs : ept, m_orientation, m_sortie, sortie_emploi, emploi_durable, plusieurs_episodes et
-- episodes_simultanes (définitions : insertion/store/sql/episodes_indicateurs.sql).
CREATE OR REPLACE MACRO perimetre(alis, epts, communes, parcours, ages, sexes) AS TABLE
-- SELECT * (AM04) : la macro rend les épisodes tels quels, toutes colonnes.
SELECT *  -- noqa: AM04
FROM episodes AS e
WHERE (alis IS NULL OR list_contains(alis, e.code_ali))
  AND (epts IS NULL OR list_contains(epts, e.ept))
  AND (communes IS NULL OR list_contains(communes, e.code_commune))
  AND (parcours IS NULL OR list_contains(parcours, e.type_parcours))
  AND (ages IS NULL OR list_contains(ages, e.tranche_age))
  AND (sexes IS NULL OR list_contains(sexes, e.sexe));

-- Clés de cellule du secret statistique (issue 12 ; méthode : docs/secret-statistique.md § 5.1 et § 7).
-- cle_hmac : les 32 premiers bits de HMAC-SHA256(sel, message), les pads ipad et opad du sel liés en
-- paramètres (insertion/store/cles.py) ; égal à protection.cle_personne pour message = 'p|' || pseudonyme.
CREATE OR REPLACE MACRO cle_hmac(message, ipad, opad) AS
    CAST(CAST('0x' || left(sha256(opad || unhex(sha256(ipad || encode(message)))), 8) AS UBIGINT) AS UINTEGER);

-- Clé d'une cellule, à employer comme un agrégat à côté de son effectif : la somme, modulo 2^32, des clés de
-- ses membres distincts. Une même cellule reçoit ainsi la même clé quelle que soit la requête qui l'atteint.
-- Chaque ligne agrégée doit être un membre distinct : une requête qui compte des personnes distinctes somme
-- la clé d'une ligne par personne (jamais sum(DISTINCT cle) : deux personnes peuvent partager une clé de
-- 32 bits). Une requête qui compte des épisodes somme la clé de personne de chaque épisode : une personne
-- comptée deux fois y pèse deux fois, comme dans l'effectif. Cellule vide : 0.
CREATE OR REPLACE MACRO cle_cellule(cle) AS
    CAST(coalesce(sum(CAST(cle AS BIGINT)), 0) % 4294967296 AS UINTEGER);

-- La même, pour une somme déjà faite (événements +clé / −clé, somme cumulée, différence de deux clés) :
-- ramenée dans [0, 2^32) même quand elle est négative.
CREATE OR REPLACE MACRO cle_modulo(somme) AS
    CAST(((CAST(somme AS HUGEINT) % 4294967296) + 4294967296) % 4294967296 AS UINTEGER);

-- Le groupe d'un épisode selon le regroupement demandé ($groupe des requêtes) : le département entier,
-- l'ALI, l'EPT ou la commune. Un regroupement inconnu est une erreur (jamais un groupe vide).
CREATE OR REPLACE MACRO groupe_de(groupe, code_ali, ept, code_commune) AS
    CASE groupe
        WHEN 'departement' THEN 'Seine-Saint-Denis'
        WHEN 'ali' THEN code_ali
        WHEN 'ept' THEN ept
        WHEN 'commune' THEN code_commune
        ELSE error('Regroupement inconnu : ' || groupe)
    END;

-- Cohortes d'orientation (contrat §5.2 et §5.3) : la clé entière d'une cohorte selon le pas ('mois' :
-- m_orientation ; 'trimestre' : le premier mois du trimestre ; 'periode' : 0, toute la période), son premier
-- jour (debut pour 'periode') et son dernier jour, plafonné à fin_p (la fin de P, elle-même plafonnée à D).
CREATE OR REPLACE MACRO cle_cohorte(pas, m_orientation) AS
    CASE pas
        WHEN 'mois' THEN m_orientation
        WHEN 'trimestre' THEN m_orientation - m_orientation % 3
        WHEN 'periode' THEN 0
        ELSE CAST(error('Pas de cohorte inconnu : ' || pas) AS INTEGER)
    END;

CREATE OR REPLACE MACRO debut_cohorte(pas, cle, debut) AS
    CASE pas
        WHEN 'periode' THEN CAST(debut AS DATE)
        ELSE make_date(CAST(cle // 12 AS INTEGER), CAST(cle % 12 + 1 AS INTEGER), 1)
    END;

CREATE OR REPLACE MACRO fin_cohorte(pas, cohorte, fin_p) AS
    least(
        CASE pas
            WHEN 'mois' THEN last_day(cohorte)
            WHEN 'trimestre' THEN last_day(CAST(cohorte + INTERVAL 2 MONTH AS DATE))
            ELSE fin_p
        END,
        fin_p
    );

-- La date du diagnostic demandé (diagnostic : 'numerique', 'linguistique', ou 'les_deux' : la date du second des
-- deux, quand les deux sont datés), partagée par les indicateurs de diagnostic (taux_diagnostic_90j.sql,
-- taux_diagnostic_cohortes.sql, niveaux_diagnostic.sql).
CREATE OR REPLACE MACRO date_diagnostic(diagnostic, date_diag_numerique, date_diag_linguistique) AS
    CASE diagnostic
        WHEN 'numerique' THEN date_diag_numerique
        WHEN 'linguistique' THEN date_diag_linguistique
        -- greatest ignore NULL : sans le CASE, un seul diagnostic daté compterait pour les deux.
        WHEN 'les_deux' THEN CASE
            WHEN date_diag_numerique IS NOT NULL AND date_diag_linguistique IS NOT NULL
                THEN greatest(date_diag_numerique, date_diag_linguistique)
        END
        ELSE CAST(error('Diagnostic inconnu : ' || diagnostic) AS DATE)
    END;

-- Diagnostic à 90 jours d'un épisode (contrat §5.2), à sommer : 1 s'il est orienté au plus tard à d - 90
-- jours et diagnostiqué au plus tard 90 jours après son orientation (le 90e jour compte), sinon 0. Un CASE
-- plutôt qu'un FILTER, comme sortie_12_mois.
CREATE OR REPLACE MACRO diagnostic_90j(date_orientation, date_diag, d) AS
    CASE WHEN date_orientation <= d - 90 AND date_diag <= date_orientation + 90 THEN 1 ELSE 0 END;

-- Sortie à 12 mois d'un épisode (contrat §5.3), à sommer : 1 s'il est orienté au plus tard à d - 365 jours
-- et sorti au plus tard 365 jours après son orientation (le 365e jour compte) avec un motif du groupe
-- (du_groupe : sortie_emploi ou emploi_durable, préparés au chargement), sinon 0. Un CASE plutôt qu'un
-- FILTER : DuckDB n'évalue chaque condition que sur les lignes qui ont passé la précédente.
CREATE OR REPLACE MACRO sortie_12_mois(du_groupe, date_orientation, date_sortie, d) AS
    CASE WHEN du_groupe AND date_orientation <= d - 365 AND date_sortie <= date_orientation + 365 THEN 1 ELSE 0 END;

-- File active de fin de mois en événements (contrat §5.1), partagée par file_active_mensuelle.sql et
-- cout_par_personne.sql : pour chaque groupe et chaque mois m (année * 12 + mois - 1), delta = variation
-- du nombre de personnes distinctes actives entre la fin du mois m - 1 et la fin du mois m. La file active
-- de fin de mois est la somme cumulée des delta jusqu'à m.
--   Un épisode orienté au plus tard à d est actif aux fins des mois [mois(orientation), mois(sortie) - 1],
--   jusqu'au mois de d s'il n'est pas sorti à d (une sortie postérieure à d est inconnue à d) : +1 au
--   premier de ces mois, -1 au mois qui suit le dernier.
--   On compte d'abord chaque épisode comme une personne. C'est exact pour toute personne qui n'a jamais
--   deux épisodes actifs le même jour (episodes_simultanes faux, préparé au chargement : presque toutes).
--   Pour les autres, on remplace les événements de leurs épisodes par ceux de la personne : +1 quand son
--   nombre d'épisodes actifs passe de 0 à au moins 1, -1 quand il revient à 0 (intervalles chevauchants,
--   contigus ou identiques fusionnés) ; sans cela, une personne suivie deux fois en même temps compterait
--   double.
-- Chaque mois d'orientation d'un épisode retenu a une ligne, éventuellement à 0 (épisode sorti dans son
-- mois d'orientation, jamais actif en fin de mois) : les lignes donnent donc aussi les groupes du périmètre
-- et le premier mois de la série (min(m)).
-- Paramètres : regroupement ('departement', 'ali', 'ept', 'commune' ; nommé ainsi parce qu'un paramètre de
-- macro masque la colonne de même nom), d (date d'observation D), filtres du périmètre.
-- delta_cle : la même variation pour la clé de cellule (somme des clés des personnes actives, docs/
-- secret-statistique.md § 7) ; chaque +1 / -1 porte la clé de sa personne, ramenée modulo 2^32 (cle_modulo)
-- après la somme cumulée.
-- Colonnes : groupe, m, delta, delta_cle.
CREATE OR REPLACE MACRO file_active_evenements(regroupement, d, alis, epts, communes, parcours, ages, sexes) AS TABLE
-- NOT MATERIALIZED : episodes_connus est lu deux fois ; chaque lecture refait son balayage avec ses seules
-- colonnes et lignes (les identifiants ne sont lus que pour les personnes marquées).
WITH episodes_connus AS NOT MATERIALIZED (
    SELECT
        groupe_de(regroupement, code_ali, ept, code_commune) AS groupe,
        episodes_simultanes,
        id_beneficiaire,
        cle_personne,
        m_orientation AS m_debut,
        -- Dernier mois actif ; pas de greatest/least ici : ils ignorent les NULL.
        CASE WHEN date_sortie <= d THEN m_sortie - 1 ELSE year(d) * 12 + month(d) - 1 END AS m_fin
    FROM perimetre(alis, epts, communes, parcours, ages, sexes)
    WHERE date_orientation <= d
),
intervalles AS (
    -- Chaque épisode compté comme une personne : une ligne par intervalle distinct et son nombre d'épisodes.
    SELECT groupe, m_debut, m_fin, count(*) AS n, sum(CAST(cle_personne AS BIGINT)) AS cle
    FROM episodes_connus
    GROUP BY groupe, m_debut, m_fin
),
evenements_simultanes AS (
    -- Personnes marquées : les événements de leurs épisodes (ceux déjà comptés ci-dessus).
    SELECT groupe, id_beneficiaire, cle_personne, m_debut AS m, 1 AS delta FROM episodes_connus
    WHERE episodes_simultanes AND m_fin >= m_debut
    UNION ALL
    SELECT groupe, id_beneficiaire, cle_personne, m_fin + 1 AS m, -1 AS delta FROM episodes_connus
    WHERE episodes_simultanes AND m_fin >= m_debut
),
couverture AS (
    -- apres = nombre d'épisodes de la personne actifs après l'événement (somme cumulée dans l'ordre des
    -- mois). Plusieurs événements d'une personne le même mois, dans un ordre quelconque : leurs passages
    -- par 0 se compensent, seul compte l'état avant et après le mois.
    SELECT
        groupe,
        m,
        delta,
        cle_personne,
        sum(delta) OVER (PARTITION BY groupe, id_beneficiaire ORDER BY m ROWS UNBOUNDED PRECEDING) AS apres
    FROM evenements_simultanes
),
evenements AS (
    SELECT
        groupe,
        m_debut AS m,
        CASE WHEN m_fin >= m_debut THEN n ELSE 0 END AS delta,
        CASE WHEN m_fin >= m_debut THEN cle ELSE 0 END AS delta_cle
    FROM intervalles
    UNION ALL
    SELECT groupe, m_fin + 1 AS m, -n AS delta, -cle AS delta_cle FROM intervalles WHERE m_fin >= m_debut
    UNION ALL
    -- Personnes marquées : on retire l'événement d'épisode (delta) et on ajoute celui de la personne
    -- (passage de 0 à au moins 1 épisode actif, ou retour à 0).
    SELECT
        groupe,
        m,
        CAST(apres > 0 AS INTEGER) - CAST(apres - delta > 0 AS INTEGER) - delta AS delta,
        (CAST(apres > 0 AS INTEGER) - CAST(apres - delta > 0 AS INTEGER) - delta) * CAST(cle_personne AS BIGINT)
            AS delta_cle
    FROM couverture
)
SELECT groupe, m, sum(delta) AS delta, sum(delta_cle) AS delta_cle
FROM evenements
GROUP BY groupe, m;

-- Mises en relation du périmètre (contrat §7.2). Le filtre ALI porte sur l'ALI de la mise en relation ; les
-- autres filtres (EPT, commune, profil) n'existent que dans la file active : une mise en relation y entre quand
-- sa personne a, dans la même ALI, un épisode retenu par ces filtres. Sans eux, toutes les lignes comptent, même
-- celles dont la personne manque à la file active (une extraction en retard ne doit pas effacer un placement).
CREATE OR REPLACE MACRO mises_en_relation_du_perimetre(alis, epts, communes, parcours, ages, sexes) AS TABLE
SELECT m.*  -- noqa: AM04
FROM mises_en_relation AS m
WHERE (alis IS NULL OR list_contains(alis, m.code_ali))
  AND (
      (epts IS NULL AND communes IS NULL AND parcours IS NULL AND ages IS NULL AND sexes IS NULL)
      OR EXISTS (
          SELECT 1
          FROM perimetre(alis, epts, communes, parcours, ages, sexes) AS e
          WHERE e.id_beneficiaire = m.id_beneficiaire AND e.code_ali = m.code_ali
      )
  );

-- Le groupe d'une mise en relation (§7.2) : le département, l'ALI ou la structure partenaire.
CREATE OR REPLACE MACRO groupe_mise_en_relation(groupe, code_ali, code_structure) AS
    CASE groupe
        WHEN 'departement' THEN 'Seine-Saint-Denis'
        WHEN 'ali' THEN code_ali
        WHEN 'structure' THEN code_structure
        ELSE error('Regroupement inconnu : ' || groupe)
    END;
