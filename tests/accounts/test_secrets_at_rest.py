"""No refresh secret and no API key secret is stored in clear anywhere in the database.

Every text-like column of every table is searched, after the secrets went through all the
ways they are made and used: login, refresh, logout, the admin, the management command,
API-key authentication (which writes last_used_at) and throttling (which writes the
rate-limit table).
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from psycopg import sql

from accounts.models import ApiKey
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb", "bytea", "uuid")


def _text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name, c.column_name
            FROM information_schema.columns c
            JOIN information_schema.tables t
              ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
              AND c.data_type = ANY(%s)
            """,
            [list(TEXT_TYPES)],
        )
        return cursor.fetchall()


def _columns_containing(needle: str) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            query = sql.SQL(
                "SELECT count(*) FROM {table} WHERE position(%s in {column}::text) > 0"
            ).format(table=sql.Identifier(table), column=sql.Identifier(column))
            cursor.execute(query.as_string(connection.connection), [needle])
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


def test_the_search_itself_finds_a_planted_value(user):
    # Guards the test below against searching nothing.
    user.email = "planted-marker-7f3a@example.com"
    user.save()
    assert "api_user.email" in _columns_containing("planted-marker-7f3a")
    tables = {table for table, _ in _text_columns()}
    assert {
        "api_user",
        "refresh_token",
        "api_key",
        "cigarspace_cache",
        "accounts_rate_limit",
    } <= tables


def test_no_secret_is_stored_in_clear(api_client, admin_client_logged_in, user, operator):
    secrets: list[str] = []

    # Refresh tokens: login, two rotations, a logout.
    login = api_client.post(
        "/api/v1/auth/token", {"email": "reader@example.com", "password": PASSWORD}
    ).json()
    rotated = api_client.post("/api/v1/auth/refresh", {"refresh": login["refresh"]}).json()
    rotated_again = api_client.post("/api/v1/auth/refresh", {"refresh": rotated["refresh"]}).json()
    api_client.post("/api/v1/auth/logout", {"refresh": rotated_again["refresh"]})
    secrets += [login["refresh"], rotated["refresh"], rotated_again["refresh"]]

    # An API key made in the admin and one made by the command, both used.
    response = admin_client_logged_in.post(
        reverse("admin:accounts_apikey_add"),
        {"name": "admin-made", "owner": operator.pk, "scope": "operator", "expires_at": ""},
    )
    admin_key = response.context["secret"]
    out = StringIO()
    call_command("apikey", "create", "--owner", "reader@example.com", "--name", "cli", stdout=out)
    command_key = out.getvalue().strip().splitlines()[-1]
    for key in (admin_key, command_key):
        response = api_client.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Api-Key {key}")
        assert response.status_code == 200
        secrets += [key, key.partition(".")[2]]
    assert ApiKey.objects.filter(last_used_at__isnull=False).count() == 2

    # Passwords are hashed too.
    secrets.append(PASSWORD)

    leaks = {secret[:8] + "…": _columns_containing(secret) for secret in secrets}
    assert leaks == {secret[:8] + "…": [] for secret in secrets}
