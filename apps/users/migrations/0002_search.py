"""Name search in Postgres: trigram indexes for prefix and fuzzy matching of usernames
and display names (pg_trgm is a trusted extension: the database owner may create it)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("users", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql=[
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                "CREATE INDEX users_username_trgm_idx ON users_user USING gin (lower(username) gin_trgm_ops)",
                "CREATE INDEX users_display_name_trgm_idx ON users_user USING gin (lower(display_name) gin_trgm_ops)",
            ],
            reverse_sql=["DROP INDEX users_display_name_trgm_idx", "DROP INDEX users_username_trgm_idx"],
        ),
    ]
