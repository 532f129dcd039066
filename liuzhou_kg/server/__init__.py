"""The SPARQL 1.1 endpoint with its query page and linked-data pages (``liuzhou-kg serve``)."""
