"""What every app shares: users and roles, restrict(), history and soft-delete mixins, formatting, the layout."""
