"""Load a registry of authorities and committee registrations into the database.

Applying a registry only adds or updates: authorities keep their code, committee registrations are
keyed by (code, registered_from) so a renewal adds a row and the old window stays on record for
certificates issued under it.
"""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session

from certsvc.domain.levels import AuthorityKind, Level
from certsvc.domain.registry import Authority as AuthorityFacts
from certsvc.domain.registry import Committee as CommitteeFacts
from certsvc.domain.registry import Registry, load_registry
from certsvc.registry.models import Authority, CommitteeRegistration

_LEVEL_ORDER = [level.value for level in Level]


def apply_registry(session: Session, registry_json: bytes, now: dt.datetime) -> str:
    registry = load_registry(registry_json)
    return apply_loaded_registry(session, registry, now)


def apply_loaded_registry(session: Session, registry: Registry, now: dt.datetime) -> str:
    existing = {a.code: a for a in session.scalars(select(Authority))}
    added_authorities = 0
    for authority in registry.authorities.values():
        row = existing.get(authority.code)
        levels = sorted((level.value for level in authority.levels), key=_LEVEL_ORDER.index)
        facts = (authority.name, authority.uscc, authority.kind.value, levels)
        if row is None:
            session.add(
                Authority(
                    code=authority.code,
                    name=authority.name,
                    uscc=authority.uscc,
                    kind=authority.kind.value,
                    levels=levels,
                    created_at=now,
                    updated_at=now,
                )
            )
            added_authorities += 1
        elif (row.name, row.uscc, row.kind, row.levels) != facts:
            row.name, row.uscc, row.kind, row.levels = facts
            row.updated_at = now
    session.flush()
    known = {(c.code, c.registered_from) for c in session.scalars(select(CommitteeRegistration))}
    added_committees = 0
    for committee in registry.committees.values():
        if (committee.code, committee.registered_from) in known:
            continue
        session.add(
            CommitteeRegistration(
                code=committee.code,
                name=committee.name,
                authority_code=committee.authority_code,
                series=committee.series,
                level=committee.level.value,
                size=committee.size,
                registered_from=committee.registered_from,
                registered_until=committee.registered_until,
                created_at=now,
            )
        )
        added_committees += 1
    session.flush()
    return (
        f"{len(registry.authorities)} authorities ({added_authorities} new), "
        f"{len(registry.committees)} committee registrations ({added_committees} new)"
    )


def registry_from_database(session: Session) -> Registry:
    """The registry as the intake rules see it, read back from the database.

    When a committee was registered several times, the latest registration represents it.
    """
    authorities = {
        a.code: AuthorityFacts(
            code=a.code,
            name=a.name,
            uscc=a.uscc,
            kind=AuthorityKind(a.kind),
            levels=frozenset(Level(level) for level in a.levels),
        )
        for a in session.scalars(select(Authority).order_by(Authority.code))
    }
    committees = {
        c.code: CommitteeFacts(
            code=c.code,
            name=c.name,
            authority_code=c.authority_code,
            series=c.series,
            level=Level(c.level),
            size=c.size,
            registered_from=c.registered_from,
            registered_until=c.registered_until,
        )
        for c in session.scalars(
            select(CommitteeRegistration).order_by(
                CommitteeRegistration.registered_from, CommitteeRegistration.id
            )
        )
    }
    return Registry(authorities=MappingProxyType(authorities), committees=MappingProxyType(committees))
