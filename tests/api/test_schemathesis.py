"""The API is its OpenAPI (issue 12, point 2): schemathesis against a live server, on SQLite and PostgreSQL.

As an admin (on SQLite) and as a staff member of the bureau (on PostgreSQL), every operation gets a bounded
number of generated requests (positive and negative data, the coverage, fuzzing and stateful phases) and
every answer must be no server error, a status the document declares and a body its schema allows. Logout
and token revocation are left out: they would end the very token the run uses (they are tested in
tests/api/test_account_credentials.py); PATCH /admin/users likewise (a password change or deactivation
revokes it), and an admin password reset.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from flask import Flask

from tests.conftest import served, token_of

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"
EXAMPLES_PER_OPERATION = 10
# One user per database rather than both on each: the four runs took five minutes of the suite (over a
# minute each); the API's answers do not depend on the database, and each database is exercised whole.
USER_ON = {"sqlite": "admin", "postgresql": "bureau"}


def test_the_api_answers_as_its_openapi_document_says(app: Flask, database_url: str, tmp_path: Path) -> None:
    assert SCHEMATHESIS.is_file(), "schemathesis is a dev dependency: pip install -e '.[dev]'"
    username = USER_ON[database_url.split(":", 1)[0]]
    with served(app) as base:
        run = subprocess.run(  # noqa: S603 - our own virtualenv's schemathesis, fixed arguments
            [
                str(SCHEMATHESIS),
                "run",
                f"{base}/api/openapi.json",
                "--url",
                base,
                "--header",
                f"Authorization: Bearer {token_of(username)}",
                "--checks",
                CHECKS,
                "--max-examples",
                str(EXAMPLES_PER_OPERATION),
                "--seed",
                "12",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--exclude-path-regex",
                "logout|revoke|password",
                "--exclude-method",
                "PATCH",
                "--workers",
                "1",
                "--no-shrink",
                "--request-timeout",
                "30",
            ],
            capture_output=True,
            text=True,
            timeout=480,
            cwd=tmp_path,  # its report folder stays out of the work tree
            check=False,
        )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    counts = re.search(r"(\d+) generated, (\d+) passed\n", run.stdout)  # nothing failed, errored or skipped
    assert counts is not None and counts.group(1) == counts.group(2) and int(counts.group(1)) > 500, (
        run.stdout
    )
