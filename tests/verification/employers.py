"""Employers in tests: an account with a user and an API key, valid USCCs, and 1,000-line lists."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Protocol

from flask.testing import FlaskClient

from certsvc.runtime import Runtime


class Certificate(Protocol):
    """What a list needs of an issued certificate."""

    @property
    def number(self) -> str: ...
    @property
    def name(self) -> str: ...


EMPLOYER_PASSWORD = "correct horse battery staple"


@dataclasses.dataclass(frozen=True)
class EmployerAccount:
    """An employer as a test knows it: its user's login and password, and one API key."""

    id: int
    name: str
    uscc: str
    login: str
    key: str
    key_id: int


def valid_uscc(body: str) -> str:
    """A Unified Social Credit Code with the right GB 32100 check character for ``body`` (17 chars)."""
    from certsvc.domain.checkdigits import uscc_check_char

    return body + uscc_check_char(body)


def make_employer(
    runtime: Runtime, login: str, body: str, name: str = "重庆某某科技有限公司", quota: str | None = None
) -> EmployerAccount:
    """An employer with a user (password EMPLOYER_PASSWORD) and one API key."""
    from certsvc.accounts.employers import add_employer, create_key

    with runtime.database.write() as session:
        employer, user, _ = add_employer(
            session,
            runtime,
            name=name,
            uscc=valid_uscc(body),
            username=login,
            quota=quota,
            password=EMPLOYER_PASSWORD,
        )
        key, token = create_key(session, runtime, employer_id=employer.id, name="人事系统", created_by="test")
        return EmployerAccount(employer.id, employer.name, employer.uscc, user.login, token, key.id)


def sign_in_employer(client: FlaskClient, account: EmployerAccount) -> None:
    response = client.post("/auth/login", data={"account": account.login, "password": EMPLOYER_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/employer/"


def bulk_lines(issued: Sequence[Certificate], count: int) -> tuple[list[str], list[str]]:
    """``count`` number,name lines cycling through ``issued`` (every 7th with a wrong name, every
    50th with a mistyped check character), and the outcome each must get."""
    lines, outcomes = [], []
    for position in range(count):
        certificate = issued[position % len(issued)]
        if position % 50 == 49:
            lines.append(
                f"{certificate.number[:-1]}{'A' if certificate.number[-1] != 'A' else 'B'},{certificate.name}"
            )
            outcomes.append("error")
        elif position % 7 == 6:
            lines.append(f"{certificate.number},某某某")
            outcomes.append("invalid")
        else:
            lines.append(f"{certificate.number},{certificate.name}")
            outcomes.append("valid")
    return lines, outcomes


def genuine_revoked_and_unknown(runtime: Runtime, issued: Sequence[Certificate]) -> list[str]:
    """Three number,name lines: ``issued[0]`` as it is, ``issued[1]`` after revoking it, and a
    well-formed number (right check character) that no certificate has, with ``issued[2]``'s name."""
    from certsvc.certificates.revocation import change_status
    from certsvc.domain.checkdigits import mod37_36_check_char

    with runtime.database.write() as session:
        change_status(session, runtime, issued[1].number, "revoke", "fraud", "咸人社撤〔2026〕9号")
    body = "42120020263999999"
    unknown = body + mod37_36_check_char(body)
    return [
        f"{issued[0].number},{issued[0].name}",
        f"{issued[1].number},{issued[1].name}",
        f"{unknown},{issued[2].name}",
    ]
