"""Customer-processing strategy: scoring models, portfolio snapshots, strategies, the picture, value propositions."""
