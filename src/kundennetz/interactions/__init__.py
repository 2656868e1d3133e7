"""Interactions with the network, core messages, consistency measures, my week, the management view, reminders."""
