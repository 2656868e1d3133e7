"""The customer network's records: accounts, their people, competitors, opportunities and pipeline stages."""
