"""Maps for people: layers computed once for paper and screen (``layers``), one table of
symbols (``symbols``), the A3 sheet (``print``) and the offline web page (``web``). Over the
analysis and the actors."""
