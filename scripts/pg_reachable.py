"""Exit 0 when the PostgreSQL server of the given URL answers, 1 otherwise (no traceback)."""

import sys

import dj_database_url
import psycopg


def main(url: str) -> int:
    cfg = dj_database_url.parse(url)
    try:
        psycopg.connect(host=cfg["HOST"] or None, port=cfg["PORT"] or None, user=cfg["USER"] or None,
                        password=cfg["PASSWORD"] or None, dbname=cfg["NAME"], connect_timeout=3).close()
    except psycopg.Error:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
