"""Load a registry (policies, authorities and grants, committee registrations, commissions) into
the database, and read it back as the intake rules see it.

Applying a registry only adds or updates, never deletes: authorities keep their code, committee
registrations are keyed by (code, registered_from) so a renewal adds a row and the old window stays
on record, commissions by (authority, committee, letter). Certificates carry their own facts
(committee name, confirming authority, dates), so a registry update never changes or breaks a
certificate already issued; only later imports see the new registry.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certsvc.domain.levels import AuthorityKind, Level
from certsvc.domain.registry import Authority as AuthorityFacts
from certsvc.domain.registry import Commission as CommissionFacts
from certsvc.domain.registry import Committee as CommitteeFacts
from certsvc.domain.registry import Grant, Policy, Registry, SizeAdjustment, load_registry, make_registry
from certsvc.registry.models import Authority, Commission, CommitteeRegistration, RegistryPolicy

_LEVEL_ORDER = [level.value for level in Level]


@dataclasses.dataclass(frozen=True)
class RegistrySummary:
    """What applying a registry did, counted; ``str()`` is the one-line English summary the command
    line prints, ``counts()`` what the action log keeps (pages word it in their language)."""

    policies: int
    authorities: int
    new_authorities: int
    registrations: int
    new_registrations: int
    commissions: int

    def __str__(self) -> str:
        return (
            f"{self.policies} policies, "
            f"{self.authorities} authorities ({self.new_authorities} new), "
            f"{self.registrations} committee registrations ({self.new_registrations} new), "
            f"{self.commissions} commissions"
        )

    def counts(self) -> dict[str, int]:
        return dataclasses.asdict(self)


def apply_registry(session: Session, registry_json: bytes, now: dt.datetime) -> RegistrySummary:
    """Validate (every problem at once, ``InvalidRegistry``) and apply; what it did."""
    registry = load_registry(registry_json)
    return apply_loaded_registry(session, registry, now)


def apply_loaded_registry(session: Session, registry: Registry, now: dt.datetime) -> RegistrySummary:
    policies = {p.region: p for p in session.scalars(select(RegistryPolicy))}
    for policy in registry.policies.values():
        policy_row = policies.get(policy.region)
        if policy_row is None:
            policy_row = RegistryPolicy(region=policy.region)
            session.add(policy_row)
        policy_row.name = policy.name
        policy_row.supervisor = policy.supervisor
        policy_row.committee_minimums = dict(policy.committee_minimums)
        policy_row.adjustable = None if policy.adjustable is None else sorted(policy.adjustable)
        policy_row.updated_at = now
    existing = {a.code: a for a in session.scalars(select(Authority))}
    added_authorities = 0
    for authority in registry.authorities.values():
        row = existing.get(authority.code)
        facts = {
            "name": authority.name,
            "uscc": authority.uscc,
            "kind": authority.kind.value,
            "levels": _levels(authority.levels),
            "region": authority.region,
            "grants": [_grant_json(grant) for grant in authority.grants],
        }
        if row is None:
            session.add(Authority(code=authority.code, created_at=now, updated_at=now, **facts))
            added_authorities += 1
        elif any(getattr(row, key) != value for key, value in facts.items()):
            for key, value in facts.items():
                setattr(row, key, value)
            row.updated_at = now
    session.flush()
    known = {(c.code, c.registered_from): c for c in session.scalars(select(CommitteeRegistration))}
    added_committees = 0
    for registrations in registry.registrations.values():
        for committee in registrations:
            committee_row = known.get((committee.code, committee.registered_from))
            if committee_row is None:
                committee_row = CommitteeRegistration(
                    code=committee.code, registered_from=committee.registered_from, created_at=now
                )
                session.add(committee_row)
                added_committees += 1
            committee_row.name = committee.name
            committee_row.authority_code = committee.authority_code
            committee_row.registered_by = committee.registered_by
            committee_row.confirms_own_results = committee.confirms_own_results
            committee_row.series = committee.series
            committee_row.specialty = committee.specialty
            committee_row.organisation = committee.organisation
            committee_row.level = committee.level.value
            committee_row.size = committee.size
            committee_row.size_adjustment = _adjustment_json(committee.size_adjustment)
            committee_row.registered_until = committee.registered_until
    commissions = {
        (c.authority_code, c.committee_code, c.letter): c for c in session.scalars(select(Commission))
    }
    for commission in registry.commissions:
        commission_row = commissions.get(
            (commission.authority_code, commission.committee_code, commission.letter)
        )
        if commission_row is None:
            commission_row = Commission(
                authority_code=commission.authority_code,
                committee_code=commission.committee_code,
                letter=commission.letter,
                created_at=now,
            )
            session.add(commission_row)
        commission_row.levels = _levels(commission.levels)
        commission_row.valid_from = commission.valid_from
        commission_row.valid_until = commission.valid_until
    session.flush()
    registration_count = sum(len(items) for items in registry.registrations.values())
    return RegistrySummary(
        policies=len(registry.policies),
        authorities=len(registry.authorities),
        new_authorities=added_authorities,
        registrations=registration_count,
        new_registrations=added_committees,
        commissions=len(registry.commissions),
    )


def supervisor_of(session: Session, authority: Authority) -> str | None:
    """The body that supervises (监制) the certificates of ``authority``'s province (DESIGN §2
    ``supervisor``), None when its province has no policy naming one."""
    region = authority.region or (
        authority.code if authority.code.isdigit() and len(authority.code) == 6 else None
    )
    if region is None:
        return None
    return session.scalar(
        select(RegistryPolicy.supervisor).where(RegistryPolicy.region == region[:2] + "0000")
    )


def registry_from_database(session: Session) -> Registry:
    """The registry as the intake rules see it, read back from the database (every registration)."""
    policies = [
        Policy(
            region=p.region,
            name=p.name,
            supervisor=p.supervisor,
            committee_minimums=dict(p.committee_minimums),
            adjustable=None if p.adjustable is None else frozenset(p.adjustable),
        )
        for p in session.scalars(select(RegistryPolicy).order_by(RegistryPolicy.region))
    ]
    authorities = [
        AuthorityFacts(
            code=a.code,
            name=a.name,
            uscc=a.uscc,
            kind=AuthorityKind(a.kind),
            # Rows written before grants existed: their levels, every series, by review.
            grants=tuple(_grant(g) for g in a.grants)
            if a.grants is not None
            else (Grant(frozenset(Level(level) for level in a.levels)),),
            region=a.region
            if a.region is not None
            else (a.code if a.code.isdigit() and len(a.code) == 6 else None),
        )
        for a in session.scalars(select(Authority).order_by(Authority.code))
    ]
    registrations = [
        CommitteeFacts(
            code=c.code,
            name=c.name,
            authority_code=c.authority_code,
            series=c.series,
            level=Level(c.level),
            size=c.size,
            registered_from=c.registered_from,
            registered_until=c.registered_until,
            registered_by=c.registered_by or c.authority_code,
            confirms_own_results=c.confirms_own_results,
            specialty=c.specialty,
            organisation=c.organisation,
            size_adjustment=_adjustment(c.size_adjustment),
        )
        for c in session.scalars(
            select(CommitteeRegistration).order_by(
                CommitteeRegistration.registered_from, CommitteeRegistration.id
            )
        )
    ]
    commissions = [
        CommissionFacts(
            authority_code=c.authority_code,
            committee_code=c.committee_code,
            levels=frozenset(Level(level) for level in c.levels),
            letter=c.letter,
            valid_from=c.valid_from,
            valid_until=c.valid_until,
        )
        for c in session.scalars(select(Commission).order_by(Commission.id))
    ]
    return make_registry(authorities, registrations, policies, commissions)


def _levels(levels: frozenset[Level]) -> list[str]:
    return sorted((level.value for level in levels), key=_LEVEL_ORDER.index)


def _grant_json(grant: Grant) -> dict[str, Any]:
    return {
        "levels": _levels(grant.levels),
        "series": None if grant.series is None else sorted(grant.series),
        "routes": sorted(grant.routes),
        "from": None if grant.valid_from is None else grant.valid_from.isoformat(),
        "until": None if grant.valid_until is None else grant.valid_until.isoformat(),
    }


def _grant(data: dict[str, Any]) -> Grant:
    return Grant(
        levels=frozenset(Level(level) for level in data["levels"]),
        series=None if data.get("series") is None else frozenset(data["series"]),
        routes=frozenset(data.get("routes") or ["评审"]),
        valid_from=None if data.get("from") is None else dt.date.fromisoformat(data["from"]),
        valid_until=None if data.get("until") is None else dt.date.fromisoformat(data["until"]),
    )


def _adjustment_json(adjustment: SizeAdjustment | None) -> dict[str, Any] | None:
    if adjustment is None:
        return None
    return {"minimum": adjustment.minimum, "approved_by": adjustment.approved_by, "letter": adjustment.letter}


def _adjustment(data: dict[str, Any] | None) -> SizeAdjustment | None:
    if data is None:
        return None
    return SizeAdjustment(int(data["minimum"]), str(data["approved_by"]), str(data["letter"]))
