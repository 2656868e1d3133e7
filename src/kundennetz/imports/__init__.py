"""Bringing the network in and out: import batches with dry run and undo, column mappings, exports."""
