"""Who acts: a signed-in staff member, an API token, the command line, a holder or the system.

Every service that changes something takes an ``Actor``. It says how the change is attributed
in the action log (staff user, role, authority, the coarse client: network prefix and browser
family, never an address) and in the public ledger (role and a pseudonymous staff id, see
``ledger_actor``). A change that takes effect on a second person's approval is made by the
approver, ``approving`` the proposal of the first.
"""

from __future__ import annotations

import dataclasses
import getpass
import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from typing import Any

from certsvc.ledger.entries import actor_field
from certsvc.runtime import Runtime

KINDS = ("staff", "token", "cli", "holder", "system")


@dataclass(frozen=True)
class Actor:
    """One acting person or program, as plain values (no ORM rows)."""

    kind: str  # one of KINDS
    role: str  # operator | reviewer | auditor (staff, tokens); server-operator; holder; system
    reference: str  # the attribution kept in older columns: user:12:login, api-token:3, cli:root …
    user_id: int | None = None
    token_id: int | None = None
    login: str | None = None
    authority_code: str | None = None
    client_network: str = ""  # 10.9.1.0/24, 2001:db8:1::/48; "" outside a request
    client_agent: str = ""  # browser family · device class
    proposal_id: int | None = None
    proposed_by: Actor | None = None

    def approving(self, proposal_id: int, proposer: Actor) -> Actor:
        """This actor putting into effect proposal ``proposal_id`` of ``proposer``."""
        return dataclasses.replace(self, proposal_id=proposal_id, proposed_by=proposer)

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff" and self.user_id is not None


# What services act as when no actor is given: the server's operator (command line, scripts,
# tests calling services directly), exactly what the command line records.
OPERATOR = Actor("cli", "server-operator", "operator")


def cli_actor() -> Actor:
    """The command line, acting for the operator of the server (named by the OS account)."""
    try:
        account = getpass.getuser()
    except (KeyError, OSError):
        account = "unknown"
    return Actor("cli", "server-operator", f"cli:{account}"[:100])


def system_actor(label: str) -> Actor:
    """certsvc itself (demo data, start-up), named by ``label``."""
    return Actor("system", "system", label[:100] or "system")


def holder_actor(user_id: int | None = None) -> Actor:
    """A holder in the portal: the action log and the ledger never name them."""
    return Actor("holder", "holder", "holder", user_id=user_id)


def staff_actor(
    *,
    user_id: int,
    login: str,
    role: str,
    authority_code: str,
    client_network: str = "",
    client_agent: str = "",
) -> Actor:
    return Actor(
        "staff",
        role,
        f"user:{user_id}:{login}"[:100],
        user_id=user_id,
        login=login,
        authority_code=authority_code,
        client_network=client_network,
        client_agent=client_agent,
    )


def token_actor(
    *, token_id: int, role: str, authority_code: str, client_network: str = "", client_agent: str = ""
) -> Actor:
    return Actor(
        "token",
        role,
        f"api-token:{token_id}",
        token_id=token_id,
        authority_code=authority_code,
        client_network=client_network,
        client_agent=client_agent,
    )


def as_actor(value: Actor | str | None) -> Actor:
    """An ``Actor`` for services that accepted a plain label before issue 20 (``"cli"``, ``"demo"``)."""
    if value is None:
        return OPERATOR
    if isinstance(value, Actor):
        return value
    if value == "cli" or value.startswith("cli:"):
        return Actor("cli", "server-operator", value[:100])
    return system_actor(value)


def client_network(address: str | None) -> str:
    """The network an address belongs to, coarse enough to name no one: IPv4 /24, IPv6 /48."""
    try:
        parsed = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    prefix = 24 if parsed.version == 4 else 48
    return str(ipaddress.ip_network(f"{parsed}/{prefix}", strict=False))


# --- the public ledger's view of an actor ----------------------------------------------------------
def staff_pseudonym(runtime: Runtime, actor: Actor) -> str | None:
    """The staff id a ledger entry shows: a keyed digest the installation alone can link to its
    person (``st-`` staff, ``tk-`` API token), ``cli`` for the command line, none for holders."""
    if actor.kind == "cli":
        return "cli"
    if actor.kind == "staff" and actor.user_id is not None:
        return "st-" + _digest(runtime, f"user:{actor.user_id}")
    if actor.kind == "token" and actor.token_id is not None:
        return "tk-" + _digest(runtime, f"token:{actor.token_id}")
    return None


def _digest(runtime: Runtime, subject: str) -> str:
    key = runtime.cache.staff_pseudonym_key
    if key is None:
        key = runtime.cache.staff_pseudonym_key = runtime.keys.data_keys().derive("staff-pseudonym")
    return hmac.new(key, subject.encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def _ledger_role(actor: Actor) -> str:
    if actor.kind in ("staff", "token") and actor.role in ("operator", "reviewer", "auditor"):
        return actor.role
    return {"cli": "server-operator", "holder": "holder"}.get(actor.kind, "system")


def ledger_actor(runtime: Runtime, actor: Actor) -> dict[str, Any]:
    """The members naming ``actor`` in a ledger entry (keyword arguments of the entry
    constructors): ``actor``, and for an approved proposal ``proposed_by`` and ``proposal``."""
    fields: dict[str, Any] = {"actor": actor_field(_ledger_role(actor), staff_pseudonym(runtime, actor))}
    if actor.proposed_by is not None and actor.proposal_id is not None:
        proposer = actor.proposed_by
        fields["proposed_by"] = actor_field(_ledger_role(proposer), staff_pseudonym(runtime, proposer))
        fields["proposal"] = actor.proposal_id
    return fields
