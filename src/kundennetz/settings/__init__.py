"""Settings modules: `base` holds everything; `local`, `dev`, `production` and `test` adjust it."""
