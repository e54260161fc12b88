"""A populated service with people in every role, built once per module per database.

Authorities: the county 421221 ("own" for the county staff) and the province 500000 ("other").
Holders A and B hold county certificates, C a province one; each has a pending reissue request
with an evidence file. Staff: operator, reviewer and auditor of each authority. Employers A and B
each have a user and two API keys (one to use, one the matrix may revoke). Every principal
signs in through the real login form (CSRF on) from its own client address, so rate limits per
address never mix principals up.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from certsvc.accounts.services import create_holder_user, create_staff_user
from certsvc.certificates.holders import decrypt_id
from certsvc.certificates.models import Certificate, Holder
from certsvc.certificates.reissue import Evidence, submit_request
from certsvc.certificates.shares import create_share
from certsvc.cli.setup import initialise
from certsvc.db.session import Database
from certsvc.runtime import Runtime
from tests.conftest import DATABASE_KINDS, FakeClock, make_settings
from tests.reliability.world import fresh_database_url, populate

COUNTY = "421221"
PROVINCE = "500000"
PASSWORD = "correct horse battery staple"
PNG_EVIDENCE = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
STAFF_ROLES = ("operator", "reviewer", "auditor")
_addresses = itertools.count(1)


@dataclass(frozen=True)
class Person:
    """A holder: what they type to sign in, their certificate, their reissue request and share link."""

    key: str
    login: str
    name: str
    id_number: str
    number: str
    authority: str
    request_id: int
    share_id: int = 0
    proposal_id: int = (
        0  # a pending proposal (suspension) on the certificate, made by its authority's operator
    )


@dataclass(frozen=True)
class EmployerPerson:
    """An employer's user: what they type to sign in, their organisation, a key to use and the id
    of another key (the resource the matrix names in URLs)."""

    key: str
    login: str
    employer_id: int
    api_key: str
    key_id: int


@dataclass
class World:
    runtime: Runtime
    app: Flask
    holders: dict[str, Person]
    staff: dict[str, tuple[str, str, str]]  # key -> (login, authority, role)
    employers: dict[str, EmployerPerson] = field(default_factory=dict)
    clients: dict[str, FlaskClient] = field(default_factory=dict)

    def client(self, principal: str) -> FlaskClient:
        """A signed-in client for ``principal`` ("anonymous", "holder-a", "operator-own", ...), cached."""
        if principal not in self.clients:
            self.clients[principal] = self._sign_in(principal)
        return self.clients[principal]

    def fresh_client(self) -> FlaskClient:
        client = self.app.test_client()
        number = next(_addresses)
        client.environ_base["REMOTE_ADDR"] = f"10.9.{number // 250 % 250}.{number % 250 + 1}"
        return client

    def _sign_in(self, principal: str) -> FlaskClient:
        client = self.fresh_client()
        if principal == "anonymous":
            return client
        if principal in self.holders:
            login = self.holders[principal].login
        elif principal in self.employers:
            login = self.employers[principal].login
        else:
            login = self.staff[principal][0]
        sign_in(client, login)
        return client


def csrf_token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, login: str, password: str = PASSWORD) -> None:
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"account": login, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def _holders(runtime: Runtime) -> dict[str, Person]:
    """Holders A and B (county) and C (province), each with an account and a pending reissue request."""
    wanted = (("holder-a", COUNTY, 0), ("holder-b", COUNTY, 1), ("holder-c", PROVINCE, 0))
    picked: list[tuple[str, int, str, str, str, str]] = []
    with runtime.database.read() as session:
        for key, authority, skip in wanted:
            rows = session.execute(
                select(Certificate.number, Holder)
                .join(Holder, Holder.id == Certificate.holder_id)
                .where(Certificate.authority_code == authority)
                .order_by(Certificate.id)
            ).all()
            distinct = list({holder.id: (number, holder) for number, holder in reversed(rows)}.values())[::-1]
            number, holder = distinct[skip]
            picked.append((key, holder.id, holder.name, decrypt_id(runtime, holder), number, authority))
    people: dict[str, Person] = {}
    for key, holder_id, name, id_number, number, authority in picked:
        with runtime.database.write() as session:
            row = session.get(Holder, holder_id)
            assert row is not None
            create_holder_user(session, runtime, row, PASSWORD, None)
            request = submit_request(
                session,
                runtime,
                holder_id=holder_id,
                number=number,
                reason="lost",
                evidence=Evidence("report.png", PNG_EVIDENCE),
            )
            share, _ = create_share(
                session,
                runtime,
                holder_id=holder_id,
                number=number,
                purpose="入职 测试公司",
                days=30,
                show_full_name=False,
                show_id_last4=False,
            )
            session.flush()
            request_id, share_id = request.id, share.id
        people[key] = Person(key, id_number, name, id_number, number, authority, request_id, share_id)
    return people


def _staff(runtime: Runtime) -> dict[str, tuple[str, str, str]]:
    staff: dict[str, tuple[str, str, str]] = {}
    with runtime.database.write() as session:
        for authority, side in ((COUNTY, "own"), (PROVINCE, "other")):
            for role in STAFF_ROLES:
                login = f"sec-{role[:2]}-{authority}"
                create_staff_user(
                    session, runtime, username=login, authority_code=authority, role=role, password=PASSWORD
                )
                staff[f"{role}-{side}"] = (login, authority, role)
    return staff


def _proposals(
    runtime: Runtime, holders: dict[str, Person], staff: dict[str, tuple[str, str, str]]
) -> dict[str, Person]:
    """Holders A and C get a pending proposal to suspend their certificate, made by the operator of
    the issuing authority (B's certificate stays free for the tests that propose on it)."""
    import dataclasses

    from certsvc.accounts.models import User
    from certsvc.audit.actors import staff_actor
    from certsvc.certificates.approvals import propose_status_change
    from certsvc.certificates.revocation import StatusChange

    operators = {authority: login for login, authority, role in staff.values() if role == "operator"}
    people = dict(holders)
    for key in ("holder-a", "holder-c"):
        person = holders[key]
        with runtime.database.write() as session:
            user = session.scalars(select(User).where(User.login == operators[person.authority])).one()
            actor = staff_actor(
                user_id=user.id, login=user.login, role="operator", authority_code=person.authority
            )
            proposal = propose_status_change(
                session,
                runtime,
                actor,
                StatusChange(person.number, "suspend", "investigation", "测调〔2026〕1号"),
            )
            people[key] = dataclasses.replace(person, proposal_id=proposal.id)
    return people


def _employers(runtime: Runtime) -> dict[str, EmployerPerson]:
    from certsvc.accounts.employers import add_employer, create_key
    from certsvc.domain.checkdigits import uscc_check_char

    people: dict[str, EmployerPerson] = {}
    with runtime.database.write() as session:
        for key, body in (("employer-a", "91500000MA5U7X0QA"), ("employer-b", "91500000MA5U7X0QB")):
            employer, user, _ = add_employer(
                session,
                runtime,
                # Chinese names, as real organisations have (the page-language walk reads them).
                name={"employer-a": "重庆甲方科技有限公司", "employer-b": "重庆乙方科技有限公司"}[key],
                uscc=body + uscc_check_char(body),
                username=f"sec-{key}",
                password=PASSWORD,
            )
            _, api_key = create_key(session, runtime, employer_id=employer.id, name="使用", created_by="test")
            resource, _ = create_key(
                session, runtime, employer_id=employer.id, name="矩阵", created_by="test"
            )
            people[key] = EmployerPerson(key, user.login, employer.id, api_key, resource.id)
    return people


@pytest.fixture(scope="module", params=DATABASE_KINDS)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    from certsvc import create_app

    directory = tmp_path_factory.mktemp("security")
    urls = fresh_database_url(request.param, request, directory)
    url = next(urls)
    database = Database(url)
    runtime = Runtime(settings=make_settings(directory, url), database=database, clock=FakeClock())
    registry = resources.files("certsvc.domain").joinpath("demo_registry.json").read_bytes()
    initialise(runtime, registry)
    populate(runtime, (COUNTY, PROVINCE))
    holders = _holders(runtime)
    staff = _staff(runtime)
    holders = _proposals(runtime, holders, staff)
    employers = _employers(runtime)
    app = create_app(runtime=runtime)
    app.config.update(TESTING=True)
    yield World(runtime, app, holders, staff, employers)
    database.dispose()
    next(urls, None)
