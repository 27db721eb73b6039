-- Macros des freins périphériques (contrat §7.1), installées dans la base avec les autres fichiers de
-- queries/macros/ (insertion/store/db.py). Ce fichier n'est pas un indicateur : il ne se lance pas seul.
-- Changer une macro : monter VERSION_SCHEMA (insertion/store/db.py), pour qu'une base déjà écrite la reçoive.
-- La liste des freins n'est écrite qu'une fois, dans le contrat (FREINS de insertion/contrat.py) : la table
-- ref_freins (colonne, frein, ordre) en est tirée à chaque ouverture en écriture (insertion/store/referentiel.py),
-- et les requêtes prennent les colonnes des épisodes par leur préfixe, COLUMNS('^frein_'), sans les nommer.
-- Pour sqlfluff (.sqlfluff) : sa grammaire DuckDB (version 4.5) lit les paramètres d'une macro (`MACRO f(x)`) comme
-- des types ; la règle des types en majuscules (CP05) les mettrait en majuscules : écartée pour ce fichier.
-- noqa: disable=CP05

-- Dépivotage : une ligne par ligne de la table source et par frein du contrat. Colonnes : celles de la source
-- hors frein_*, puis reponse ('oui', 'non', ou NULL : inconnue, gardée pour que chaque groupe ait ses lignes de
-- chaque frein, même sans réponse), frein (nom court : logement, garde_enfants…) et ordre (celui du contrat).
-- source : le nom d'une table ou d'une CTE de la requête appelante (lu par query_table), qui porte les colonnes
-- frein_* des épisodes (freins_prevalence.sql, freins_sortie_emploi.sql).
CREATE OR REPLACE MACRO reponses_freins(source) AS TABLE
-- SELECT * (AM04) : la macro rend la source telle quelle, dépivotée.
SELECT * EXCLUDE (colonne)  -- noqa: AM04
FROM query_table(source)
    UNPIVOT INCLUDE NULLS (reponse FOR colonne IN (COLUMNS('^frein_')))
INNER JOIN ref_freins USING (colonne);

-- Nombre de réponses connues (oui ou non) et de réponses « oui » d'une ligne, pour compter les freins d'une
-- personne sans dépivoter (freins_par_personne.sql). reponses : list_value(*COLUMNS('^frein_')), les réponses de
-- la ligne ; le chargeur n'admet que oui, non ou vide (NULL), et une réponse vide ne compte ni comme connue ni
-- comme un frein.
CREATE OR REPLACE MACRO freins_connus(reponses) AS
    CAST(list_count(reponses) AS INTEGER);

CREATE OR REPLACE MACRO freins_oui(reponses) AS
    CAST(list_count(list_filter(reponses, lambda r: r = 'oui')) AS INTEGER);
