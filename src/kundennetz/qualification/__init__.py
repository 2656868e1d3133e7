"""ASCOTSMAN qualification: catalogues, checklists, evaluation, pursuit decisions, bid/no-bid sheets."""
