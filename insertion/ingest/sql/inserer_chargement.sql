-- Une ligne de l'historique des chargements.
INSERT INTO chargements VALUES (
    $id, $fichier, $empreinte, $nature, $statut, $date_extraction,
    $lues, $acceptees, $rejetees, $ali_remplacees, $ali_historique, $annees, $message, current_localtimestamp()
)
