"""Prints the headline variant counts from the built DuckDB database."""

import os
import sys

import duckdb


def main() -> int:
    database_path = os.environ.get("DUCKDB_PATH", "growth_enrollments.duckdb")
    connection = duckdb.connect(database_path, read_only=True)
    queries = {
        "Users per variant at account creation": """
            select experiment, wiki, variant, enrolled_users
            from fct_account_creation_variant_counts
            order by experiment, wiki, variant
        """,
        "Users per variant at page impression (new accounts included)": """
            select experiment, wiki, variant, enrolled_users, new_account_users,
                existing_account_users, impression_events
            from fct_page_impression_variant_counts
            order by experiment, wiki, variant
        """,
        "Rejected lines by reason": """
            select reason, count(*) as lines
            from fct_rejected_events
            group by reason
            order by lines desc, reason
        """,
    }
    for title, query in queries.items():
        print(f"\n{title}")
        connection.sql(query).show(max_rows=100)
    print(f"\nDatabase: {os.path.abspath(database_path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
