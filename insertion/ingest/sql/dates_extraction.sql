-- Les dates d'extraction d'un fichier lu (_brut) : chaque valeur distincte est lue une fois (le plus souvent il
-- n'y en a qu'une) ; les lignes ne sont relues que pour citer celles dont la date est absente ou illisible.
WITH valeurs AS (
    SELECT
        brut,
        norm_date(brut) AS d
    FROM (SELECT DISTINCT date_extraction AS brut FROM _brut)
)

SELECT
    (
        SELECT list(_ligne ORDER BY _ligne) FROM _brut
        WHERE date_extraction IS NULL OR date_extraction IN (SELECT brut FROM valeurs WHERE d IS NULL)
    ) AS lignes_illisibles,
    (SELECT list(DISTINCT d) FILTER (WHERE d IS NOT NULL) FROM valeurs) AS dates
