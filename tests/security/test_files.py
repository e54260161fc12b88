"""Issue 16, finding 7: instance files are private and staged uploads keep no ID number in clear."""

from __future__ import annotations

import io
import re
import stat
from importlib import resources
from pathlib import Path

from sqlalchemy import select

from certsvc.certificates.models import StagedImport
from certsvc.cli.setup import initialise
from certsvc.db.session import Database
from certsvc.runtime import Runtime
from tests.accounts.fixtures import PROVINCE, sign_in, staff_account
from tests.conftest import FakeClock, make_settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_creates_a_private_instance_directory_and_database_file(tmp_path: Path) -> None:
    """`certsvc init` leaves the instance directory 0700 and the SQLite file 0600 whatever the
    umask (before: 0755 and 0644, so any local user could copy the database)."""
    import os

    instance = tmp_path / "instance"
    database_file = instance / "certsvc.sqlite3"
    settings = make_settings(tmp_path, f"sqlite:///{database_file}")
    old_umask = os.umask(0o022)
    try:
        database = Database(settings.database_url)
        initialise(Runtime(settings=settings, database=database, clock=FakeClock()), None)
        database.dispose()
    finally:
        os.umask(old_umask)

    assert _mode(instance) == 0o700
    assert _mode(database_file) == 0o600
    for sibling in instance.glob("certsvc.sqlite3-*"):
        assert _mode(sibling) & 0o077 == 0, sibling


def test_a_staged_console_upload_keeps_no_id_number_in_clear(runtime: Runtime) -> None:
    """Between the dry run and the confirmation the uploaded file sits in the database encrypted:
    none of its ID numbers appears in the stored bytes, and the confirmation still issues it."""
    from certsvc import create_app

    app = create_app(runtime=runtime)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    sign_in(client, staff_account(runtime, PROVINCE, "operator"))
    data = resources.files("certsvc.demo").joinpath(f"sample-{PROVINCE}.csv").read_bytes()
    id_numbers = re.findall(rb"\b\d{17}[\dX]\b", data)
    assert id_numbers

    page = client.post(
        "/issuer/import", data={"file": (io.BytesIO(data), "results.csv")}, content_type="multipart/form-data"
    ).get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token is not None
    with runtime.database.read() as session:
        [stored] = session.scalars(select(StagedImport.data)).all()
    assert not any(number in stored for number in id_numbers)
    assert data not in stored

    assert client.post("/issuer/import/confirm", data={"token": token.group(1)}).status_code == 200
    with runtime.database.read() as session:
        assert session.scalars(select(StagedImport.id)).all() == []
