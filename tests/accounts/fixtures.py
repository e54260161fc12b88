"""Fixtures and helpers shared by the accounts, workflow and browser tests.

``issued`` is a runtime whose database holds the county (421221) and province (500000) demo
batches, so every test has certificates of two authorities and many holders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from certsvc.accounts.services import create_holder_user, create_staff_user
from certsvc.certificates.holders import decrypt_id
from certsvc.certificates.issuing import import_results
from certsvc.certificates.models import Certificate, Holder
from certsvc.runtime import Runtime

COUNTY = "421221"
PROVINCE = "500000"
PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Person:
    """A holder as the tests know them: what they type to activate and sign in."""

    holder_id: int
    id_number: str
    name: str
    number: str


@pytest.fixture
def issued(runtime: Runtime) -> Runtime:
    for authority in (COUNTY, PROVINCE):
        data = resources.files("certsvc.demo").joinpath(f"sample-{authority}.csv").read_bytes()
        report = import_results(runtime, data, f"sample-{authority}.csv", dry_run=False, actor="test")
        assert report.ok and len(report.issued) > 0
    return runtime


def people(runtime: Runtime, authority: str, count: int = 2) -> list[Person]:
    """The first ``count`` distinct holders of ``authority``'s certificates."""
    found: list[Person] = []
    with runtime.database.read() as session:
        rows = session.execute(
            select(Certificate, Holder)
            .join(Holder, Holder.id == Certificate.holder_id)
            .where(Certificate.authority_code == authority)
            .order_by(Certificate.id)
        ).all()
        seen: set[int] = set()
        for certificate, holder in rows:
            if holder.id in seen:
                continue
            seen.add(holder.id)
            found.append(Person(holder.id, decrypt_id(runtime, holder), holder.name, certificate.number))
            if len(found) == count:
                break
    return found


def holder_account(runtime: Runtime, person: Person, email: str | None = None) -> None:
    with runtime.database.write() as session:
        holder = session.get(Holder, person.holder_id)
        assert holder is not None
        create_holder_user(session, runtime, holder, PASSWORD, email)


def staff_account(runtime: Runtime, authority: str, role: str) -> str:
    username = f"{role[:3]}-{authority.lower()}"
    with runtime.database.write() as session:
        create_staff_user(
            session, runtime, username=username, authority_code=authority, role=role, password=PASSWORD
        )
    return username


def second_staff(runtime: Runtime, authority: str, role: str) -> str:
    """Another staff member of the same authority and role as ``staff_account``'s (two-person rule)."""
    username = f"{role[:3]}2-{authority.lower()}"
    with runtime.database.write() as session:
        create_staff_user(
            session, runtime, username=username, authority_code=authority, role=role, password=PASSWORD
        )
    return username


@pytest.fixture
def portal_app(issued: Runtime) -> Flask:
    """The app over ``issued`` with CSRF checks off (one test turns them on to prove they work)."""
    from certsvc import create_app

    application = create_app(runtime=issued)
    application.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    return application


@pytest.fixture
def web(portal_app: Flask) -> FlaskClient:
    return portal_app.test_client()


def sign_in(client: FlaskClient, account: str, password: str = PASSWORD) -> None:
    response = client.post("/auth/login", data={"account": account, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def csrf_token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)
