"""Signing in through the login form, as a browser does, for the page tests."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient


def csrf(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form on ``path``."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found is not None, path
    return found.group(1)


def web_login(app: Flask, username: str, password: str | None = None) -> FlaskClient:
    """A browser session of ``username``, signed in through the login form (CSRF token included); the
    password is the demo users' test password ``pw-<username>`` unless given."""
    client = app.test_client()
    password = password or f"pw-{username}"
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf(client, "/login")}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
