-- Couverture des freins périphériques par le réseau local (contrat §7.5 et §7.1) : pour chaque commune et chaque
-- frein, le nombre de structures de l'annuaire situées dans la commune qui couvrent le domaine correspondant :
-- logement → logement, garde_enfants → garde_enfants, mobilite → mobilite, sante → sante, numerique → numerique,
-- langue → langue, administratif → acces_droits. Se lit face aux freins des personnes suivies de la commune
-- (queries/freins_prevalence.sql, groupe 'commune').
-- Des organisations, pas des personnes : pas de clé de cellule, rien à masquer.
-- Toutes les communes du référentiel (ou celles du filtre) ont leurs 7 lignes, même sans structure.
-- Paramètres : communes (liste de codes INSEE, NULL : toutes).
-- Colonnes : code_commune, commune (nom), frein, domaine, structures.
WITH correspondance AS (
    SELECT
        t.frein,
        t.domaine,
        t.ordre
    FROM (
        VALUES
        ('logement', 'logement', 1), ('garde_enfants', 'garde_enfants', 2), ('mobilite', 'mobilite', 3),
        ('sante', 'sante', 4), ('numerique', 'numerique', 5), ('langue', 'langue', 6),
        ('administratif', 'acces_droits', 7)
    ) AS t (frein, domaine, ordre)
),
communes AS (
    SELECT code_commune, nom
    FROM ref_communes
    WHERE $communes IS NULL OR list_contains($communes, code_commune)
)
SELECT
    c.code_commune,
    c.nom AS commune,
    k.frein,
    k.domaine,
    count(s.code_structure) AS structures
FROM communes AS c
CROSS JOIN correspondance AS k
LEFT JOIN structures AS s ON c.code_commune = s.code_commune AND list_contains(s.domaines, k.domaine)
GROUP BY c.code_commune, c.nom, k.frein, k.domaine, k.ordre
ORDER BY c.code_commune, k.ordre;
